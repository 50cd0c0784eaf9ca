package sim

import (
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// TestTooManyMapItems: a Map whose item count is beyond what the packed event key can hold (or
// beyond int32) comes from the input, so Run returns an error naming the step and the limit
// (dag.MaxItems, checked when the workflow is validated) instead of panicking or wrapping the
// count around.
func TestTooManyMapItems(t *testing.T) {
	f := dag.Function{Name: "F", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}
	for _, items := range []float64{1e8, 1e12, 1e300} {
		w := &dag.Workflow{Name: "huge", Functions: []dag.Function{f},
			Steps: []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(items), Iterator: []dag.Step{task("T", "F")}}}}}
		_, err := Run(w, dag.UniformPlan(1024), 1, Options{Platform: testPlatform(), Seed: 1})
		if err == nil || !strings.Contains(err.Error(), `("M").map.items`) || !strings.Contains(err.Error(), "above the limit 1e+06") {
			t.Errorf("%g items: got error %v, want one naming map step \"M\"", items, err)
		}
	}
}

// TestSizedPlanChecked: where the platform offers only some VM sizes, a plan is checked at the
// sizes its VMs get there (Platform.SizeMB): a function below its min_memory_mb, or a bundle the
// size cannot hold, is an error naming the platform's sizes, for Run and Replay alike. Both ran
// before, at sizes the plan never asked for.
func TestSizedPlanChecked(t *testing.T) {
	f := dag.Function{Name: "F", MinMemoryMB: 2000, SerialWork: dag.Const(1), Threads: 1}
	w := &dag.Workflow{Name: "w", Functions: []dag.Function{f},
		Steps: []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(4), Iterator: []dag.Step{task("T", "F")}}}}}
	small := testPlatform()
	small.MemorySizesMB = []int{512, 1536}
	bundled := &dag.Plan{DefaultMemoryMB: 10240, Bundle: map[string]int{"M": 4}}
	for name, tc := range map[string]struct {
		plan *dag.Plan
		want string
	}{
		"below min_memory_mb": {dag.UniformPlan(4096), `memory_mb["F"] = 1536 MB is below the function's min_memory_mb 2000`},
		"bundle too big":      {bundled, `bundle["M"] = 4: VM of 1536 MB is below the 8000 MB that 4 items need`},
	} {
		if err := tc.plan.Validate(w); err != nil {
			t.Fatalf("%s: the plan is invalid at its own sizes: %v", name, err)
		}
		_, err := Run(w, tc.plan, 1, Options{Platform: small, Seed: 1})
		if err == nil || !strings.Contains(err.Error(), "on a platform with VM sizes [512 1536] MB") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Run: %v, want an error naming the sizes and %q", name, err, tc.want)
		}
		src := func(a *Arrival) (bool, error) { return false, nil }
		_, err = Replay([]Workload{{Workflow: w, Plan: tc.plan}}, src, func(*Outcome) error { return nil }, Options{Platform: small, Seed: 1})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Replay: %v, want an error saying %q", name, err, tc.want)
		}
	}
	small.MemorySizesMB = []int{512, 2048}
	if _, err := Run(w, dag.UniformPlan(2000), 1, Options{Platform: small, Seed: 1}); err != nil {
		t.Errorf("a plan that fits the next size up: %v", err)
	}
}
