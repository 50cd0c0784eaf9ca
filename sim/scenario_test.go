package sim

import (
	"math"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// testPlatform is platform.Default() with round numbers, so scenarios can be worked out on paper.
func testPlatform() *platform.Platform { return roundNumbers(platform.Default()) }

// roundNumbers sets p's latencies and bandwidths to round numbers and turns contention off.
func roundNumbers(p *platform.Platform) *platform.Platform {
	p.TransitionLatency = 0.05
	p.StorageGetLatency = 0.015
	p.StoragePutLatency = 0.025
	p.ConnectionBps = 80e6
	p.VMNetworkBps = 160e6
	p.ContentionPerCoRunner = 0
	return p
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.9g, want %.9g (+- %g)", what, got, want, tol)
	}
}

func task(name, fn string) dag.Step { return dag.Step{Name: name, Task: fn} }

// chain is A -> B with fixed works, data sizes and init times.
func chain() *dag.Workflow {
	return &dag.Workflow{
		Name: "chain",
		Functions: []dag.Function{
			{Name: "A", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1,
				InputBytes: dag.Const(8e6), OutputBytes: dag.Const(16e6), InitTime: dag.Const(0.5)},
			{Name: "B", MinMemoryMB: 128, SerialWork: dag.Const(0.5), ParallelWork: dag.Const(3), Threads: 4,
				InputBytes: dag.Const(16e6), OutputBytes: dag.Const(4e6), InitTime: dag.Const(0.8)},
		},
		Steps: []dag.Step{task("A", "A"), task("B", "B")},
	}
}

// TestChainByHand: a two-step chain, worked out on paper.
//
// A runs at 1769 MB (c = 1 vCPU), B at 3538 MB (c = 2 vCPU). Warm:
//
//	t=0     arrival; A's state transition 0.05 s
//	0.050   A's VM: GET 0.015 s + 8 MB / 80 MB/s = 0.1 s -> 0.165
//	0.165   compute 1 core-s / min(1, 1)            -> 1.165
//	1.165   PUT 0.025 s + 16 MB / 80 MB/s = 0.2 s   -> 1.390 (A's VM billed 1.340 s)
//	1.390   B's transition                          -> 1.440
//	1.440   GET 0.015 + 16/80 = 0.215               -> 1.655
//	1.655   compute 0.5/min(2,1) + 3/min(2,4) = 2 s -> 3.655
//	3.655   PUT 0.025 + 4/80 = 0.075                -> 3.730 (B billed 2.290 s); latency 3.730 s
//
// Cost: A 1.340 s x 1769/1024 GB x $0.0000166667 = $3.858178e-5; B 2.290 x 3538/1024 x ... =
// $1.318691e-4; 2 requests x $2e-7, 2 GETs x $4e-7, 2 PUTs x $5e-6, 2 transitions x $2.5e-5 =
// $6.12e-5; total $2.31650862e-4.
//
// Cold: A's VM inits 0.5 s and B's 0.8 s before they start, billed (BillInit): A ends at 1.890
// (billed 1.840 s), B's transition ends at 1.940, B ends at 1.940 + 0.8 + 2.290 = 5.030 (billed
// 3.090 s). Cost $5.2977971e-5 + $1.7793688e-4 + $6.12e-5 = $2.92114850e-4.
func TestChainByHand(t *testing.T) {
	w := chain()
	p := &dag.Plan{Memory: map[string]int{"A": 1769, "B": 3538}}
	for _, tc := range []struct {
		cold          bool
		latency, cost float64
		aEnd, bStart  float64
	}{
		{false, 3.730, 2.31650862e-4, 1.390, 1.440},
		{true, 5.030, 2.92114850e-4, 1.890, 1.940},
	} {
		res, err := Run(w, p, 3, Options{Platform: testPlatform(), Cold: tc.cold, KeepInvocations: true, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range res.DAGs {
			near(t, "latency", d.Latency, tc.latency, 1e-6)
			near(t, "cost", d.Cost, tc.cost, 1e-12)
			if i > 0 {
				near(t, "isolated runs start when the previous ends", d.Arrival, res.DAGs[i-1].End, 0)
			}
			if d.Transitions != 2 || d.Invocations != 2 {
				t.Errorf("run %d: %d transitions, %d invocations, want 2 and 2", i, d.Transitions, d.Invocations)
			}
		}
		a, b := res.Invocations[0], res.Invocations[1]
		near(t, "A end", a.End, tc.aEnd, 1e-9)
		near(t, "A download", a.Download, 0.115, 1e-9)
		near(t, "A compute", a.Compute, 1, 1e-9)
		near(t, "A upload", a.Upload, 0.225, 1e-9)
		near(t, "B start", b.Start, tc.bStart, 1e-9)
		near(t, "B compute", b.Compute, 2, 1e-9)
		if a.Cold != tc.cold || b.Cold != tc.cold {
			t.Errorf("cold = %v, %v, want %v", a.Cold, b.Cold, tc.cold)
		}
		if tc.cold {
			near(t, "B init", b.Init, 0.8, 0)
			if res.Summary.ColdStartFraction != 1 {
				t.Errorf("cold-start fraction %v, want 1", res.Summary.ColdStartFraction)
			}
		}
		sum := 0.0
		for _, inv := range res.Invocations[:2] {
			sum += inv.Cost
		}
		// Invocation costs cover VM time, requests and storage requests; transitions are the run's.
		near(t, "invocation costs + transitions", sum+2*testPlatform().TransitionUSD, tc.cost, 1e-12)
	}
}

// TestBundleProcessorSharing: three single-threaded items of 1, 2 and 3 core-s in one VM of 2
// vCPU (3538 MB), no data, no transitions, no contention. Processor sharing gives each 2/3 core
// until the first finishes at 1 / (2/3) = 1.5 s; the other two then get 1 core each: the second
// has 2 - 1 = 1 core-s left and finishes at 2.5 s, the third 3 - 1 - 1 = 1 left, at 3.5 s.
func TestBundleProcessorSharing(t *testing.T) {
	w := &dag.Workflow{Name: "bundle",
		Functions: []dag.Function{{Name: "F", MinMemoryMB: 1000, SerialWork: dag.Const(1), Threads: 1}},
		Steps:     []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(3), Iterator: []dag.Step{task("T", "F")}}}},
	}
	plat := testPlatform()
	plat.TransitionLatency = 0
	for _, tc := range []struct {
		bundle int
		want   []float64
	}{
		{3, []float64{1.5, 2.5, 3.5}},
		{1, []float64{1, 2, 3}}, // each item alone in its own 2-vCPU VM, single-threaded
	} {
		p := &dag.Plan{DefaultMemoryMB: 3538, Bundle: map[string]int{"M": tc.bundle}}
		res := runHooked(t, w, p, 1, Options{Platform: plat, KeepInvocations: true, Check: true},
			func(item int32) float64 { return float64(item + 1) })
		if len(res.Invocations) != 3 {
			t.Fatalf("%d invocations, want 3", len(res.Invocations))
		}
		vms := map[int]bool{}
		for _, inv := range res.Invocations {
			near(t, "compute of item "+string(rune('0'+inv.Item)), inv.Compute, tc.want[inv.Item], 1e-9)
			vms[inv.VM] = true
		}
		if want := 3 / tc.bundle; len(vms) != want {
			t.Errorf("bundle %d: %d VMs, want %d", tc.bundle, len(vms), want)
		}
		near(t, "latency", res.DAGs[0].Latency, tc.want[2], 1e-9)
	}
}

// runHooked is Run with per-item works fixed by hook (the ItemSkew factor of item i).
func runHooked(t *testing.T, w *dag.Workflow, p *dag.Plan, runs int, opt Options, hook func(int32) float64) *Result {
	t.Helper()
	e, err := prepare(w, p, modeIsolated, runs, opt)
	if err != nil {
		t.Fatal(err)
	}
	e.skewHook = hook
	e.next = 1
	e.schedule(0, evArrival, 0)
	res, err := e.finish()
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestPoissonColdStarts: one function that takes no time at all (no work, data, init or
// transition latency), arrivals Poisson at rate 1/s, keep-alive 1 s. A VM is released at the
// instant it is acquired, so there is never more than one; an arrival finds it warm exactly when
// the gap since the previous arrival is below the keep-alive. Gaps are Exp(1), so every arrival
// but the first is cold with probability P(gap > 1 s) = e^-1 = 0.36788, independently. With N
// arrivals the fraction has standard error sqrt(p(1-p)/N); we accept 4 standard errors.
func TestPoissonColdStarts(t *testing.T) {
	w := &dag.Workflow{Name: "one",
		Functions: []dag.Function{{Name: "F", MinMemoryMB: 128, Threads: 1}},
		Steps:     []dag.Step{task("T", "F")},
	}
	plat := testPlatform()
	plat.TransitionLatency = 0
	plat.KeepAlive = 1
	arr := PoissonArrivals(1, 20000, 7)
	res, err := RunArrivals(w, dag.UniformPlan(512), arr, Options{Platform: plat, Seed: 1, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	n := float64(len(arr))
	p := math.Exp(-1)
	want := (1 + (n-1)*p) / n
	se := math.Sqrt(p * (1 - p) / n)
	near(t, "cold-start fraction", res.Summary.ColdStartFraction, want, 4*se)
	if res.Summary.PeakLiveVMs != 1 {
		t.Errorf("peak live VMs %d, want 1", res.Summary.PeakLiveVMs)
	}
	// The VM lives for the keep-alive after each use: mean live = E[min(gap, 1)] = 1 - e^-1.
	near(t, "mean live VMs", res.Summary.MeanLiveVMs, 1-p, 0.02)
}

// TestWarmPoolKeying: warm VMs are keyed by (functions loaded, memory). In S1(F) -> S2(F) ->
// S3(G), S2 reuses the VM S1 just released (same function, same size), S3 needs a G VM. A second
// DAG 100 s later finds all three warm; 1,000 s later (keep-alive 600 s) all have been reclaimed.
func TestWarmPoolKeying(t *testing.T) {
	w := &dag.Workflow{Name: "pool",
		Functions: []dag.Function{
			{Name: "F", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1, InitTime: dag.Const(0.5)},
			{Name: "G", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1, InitTime: dag.Const(0.5)},
		},
		Steps: []dag.Step{task("S1", "F"), task("S2", "F"), task("S3", "G")},
	}
	for _, tc := range []struct {
		gap   float64
		colds []int
	}{{100, []int{2, 0}}, {1000, []int{2, 2}}} {
		res, err := RunArrivals(w, dag.UniformPlan(1024), []float64{0, tc.gap}, Options{Platform: testPlatform(), KeepInvocations: true, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range res.DAGs {
			if d.ColdStarts != tc.colds[i] {
				t.Errorf("gap %v: run %d has %d cold starts, want %d", tc.gap, i, d.ColdStarts, tc.colds[i])
			}
		}
		if inv := res.Invocations; inv[0].VM != inv[1].VM || inv[1].VM == inv[2].VM || inv[1].Cold {
			t.Errorf("gap %v: S1, S2, S3 ran in VMs %d, %d, %d (S2 cold %v); want S2 warm in S1's VM", tc.gap, inv[0].VM, inv[1].VM, inv[2].VM, inv[1].Cold)
		}
	}
}
