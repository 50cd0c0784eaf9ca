package sim

// This file holds the engine: its state, the event loop and scheduling, invariant failures and
// the free lists every pooled kind of state (frames, slots, VMs, handles, runs) is allocated from.
// The rest of the engine is one concept a file:
//
//	dagrun.go      a DAG invocation (run): its random stream, counters and cost, arrival and end
//	frame.go       the frame tree: starting, beginning and finishing step instances
//	mapstep.go     a Map step's fan-out into items, bundles and spills
//	passing.go     where an invocation's input comes from (src) and its output goes (sink)
//	handle.go      direct passing: output held in sender VMs, and the pulls from them
//	vm.go          a VM and the list of invocations running in it
//	acquire.go     acquiring a VM under the concurrency limit, releasing and billing it
//	runtime.go     Photons runtimes that concurrent DAG invocations share
//	instances.go   executions sharing an app's instances, and the scale controller adding them
//	timeout.go     the function timeout: a VM invocation stopped, its DAG invocation failed
//	pool.go        warm pools and keep-alive expiry
//	slot.go        an invocation slot and its phases' resources
//	invocation.go  an invocation's life: work drawn, phases stepped, completion and record
//	sharing.go     rates: CPU by max-min fair processor sharing, network by equal shares
//	heap.go        the event queue
//	compile.go     the flat form of (workflow, plan) the engine runs
//	run.go         the entry points Run and RunArrivals, and the end-of-run checks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
)

// The engine executes a compiled workflow as a tree of frames (one per step instance). A frame is
// either orchestrated (vm < 0: every state it enters costs a Step Functions transition, and tasks
// acquire VMs of their own) or runs inside a VM it or an ancestor acquired (fusion group, bundle,
// spill). Function invocations are slots inside a VM; each slot goes through phases (input
// latency, input, serial compute, parallel compute, output latency, output), and a VM advances
// all its slots together: CPU by max-min fair processor sharing, network by equal shares of the
// VM's cap. A VM has at most one pending event, its next phase completion, versioned so that a
// rescheduled one makes the old one stale.
//
// Rule that keeps the recursion safe: starting a frame never completes it synchronously; every
// completion comes from an event (a zero-length phase completes at the next event at the same
// time). So a parent can start all its children before any of them reports back.

type engine struct {
	plat *platform.Platform
	c    *compiled
	mode poolMode
	seed uint64
	// coldShare is Options.ColdShare (1 with Options.Cold): which isolated runs start cold
	// (runState.cold).
	coldShare float64
	keep      bool
	deep      bool // Options.Check: O(n) checks on every rate computation
	// replay is Platform.OrchestratorReplay: states and DAG ends wait for the orchestrator's
	// replay of its history (dagrun.go, resume).
	replay bool
	// polled is, per workflow (an app's control queue), when the orchestrator's poller last found
	// a message (Platform.QueuePollingMax > 0; dagrun.go, poll).
	polled []float64

	now    float64
	seq    uint64
	evq    queues // the event queue
	events int64
	err    error

	frames      []frame
	freeFrames  []int32
	slots       []slot
	freeSlots   []int32
	vms         []vm
	more        [][]int32 // the slot lists of VMs whose slots outgrew vm.ids
	freeVMs     []int32
	handles     []handle
	freeHandles []int32
	holders     []holder
	freeHolders []int32
	pulls       []pullState // senders with many pullers (handle.go)
	freePulls   []int32
	lazyK       int32 // lazyPullers; tests lower it to cross-check the two ways of sharing a sender
	runs        []runState
	freeRuns    []int32
	pools       []deque
	queue       deque // frames waiting for the concurrency limit
	spillQueue  deque // spills waiting for the concurrency limit, served before queue (acquire)
	dirty       []int32
	scratch     []int32
	outerItems  []int32           // outerItem's enclosing items, reused
	outerBuf    []byte            // outerItem's text, reused
	freeLater   []int32           // slots freed in this event, reusable after it (progress holds slot ids)
	cut         []int32           // the slots of a VM being stopped at its timeout (timeout.go)
	tmo         fifo              // the acquisitions' timeouts, in time order (timeout.go)
	tmoPending  bool              // the tmoPump event is queued
	coldVM      int32             // the VM whose cold start the invocations being started now pay
	spin        platform.SpinMemo // the oversubscription law (sharing.go)
	// skewHook, set only by tests, replaces the ItemSkew draw by a factor chosen per item, so a
	// hand-computed scenario can give a map's items known, different works.
	skewHook func(item int32) float64

	// atLimit is Platform.AtConcurrencyLimit; rejected and retries count the DAG invocations
	// that failed on the limit and the acquisitions retried ("reject", "retry").
	atLimit   uint8
	platRetry dag.Retry // the platform's retry_* settings, under "retry"
	rejected  int64
	retries   int64
	// reuse is Platform.WarmReuse; ownRng is the engine's own stream (Options.Seed, ownStream),
	// apart from every DAG invocation's: "random" reuse and pre-warms' init times draw from it.
	reuse  uint8
	ownRng *rand.Rand
	// hyb is the hybrid keep-alive state per template (nil under "fixed"); prewarmed counts
	// the VMs it pre-warmed.
	hyb       []hybridApp
	prewarmed int64

	// Idle warm VMs: how many, their GB, and both integrated over time (idleChanged).
	idle      int
	idleGB    float64
	idleT     float64
	idleSum   float64
	idleGBSum float64

	inst *instances // executions sharing instances (Platform.InstanceActivities > 0), or nil

	// Photons runtimes shared across DAG invocations (runtime.go): their state, and per
	// template the VMs open to joiners, oldest first (nil unless arrivals run such a template).
	rts     []rtState
	freeRts []int32
	open    [][]int32

	ser *series // the time series of instances (Options.OnSeries), or nil

	busy    int
	live    int
	peak    int
	nextVM  int64
	liveT   float64
	liveSum float64

	// Arrivals: times, index of the next, DAGs finished.
	arrivals []float64
	next     int
	finished int
	total    int

	// Replay: arrivals pulled from a source one ahead (pending is scheduled). Every engine pushes
	// each finished DAG invocation's outcome out (Run's and RunArrivals' keep it in their Result).
	pull    func(*Arrival) (bool, error)
	pending Arrival
	lastArr float64
	emit    func(*Outcome) error
	out     Outcome

	invs   []records.Invocation
	invAcq []int32
	acqs   []acqRecord
	// onRun streams each run's records at its end (Options.OnRun); the records then wait in their
	// run (runState.recs) and acquisition records are recycled through freeAcqs.
	onRun    func(records.DAGRun, []records.Invocation) error
	freeAcqs []int32
}

func newEngine(c *compiled, plat *platform.Platform, mode poolMode, opt Options) *engine {
	e := &engine{plat: plat, c: c, mode: mode, seed: opt.Seed, coldShare: opt.ColdShare, keep: opt.KeepInvocations || opt.OnRun != nil, deep: opt.Check,
		coldVM: -1, lazyK: lazyPullers}
	e.onRun = opt.OnRun
	e.replay = plat.OrchestratorReplay
	if plat.QueuePollingMax > 0 {
		e.polled = make([]float64, len(c.wfs))
	}
	e.pools = make([]deque, len(c.tmpls))
	switch plat.WarmReuse {
	case platform.ReuseNewest:
		e.reuse = reuseNewest
	case platform.ReuseOldest:
		e.reuse = reuseOldest
	case platform.ReuseRandom:
		e.reuse = reuseRandom
	}
	if plat.KeepAlivePolicy == platform.KeepAliveHybrid && mode == modeShared {
		e.hyb = make([]hybridApp, len(c.tmpls))
		nb := int(math.Ceil(plat.HybridRange / plat.HybridBin))
		for t := range e.hyb {
			e.hyb[t].bins = make([]uint32, nb)
			e.hyb[t].pw, e.hyb[t].ka = 0, plat.HybridRange
		}
	}
	if e.reuse == reuseRandom || e.hyb != nil {
		e.ownRng = rand.New(rand.NewPCG(opt.Seed, ownStream))
	}
	switch plat.AtConcurrencyLimit {
	case platform.LimitReject:
		e.atLimit = limitReject
	case platform.LimitRetry:
		e.atLimit = limitRetry
	}
	if plat.InstanceActivities > 0 {
		e.initInstances(len(c.wfs))
	}
	if mode == modeShared && e.inst == nil && slices.ContainsFunc(c.tmpls, func(t template) bool { return t.privMB > 0 }) {
		e.open = make([][]int32, len(c.tmpls))
	}
	if opt.OnSeries != nil {
		e.ser = &series{step: opt.SeriesInterval, emit: opt.OnSeries}
	}
	if e.atLimit == limitQueue && len(c.retries) > 0 {
		e.atLimit = limitQueueSteps
	}
	e.platRetry = dag.Retry{Interval: plat.RetryInterval, BackoffRate: plat.RetryBackoffRate, MaxAttempts: plat.RetryMaxAttempts}
	return e
}

// Values of engine.reuse.
const (
	reuseMostRecent uint8 = iota
	reuseNewest
	reuseOldest
	reuseRandom
)

// ownStream is the PCG stream of the engine's own draws: DAG invocation i draws from stream i+1
// and Poisson arrivals from stream 0, so the last stream is free.
const ownStream = math.MaxUint64

// Values of engine.atLimit.
const (
	limitQueue uint8 = iota
	limitReject
	limitRetry
	// limitQueueSteps is "queue" with steps that have a Retry of their own: those retry, the
	// others queue, and a DAG invocation whose retries ran out has failed.
	limitQueueSteps
)

func (e *engine) fail(format string, a ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("sim: invariant violated at t=%.9f s: %s", e.now, fmt.Sprintf(format, a...))
	}
}

// MaxTime is the latest simulated time, in seconds, the engine advances to (about 31,700
// years). Beyond it float64 seconds no longer resolve the 0.1 ms steps of a function's phases (the
// spacing of float64 near 1e12 is 1.2e-4), so a time past it, or one that is not finite, means a
// work, a latency or a parameter too large for the model: the engine stops with an error that
// names the function that computed the time, instead of looping or printing +Inf or NaN.
const MaxTime = 1e12

func (e *engine) schedule(t float64, kind evKind, id int32) {
	if !(t <= MaxTime) { // also NaN
		e.badTime(t)
		return
	}
	e.seq++
	if e.seq > maxSeq || id > maxEvtID {
		e.overflow(id)
		return
	}
	e.evq.push(makeEvent(t, e.seq, id, kind))
}

// scheduleIn schedules an event at now + the delay of FIFO class q (see queues), or, for
// qTimeout, the timeouts' event.
func (e *engine) scheduleIn(q int, t float64, kind evKind, id int32) {
	if !(t <= MaxTime) {
		e.badTime(t)
		return
	}
	e.seq++
	if e.seq > maxSeq || id > maxEvtID {
		e.overflow(id)
		return
	}
	e.evq.fifos[q].push(makeEvent(t, e.seq, id, kind))
}

// overflow records that the simulation outgrew the packed event key (6.9e10 events, 6.7e7 live
// frames or VMs). Input can get there (a Map of tens of millions of items), so it is an error,
// not a panic: the event is dropped and the loop stops after the current event.
func (e *engine) overflow(id int32) {
	if e.err == nil {
		e.err = fmt.Errorf("sim: simulation too large at t=%.3f s (event %d, frame or VM %d): the limits are %d events and %d live frames or VMs",
			e.now, e.seq, id, int64(maxSeq), maxEvtID)
	}
}

// badTime records that an event was to be scheduled at t, past MaxTime or not finite, naming the
// function that computed t (the caller of schedule). The event is dropped and the loop stops.
func (e *engine) badTime(t float64) {
	if e.err != nil {
		return
	}
	who := "unknown"
	if pc, _, _, ok := runtime.Caller(2); ok {
		if f := runtime.FuncForPC(pc); f != nil {
			who = strings.TrimPrefix(f.Name(), "github.com/wisefuse/wisefuse/")
		}
	}
	cause := "a work, latency or distribution parameter of the workflow or platform is too large or not finite"
	if e.now > MaxTime/2 && !math.IsNaN(t) {
		// The clock itself is near the limit: an arrival was (a CSV's time of 1e12 s passed its
		// check, and this blamed the workflow).
		cause = "the clock is near the limit: an arrival this late leaves its run no time to finish (give arrivals well below the limit)"
	}
	e.err = fmt.Errorf("sim: time out of range: %s scheduled an event at t=%v s (clock %.6g s; the limit is %g s, about 31,700 years): %s",
		who, t, e.now, float64(MaxTime), cause)
}

// loop runs events until every DAG invocation has finished. Idle VMs' expiries left in the queue
// then no longer matter.
func (e *engine) loop() error {
	for e.finished < e.total && e.err == nil {
		ev, ok := e.evq.pop()
		if !ok {
			break
		}
		t := ev.time()
		if !(t >= e.now) { // also NaN
			e.fail("event at %.9f s is before the clock", t)
			break
		}
		e.now = t
		switch ev.kind() {
		case evArrival:
			e.events++
			e.arrive(int(ev.id()))
		case evBegin:
			e.events++
			e.begin(ev.id())
		case evVM:
			v := &e.vms[ev.id()]
			if v.evSeq != ev.seq() || v.state != vmBusy {
				if ev.seq() == v.tmoSeq {
					e.timeout(ev.id()) // not a completion: the VM's timeout (timeout.go)
					e.flushDirty()
				}
				continue
			}
			e.events++
			e.progress(ev.id())
		case evExpire:
			if ev.id() == tmoPump {
				e.timeouts()
				break
			}
			if ev.id() >= scaleFloor {
				e.events++
				e.scaleTick(tmoPump - 1 - ev.id())
				break
			}
			e.events++
			e.pools[ev.id()].pending = false
			e.expire(ev.id())
		}
		e.flushDirty()
	}
	if e.err == nil && e.finished < e.total {
		if msg := e.spillDeadlock(); msg != "" {
			e.err = fmt.Errorf("sim: %s (%d of %d DAG invocations unfinished at t=%.9f s)", msg, e.total-e.finished, e.total, e.now)
		} else {
			e.fail("event queue ran dry with %d of %d DAG invocations unfinished", e.total-e.finished, e.total)
		}
	}
	return e.err
}

// alloc returns the index of an element of items to use: the last one freed (its contents are
// the caller's to reset), or fresh appended. A full array doubles: append grows large slices
// by about a quarter, and a replay far over the concurrency limit holds tens of thousands of
// waiting frames, whose array was then copied about 25 times while it grew (BenchmarkReplay:
// 8% of its time in growslice and page faults).
func alloc[T any](items *[]T, free *[]int32, fresh T) int32 {
	if n := len(*free); n > 0 {
		i := (*free)[n-1]
		*free = (*free)[:n-1]
		return i
	}
	if n := len(*items); n == cap(*items) {
		*items = slices.Grow(*items, n)
	}
	*items = append(*items, fresh)
	return int32(len(*items) - 1)
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
	for t := range e.open {
		e.open[t] = e.open[t][:0]
	}
	e.rts, e.freeRts = e.rts[:0], e.freeRts[:0]
	e.tmo.buf, e.tmo.head, e.tmoPending = e.tmo.buf[:0], 0, false
	e.now, e.seq, e.events, e.err = 0, 0, 0, nil
	e.busy, e.live, e.peak, e.nextVM, e.liveT, e.liveSum = 0, 0, 0, 0, 0, 0
	e.rejected, e.retries = 0, 0
	e.idle, e.idleGB, e.idleT, e.idleSum, e.idleGBSum = 0, 0, 0, 0, 0
	e.next, e.finished = 0, 0
	clear(e.polled)
	if e.inst != nil {
		e.resetInstances()
	}
	if e.ser != nil {
		e.ser.reset()
	}
	e.invs, e.invAcq, e.acqs, e.freeAcqs = e.invs[:0], e.invAcq[:0], e.acqs[:0], e.freeAcqs[:0]
}
