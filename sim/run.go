package sim

import (
	"fmt"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/stats"
)

// Options tunes a simulation. The zero value is a warm, seed-0 run on platform.Default().
type Options struct {
	Platform *platform.Platform // nil means platform.Default()
	Seed     uint64
	// Cold makes every VM of independent runs (Run) cold; by default they are warm, as a
	// profiler's back-to-back runs are after the first. RunArrivals ignores it: there, cold
	// starts emerge from the arrival pattern and the keep-alive.
	Cold bool
	// KeepInvocations fills Result.Invocations (one record per function invocation).
	KeepInvocations bool
	// Check adds O(VM size) consistency checks on every rate computation (CPU never
	// over-allocated). The O(1) invariants (clock monotone, each invocation ends once, costs
	// non-negative, a DAG ends after its invocations) are always checked.
	Check bool
}

// Run executes n independent runs of w under p, one after another, as a profiler does: each
// run starts when the previous one ends and shares nothing with it (VMs are all warm, or all
// cold with Options.Cold). Run i draws from its own random stream, so the first k runs are the
// same whatever n is.
func Run(w *dag.Workflow, p *dag.Plan, runs int, opt Options) (*Result, error) {
	if runs < 1 {
		return nil, fmt.Errorf("sim: runs = %d, want >= 1", runs)
	}
	mode := modeWarm
	if opt.Cold {
		mode = modeCold
	}
	e, err := prepare(w, p, mode, runs, opt)
	if err != nil {
		return nil, err
	}
	e.next = 1
	e.schedule(0, evArrival, 0)
	return e.finish()
}

// RunArrivals executes one DAG invocation per arrival time (seconds, non-decreasing). The
// invocations share warm pools and the account's concurrency limit, so cold starts and
// queueing emerge from the arrival pattern.
func RunArrivals(w *dag.Workflow, p *dag.Plan, arrivals []float64, opt Options) (*Result, error) {
	if len(arrivals) == 0 {
		return nil, fmt.Errorf("sim: no arrivals")
	}
	for i, t := range arrivals {
		if math.IsNaN(t) || math.IsInf(t, 0) || t < 0 {
			return nil, fmt.Errorf("sim: arrival %d is %v s, want a finite time >= 0", i, t)
		}
		if i > 0 && t < arrivals[i-1] {
			return nil, fmt.Errorf("sim: arrival %d (%v s) is before arrival %d (%v s); arrivals must be sorted", i, t, i-1, arrivals[i-1])
		}
	}
	e, err := prepare(w, p, modeShared, len(arrivals), opt)
	if err != nil {
		return nil, err
	}
	e.arrivals = arrivals
	e.next = 1
	e.schedule(arrivals[0], evArrival, 0)
	return e.finish()
}

// PoissonArrivals returns the arrival times of a Poisson process of rate per second over
// [0, duration), from stream (seed, 0) of its own.
func PoissonArrivals(rate, duration float64, seed uint64) []float64 {
	if !(rate > 0) || !(duration > 0) || math.IsInf(rate, 0) || math.IsInf(duration, 0) {
		return nil
	}
	r := rand.New(rand.NewPCG(seed, 0))
	var out []float64
	for t := r.ExpFloat64() / rate; t < duration; t += r.ExpFloat64() / rate {
		out = append(out, t)
	}
	return out
}

func prepare(w *dag.Workflow, p *dag.Plan, mode poolMode, total int, opt Options) (*engine, error) {
	if w == nil || p == nil {
		return nil, fmt.Errorf("sim: nil workflow or plan")
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if err := p.Validate(w); err != nil {
		return nil, err
	}
	plat := opt.Platform
	if plat == nil {
		plat = platform.Default()
	}
	if err := plat.Validate(); err != nil {
		return nil, err
	}
	e := newEngine(compile(w, p, plat), plat, mode, opt)
	e.total = total
	e.dags = make([]records.DAGRun, total)
	return e, nil
}

func (e *engine) finish() (*Result, error) {
	start := e.now
	if len(e.arrivals) > 0 {
		start = e.arrivals[0]
	} else {
		start = 0
	}
	if err := e.loop(); err != nil {
		return nil, err
	}
	e.flushDirty()
	if n := len(e.slots) - len(e.freeSlots); n != 0 {
		return nil, fmt.Errorf("sim: invariant violated: %d invocations started but never ended", n)
	}
	if n := len(e.frames) - len(e.freeFrames); n != 0 {
		return nil, fmt.Errorf("sim: invariant violated: %d steps started but never ended", n)
	}
	e.liveSum += float64(e.live) * (e.now - e.liveT)
	res := &Result{DAGs: e.dags}
	if e.keep {
		for i := range e.invs {
			if a := e.invAcq[i]; a >= 0 && e.acqs[a].n > 0 {
				e.invs[i].Cost += e.acqs[a].usd / float64(e.acqs[a].n)
			}
			if e.invs[i].Cost < 0 {
				return nil, fmt.Errorf("sim: invariant violated: invocation %d has cost %g", i, e.invs[i].Cost)
			}
		}
		res.Invocations = e.invs
	}
	res.Summary = Summarize(e.dags)
	res.Summary.Events = e.events
	res.Summary.PeakLiveVMs = e.peak
	if span := e.now - start; span > 0 {
		res.Summary.MeanLiveVMs = e.liveSum / span
	}
	return res, nil
}

// Summarize computes the latency percentiles, mean cost and cold-start fraction of DAG records
// (the live-instance figures and event count need the engine and stay zero).
func Summarize(dags []records.DAGRun) Summary {
	s := Summary{Runs: len(dags)}
	if len(dags) == 0 {
		return s
	}
	lat := make([]float64, len(dags))
	var cost, sum float64
	var invs, colds int
	for i, d := range dags {
		lat[i] = d.Latency * 1000
		sum += lat[i]
		cost += d.Cost
		invs += d.Invocations
		colds += d.ColdStarts
	}
	slices.Sort(lat)
	s.P50 = stats.Percentile(lat, 50)
	s.P95 = stats.Percentile(lat, 95)
	s.P99 = stats.Percentile(lat, 99)
	s.MeanLatency = sum / float64(len(dags))
	s.MeanCost = cost / float64(len(dags))
	if invs > 0 {
		s.ColdStartFraction = float64(colds) / float64(invs)
	}
	return s
}

// reset readies a finished engine for another simulation of the same workflow, plan and
// arrivals, keeping every buffer it has grown (benchmarks use it to measure the steady state).
func (e *engine) reset() {
	for t := range e.pools {
		for _, vi := range e.pools[t].buf[e.pools[t].head:] {
			e.vms[vi].state = vmFree
			e.freeVMs = append(e.freeVMs, vi)
		}
		e.pools[t].buf, e.pools[t].head, e.pools[t].pending = e.pools[t].buf[:0], 0, false
	}
	e.evq.reset()
	e.now, e.seq, e.events, e.err = 0, 0, 0, nil
	e.busy, e.live, e.peak, e.nextVM, e.liveT, e.liveSum = 0, 0, 0, 0, 0, 0
	e.next, e.finished = 0, 0
	e.invs, e.invAcq, e.acqs = e.invs[:0], e.invAcq[:0], e.acqs[:0]
}
