package figures

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Lines is a figure of y against x for one or more named series, e.g. P95 latency against
// bundle size per policy.
type Lines struct {
	Title  string
	X, Y   Axis
	Series []XY
	// Markers draws a glyph at every point. Unset, series with at most 25 points get them, so
	// that a sweep's measured points stand out from the lines joining them.
	Markers *bool
	Refs    []Ref // horizontal lines, e.g. a latency target or the paper's value
}

// XY is one named series of points; X and Y have the same length. Points are drawn in the
// order given (sort by X for a function of X).
type XY struct {
	Name string
	X, Y []float64
}

// Write renders the figure to path.png and path.svg (path has no extension).
func (f Lines) Write(path string) error {
	p, leg, err := f.plot()
	if err != nil {
		return err
	}
	return save(p, leg, path)
}

func (f Lines) plot() (*plot.Plot, *legend, error) {
	p, _ := newPlot(f.Title, f.X, f.Y)
	series, xs, ys, err := cleanXY(f.Title, f.Series, f.X.Log, f.Y.Log)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range f.Refs {
		if !f.Y.Log || r.Value > 0 {
			ys.add(r.Value)
		}
	}
	if err := setRange(&p.X, f.X, xs.lo, xs.hi); err != nil {
		return nil, nil, fmt.Errorf("figures: %q: %w", f.Title, err)
	}
	if err := setRange(&p.Y, f.Y, ys.lo, ys.hi); err != nil {
		return nil, nil, fmt.Errorf("figures: %q: %w", f.Title, err)
	}
	if err := addRefs(p, f.Title, f.Refs, false, series); err != nil {
		return nil, nil, err
	}
	leg := &legend{}
	for i, s := range series {
		markers := len(s) <= 25
		if f.Markers != nil {
			markers = *f.Markers
		}
		if err := addLine(p, leg, s, i, seriesLine(i), f.Series[i].Name, markers); err != nil {
			return nil, nil, fmt.Errorf("figures: %q: series %q: %w", f.Title, f.Series[i].Name, err)
		}
	}
	return p, leg, nil
}

// cleanXY checks the series (same lengths, finite values, at least one point) and drops the
// points a log axis cannot show. It returns the points to draw and their ranges.
func cleanXY(title string, in []XY, logX, logY bool) ([]plotter.XYs, span, span, error) {
	xs, ys := newSpan(), newSpan()
	if len(in) == 0 {
		return nil, xs, ys, fmt.Errorf("figures: %q: no series", title)
	}
	out := make([]plotter.XYs, len(in))
	for i, s := range in {
		if len(s.X) != len(s.Y) {
			return nil, xs, ys, fmt.Errorf("figures: %q: series %q: %d X values but %d Y values", title, s.Name, len(s.X), len(s.Y))
		}
		if len(s.X) == 0 {
			return nil, xs, ys, fmt.Errorf("figures: %q: series %q has no points", title, s.Name)
		}
		if err := checkFinite(title, s.Name, "X", s.X); err != nil {
			return nil, xs, ys, err
		}
		if err := checkFinite(title, s.Name, "Y", s.Y); err != nil {
			return nil, xs, ys, err
		}
		for j := range s.X {
			if (logX && s.X[j] <= 0) || (logY && s.Y[j] <= 0) {
				continue
			}
			out[i] = append(out[i], plotter.XY{X: s.X[j], Y: s.Y[j]})
			xs.add(s.X[j])
			ys.add(s.Y[j])
		}
	}
	return out, xs, ys, nil
}

// addLine draws series i's points as a line in sty (and glyphs) and gives it a legend entry. A
// series left empty by a log axis keeps its legend entry, so the reader sees it exists.
func addLine(p *plot.Plot, leg *legend, xys plotter.XYs, i int, sty draw.LineStyle, name string, markers bool) error {
	var thumbs []plot.Thumbnailer
	if len(xys) > 0 {
		l, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		l.LineStyle = sty
		p.Add(l)
		thumbs = append(thumbs, l)
	} else {
		thumbs = append(thumbs, lineThumb{sty})
	}
	if markers && len(xys) > 0 {
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: seriesColor(i), Shape: seriesGlyph(i), Radius: glyphRadius}
		p.Add(s)
		thumbs = append(thumbs, s)
	}
	leg.add(name, thumbs...)
	return nil
}

type lineThumb struct{ sty draw.LineStyle }

func (t lineThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(t.sty, c.Min.X, y, c.Max.X, y)
}

// addRefs draws reference lines across the data area (vertical ones at x values, else
// horizontal ones at y values), each labelled at an end of its line, clear of the lines in avoid
// where it can be.
func addRefs(p *plot.Plot, title string, refs []Ref, vertical bool, avoid []plotter.XYs) error {
	for _, r := range refs {
		if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) {
			return fmt.Errorf("figures: %q: reference %q = %v, want a finite number", title, r.Label, r.Value)
		}
		p.Add(refLine{ref: r, vertical: vertical, avoid: avoid})
	}
	return nil
}

type refLine struct {
	ref      Ref
	vertical bool
	avoid    []plotter.XYs // data lines the label should not sit on
}

// visible reports whether the line falls inside the axis range.
func (r refLine) visible(p *plot.Plot) bool {
	a := &p.Y
	if r.vertical {
		a = &p.X
	}
	return r.ref.Value >= a.Min && r.ref.Value <= a.Max && (!isLog(a) || r.ref.Value > 0)
}

// label returns the label's style, anchor and box on the data canvas c. A horizontal line's
// label goes above its right end, or else above its left end, below its right end or below its
// left end: the first of these that no line in avoid crosses (the first when all are crossed).
func (r refLine) label(c draw.Canvas, p *plot.Plot) (text.Style, vg.Point, vg.Rectangle) {
	txt := withAlign(textStyle(sans, tickSize-0.5), draw.XRight, draw.YBottom)
	txt.Color = refColor
	trX, trY := p.Transforms(&c)
	box := func(s text.Style, at vg.Point) vg.Rectangle {
		b := s.Rectangle(r.ref.Label)
		return vg.Rectangle{Min: b.Min.Add(at), Max: b.Max.Add(at)}
	}
	if r.vertical {
		txt.Rotation = math.Pi / 2
		at := vg.Point{X: trX(r.ref.Value) - vg.Points(2), Y: c.Max.Y - vg.Points(2)}
		return txt, at, box(txt, at)
	}
	y := trY(r.ref.Value)
	type place struct {
		x  draw.XAlignment
		y  draw.YAlignment
		at vg.Point
	}
	places := []place{
		{draw.XRight, draw.YBottom, vg.Point{X: c.Max.X - vg.Points(2), Y: y + vg.Points(1.5)}},
		{draw.XLeft, draw.YBottom, vg.Point{X: c.Min.X + vg.Points(2), Y: y + vg.Points(1.5)}},
		{draw.XRight, draw.YTop, vg.Point{X: c.Max.X - vg.Points(2), Y: y - vg.Points(1.5)}},
		{draw.XLeft, draw.YTop, vg.Point{X: c.Min.X + vg.Points(2), Y: y - vg.Points(1.5)}},
	}
	for _, pl := range places {
		s := withAlign(txt, pl.x, pl.y)
		b := box(s, pl.at)
		if b.Min.Y >= c.Min.Y && b.Max.Y <= c.Max.Y && !r.crosses(c, p, b) {
			return s, pl.at, b
		}
	}
	return txt, places[0].at, box(txt, places[0].at)
}

// crosses reports whether a line in r.avoid passes through the rectangle b (canvas units).
func (r refLine) crosses(c draw.Canvas, p *plot.Plot, b vg.Rectangle) bool {
	trX, trY := p.Transforms(&c)
	for _, xys := range r.avoid {
		for i := range xys {
			a := vg.Point{X: trX(xys[i].X), Y: trY(xys[i].Y)}
			if i == 0 {
				if inRect(a, b) {
					return true
				}
				continue
			}
			if segmentHitsRect(vg.Point{X: trX(xys[i-1].X), Y: trY(xys[i-1].Y)}, a, b) {
				return true
			}
		}
	}
	return false
}

func inRect(a vg.Point, b vg.Rectangle) bool {
	return a.X >= b.Min.X && a.X <= b.Max.X && a.Y >= b.Min.Y && a.Y <= b.Max.Y
}

// segmentHitsRect reports whether the segment from a to z meets the rectangle b
// (Liang-Barsky clipping).
func segmentHitsRect(a, z vg.Point, b vg.Rectangle) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := float64(z.X-a.X), float64(z.Y-a.Y)
	for _, e := range [4][2]float64{
		{-dx, float64(a.X - b.Min.X)}, {dx, float64(b.Max.X - a.X)},
		{-dy, float64(a.Y - b.Min.Y)}, {dy, float64(b.Max.Y - a.Y)},
	} {
		pp, q := e[0], e[1]
		if pp == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		t := q / pp
		if pp < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

func (r refLine) Plot(c draw.Canvas, p *plot.Plot) {
	if !r.visible(p) {
		return
	}
	sty := draw.LineStyle{Color: refColor, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(2)}}
	trX, trY := p.Transforms(&c)
	if r.vertical {
		x := trX(r.ref.Value)
		c.StrokeLine2(sty, x, c.Min.Y, x, c.Max.Y)
	} else {
		y := trY(r.ref.Value)
		c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
	}
	if r.ref.Label != "" {
		txt, at, _ := r.label(c, p)
		c.FillText(txt, at, r.ref.Label)
	}
}

func isLog(a *plot.Axis) bool {
	_, ok := a.Scale.(plot.LogScale)
	return ok
}
