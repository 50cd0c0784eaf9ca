package sim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// erlangB is the Erlang-B blocking probability of n servers under offered load a = lambda/mu,
// by the recurrence B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)).
func erlangB(n int, a float64) float64 {
	b := 1.0
	for k := 1; k <= n; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// erlangC is the Erlang-C probability that an arrival waits, n servers, offered load a < n.
func erlangC(n int, a float64) float64 {
	b := erlangB(n, a)
	return float64(n) * b / (float64(n) - a*(1-b))
}

// mmnPlatform has no orchestration or storage delay, so a DAG invocation of one task is one
// request to an M/M/n system of limit servers: it acquires a VM the moment it arrives.
func mmnPlatform(limit int, atLimit string) *platform.Platform {
	p := testPlatform()
	p.TransitionLatency, p.StorageGetLatency, p.StoragePutLatency = 0, 0, 0
	p.ConcurrencyLimit = limit
	p.AtConcurrencyLimit = atLimit
	return p
}

// poissonReplay replays n Poisson arrivals (rate lambda) of ws[0] and returns, per batch of n/batches
// consecutive arrivals (by arrival), the fraction for which hit is true.
func poissonReplay(t *testing.T, ws []Workload, n, batches int, lambda float64, opt Options, hit func(*Outcome) bool) []float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(opt.Seed, 0))
	now, i := 0.0, 0
	next := func(a *Arrival) (bool, error) {
		if i == n {
			return false, nil
		}
		now += rng.ExpFloat64() / lambda
		*a = Arrival{Time: now, DAG: 0, ID: int64(i)}
		i++
		return true, nil
	}
	per := n / batches
	counts := make([]float64, batches)
	_, err := Replay(ws, next, func(o *Outcome) error {
		if hit(o) {
			counts[min(int(o.ID)/per, batches-1)]++
		}
		return nil
	}, opt)
	if err != nil {
		t.Fatal(err)
	}
	for b := range counts {
		counts[b] /= float64(per)
	}
	return counts
}

// meanSE is the mean of batch means and its standard error.
func meanSE(x []float64) (mean, se float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(x)-1) / float64(len(x)))
}

// TestErlang: Poisson arrivals (3/s), exponential service (mean 1 s: one task whose serial work
// is exponential, at 1769 MB = 1 vCPU), no cold start and a limit of 5. Under "reject" the
// fraction of DAG invocations rejected is the Erlang-B blocking probability B(5, 3) = 0.1101;
// under "queue" the fraction that waited is the Erlang-C probability C(5, 3) = 0.2362. Each is
// measured over 200,000 requests in 20 batches and must lie within 4 standard errors of the
// batch means (the first batch includes the empty start, a bias well inside that).
func TestErlang(t *testing.T) {
	const n, batches, lambda, limit = 200000, 20, 3.0, 5
	w := &dag.Workflow{Name: "mmn",
		Functions: []dag.Function{{Name: "F", MinMemoryMB: 128, SerialWork: dag.Dist{Kind: dag.Exponential, Mean: 1}, Threads: 1}},
		Steps:     []dag.Step{task("S", "F")}}
	ws := []Workload{{Workflow: w, Plan: dag.UniformPlan(1769), Key: 1}}
	for _, tc := range []struct {
		atLimit string
		want    float64
		hit     func(*Outcome) bool
	}{
		{platform.LimitReject, erlangB(limit, lambda), func(o *Outcome) bool { return o.Rejected }},
		{platform.LimitQueue, erlangC(limit, lambda), func(o *Outcome) bool { return o.Throttled > 0 }},
	} {
		opt := Options{Platform: mmnPlatform(limit, tc.atLimit), Seed: 3}
		mean, se := meanSE(poissonReplay(t, ws, n, batches, lambda, opt, tc.hit))
		t.Logf("%s: expected %.4f, measured %.4f +- %.4f (1 SE over %d requests)", tc.atLimit, tc.want, mean, se, n)
		if math.Abs(mean-tc.want) > 4*se {
			t.Errorf("%s: measured %.4f, want %.4f within 4 SE (%.4f)", tc.atLimit, mean, tc.want, 4*se)
		}
	}
}

// TestRetryByHand: a limit of one VM, one task of 10 s (1 vCPU, no cold start, no data),
// transitions of 0.05 s, retries every 1 s with backoff 2.
//
//	#1 arrives at 0: transition -> 0.05, VM granted, computes 10 s -> releases at 10.05.
//	#2 arrives at 0.1: transition -> 0.15, over the limit. Retry 1 at 0.15 + 1 = 1.15, retry 2 at
//	   1.15 + 2 = 3.15, retry 3 at 3.15 + 4 = 7.15, each over the limit again.
//	   With 3 attempts it is rejected at 7.15: latency 7.05, 1 + 3 transitions.
//	   With 4, retry 4 at 7.15 + 8 = 15.15 takes the warm VM and ends at 25.15: 1 + 4 transitions.
func TestRetryByHand(t *testing.T) {
	ws := []Workload{{Workflow: oneTask("A", 10, 0), Plan: dag.UniformPlan(1769), Key: 1}}
	for _, tc := range []struct {
		attempts       int
		rejected       bool
		end            float64
		transitions    int32
		retries        int64
		rejectedInRuns int64
	}{{3, true, 7.15, 4, 3, 1}, {4, false, 25.15, 5, 4, 0}} {
		p := mmnPlatform(1, platform.LimitRetry)
		p.TransitionLatency = 0.05
		p.RetryInterval, p.RetryBackoffRate, p.RetryMaxAttempts = 1, 2, tc.attempts
		out, st := replayAll(t, ws, []Arrival{{0, 0, 1}, {0.1, 0, 2}}, Options{Platform: p})
		var o Outcome
		for _, x := range out {
			if x.ID == 2 {
				o = x
			}
		}
		near(t, "end of #2", o.End, tc.end, 1e-9)
		if o.Rejected != tc.rejected || o.Retries != int32(tc.retries) || o.Transitions != tc.transitions {
			t.Errorf("%d attempts: #2 rejected %v, retries %d, transitions %d; want %v, %d, %d",
				tc.attempts, o.Rejected, o.Retries, o.Transitions, tc.rejected, tc.retries, tc.transitions)
		}
		near(t, "cost of #2 beyond its VM", o.Cost-costOfVM(p, o), float64(tc.transitions)*p.TransitionUSD, 1e-12)
		if st.Retries != tc.retries || st.Rejected != tc.rejectedInRuns {
			t.Errorf("%d attempts: stats %+v, want %d retries and %d rejected", tc.attempts, st, tc.retries, tc.rejectedInRuns)
		}
	}
}

// TestRunMarksFailedDAGRecords: the DAG records of sim.Run say which runs failed and why, so a
// profiler can leave them out (a failed run's later steps never ran) and a summary can count
// them. TestRejectMidDAG's workflow alone under a limit of one is rejected in every run; a task
// of 1,000 core-s times out at 900 s in every run; with no limit and no timeout neither fails.
func TestRunMarksFailedDAGRecords(t *testing.T) {
	par := &dag.Workflow{Name: "par",
		Functions: []dag.Function{
			{Name: "X", MinMemoryMB: 128, SerialWork: dag.Const(2), Threads: 1},
			{Name: "Y", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}},
		Steps: []dag.Step{{Name: "P", Parallel: [][]dag.Step{{task("X", "X")}, {task("Y", "Y")}}}}}
	long := oneTask("long", 1000, 0)
	for _, tc := range []struct {
		name              string
		w                 *dag.Workflow
		p                 *platform.Platform
		rejected, timeout bool
	}{
		{"rejected", par, mmnPlatform(1, platform.LimitReject), true, false},
		{"timed out", long, testPlatform(), false, true},
		{"fine", par, testPlatform(), false, false},
	} {
		res, err := Run(tc.w, dag.UniformPlan(1769), 3, Options{Platform: tc.p, Check: true})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, d := range res.DAGs {
			if d.Rejected != tc.rejected || d.TimedOut != tc.timeout {
				t.Errorf("%s: run %d rejected %v, timed out %v; want %v, %v", tc.name, d.Run, d.Rejected, d.TimedOut, tc.rejected, tc.timeout)
			}
		}
		want := 0
		if tc.timeout {
			want = 3
		}
		if res.Summary.TimedOut != want {
			t.Errorf("%s: Summary.TimedOut = %d, want %d", tc.name, res.Summary.TimedOut, want)
		}
	}
}

// costOfVM is what the 10 s VM invocation of TestRetryByHand bills, when o ran one.
func costOfVM(p *platform.Platform, o Outcome) float64 {
	if o.Rejected {
		return 0
	}
	return 10*1769.0/1024*p.GBSecondUSD + p.RequestUSD
}

// TestRejectMidDAG: a failed DAG invocation frees what it holds. A Parallel P of X (2 s) and Y
// (1 s), then Z, under a limit of one, transitions of 0.05 s: P's transition ends at 0.05, X's
// and Y's at 0.10; X gets the VM, Y is rejected, and the DAG invocation has failed. X runs to
// 2.10; Z's state is then skipped at once (a failed execution enters no more states: no
// latency, no VM, no transition billed): the DAG invocation ends at 2.10, having paid X's VM and
// three transitions (P, X, Y). Another
// workflow's DAG invocation at 5 then runs whole; the engine's end-of-run checks (nothing left
// running, every frame ended) pass.
func TestRejectMidDAG(t *testing.T) {
	w := &dag.Workflow{Name: "par",
		Functions: []dag.Function{
			{Name: "X", MinMemoryMB: 128, SerialWork: dag.Const(2), Threads: 1},
			{Name: "Y", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1},
			{Name: "Z", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}},
		Steps: []dag.Step{{Name: "P", Parallel: [][]dag.Step{{task("X", "X")}, {task("Y", "Y")}}}, task("Z", "Z")}}
	p := mmnPlatform(1, platform.LimitReject)
	p.TransitionLatency = 0.05
	ws := []Workload{{Workflow: w, Plan: dag.UniformPlan(1769), Key: 1}, {Workflow: oneTask("B", 1, 0), Plan: dag.UniformPlan(1769), Key: 2}}
	out, st := replayAll(t, ws, []Arrival{{0, 0, 1}, {5, 1, 2}}, Options{Platform: p})
	if len(out) != 2 || !out[0].Rejected || out[1].Rejected || st.Rejected != 1 {
		t.Fatalf("outcomes %+v, stats %+v: want #1 rejected, #2 not", out, st)
	}
	near(t, "end of #1", out[0].End, 2.10, 1e-9)
	if out[0].Transitions != 3 || out[0].Invocations != 1 {
		t.Errorf("#1: %d transitions, %d invocations; want 3 and 1 (X only)", out[0].Transitions, out[0].Invocations)
	}
	near(t, "cost of #1", out[0].Cost, 3*p.TransitionUSD+2*1769.0/1024*p.GBSecondUSD+p.RequestUSD, 1e-12)
	if out[1].Invocations != 1 || out[1].Transitions != 1 {
		t.Errorf("#2: %d invocations, %d transitions; want 1 and 1", out[1].Invocations, out[1].Transitions)
	}
}

// TestStepRetryByHand: a Task imported from ASL with a Retry on
// Lambda.TooManyRequestsException (IntervalSeconds 2, BackoffRate 3, MaxAttempts 2) retries
// with its own settings whatever at_concurrency_limit says (the platform's retry_* stay at
// 1 s, 2.0 and 3). A limit of one VM, the first DAG invocation's task holds it for 10 s
// (1 vCPU, no cold start, no data), transitions of 0.05 s:
//
//	#1 arrives at 0: transition -> 0.05, VM granted, computes 10 s -> releases at 10.05.
//	#2 arrives at 0.1: transition -> 0.15, over the limit. Retry 1 at 0.15 + 2 = 2.15, retry 2
//	   at 2.15 + 2 x 3 = 8.15, over the limit again: its retries ran out, it fails at 8.15
//	   with 1 + 2 transitions.
//	With MaxDelaySeconds 4 and MaxAttempts 3: retry 2 at 2.15 + 4 = 6.15, retry 3 at 10.15
//	   takes the warm VM and ends at 20.15, 1 + 3 transitions.
func TestStepRetryByHand(t *testing.T) {
	side := `{"functions":{"S":{"min_memory_mb":128,"serial_work_s":10,"threads":1}}}`
	for _, tc := range []struct {
		retrier     string
		rejected    bool
		end         float64
		transitions int32
		retries     int32
	}{
		{`"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":2`, true, 8.15, 3, 2},
		{`"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":3,"MaxDelaySeconds":4`, false, 20.15, 4, 3},
	} {
		asl := `{"StartAt":"S","States":{"S":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,
			"Retry":[{"ErrorEquals":["Lambda.TooManyRequestsException"],` + tc.retrier + `}]}}}`
		w, err := dag.ParseASL("s.asl.json", []byte(asl), "s.functions.json", []byte(side))
		if err != nil {
			t.Fatal(err)
		}
		ws := []Workload{{Workflow: w, Plan: dag.UniformPlan(1769), Key: 1}}
		for _, atLimit := range []string{platform.LimitQueue, platform.LimitReject, platform.LimitRetry} {
			p := mmnPlatform(1, atLimit)
			p.TransitionLatency = 0.05
			out, st := replayAll(t, ws, []Arrival{{0, 0, 1}, {0.1, 0, 2}}, Options{Platform: p})
			var o Outcome
			for _, x := range out {
				if x.ID == 2 {
					o = x
				}
			}
			near(t, atLimit+": end of #2", o.End, tc.end, 1e-9)
			if o.Rejected != tc.rejected || o.Retries != tc.retries || o.Transitions != tc.transitions {
				t.Errorf("%s, %s: #2 rejected %v, retries %d, transitions %d; want %v, %d, %d", atLimit, tc.retrier,
					o.Rejected, o.Retries, o.Transitions, tc.rejected, tc.retries, tc.transitions)
			}
			if st.Retries != int64(tc.retries) {
				t.Errorf("%s: %d retries in the stats, want %d", atLimit, st.Retries, tc.retries)
			}
		}
	}
}

// TestStepRetryQueueFails: under "queue", a DAG invocation whose step ran out of retries starts
// nothing more, even what waited in the queue. A Parallel of X (a Retry that never retries,
// MaxAttempts 0) and Y, behind a 10 s task of another DAG invocation holding the one VM: Y
// queues, X fails at once, and when the VM frees at 10.05 Y is abandoned, not run.
func TestStepRetryQueueFails(t *testing.T) {
	fn := func(name string, work float64) dag.Function {
		return dag.Function{Name: name, MinMemoryMB: 128, SerialWork: dag.Const(work), Threads: 1}
	}
	w := &dag.Workflow{Name: "par", Functions: []dag.Function{fn("X", 1), fn("Y", 1)},
		Steps: []dag.Step{{Name: "P", Parallel: [][]dag.Step{
			{{Name: "Y", Task: "Y"}},
			{{Name: "X", Task: "X", Retry: &dag.Retry{Interval: 1, BackoffRate: 2, MaxAttempts: 0}}}}}}}
	p := mmnPlatform(1, platform.LimitQueue)
	p.TransitionLatency = 0.05
	ws := []Workload{{Workflow: oneTask("A", 10, 0), Plan: dag.UniformPlan(1769), Key: 1}, {Workflow: w, Plan: dag.UniformPlan(1769), Key: 2}}
	out, st := replayAll(t, ws, []Arrival{{0, 0, 1}, {0.1, 1, 2}}, Options{Platform: p})
	for _, o := range out {
		if o.ID != 2 {
			continue
		}
		if !o.Rejected || o.Invocations != 0 || o.Throttled != 1 {
			t.Errorf("#2: rejected %v, %d invocations, throttled %d; want true, 0, 1", o.Rejected, o.Invocations, o.Throttled)
		}
		near(t, "end of #2", o.End, 10.05, 1e-9)
	}
	if st.Rejected != 1 {
		t.Errorf("stats %+v, want 1 rejected", st)
	}
}
