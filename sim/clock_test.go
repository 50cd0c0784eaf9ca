package sim

import (
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// TestClockLimit: a time past MaxTime (here a valid workflow whose lognormal work draws past it)
// stops the run with an error that names the function that computed the time, instead of a hang
// or +Inf in the summary. A platform whose transition latency is 1e300 s, which once reached the
// same guard, is now refused up front with the limit of platform.Validate.
func TestClockLimit(t *testing.T) {
	f := dag.Function{Name: "F", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}
	w := &dag.Workflow{Name: "w", Functions: []dag.Function{f}, Steps: []dag.Step{task("A", "F"), task("B", "F")}}
	p := testPlatform()
	p.TransitionLatency = 1e300
	_, err := Run(w, dag.UniformPlan(1024), 1, Options{Platform: p, Seed: 1})
	if err == nil || !strings.Contains(err.Error(), "transition_latency_s = 1e+300, above the limit 1e+07") {
		t.Errorf("transition latency 1e300: err = %v, want the platform's limit", err)
	}
	w.Functions[0].SerialWork = dag.Dist{Kind: dag.LogNormal, Median: dag.MaxWork, Sigma: dag.MaxSigma}
	_, err = Run(w, dag.UniformPlan(128), 3, Options{Platform: testPlatform(), Seed: 1})
	if err == nil || !strings.Contains(err.Error(), "time out of range") || !strings.Contains(err.Error(), "scheduled an event at t=") {
		t.Errorf("lognormal work: err = %v, want the clock limit", err)
	}
}
