package sim

// This file holds Replay: many workflows on one shared platform, their DAG invocations pulled
// from a stream in arrival order and their outcomes pushed out as they finish, so memory holds
// only what is in flight whatever the stream's length (package replay drives it over a trace).

import (
	"fmt"
	"math"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
)

// Workload is one workflow of a replay and the plan it runs under. Key keys its randomness:
// invocation id of workflow k draws from the stream (Options.Seed ^ Key, id), so a DAG
// invocation draws the same whatever else is replayed beside it (package replay hashes the DAG
// id into it).
type Workload struct {
	Workflow *dag.Workflow
	Plan     *dag.Plan
	Key      uint64
}

// Arrival is one DAG invocation of a replay: when, of which workload (its index), and its id.
type Arrival struct {
	Time float64
	DAG  int32
	ID   int64
}

// Outcome is a finished DAG invocation of a replay. Times in seconds, cost in USD.
type Outcome struct {
	DAG                     int32
	ID                      int64
	Arrival, End            float64
	Cost                    float64
	Invocations, ColdStarts int32
	Transitions             int32
	// Throttled counts its VM acquisitions that waited for the account's concurrency limit.
	Throttled int32
	// Events is the engine's event count when it finished (for progress displays).
	Events int64
	// TimedOut: one of its VM invocations reached Platform.FunctionTimeout and was stopped there
	// (billed up to it), so the DAG invocation failed: it started nothing more and ended when
	// what it had running elsewhere ended (End is its time to failure).
	TimedOut bool
	// Rejected: one of its VM acquisitions failed at the concurrency limit (Platform
	// AtConcurrencyLimit "reject", or "retry" after the last attempt), so the DAG invocation
	// failed. It ended when the work it already had running ended; nothing of it started after.
	Rejected bool
	// Retries counts its VM acquisitions retried at the concurrency limit ("retry").
	Retries int32
}

// Record is o as a DAG-invocation record (records.DAGRun), Run its ID.
func (o *Outcome) Record() records.DAGRun {
	return records.DAGRun{Run: int(o.ID), Arrival: o.Arrival, End: o.End, Latency: o.End - o.Arrival, Cost: o.Cost,
		Invocations: int(o.Invocations), ColdStarts: int(o.ColdStarts), Transitions: int(o.Transitions), TimedOut: o.TimedOut, Rejected: o.Rejected}
}

// ReplayStats describes a finished Replay or RunEach.
type ReplayStats struct {
	Arrivals    int64
	Events      int64
	PeakLiveVMs int
	MeanLiveVMs float64 // time-average of live (busy or idle warm) VMs
	Rejected    int64   // DAG invocations that failed at the concurrency limit
	Retries     int64   // VM acquisitions retried at the concurrency limit
	// As in Summary: time-averages of running and idle VMs, mean VM lifespan, idle GB-seconds;
	// Instances is the VMs created.
	MeanRunningVMs, MeanIdleVMs, MeanLifespanS, IdleGBS float64
	Instances                                           int64
}

// Replay runs every arrival that next yields (in non-decreasing time) through one shared platform
// and hands each finished DAG invocation to emit, in the order they finish. With Options.OnRun
// set, each DAG invocation's function records follow its outcome at once (OnRun is called right
// after emit, for the same DAG invocation; DAGRun.Run is its id), costs complete. next fills its
// argument and returns false at the end; an error from next or emit stops the replay and is
// returned. The Outcome passed to emit is reused: copy what you keep.
func Replay(ws []Workload, next func(*Arrival) (bool, error), emit func(*Outcome) error, opt Options) (ReplayStats, error) {
	if len(ws) == 0 {
		return ReplayStats{}, fmt.Errorf("sim: replay of no workloads")
	}
	plat := opt.Platform
	if plat == nil {
		plat = platform.Default()
	}
	if err := plat.Validate(); err != nil {
		return ReplayStats{}, err
	}
	if err := checkSeries(&opt); err != nil {
		return ReplayStats{}, err
	}
	c := &compiled{}
	for i, wl := range ws {
		if wl.Workflow == nil || wl.Plan == nil {
			return ReplayStats{}, fmt.Errorf("sim: workload %d: nil workflow or plan", i)
		}
		if err := wl.Workflow.Validate(); err != nil {
			return ReplayStats{}, fmt.Errorf("sim: workload %d (%s): %w", i, wl.Workflow.Name, err)
		}
		if err := wl.Plan.Validate(wl.Workflow); err != nil {
			return ReplayStats{}, fmt.Errorf("sim: workload %d (%s): %w", i, wl.Workflow.Name, err)
		}
		if err := wl.Plan.CheckSpills(wl.Workflow, plat.NoSpills()); err != nil {
			return ReplayStats{}, fmt.Errorf("sim: workload %d (%s): %w", i, wl.Workflow.Name, err)
		}
		if err := checkSized(wl.Workflow, wl.Plan, plat); err != nil {
			return ReplayStats{}, fmt.Errorf("sim: workload %d (%s): %w", i, wl.Workflow.Name, err)
		}
		c.add(wl.Workflow, wl.Plan, plat)
		c.wfs[i].key = wl.Key
	}
	opt.KeepInvocations = false // records stream out: outcomes, and with Options.OnRun each run's records
	e := newEngine(c, plat, modeShared, opt)
	e.pull, e.emit = next, emit
	e.total = math.MaxInt // until the source ends
	e.pullNext()
	return e.drain(e.pending.Time)
}

// pullNext takes the next arrival from the source and schedules it; at the end of the source the
// replay's total becomes the arrivals taken, so the loop stops once they have finished.
func (e *engine) pullNext() {
	ok, err := e.pull(&e.pending)
	switch {
	case err != nil:
		if e.err == nil {
			e.err = err
		}
		return
	case !ok:
		e.total = e.next
		return
	}
	a := &e.pending
	switch {
	case math.IsNaN(a.Time) || math.IsInf(a.Time, 0) || a.Time < 0:
		e.err = fmt.Errorf("sim: arrival %d (id %d) at %v s, want a finite time >= 0", e.next, a.ID, a.Time)
	case a.Time < e.lastArr || a.Time < e.now:
		e.err = fmt.Errorf("sim: arrival %d (id %d) at %v s is before the previous one (%v s); arrivals must be sorted", e.next, a.ID, a.Time, max(e.lastArr, e.now))
	case a.DAG < 0 || int(a.DAG) >= len(e.c.wfs):
		e.err = fmt.Errorf("sim: arrival %d (id %d) of workload %d; there are %d", e.next, a.ID, a.DAG, len(e.c.wfs))
	case e.next >= math.MaxInt32:
		e.err = fmt.Errorf("sim: more than %d arrivals in one replay", math.MaxInt32)
	}
	if e.err != nil {
		return
	}
	e.lastArr = a.Time
	// The arrival is e.pending itself, so its event carries no id (ids are bounded by maxEvtID).
	e.schedule(a.Time, evArrival, 0)
	e.next++
}
