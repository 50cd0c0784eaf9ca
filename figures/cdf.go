package figures

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// CDF is a figure of the empirical cumulative distribution of one or more named samples, e.g.
// the E2E latency of many runs under each policy.
type CDF struct {
	Title  string
	X      Axis   // the measured quantity and its unit; set Log when it spans decades
	YLabel string // default "CDF"
	Series []Sample
	// Points is how many quantiles each curve is reduced to (default 300): a million runs
	// become a few hundred vertices and the figure stays small. Samples with at most Points
	// values are drawn exactly, as a staircase.
	Points int
	Refs   []Ref // vertical lines, e.g. a latency target
}

// Sample is one named set of observations.
type Sample struct {
	Name   string
	Values []float64
	// Look, when set, draws the series in that look instead of the one its position gives, so
	// that related series can share a colour and differ by line (e.g. measured and simulated
	// latency at one memory size).
	Look *Look
}

// Look is a series' colour, as an index into the palette that series positions also use, and
// whether its line is dashed.
type Look struct {
	Color  int
	Dashed bool
}

func (l Look) line() draw.LineStyle {
	sty := seriesLine(l.Color)
	sty.Dashes = nil
	if l.Dashed {
		sty.Dashes = seriesDashes(1)
	}
	return sty
}

// Write renders the figure to path.png and path.svg (path has no extension).
func (f CDF) Write(path string) error {
	p, leg, err := f.plot()
	if err != nil {
		return err
	}
	return save(p, leg, path)
}

func (f CDF) plot() (*plot.Plot, *legend, error) {
	if len(f.Series) == 0 {
		return nil, nil, fmt.Errorf("figures: %q: no series", f.Title)
	}
	ylabel := f.YLabel
	if ylabel == "" {
		ylabel = "CDF"
	}
	p, _ := newPlot(f.Title, f.X, Axis{Label: ylabel})
	points := f.Points
	if points <= 1 {
		points = 300
	}
	xs := newSpan()
	curves := make([]plotter.XYs, len(f.Series))
	for i, s := range f.Series {
		if len(s.Values) == 0 {
			return nil, nil, fmt.Errorf("figures: %q: series %q has no values", f.Title, s.Name)
		}
		if err := checkFinite(f.Title, s.Name, "Values", s.Values); err != nil {
			return nil, nil, err
		}
		curves[i] = cdfPoints(s.Values, points, f.X.Log)
		for _, pt := range curves[i] {
			xs.add(pt.X)
		}
	}
	for _, r := range f.Refs {
		if !math.IsNaN(r.Value) && (!f.X.Log || r.Value > 0) {
			xs.add(r.Value)
		}
	}
	if err := setRange(&p.X, f.X, xs.lo, xs.hi); err != nil {
		return nil, nil, fmt.Errorf("figures: %q: %w", f.Title, err)
	}
	p.Y.Min, p.Y.Max = 0, 1
	var yticks []plot.Tick
	for k := 0; k <= 10; k++ {
		t := plot.Tick{Value: float64(k) / 10}
		if k%2 == 0 {
			t.Label = formatTick(t.Value)
		}
		yticks = append(yticks, t)
	}
	p.Y.Tick.Marker = plot.ConstantTicks(yticks)
	if err := addRefs(p, f.Title, f.Refs, true, nil); err != nil {
		return nil, nil, err
	}
	leg := &legend{}
	for i, c := range curves {
		sty := seriesLine(i)
		if l := f.Series[i].Look; l != nil {
			sty = l.line()
		}
		if err := addLine(p, leg, c, i, sty, f.Series[i].Name, false); err != nil {
			return nil, nil, fmt.Errorf("figures: %q: series %q: %w", f.Title, f.Series[i].Name, err)
		}
	}
	return p, leg, nil
}

// cdfPoints reduces values to at most about n points of their empirical CDF. With at most n
// values it returns the exact staircase; otherwise the values at n evenly spaced cumulative
// fractions (the empirical quantiles by nearest rank; stats.Percentile interpolates instead).
// On a log axis the points at x <= 0 are dropped after the fractions are computed, so they
// still count.
func cdfPoints(values []float64, n int, logX bool) plotter.XYs {
	v := slices.Clone(values)
	slices.Sort(v)
	var out plotter.XYs
	add := func(x, y float64) {
		if logX && x <= 0 {
			return
		}
		out = append(out, plotter.XY{X: x, Y: y})
	}
	m := len(v)
	if m <= n {
		for i, x := range v {
			add(x, float64(i)/float64(m))
			add(x, float64(i+1)/float64(m))
		}
		return out
	}
	for k := 0; k <= n; k++ {
		q := float64(k) / float64(n)
		i := int(math.Ceil(q*float64(m))) - 1 // nearest rank: the smallest x with F(x) >= q
		if i < 0 {
			i = 0
		}
		add(v[i], q)
	}
	return out
}
