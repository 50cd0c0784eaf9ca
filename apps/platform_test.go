package apps

import (
	"math"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/sim"
)

func TestPlatformSpreadsOverheadOverCriticalTransitions(t *testing.T) {
	base := platform.Default()
	// video: Split, ChunkMap + Extract + Classify, Shuffle = 5 transitions.
	if got, want := Platform("video", base).TransitionLatency, 5.367/5; math.Abs(got-want) > 1e-12 {
		t.Errorf("video transition latency = %v, want %v", got, want)
	}
	if Platform("svd", base).TransitionLatency != base.TransitionLatency {
		t.Error("svd has no fitted overhead and must keep the platform's transition latency")
	}
	if base.TransitionLatency != platform.Default().TransitionLatency {
		t.Error("Platform modified its argument")
	}
}

// TestAttributionByHand pins the overhead rule on a chain worked out on paper: three tasks A, B,
// C of 1 core-s each at 1,769 MB (1 vCPU), no data, no storage latency, warm, and an overhead of
// 3.15 s. Three transitions are on the critical path.
//
//	per-transition: latency 3.15 / 3 = 1.05 s a transition.
//	  unfused:  3 x (1.05 + 1)             = 6.15 s
//	  fused:    1.05 + 3 x 1               = 4.05 s
//	per-execution: transitions at 0.05 s, fixed delay 3.15 - 3 x 0.05 = 3.00 s once.
//	  unfused:  3.00 + 3 x (0.05 + 1)      = 6.15 s (the same: the fit holds under both readings)
//	  fused:    3.00 + 0.05 + 3 x 1        = 6.05 s
//
// So the attribution changes a plan's E2E by (n - k) x (L - L0), n the transitions on the
// deployed workflow's critical path, k the plan's, L the per-transition latency and L0 the
// platform's: here 2 x 1.00 = 2.00 s for the fused plan and 0 for the unfused one.
func TestAttributionByHand(t *testing.T) {
	fn := func(name string) dag.Function {
		return dag.Function{Name: name, MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1,
			InputBytes: dag.Const(0), OutputBytes: dag.Const(0), InitTime: dag.Const(0)}
	}
	w := &dag.Workflow{Name: "abc", Functions: []dag.Function{fn("A"), fn("B"), fn("C")},
		Steps: []dag.Step{{Name: "A", Task: "A"}, {Name: "B", Task: "B"}, {Name: "C", Task: "C"}}}
	base := platform.Default()
	base.StorageGetLatency, base.StoragePutLatency, base.ContentionPerCoRunner = 0, 0, 0
	unfused := dag.UniformPlan(1769)
	fused := &dag.Plan{DefaultMemoryMB: 1769, Fuse: [][]string{{"A", "B", "C"}}}
	e2e := func(p *platform.Platform, plan *dag.Plan) float64 {
		t.Helper()
		res, err := sim.Run(w, plan, 1, sim.Options{Platform: p})
		if err != nil {
			t.Fatal(err)
		}
		return res.DAGs[0].Latency
	}
	perTr := Attribute(base, w.Steps, 3.15)
	exec := *base
	exec.OrchestrationOverhead = platform.OverheadPerExecution
	perEx := Attribute(&exec, w.Steps, 3.15)
	if err := perEx.Validate(); err != nil {
		t.Fatal(err)
	}
	if math.Abs(perTr.TransitionLatency-1.05) > 1e-12 || perTr.ExecutionOverhead != 0 {
		t.Errorf("per-transition: latency %v, fixed %v; want 1.05, 0", perTr.TransitionLatency, perTr.ExecutionOverhead)
	}
	if perEx.TransitionLatency != 0.05 || math.Abs(perEx.ExecutionOverhead-3) > 1e-12 {
		t.Errorf("per-execution: latency %v, fixed %v; want 0.05, 3", perEx.TransitionLatency, perEx.ExecutionOverhead)
	}
	for _, c := range []struct {
		what string
		p    *platform.Platform
		plan *dag.Plan
		want float64
	}{
		{"per-transition, unfused", perTr, unfused, 6.15},
		{"per-transition, fused", perTr, fused, 4.05},
		{"per-execution, unfused", perEx, unfused, 6.15},
		{"per-execution, fused", perEx, fused, 6.05},
	} {
		if got := e2e(c.p, c.plan); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("%s: E2E = %.9f s, want %.2f s", c.what, got, c.want)
		}
	}
}

// TestPlatformPerExecution: video under per-execution keeps the platform's transition latency and
// carries the rest of its fitted overhead as a fixed delay.
func TestPlatformPerExecution(t *testing.T) {
	base := platform.Default()
	base.OrchestrationOverhead = platform.OverheadPerExecution
	p := Platform("video", base)
	if p.TransitionLatency != base.TransitionLatency || math.Abs(p.ExecutionOverhead-(5.367-5*0.05)) > 1e-12 {
		t.Errorf("video per-execution: latency %v, fixed %v; want %v, %v", p.TransitionLatency, p.ExecutionOverhead, base.TransitionLatency, 5.367-5*0.05)
	}
}
