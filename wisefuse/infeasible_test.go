package wisefuse

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// TestInfeasible checks that Search names the constraint that binds and the best any plan
// achieves on it, and that relaxing that constraint to the best value makes the objective feasible.
func TestInfeasible(t *testing.T) {
	w, fns := chainWorkflow(4)
	p := synthProfile(t, w, fns, []int{1024, 4096, 10240}, 40, 7)
	// At the percentile itself: 40 runs bound the P95 only at the maximum (judgedPct).
	pl, err := NewPlanner(p, PlannerOptions{PointPercentile: true})
	if err != nil {
		t.Fatal(err)
	}
	f95 := fastestP95(t, pl)
	cheapest, err := pl.Search(dag.Objective{SLO: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	slo := 2 * f95
	underSLO, err := pl.Search(dag.Objective{SLO: slo})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		obj   dag.Objective
		binds Limit
		best  float64
		msg   string
		relax dag.Objective
	}{
		{"slo", dag.Objective{SLO: f95 / 2}, SLOLimit, f95,
			"no plan meets the 95th-percentile SLO of", dag.Objective{SLO: f95 / (1 - DefaultMargin) * 1.001}},
		{"budget", dag.Objective{Budget: cheapest.Prediction.MeanCost / 2}, BudgetLimit, cheapest.Prediction.MeanCost,
			"no plan costs at most the budget of $", dag.Objective{Budget: cheapest.Prediction.MeanCost * 1.001}},
		{"slo and budget", dag.Objective{SLO: slo, Budget: cheapest.Prediction.MeanCost / 2}, BudgetLimit, underSLO.Prediction.MeanCost,
			"within the budget of $", dag.Objective{SLO: slo, Budget: underSLO.Prediction.MeanCost * 1.001}},
		{"slo binds before budget", dag.Objective{SLO: f95 / 2, Budget: cheapest.Prediction.MeanCost / 2}, SLOLimit, f95,
			"the fastest plan's predicted P95", dag.Objective{SLO: f95 / (1 - DefaultMargin) * 1.001, Budget: math.MaxFloat64}},
	} {
		_, err := pl.Search(tc.obj)
		var inf *InfeasibleError
		if !errors.As(err, &inf) {
			t.Fatalf("%s: got %v, want an *InfeasibleError", tc.name, err)
		}
		if inf.Binds != tc.binds || inf.Best != tc.best || inf.Objective != tc.obj || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: got binds %v best %v objective %+v (%v), want binds %v best %v, message with %q",
				tc.name, inf.Binds, inf.Best, inf.Objective, err, tc.binds, tc.best, tc.msg)
		}
		if _, err := pl.Search(tc.relax); err != nil {
			t.Errorf("%s: relaxed to the best value: %v", tc.name, err)
		}
	}
}

// TestInfeasibleNoPlanAtAll: a grid below every function's memory needs has no plan at all; the
// error says so (the explanation once searched for the fastest plan by calling itself forever).
func TestInfeasibleNoPlanAtAll(t *testing.T) {
	w, fns := chainWorkflow(2)
	p := synthProfile(t, w, fns, []int{1024, 4096}, 5, 7)
	pl, err := NewPlanner(p, PlannerOptions{Memories: []int{128}})
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range []dag.Objective{{SLO: 10}, {Budget: 1}, {SLO: 10, Budget: 1}} {
		_, err := pl.Search(obj)
		var inf *InfeasibleError
		if !errors.As(err, &inf) || !math.IsInf(inf.Best, 1) {
			t.Errorf("%+v: got %v, want an *InfeasibleError with Best +Inf", obj, err)
		}
	}
}
