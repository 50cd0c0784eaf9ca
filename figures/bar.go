package figures

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Bars is a grouped bar chart: one group per category, one bar per series in each group, e.g.
// P95 latency (the value) per app (the category) per policy (the series).
type Bars struct {
	Title      string
	XLabel     string   // what the categories are, e.g. "Application"; may be empty
	Categories []string // group labels along the x axis
	Y          Axis     // set Log when values span decades; bars then rise from the axis minimum
	Series     []BarSeries
	// ValueFormat, when set, prints each bar's value above it (fmt verb, e.g. "%.1f").
	ValueFormat string
	Refs        []Ref // horizontal lines
}

// BarSeries is one named series: Values[i] belongs to Categories[i]. Low and High, when set (both,
// one per category), draw an error bar from Low[i] to High[i] over bar i: a range, such as the
// spread of a result over modelling choices.
type BarSeries struct {
	Name      string
	Values    []float64
	Low, High []float64
}

// Write renders the figure to path.png and path.svg (path has no extension).
func (f Bars) Write(path string) error {
	p, leg, err := f.plot()
	if err != nil {
		return err
	}
	return save(p, leg, path)
}

func (f Bars) plot() (*plot.Plot, *legend, error) {
	if len(f.Categories) == 0 || len(f.Series) == 0 {
		return nil, nil, fmt.Errorf("figures: %q: a bar chart needs categories and series, got %d and %d", f.Title, len(f.Categories), len(f.Series))
	}
	p, grid := newPlot(f.Title, Axis{Label: f.XLabel}, f.Y)
	grid.Vertical.Color = nil // vertical grid lines between bar groups only clutter
	ys := newSpan()
	for _, s := range f.Series {
		if len(s.Values) != len(f.Categories) {
			return nil, nil, fmt.Errorf("figures: %q: series %q has %d values for %d categories", f.Title, s.Name, len(s.Values), len(f.Categories))
		}
		if err := checkFinite(f.Title, s.Name, "Values", s.Values); err != nil {
			return nil, nil, err
		}
		if (s.Low == nil) != (s.High == nil) || (s.Low != nil && (len(s.Low) != len(f.Categories) || len(s.High) != len(f.Categories))) {
			return nil, nil, fmt.Errorf("figures: %q: series %q needs both Low and High, one per category, or neither", f.Title, s.Name)
		}
		for _, vs := range [][]float64{s.Values, s.Low, s.High} {
			if err := checkFinite(f.Title, s.Name, "Low/High", vs); err != nil {
				return nil, nil, err
			}
			for _, v := range vs {
				if !f.Y.Log || v > 0 {
					ys.add(v)
				}
			}
		}
	}
	for _, r := range f.Refs {
		if !f.Y.Log || r.Value > 0 {
			ys.add(r.Value)
		}
	}
	lo, hi := ys.lo, ys.hi
	if f.Y.Log {
		// Bars need a floor: the decade below the smallest value, strictly below it, or a bar
		// of exactly a power of ten would have no height.
		floor := math.Pow(10, math.Floor(math.Log10(lo)))
		if floor >= lo*(1-1e-9) {
			floor /= 10
		}
		lo = floor
	} else {
		lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	}
	if f.ValueFormat != "" && hi > lo && !(f.Y.Min < f.Y.Max) {
		// Head room for the value labels.
		if f.Y.Log {
			hi *= math.Pow(hi/lo, 0.08)
		} else {
			hi += 0.08 * (hi - lo)
		}
	}
	if err := setRange(&p.Y, f.Y, lo, hi); err != nil {
		return nil, nil, fmt.Errorf("figures: %q: %w", f.Title, err)
	}
	p.X.Min, p.X.Max = -0.5, float64(len(f.Categories))-0.5
	ticks := make([]plot.Tick, len(f.Categories))
	widest := vg.Length(0)
	for i, c := range f.Categories {
		ticks[i] = plot.Tick{Value: float64(i), Label: c}
		widest = max(widest, p.X.Tick.Label.Width(c))
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Tick.Length = 0
	if slot := (Width - 0.8*vg.Inch) / vg.Length(len(f.Categories)); widest > slot-vg.Points(6) {
		// Labels would collide: slant them.
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	p.Add(bars{f: f})
	if err := addRefs(p, f.Title, f.Refs, false, nil); err != nil {
		return nil, nil, err
	}
	leg := &legend{}
	for i, s := range f.Series {
		leg.add(s.Name, barThumb{seriesColor(i)})
	}
	return p, leg, nil
}

// Bars take 80% of a category's width; each series gets an equal share.
const groupWidth = 0.8

func barX(category, series, n int) float64 {
	w := groupWidth / float64(n)
	return float64(category) - groupWidth/2 + (float64(series)+0.5)*w
}

// bars draws every bar of a Bars figure.
type bars struct{ f Bars }

func (b bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(b.f.Series)
	w := groupWidth / float64(n)
	gap := vg.Points(0.6) // a hairline of white between neighbouring bars
	label := withAlign(textStyle(sans, tickSize-1), draw.XCenter, draw.YBottom)
	for i, s := range b.f.Series {
		for cat, v := range s.Values {
			if b.f.Y.Log && v <= 0 {
				continue // cannot be drawn on a log axis
			}
			x := barX(cat, i, n)
			x0, x1 := trX(x-w/2)+gap, trX(x+w/2)-gap
			base := math.Max(p.Y.Min, math.Min(0, p.Y.Max))
			if b.f.Y.Log {
				base = p.Y.Min
			}
			y0, y1 := trY(base), trY(math.Max(p.Y.Min, math.Min(v, p.Y.Max)))
			c.FillPolygon(seriesColor(i), []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			top := y1
			if s.Low != nil {
				top = b.errorBar(c, p, trY, (x0+x1)/2, (x1-x0)/4, s.Low[cat], s.High[cat], y1)
			}
			if b.f.ValueFormat != "" {
				c.FillText(label, vg.Point{X: (x0 + x1) / 2, Y: top + vg.Points(1)}, fmt.Sprintf(b.f.ValueFormat, v))
			}
		}
	}
}

// errorBar draws a vertical line from lo to hi at x with caps of half-width cap, and returns the
// higher of its top and top (where a value label goes).
func (b bars) errorBar(c draw.Canvas, p *plot.Plot, trY func(float64) vg.Length, x, cap vg.Length, lo, hi float64, top vg.Length) vg.Length {
	clamp := func(v float64) float64 { return math.Max(p.Y.Min, math.Min(v, p.Y.Max)) }
	if b.f.Y.Log && lo <= 0 {
		lo = p.Y.Min
	}
	ylo, yhi := trY(clamp(lo)), trY(clamp(hi))
	st := draw.LineStyle{Color: color.Black, Width: vg.Points(0.8)}
	c.StrokeLine2(st, x, ylo, x, yhi)
	c.StrokeLine2(st, x-cap, ylo, x+cap, ylo)
	c.StrokeLine2(st, x-cap, yhi, x+cap, yhi)
	return max(top, yhi)
}

type barThumb struct {
	c interface{ RGBA() (r, g, b, a uint32) }
}

func (t barThumb) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(t.c, pts)
}
