package wisefuse

import (
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
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

// TestProfileLeavesOutRejectedRuns: a run whose step is throttled at the concurrency limit with
// no retry left fails there, and its later steps log nothing; the profiler leaves it out as it
// does a timed-out run. Here the limit is 2 VMs and M's task never retries, so a run of 3 or 4
// items fails and one of 1 or 2 completes (found on a random unseen workflow: profiling stopped
// with "step has 0 invocations in item 0, want 1").
func TestProfileLeavesOutRejectedRuns(t *testing.T) {
	w := &dag.Workflow{Name: "over-the-limit",
		Functions: []dag.Function{{Name: "B", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1},
			{Name: "C", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}},
		Steps: []dag.Step{
			{Name: "M", Map: &dag.Map{Items: dag.Dist{Kind: dag.Uniform, Min: 1, Max: 4},
				Iterator: []dag.Step{{Name: "B", Task: "B", Retry: &dag.Retry{Interval: 1, BackoffRate: 2, MaxAttempts: 0}}}}},
			{Name: "C", Task: "C"}},
	}
	plat := platform.Default()
	plat.ConcurrencyLimit = 2
	run := simRunnerOn(plat)
	const runs = 40
	p, err := ProfileBy(w, ProfileOptions{Runs: runs, Sizes: []int{1024}}, run)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Sizes[0]; s.Runs == 0 || p.FailedRuns == 0 || s.Runs+p.FailedRuns != runs {
		t.Errorf("%d runs kept and %d left out, want them to add up to %d with some of each", s.Runs, p.FailedRuns, runs)
	}

	plat.ConcurrencyLimit = 1
	w.Steps[0].Map.Items = dag.Const(3)
	_, err = ProfileBy(w, ProfileOptions{Runs: 5, Sizes: []int{1024}}, run)
	if err == nil || !strings.Contains(err.Error(), "all 5 profiling runs failed (5 rejected at the platform's concurrency limit") {
		t.Errorf("every run rejected: err = %v, want the rejections named", err)
	}
}

// TestProfileLiftedCapsDoNotFailRuns: the profiling runs lift a Map's MaxConcurrency, which can
// take a workflow past the concurrency limit it never reaches itself; they must not fail there.
// Six items capped at 2 under a limit of 3 run fine; lifted, six at once were throttled and the
// step's retry (never retry) failed every profiling run, so WiseFuse had no plan (a random unseen
// workflow: 1,380 items capped at 40 under the limit of 1,000).
func TestProfileLiftedCapsDoNotFailRuns(t *testing.T) {
	w := &dag.Workflow{Name: "capped",
		Functions: []dag.Function{{Name: "B", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}},
		Steps: []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(6), MaxConcurrency: 2,
			Iterator: []dag.Step{{Name: "B", Task: "B", Retry: &dag.Retry{Interval: 1, BackoffRate: 2, MaxAttempts: 0}}}}}},
	}
	plat := platform.Default()
	plat.ConcurrencyLimit = 3
	run := simRunnerOn(plat)
	if err := run(w, dag.UniformPlan(1024), 5, 1, func(_ []records.Invocation, d *records.DAGRun) error {
		if d.Rejected {
			t.Errorf("the capped workflow itself was rejected in run %d", d.Run)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p, err := ProfileBy(w, ProfileOptions{Runs: 5, Sizes: []int{1024}}, run)
	if err != nil {
		t.Fatal(err)
	}
	if p.FailedRuns != 0 || p.Sizes[0].Runs != 5 {
		t.Errorf("%d runs kept, %d failed; want 5 and 0", p.Sizes[0].Runs, p.FailedRuns)
	}
}
