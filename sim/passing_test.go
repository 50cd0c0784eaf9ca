package sim

import (
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// TestFusionPassesLocally fuses the chain of TestChainByHand into one VM of 3538 MB (c = 2):
//
//	t=0     one transition (the fused state)                    -> 0.050
//	0.050   A: GET 0.015 + 8 MB / 80 MB/s                        -> 0.165
//	0.165   A computes 1 core-s / min(2, 1)                      -> 1.165
//	1.165   A's 16 MB output in memory at 2 GB/s = 0.008 s       -> 1.173
//	1.173   B reads it in memory, 0.008 s                        -> 1.181
//	1.181   B computes 0.5/1 + 3/2 = 2 s                         -> 3.181
//	3.181   B: PUT 0.025 + 4/80                                  -> 3.256
//
// against 3.730 s unfused: the 16 MB PUT and GET (0.415 s) and one transition (0.05 s) are gone,
// at the price of A billed at B's size. Cost: 3.206 s x 3538/1024 GB x $0.0000166667 + 1
// request + 1 GET + 1 PUT + 1 transition.
func TestFusionPassesLocally(t *testing.T) {
	p := &dag.Plan{Memory: map[string]int{"A": 1769, "B": 3538}, Fuse: [][]string{{"A", "B"}}}
	plat := testPlatform()
	res, err := Run(chain(), p, 2, Options{Platform: plat, KeepInvocations: true, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	d := res.DAGs[0]
	near(t, "fused latency", d.Latency, 3.256, 1e-9)
	want := 3.206*3538.0/1024*plat.GBSecondUSD + plat.RequestUSD + plat.GetUSD + plat.PutUSD + plat.TransitionUSD
	near(t, "fused cost", d.Cost, want, 1e-12)
	if d.Transitions != 1 {
		t.Errorf("%d transitions, want 1", d.Transitions)
	}
	a, b := res.Invocations[0], res.Invocations[1]
	if a.VM != b.VM || a.MemoryMB != 3538 {
		t.Errorf("A and B ran in VMs %d and %d at %d MB, want one VM at 3538 MB", a.VM, b.VM, a.MemoryMB)
	}
	near(t, "A upload (local)", a.Upload, 0.008, 1e-9)
	near(t, "B download (local)", b.Download, 0.008, 1e-9)
}

// fanOut is Split -> Map of 4 items of Work. Split writes 40 MB; each Work reads 40 MB.
func fanOut() *dag.Workflow {
	return &dag.Workflow{Name: "fanout",
		Functions: []dag.Function{
			{Name: "Split", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1, OutputBytes: dag.Const(40e6)},
			{Name: "Work", MinMemoryMB: 128, SerialWork: dag.Const(0.5), Threads: 1, InputBytes: dag.Const(40e6)},
		},
		Steps: []dag.Step{task("Split", "Split"),
			{Name: "M", Map: &dag.Map{Items: dag.Const(4), Iterator: []dag.Step{task("Work", "Work")}}}},
	}
}

// TestDirectPassing: Works pull Split's output straight from Split's VM (passing[M] = direct).
//
//	t=0     Split's transition                                    -> 0.050
//	0.050   Split computes 1 s (no input); output held, no PUT    -> 1.050
//	1.050   the map's transition, then each item's Work's         -> 1.150
//	1.150   connection set-up 0.005 s + NAT traversal 0.1 s       -> 1.255
//	1.255   4 pulls of 40 MB share Split's 160 MB/s NIC: 40 MB/s each, 1 s -> 2.255
//	        (Split's VM is released at the last pull, billed 1 s: up to its function's end)
//	2.255   Work computes 0.5 s, no output                        -> 2.755
func TestDirectPassing(t *testing.T) {
	plat := testPlatform()
	p := &dag.Plan{DefaultMemoryMB: 1769, Passing: map[string]dag.Passing{"M": dag.DirectPassing}}
	res, err := Run(fanOut(), p, 1, Options{Platform: plat, KeepInvocations: true, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "latency", res.DAGs[0].Latency, 2.755, 1e-9)
	gb := 1769.0 / 1024
	split := 1.0*gb*plat.GBSecondUSD + plat.RequestUSD
	work := 1.605*gb*plat.GBSecondUSD + plat.RequestUSD
	want := split + 4*work + 6*plat.TransitionUSD
	near(t, "cost (no storage requests; Split billed until its function ends)", res.DAGs[0].Cost, want, 1e-12)
	for _, inv := range res.Invocations[1:] {
		near(t, "pull", inv.Download, 1.105, 1e-9)
	}

	// The same with remote passing: Split PUTs 40 MB (0.025 + 0.5 s), each Work GETs it
	// (0.015 + 0.5 s, 80 MB/s each: S3 has no shared NIC), latency 0.05 + 1 + 0.525 + 0.1 +
	// 0.515 + 0.5 = 2.690 s.
	res, err = Run(fanOut(), dag.UniformPlan(1769), 1, Options{Platform: plat, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "remote latency", res.DAGs[0].Latency, 2.690, 1e-9)
}

// spillGroup is fanOut with a 1 MB output and three 1 s items, Split and the Map fused in a VM
// of 1769 MB that keeps one item and spills the others (TestSpill and the tests after it).
func spillGroup() (*dag.Workflow, *dag.Plan) {
	w := fanOut()
	w.Functions[0].OutputBytes = dag.Const(1e6)
	w.Functions[1] = dag.Function{Name: "Work", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1,
		InputBytes: dag.Const(1e6), OutputBytes: dag.Const(1e6)}
	w.Steps[1].Map.Items = dag.Const(3)
	return w, &dag.Plan{DefaultMemoryMB: 1769, Fuse: [][]string{{"Split", "M"}}}
}

// TestSpill fuses Split with the map M (3 items, bundle 1) into one 1769 MB VM (c = 1): the host
// keeps item 0 and invokes two VMs of their own for items 1 and 2 (Faastlane). Work reads and
// writes 1 MB.
//
//	t=0      the fused state's transition                                   -> 0.050
//	0.050    Split computes 1 s, writes 1 MB in memory (0.0005 s)           -> 1.0505
//	host:    item 0 reads in memory (0.0005), computes 1 s, PUTs 1 MB
//	         (0.025 + 1/80 = 0.0375: the group's output goes to storage)    -> 2.0885
//	spills:  invoke 0.02 s -> 1.0705; pull the 1 MB payload from the host
//	         (2 pulls share its 160 MB/s: 80 MB/s each, 0.0125 s)           -> 1.083
//	         compute 1 s -> 2.083; return 1 MB in the response (0.0125 s)   -> 2.0955
//	the map, the group and the run end at 2.0955; the host was billed 2.0455 s, each spill 1.025 s.
func TestSpill(t *testing.T) {
	w, p := spillGroup()
	plat := testPlatform()
	res, err := Run(w, p, 1, Options{Platform: plat, KeepInvocations: true, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	d := res.DAGs[0]
	near(t, "latency", d.Latency, 2.0955, 1e-9)
	gb := 1769.0 / 1024
	want := (2.046+2*1.025)*gb*plat.GBSecondUSD + 3*plat.RequestUSD + plat.PutUSD + plat.TransitionUSD
	near(t, "cost", d.Cost, want, 1e-12)
	vms := map[int]int{}
	for _, inv := range res.Invocations {
		vms[inv.VM]++
	}
	if len(vms) != 3 || d.Transitions != 1 {
		t.Errorf("%d VMs and %d transitions, want 3 and 1", len(vms), d.Transitions)
	}
	// A payload over the 6 MB limit goes through storage instead: GET 0.015 + 7/80 s.
	w.Functions[1].InputBytes = dag.Const(7e6)
	w.Functions[0].OutputBytes = dag.Const(7e6)
	res, err = Run(w, p, 1, Options{Platform: plat, KeepInvocations: true, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range res.Invocations {
		if inv.Step == "Work" && inv.Item > 0 {
			near(t, "spilled download over the payload limit", inv.Download, 0.015+7.0/80, 1e-9)
		}
	}
}

// TestSpillsWaitAtLimit is TestSpill's group at a concurrency limit of 2: the host holds one
// slot, so its first spill runs as there and its second waits for the first to end.
//
//	1.0705   spill 1 pulls the 1 MB payload alone (its own 80 MB/s: 0.0125 s), computes 1 s and
//	         returns 1 MB in 0.0125 s                                         -> 2.0955
//	2.0955   spill 2 takes the freed slot: the same 1.025 s                   -> 3.1205
//
// At a limit of 1 every slot is the host's, which waits for spills that cannot start: the
// timeout ends it, or without one the simulation stops with an error naming the deadlock.
func TestSpillsWaitAtLimit(t *testing.T) {
	w, p := spillGroup()
	plat := testPlatform()
	plat.ConcurrencyLimit = 2
	res, err := Run(w, p, 1, Options{Platform: plat, KeepInvocations: true, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	d := res.DAGs[0]
	near(t, "latency", d.Latency, 3.1205, 1e-9)
	gb := 1769.0 / 1024
	// The host waits, billed, for the last spill: 0.05 .. 3.1205.
	want := (3.071+2*1.025)*gb*plat.GBSecondUSD + 3*plat.RequestUSD + plat.PutUSD + plat.TransitionUSD
	near(t, "cost", d.Cost, want, 1e-12)
	if res.Summary.PeakLiveVMs > 2 {
		t.Errorf("%d VMs live at once over a concurrency limit of 2", res.Summary.PeakLiveVMs)
	}

	plat.ConcurrencyLimit = 1
	plat.FunctionTimeout = 10
	res, err = Run(w, p, 1, Options{Platform: plat, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := res.DAGs[0]; !d.TimedOut || d.Latency < 10 {
		t.Errorf("host waiting for spills at a limit of 1: timed out %v after %.4g s, want a timeout after 10 s", d.TimedOut, d.Latency)
	}
	plat.FunctionTimeout = 0
	_, err = Run(w, p, 1, Options{Platform: plat, Check: true})
	if err == nil || !strings.Contains(err.Error(), "deadlock") || !strings.Contains(err.Error(), "concurrency limit of 1") {
		t.Errorf("no timeout at a limit of 1: error %v, want the deadlock named", err)
	}
}

// TestSpillsBeforeNewWork: TestSpillsWaitAtLimit's first case under arrivals, a second DAG
// invocation arriving at 1.5 s. Its host asks for a VM at 1.55, while DAG 0's host and first
// spill hold both slots, and waits; when the spill ends at 2.0955 the freed slot goes to DAG 0's
// waiting spill, not to it, so DAG 0 ends at 3.1205 as alone. Served first come first served, the
// second host would have taken the slot and both hosts would have waited on their spills.
func TestSpillsBeforeNewWork(t *testing.T) {
	w, p := spillGroup()
	plat := testPlatform()
	plat.ConcurrencyLimit = 2
	res, err := RunArrivals(w, p, []float64{0, 1.5}, Options{Platform: plat, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "DAG 0's latency", res.DAGs[0].Latency, 3.1205, 1e-9)
	if d := res.DAGs[1]; d.TimedOut || d.Latency <= 3.1205-1.5 {
		t.Errorf("DAG 1: timed out %v, latency %.4f s; want it to wait for DAG 0 and end", d.TimedOut, d.Latency)
	}
}

// TestConcurrencyQueue: a limit of 2 concurrent VMs and 6 one-second items: three waves.
// Latency = 0.05 (map) + 0.05 (items' transitions) + 3 x 1 s.
func TestConcurrencyQueue(t *testing.T) {
	w := &dag.Workflow{Name: "q",
		Functions: []dag.Function{{Name: "F", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}},
		Steps:     []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(6), Iterator: []dag.Step{task("T", "F")}}}},
	}
	plat := testPlatform()
	plat.ConcurrencyLimit = 2
	res, err := Run(w, dag.UniformPlan(1769), 1, Options{Platform: plat, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "latency", res.DAGs[0].Latency, 3.1, 1e-9)
}

// TestDirectFanIn: two map items each hold 40 MB for Combine, which pulls its 80 MB input from
// both at once (one connection each: min(2 x 80 MB/s, its own 160 MB/s) = 160 MB/s).
//
//	t=0     the map's transition, then each item's       -> 0.100
//	0.100   Work computes 1 s, output held               -> 1.100
//	1.100   Combine's transition                         -> 1.150
//	1.150   set-up 0.005 + NAT traversal 0.1, pull 80 MB in 0.5 s -> 1.755 (both senders released,
//	        billed 1 s each: up to their function's end, not for the wait)
//	1.755   Combine computes 0.5 s                       -> 2.255
func TestDirectFanIn(t *testing.T) {
	w := &dag.Workflow{Name: "fanin",
		Functions: []dag.Function{
			{Name: "Work", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1, OutputBytes: dag.Const(40e6)},
			{Name: "Combine", MinMemoryMB: 128, SerialWork: dag.Const(0.5), Threads: 1, InputBytes: dag.Const(80e6)},
		},
		Steps: []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(2), Iterator: []dag.Step{task("Work", "Work")}}},
			task("Combine", "Combine")},
	}
	plat := testPlatform()
	p := &dag.Plan{DefaultMemoryMB: 1769, Passing: map[string]dag.Passing{"Combine": dag.DirectPassing}}
	res, err := Run(w, p, 1, Options{Platform: plat, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "latency", res.DAGs[0].Latency, 2.255, 1e-9)
	gb := 1769.0 / 1024
	want := (2*1.0+1.105)*gb*plat.GBSecondUSD + 3*plat.RequestUSD + 4*plat.TransitionUSD
	near(t, "cost", res.DAGs[0].Cost, want, 1e-12)
}

// TestSharedRuntimePerStep: under shared_runtime a bundle runs each iterator step in a runtime of
// its own (dag.Plan.RuntimePerStep). Map of 2 items, iterator A -> B, bundle 2, VMs of 3538 MB
// (2 vCPU):
//
//	t=0     the map's transition                                   -> 0.050
//	0.050   the bundle's transition, A's runtime acquired          -> 0.100
//	0.100   both A compute 1 core-s, one core each                 -> 1.100
//	1.100   both PUT 8 MB: 0.025 + 8 MB at 80 MB/s (NIC 160 / 2)   -> 1.225; A's runtime released
//	1.225   the bundle enters B's state: transition, B's runtime   -> 1.275
//	1.275   both GET 8 MB: 0.015 + 0.1                             -> 1.390
//	1.390   both B compute 0.5 core-s                              -> 1.890
//
// Without shared_runtime both steps run in one VM and pass in memory (8 MB at 2 GB/s each way).
func TestSharedRuntimePerStep(t *testing.T) {
	w := &dag.Workflow{Name: "rt",
		Functions: []dag.Function{
			{Name: "A", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1, OutputBytes: dag.Const(8e6)},
			{Name: "B", MinMemoryMB: 128, SerialWork: dag.Const(0.5), Threads: 1, InputBytes: dag.Const(8e6)},
		},
		Steps: []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(2), Iterator: []dag.Step{task("A", "A"), task("B", "B")}}}},
	}
	plat := testPlatform()
	p := &dag.Plan{DefaultMemoryMB: 3538, Bundle: map[string]int{"M": 2}, SharedRuntime: true}
	res, err := Run(w, p, 1, Options{Platform: plat, KeepInvocations: true, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	d := res.DAGs[0]
	near(t, "latency", d.Latency, 1.890, 1e-9)
	if d.Transitions != 3 {
		t.Errorf("%d transitions, want 3 (the map, then one per runtime)", d.Transitions)
	}
	vmOf := map[string]map[int]bool{"A": {}, "B": {}}
	for _, inv := range res.Invocations {
		vmOf[inv.Function][inv.VM] = true
	}
	if len(vmOf["A"]) != 1 || len(vmOf["B"]) != 1 {
		t.Fatalf("VMs per function %v: want one runtime each", vmOf)
	}
	for a := range vmOf["A"] {
		if vmOf["B"][a] {
			t.Errorf("A and B share VM %d: want a runtime per function", a)
		}
	}
	gb := 3538.0 / 1024
	want := (1.125+0.615)*gb*plat.GBSecondUSD + 2*plat.RequestUSD + 2*(plat.PutUSD+plat.GetUSD) + 3*plat.TransitionUSD
	near(t, "cost (two runtimes, billed 1.125 s and 0.615 s)", d.Cost, want, 1e-12)

	p.SharedRuntime = false
	res, err = Run(w, p, 1, Options{Platform: plat, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	// 0.100 + 1 + 8 MB at 2 GB/s out and in (0.004 + 0.004) + 0.5.
	near(t, "latency, one VM", res.DAGs[0].Latency, 1.608, 1e-9)
}

// TestOverloadStops: past maxWaiting frames at the concurrency limit the simulation stops with an
// error that says so (a burst of arrivals grew without end); at it, it runs.
func TestOverloadStops(t *testing.T) {
	w := &dag.Workflow{Name: "q",
		Functions: []dag.Function{{Name: "F", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}},
		Steps:     []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(12), Iterator: []dag.Step{task("T", "F")}}}},
	}
	plat := testPlatform()
	plat.ConcurrencyLimit = 2
	defer func(n int) { maxWaiting = n }(maxWaiting)
	maxWaiting = 10 // the Map's 12 items: 2 run, 10 wait
	if _, err := Run(w, dag.UniformPlan(1769), 1, Options{Platform: plat}); err != nil {
		t.Fatalf("10 waiting: %v", err)
	}
	maxWaiting = 9
	_, err := Run(w, dag.UniformPlan(1769), 1, Options{Platform: plat})
	if err == nil || !strings.Contains(err.Error(), "sim: overloaded at t=") || !strings.Contains(err.Error(), "9 invocations wait at the concurrency limit of 2") {
		t.Errorf("9 may wait: %v", err)
	}
}
