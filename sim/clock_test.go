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
	untimed := testPlatform()
	untimed.FunctionTimeout = 0
	_, err = Run(w, dag.UniformPlan(128), 3, Options{Platform: untimed, Seed: 1})
	if err == nil || !strings.Contains(err.Error(), "time out of range") || !strings.Contains(err.Error(), "scheduled an event at t=") {
		t.Errorf("lognormal work without a function timeout: err = %v, want the clock limit", err)
	}
	// With a timeout the work ends there, past the clock's limit or not: every run times out
	// (it failed with "time out of range" too).
	timed := testPlatform()
	timed.FunctionTimeout = 900
	res, err := Run(w, dag.UniformPlan(128), 3, Options{Platform: timed, Seed: 1})
	if err != nil {
		t.Fatalf("lognormal work under a 900 s timeout: %v", err)
	}
	for _, d := range res.DAGs {
		if !d.TimedOut || d.Latency < 900 || d.Latency > 1000 {
			t.Errorf("run %d: timed out %v after %v s, want a timeout at 900 s (plus the transition)", d.Run, d.TimedOut, d.Latency)
		}
	}
}

// TestLateArrival: an arrival at the clock's limit (within it, as arrivals are checked) leaves
// its run no time; the error says so instead of blaming a work or latency parameter.
func TestLateArrival(t *testing.T) {
	f := dag.Function{Name: "F", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}
	w := &dag.Workflow{Name: "late", Functions: []dag.Function{f}, Steps: []dag.Step{task("A", "F")}}
	_, err := RunArrivals(w, dag.UniformPlan(1024), []float64{0, MaxTime}, Options{Platform: testPlatform(), Seed: 1})
	if err == nil || !strings.Contains(err.Error(), "the clock is near the limit: an arrival this late") {
		t.Errorf("got %v, want an error naming the late arrival", err)
	}
}
