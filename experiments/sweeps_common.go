package experiments

import (
	"fmt"
	"math"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/figures"
	"github.com/wisefuse/wisefuse/tables"
)

// sweepRow is a row of both sweeps: one per (sweep point, policy). Its first column, the swept
// parameter, is named (and typed) by the sweep: sweep.column.
type sweepRow struct {
	X        float64 `col:"x"`
	Policy   string  `col:"policy"`
	P50      float64 `col:"p50_s"`
	P95      float64 `col:"p95_s"`
	MeanCost float64 `col:"mean_cost_usd"`
	SLO      float64 `col:"slo_s,nullzero"` // WiseFuse's latency target; null for the baselines
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
		Name: s.name, Title: s.title, Description: s.description, Schema: s.schema(),
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

// runSweepPoint plans and measures every policy on w and returns its rows.
func runSweepPoint(x float64, w *dag.Workflow, seed uint64, quick bool) ([]Row, error) {
	outs, err := comparePolicies(w, seed, quick, isolatedRuns(w, sweepRuns(quick), seed))
	if err != nil {
		return nil, err
	}
	var rows []Row
	for _, o := range outs {
		rows = append(rows, rowOf(sweepRow{X: x, Policy: o.Policy, P50: o.Summary.P50S, P95: o.Summary.P95S,
			MeanCost: o.Summary.MeanCost, SLO: o.SLO}))
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
			keep := t.Where("policy", p)
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

// sweepValue returns column col of policy's row at sweep point x (NaN when absent).
func sweepValue(t *Table, policy string, x float64, col string) float64 {
	xc, pc, c := 0, t.Col("policy"), t.Col(col)
	for _, r := range t.Rows {
		if num(r[xc]) == x && r[pc].(string) == policy {
			return num(r[c])
		}
	}
	return math.NaN()
}

// sweepHeadlines compares WiseFuse with User-Max (cost) and User-Min (P95) at the sweep's two
// ends; the paper has no sweep, so there is no paper number.
func sweepHeadlines(t *Table, what string, format func(float64) string) []Headline {
	xs := t.Floats(t.Schema[0].Name, t.Where("policy", "wisefuse"))
	if len(xs) == 0 {
		return nil
	}
	var hs []Headline
	for _, x := range []float64{xs[0], xs[len(xs)-1]} {
		cost := 1 - sweepValue(t, "wisefuse", x, "mean_cost_usd")/sweepValue(t, "user-max", x, "mean_cost_usd")
		p95 := 1 - sweepValue(t, "wisefuse", x, "p95_s")/sweepValue(t, "user-min", x, "p95_s")
		hs = append(hs, Headline{
			Claim: fmt.Sprintf("WiseFuse vs User-Max cost / User-Min P95, %s %s", what, format(x)),
			Paper: "no sweep in the paper (63% / 61% for video)",
			Ours:  fmt.Sprintf("%s cost, %s P95", lowerOrHigher(cost), lowerOrHigher(p95)),
			Note:  targetNote(sweepValue(t, "wisefuse", x, "p95_s"), sweepValue(t, "wisefuse", x, "slo_s")),
			Means: sweepMeans(cost, p95),
		})
	}
	return hs
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
