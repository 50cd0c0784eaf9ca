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
