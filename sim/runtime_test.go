package sim

import (
	"math"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// TestRuntimeSharedAcrossDAGInvocations works a Photons runtime shared by two DAG invocations out
// by hand (docs/simulator.md, "Shared runtimes across DAG invocations"). One task A: 1 core-s of
// single-threaded work, init 0.5 s, min 1,000 MB of which 500 shared; plan memory m = 1,769 MB
// (1 vCPU), so each invocation after the first adds p = ceil(1769 x 500/1000) = 885 MB, and two
// invocations make a 2,654 MB runtime of c2 = 2654/1769 vCPU. Arrivals at 0 and 1 s:
//
//	0.05   run 0's A acquires a VM, cold: init to 0.55, then 1 core-s alone
//	1.05   run 1's A joins it (no init): 0.5 core-s left for run 0, both at c2/2 cores
//	t0 = 1.05 + 0.5/(c2/2)   run 0's A ends; the runtime is back to 1,769 MB, 1 vCPU
//	t1 = t0 + 0.5            run 1's A ends (it too did 0.5 core-s by t0)
//
// Billing integrates the runtime's memory: run 0 pays m from 0.55 to t0 (it owns the runtime),
// run 1 pays p from 1.05 to t1 and m - p more from t0 (it owns it then). Without shared_runtime
// run 1 cold-starts a VM of its own: 1.05 + 0.5 + 1.
func TestRuntimeSharedAcrossDAGInvocations(t *testing.T) {
	w := &dag.Workflow{Name: "one",
		Functions: []dag.Function{{Name: "A", MinMemoryMB: 1000, SharedMemoryMB: 500, SerialWork: dag.Const(1), Threads: 1, InitTime: dag.Const(0.5)}},
		Steps:     []dag.Step{task("A", "A")},
	}
	plat := testPlatform()
	plat.BillInit = false
	p := &dag.Plan{DefaultMemoryMB: 1769, SharedRuntime: true}
	res, err := RunArrivals(w, p, []float64{0, 1}, Options{Platform: plat, KeepInvocations: true, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	c2 := 2654.0 / 1769
	t0 := 1.05 + 0.5/(c2/2)
	t1 := t0 + 0.5
	near(t, "run 0 latency", res.DAGs[0].Latency, t0, 1e-9)
	near(t, "run 1 latency", res.DAGs[1].Latency, t1-1, 1e-9)
	inv := res.Invocations
	if len(inv) != 2 || inv[0].VM != inv[1].VM {
		t.Fatalf("invocations %+v: want two in one runtime", inv)
	}
	if !inv[0].Cold || inv[1].Cold {
		t.Errorf("cold starts %v, %v: want the first only", inv[0].Cold, inv[1].Cold)
	}
	ms := func(d float64) float64 { return math.Ceil(d/plat.BillingQuantum-1e-9) * plat.BillingQuantum }
	usd := func(mbs float64) float64 {
		return mbs/1024*plat.GBSecondUSD + plat.RequestUSD + plat.TransitionUSD
	}
	near(t, "run 0 cost", res.DAGs[0].Cost, usd(1769*ms(t0-0.55)), 1e-15)
	near(t, "run 1 cost", res.DAGs[1].Cost, usd(885*ms(t1-1.05)+(1769-885)*ms(t1-t0)), 1e-15)
	for i, d := range res.DAGs {
		if got := inv[i].Cost + plat.TransitionUSD; math.Abs(got-d.Cost) > 1e-15 {
			t.Errorf("run %d: invocation cost %.12g + a transition, want the run's %.12g", i, inv[i].Cost, d.Cost)
		}
	}

	p.SharedRuntime = false
	res, err = RunArrivals(w, p, []float64{0, 1}, Options{Platform: plat, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "run 1 latency, a VM of its own", res.DAGs[1].Latency, 1.55, 1e-9)
}

// TestRuntimeHoldsWhatFits: a runtime takes invocations while m + (n-1) x p fits in 10,240 MB.
// At m = 6,000 MB and p = 3,000 MB two fit and a third gets a VM of its own.
func TestRuntimeHoldsWhatFits(t *testing.T) {
	w := &dag.Workflow{Name: "one",
		Functions: []dag.Function{{Name: "A", MinMemoryMB: 1000, SharedMemoryMB: 500, SerialWork: dag.Const(10), Threads: 1, InitTime: dag.Const(0.5)}},
		Steps:     []dag.Step{task("A", "A")},
	}
	p := &dag.Plan{DefaultMemoryMB: 6000, SharedRuntime: true}
	res, err := RunArrivals(w, p, []float64{0, 1, 2}, Options{Platform: testPlatform(), KeepInvocations: true, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	vm := []int{res.Invocations[0].VM, res.Invocations[1].VM, res.Invocations[2].VM}
	if vm[0] != vm[1] || vm[2] == vm[0] {
		t.Errorf("VMs %v: want the first two in one runtime (9,000 MB) and the third apart (12,000 MB does not fit)", vm)
	}
}
