package policy

import (
	"math"
	"reflect"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// TestAdaptiveProfiling: on orders, where the P95's sampling bound from 300 profiled runs rules
// out Faastlane's cheap plan at 1.5 times the fastest P95 (knownMisses' history), the planner
// profiles again only once a search's bound decides, and then plans cheaper than the bound on the
// first profile allowed; at 2.5 times the bound decides nothing and nothing is profiled again. An
// explicit run count is never adaptive.
func TestAdaptiveProfiling(t *testing.T) {
	w, err := dag.ReadASL("../docs/examples/orders.asl.json", "../docs/examples/orders.functions.json")
	if err != nil {
		t.Fatal(err)
	}
	var reDone, reTotal int64
	pl, err := NewWiseFuse(w, Env{Reprofiling: func(done, total int64) { reDone, reTotal = done, total }})
	if err != nil {
		t.Fatal(err)
	}
	fastest, err := pl.Search(dag.Objective{Budget: math.MaxFloat64})
	if err != nil {
		t.Fatal(err)
	}
	f95 := fastest.Prediction.Percentile(95)
	if _, err := pl.Search(dag.Objective{SLO: 2.5 * f95}); err != nil {
		t.Fatal(err)
	}
	if reTotal != 0 {
		t.Fatalf("at 2.5 x the fastest P95 (%.3fs) the bound decided nothing, yet orders was profiled again", 2.5*f95)
	}
	obj := dag.Objective{SLO: 1.5 * f95}
	first, err := pl.Planner.Search(obj)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pl.Search(obj)
	if err != nil {
		t.Fatal(err)
	}
	if reTotal == 0 {
		t.Fatalf("at 1.5 x the fastest P95 (%.3fs) the bound decides, yet orders was not profiled again (nothing reported to Env.Reprofiling)", obj.SLO)
	}
	if reDone != reTotal {
		t.Errorf("the second profiling reported %d of %d runs done to Env.Reprofiling, want all", reDone, reTotal)
	}
	t.Logf("SLO %.3fs: predicted mean cost $%.4g from 300 runs per size, $%.4g after profiling %d x as many", obj.SLO, first.Prediction.MeanCost, got.Prediction.MeanCost, AdaptiveFactor)
	if got.Prediction.MeanCost >= first.Prediction.MeanCost {
		t.Errorf("adaptive plan's predicted cost $%.4g, want below the first profile's $%.4g", got.Prediction.MeanCost, first.Prediction.MeanCost)
	}
	fixed, err := NewWiseFuse(w, Env{Profiling: wisefuse.ProfileOptions{Runs: ProfileRuns(w.ExpectedInvocations())}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := fixed.Search(obj)
	if err != nil {
		t.Fatal(err)
	}
	if fixed.more != nil || !reflect.DeepEqual(r.Plan, first.Plan) {
		t.Errorf("an explicit run count planned adaptively: plan %+v, want the first profile's %+v", r.Plan, first.Plan)
	}
}

// TestAdaptiveRunsWithinBudget: the second profiling takes AdaptiveFactor times the first's runs
// up to the budget's floor, and no more than AdaptiveFactor x ProfileBudget invocations a size
// for a workflow at the floor of MinProfileRuns; past 6,000 invocations a run, none more.
func TestAdaptiveRunsWithinBudget(t *testing.T) {
	for _, c := range []struct{ nodes, first, more int }{
		{10, 300, 1200}, {100, 300, 1200}, {1000, 30, 120}, {2046, 20, 58}, {6000, 20, 20}, {35385, 20, 20},
	} {
		if got := ProfileRuns(c.nodes); got != c.first {
			t.Errorf("%d invocations a run: ProfileRuns %d, want %d", c.nodes, got, c.first)
		}
		if got := AdaptiveRuns(c.nodes); got != c.more {
			t.Errorf("%d invocations a run: AdaptiveRuns %d, want %d", c.nodes, got, c.more)
		}
		if c.nodes > 100 && AdaptiveRuns(c.nodes) > c.first && AdaptiveRuns(c.nodes)*c.nodes > AdaptiveFactor*ProfileBudget {
			t.Errorf("%d invocations a run: %d runs pass %d x the budget", c.nodes, AdaptiveRuns(c.nodes), AdaptiveFactor)
		}
	}
}
