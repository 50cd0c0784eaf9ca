package sim

import (
	"math"
	"sort"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// mapOf is one Map of n items of a single-threaded task of work core-s with a constant init time.
func mapOf(n int, work, init float64) *dag.Workflow {
	return &dag.Workflow{Name: "burst",
		Functions: []dag.Function{{Name: "W", MinMemoryMB: 128, SerialWork: dag.Const(work), Threads: 1, InitTime: dag.Const(init)}},
		Steps:     []dag.Step{{Name: "Fan", Map: &dag.Map{Items: dag.Const(float64(n)), Iterator: []dag.Step{task("W", "W")}}}}}
}

// instancePlatform is azure-durable with round numbers, replay and polling off, so only the
// instances change latencies.
func instancePlatform(activities, maxInstances int) *platform.Platform {
	p := noReplay(azureTestPlatform())
	p.InstanceActivities, p.ScaleOutInterval, p.MaxInstances = activities, 30, maxInstances
	return p
}

// TestInstanceSharingByHand: two activities of 1 core-s on one warm instance (one vCPU) each get
// half of it: each computes for 2 s, both start and end together, and the DAG takes 1 s more
// than with an instance per execution. With one activity per instance the second waits for a
// new instance: the scale controller has added none yet, so it adds one at once, whose 0.5 s
// cold start the second activity pays before computing 1 s at the whole vCPU.
func TestInstanceSharingByHand(t *testing.T) {
	w := mapOf(2, 1, 0.5)
	run := func(p *platform.Platform) *Result {
		t.Helper()
		res, err := Run(w, &dag.Plan{DefaultMemoryMB: 1536}, 1, Options{Platform: p, KeepInvocations: true, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Invocations) != 2 {
			t.Fatalf("%d invocations, want 2", len(res.Invocations))
		}
		return res
	}
	off := noReplay(azureTestPlatform())
	off.InstanceActivities, off.ScaleOutInterval, off.MaxInstances = 0, 0, 0
	alone, shared := run(off), run(instancePlatform(10, 200))
	for i, inv := range shared.Invocations {
		near(t, "shared compute", inv.Compute, 2, 1e-9)
		near(t, "alone compute", alone.Invocations[i].Compute, 1, 1e-9)
		if inv.Cold {
			t.Errorf("item %d cold on the warm instance", inv.Item)
		}
	}
	near(t, "start gap", shared.Invocations[1].Start-shared.Invocations[0].Start, 0, 1e-12)
	near(t, "end gap", shared.Invocations[1].End-shared.Invocations[0].End, 0, 1e-12)
	near(t, "latency added by sharing", shared.DAGs[0].Latency-alone.DAGs[0].Latency, 1, 1e-9)

	one := run(instancePlatform(1, 200))
	var warm, cold int
	for _, inv := range one.Invocations {
		near(t, "compute on an instance of its own", inv.Compute, 1, 1e-9)
		if inv.Cold {
			cold++
			near(t, "init of the new instance", inv.Init, 0.5, 1e-12)
		} else {
			warm++
		}
	}
	if warm != 1 || cold != 1 {
		t.Errorf("%d warm and %d cold activities, want 1 and 1", warm, cold)
	}
}

// TestScaleOutByHand: a burst of 25 activities of 10 core-s on a cold app, 10 per instance, one
// new instance per 30 s, each with a 0.5 s cold start. The first instance comes at once (T) and
// runs 10 items at a tenth of its vCPU (100 s each); the second comes at T+30 with the next 10
// (100 s); the third at T+60 with the last 5 (a fifth each: 50 s). Every item waits for its
// instance's cold start. With at most 2 instances the last 5 wait instead for the first
// instance's slots, free at T+0.5+100, and run warm at a fifth of it, ending at T+150.5
// (T+130.5 with 200 instances).
func TestScaleOutByHand(t *testing.T) {
	w := mapOf(25, 10, 0.5)
	type group struct {
		start, compute float64
		n              int
		cold           bool
	}
	for _, tc := range []struct {
		max  int
		want []group
		last float64 // the last end after T
	}{
		{200, []group{{0, 100, 10, true}, {30, 100, 10, true}, {60, 50, 5, true}}, 130.5},
		{2, []group{{0, 100, 10, true}, {30, 100, 10, true}, {100.5, 50, 5, false}}, 150.5},
	} {
		res, err := Run(w, &dag.Plan{DefaultMemoryMB: 1536}, 1, Options{Platform: instancePlatform(10, tc.max), KeepInvocations: true, Check: true, Cold: true})
		if err != nil {
			t.Fatal(err)
		}
		invs := res.Invocations
		sort.SliceStable(invs, func(i, j int) bool { return invs[i].Start < invs[j].Start })
		t0 := invs[0].Start
		k := 0
		for _, g := range tc.want {
			for range g.n {
				if k >= len(invs) {
					t.Fatalf("max %d: %d invocations, want 25", tc.max, len(invs))
				}
				inv := invs[k]
				near(t, "start", inv.Start-t0, g.start, 1e-9)
				near(t, "compute", inv.Compute, g.compute, 1e-9)
				if inv.Cold != g.cold {
					t.Errorf("max %d: item %d starting at T+%g: cold %v, want %v", tc.max, inv.Item, inv.Start-t0, inv.Cold, g.cold)
				}
				k++
			}
		}
		if k != len(invs) {
			t.Errorf("max %d: %d invocations, want %d", tc.max, len(invs), k)
		}
		last := 0.0
		for _, inv := range invs {
			last = math.Max(last, inv.End)
		}
		near(t, "last end", last-t0, tc.last, 1e-9)
	}
}
