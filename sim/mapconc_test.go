package sim

import (
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// TestMapMaxConcurrencyByHand: a Map of 4 items, each 1 core-s of serial work on a 1-vCPU VM, no
// data, warm. The platform's latencies are a transition t = 0.05 s before every state (the Map,
// then each item's task) and storage requests of 0 s. Without a limit all four items run at once:
// the Map begins at t, each task at 2t, and all end at 2t + 1 = 1.1 s. With MaxConcurrency 2, items
// 0 and 1 end at 1.1 s; items 2 and 3 start then, begin after their transition and end at
// 1.1 + t + 1 = 2.15 s: 2 s of work plus three transitions.
func TestMapMaxConcurrencyByHand(t *testing.T) {
	plat := testPlatform()
	plat.StorageGetLatency, plat.StoragePutLatency, plat.InvokeLatency = 0, 0, 0
	for _, tc := range []struct {
		maxConc, bundle int
		distributed     bool
		latency         float64
		ends            []float64 // per item
		transitions     int
	}{
		{0, 1, false, 1.1, []float64{1.1, 1.1, 1.1, 1.1}, 5},
		{4, 1, false, 1.1, []float64{1.1, 1.1, 1.1, 1.1}, 5},
		{2, 1, false, 2.15, []float64{1.1, 1.1, 2.15, 2.15}, 5},
		{1, 1, false, 4.25, []float64{1.1, 2.15, 3.2, 4.25}, 5},
		{3, 1, false, 2.15, []float64{1.1, 1.1, 1.1, 2.15}, 5},
		// A Distributed Map charges one transition per child execution; the timing is the same.
		{2, 1, true, 2.15, []float64{1.1, 1.1, 2.15, 2.15}, 9},
		// Bundles of 2 items under MaxConcurrency 1: the limit counts iterations, here bundles (a
		// transition each, then a 2-vCPU VM whose items run at once without transitions of their
		// own), so one bundle runs at a time: 1.1 s and 2.15 s, and 1 + 2 transitions.
		{1, 2, false, 2.15, []float64{1.1, 1.1, 2.15, 2.15}, 3},
	} {
		w := &dag.Workflow{Name: "conc",
			Functions: []dag.Function{{Name: "F", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}},
			Steps: []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(4), Iterator: []dag.Step{task("T", "F")},
				MaxConcurrency: tc.maxConc, Distributed: tc.distributed}}},
		}
		p := &dag.Plan{DefaultMemoryMB: 1769 * tc.bundle, Bundle: map[string]int{"M": tc.bundle}}
		res, err := Run(w, p, 1, Options{Platform: plat, KeepInvocations: true, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		d := res.DAGs[0]
		near(t, "latency", d.Latency, tc.latency, 1e-9)
		if len(res.Invocations) != 4 {
			t.Fatalf("%d invocations, want 4", len(res.Invocations))
		}
		for _, inv := range res.Invocations {
			near(t, "end of item", inv.End-d.Arrival, tc.ends[inv.Item], 1e-9)
		}
		if d.Transitions != tc.transitions {
			t.Errorf("%+v: %d transitions, want %d", tc, d.Transitions, tc.transitions)
		}
	}
}
