package figures

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Scatter is a figure of unconnected points for one or more named series, e.g. predicted
// against simulated P95 latency per app and plan.
type Scatter struct {
	Title  string
	X, Y   Axis
	Series []XY
	// Diagonal draws the line y = x across the figure: points on it are exact predictions.
	// Both axes then share one range (and should share a unit).
	Diagonal bool
}

// Write renders the figure to path.png and path.svg (path has no extension).
func (f Scatter) Write(path string) error {
	p, leg, err := f.plot()
	if err != nil {
		return err
	}
	return save(p, leg, path)
}

func (f Scatter) plot() (*plot.Plot, *legend, error) {
	p, _ := newPlot(f.Title, f.X, f.Y)
	series, xs, ys, err := cleanXY(f.Title, f.Series, f.X.Log, f.Y.Log)
	if err != nil {
		return nil, nil, err
	}
	if f.Diagonal {
		if f.X.Log != f.Y.Log {
			return nil, nil, fmt.Errorf("figures: %q: a diagonal needs both axes linear or both log", f.Title)
		}
		lo, hi := math.Min(xs.lo, ys.lo), math.Max(xs.hi, ys.hi)
		xs, ys = span{lo, hi}, span{lo, hi}
	}
	if err := setRange(&p.X, f.X, xs.lo, xs.hi); err != nil {
		return nil, nil, fmt.Errorf("figures: %q: %w", f.Title, err)
	}
	if err := setRange(&p.Y, f.Y, ys.lo, ys.hi); err != nil {
		return nil, nil, fmt.Errorf("figures: %q: %w", f.Title, err)
	}
	if f.Diagonal {
		p.Add(diagonal{})
	}
	leg := &legend{}
	for i, s := range series {
		name := f.Series[i].Name
		if len(s) == 0 {
			leg.add(name, glyphThumb{i})
			continue
		}
		sc, err := plotter.NewScatter(s)
		if err != nil {
			return nil, nil, fmt.Errorf("figures: %q: series %q: %w", f.Title, name, err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: seriesColor(i), Shape: seriesGlyph(i), Radius: glyphRadius}
		p.Add(sc)
		leg.add(name, sc)
	}
	return p, leg, nil
}

// diagonal draws y = x across the data area.
type diagonal struct{}

func (diagonal) Plot(c draw.Canvas, p *plot.Plot) {
	lo, hi := math.Max(p.X.Min, p.Y.Min), math.Min(p.X.Max, p.Y.Max)
	if lo >= hi {
		return
	}
	trX, trY := p.Transforms(&c)
	sty := draw.LineStyle{Color: refColor, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(2)}}
	// On log axes y = x is straight too; a few segments keep it exact under any scale.
	var line []vg.Point
	for k := 0; k <= 32; k++ {
		v := lo + (hi-lo)*float64(k)/32
		if isLog(&p.X) {
			v = lo * math.Pow(hi/lo, float64(k)/32)
		}
		line = append(line, vg.Point{X: trX(v), Y: trY(v)})
	}
	c.StrokeLines(sty, line)
}

type glyphThumb struct{ i int }

func (t glyphThumb) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(draw.GlyphStyle{Color: seriesColor(t.i), Shape: seriesGlyph(t.i), Radius: glyphRadius}, c.Center())
}
