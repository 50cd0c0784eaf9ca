package traces

import (
	"fmt"
	"math"
	"path/filepath"

	"github.com/wisefuse/wisefuse/figures"
)

// FigureData is what the characterization figures show. Characterization.FigureData fills it from
// a characterization, and the characterization experiment from the table it keeps; Draw is the one
// place the figures are drawn.
type FigureData struct {
	// DAGs and Invocations, when DAGs > 0, are given in the popularity figure's title.
	DAGs        int
	Invocations int64
	// Popularity is the cumulative share of invocations (Y) over the most popular DAGs (X, % of
	// DAGs), as PopularityCurve returns it; TopShare is the top 5% DAGs' share.
	Popularity figures.XY
	TopShare   float64
	// Structure holds the width, depth and nodes figures.
	Structure []StructureFigure
	// Latency holds the latency figures by intermediate data and by skew.
	Latency []LatencyFigure
}

// StructureFigure is one structure metric: the trace's step CDF beside the published one.
type StructureFigure struct {
	Metric string  // width, depth or nodes
	KS     float64 // Kolmogorov-Smirnov distance between the trace and the published CDF
	Names  []string
	CDFs   []CDF // one per name; an empty CDF is left out
}

// LatencyFigure is one split of E2E latency: by intermediate data (Split "data") or skew ("skew").
type LatencyFigure struct {
	Split string
	// Ratio is the median latency of the second group over the first's, shown in the title when
	// it is positive and finite.
	Ratio float64
	// Series are the groups' latency CDFs (X seconds, Y quantile); Draw keeps quantiles up to 0.99.
	Series []figures.XY
}

// structureLabels are the X axis labels of the structure figures.
var structureLabels = map[string]string{
	"width": "Width (parallel invocations in a stage)",
	"depth": "Depth (stages in series)",
	"nodes": "Nodes (function invocations)",
}

// latencySplits are the titles and the Azure median ratios (POMACS 2022, Section 2) of the latency
// figures.
var latencySplits = map[string]struct {
	title string
	paper float64
}{
	"data": {"E2E latency by intermediate data", 9.5},
	"skew": {"E2E latency by skew", 17},
}

// Draw renders the figures, each as PNG and SVG in the project's figure style (package figures),
// at path(name) for name popularity, width, depth, nodes, width_ccdf, depth_ccdf, nodes_ccdf,
// latency_data and latency_skew: the share of invocations made by the most popular DAGs (top 5%
// marked), the trace's structure CDFs against the published ones and their CCDFs on log-log axes
// (which show the tail a CDF flattens into its top percent), and E2E latency CDFs split at 1 MB of
// intermediate data and at skew 100. A latency figure without any series is not drawn.
func (d FigureData) Draw(path func(name string) string) error {
	noMarkers := false
	title := "DAG popularity"
	if d.DAGs > 0 {
		title += fmt.Sprintf(" (%d DAGs, %d invocations)", d.DAGs, d.Invocations)
	}
	pop := d.Popularity
	pop.Name = fmt.Sprintf("trace (top 5%%: %.1f%%)", 100*d.TopShare)
	if err := (figures.Lines{
		Title:   title,
		X:       figures.Axis{Label: "Most popular DAGs (% of DAGs)", Log: true},
		Y:       figures.Axis{Label: "Fraction of DAG invocations", Min: 0, Max: 1},
		Series:  []figures.XY{pop},
		Markers: &noMarkers,
		Refs:    []figures.Ref{{Label: "Azure: top 5% = 95%", Value: 0.95}},
	}).Write(path("popularity")); err != nil {
		return err
	}

	for _, m := range d.Structure {
		var series []figures.XY
		for i, c := range m.CDFs {
			if len(c.Values) > 0 {
				series = append(series, staircase(m.Names[i], c))
			}
		}
		if err := (figures.Lines{
			Title:   fmt.Sprintf("DAG %s (KS distance %.4f)", m.Metric, m.KS),
			X:       figures.Axis{Label: structureLabels[m.Metric], Log: true},
			Y:       figures.Axis{Label: "CDF of DAG invocations", Min: 0, Max: 1},
			Series:  series,
			Markers: &noMarkers,
		}).Write(path(m.Metric)); err != nil {
			return err
		}
		// The CDF's top percent is a flat line at 1; the CCDF on log-log axes shows the tail.
		series = series[:0]
		for i, c := range m.CDFs {
			if len(c.Values) > 0 {
				series = append(series, ccdfStaircase(m.Names[i], c))
			}
		}
		if err := (figures.Lines{
			Title:   fmt.Sprintf("DAG %s: the tail (CCDF)", m.Metric),
			X:       figures.Axis{Label: structureLabels[m.Metric], Log: true},
			Y:       figures.Axis{Label: "Fraction of DAG invocations >= x", Log: true},
			Series:  series,
			Markers: &noMarkers,
		}).Write(path(m.Metric + "_ccdf")); err != nil {
			return err
		}
	}

	for _, f := range d.Latency {
		var series []figures.XY
		for _, s := range f.Series {
			// Up to P99: the last percent of a heavy tail (hours for the widest DAGs) would
			// squeeze the body of the distributions into a corner.
			kept := figures.XY{Name: s.Name}
			for i, q := range s.Y {
				if q <= 0.99 {
					kept.X, kept.Y = append(kept.X, s.X[i]), append(kept.Y, q)
				}
			}
			if len(kept.X) > 0 {
				series = append(series, kept)
			}
		}
		if len(series) == 0 {
			continue
		}
		split := latencySplits[f.Split]
		title := split.title
		if f.Ratio > 0 && !math.IsInf(f.Ratio, 1) {
			title += fmt.Sprintf(": median x%.1f (Azure x%g)", f.Ratio, split.paper)
		}
		if err := (figures.Lines{
			Title:   title,
			X:       figures.Axis{Label: "E2E latency (s), up to the 99th percentile", Log: true},
			Y:       figures.Axis{Label: "CDF", Min: 0, Max: 1},
			Series:  series,
			Markers: &noMarkers,
		}).Write(path("latency_" + f.Split)); err != nil {
			return err
		}
	}
	return nil
}

// PopularityCurve returns the cumulative share of invocations (ys) over the most popular DAGs (xs,
// % of DAGs) at every rank up to 100 and then at ranks about 1% apart (at most ~500 points).
func (c *Characterization) PopularityCurve() (xs, ys []float64) {
	pop := c.Popularity()
	var cum int64
	next := 1.0
	for i, d := range pop {
		cum += d.Count
		if r := float64(i + 1); r >= next || i == len(pop)-1 {
			xs = append(xs, 100*r/float64(len(pop)))
			ys = append(ys, float64(cum)/float64(c.Invocations))
			next = math.Max(r+1, r*1.01)
		}
	}
	return xs, ys
}

// FigureData returns the characterization's figures against ref.
func (c *Characterization) FigureData(ref Published) FigureData {
	d := FigureData{DAGs: len(c.perDAG), Invocations: c.Invocations}
	d.Popularity.X, d.Popularity.Y = c.PopularityCurve()
	d.TopShare, _ = c.TopShare(0.05)
	for _, m := range []struct {
		name string
		ref  CDF
	}{{"width", ref.Width}, {"depth", ref.Depth}, {"nodes", ref.Nodes}} {
		trace := c.Structure(m.name)
		d.Structure = append(d.Structure, StructureFigure{Metric: m.name, KS: KSDistance(trace, m.ref),
			Names: []string{"trace", "published (Azure 2021)"}, CDFs: []CDF{trace, m.ref}})
	}
	for _, f := range []struct {
		split  string
		groups [2]int
	}{{"data", [2]int{smallData, largeData}}, {"skew", [2]int{lowSkew, highSkew}}} {
		lf := LatencyFigure{Split: f.split}
		var meds [2]float64
		for k, g := range f.groups {
			s := c.latency[g]
			if s.n == 0 {
				continue
			}
			meds[k] = s.quantile(0.5)
			xy := figures.XY{Name: fmt.Sprintf("%s (%d, median %.3g s)", groupNames[g], s.n, meds[k])}
			for _, q := range latencyQuantiles() {
				xy.X, xy.Y = append(xy.X, s.quantile(q)), append(xy.Y, q)
			}
			lf.Series = append(lf.Series, xy)
		}
		if meds[0] > 0 && meds[1] > 0 {
			lf.Ratio = meds[1] / meds[0]
		}
		d.Latency = append(d.Latency, lf)
	}
	return d
}

// WriteFigures renders the characterization figures against ref into dir (see FigureData.Draw):
// popularity, width, depth, nodes, their _ccdf figures, latency_data and latency_skew, each as PNG
// and SVG.
func (c *Characterization) WriteFigures(dir string, ref Published) error {
	if c.Invocations == 0 {
		return fmt.Errorf("traces: characterization of an empty trace has no figures")
	}
	return c.FigureData(ref).Draw(func(name string) string { return filepath.Join(dir, name) })
}

// ccdfStaircase draws the complementary CDF of a step CDF, the fraction of observations >= x
// (never 0 at an observed value, so a log axis shows the largest): at each value it drops from
// the fraction at or above it to the fraction above it.
func ccdfStaircase(name string, c CDF) figures.XY {
	xy := figures.XY{Name: name}
	prev := 0.0
	for i, x := range c.Values {
		xy.X = append(xy.X, x, x)
		xy.Y = append(xy.Y, 1-prev, 1-c.Cum[i])
		prev = c.Cum[i]
	}
	return xy
}

// staircase draws a step CDF as a line: up at each value from the previous fraction.
func staircase(name string, c CDF) figures.XY {
	xy := figures.XY{Name: name}
	prev := 0.0
	for i, x := range c.Values {
		xy.X = append(xy.X, x, x)
		xy.Y = append(xy.Y, prev, c.Cum[i])
		prev = c.Cum[i]
	}
	return xy
}
