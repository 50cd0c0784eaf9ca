package wisefuse

import (
	"math"
	"slices"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// TestReusedFunctionOneSize: on the workflows of everyShapeWorkflows whose functions run in
// several steps, every plan the search returns (SLOs from 1.1 to 3 times the fastest P95, and
// budgets) runs each reused function at one size, and its prediction is the model's prediction of
// that plan. The search without pinning (reused cleared) runs some reused function at two sizes
// in some of these cases, whose prediction is then not the plan's: the pinning is what the test
// checks.
func TestReusedFunctionOneSize(t *testing.T) {
	var ws []*dag.Workflow
	for _, w := range everyShapeWorkflows(t) {
		if slices.Contains([]string{"reuse", "reusepar", "reusemap"}, w.Name) {
			ws = append(ws, w)
		}
	}
	if len(ws) != 3 {
		t.Fatalf("want the 3 reuse workflows, got %d", len(ws))
	}
	conflicts, plans := 0, 0
	for _, w := range ws {
		// At the percentile itself: the SLOs are multiples of the fastest P95.
		pl, err := newSimPlanner(w, ProfileOptions{Runs: 60}, PlannerOptions{PointPercentile: true})
		if err != nil {
			t.Fatalf("%s: %v", w.Name, err)
		}
		if len(pl.reused) == 0 {
			t.Fatalf("%s: no reused function found", w.Name)
		}
		fastest, err := pl.Search(dag.Objective{Budget: math.MaxFloat64})
		if err != nil {
			t.Fatalf("%s: %v", w.Name, err)
		}
		cheapest, err := pl.Search(dag.Objective{SLO: math.Inf(1)})
		if err != nil {
			t.Fatalf("%s: %v", w.Name, err)
		}
		f95, c0, c1 := fastest.Prediction.Percentile(95), cheapest.Prediction.MeanCost, fastest.Prediction.MeanCost
		var objs []dag.Objective
		for _, k := range []float64{1.1, 1.2, 1.5, 2, 3} {
			objs = append(objs, dag.Objective{SLO: k * f95})
		}
		for _, k := range []float64{0.1, 0.3, 0.6} {
			objs = append(objs, dag.Objective{Budget: c0 + k*(c1-c0)})
		}
		for _, obj := range objs {
			r, err := pl.Search(obj)
			if err != nil {
				t.Errorf("%s %+v: %v", w.Name, obj, err)
				continue
			}
			plans++
			checkPlanPrediction(t, pl, w.Name, obj, r, true)
			// The same search without pinning.
			reused := pl.reused
			pl.reused = nil
			u, err := pl.Search(obj)
			pl.reused = reused
			if err == nil && !checkPlanPrediction(t, pl, w.Name, obj, u, false) {
				conflicts++
				t.Logf("%s %+v: without pinning %v", w.Name, obj, u.Plan)
			}
		}
	}
	t.Logf("%d plans; without pinning %d of them run a reused function at two sizes", plans, conflicts)
	if conflicts == 0 {
		t.Errorf("no search ran a reused function at two sizes without pinning: the test does not exercise the pinning")
	}
}

// checkPlanPrediction reports whether r's prediction is the model's prediction of r.Plan (P95
// and mean cost within 1e-9 relative); with must, a difference is an error.
func checkPlanPrediction(t *testing.T, pl *Planner, name string, obj dag.Objective, r *Result, must bool) bool {
	t.Helper()
	p, err := pl.Model().Predict(r.Plan)
	if err != nil {
		t.Fatalf("%s %+v: predicting its plan: %v", name, obj, err)
	}
	got, want := p.Percentile(95), r.Prediction.Percentile(95)
	same := math.Abs(got-want) <= 1e-9*want && math.Abs(p.MeanCost-r.Prediction.MeanCost) <= 1e-9*r.Prediction.MeanCost
	if !same && must {
		t.Errorf("%s %+v: the search predicts P95 %.4fs $%.6g, its plan %v is predicted %.4fs $%.6g", name, obj, want, r.Prediction.MeanCost, r.Plan, got, p.MeanCost)
	}
	return same
}
