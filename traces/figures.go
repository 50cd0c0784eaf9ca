package traces

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/wisefuse/wisefuse/internal/atomicfile"
)

// The project's shared figures package had not landed when this was written; these figures use
// gonum/plot directly in the same spirit (titles, units, log scales where data spans decades) and
// can move onto it later.

var (
	traceColor     = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	publishedColor = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	markColor      = color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
)

// WriteFigures renders the four characterization figures into dir, each as PNG and SVG:
// popularity (CDF of invocations over DAGs ranked by popularity, top 5% marked), structure
// (width, depth and node-count CDFs against the published ones), latency_data and latency_skew
// (E2E latency CDFs split at 1 MB of intermediate data and at skew 100).
func (c *Characterization) WriteFigures(dir string, ref Published) error {
	pop, err := c.popularityPlot()
	if err != nil {
		return err
	}
	if err := savePlots(dir, "popularity", [][]*plot.Plot{{pop}}, 6*vg.Inch, 4*vg.Inch); err != nil {
		return err
	}
	var row []*plot.Plot
	for _, m := range []struct {
		name string
		ref  CDF
	}{{"width", ref.Width}, {"depth", ref.Depth}, {"nodes", ref.Nodes}} {
		p, err := structurePlot(m.name, c.Structure(m.name), m.ref)
		if err != nil {
			return err
		}
		row = append(row, p)
	}
	if err := savePlots(dir, "structure", [][]*plot.Plot{row}, 13*vg.Inch, 4*vg.Inch); err != nil {
		return err
	}
	for _, f := range []struct {
		name, title string
		groups      [2]int
	}{{"latency_data", "E2E latency by intermediate data size", [2]int{smallData, largeData}},
		{"latency_skew", "E2E latency by skew (slowest / fastest sibling)", [2]int{lowSkew, highSkew}}} {
		p, err := c.latencyPlot(f.title, f.groups)
		if err != nil {
			return err
		}
		if err := savePlots(dir, f.name, [][]*plot.Plot{{p}}, 6*vg.Inch, 4*vg.Inch); err != nil {
			return err
		}
	}
	return nil
}

func (c *Characterization) popularityPlot() (*plot.Plot, error) {
	pop := c.Popularity()
	n := len(pop)
	// At most ~500 points: every rank up to 100, then log-spaced ranks.
	var xys plotter.XYs
	var cum int64
	next := 1.0
	for i, d := range pop {
		cum += d.Count
		if r := float64(i + 1); r >= next || i == n-1 {
			xys = append(xys, plotter.XY{X: 100 * r / float64(n), Y: float64(cum) / float64(c.Invocations)})
			next = math.Max(r+1, r*1.01)
		}
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("DAG popularity (%d DAGs, %d invocations)", n, c.Invocations)
	p.X.Label.Text = "most popular DAGs (% of DAGs, log scale)"
	p.Y.Label.Text = "fraction of DAG invocations"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = 0, 1
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	l.Color = traceColor
	l.Width = vg.Points(1.5)
	p.Add(l)
	share, _ := c.TopShare(0.05)
	mark, err := plotter.NewLine(plotter.XYs{{X: 5, Y: 0}, {X: 5, Y: share}, {X: xys[0].X, Y: share}})
	if err != nil {
		return nil, err
	}
	mark.Color = markColor
	mark.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(mark)
	p.Legend.Add("trace", l)
	p.Legend.Add(fmt.Sprintf("top 5%% of DAGs: %.1f%% of invocations (Azure: 95%%)", 100*share), mark)
	p.Legend.Left, p.Legend.Top = false, false
	return p, nil
}

func structurePlot(name string, trace, ref CDF) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s (KS %.4f)", name, KSDistance(trace, ref))
	p.X.Label.Text = name + " (log scale)"
	p.Y.Label.Text = "fraction of DAG invocations"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = 0, 1
	for _, s := range []struct {
		label string
		cdf   CDF
		col   color.Color
		dash  []vg.Length
	}{{"published (Azure 2021)", ref, publishedColor, []vg.Length{vg.Points(5), vg.Points(3)}}, {"trace", trace, traceColor, nil}} {
		l, err := plotter.NewLine(stepXYs(s.cdf))
		if err != nil {
			return nil, err
		}
		l.Color, l.Dashes, l.Width = s.col, s.dash, vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(s.label, l)
	}
	p.Legend.Left, p.Legend.Top = false, false
	return p, nil
}

// stepXYs draws a step CDF over values >= 1 (a log axis) as a staircase.
func stepXYs(c CDF) plotter.XYs {
	var xys plotter.XYs
	prev := 0.0
	for i, x := range c.Values {
		x = math.Max(x, 1)
		xys = append(xys, plotter.XY{X: x, Y: prev}, plotter.XY{X: x, Y: c.Cum[i]})
		prev = c.Cum[i]
	}
	return xys
}

func (c *Characterization) latencyPlot(title string, groups [2]int) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "end-to-end latency (s, log scale)"
	p.Y.Label.Text = "CDF"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = 0, 1
	meds := [2]float64{}
	for k, g := range groups {
		s := c.latency[g]
		if s.n == 0 {
			continue
		}
		var xys plotter.XYs
		for _, q := range latencyQuantiles() {
			xys = append(xys, plotter.XY{X: math.Max(s.quantile(q), sketchMin), Y: q})
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = []color.Color{traceColor, publishedColor}[k], vg.Points(1.5)
		meds[k] = s.quantile(0.5)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s (%d, median %.3g s)", groupNames[g], s.n, meds[k]), l)
	}
	if meds[0] > 0 && meds[1] > 0 {
		p.Title.Text += fmt.Sprintf(": median x%.1f", meds[1]/meds[0])
	}
	p.Legend.Left, p.Legend.Top = false, false
	return p, nil
}

// savePlots draws a grid of plots into dir/name.png and dir/name.svg, atomically.
func savePlots(dir, name string, grid [][]*plot.Plot, w, h vg.Length) error {
	for _, ext := range []string{"png", "svg"} {
		var canvas vg.CanvasSizer
		var writeTo func(io.Writer) error
		switch ext {
		case "png":
			img := vgimg.New(w, h)
			canvas = img
			writeTo = func(out io.Writer) error { _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(out); return err }
		case "svg":
			svg := vgsvg.New(w, h)
			canvas = svg
			writeTo = func(out io.Writer) error { _, err := svg.WriteTo(out); return err }
		}
		dc := draw.New(canvas)
		tiles := draw.Tiles{Rows: len(grid), Cols: len(grid[0]), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
			PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
		cells := plot.Align(grid, tiles, dc)
		for i := range grid {
			for j, p := range grid[i] {
				p.Draw(cells[i][j])
			}
		}
		if err := atomicfile.Write(filepath.Join(dir, name+"."+ext), writeTo); err != nil {
			return err
		}
	}
	return nil
}
