package sim

import (
	"fmt"
	"maps"
	"math"
	"sort"
	"strings"
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
	p.InstanceActivities, p.ScaleTrigger, p.MaxInstances = activities, platform.TriggerNonHTTP, maxInstances
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
	off.InstanceActivities, off.ScaleTrigger, off.MaxInstances = 0, "", 0
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
// (T+130.5 with 200 instances). With an HTTP trigger the scale controller adds an instance per
// second: the groups start at T, T+1 and T+2, the last ending at T+1.5+100.
func TestScaleOutByHand(t *testing.T) {
	w := mapOf(25, 10, 0.5)
	type group struct {
		start, compute float64
		n              int
		cold           bool
	}
	for _, tc := range []struct {
		max     int
		trigger string
		want    []group
		last    float64 // the last end after T
	}{
		{200, platform.TriggerNonHTTP, []group{{0, 100, 10, true}, {30, 100, 10, true}, {60, 50, 5, true}}, 130.5},
		{2, platform.TriggerNonHTTP, []group{{0, 100, 10, true}, {30, 100, 10, true}, {100.5, 50, 5, false}}, 150.5},
		{200, platform.TriggerHTTP, []group{{0, 100, 10, true}, {1, 100, 10, true}, {2, 50, 5, true}}, 101.5},
	} {
		p := instancePlatform(10, tc.max)
		p.ScaleTrigger = tc.trigger
		res, err := Run(w, &dag.Plan{DefaultMemoryMB: 1536}, 1, Options{Platform: p, KeepInvocations: true, Check: true, Cold: true})
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

// slotPlatform is azure-durable with round numbers, polling off, a replay of exactly 1 s and
// orchestrator slots: orchestrators per instance on at most partitions instances.
func slotPlatform(orchestrators, partitions int) *platform.Platform {
	p := azureTestPlatform()
	p.ReplayLatency, p.ReplayPerStep, p.ReplayBytesPerS = 1, 0, 0
	p.InstanceOrchestrators, p.PartitionCount = orchestrators, partitions
	return p
}

// TestOrchestratorSlotsByHand: every resume is a 1 s replay on one of the app's orchestrator
// slots, 5 per instance. A Map of 10 items of no work on one warm instance: the Map's state
// resumes at 0 and begins at 1.05 (1 s replay, 0.05 s transition); its 10 items' resumes find 5
// slots, so 5 replay from 1.05 to 2.05 and 5 from 2.05 to 3.05; the last items begin at 3.10,
// end at once, and the final replay runs 3.10 to 4.10. Without slots every item replays at once
// and the DAG ends at 3.10; with 10 slots too.
func TestOrchestratorSlotsByHand(t *testing.T) {
	w := mapOf(10, 0, 0.5)
	for _, tc := range []struct {
		orchestrators, partitions int
		latency                   float64
	}{{5, 4, 4.10}, {0, 0, 3.10}, {10, 4, 3.10}} {
		res, err := Run(w, &dag.Plan{DefaultMemoryMB: 1536}, 1, Options{Platform: slotPlatform(tc.orchestrators, tc.partitions), Check: true})
		if err != nil {
			t.Fatal(err)
		}
		near(t, fmt.Sprintf("latency with %d orchestrators per instance", tc.orchestrators), res.DAGs[0].Latency, tc.latency, 1e-9)
	}
}

// TestPartitionsByHand: each control queue (partition) is processed by one instance at a time, so
// the orchestrator slots are 5 per instance on at most partition_count instances. A first Map of
// 30 items of 10 core-s (10 activities per instance, the scale controller adding one per second:
// HTTP trigger) leaves the app with 3 instances; a second Map of 30 items of no work then resumes
// 30 orchestrator replays of 1 s at once. With one partition they have 5 slots (6 rounds: the last
// items begin 6 s after the first), with two 10 (3 rounds), with three or four 5 x 3 = 15 (2
// rounds): the DAG ends 4 s, then 1 s sooner, everything before the second Map's items being the
// same.
func TestPartitionsByHand(t *testing.T) {
	w := &dag.Workflow{Name: "two-maps",
		Functions: []dag.Function{{Name: "W", MinMemoryMB: 128, SerialWork: dag.Const(10), Threads: 1, InitTime: dag.Const(0.5)},
			{Name: "Z", MinMemoryMB: 128, SerialWork: dag.Const(0), Threads: 1, InitTime: dag.Const(0.5)}},
		Steps: []dag.Step{{Name: "First", Map: &dag.Map{Items: dag.Const(30), Iterator: []dag.Step{task("W", "W")}}},
			{Name: "Second", Map: &dag.Map{Items: dag.Const(30), Iterator: []dag.Step{task("Z", "Z")}}}}}
	latency := func(partitions int) float64 {
		p := slotPlatform(5, partitions)
		p.ScaleTrigger = platform.TriggerHTTP
		res, err := Run(w, &dag.Plan{DefaultMemoryMB: 1536}, 1, Options{Platform: p, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		return res.DAGs[0].Latency
	}
	one, four := latency(1), latency(4)
	near(t, "latency with 1 partition - with 4", one-four, 4, 1e-9)
	near(t, "latency with 2 partitions - with 4", latency(2)-four, 1, 1e-9)
	near(t, "latency with 3 partitions - with 4 (3 instances)", latency(3)-four, 0, 1e-9)
}

// TestAppConcurrencyLimitByHand: with instances the concurrency limit is per app, and an activity
// beyond it waits in the app's queue. 5 activities of 1 core-s on one warm instance (10 slots):
// with a limit of 3, three share the vCPU for 3 s, then the other two share it for 2 s: the
// last ends 5 s after the first starts, as with no limit (five sharing it for 5 s), but the first
// three end at 3 s; with a limit of 1 they run one after another, 1 s each.
func TestAppConcurrencyLimitByHand(t *testing.T) {
	w := mapOf(5, 1, 0.5)
	for _, tc := range []struct {
		limit int
		ends  []float64 // after the first start, sorted
	}{{2000, []float64{5, 5, 5, 5, 5}}, {3, []float64{3, 3, 3, 5, 5}}, {1, []float64{1, 2, 3, 4, 5}}} {
		p := instancePlatform(10, 200)
		p.ConcurrencyLimit = tc.limit
		res, err := Run(w, &dag.Plan{DefaultMemoryMB: 1536}, 1, Options{Platform: p, KeepInvocations: true, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		t0 := math.Inf(1)
		var ends []float64
		for _, inv := range res.Invocations {
			t0 = math.Min(t0, inv.Start)
			ends = append(ends, inv.End)
		}
		sort.Float64s(ends)
		for i := range ends {
			near(t, fmt.Sprintf("limit %d: end %d", tc.limit, i), ends[i]-t0, tc.ends[i], 1e-9)
		}
	}
}

// TestReplayAppsLimitByHand: in a replay each app (workflow) has its own concurrency limit on a
// platform with instances. A (1 core-s, init 0.5 s) and B (2 core-s, init 0.2 s) arrive at 0 with a
// limit of 1: each app's first activity adds its own cold instance at 0.05 s (after the
// transition), so A ends at 0.05 + 0.5 + 1 = 1.55 s and B at 0.05 + 0.2 + 2 = 2.25 s, together
// (one account-wide VM would make B wait for A).
func TestReplayAppsLimitByHand(t *testing.T) {
	p := instancePlatform(10, 200)
	p.ConcurrencyLimit = 1
	ws := []Workload{{Workflow: oneTask("A", 1, 0.5), Plan: dag.UniformPlan(1536), Key: 1},
		{Workflow: oneTask("B", 2, 0.2), Plan: dag.UniformPlan(1536), Key: 2}}
	out, _ := replayAll(t, ws, []Arrival{{Time: 0, DAG: 0, ID: 1}, {Time: 0, DAG: 1, ID: 2}}, Options{Platform: p, Check: true})
	want := map[int32]float64{0: 1.55, 1: 2.25}
	if len(out) != 2 {
		t.Fatalf("%d outcomes, want 2", len(out))
	}
	for _, o := range out {
		near(t, string(rune('A'+o.DAG))+"'s latency", o.End-o.Arrival, want[o.DAG], 1e-9)
	}
}

// TestBundleResumeByHand: Durable Functions schedules a bundle as one activity, so its work item
// waits for the orchestrator's resume (and slot) as an unbundled item's does. slotPlatform's 1 s
// replay, a Map of 4 items of no work on one warm instance: the Map's state resumes at 0 and
// begins at 1.05; each item, or each bundle of 2, resumes 1.05 to 2.05 and begins at 2.10, ends
// at once, and the final replay ends the DAG at 3.10, bundled or not. With one orchestrator slot
// (one per instance, one partition) the two bundles' resumes run 1.05 to 2.05 and 2.05 to 3.05:
// the second begins at 3.10 and the DAG ends at 4.10; the 4 unbundled items' resumes take until
// 5.05, the DAG ends at 6.10.
func TestBundleResumeByHand(t *testing.T) {
	w := mapOf(4, 0, 0.5)
	for _, tc := range []struct {
		orchestrators, partitions, bundle int
		latency                           float64
	}{{0, 0, 1, 3.10}, {0, 0, 2, 3.10}, {1, 1, 2, 4.10}, {1, 1, 1, 6.10}} {
		plan := &dag.Plan{DefaultMemoryMB: 1536, Bundle: map[string]int{"Fan": tc.bundle}}
		res, err := Run(w, plan, 1, Options{Platform: slotPlatform(tc.orchestrators, tc.partitions), Check: true})
		if err != nil {
			t.Fatal(err)
		}
		near(t, fmt.Sprintf("latency, bundle %d, %d orchestrator slots", tc.bundle, tc.orchestrators), res.DAGs[0].Latency, tc.latency, 1e-9)
	}
}

// TestSpillOnInstancesByHand: a fused group's spilled items are executions of the app, so they
// take slots on its instances as any activity. A task of no work fused with a Map of 3 items of
// 1 core-s, keeping 1 item in the host and spilling 2, one per VM (invoke latency 0), replay
// off, one warm instance of 1 vCPU: the host begins at 0.05, and the host's item and the two
// spills compute side by side on the instance, a third of its vCPU each: 3 s, latency 3.05 s.
// With an instance per execution each has a vCPU: 1 s, latency 1.05 s.
func TestSpillOnInstancesByHand(t *testing.T) {
	w := mapOf(3, 1, 0.5)
	w.Name = "fused"
	w.Functions = append(w.Functions, dag.Function{Name: "A", MinMemoryMB: 128, SerialWork: dag.Const(0), Threads: 1})
	w.Steps = append([]dag.Step{task("A", "A")}, w.Steps...)
	plan := &dag.Plan{DefaultMemoryMB: 1536, Bundle: map[string]int{"Fan": 1}, Fuse: [][]string{{"A", "Fan"}}}
	for _, tc := range []struct {
		activities       int
		latency, compute float64
	}{{10, 3.05, 3}, {0, 1.05, 1}} {
		p := instancePlatform(10, 200)
		if tc.activities == 0 {
			p.InstanceActivities, p.ScaleTrigger, p.MaxInstances = 0, "", 0
		}
		p.InvokeLatency = 0
		res, err := Run(w, plan, 1, Options{Platform: p, KeepInvocations: true, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		near(t, fmt.Sprintf("latency, %d activities per instance", tc.activities), res.DAGs[0].Latency, tc.latency, 1e-9)
		n := 0
		for _, inv := range res.Invocations {
			if inv.Function == "W" {
				n++
				near(t, fmt.Sprintf("item %d compute, %d activities per instance", inv.Item, tc.activities), inv.Compute, tc.compute, 1e-9)
			}
		}
		if n != 3 {
			t.Errorf("%d items ran, want 3", n)
		}
	}
}

// TestSpillsOnDurableFunctions: a fused group's spills on a platform whose executions share
// instance slots, one instance of one activity slot (a platform file's max_instances and
// instance_activities), A of no work fused with a Map of 3 items of 1 core-s, keeping 1 in the
// host and spilling 2, one per execution (invoke latency 0), replay and polling off, warm.
//
// Spills as HTTP executions (spills "http", the built-in Azure platforms' default), one HTTP slot
// per instance: the host takes the activity slot at 0.05 s (the transition), the first spill the
// HTTP slot at once; host item and spill share the instance's vCPU, half each, and end at
// 0.05 + 2 = 2.05 s. The second spill, waiting for the HTTP slot (the scale controller may add no
// instance), takes it then and shares the vCPU with the host, which keeps its half while it
// waits (splitCores): 2 s more, the DAG ends at 4.05 s. Billed (azure-durable: 128 MB quantum,
// $0.000016 per GB-s, $2e-7 per execution): the host 4 s at the 128 MB that A, then one item,
// need (4 x 0.125 x 1.6e-5 = $8e-6), each spill 2 s at 128 MB ($4e-6), each with its execution:
// $8.2e-6 + 2 x $4.2e-6 = $1.66e-5. With all 3 items in the host, 3 s at the 384 MB they need
// at once ($1.8e-5) and one execution: $1.82e-5, $1.6e-6 more (the DAG's cost adds the same
// transition's storage transactions to both).
//
// The same plan where a spill needs an activity slot (spills "invoke", without Durable
// Functions) deadlocks: the host holds the only slot while its spills wait for it; the engine
// says so, naming the Map and the slots. Refused spills (spills "refused") refuse the plan
// before it runs; the same plan with all 3 items in the VM runs on either platform.
func TestSpillsOnDurableFunctions(t *testing.T) {
	w := mapOf(3, 1, 0.5)
	w.Name = "fused"
	w.Functions = append(w.Functions, dag.Function{Name: "A", MinMemoryMB: 128, SerialWork: dag.Const(0), Threads: 1})
	w.Steps = append([]dag.Step{task("A", "A")}, w.Steps...)
	spill := &dag.Plan{DefaultMemoryMB: 1536, Bundle: map[string]int{"Fan": 1}, Fuse: [][]string{{"A", "Fan"}}}
	all := spill.Clone()
	all.Bundle["Fan"] = 3

	http := instancePlatform(1, 1)
	http.ConcurrencyLimit, http.FunctionTimeout, http.InvokeLatency = 1, 0, 0
	http.Spills, http.HTTPInstanceConcurrency = platform.SpillsHTTP, 1
	res, err := Run(w, spill, 1, Options{Platform: http, KeepInvocations: true, Check: true})
	if err != nil {
		t.Fatalf("HTTP spills: %v", err)
	}
	near(t, "HTTP spills: latency", res.DAGs[0].Latency, 4.05, 1e-9)
	// Each VM's invocations share its billed duration and execution.
	vmUSD := map[int]float64{}
	hostVM := -1
	for _, inv := range res.Invocations {
		vmUSD[inv.VM] += inv.Cost
		if inv.Function == "A" {
			hostVM = inv.VM
		}
	}
	if len(vmUSD) != 3 || hostVM < 0 {
		t.Fatalf("HTTP spills: %d VMs, host %d, want 3 with the host", len(vmUSD), hostVM)
	}
	for vm, usd := range vmUSD {
		want := 2*0.125*1.6e-5 + 2e-7
		if vm == hostVM {
			want = 4*0.125*1.6e-5 + 2e-7
		}
		near(t, fmt.Sprintf("HTTP spills: VM %d's cost (host %v)", vm, vm == hostVM), usd, want, 1e-12)
	}
	inVM, err := Run(w, all, 1, Options{Platform: http, KeepInvocations: true, Check: true})
	if err != nil {
		t.Fatalf("all items in the VM: %v", err)
	}
	near(t, "all items in the VM: latency", inVM.DAGs[0].Latency, 3.05, 1e-9)
	near(t, "HTTP spills: cost over all items in the VM", res.DAGs[0].Cost-inVM.DAGs[0].Cost, (8.2e-6+2*4.2e-6)-(3*0.375*1.6e-5+2e-7), 1e-12)

	invoke := instancePlatform(1, 1)
	invoke.ConcurrencyLimit, invoke.FunctionTimeout = 1, 0
	if _, err := Run(w, spill, 1, Options{Platform: invoke}); err == nil ||
		!strings.Contains(err.Error(), `deadlock: spilled items of Map "Fan"`) || !strings.Contains(err.Error(), "max_instances 1, instance_activities 1") {
		t.Errorf("spills in activity slots on a full instance: error %v, want the deadlock named", err)
	}

	refused, err := platform.Parse("tiny.json", []byte(`{"base": "azure-durable", "max_instances": 1, "instance_activities": 1, "concurrency_limit": 1, "function_timeout_s": 0, "spills": "refused"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(w, spill, 1, Options{Platform: refused})
	if err == nil || !strings.Contains(err.Error(), `Map "Fan" runs in a VM with bundle["Fan"] = 1 and up to 3 items`) ||
		!strings.Contains(err.Error(), "Activity functions can only be triggered from an orchestration instance") {
		t.Errorf("spilling plan with spills refused: error %v, want it refused, naming the Map and why", err)
	}
	res, err = Run(w, all, 1, Options{Platform: refused, Check: true})
	if err != nil {
		t.Fatalf("all items in the VM, spills refused: %v", err)
	}
	// The 3 items share the host's vCPU: 3 s, plus under 1 s of transitions, polls and replays.
	if lat := res.DAGs[0].Latency; lat < 3 || lat > 4 {
		t.Errorf("all items in the VM: latency %.3f s, want 3 s of shared compute and less than 1 s of orchestration", lat)
	}
}

// TestHTTPSpillsScaleOutByHand: HTTP-triggered spills make the scale controller add instances at
// the HTTP trigger's rate, at most once per second, though the app's own trigger (Durable
// Functions' queues, non-HTTP) allows one per 30 s (platform.ScaleOutIntervalOf). A of no work
// fused with a Map of 5 items of 1 core-s (cold start 0.5 s), keeping 1 in the host and spilling
// 4, one per execution (invoke latency 0), one HTTP slot per instance, up to 4 instances of one
// vCPU, replay and polling off, warm. The host begins at 0.05 s and spill 1 takes the warm
// instance's HTTP slot, sharing its vCPU with the host: both end at 2.05 s. Spill 2 gets a new
// instance at once (none added yet), ready at 0.55 s: it ends at 1.55 s. Spill 3 gets the next
// one 1 s later, ready at 1.55 s, and ends at 2.55 s; spill 4 takes spill 2's slot at 1.55 s and
// ends at 2.55 s too: latency 2.55 s. At the app's 30 s interval (before)
// spill 3 took that slot at 1.55 s and spill 4 spill 1's at 2.05 s, sharing the vCPU with the
// host, which keeps its half while it waits: latency 4.05 s. The modeler's
// sharedEnd gives the same (wisefuse's TestHTTPSpillsScaleOutByHand).
func TestHTTPSpillsScaleOutByHand(t *testing.T) {
	w := mapOf(5, 1, 0.5)
	w.Name = "fused"
	w.Functions = append(w.Functions, dag.Function{Name: "A", MinMemoryMB: 128, SerialWork: dag.Const(0), Threads: 1})
	w.Steps = append([]dag.Step{task("A", "A")}, w.Steps...)
	plan := &dag.Plan{DefaultMemoryMB: 1536, Bundle: map[string]int{"Fan": 1}, Fuse: [][]string{{"A", "Fan"}}}
	p := instancePlatform(1, 4)
	p.ConcurrencyLimit, p.FunctionTimeout, p.InvokeLatency = 1, 0, 0
	p.Spills, p.HTTPInstanceConcurrency = platform.SpillsHTTP, 1
	res, err := Run(w, plan, 1, Options{Platform: p, KeepInvocations: true, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "latency", res.DAGs[0].Latency, 2.55, 1e-9)
	ends := map[float64]int{}
	for _, inv := range res.Invocations {
		if inv.Function == "W" {
			ends[math.Round((inv.End-res.DAGs[0].Arrival)*100)/100]++
		}
	}
	if want := map[float64]int{2.05: 2, 1.55: 1, 2.55: 2}; !maps.Equal(ends, want) {
		t.Errorf("items end at %v (seconds: count), want %v", ends, want)
	}
}

// TestNestedHTTPSpillsByHand: HTTP spills can still deadlock where spills spill again. A of no
// work fused with Map Outer of 2 items, each a Map Inner of 2 items of 1 core-s, both bundled by
// 1, one warm instance of one vCPU (max_instances 1), invoke latency 0. The host keeps Outer's
// item 0 (whose Inner keeps item 0 and spills item 1: S2) and spills Outer's item 1 (S1, which
// keeps Inner's item 0 and spills item 1: S3). With one HTTP slot S1 takes it and waits for S3,
// which can never start: the deadlock is named. With two, S1 and S2 take them at 0.05 s; the
// host's, S1's and S2's items share the vCPU, a third each, to 3.05 s; S3 then takes S2's slot
// and shares the vCPU with the waiting host and S1 (each keeps its third, splitCores) to 6.05 s.
func TestNestedHTTPSpillsByHand(t *testing.T) {
	w := &dag.Workflow{Name: "nested",
		Functions: []dag.Function{{Name: "A", MinMemoryMB: 128, SerialWork: dag.Const(0), Threads: 1},
			{Name: "W", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1, InitTime: dag.Const(0.5)}},
		Steps: []dag.Step{task("A", "A"), {Name: "Outer", Map: &dag.Map{Items: dag.Const(2), Iterator: []dag.Step{
			{Name: "Inner", Map: &dag.Map{Items: dag.Const(2), Iterator: []dag.Step{task("W", "W")}}}}}}}}
	plan := &dag.Plan{DefaultMemoryMB: 1536, Bundle: map[string]int{"Outer": 1, "Inner": 1}, Fuse: [][]string{{"A", "Outer"}}}
	p := instancePlatform(1, 1)
	p.ConcurrencyLimit, p.FunctionTimeout, p.InvokeLatency = 1, 0, 0
	p.Spills, p.HTTPInstanceConcurrency = platform.SpillsHTTP, 1
	if _, err := Run(w, plan, 1, Options{Platform: p}); err == nil ||
		!strings.Contains(err.Error(), `deadlock: spilled items of Map "Inner"`) || !strings.Contains(err.Error(), `http_instance_concurrency 1, spills "http"`) {
		t.Errorf("one HTTP slot: error %v, want the deadlock named", err)
	}
	p.HTTPInstanceConcurrency = 2
	res, err := Run(w, plan, 1, Options{Platform: p, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "two HTTP slots: latency", res.DAGs[0].Latency, 6.05, 1e-9)
}
