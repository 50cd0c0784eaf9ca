package wisefuse

import (
	"math"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// TestIteratorPassSplitsFusion: a Map whose iterator is X, a Pass, then Y cannot fuse X with Y, for
// a fusion group lists consecutive steps (dag.Plan) and the modeler counts the Pass as a state of
// its own (passCount). The planner offered the iterator fused whole and wrote the group [X Y],
// which the plan's validation refused: on a random unseen workflow (an iterator T1, P2, T3)
// simulate --policy wisefuse stopped with "fuse[0]: T1 and T3 are not adjacent steps". X passes Y
// 200 MB per item here, which fusion would save, so the fastest plan and a tight SLO's plan are
// the ones that would fuse; every plan searched must validate.
func TestIteratorPassSplitsFusion(t *testing.T) {
	mb := float64(1 << 20)
	w := &dag.Workflow{Name: "iterpass",
		Functions: []dag.Function{
			{Name: "x", MinMemoryMB: 512, SerialWork: dag.Const(0.5), Threads: 1, InputBytes: dag.Const(mb), OutputBytes: dag.Const(200 * mb)},
			{Name: "y", MinMemoryMB: 512, SerialWork: dag.Const(0.5), Threads: 1, InputBytes: dag.Const(200 * mb), OutputBytes: dag.Const(mb)},
		},
		Steps: []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(8), Iterator: []dag.Step{{Name: "X", Task: "x"}, {Name: "P", Pass: true}, {Name: "Y", Task: "y"}}}}},
	}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	pl, err := newSimPlanner(w, ProfileOptions{Runs: 40}, PlannerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f95 := fastestP95(t, pl)
	for _, obj := range []dag.Objective{{Budget: math.MaxFloat64}, {SLO: 1.1 * f95}, {SLO: 1.5 * f95}, {SLO: 3 * f95}} {
		r, err := pl.Search(obj)
		if err != nil {
			t.Errorf("%+v: %v", obj, err)
			continue
		}
		if err := r.Plan.Validate(w); err != nil {
			t.Errorf("%+v: the plan does not validate: %v\n%+v", obj, err, r.Plan)
		}
	}
}
