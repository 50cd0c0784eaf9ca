package sim

// This file holds a DAG invocation (a run) while it executes: its own random stream, its
// counters and cost, its arrival and its end, which writes its records.DAGRun.

import (
	"math/rand/v2"

	"github.com/wisefuse/wisefuse/records"
)

type runState struct {
	index   int32
	live    bool
	invs    int32
	colds   int32
	trans   int32
	arrival float64
	usd     float64
	lastEnd float64
	pcg     *rand.PCG
	rng     *rand.Rand
	factors []float64
}

func (e *engine) arrive(i int) {
	if e.mode == modeShared && e.next < len(e.arrivals) {
		e.schedule(e.arrivals[e.next], evArrival, int32(e.next))
		e.next++
	}
	var ri int32
	if n := len(e.freeRuns); n > 0 {
		ri = e.freeRuns[n-1]
		e.freeRuns = e.freeRuns[:n-1]
	} else {
		pcg := rand.NewPCG(0, 0)
		e.runs = append(e.runs, runState{pcg: pcg, rng: rand.New(pcg), factors: make([]float64, len(e.c.fns))})
		ri = int32(len(e.runs) - 1)
	}
	r := &e.runs[ri]
	// Each run draws from its own stream, so run i's draws do not depend on how many runs there
	// are or how they interleave.
	r.pcg.Seed(e.seed, uint64(i)+1)
	r.index, r.live, r.invs, r.colds, r.trans = int32(i), true, 0, 0, 0
	r.arrival, r.usd, r.lastEnd = e.now, 0, e.now
	for f := range e.c.fns {
		r.factors[f] = e.c.fns[f].runFactor.Factor(r.rng)
	}
	e.start(e.c.root, -1, ri, -1, noSrc, 0, 0)
}

func (e *engine) dagDone(ri int32) {
	r := &e.runs[ri]
	if e.now < r.lastEnd {
		e.fail("run %d ends at %.9f s before its last invocation (%.9f s)", r.index, e.now, r.lastEnd)
	}
	if r.usd < 0 {
		e.fail("run %d has negative cost %g", r.index, r.usd)
	}
	e.dags[r.index] = records.DAGRun{Run: int(r.index), Arrival: r.arrival, End: e.now, Latency: e.now - r.arrival,
		Cost: r.usd, Invocations: int(r.invs), ColdStarts: int(r.colds), Transitions: int(r.trans)}
	r.live = false
	e.freeRuns = append(e.freeRuns, ri)
	e.finished++
	if e.mode != modeShared && e.next < e.total {
		// Isolated runs: the next starts when this one ends, so they never share anything.
		e.schedule(e.now, evArrival, int32(e.next))
		e.next++
	}
}

func (e *engine) transition(run int32) {
	r := &e.runs[run]
	r.trans++
	r.usd += e.plat.TransitionUSD
}
