package sim

// This file holds a DAG invocation (a run) while it executes: its own random stream, its
// counters and cost, its arrival and its end, which writes its records.DAGRun.

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
)

type runState struct {
	index     int32
	live      bool
	invs      int32
	colds     int32
	trans     int32
	throttled int32   // VM acquisitions that waited for the concurrency limit
	timedOut  bool    // a VM invocation was stopped at the function timeout
	rejected  bool    // a VM acquisition was rejected at the concurrency limit
	failed    bool    // rejected or timed out: nothing more of it starts
	retries   int32   // VM acquisitions retried at the concurrency limit
	cold      bool    // an isolated run whose VMs all start cold (Options.Cold, Options.ColdShare)
	wf        int32   // the workflow (compiled.wfs) it runs
	fnBase    int32   // its workflow's first function: factors[f-fnBase] is function f's run factor
	id        int64   // Replay: the trace's invocation id
	hist      int32   // orchestrator_replay: activities completed so far
	histBytes float64 // orchestrator_replay: bytes of activity inputs and outputs recorded so far
	histBlob  float64 // the part of histBytes offloaded to blobs (offload_bytes)
	arrival   float64
	usd       float64
	lastEnd   float64
	pcg       *rand.PCG
	rng       *rand.Rand
	factors   []float64
	// With Options.OnRun: the run's records and each one's acquisition, and its acquisitions.
	recs         []records.Invocation
	recAcq, acqs []int32
}

// arrive starts DAG invocation i: run i of Run and RunArrivals, or the pending arrival of Replay.
func (e *engine) arrive(i int) {
	wf, id := int32(0), int64(i)
	switch {
	case e.pull != nil:
		wf, id = e.pending.DAG, e.pending.ID
		e.pullNext()
	case e.mode == modeShared && e.next < len(e.arrivals):
		e.schedule(e.arrivals[e.next], evArrival, int32(e.next))
		e.next++
	}
	var ri int32
	if n := len(e.freeRuns); n > 0 {
		ri = e.freeRuns[n-1]
		e.freeRuns = e.freeRuns[:n-1]
	} else {
		pcg := rand.NewPCG(0, 0)
		e.runs = append(e.runs, runState{pcg: pcg, rng: rand.New(pcg)})
		ri = int32(len(e.runs) - 1)
	}
	r := &e.runs[ri]
	w := &e.c.wfs[wf]
	seed := e.seed ^ w.key
	// Each run draws from its own stream, so run i's draws do not depend on how many runs there
	// are or how they interleave; in a replay the stream is keyed by (DAG, invocation id), so a
	// DAG invocation draws the same whatever else is replayed beside it.
	r.pcg.Seed(seed, uint64(id)+1)
	r.index, r.live, r.invs, r.colds, r.trans = int32(id), true, 0, 0, 0
	r.throttled, r.timedOut, r.wf, r.id = 0, false, wf, id
	r.failed, r.rejected, r.retries = false, false, 0
	r.cold = e.mode == modeIsolated && coldRun(e.coldShare, id)
	r.hist, r.histBytes, r.histBlob = 0, 0, 0
	r.arrival, r.usd, r.lastEnd = e.now, 0, e.now
	r.recs, r.recAcq, r.acqs = r.recs[:0], r.recAcq[:0], r.acqs[:0]
	if e.inst != nil && e.mode != modeShared {
		e.restartApp(wf, r.cold) // isolated runs share no instances either
	}
	lo, hi := w.fnLo, w.fnHi
	r.fnBase = lo
	if n := int(hi - lo); cap(r.factors) < n {
		r.factors = make([]float64, n)
	} else {
		r.factors = r.factors[:n]
	}
	for f := lo; f < hi; f++ {
		r.factors[f-lo] = e.c.fns[f].runFactor.factor(r.rng, e.c.quant)
	}
	if d := e.plat.ExecutionOverhead; d > 0 && e.plat.OrchestrationOverhead == platform.OverheadPerExecution {
		// Per-execution orchestration overhead: the first state starts d after the arrival.
		fi := e.newFrame()
		e.frames[fi] = frame{node: w.root, kind: fExec, run: ri, parent: -1, vm: -1, out: -1}
		e.schedule(e.now+d, evBegin, fi)
		return
	}
	e.start(w.root, -1, ri, -1, noSrc, 0, 0)
}

func (e *engine) dagDone(ri int32) {
	r := &e.runs[ri]
	if e.now < r.lastEnd {
		e.fail("run %d ends at %.9f s before its last invocation (%.9f s)", r.index, e.now, r.lastEnd)
	}
	if r.usd < 0 {
		e.fail("run %d has negative cost %g", r.index, r.usd)
	}
	e.out = Outcome{DAG: r.wf, ID: r.id, Arrival: r.arrival, End: e.now, Cost: r.usd, Invocations: r.invs, Events: e.events,
		ColdStarts: r.colds, Transitions: r.trans, Throttled: r.throttled, TimedOut: r.timedOut,
		Rejected: r.rejected, Retries: r.retries}
	if err := e.emit(&e.out); err != nil && e.err == nil {
		e.err = err
	}
	if e.onRun != nil {
		e.streamRun(r, e.out.Record())
	}
	r.live = false
	e.freeRuns = append(e.freeRuns, ri)
	e.finished++
	if e.finished == 1 && e.mode != modeShared && e.total > 1 && e.err == nil {
		e.err = e.isolatedRunsFit()
	}
	if e.mode != modeShared && e.next < e.total {
		// Isolated runs: the next starts when this one ends, so they never share anything.
		e.schedule(e.now, evArrival, int32(e.next))
		e.next++
	}
}

// isolatedRunsFit judges, as the first of e.total isolated runs ends, whether all of them fit in
// one simulation at its pace: they follow one another on one clock (sim.MaxTime) and one event
// sequence (maxSeq). `simulate --runs` of 10^9 runs of a workflow of 1,000 s failed after hours,
// blaming "an arrival this late", and one of 1,000 events a run would pass the events' limit. A
// margin of 2 leaves room for runs slower than the first.
func (e *engine) isolatedRunsFit() error {
	const margin = 2
	n := float64(e.total)
	events, span := float64(e.seq), e.now
	most := n // in float64 until it is known to be below e.total, an int
	if events > 0 {
		most = min(most, math.Floor(maxSeq/(margin*events)))
	}
	if span > 0 {
		most = min(most, math.Floor(MaxTime/(margin*span)))
	}
	if most >= n {
		return nil
	}
	return fmt.Errorf("sim: %d isolated runs at the first run's pace (%.0f events, %.4g s of simulated time) would need about %.3g events and %.3g s, one after another; the simulator holds %d events and %g s (with room for runs twice as long): at most about %d runs in one simulation, or run several with other seeds",
		e.total, events, span, n*events, n*span, int64(maxSeq), float64(MaxTime), max(int(most), 1)) // the first did run
}

// transition counts and bills one Step Functions state transition of run, unless the run has
// failed: a failed execution enters no more states (its frames still wait out the latency).
func (e *engine) transition(run int32) {
	r := &e.runs[run]
	if r.failed {
		return
	}
	r.trans++
	r.usd += e.plat.TransitionUSD
}

// streamRun completes the costs of run r's records (each invocation's share of its VM, whose
// acquisitions have all been released by now), hands them to Options.OnRun and recycles the run's
// acquisition records.
func (e *engine) streamRun(r *runState, d records.DAGRun) {
	for k := range r.recs {
		if a := r.recAcq[k]; a >= 0 && e.acqs[a].n > 0 {
			r.recs[k].Cost += e.acqs[a].usd / float64(e.acqs[a].n)
		}
		if r.recs[k].Cost < 0 {
			e.fail("run %d: invocation %d has cost %g", r.index, k, r.recs[k].Cost)
		}
	}
	if err := e.onRun(d, r.recs); err != nil && e.err == nil {
		e.err = err
	}
	e.freeAcqs = append(e.freeAcqs, r.acqs...)
	r.recs, r.recAcq, r.acqs = r.recs[:0], r.recAcq[:0], r.acqs[:0]
}

// record adds an activity's input or output of b bytes to run's history (orchestrator_replay).
func (e *engine) record(run int32, b float64) {
	r := &e.runs[run]
	r.histBytes += b
	if o := e.plat.OffloadBytes; o > 0 && b > o {
		r.histBlob += b
	}
}

// poll returns how long a message enqueued now for run's orchestrator waits for its workflow's
// control-queue poller (Platform.QueuePollingMin/Max; 0 when off), and records the poll that finds
// it. The poller found a message at a = polled[wf] (0 at the start: a fresh poller) and polls
// again at a + min, then after gaps of min x (1 + 2^(k-1)), k = 1, 2, ..., each at most max.
func (e *engine) poll(run int32) float64 {
	if e.polled == nil {
		return 0
	}
	m, mx := e.plat.QueuePollingMin, e.plat.QueuePollingMax
	wf := e.runs[run].wf
	a, t := e.polled[wf], e.now
	if t <= a {
		return a - t // found by the poll that finds the messages before it
	}
	f, gap, k := a, m, 0.0
	for {
		if f+gap >= t {
			f += gap
			break
		}
		if gap >= mx {
			f += math.Ceil((t-f)/mx) * mx
			break
		}
		f += gap
		gap = min(m+m*math.Exp2(k), mx)
		k++
	}
	e.polled[wf] = f
	return f - t
}

// resume returns how long the orchestrator of run takes to resume and replay its history
// (Platform.OrchestratorReplay), and bills the replay to the run as one orchestrator execution.
func (e *engine) resume(run int32) float64 {
	p := e.plat
	r := &e.runs[run]
	d := p.ReplayLatency + p.ReplayPerStep*float64(r.hist)
	if p.ReplayBytesPerS > 0 {
		// History rows load from the table; payloads offloaded to blobs are fetched from them,
		// one connection's bandwidth.
		d += (r.histBytes-r.histBlob)/p.ReplayBytesPerS + r.histBlob/p.ConnectionBps
	}
	r.usd += p.ResumeUSD(d)
	return d
}

// coldRun reports whether isolated run i starts cold at cold share s (Options.ColdShare): the
// runs where floor((i+1) s) steps up, s of them spread evenly.
func coldRun(s float64, i int64) bool {
	return s > 0 && math.Floor(float64(i+1)*s) > math.Floor(float64(i)*s)
}
