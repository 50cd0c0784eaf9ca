package sim

import (
	"fmt"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// azureTestPlatform is azure-durable with the round numbers of testPlatform, so scenarios can be
// worked out on paper.
func azureTestPlatform() *platform.Platform {
	p := roundNumbers(platform.AzureDurableFunctions())
	p.QueuePollingMin, p.QueuePollingMax = 0, 0 // TestPollingByHand turns it on
	return p
}

// TestAzureFixedMemoryByHand: on azure-durable every VM has 1,536 MB (one vCPU) whatever the plan
// says, and an execution shorter than 100 ms is billed 100 ms, at the memory it uses.
//
// One task of 0.03 core-s needing 128 MB, no data, warm, asked at 3,538 MB: transition 0.05 s,
// compute 0.03 s at one vCPU; latency 0.08 s; billed max(0.03, 0.1) = 0.1 s x 0.125 GB x
// $0.000016 = $2e-7, plus $2e-7 for the execution and the transition's storage transactions
// (general-purpose v2 LRS: 2 queue writes and 4 queue reads at $4e-7 each and 2 table operations
// at $3.6e-8: 6 x $4e-7 + 2 x $3.6e-8 = $2.472e-6), $2.872e-6 in all.
func TestAzureFixedMemoryByHand(t *testing.T) {
	w := &dag.Workflow{Name: "one", Functions: []dag.Function{{Name: "A", MinMemoryMB: 128, SerialWork: dag.Const(0.03), Threads: 1}},
		Steps: []dag.Step{task("A", "A")}}
	p := noReplay(azureTestPlatform())
	res, err := Run(w, &dag.Plan{DefaultMemoryMB: 3538}, 1, Options{Platform: p, KeepInvocations: true, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Invocations[0].MemoryMB; got != 1536 {
		t.Errorf("VM memory = %d MB, want the fixed 1536", got)
	}
	near(t, "latency", res.DAGs[0].Latency, 0.08, 1e-9)
	near(t, "cost", res.DAGs[0].Cost, 0.1*0.125*0.000016+0.2e-6+2.472e-6, 1e-15)
}

// TestAzureFlexSizesByHand: on azure-flex a plan's size is rounded up to the next instance size
// (512, 2,048, 4,096 MB; 2,048 MB per core), and an execution is billed at least 1 s, then in
// steps of 100 ms, at the instance's memory.
//
// One task of 0.5 core-s, no data, warm, replay off:
//   - asked at 3,008 MB: runs at 4,096 MB (2 cores; one thread uses one): compute 0.5 s, latency
//     0.05 + 0.5 = 0.55 s; billed max(0.5, 1) = 1 s x 4 GB x $0.000026 = $1.04e-4.
//   - asked at 128 MB: runs at 512 MB (a quarter core): compute 0.5 / 0.25 = 2 s, latency 2.05 s;
//     billed 2 s x 0.5 GB x $0.000026 = $2.6e-5.
//
// Each adds $4e-7 for the execution and the transition's storage transactions, $2.472e-6 as on
// azure-durable (TestAzureFixedMemoryByHand).
func TestAzureFlexSizesByHand(t *testing.T) {
	w := &dag.Workflow{Name: "one", Functions: []dag.Function{{Name: "A", MinMemoryMB: 128, SerialWork: dag.Const(0.5), Threads: 1}},
		Steps: []dag.Step{task("A", "A")}}
	p := noReplay(roundNumbers(platform.AzureFlexConsumption()))
	for _, tc := range []struct {
		ask, mem        int
		latency, billed float64
	}{{3008, 4096, 0.55, 1 * 4 * 0.000026}, {128, 512, 2.05, 2 * 0.5 * 0.000026}} {
		res, err := Run(w, &dag.Plan{DefaultMemoryMB: tc.ask}, 1, Options{Platform: p, KeepInvocations: true, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Invocations[0].MemoryMB; got != tc.mem {
			t.Errorf("asked %d MB: VM memory = %d MB, want %d", tc.ask, got, tc.mem)
		}
		near(t, "latency", res.DAGs[0].Latency, tc.latency, 1e-9)
		near(t, "cost", res.DAGs[0].Cost, tc.billed+0.4e-6+2.472e-6, 1e-15)
	}
}

// noReplay turns orchestration by event sourcing off.
func noReplay(p *platform.Platform) *platform.Platform {
	p.OrchestratorReplay, p.ReplayLatency, p.ReplayPerStep, p.ReplayBytesPerS, p.ReplayBilledMB = false, 0, 0, 0, 0
	p.QueuePollingMin, p.QueuePollingMax = 0, 0
	p.InstanceOrchestrators, p.PartitionCount = 0, 0 // they need replay
	p.Spills = platform.SpillsInvoke                 // spills as any execution, in activity slots (TestSpillsOnDurableFunctions)
	return p
}

// TestOrchestratorReplayByHand: orchestration by event sourcing on a 3-step chain A -> B -> C, each 1 core-s
// reading and writing 40 KB (below the queue offload size), warm, at 1,536 MB (1 vCPU). Replay
// constants: 20 ms, 2 ms per completed activity, history loaded at 1 MB/s.
//
// Without replay each step takes transition 0.05 + GET 0.015 + 40 KB / 80 MB/s (0.0005) + 1 +
// PUT 0.025 + 0.0005 = 1.091 s: latency 3.273 s. With replay, each resume waits 0.02 + 0.002 x
// (activities completed) + (history bytes) / 1e6, where an activity records its input when it
// reads it and its output when it writes it:
//
//	start of A: 0 done, 0 B        -> 0.020
//	start of B: 1 done, 80 KB      -> 0.020 + 0.002 + 0.080 = 0.102
//	start of C: 2 done, 160 KB     -> 0.020 + 0.004 + 0.160 = 0.184
//	after C:    3 done, 240 KB     -> 0.020 + 0.006 + 0.240 = 0.266 (the orchestration completes)
//
// Added time 0.572 s: latency 3.845 s. Added cost: 4 orchestrator executions of $2e-7 and their
// durations, each at least 100 ms, at 128 MB: (0.1 + 0.102 + 0.184 + 0.266) s x 0.125 GB x
// $0.000016 = $1.304e-6; total $2.104e-6.
func TestOrchestratorReplayByHand(t *testing.T) {
	fn := func(name string) dag.Function {
		return dag.Function{Name: name, MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1,
			InputBytes: dag.Const(40e3), OutputBytes: dag.Const(40e3)}
	}
	w := &dag.Workflow{Name: "chain3", Functions: []dag.Function{fn("A"), fn("B"), fn("C")},
		Steps: []dag.Step{task("A", "A"), task("B", "B"), task("C", "C")}}
	run := func(p *platform.Platform) (latency, cost float64) {
		res, err := Run(w, dag.UniformPlan(1536), 1, Options{Platform: p, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		return res.DAGs[0].Latency, res.DAGs[0].Cost
	}
	p := azureTestPlatform()
	p.ReplayLatency, p.ReplayPerStep, p.ReplayBytesPerS, p.ReplayBilledMB = 0.02, 0.002, 1e6, 128
	lat, cost := run(p)
	lat0, cost0 := run(noReplay(azureTestPlatform()))
	near(t, "latency without replay", lat0, 3.273, 1e-9)
	near(t, "latency with replay", lat, 3.845, 1e-9)
	near(t, "added cost", cost-cost0, 4*0.2e-6+0.652*0.125*0.000016, 1e-15)
}

// TestOffloadByHand: an activity's input and output just below and just above the 45 KB queue
// message offload size (46,080 bytes), without replay. One task of 1 core-s at 1 vCPU needing
// 1,500 MB (billed 1,536 MB, 1.5 GB), warm:
//
//	below: transition 0.05 + GET 0.015 + 46,080 B / 80 MB/s (0.000576) + 1 + PUT 0.025 + 0.000576
//	       = 1.091152 s; billed 1.041152 -> 1.042 s x 1.5 GB x $0.000016 = $2.5008e-5
//	above: the same plus a blob read (0.015 s) and a blob write (0.025 s): 1.131152 s (and
//	       1.25e-8 s for the extra byte each way); billed 1.082 s = $2.5968e-5, plus the blob
//	       write's $5.5e-6 and read's $4.4e-7 (hot block blobs, general-purpose v2 LRS).
//
// Both pay the execution ($2e-7), one queue read and one queue write ($4e-7 each) and the
// transition's storage transactions ($2.472e-6, TestAzureFixedMemoryByHand): $3.472e-6.
func TestOffloadByHand(t *testing.T) {
	p := noReplay(azureTestPlatform())
	p.BlobGetLatency, p.BlobPutLatency = 0.015, 0.025
	fixed := 0.2e-6 + 4e-7 + 4e-7 + 2.472e-6
	for _, tc := range []struct {
		bytes, latency, cost float64
	}{
		{46080, 1.091152, 1.042*1.5*0.000016 + fixed},
		{46081, 1.131152 + 2/80e6, 1.082*1.5*0.000016 + fixed + 4.4e-7 + 5.5e-6},
	} {
		w := &dag.Workflow{Name: "one", Functions: []dag.Function{{Name: "A", MinMemoryMB: 1500, SerialWork: dag.Const(1), Threads: 1,
			InputBytes: dag.Const(tc.bytes), OutputBytes: dag.Const(tc.bytes)}}, Steps: []dag.Step{task("A", "A")}}
		res, err := Run(w, dag.UniformPlan(1536), 1, Options{Platform: p, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		near(t, "latency", res.DAGs[0].Latency, tc.latency, 1e-9)
		near(t, "cost", res.DAGs[0].Cost, tc.cost, 1e-15)
	}
}

// TestReplayOffloadedByHand: payloads above the offload size are in blobs, so a replay fetches
// them at one connection's 80 MB/s instead of loading them as history rows. A 2-step chain
// passing 100 KB (above 46,080 bytes), replay constants as in TestOrchestratorReplayByHand:
// resumes of 0.020 (start of A), 0.020 + 0.002 + 200 KB / 80 MB/s = 0.0245 (start of B) and
// 0.020 + 0.004 + 400 KB / 80 MB/s = 0.029 (the end): 0.0735 s more than without replay (as rows
// at 1 MB/s they would have taken 0.6 s more).
func TestReplayOffloadedByHand(t *testing.T) {
	fn := func(name string) dag.Function {
		return dag.Function{Name: name, MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1,
			InputBytes: dag.Const(100e3), OutputBytes: dag.Const(100e3)}
	}
	w := &dag.Workflow{Name: "chain2", Functions: []dag.Function{fn("A"), fn("B")}, Steps: []dag.Step{task("A", "A"), task("B", "B")}}
	lat := func(p *platform.Platform) float64 {
		res, err := Run(w, dag.UniformPlan(1536), 1, Options{Platform: p, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		return res.DAGs[0].Latency
	}
	p := azureTestPlatform()
	p.ReplayLatency, p.ReplayPerStep, p.ReplayBytesPerS = 0.02, 0.002, 1e6
	near(t, "added latency", lat(p)-lat(noReplay(azureTestPlatform())), 0.0735, 1e-9)
}

// TestPollingByHand: control-queue polling back-off (50 ms minimum, 30 s maximum) on a one-task
// workflow of 1 s without data, replay taking no time, arrivals at 0, 10 and 200 s. After a
// message found at a, the poller polls at a + 0.05, 0.15, 0.30, 0.55, 1.00, 1.85, 3.50, 6.75,
// 13.20, 26.05, 51.70 (gaps 0.05, 0.10, 0.15, 0.25, 0.45, 0.85, 1.65, 3.25, 6.45, 12.85, 25.65),
// then every 30 s.
//
//	DAG 0: its start is found at 0 (a fresh poller); the task runs 0.05..1.05; its completion
//	       waits for the poll at 1.85: latency 1.85.
//	DAG 1: arrives at 10, after 8.15 s idle: found at 1.85 + 13.20 = 15.05 (5.05 s later); the
//	       task runs 15.10..16.10; found at 15.05 + 1.85 = 16.90: latency 6.90.
//	DAG 2: arrives at 200: the poller polls every 30 s since 16.90 + 51.70 = 68.60: found at
//	       218.60 (18.60 s later, below the 30 s maximum); runs 218.65..219.65; found at 218.60 +
//	       1.85 = 220.45: latency 20.45.
func TestPollingByHand(t *testing.T) {
	w := &dag.Workflow{Name: "one", Functions: []dag.Function{{Name: "A", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}},
		Steps: []dag.Step{task("A", "A")}}
	p := azureTestPlatform()
	p.ReplayLatency, p.ReplayPerStep, p.ReplayBytesPerS = 0, 0, 0
	p.QueuePollingMin, p.QueuePollingMax = 0.05, 30
	p.KeepAlive = 1e4 // warm throughout
	res, err := RunArrivals(w, dag.UniformPlan(1536), []float64{0, 10, 200}, Options{Platform: p, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{1.85, 6.90, 20.45} {
		near(t, "latency", res.DAGs[i].Latency, want, 1e-9)
	}
}

// TestObservedMemoryBillingByHand: azure-durable bills an execution the memory its invocations
// use, rounded up to 128 MB and at most the instance's 1,536 MB, not the instance's size. Items
// of 0.5 core-s needing 300 MB each, no data, warm, in one bundle of b items sharing the one vCPU
// (b x 0.5 s each): b = 1 uses 300 MB, billed 384 MB for 0.5 s; b = 4 uses 1,200 MB, billed
// 1,280 MB for 2 s; b = 5 uses 1,500 MB, billed 1,536 MB for 2.5 s (a plan may not bundle more
// than the instance holds). So against billing the instance's 1.5 GB (billed_memory_quantum_mb 0,
// as Flex Consumption and AWS bill) the run costs duration x (1.5 - billed GB) x $0.000016 less:
// 0.5 x 1.125, 2 x 0.25 and 0 x $0.000016.
func TestObservedMemoryBillingByHand(t *testing.T) {
	for _, tc := range []struct {
		b      int
		saving float64
	}{{1, 0.5 * 1.125 * 0.000016}, {4, 2 * 0.25 * 0.000016}, {5, 0}} {
		w := &dag.Workflow{Name: "bundle", Functions: []dag.Function{{Name: "W", MinMemoryMB: 300, SerialWork: dag.Const(0.5), Threads: 1}},
			Steps: []dag.Step{{Name: "Fan", Map: &dag.Map{Items: dag.Const(float64(tc.b)), Iterator: []dag.Step{task("W", "W")}}}}}
		plan := &dag.Plan{DefaultMemoryMB: 1536, Bundle: map[string]int{"Fan": tc.b}}
		cost := func(quantum int) float64 {
			p := noReplay(azureTestPlatform())
			p.BilledMemoryQuantumMB = quantum
			res, err := Run(w, plan, 1, Options{Platform: p, Check: true})
			if err != nil {
				t.Fatal(err)
			}
			return res.DAGs[0].Cost
		}
		near(t, fmt.Sprintf("bundle of %d: saving of observed memory", tc.b), cost(0)-cost(128), tc.saving, 1e-15)
	}
}
