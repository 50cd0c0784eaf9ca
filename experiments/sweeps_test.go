package experiments

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSweepSkewQuickEndToEnd runs the quick skew sweep through the runner into a temporary
// folder and checks what the sweep exists to show: the straggler sets P95, so every policy's P95
// grows with skew; User-Min (smallest VMs) is the slowest; WiseFuse is cheaper than User-Max.
func TestSweepSkewQuickEndToEnd(t *testing.T) {
	out := t.TempDir()
	if err := Run(Config{Out: out, Only: []string{"sweep-skew"}, Quick: true, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	e, _ := Lookup("sweep-skew")
	rows, err := readTable(filepath.Join(out, "sweep-skew", "sweep-skew.parquet"), e.Schema)
	if err != nil {
		t.Fatal(err)
	}
	tab := &Table{Schema: e.Schema, Rows: rows}
	points := tab.Floats("skew", tab.Where("policy", "user-max"))
	draws := profileDraws(true)
	if len(rows) != len(points)*(len(comparedPolicies)+draws-1) || len(points) < 2 {
		t.Fatalf("%d rows over %d skews, want one per (skew, policy) and one more per further profiling draw", len(rows), len(points))
	}
	for _, p := range comparedPolicies {
		first, last := sweepValue(tab, p, points[0], "p95_s", defaultDraw), sweepValue(tab, p, points[len(points)-1], "p95_s", defaultDraw)
		if !(last > 5*first) {
			t.Errorf("%s: P95 %.2f s at skew %g, %.2f s at skew %g: want the straggler to dominate", p, first, points[0], last, points[len(points)-1])
		}
	}
	for _, x := range points {
		if um, un := sweepValue(tab, "user-max", x, "p95_s", defaultDraw), sweepValue(tab, "user-min", x, "p95_s", defaultDraw); !(un > um) {
			t.Errorf("skew %g: User-Min P95 %.2f s not above User-Max %.2f s", x, un, um)
		}
		if wf, um := sweepValue(tab, "wisefuse", x, "mean_cost_usd", defaultDraw), sweepValue(tab, "user-max", x, "mean_cost_usd", defaultDraw); !(wf < um) {
			t.Errorf("skew %g: WiseFuse cost %.5f not below User-Max %.5f", x, wf, um)
		}
		slo := sweepValue(tab, "wisefuse", x, "slo_s", defaultDraw)
		if slo <= 0 {
			t.Errorf("skew %g: WiseFuse ran without a target", x)
		}
		for d := 1; d < draws; d++ {
			if got := sweepValue(tab, "wisefuse", x, "slo_s", d); got != slo {
				t.Errorf("skew %g, draw %d: target %v, want draw 0's %v", x, d, got, slo)
			}
		}
	}
	for _, f := range []string{"sweep-skew-p95.png", "sweep-skew-cost.svg", "sweep-skew.csv"} {
		if _, err := os.Stat(filepath.Join(out, "sweep-skew", f)); err != nil {
			t.Error(err)
		}
	}
}

// The sweep workflows must be valid at both ends of their ranges.
func TestSweepWorkflowsValid(t *testing.T) {
	for _, w := range []interface{ Validate() error }{skewWorkflow(1), skewWorkflow(1000), dataWorkflow(1e3), dataWorkflow(1e9)} {
		if err := w.Validate(); err != nil {
			t.Error(err)
		}
	}
	if got := humanBytes(1e9); got != "1 GB" {
		t.Errorf("humanBytes(1e9) = %q", got)
	}
}
