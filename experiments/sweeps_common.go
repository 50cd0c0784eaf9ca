package experiments

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/figures"
	"github.com/wisefuse/wisefuse/tables"
)

// sweepRow is a row of both sweeps: one per (sweep point, policy, WiseFuse's profiling draw: a
// baseline's row, written once with draw 0, stands for every draw, as in vs-baselines). Its first
// column, the swept parameter, is named (and typed) by the sweep: sweep.column.
type sweepRow struct {
	X        float64 `col:"x"`
	Policy   string  `col:"policy"`
	P50      float64 `col:"p50_s"`
	P95      float64 `col:"p95_s"`
	MeanCost float64 `col:"mean_cost_usd"`
	SLO      float64 `col:"slo_s,nullzero"` // WiseFuse's latency target; null for the baselines
	Draw     int     `col:"draw"`
}

// schema is sweepRow's schema with the parameter's column as s names it.
func (s sweep) schema() tables.Schema {
	schema := slices.Clone(schemaOf[sweepRow]())
	schema[0] = s.column
	return schema
}

// sweep is one sweep experiment: a workflow family over one parameter, every policy at each point.
type sweep struct {
	name, title, description string
	param                    string    // the parameter's name in headlines, e.g. "skew"
	keyName                  string    // and in cell keys, which seed the cells: keep it stable
	points, quickPoints      []float64 // the parameter's values in full and quick mode
	workflow                 func(x float64) *dag.Workflow
	figureTitle              string
	axis                     figures.Axis         // the parameter's axis in the figures
	format                   func(float64) string // the parameter's value in headlines
	column                   tables.Column        // the parameter's column: "skew", "data_bytes"...
}

// register registers s as an experiment.
func (s sweep) register() {
	Register(&Experiment{
		Name: s.name, Title: s.title, Schema: s.schema(),
		Description: s.description + " WiseFuse plans from each of several independent profiling draws at the same target, as in " +
			"vs-baselines (3 in quick mode, 5 in full); figures show draw 0, headlines draw 0 and the range over the draws.",
		Cells: func(quick bool) []Cell {
			points := s.points
			if quick {
				points = s.quickPoints
			}
			return sweepCells(points, quick, func(x float64) string { return fmt.Sprintf("%s=%g", s.keyName, x) })
		},
		Run: func(c Cell, seed uint64) ([]Row, error) {
			p := c.Params.(sweepPoint)
			rows, err := runSweepPoint(p.X, s.workflow(p.X), seed, p.Quick)
			if s.column.Type == tables.Int64 {
				for _, r := range rows {
					r[0] = int64(p.X)
				}
			}
			return rows, err
		},
		Figure: func(t *Table, base string) error { return sweepFigures(t, base, s.figureTitle, s.axis) },
		Headlines: func(t *Table) []Headline {
			return sweepHeadlines(t, s.param, s.format)
		},
	})
}

// sweepCells makes one cell per sweep point; every cell plans and runs all policies, since
// WiseFuse's target depends on User-Max's result at the same point.
func sweepCells(points []float64, quick bool, label func(float64) string) []Cell {
	cells := make([]Cell, len(points))
	for i, x := range points {
		cells[i] = Cell{Key: label(x), Params: sweepPoint{x, quick}}
	}
	return cells
}

// sweepPoint is a sweep cell's parameters: Run sees no mode, so the cell carries it.
type sweepPoint struct {
	X     float64
	Quick bool
}

// runSweepPoint plans and measures every policy on w, and WiseFuse again from each further
// profiling draw (profileDraws) at the same target, and returns their rows.
func runSweepPoint(x float64, w *dag.Workflow, seed uint64, quick bool) ([]Row, error) {
	simulate := isolatedRuns(w, sweepRuns(quick), seed)
	outs, err := comparePolicies(w, seed, quick, simulate)
	if err != nil {
		return nil, err
	}
	var rows []Row
	add := func(o policyOutcome, draw int) {
		rows = append(rows, rowOf(sweepRow{X: x, Policy: o.Policy, P50: o.Summary.P50S, P95: o.Summary.P95S,
			MeanCost: o.Summary.MeanCost, SLO: o.SLO, Draw: draw}))
	}
	for _, o := range outs {
		add(o, defaultDraw)
	}
	i := slices.IndexFunc(outs, func(o policyOutcome) bool { return o.Policy == "wisefuse" })
	for k := 1; k < profileDraws(quick); k++ {
		o, err := measurePolicy(fmt.Sprintf("wisefuse, draw %d", k), "wisefuse", w, drawSeed(seed, k), quick, outs[i].SLO, simulate)
		if err != nil {
			return nil, err
		}
		add(o, k)
	}
	return rows, nil
}

// sweepFigures draws P95 and cost against the swept parameter, one line per policy.
func sweepFigures(t *Table, base, title string, x figures.Axis) error {
	for _, f := range []struct {
		suffix, col string
		y           figures.Axis
	}{
		{"-p95", "p95_s", figures.Axis{Label: "P95 E2E latency (s)", Log: true}},
		{"-cost", "mean_cost_usd", figures.Axis{Label: "Cost per run (USD)", Log: true}},
	} {
		var series []figures.XY
		for _, p := range t.Strings("policy") {
			of, dc := t.Where("policy", p), t.Col("draw")
			keep := func(r Row) bool { return of(r) && r[dc].(int64) == defaultDraw }
			series = append(series, figures.XY{Name: p, X: t.Floats(t.Schema[0].Name, keep), Y: t.Floats(f.col, keep)})
		}
		what := "P95 latency"
		if f.col == "mean_cost_usd" {
			what = "cost"
		}
		if err := (figures.Lines{Title: fmt.Sprintf("%s: %s per policy", title, what), X: x, Y: f.y, Series: series}).Write(base + f.suffix); err != nil {
			return err
		}
	}
	return nil
}

// sweepValue returns column col of policy's row at sweep point x and profiling draw (a
// baseline's, written with the default draw, at every draw), NaN when absent.
func sweepValue(t *Table, policy string, x float64, col string, draw int) float64 {
	xc, pc, dc, c := 0, t.Col("policy"), t.Col("draw"), t.Col(col)
	for _, r := range t.Rows {
		if num(r[xc]) == x && r[pc].(string) == policy && (policy != "wisefuse" || int(r[dc].(int64)) == draw) {
			return num(r[c])
		}
	}
	return math.NaN()
}

// sweepHeadlines compares WiseFuse with User-Max (cost) and User-Min (P95) at the sweep's two
// ends, at the default profiling draw and over the draws; the paper has no sweep, so there is no
// paper number. A sentence is stated only when every draw supports it.
func sweepHeadlines(t *Table, what string, format func(float64) string) []Headline {
	wf, dc := t.Where("policy", "wisefuse"), t.Col("draw")
	xs := t.Floats(t.Schema[0].Name, func(r Row) bool { return wf(r) && r[dc].(int64) == defaultDraw })
	if len(xs) == 0 {
		return nil
	}
	draws := drawsWhere(t, wf)
	var hs []Headline
	for _, x := range []float64{xs[0], xs[len(xs)-1]} {
		reductions := func(d int) (cost, p95 float64) {
			return 1 - sweepValue(t, "wisefuse", x, "mean_cost_usd", d)/sweepValue(t, "user-max", x, "mean_cost_usd", d),
				1 - sweepValue(t, "wisefuse", x, "p95_s", d)/sweepValue(t, "user-min", x, "p95_s", d)
		}
		cost, p95 := reductions(defaultDraw)
		h := Headline{
			Claim: fmt.Sprintf("WiseFuse vs User-Max cost / User-Min P95, %s %s", what, format(x)),
			Paper: "no sweep in the paper (63% / 61% for video)",
			Ours:  fmt.Sprintf("%s cost, %s P95", lowerOrHigher(cost), lowerOrHigher(p95)),
			Note:  targetNote(sweepValue(t, "wisefuse", x, "p95_s", defaultDraw), sweepValue(t, "wisefuse", x, "slo_s", defaultDraw)),
			Means: sweepMeans(cost, p95),
		}
		if len(draws) > 1 {
			var costs, p95s []float64
			met, agree := 0, 0
			for _, d := range draws {
				c, p := reductions(d)
				costs, p95s = append(costs, c), append(p95s, p)
				if sweepValue(t, "wisefuse", x, "p95_s", d) <= sweepValue(t, "wisefuse", x, "slo_s", d) {
					met++
				}
				if sweepMeans(c, p) == h.Means {
					agree++
				}
			}
			h.Ours += fmt.Sprintf(" (draw 0; over %d draws: cost %s, P95 %s)", len(draws), spanText(costs), spanText(p95s))
			h.Note += fmt.Sprintf(" at draw 0; met on %d of %d draws", met, len(draws))
			if agree < len(draws) {
				h.Means = fmt.Sprintf("Depends on WiseFuse's profiling draw: at draw 0, %s", strings.ToLower(h.Means[:1])+h.Means[1:])
			}
		}
		hs = append(hs, h)
	}
	return hs
}

// spanText is the span of reductions rs in words: "40% lower to 41% lower", or "93% lower on
// each" when they print alike.
func spanText(rs []float64) string {
	lo, hi := lowerOrHigher(slices.Min(rs)), lowerOrHigher(slices.Max(rs))
	if lo == hi {
		return lo + " on each"
	}
	return lo + " to " + hi
}

// sweepMeans says in a sentence what a sweep point's two reductions mean.
func sweepMeans(cost, p95 float64) string {
	switch {
	case cost > 0 && p95 > 0:
		return "WiseFuse is both cheaper than the fastest user choice and faster than the cheapest one here."
	case cost > 0:
		return "WiseFuse is cheaper than the fastest user choice but not faster than the cheapest one here."
	case p95 > 0:
		return "WiseFuse is faster than the cheapest user choice but costs more than the fastest one here."
	}
	return "WiseFuse beats neither user choice here."
}

// lowerOrHigher prints a relative reduction r (0.3 = 30% lower) in words.
func lowerOrHigher(r float64) string {
	if r < 0 {
		return fmt.Sprintf("%.0f%% higher", -100*r)
	}
	return fmt.Sprintf("%.0f%% lower", 100*r)
}

// targetNote says whether WiseFuse's measured P95 met its target, and by how much it missed.
func targetNote(p95, slo float64) string {
	if p95 <= slo {
		return fmt.Sprintf("WiseFuse met its %.2f s target (P95 %.2f s)", slo, p95)
	}
	return fmt.Sprintf("WiseFuse missed its %.2f s target by %.0f%% (P95 %.2f s): its model underestimates this plan", slo, 100*(p95/slo-1), p95)
}
