package sim

// This file holds the entry points: the options, Run (independent runs, as a profiler does),
// RunEach (the same runs streamed, none kept) and RunArrivals (a stream of DAG invocations sharing
// warm pools), and the checks and summary when a simulation ends.

import (
	"fmt"
	"math"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
)

// Options tunes a simulation. The zero value is a warm, seed-0 run on platform.Default().
type Options struct {
	Platform *platform.Platform // nil means platform.Default()
	Seed     uint64
	// Cold makes every VM of independent runs (Run, RunEach) cold; by default they are warm, as a
	// profiler's back-to-back runs are after the first. RunArrivals ignores it: there, cold
	// starts emerge from the arrival pattern and the keep-alive.
	Cold bool
	// ColdShare, in [0, 1], makes that share of independent runs cold and the others warm, spread
	// evenly (run i is cold when floor((i+1) ColdShare) > floor(i ColdShare): one in four at
	// 0.25), with no random draw, so each run draws what it draws at any share: a profile of a
	// deployment whose invocations come after its VMs' keep-alive that often. Cold is share 1;
	// RunArrivals ignores it.
	ColdShare float64
	// KeepInvocations fills Result.Invocations (one record per function invocation).
	KeepInvocations bool
	// OnRun, when set, is called as each DAG invocation ends with its record and the records of
	// its function invocations (in the order they ended, costs complete: every VM of a run is
	// released before the run ends). The slice is reused after OnRun returns. Records then stream
	// out instead of accumulating in Result.Invocations, so memory is bounded by the runs in
	// flight; an error from OnRun stops the simulation and is returned.
	OnRun func(d records.DAGRun, invs []records.Invocation) error
	// Check adds O(VM size) consistency checks on every rate computation (CPU never
	// over-allocated). The O(1) invariants (clock monotone, each invocation ends once, costs
	// non-negative, a DAG ends after its invocations) are always checked.
	Check bool
	// OnSeries, when set, receives the time series of instances: one row per SeriesInterval
	// seconds from time 0, each with the time-average running and idle VMs over the interval and
	// its idle GB-seconds, handed out as the interval closes (memory does not grow with the
	// series); the last row covers the part of its interval up to the end. An error from it stops
	// the simulation. Off (nil), it costs nothing.
	OnSeries       func(SeriesRow) error
	SeriesInterval float64 // seconds, > 0 when OnSeries is set
}

// Run executes w under p for the given number of independent runs, one after another, as a
// profiler does: each run starts when the previous one ends and shares nothing with it (VMs are
// all warm, or all cold with Options.Cold). Run i draws from its own random stream, so the first
// k runs are the same whatever the number of runs.
func Run(w *dag.Workflow, p *dag.Plan, runs int, opt Options) (*Result, error) {
	e, err := isolated(w, p, runs, opt)
	if err != nil {
		return nil, err
	}
	return e.finish()
}

// RunEach is Run without keeping the runs: each run's outcome goes to emit as it ends (its ID is
// the run's index; runs end in order), with Options.OnRun its records right after, and nothing of
// a run stays once it has ended, so memory holds one run whatever their number (Run keeps a
// records.DAGRun a run, and with KeepInvocations every function record). It returns the engine's
// figures; the latency and cost summary is emit's to make. The Outcome passed to emit is reused.
func RunEach(w *dag.Workflow, p *dag.Plan, runs int, emit func(*Outcome) error, opt Options) (ReplayStats, error) {
	if emit == nil {
		return ReplayStats{}, fmt.Errorf("sim: RunEach without emit")
	}
	opt.KeepInvocations = false // records stream out, with Options.OnRun
	e, err := isolated(w, p, runs, opt)
	if err != nil {
		return ReplayStats{}, err
	}
	e.emit = emit
	return e.drain(0)
}

// isolated prepares an engine for runs isolated runs, the first scheduled at time 0.
func isolated(w *dag.Workflow, p *dag.Plan, runs int, opt Options) (*engine, error) {
	if runs < 1 {
		return nil, fmt.Errorf("sim: runs = %d, want >= 1", runs)
	}
	if opt.Cold {
		opt.ColdShare = 1 // every run cold
	}
	e, err := prepare(w, p, modeIsolated, runs, opt)
	if err != nil {
		return nil, err
	}
	e.next = 1
	e.schedule(0, evArrival, 0)
	return e, nil
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

// checkSized refuses plan p of w where plat offers only some VM sizes and p, at the sizes its
// VMs get there (platform.Platform.SizeMB, as compile maps them), no longer holds what they run:
// a function below its min_memory_mb, a bundle or fused VM above what the size holds. The plan
// was valid at its own sizes, and the simulation ran it at the platform's without a word (video
// at 4,096 MB on a platform of 128 MB VMs).
func checkSized(w *dag.Workflow, p *dag.Plan, plat *platform.Platform) error {
	choices := plat.MemoryChoices()
	if len(choices) == 0 {
		return nil
	}
	if err := p.Sized(plat.SizeMB).Validate(w); err != nil {
		return fmt.Errorf("on a platform with VM sizes %v MB (a VM gets the smallest at or above the plan's size, else the largest): %w", choices, err)
	}
	return nil
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
	if err := p.CheckSpills(w, plat.NoSpills()); err != nil {
		return nil, err
	}
	if err := checkSized(w, p, plat); err != nil {
		return nil, err
	}
	if err := checkSeries(&opt); err != nil {
		return nil, err
	}
	if s := opt.ColdShare; !(s >= 0 && s <= 1) {
		return nil, fmt.Errorf("sim: cold share = %v, want a share of runs from 0 to 1", s)
	}
	e := newEngine(compile(w, p, plat), plat, mode, opt)
	e.total = total
	return e, nil
}

// finish runs Run's or RunArrivals' engine to the end and keeps every DAG record (in the order of
// the runs: run i ends before run i+1, and an arrival's record goes to its index) and, with
// KeepInvocations, every function record, costs complete.
func (e *engine) finish() (*Result, error) {
	start := 0.0
	if len(e.arrivals) > 0 {
		start = e.arrivals[0]
	}
	dags := make([]records.DAGRun, e.total)
	e.emit = func(o *Outcome) error {
		dags[o.ID] = o.Record()
		return nil
	}
	st, err := e.drain(start)
	if err != nil {
		return nil, err
	}
	res := &Result{DAGs: dags}
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
	res.Summary = summarize(dags, st)
	return res, nil
}

// drain runs the engine until every DAG invocation has ended (or an error), checks that nothing is
// left in flight, and returns its figures over the span from start, the first arrival, to the end.
func (e *engine) drain(start float64) (ReplayStats, error) {
	if err := e.loop(); err != nil {
		return ReplayStats{}, err
	}
	e.flushDirty()
	if n := len(e.slots) - len(e.freeSlots); n != 0 {
		return ReplayStats{}, fmt.Errorf("sim: invariant violated: %d invocations started but never ended", n)
	}
	if n := len(e.frames) - len(e.freeFrames); n != 0 {
		return ReplayStats{}, fmt.Errorf("sim: invariant violated: %d steps started but never ended", n)
	}
	e.liveSum += float64(e.live) * (e.now - e.liveT)
	if err := e.seriesEnd(); err != nil {
		return ReplayStats{}, err
	}
	st := ReplayStats{Arrivals: int64(e.next), Events: e.events, PeakLiveVMs: e.peak, Rejected: e.rejected, Retries: e.retries, Instances: e.nextVM}
	span := e.now - start
	if span > 0 {
		st.MeanLiveVMs = e.liveSum / span
	}
	is := e.instanceStats(span)
	st.MeanRunningVMs, st.MeanIdleVMs, st.MeanLifespanS, st.IdleGBS = is.meanRunning, is.meanIdle, is.meanLifespan, is.idleGBS
	return st, nil
}
