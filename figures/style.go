package figures

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	stdfnt "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/wisefuse/wisefuse/internal/atomicfile"
)

// The size and type of every figure. 4.5 x 3 in with 9-10 pt text: placed at the 3.3 in width of
// a two-column paper's column, text lands at 6.6-7.3 pt, the smallest size that reads well;
// at full text width (7 in) it is comfortable.
const (
	Width  = 4.5 * vg.Inch
	Height = 3 * vg.Inch
	DPI    = 200 // PNG resolution: 900 x 600 pixels

	titleSize  = 10.5
	labelSize  = 10
	tickSize   = 9
	legendSize = 9
	lineWidth  = 1.5

	glyphRadius vg.Length = 2.5 // points: vg.Length is in points
)

// Axis describes one axis of a figure.
type Axis struct {
	// Label names the quantity and its unit, e.g. "E2E latency (s)" or "Cost per run (USD)".
	Label string
	// Log draws the axis on a log10 scale, for data that spans decades. Values <= 0 cannot be
	// shown on it and are dropped (for a CDF, only from the drawing: the fractions still count
	// them).
	Log bool
	// Min and Max fix the range when Min < Max; otherwise it fits the data.
	Min, Max float64
	// Bytes labels ticks in decimal byte units (1 KB, 10 MB, 1 GB) instead of raw counts.
	Bytes bool
}

// Ref is a reference line: a latency target, a paper's value, a capacity limit.
type Ref struct {
	Label string // printed beside the line; may be empty
	Value float64
}

// The Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008): distinguishable with
// every common form of colour blindness. Its yellow is left out, as it is unreadable on white.
var palette = []color.Color{
	rgb(0x00, 0x72, 0xB2), // blue
	rgb(0xD5, 0x5E, 0x00), // vermillion
	rgb(0x00, 0x9E, 0x73), // bluish green
	rgb(0xCC, 0x79, 0xA7), // reddish purple
	rgb(0xE6, 0x9F, 0x00), // orange
	rgb(0x56, 0xB4, 0xE9), // sky blue
	rgb(0x00, 0x00, 0x00), // black
}

// Dash patterns tell lines apart in greyscale print too; their cycle (5) is prime to the
// palette's (7), so series 0..34 all differ in colour or dash.
var dashes = [][]vg.Length{
	nil,
	{vg.Points(5), vg.Points(2.5)},
	{vg.Points(1.5), vg.Points(1.5)},
	{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)},
	{vg.Points(9), vg.Points(3)},
}

var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.CrossGlyph{},
	draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PlusGlyph{},
}

var (
	gridColor = color.Gray{Y: 0xE0}
	refColor  = color.Gray{Y: 0x55}
)

func rgb(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 0xFF} }

// seriesColor, seriesDashes and seriesGlyph give series i its look; every figure type uses
// them, so a policy keeps its colour when series are listed in the same order.
func seriesColor(i int) color.Color      { return palette[i%len(palette)] }
func seriesDashes(i int) []vg.Length     { return dashes[i%len(dashes)] }
func seriesGlyph(i int) draw.GlyphDrawer { return glyphs[i%len(glyphs)] }

func seriesLine(i int) draw.LineStyle {
	return draw.LineStyle{Color: seriesColor(i), Width: vg.Points(lineWidth), Dashes: seriesDashes(i)}
}

// The fonts: Liberation Sans (metric-compatible with Arial/Helvetica), bundled with gonum/plot,
// so the output does not depend on the fonts installed. A private cache and text handler keep
// figures independent of gonum/plot's package-level defaults, which other code may change.
var (
	fonts       = font.NewCache(liberation.Collection())
	textHandler = text.Plain{Fonts: fonts}
	sans        = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold    = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: stdfnt.WeightBold}
)

func textStyle(f font.Font, size vg.Length) text.Style {
	return text.Style{Color: color.Black, Font: font.From(f, size), Handler: textHandler}
}

// newPlot returns an empty plot in the house style, and its grid.
func newPlot(title string, x, y Axis) (*plot.Plot, *plotter.Grid) {
	p := plot.New()
	p.TextHandler = textHandler
	p.Title.Text = title
	p.Title.TextStyle = withAlign(textStyle(sansBold, titleSize), draw.XCenter, draw.YTop)
	p.Title.Padding = vg.Points(6)
	for _, a := range []struct {
		axis *plot.Axis
		spec Axis
	}{{&p.X, x}, {&p.Y, y}} {
		a.axis.Label.Text = a.spec.Label
		a.axis.Label.TextStyle.Font = font.From(sans, labelSize)
		a.axis.Label.TextStyle.Handler = textHandler
		a.axis.Label.Padding = vg.Points(3)
		a.axis.Tick.Label.Font = font.From(sans, tickSize)
		a.axis.Tick.Label.Handler = textHandler
		a.axis.Tick.Length = vg.Points(4)
		a.axis.Padding = vg.Points(2)
		a.axis.Tick.Marker = linearTicks{bytes: a.spec.Bytes}
		if a.spec.Log {
			a.axis.Scale = plot.LogScale{}
			a.axis.Tick.Marker = logTicks{bytes: a.spec.Bytes}
			if a.spec.Label != "" {
				// gonum/plot centres an axis label at the arithmetic midpoint of the range, which
				// on a log axis lies near the end and makes it shrink the data area for room the
				// label never takes. A blank label reserves the space; axisLabel draws the text.
				a.axis.Label.Text = " "
				p.Add(axisLabel{text: a.spec.Label, vertical: a.axis == &p.Y})
			}
		}
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = gridColor, gridColor
	grid.Vertical.Width, grid.Horizontal.Width = vg.Points(0.5), vg.Points(0.5)
	p.Add(grid)
	return p, grid
}

// axisLabel draws an axis label where gonum/plot would, centred on the data area.
type axisLabel struct {
	text     string
	vertical bool
}

func (l axisLabel) Plot(c draw.Canvas, p *plot.Plot) {
	if l.vertical {
		sty := p.Y.Label.TextStyle
		sty.Rotation += math.Pi / 2
		x := sty.Height(l.text) - sty.FontExtents().Descent // from the figure's left edge, at 0
		c.FillText(sty, vg.Point{X: x, Y: c.Center().Y}, l.text)
		return
	}
	sty := p.X.Label.TextStyle
	c.FillText(sty, vg.Point{X: c.Center().X, Y: sty.FontExtents().Descent}, l.text)
}

func withAlign(s text.Style, x draw.XAlignment, y draw.YAlignment) text.Style {
	s.XAlign, s.YAlign = x, y
	return s
}

// setRange fixes an axis's range: the spec's when it gives one, else [lo, hi] from the data,
// widened when empty or a single value so that the axis (and a log scale) stays valid.
func setRange(a *plot.Axis, spec Axis, lo, hi float64) error {
	if spec.Min < spec.Max {
		if math.IsInf(spec.Min, 0) || math.IsInf(spec.Max, 0) {
			return fmt.Errorf("axis %q: Min and Max must be finite, got %v and %v", spec.Label, spec.Min, spec.Max)
		}
		if spec.Log && spec.Min <= 0 {
			return fmt.Errorf("axis %q: a log axis needs Min > 0, got %v", spec.Label, spec.Min)
		}
		a.Min, a.Max = spec.Min, spec.Max
		return nil
	}
	if lo > hi { // no data
		lo, hi = 0, 1
		if spec.Log {
			lo, hi = 1, 10
		}
	}
	if lo == hi {
		switch {
		case spec.Log:
			lo, hi = lo/2, hi*2
		case lo == 0:
			hi = 1
		default:
			d := math.Abs(lo) / 10
			lo, hi = lo-d, hi+d
		}
	}
	a.Min, a.Max = lo, hi
	return nil
}

// span tracks the range of the values that will be drawn on one axis.
type span struct{ lo, hi float64 }

func newSpan() span { return span{math.Inf(1), math.Inf(-1)} }

func (s *span) add(v float64) {
	s.lo = math.Min(s.lo, v)
	s.hi = math.Max(s.hi, v)
}

// checkFinite rejects NaN and infinite values, naming the figure, the series and the index.
func checkFinite(figure, series, what string, vs []float64) error {
	for i, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("figures: %q: series %q: %s[%d] = %v, want a finite number", figure, series, what, i, v)
		}
	}
	return nil
}

// linearTicks labels 3 to 6 values at a step of 1, 2, 2.5 or 5 times a power of ten, with a
// minor tick between labels. (gonum's DefaultTicks may pick steps such as 1.5, which makes
// labels like 0.5, 2, 3.5.)
type linearTicks struct{ bytes bool }

func (lt linearTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if !(span > 0) || math.IsInf(span, 0) {
		return []plot.Tick{{Value: lo, Label: formatTick(lo)}}
	}
	mag := math.Pow(10, math.Floor(math.Log10(span/5)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if span/(m*mag) <= 6 {
			step = m * mag
			break
		}
	}
	minor := step / 2
	var ticks []plot.Tick
	for k := math.Ceil(lo/minor - 1e-9); k*minor <= hi+1e-9*span; k++ {
		v := k * minor
		if math.Abs(v) < 1e-12*span {
			v = 0 // not -0 or 1e-17
		}
		t := plot.Tick{Value: v}
		if r := v / step; math.Abs(r-math.Round(r)) < 1e-6 {
			t.Label = formatTick(v)
			if lt.bytes {
				t.Label = formatBytes(v)
			}
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// logTicks labels every decade, and 2 and 5 times it when the axis spans at most two decades,
// and every 1..9 multiple when that still leaves fewer than three labels (gonum's LogTicks labels
// decades only, which leaves a short axis with one label). A long axis labels every other decade
// or fewer, so that labels never crowd.
type logTicks struct{ bytes bool }

// minLabels is the fewest labelled ticks an axis should have; figures tests check it.
const minLabels = 3

func (lt logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 || hi <= 0 || lo > hi {
		return nil
	}
	decades := math.Log10(hi / lo)
	every := max(1, int(math.Ceil(decades/8))) // label every k-th decade: at most about 8 labels
	// One notation per axis: exponents throughout when any label needs one.
	exp := hi >= 1e5 || lo < 1e-3
	for _, labelled := range []func(m int) bool{
		func(m int) bool { return m == 1 || (decades <= 2 && (m == 2 || m == 5)) },
		func(m int) bool { return m == 1 || m == 2 || m == 5 },
		func(m int) bool { return true },
	} {
		var ticks []plot.Tick
		n := 0
		for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
			dec := math.Pow(10, e)
			for m := 1; m < 10; m++ {
				v := float64(m) * dec
				if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
					continue
				}
				t := plot.Tick{Value: v}
				if labelled(m) && (m != 1 || int(e)%every == 0 || decades <= 2) {
					switch {
					case lt.bytes:
						t.Label = formatBytes(v)
					case exp:
						t.Label = formatExp(v)
					default:
						t.Label = formatTick(v)
					}
					n++
				}
				ticks = append(ticks, t)
			}
		}
		if n >= minLabels {
			return ticks
		}
	}
	// Less than a decade with fewer than three integer multiples in it: linear ticks, which
	// on so short a range look the same.
	return linearTicks{bytes: lt.bytes}.Ticks(lo, hi)
}

// formatBytes prints a byte count in decimal units: 500 B, 1 KB, 2.5 MB, 10 GB.
func formatBytes(v float64) string {
	units := []string{"B", "KB", "MB", "GB", "TB", "PB"}
	i := 0
	for math.Abs(v) >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	return strconv.FormatFloat(v, 'g', 4, 64) + " " + units[i]
}

// formatTick prints a tick value compactly: 0.05, 2, 1500, 1e6, 1e-4.
func formatTick(v float64) string {
	if v == 0 {
		return "0"
	}
	if a := math.Abs(v); a >= 1e5 || a < 1e-3 {
		return formatExp(v)
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// formatExp prints v as 1e6, 2.5e-5: shorter than Go's 1e+06.
func formatExp(v float64) string {
	s := strconv.FormatFloat(v, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(strings.TrimLeft(exp, "+-"), "0")
	if exp == "" {
		return mant
	}
	if neg {
		exp = "-" + exp
	}
	return mant + "e" + exp
}

// save writes the figure (plot p under its title and legend) as path.png and path.svg, each
// atomically: a reader never sees a half-written figure, and a failed run leaves the previous
// one in place.
func save(p *plot.Plot, leg *legend, path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".svg", ".pdf", ".jpg", ".jpeg":
		return fmt.Errorf("figures: path %q must not have an extension: .png and .svg are added", path)
	}
	if path == "" {
		return errors.New("figures: empty path")
	}
	title := p.Title.Text
	p.Title.Text = "" // drawn above the legend by draw
	defer func() { p.Title.Text = title }()
	png := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(DPI))}
	svg := vgsvg.New(Width, Height)
	for _, c := range []struct {
		canvas interface {
			vg.CanvasSizer
			io.WriterTo
		}
		ext string
	}{{png, ".png"}, {svg, ".svg"}} {
		drawFigure(draw.New(c.canvas), title, leg, p)
		var buf bytes.Buffer
		if _, err := c.canvas.WriteTo(&buf); err != nil {
			return fmt.Errorf("figures: rendering %s%s: %w", path, c.ext, err)
		}
		out := buf.Bytes()
		if c.ext == ".svg" {
			// The SVG names its font but does not embed it (that would add about 400 kB a
			// face). Liberation Sans has Arial's metrics, so Arial and Helvetica are faithful
			// fallbacks where it is not installed; a browser's default serif is not.
			out = bytes.ReplaceAll(out, []byte("font-family:Liberation Sans;"), []byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
		}
		if err := atomicfile.WriteBytes(path+c.ext, out); err != nil {
			return fmt.Errorf("figures: %w", err)
		}
	}
	return nil
}

// drawFigure lays a figure out top to bottom: title, legend, plot.
func drawFigure(c draw.Canvas, title string, leg *legend, p *plot.Plot) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	top := c.Max.Y - vg.Points(3)
	if title != "" {
		sty := withAlign(textStyle(sansBold, titleSize), draw.XCenter, draw.YTop)
		c.FillText(sty, vg.Point{X: c.Center().X, Y: top}, title)
		top -= sty.Height(title) + vg.Points(4)
	}
	top -= leg.draw(c, top)
	pc := draw.Crop(c, 0, -vg.Points(6), 0, top-c.Max.Y-vg.Points(4))
	// gonum/plot keeps x tick labels inside on the right but not on the left, where a slanted
	// first category label ends at its tick and can run off the figure: narrow the plot and
	// move all of it (axis labels too) right by as much. A few rounds, as the first tick moves
	// a little with the narrower data area.
	shift := vg.Length(0)
	for range 4 {
		narrow := pc
		narrow.Max.X -= shift
		over := leftOverflow(p, narrow)
		if over <= shift+vg.Points(0.1) {
			break
		}
		shift = over + vg.Points(0.5)
	}
	if shift == 0 {
		p.Draw(pc)
		return
	}
	pc.Max.X -= shift
	c.Push()
	c.Translate(vg.Point{X: shift})
	p.Draw(pc)
	c.Pop()
}

// leftOverflow is how far an x tick label of p, drawn on c, reaches left of c (0 when none).
func leftOverflow(p *plot.Plot, c draw.Canvas) vg.Length {
	dc := p.DataCanvas(c)
	over := vg.Length(0)
	for _, t := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		if t.Label != "" {
			r := p.X.Tick.Label.Rectangle(t.Label)
			over = max(over, c.Min.X-(dc.X(p.X.Norm(t.Value))+r.Min.X))
		}
	}
	return over
}
