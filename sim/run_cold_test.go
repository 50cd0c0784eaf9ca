package sim

import (
	"math"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// TestColdShare: at cold share 0.25, runs 3 and 7 of 8 start cold and are the runs Options.Cold
// makes (the same draws), the others the warm runs, to rounding (a run starts when the previous
// ends, so its clock differs); a share outside [0, 1] is refused.
func TestColdShare(t *testing.T) {
	w, _ := apps.Lookup("chatbot")
	p := dag.UniformPlan(2048)
	run := func(opt Options) *Result {
		t.Helper()
		opt.Platform, opt.Seed = platform.Default(), 3
		res, err := Run(w, p, 8, opt)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	warm, cold, mixed := run(Options{}), run(Options{Cold: true}), run(Options{ColdShare: 0.25})
	for i, d := range mixed.DAGs {
		want := warm.DAGs[i]
		if i == 3 || i == 7 {
			want = cold.DAGs[i]
		}
		if math.Abs(d.Latency-want.Latency) > 1e-9*want.Latency || d.ColdStarts != want.ColdStarts || math.Abs(d.Cost-want.Cost) > 1e-12 {
			t.Errorf("run %d: latency %v, %d cold starts, cost %v; want %v, %d, %v", i, d.Latency, d.ColdStarts, d.Cost, want.Latency, want.ColdStarts, want.Cost)
		}
	}
	if cold.DAGs[3].ColdStarts == 0 || warm.DAGs[3].ColdStarts != 0 {
		t.Fatalf("cold run 3 had %d cold starts, warm %d", cold.DAGs[3].ColdStarts, warm.DAGs[3].ColdStarts)
	}
	for _, s := range []float64{-0.1, 1.5} {
		if _, err := Run(w, p, 2, Options{ColdShare: s}); err == nil {
			t.Errorf("cold share %v accepted", s)
		}
	}
}
