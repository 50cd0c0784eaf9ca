package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
)

// replayRecords replays arrivals over ws and returns the outcomes and the function records, in
// the order they finished.
func replayRecords(t *testing.T, ws []Workload, arrivals []Arrival, p *platform.Platform) ([]Outcome, []records.Invocation) {
	t.Helper()
	var invs []records.Invocation
	opt := Options{Platform: p, Check: true, OnRun: func(_ records.DAGRun, in []records.Invocation) error {
		invs = append(invs, in...)
		return nil
	}}
	out, _ := replayAll(t, ws, arrivals, opt)
	return out, invs
}

// TestTimeoutOneTask: one task of 1,000 core-s at 1769 MB (1 vCPU), init 0.5 s, transitions
// 0.05 s, timeout 900 s.
//
//	#0 arrives at 0: transition -> 0.05, cold VM: init -> 0.55, computes until the timeout at
//	   0.55 + 900 = 900.55, where it is stopped: the DAG invocation ends then, timed out, billed
//	   900 s + 0.5 s of init, plus a request and one transition. Its record ends at 900.55 with
//	   900 s of compute.
//	#1 arrives at 1000: transition -> 1000.05, takes the same VM (idle since 900.55, keep-alive
//	   600 s), which was reset at the timeout: it initialises again (cold, 0.5 s), and times out
//	   at 1900.55.
//
// With no timeout (function_timeout_s 0), #0 runs to 0.55 + 1000 = 1000.55, billed 1000.5 s.
func TestTimeoutOneTask(t *testing.T) {
	p := testPlatform()
	ws := []Workload{{Workflow: oneTask("long", 1000, 0.5), Plan: dag.UniformPlan(1769)}}
	gbs := 1769.0 / 1024 * p.GBSecondUSD
	out, invs := replayRecords(t, ws, []Arrival{{0, 0, 0}, {1000, 0, 1}}, p)
	if len(out) != 2 || len(invs) != 2 {
		t.Fatalf("%d outcomes and %d records, want 2 and 2", len(out), len(invs))
	}
	for i, end := range []float64{900.55, 1900.55} {
		o, in := out[i], invs[i]
		if !o.TimedOut || o.Rejected || o.Invocations != 1 || o.ColdStarts != 1 || o.Transitions != 1 {
			t.Errorf("#%d: %+v, want timed out, not rejected, 1 invocation, cold, 1 transition", i, o)
		}
		near(t, "end", o.End, end, 1e-9)
		near(t, "cost", o.Cost, 900.5*gbs+p.RequestUSD+p.TransitionUSD, 1e-12)
		if !in.TimedOut || !in.Cold {
			t.Errorf("#%d record %+v: want timed out and cold", i, in)
		}
		near(t, "record end", in.End, end, 1e-9)
		near(t, "record compute", in.Compute, 900, 1e-9)
		near(t, "record cost", in.Cost, 900.5*gbs+p.RequestUSD, 1e-12)
	}
	if invs[0].VM != invs[1].VM {
		t.Errorf("#1 ran in VM %d, want the reset VM %d", invs[1].VM, invs[0].VM)
	}

	p.FunctionTimeout = 0
	out, invs = replayRecords(t, ws, []Arrival{{0, 0, 0}}, p)
	if out[0].TimedOut || invs[0].TimedOut {
		t.Errorf("no timeout: %+v, %+v", out[0], invs[0])
	}
	near(t, "end without timeout", out[0].End, 1000.55, 1e-9)
	near(t, "cost without timeout", out[0].Cost, 1000.5*gbs+p.RequestUSD+p.TransitionUSD, 1e-12)
}

// TestTimeoutChain: A (1,000 core-s) then B (1 core-s), warm, no data, transitions 0.05 s. A is
// stopped at 0.05 + 900 = 900.05; the DAG invocation has failed, so B never starts: it ends at
// 900.05 with one invocation, one transition and A's 900 s billed.
func TestTimeoutChain(t *testing.T) {
	p := testPlatform()
	w := &dag.Workflow{Name: "chain",
		Functions: []dag.Function{
			{Name: "A", MinMemoryMB: 128, SerialWork: dag.Const(1000), Threads: 1},
			{Name: "B", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}},
		Steps: []dag.Step{task("A", "A"), task("B", "B")}}
	out, invs := replayRecords(t, []Workload{{Workflow: w, Plan: dag.UniformPlan(1769)}}, []Arrival{{0, 0, 0}}, p)
	o := out[0]
	near(t, "latency", o.End-o.Arrival, 900.05, 1e-9)
	if !o.TimedOut || o.Invocations != 1 || o.Transitions != 1 || len(invs) != 1 || invs[0].Step != "A" {
		t.Errorf("%+v, records %+v: want timed out, A only, one transition", o, invs)
	}
	near(t, "cost", o.Cost, 900*1769.0/1024*p.GBSecondUSD+p.RequestUSD+p.TransitionUSD, 1e-12)
}

// TestTimeoutBundle: a Map of 3 items in one bundle at 1769 MB (1 vCPU), items of 400, 1,000
// and 400 core-s, no data, transitions 0.05 s. The map's and the bundle's transitions end at
// 0.10; the three items share the core, 1/3 each, so at the timeout, 0.10 + 900 = 900.10, each
// has done 300 core-s and all three are stopped there. The VM is billed 900 s, a third to each
// record.
func TestTimeoutBundle(t *testing.T) {
	w := &dag.Workflow{Name: "bundle",
		Functions: []dag.Function{{Name: "F", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}},
		Steps:     []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(3), Iterator: []dag.Step{task("T", "F")}}}},
	}
	p := testPlatform()
	plan := &dag.Plan{DefaultMemoryMB: 1769, Bundle: map[string]int{"M": 3}}
	res := runHooked(t, w, plan, 1, Options{Platform: p, KeepInvocations: true, Check: true},
		func(item int32) float64 { return []float64{400, 1000, 400}[item] })
	bill := 900*1769.0/1024*p.GBSecondUSD + p.RequestUSD
	if len(res.Invocations) != 3 {
		t.Fatalf("%d records, want 3", len(res.Invocations))
	}
	for _, in := range res.Invocations {
		if !in.TimedOut {
			t.Errorf("item %d not marked timed out", in.Item)
		}
		near(t, "end", in.End, 900.10, 1e-9)
		near(t, "compute", in.Compute, 900, 1e-9)
		near(t, "cost", in.Cost, bill/3, 1e-12)
	}
	d := res.DAGs[0]
	near(t, "latency", d.Latency, 900.10, 1e-9)
	near(t, "DAG cost", d.Cost, bill+2*p.TransitionUSD, 1e-12)
}

// TestTimeoutRandomWorkflows runs random workflows and plans with a timeout short enough to stop
// many VM invocations mid-flight (fusion groups with spills, bundles, direct passing, maps with a
// concurrency cap), as independent runs and as arrivals under each at_concurrency_limit, with
// every check on: every frame and invocation ends, nothing is left running, records are sound.
func TestTimeoutRandomWorkflows(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	stopped := 0
	for trial := 0; trial < 300; trial++ {
		w, p := randomCase(r)
		if w.Validate() != nil || p.Validate(w) != nil {
			continue
		}
		plat := platform.Default()
		plat.FunctionTimeout = 0.05 + r.Float64()*2
		res, err := Run(w, p, 3, Options{Platform: plat, Seed: uint64(trial), Cold: trial%2 == 0, KeepInvocations: true, Check: true})
		if err != nil {
			t.Fatalf("trial %d: %v\nworkflow %+v\nplan %+v", trial, err, w.Steps, p)
		}
		checkRecords(t, fmt.Sprint("trial ", trial), res)
		for _, in := range res.Invocations {
			if in.TimedOut {
				stopped++
			}
		}
		plat.ConcurrencyLimit = 1 + r.IntN(4)
		plat.KeepAlive = r.Float64() * 5
		plat.AtConcurrencyLimit = []string{platform.LimitQueue, platform.LimitReject, platform.LimitRetry}[trial%3]
		sharedRuntimes(w, p, trial)
		res, err = RunArrivals(w, p, PoissonArrivals(2, 5, uint64(trial)+1), Options{Platform: plat, Seed: uint64(trial), KeepInvocations: true, Check: true})
		if err != nil && err.Error() != "sim: no arrivals" {
			t.Fatalf("trial %d arrivals: %v\nworkflow %+v\nplan %+v", trial, err, w.Steps, p)
		}
		if err == nil {
			checkRecords(t, fmt.Sprint("trial ", trial, " arrivals"), res)
		}
	}
	t.Logf("%d invocations stopped at the timeout", stopped)
	if stopped < 100 {
		t.Fatalf("only %d invocations stopped: the test does not reach the timeout", stopped)
	}
}
