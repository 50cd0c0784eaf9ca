package traces

import (
	"fmt"
	"math"
	"path/filepath"

	"github.com/wisefuse/wisefuse/figures"
)

// WriteFigures renders the characterization figures into dir, each as PNG and SVG in the
// project's figure style (package figures): popularity (the share of invocations made by the most
// popular DAGs, top 5% marked), width, depth and nodes (the trace's CDF against the published
// one), latency_data and latency_skew (E2E latency CDFs split at 1 MB of intermediate data and at
// skew 100).
func (c *Characterization) WriteFigures(dir string, ref Published) error {
	noMarkers := false
	if c.Invocations == 0 {
		return fmt.Errorf("traces: characterization of an empty trace has no figures")
	}

	// Popularity: every rank up to 100, then ranks about 1% apart (at most ~500 points).
	pop := c.Popularity()
	var xs, ys []float64
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
	share, _ := c.TopShare(0.05)
	if err := (figures.Lines{
		Title:   fmt.Sprintf("DAG popularity (%d DAGs, %d invocations)", len(pop), c.Invocations),
		X:       figures.Axis{Label: "Most popular DAGs (% of DAGs)", Log: true},
		Y:       figures.Axis{Label: "Fraction of DAG invocations", Min: 0, Max: 1},
		Series:  []figures.XY{{Name: fmt.Sprintf("trace (top 5%%: %.1f%%)", 100*share), X: xs, Y: ys}},
		Markers: &noMarkers,
		Refs:    []figures.Ref{{Label: "Azure: top 5% = 95%", Value: 0.95}},
	}).Write(filepath.Join(dir, "popularity")); err != nil {
		return err
	}

	for _, m := range []struct {
		name, label string
		ref         CDF
	}{
		{"width", "Width (parallel invocations in a stage)", ref.Width},
		{"depth", "Depth (stages in series)", ref.Depth},
		{"nodes", "Nodes (function invocations)", ref.Nodes},
	} {
		trace := c.Structure(m.name)
		if err := (figures.Lines{
			Title:   fmt.Sprintf("DAG %s (KS distance %.4f)", m.name, KSDistance(trace, m.ref)),
			X:       figures.Axis{Label: m.label, Log: true},
			Y:       figures.Axis{Label: "CDF of DAG invocations", Min: 0, Max: 1},
			Series:  []figures.XY{staircase("trace", trace), staircase("published (Azure 2021)", m.ref)},
			Markers: &noMarkers,
		}).Write(filepath.Join(dir, m.name)); err != nil {
			return err
		}
	}

	for _, f := range []struct {
		name, title string
		groups      [2]int
		paper       float64
	}{
		{"latency_data", "E2E latency by intermediate data", [2]int{smallData, largeData}, 9.5},
		{"latency_skew", "E2E latency by skew", [2]int{lowSkew, highSkew}, 17},
	} {
		var series []figures.XY
		var meds [2]float64
		for k, g := range f.groups {
			s := c.latency[g]
			if s.n == 0 {
				continue
			}
			meds[k] = s.quantile(0.5)
			xy := figures.XY{Name: fmt.Sprintf("%s (%d, median %.3g s)", groupNames[g], s.n, meds[k])}
			// Up to P99: the last percent of a heavy tail would squeeze the body into a corner.
			for _, q := range latencyQuantiles() {
				if q <= 0.99 {
					xy.X, xy.Y = append(xy.X, s.quantile(q)), append(xy.Y, q)
				}
			}
			series = append(series, xy)
		}
		title := f.title
		if meds[0] > 0 && meds[1] > 0 {
			title += fmt.Sprintf(": median x%.1f (Azure x%g)", meds[1]/meds[0], f.paper)
		}
		if len(series) == 0 {
			continue
		}
		if err := (figures.Lines{
			Title:   title,
			X:       figures.Axis{Label: "E2E latency (s), up to the 99th percentile", Log: true},
			Y:       figures.Axis{Label: "CDF", Min: 0, Max: 1},
			Series:  series,
			Markers: &noMarkers,
		}).Write(filepath.Join(dir, f.name)); err != nil {
			return err
		}
	}
	return nil
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
