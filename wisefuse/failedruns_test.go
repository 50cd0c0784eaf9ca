package wisefuse

import (
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// TestProfileLeavesOutTimedOutRuns: runs the platform stopped at the 900 s function timeout end
// early and log no later steps; the profiler leaves them out, counts them, and still builds a
// profile from the runs that completed (it used to stop with "map has no invocations").
func TestProfileLeavesOutTimedOutRuns(t *testing.T) {
	w := &dag.Workflow{Name: "near-timeout",
		Functions: []dag.Function{
			{Name: "A", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1},
			// 300-1,000 core-s: at 1,024 MB (0.58 vCPU) 520-1,730 s, often past 900 s; at 10,240 MB
			// (one core for one thread) 300-1,000 s, past it now and then.
			{Name: "B", MinMemoryMB: 128, SerialWork: dag.Dist{Kind: dag.Uniform, Min: 300, Max: 1000}, Threads: 1},
			{Name: "C", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1},
		},
		Steps: []dag.Step{{Name: "A", Task: "A"},
			{Name: "M", Map: &dag.Map{Items: dag.Const(3), Iterator: []dag.Step{{Name: "B", Task: "B"}}}},
			{Name: "C", Task: "C"}},
	}
	const runs = 30
	p, err := profileInSim(w, ProfileOptions{Runs: runs, Sizes: []int{1024, 10240}})
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, s := range p.Sizes {
		kept += s.Runs
		if s.Runs == 0 || s.Runs == runs {
			t.Errorf("%d MB: %d of %d runs kept; want some left out and some kept", s.MemoryMB, s.Runs, runs)
		}
	}
	if p.FailedRuns == 0 || kept+p.FailedRuns != 2*runs {
		t.Errorf("%d runs kept and %d left out, want them to add up to %d with some left out", kept, p.FailedRuns, 2*runs)
	}
}
