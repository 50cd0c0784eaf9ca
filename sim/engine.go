package sim

import (
	"fmt"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
	"math"
	"math/rand/v2"
	"unsafe"

	"github.com/wisefuse/wisefuse/dag"
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

type srcKind uint8

const (
	srcRemote  srcKind = iota // GET from remote storage
	srcLocal                  // in memory, from the previous step in the same VM
	srcDirect                 // pull from the sender VMs held by handle h
	srcPayload                // in the invocation payload from the host VM (a spill); remote if too large
)

// src is where a frame's input comes from. A frame holding a handle owns one reference to it.
type src struct {
	kind srcKind
	h    int32
}

var noSrc = src{srcRemote, -1}

// Frame kinds beyond the node kinds.
const (
	fBundle nodeKind = 100 + iota // B items of a map in a VM of their own (orchestrated map)
	fSpill                        // B items spilled from a fusion group's host VM
)

type frame struct {
	node    int32
	kind    nodeKind
	root    bool  // this frame acquired vm and releases it when done
	run     int32 // run slot
	parent  int32
	vm      int32 // -1: orchestrated
	idx     int32 // nSeq: current child
	pending int32 // children still running
	item    int32
	bundle  int32
	first   int32 // fBundle, fSpill: first item
	count   int32 // fBundle, fSpill: items
	src     src
	out     int32 // handle of the output held for a direct consumer, or -1
}

// handle is output held in sender VMs for direct passing; the VMs stay busy (and billed) until
// every reference is dropped.
type handle struct {
	head, tail int32 // list of holders
	n          int32 // senders
	refs       int32
}

// holder is one sender VM of a handle. Holders live in one pooled array (a VM may be in several
// handles, e.g. a host serving the payloads of two maps' spills), so handles never allocate once
// the pool has grown.
type holder struct {
	vm, next int32
}

type resource uint8

const (
	resTimer resource = iota // progresses at 1 s/s
	resCPU                   // core-seconds at the slot's processor share
	resNet                   // bytes at the slot's network share
)

// Phases of an invocation slot.
const (
	phInLat int8 = iota
	phIn
	phSerial
	phParallel
	phOutLat
	phOut
	phDone
	phInit // a VM's cold-start initialisation, not an invocation
)

type sinkKind uint8

const (
	sinkRemote  sinkKind = iota // PUT to remote storage
	sinkLocal                   // in memory to the next step in the same VM
	sinkHeld                    // kept in the VM for direct pulls
	sinkPayload                 // returned in the response payload (a spilled item); remote if too large
)

// slot is one invocation in a VM. What a VM's per-event passes read (remaining work, rate, demand,
// resource) comes first, so they read one cache line per slot.
type slot struct {
	rem     float64
	rate    float64
	demand  float64 // resCPU: cores this phase can use
	oversub float64 // resCPU: oversubscription exponent of this phase (0: none)
	res     resource
	phase   int8
	inRes   resource
	outRes  resource
	sender  int32 // phIn: the one VM pulled from (direct, payload), else -1
	nsend   int32 // phIn: connections (senders) of the transfer
	frame   int32
	vm      int32
	pnext   int32 // in its sender's pullers list
	pprev   int32
	amt     [phDone]float64
	out     float64
	start   float64 // record start (the VM's acquisition when this invocation paid its cold start)
	t0      float64 // when the invocation began its input
	tIn     float64
	tComp   float64
	init    float64
	usd     float64 // storage requests
	in      float64 // bytes read, for the records
	cold    bool
	live    bool
}

type vmState uint8

const (
	vmFree vmState = iota
	vmBusy         // acquired by a root frame, or holding output
	vmIdle         // warm, in its template's pool
)

type vm struct {
	// What every event of the VM reads comes first, in one cache line (the struct is 128 bytes).
	evSeq uint64 // seq of the VM's one valid pending event, 0 if none
	last  float64
	// The slots running here, oldest first: ids[:nid], or engine.more[more] once they outgrew
	// ids (big; the VM keeps that array when recycled).
	// The passes that sum over slots (the CPU demand, the water-filling) and handle completions
	// run from the newest to the oldest, the order of the linked list the engine used before, so
	// floating-point sums and the order in which simultaneous completions are handled (hence
	// the event sequence numbers) are unchanged.
	ids   [5]int32
	nid   int32
	state vmState
	dirty bool // in engine.dirty: to be rerated at the end of the event
	// changed has bit 1<<r set when the slots on resource r or what their rates depend on
	// changed since the rates were computed: only those rates are recomputed (a timer's is 1).
	changed uint8
	big     bool

	more      int32 // index in engine.more, or -1
	_         [16]byte
	tmpl      int32
	id        int64 // instance id, unique in the simulation
	acqStart  float64
	idleSince float64
	init      float64
	holds     int32
	run       int32
	acq       int32 // acquisition record (KeepInvocations), or -1
	pullers   int32 // first slot of the list of slots pulling from this VM (slot.pnext)
	npull     int32
	rootDone  bool
	cold      bool
	freedCon  bool // its concurrency slot was given back while it only serves direct pulls
}

// active is the slots running in v, oldest first. The slice may point into e.vms: use it only
// where no VM can be created.
func (e *engine) active(v *vm) []int32 {
	if v.big {
		return e.more[v.more]
	}
	return v.ids[:v.nid]
}

// powMemo is one remembered oversubscription factor x^g (engine.oversubFactor).
type powMemo struct{ x, g, f float64 }

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

// deque is a warm pool: released VMs are pushed at the back, reuse pops the back (most recently
// used, as AWS does) and keep-alive expiry pops the front (the least recently used, whose TTL ends
// first because every VM gets the same TTL). So a pool needs at most one pending expiry event:
// when it fires it reclaims the VMs whose keep-alive has ended and schedules itself for the new
// front. (Invalidating it instead whenever the pool empties would leave one stale event per
// empty-to-busy cycle in the queue for a whole keep-alive, thousands under steady arrivals.)
type deque struct {
	buf     []int32
	head    int
	pending bool // an expiry event for this pool is in the queue
}

func (d *deque) pushBack(v int32) {
	if d.head > 64 && d.head > len(d.buf)/2 {
		n := copy(d.buf, d.buf[d.head:])
		d.buf, d.head = d.buf[:n], 0
	}
	d.buf = append(d.buf, v)
}

func (d *deque) popBack() int32 {
	if len(d.buf) == d.head {
		return -1
	}
	v := d.buf[len(d.buf)-1]
	d.buf = d.buf[:len(d.buf)-1]
	return v
}

func (d *deque) len() int { return len(d.buf) - d.head }

// expire ends the keep-alive of template t's least recently used idle VMs and schedules the
// pool's next expiry.
func (e *engine) expire(t int32) {
	d := &e.pools[t]
	for d.len() > 0 {
		vi := d.buf[d.head]
		end := e.vms[vi].idleSince + e.plat.KeepAlive
		if end > e.now {
			e.schedule(end, evExpire, t)
			d.pending = true
			return
		}
		d.head++
		e.freeVM(vi)
	}
	d.buf, d.head = d.buf[:0], 0
}

type poolMode uint8

const (
	modeShared poolMode = iota // arrivals share warm pools
	modeWarm                   // isolated runs, every VM pre-warmed
	modeCold                   // isolated runs, every VM cold
)

type acqRecord struct {
	usd float64
	n   int32
}

type engine struct {
	plat *platform.Platform
	c    *compiled
	mode poolMode
	seed uint64
	keep bool
	deep bool // Options.Check: O(n) checks on every rate computation

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
	runs        []runState
	freeRuns    []int32
	pools       []deque
	queue       deque // frames waiting for the concurrency limit
	dirty       []int32
	scratch     []int32
	freeLater   []int32 // slots freed in this event, reusable after it (progress holds slot ids)
	coldVM      int32   // the VM whose cold start the invocations being started now pay
	pows        [64]powMemo
	// skewHook, set only by tests, replaces the ItemSkew draw by a factor chosen per item, so a
	// hand-computed scenario can give a map's items known, different works.
	skewHook func(item int32) float64

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

	dags   []records.DAGRun
	invs   []records.Invocation
	invAcq []int32
	acqs   []acqRecord
}

func newEngine(c *compiled, plat *platform.Platform, mode poolMode, opt Options) *engine {
	e := &engine{plat: plat, c: c, mode: mode, seed: opt.Seed, keep: opt.KeepInvocations, deep: opt.Check, coldVM: -1}
	e.pools = make([]deque, len(c.tmpls))
	return e
}

func (e *engine) fail(format string, a ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("sim: invariant violated at t=%.9f s: %s", e.now, fmt.Sprintf(format, a...))
	}
}

func (e *engine) schedule(t float64, kind evKind, id int32) {
	e.seq++
	if e.seq > maxSeq || id > maxEvtID {
		e.overflow(id)
		return
	}
	e.evq.heap.push(makeEvent(t, e.seq, id, kind))
}

// scheduleIn schedules an event at now + the delay of FIFO class q (see queues).
func (e *engine) scheduleIn(q int, t float64, kind evKind, id int32) {
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

// loop runs events until every DAG invocation has finished. Idle VMs' expiries left in the queue
// then no longer matter.
func (e *engine) loop() error {
	for e.finished < e.total && e.err == nil && e.evq.len() > 0 {
		ev := e.evq.pop()
		t := ev.time()
		if t < e.now {
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
				continue
			}
			e.events++
			e.progress(ev.id())
		case evExpire:
			e.events++
			e.pools[ev.id()].pending = false
			e.expire(ev.id())
		}
		e.flushDirty()
	}
	if e.err == nil && e.finished < e.total {
		e.fail("event queue ran dry with %d of %d DAG invocations unfinished", e.total-e.finished, e.total)
	}
	return e.err
}

// ---- runs ----

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

// ---- frames ----

func (e *engine) newFrame() int32 {
	return alloc(&e.frames, &e.freeFrames, frame{})
}

// start creates a frame for node and begins it, after a state transition when orchestrated. s is
// moved into the frame.
func (e *engine) start(node, parent, run, vmi int32, s src, item, bundle int32) {
	fi := e.newFrame()
	nd := &e.c.nodes[node]
	e.frames[fi] = frame{node: node, kind: nd.kind, run: run, parent: parent, vm: vmi, item: item, bundle: bundle, src: s, out: -1}
	switch {
	case vmi < 0 && nd.kind != nSeq:
		e.transition(run)
		e.scheduleIn(qTransition, e.now+e.plat.TransitionLatency, evBegin, fi)
	case nd.kind == nPass:
		e.scheduleIn(qNow, e.now, evBegin, fi)
	default:
		e.begin(fi)
	}
}

func (e *engine) transition(run int32) {
	r := &e.runs[run]
	r.trans++
	r.usd += e.plat.TransitionUSD
}

func (e *engine) begin(fi int32) {
	f := &e.frames[fi]
	nd := &e.c.nodes[f.node]
	switch f.kind {
	case nPass:
		e.dropSrc(fi)
		e.done(fi)
	case nSeq:
		s := f.src
		f.src = noSrc
		f.idx = 0
		e.start(nd.kids[0], fi, f.run, f.vm, s, f.item, f.bundle)
	case nTask:
		if f.vm < 0 {
			e.acquire(fi)
		} else {
			e.runTask(fi, f.vm)
		}
	case nFused:
		if f.vm < 0 {
			e.acquire(fi)
		} else {
			e.startFusedBody(fi)
		}
	case nPar:
		f.pending = int32(len(nd.kids))
		run, vmi, item, bundle := f.run, f.vm, f.item, f.bundle
		for _, k := range nd.kids {
			e.start(k, fi, run, vmi, e.share(e.frames[fi].src), item, bundle)
		}
		e.dropSrc(fi)
	case nMap:
		e.beginMap(fi)
	case fBundle, fSpill:
		e.acquire(fi)
	default:
		panic("sim: frame of unknown kind")
	}
}

// maxMapStateBytes bounds the simulator state one Map's items may take in one DAG invocation:
// a Map of 5e7 items needed more than 24 GB, so beyond this the simulation stops with an error
// instead of exhausting the machine's memory.
const maxMapStateBytes = 8 << 30

// itemStateBytes is what one live Map item costs the simulator: its frame, VM and invocation
// slot, an event, and its record when records are kept, doubled for slice growth.
func (e *engine) itemStateBytes() int64 {
	b := int64(unsafe.Sizeof(frame{}) + unsafe.Sizeof(vm{}) + unsafe.Sizeof(slot{}) + unsafe.Sizeof(uint64(0))*2)
	if e.keep {
		b += int64(unsafe.Sizeof(records.Invocation{}))
	}
	return 2 * b
}

func (e *engine) beginMap(fi int32) {
	f := &e.frames[fi]
	nd := &e.c.nodes[f.node]
	run, vmi, it := f.run, f.vm, nd.kids[0]
	x := nd.items.Sample(e.runs[run].rng)
	if !(x < maxEvtID) { // beyond the frame ids, and int32 would wrap
		if e.err == nil {
			e.err = fmt.Errorf("sim: map step %q drew %.4g items for one DAG invocation; the simulator holds at most %d live frames",
				nd.step, x, maxEvtID)
		}
		return
	}
	n := int32(dag.ItemCount(x))
	if need := int64(n) * e.itemStateBytes(); need > maxMapStateBytes {
		if e.err == nil {
			e.err = fmt.Errorf("sim: map step %q drew %d items for one DAG invocation: about %.1f GB of simulator state at %d bytes an item, over the %d GB limit; simulate a narrower map",
				nd.step, n, float64(need)/(1<<30), e.itemStateBytes(), maxMapStateBytes>>30)
		}
		return
	}
	b := int32(max(nd.bundle, 1))
	if vmi < 0 && b == 1 {
		f.pending = n
		for i := int32(0); i < n; i++ {
			e.start(it, fi, run, -1, e.share(e.frames[fi].src), i, i)
		}
		e.dropSrc(fi)
		return
	}
	host := int32(0) // items that stay in the host VM (map inside a fusion group)
	if vmi >= 0 {
		host = min(b, n)
	}
	spills := (n - host + b - 1) / b
	f.pending = host + spills
	for i := int32(0); i < host; i++ {
		e.start(it, fi, run, vmi, e.share(e.frames[fi].src), i, 0)
	}
	var s src
	if vmi >= 0 && e.frames[fi].src.kind == srcLocal {
		// Spilled items get their input in the invocation payload from the host.
		s = src{srcPayload, e.newHandle(vmi)}
	} else {
		s = e.share(e.frames[fi].src)
	}
	for k := int32(0); k < spills; k++ {
		first := host + k*b
		bf := e.newFrame()
		kind, q, delay := fBundle, qTransition, e.plat.TransitionLatency
		if vmi >= 0 {
			kind, q, delay = fSpill, qInvoke, e.plat.InvokeLatency
		} else {
			e.transition(run)
		}
		e.frames[bf] = frame{node: e.frames[fi].node, kind: kind, run: run, parent: fi, vm: -1,
			item: first, bundle: first / b, first: first, count: min(b, n-first), src: e.share(s), out: -1}
		e.scheduleIn(q, e.now+delay, evBegin, bf)
	}
	if s.h >= 0 {
		e.unref(s.h)
	}
	e.dropSrc(fi)
}

func (e *engine) startFusedBody(fi int32) {
	f := &e.frames[fi]
	s := f.src
	f.src = noSrc
	f.pending = 1
	e.start(e.c.nodes[f.node].kids[0], fi, f.run, f.vm, s, f.item, f.bundle)
}

// startBody starts a root frame's work once its VM is ready.
func (e *engine) startBody(fi int32) {
	f := &e.frames[fi]
	switch f.kind {
	case nTask:
		e.runTask(fi, f.vm)
	case nFused:
		e.startFusedBody(fi)
	case fBundle, fSpill:
		f.pending = f.count
		run, vmi, first, count, bundle := f.run, f.vm, f.first, f.count, f.bundle
		it := e.c.nodes[f.node].kids[0]
		for i := int32(0); i < count; i++ {
			e.start(it, fi, run, vmi, e.share(e.frames[fi].src), first+i, bundle)
		}
		e.dropSrc(fi)
	}
}

// done finishes frame fi: a root releases its VM (or holds it for direct pulls) and the parent
// hears of it.
func (e *engine) done(fi int32) {
	f := &e.frames[fi]
	if f.root {
		if f.kind != fSpill && e.c.nodes[f.node].consumerDirect {
			e.merge(&e.frames[fi].out, e.newHandle(f.vm))
		}
		f = &e.frames[fi]
		v := &e.vms[f.vm]
		v.rootDone = true
		if v.holds > 0 {
			// Its function has ended and it only serves direct pulls: it stays billed but gives
			// back its concurrency slot, or receivers queued behind the limit could wait forever
			// for senders that wait for them.
			v.freedCon = true
			e.busy--
			e.serveQueue()
		}
		e.tryRelease(f.vm)
	}
	f = &e.frames[fi]
	if f.parent < 0 {
		if f.out >= 0 {
			e.unref(f.out)
		}
		e.dagDone(f.run)
	} else {
		e.childDone(f.parent, fi)
	}
	e.freeFrames = append(e.freeFrames, fi)
}

func (e *engine) childDone(pi, ci int32) {
	out := e.frames[ci].out
	e.frames[ci].out = -1
	p := &e.frames[pi]
	if p.kind == nSeq {
		nd := &e.c.nodes[p.node]
		if int(p.idx)+1 < len(nd.kids) {
			p.idx++
			s := noSrc
			switch {
			case p.vm >= 0:
				s = src{srcLocal, -1}
				if out >= 0 {
					e.unref(out)
				}
			case out >= 0:
				s = src{srcDirect, out}
			}
			p = &e.frames[pi]
			e.start(nd.kids[p.idx], pi, p.run, p.vm, s, p.item, p.bundle)
			return
		}
		if out >= 0 {
			e.merge(&p.out, out)
		}
		e.done(pi)
		return
	}
	if out >= 0 {
		e.merge(&e.frames[pi].out, out)
	}
	p = &e.frames[pi]
	p.pending--
	if p.pending == 0 {
		e.done(pi)
	}
}

// alloc returns the index of an element of items to use: the last one freed (its contents are
// the caller's to reset), or fresh appended.
func alloc[T any](items *[]T, free *[]int32, fresh T) int32 {
	if n := len(*free); n > 0 {
		i := (*free)[n-1]
		*free = (*free)[:n-1]
		return i
	}
	*items = append(*items, fresh)
	return int32(len(*items) - 1)
}

// ---- handles (direct passing) ----

func (e *engine) newHandle(vmi int32) int32 {
	h := alloc(&e.handles, &e.freeHandles, handle{})
	k := alloc(&e.holders, &e.freeHolders, holder{})
	e.holders[k] = holder{vm: vmi, next: -1}
	e.handles[h] = handle{head: k, tail: k, n: 1, refs: 1}
	e.vms[vmi].holds++
	return h
}

func (e *engine) share(s src) src {
	if s.h >= 0 {
		e.handles[s.h].refs++
	}
	return s
}

func (e *engine) dropSrc(fi int32) {
	if h := e.frames[fi].src.h; h >= 0 {
		e.frames[fi].src.h = -1
		e.unref(h)
	}
}

func (e *engine) unref(h int32) {
	hd := &e.handles[h]
	hd.refs--
	if hd.refs > 0 {
		return
	}
	if hd.refs < 0 {
		e.fail("handle %d released twice", h)
		return
	}
	e.freeHandles = append(e.freeHandles, h)
	for k := hd.head; k >= 0; k = e.holders[k].next {
		e.freeHolders = append(e.freeHolders, k)
		vmi := e.holders[k].vm
		e.vms[vmi].holds--
		e.tryRelease(vmi)
	}
}

// merge moves the senders of handle h into *dst (one fan-in handle), dropping h.
func (e *engine) merge(dst *int32, h int32) {
	if *dst < 0 {
		*dst = h
		return
	}
	d, hd := &e.handles[*dst], &e.handles[h]
	if hd.refs != 1 {
		panic("sim: merging a shared handle")
	}
	// Splice h's holders onto d's; the VMs' holds move with them.
	e.holders[d.tail].next = hd.head
	d.tail = hd.tail
	d.n += hd.n
	hd.refs = 0
	e.freeHandles = append(e.freeHandles, h)
}

// ---- VMs ----

func (e *engine) tmplOf(fi int32) int32 { return e.c.nodes[e.frames[fi].node].tmpl }

// acquire gets a VM for root frame fi, or queues it (FIFO) while the account's concurrency limit
// is reached. Spills are the exception: their host is running and waits for them, so queueing
// them behind new work could deadlock (every slot a host waiting for its spills); a spill is
// granted at once even over the limit, as if the host retried its throttled invoke until served.
func (e *engine) acquire(fi int32) {
	if e.busy >= e.plat.ConcurrencyLimit && e.frames[fi].kind != fSpill {
		e.queue.pushBack(fi)
		return
	}
	e.grant(fi)
}

func (e *engine) grant(fi int32) {
	t := e.tmplOf(fi)
	run := e.frames[fi].run
	e.busy++
	vi := int32(-1)
	if e.mode == modeShared {
		vi = e.pools[t].popBack()
	}
	cold := false
	initDur := 0.0
	if vi < 0 {
		vi = e.newVM(t)
		if e.mode != modeWarm {
			cold = true
			r := e.runs[run].rng
			for _, fn := range e.c.tmpls[t].fns {
				initDur += e.c.fns[fn].init.Sample(r)
			}
		}
	}
	v := &e.vms[vi]
	v.state, v.rootDone, v.cold, v.holds, v.freedCon = vmBusy, false, cold, 0, false
	v.evSeq = 0
	v.run, v.acqStart, v.init, v.last = run, e.now, initDur, e.now
	v.acq = -1
	if e.keep {
		e.acqs = append(e.acqs, acqRecord{})
		v.acq = int32(len(e.acqs) - 1)
	}
	f := &e.frames[fi]
	f.vm, f.root = vi, true
	if initDur > 0 {
		si := e.newSlot()
		e.slots[si] = slot{frame: fi, vm: vi, phase: phInit, sender: -1, live: true}
		e.touch(vi)
		e.addActive(vi, si)
		e.place(si, resTimer, initDur, 0, 0)
		return
	}
	e.bodyAfterInit(fi, vi, cold)
}

func (e *engine) bodyAfterInit(fi, vi int32, cold bool) {
	if cold {
		e.coldVM = vi
	}
	e.startBody(fi)
	e.coldVM = -1
}

func (e *engine) newVM(t int32) int32 {
	var vi int32
	vi = alloc(&e.vms, &e.freeVMs, vm{more: -1})
	v := &e.vms[vi]
	e.nextVM++
	v.id, v.tmpl = e.nextVM, t
	v.nid, v.big, v.changed = 0, false, 0
	v.pullers, v.npull = -1, 0
	e.setLive(e.live + 1)
	return vi
}

func (e *engine) freeVM(vi int32) {
	v := &e.vms[vi]
	v.state = vmFree
	v.evSeq = 0
	e.freeVMs = append(e.freeVMs, vi)
	e.setLive(e.live - 1)
}

func (e *engine) setLive(n int) {
	if e.total > e.finished {
		e.liveSum += float64(e.live) * (e.now - e.liveT)
	}
	e.liveT = e.now
	e.live = n
	e.peak = max(e.peak, n)
}

func (e *engine) tryRelease(vi int32) {
	v := &e.vms[vi]
	if v.state == vmBusy && v.rootDone && v.holds == 0 {
		e.release(vi)
	}
}

// release ends a VM's invocation: bill it, return it to the warm pool (or discard it in isolated
// runs) and let a queued acquisition take the freed concurrency.
func (e *engine) release(vi int32) {
	v := &e.vms[vi]
	if n := len(e.active(v)); n != 0 || v.npull != 0 {
		e.fail("VM %d released with %d active invocations and %d pullers", v.id, n, v.npull)
	}
	dur := e.now - v.acqStart
	if !e.plat.BillInit {
		dur -= v.init
	}
	q := e.plat.BillingQuantum
	billed := math.Ceil(dur/q-1e-9) * q
	usd := billed*e.c.tmpls[v.tmpl].gb*e.plat.GBSecondUSD + e.plat.RequestUSD
	if usd < 0 || math.IsNaN(usd) {
		e.fail("VM %d has cost %g", v.id, usd)
	}
	r := &e.runs[v.run]
	if !r.live {
		e.fail("VM %d released after its run %d ended", v.id, r.index)
	}
	r.usd += usd
	if v.acq >= 0 {
		e.acqs[v.acq].usd = usd
	}
	if !v.freedCon {
		e.busy--
	}
	if e.mode == modeShared {
		v.state = vmIdle
		v.evSeq = 0
		v.idleSince = e.now
		d := &e.pools[v.tmpl]
		d.pushBack(vi)
		if !d.pending {
			e.schedule(e.now+e.plat.KeepAlive, evExpire, v.tmpl)
			d.pending = true
		}
	} else {
		e.freeVM(vi)
	}
	e.serveQueue()
}

// serveQueue grants queued acquisitions, first come first served, while concurrency allows.
func (e *engine) serveQueue() {
	for e.busy < e.plat.ConcurrencyLimit && len(e.queue.buf) > e.queue.head {
		fi := e.queue.buf[e.queue.head]
		e.queue.head++
		if e.queue.head == len(e.queue.buf) {
			e.queue.buf, e.queue.head = e.queue.buf[:0], 0
		}
		e.grant(fi)
	}
}

// ---- slots: invocations inside VMs ----

func (e *engine) newSlot() int32 {
	return alloc(&e.slots, &e.freeSlots, slot{})
}

// touch brings a VM's slots up to now before something changes its rates, and marks it for
// rerating at the end of the event.
func (e *engine) touch(vi int32) {
	v := &e.vms[vi]
	if dt := e.now - v.last; dt > 0 {
		for _, si := range e.active(v) {
			s := &e.slots[si]
			s.rem -= s.rate * dt
		}
	}
	v.last = e.now
	if !v.dirty {
		v.dirty = true
		e.dirty = append(e.dirty, vi)
	}
}

// touchPuller touches VM vi, one of whose transfers pulls from a sender that just gained or lost a
// puller: its network shares change.
func (e *engine) touchPuller(vi int32) {
	e.touch(vi)
	e.vms[vi].changed |= 1 << resNet
}

func (e *engine) flushDirty() {
	for _, vi := range e.dirty {
		v := &e.vms[vi]
		v.dirty = false
		if v.state == vmBusy {
			e.rerate(vi)
		}
	}
	e.dirty = e.dirty[:0]
	e.freeSlots = append(e.freeSlots, e.freeLater...)
	e.freeLater = e.freeLater[:0]
}

// runTask starts the invocation of frame fi's function in VM vi.
func (e *engine) runTask(fi, vi int32) {
	f := &e.frames[fi]
	run := &e.runs[f.run]
	fn := &e.c.fns[e.c.nodes[f.node].fn]
	r := run.rng
	p := e.plat
	si := e.newSlot()
	s := &e.slots[si]
	*s = slot{frame: fi, vm: vi, phase: -1, sender: -1, nsend: 1, t0: e.now, start: e.now, live: true}
	var skew float64
	if fn.skewByIndex {
		skew = 1
		if !fn.skew.IsZero() {
			skew = fn.skew.Quantile(dag.ItemUniform(fn.name, int(f.item)))
		}
	} else {
		skew = fn.skew.Factor(r)
	}
	if e.skewHook != nil {
		skew = e.skewHook(f.item)
	}
	factor := skew * run.factors[e.c.nodes[f.node].fn]
	s.amt[phSerial] = fn.serial.Sample(r) * factor
	s.amt[phParallel] = fn.parallel.Sample(r) * factor
	in := fn.in.Sample(r)
	s.in, s.out = in, fn.out.Sample(r)
	kind := f.src.kind
	if kind == srcPayload && in > p.PayloadLimitBytes {
		kind = srcRemote
	}
	if in > 0 {
		switch kind {
		case srcRemote:
			s.amt[phInLat], s.amt[phIn], s.inRes = (p.StorageGetLatency+fn.extraLat)*fn.inReq, in, resNet
			s.usd += p.GetUSD * fn.inReq
		case srcLocal:
			s.amt[phIn], s.inRes = in/p.LocalBps, resTimer
		case srcDirect, srcPayload:
			hd := &e.handles[f.src.h]
			s.amt[phIn], s.inRes, s.nsend = in, resNet, hd.n
			if kind == srcDirect {
				s.amt[phInLat] = p.DirectLatency
			}
			if hd.n == 1 {
				s.sender = e.holders[hd.head].vm
			}
		}
	}
	v := &e.vms[vi]
	if e.coldVM == vi {
		s.cold, s.init, s.start = true, v.init, v.acqStart
	}
	if e.keep && v.acq >= 0 {
		e.acqs[v.acq].n++
	}
	e.touch(vi)
	e.addActive(vi, si)
	e.nextPhase(si, true)
}

// nextPhase moves slot si to its next phase with work to do, running each phase's entry hook on
// the way. With sync set (the invocation is being started) it never finishes the slot: an empty
// invocation waits in a zero-length timer, so its completion comes from an event.
func (e *engine) nextPhase(si int32, sync bool) {
	s := &e.slots[si]
	if s.phase == phIn && s.sender >= 0 {
		e.endPull(si)
		s = &e.slots[si]
	}
	for {
		s.phase++
		switch s.phase {
		case phSerial:
			s.tIn = e.now
			e.dropSrc(s.frame)
			s = &e.slots[si]
		case phOutLat:
			s.tComp = e.now
			e.planOutput(si)
			s = &e.slots[si]
		case phDone:
			if sync {
				s.phase = phOut
				e.place(si, resTimer, 0, 0, 0)
				return
			}
			e.finishTask(si)
			return
		}
		amt := s.amt[s.phase]
		if amt <= 0 {
			continue
		}
		switch s.phase {
		case phInLat, phOutLat:
			e.place(si, resTimer, amt, 0, 0)
		case phIn:
			e.place(si, s.inRes, amt, 0, 0)
			if e.slots[si].sender >= 0 {
				e.beginPull(si)
			}
		case phSerial:
			e.place(si, resCPU, amt, 1, 0)
		case phParallel:
			fn := &e.c.fns[e.c.nodes[e.frames[s.frame].node].fn]
			e.place(si, resCPU, amt, fn.threads, fn.oversub)
		case phOut:
			e.place(si, s.outRes, amt, 0, 0)
		}
		return
	}
}

// planOutput decides where the invocation's output goes: to the next step in the same VM, held
// for a direct consumer, back to a spill's host, or to remote storage.
func (e *engine) planOutput(si int32) {
	s := &e.slots[si]
	p := e.plat
	s.sender, s.nsend = -1, 1
	out := s.out
	if out <= 0 {
		return
	}
	switch e.sinkOf(s.frame) {
	case sinkLocal:
		s.amt[phOut], s.outRes = out/p.LocalBps, resTimer
	case sinkHeld:
	case sinkPayload:
		if out <= p.PayloadLimitBytes {
			s.amt[phOut], s.outRes = out, resNet
			return
		}
		fallthrough
	case sinkRemote:
		fn := &e.c.fns[e.c.nodes[e.frames[s.frame].node].fn]
		s.amt[phOutLat], s.amt[phOut], s.outRes = (p.StoragePutLatency+fn.extraLat)*fn.outReq, out, resNet
		s.usd += p.PutUSD * fn.outReq
	}
}

// sinkOf walks up from a task frame to find its output's consumer: a later step of a sequence in
// the same VM (local), or, at the VM's root frame, what the root's consumer wants.
func (e *engine) sinkOf(fi int32) sinkKind {
	for {
		f := &e.frames[fi]
		if f.root {
			switch {
			case f.kind == fSpill:
				return sinkPayload
			case e.c.nodes[f.node].consumerDirect:
				return sinkHeld
			}
			return sinkRemote
		}
		if f.parent < 0 {
			return sinkRemote
		}
		p := &e.frames[f.parent]
		if p.kind == nSeq && int(p.idx)+1 < len(e.c.nodes[p.node].kids) {
			return sinkLocal
		}
		fi = f.parent
	}
}

// beginPull adds slot si to its sender's pullers; the other pullers' shares change with it.
func (e *engine) beginPull(si int32) {
	sv := e.slots[si].sender
	v := &e.vms[sv]
	for o := v.pullers; o >= 0; o = e.slots[o].pnext {
		e.touchPuller(e.slots[o].vm)
	}
	s := &e.slots[si]
	s.pprev, s.pnext = -1, v.pullers
	if v.pullers >= 0 {
		e.slots[v.pullers].pprev = si
	}
	v.pullers = si
	v.npull++
}

func (e *engine) endPull(si int32) {
	s := &e.slots[si]
	v := &e.vms[s.sender]
	if s.pprev >= 0 {
		e.slots[s.pprev].pnext = s.pnext
	} else {
		v.pullers = s.pnext
	}
	if s.pnext >= 0 {
		e.slots[s.pnext].pprev = s.pprev
	}
	v.npull--
	s.sender = -1
	for o := v.pullers; o >= 0; o = e.slots[o].pnext {
		e.touchPuller(e.slots[o].vm)
	}
}

// addActive makes slot si the newest of VM vi's running invocations; place then sets its phase.
func (e *engine) addActive(vi, si int32) {
	v := &e.vms[vi]
	s := &e.slots[si]
	s.res, s.rate, s.rem = resTimer, 1, 0
	switch {
	case v.big:
		e.more[v.more] = append(e.more[v.more], si)
	case int(v.nid) < len(v.ids):
		v.ids[v.nid] = si
		v.nid++
	default:
		if v.more < 0 {
			e.more = append(e.more, nil)
			v.more = int32(len(e.more) - 1)
		}
		e.more[v.more] = append(append(e.more[v.more][:0], v.ids[:v.nid]...), si)
		v.big = true
	}
}

// resBit is 1<<r, without the check a variable shift needs.
var resBit = [3]uint8{1 << resTimer, 1 << resCPU, 1 << resNet}

// place starts slot si's phase on resource r with rem of work; demand and oversub matter for
// resCPU. It does not branch on the resource, which is a coin toss for the predictor.
func (e *engine) place(si int32, r resource, rem, demand, oversub float64) {
	s := &e.slots[si]
	e.vms[s.vm].changed |= resBit[s.res] | resBit[r]
	s.rem, s.rate, s.res = rem, 1, r
	s.demand, s.oversub = demand, oversub
}

func (e *engine) removeActive(vi, si int32) {
	v := &e.vms[vi]
	v.changed |= resBit[e.slots[si].res]
	ids := e.active(v)
	if ids[len(ids)-1] != si { // else it is the newest (or only) slot
		for i, id := range ids {
			if id == si {
				copy(ids[i:], ids[i+1:])
				break
			}
		}
	}
	if v.big {
		e.more[v.more] = ids[:len(ids)-1]
	} else {
		v.nid--
	}
}

func (e *engine) finishTask(si int32) {
	s := &e.slots[si]
	if !s.live {
		e.fail("invocation slot %d ended twice", si)
		return
	}
	s.live = false
	fi, vi := s.frame, s.vm
	f := &e.frames[fi]
	r := &e.runs[f.run]
	v := &e.vms[vi]
	r.invs++
	if s.cold {
		r.colds++
	}
	r.usd += s.usd
	r.lastEnd = max(r.lastEnd, e.now)
	if e.keep {
		nd := &e.c.nodes[f.node]
		e.invs = append(e.invs, records.Invocation{Run: int(r.index), Step: nd.step, Function: e.c.fns[nd.fn].name,
			Item: int(f.item), Bundle: int(f.bundle), VM: int(v.id), MemoryMB: e.c.tmpls[v.tmpl].memMB,
			Cold: s.cold, Start: s.start, Init: s.init, Download: s.tIn - s.t0, Compute: s.tComp - s.tIn,
			Upload: e.now - s.tComp, InBytes: s.in, OutBytes: s.out, End: e.now, Cost: s.usd})
		e.invAcq = append(e.invAcq, v.acq)
	}
	e.touch(vi)
	e.removeActive(vi, si)
	e.freeLater = append(e.freeLater, si)
	e.done(fi)
}

// progress handles VM vi's event: every slot whose phase is complete moves on.
func (e *engine) progress(vi int32) {
	// touch and the search for completed phases in one pass over the VM's entries, newest first.
	v := &e.vms[vi]
	dt := e.now - v.last
	v.last = e.now
	if !v.dirty {
		v.dirty = true
		e.dirty = append(e.dirty, vi)
	}
	tol := 1e-9 + e.now*1e-15 // seconds of remaining time that count as done (rounding)
	e.scratch = e.scratch[:0]
	ids := e.active(v)
	for i := len(ids) - 1; i >= 0; i-- {
		s := &e.slots[ids[i]]
		s.rem -= s.rate * dt
		if s.rem <= s.rate*tol {
			e.scratch = append(e.scratch, ids[i])
		}
	}
	for i := 0; i < len(e.scratch); i++ {
		si := e.scratch[i]
		s := &e.slots[si]
		if !s.live || s.vm != vi {
			continue
		}
		if s.phase == phInit {
			fi := s.frame
			s.live = false
			e.removeActive(vi, si)
			e.freeLater = append(e.freeLater, si)
			e.bodyAfterInit(fi, vi, true)
			continue
		}
		e.nextPhase(si, false)
	}
}

// rerate gives every slot of VM vi its rate and schedules the VM's next completion.
//
// CPU: the VM's c(m) cores are shared max-min fairly (water-filling) among computing slots, each
// demanding 1 core in its serial phase and Threads cores in its parallel phase; every rate is then
// divided by 1 + ContentionPerCoRunner*(n-1) for n computing slots. Network: each transfer gets
// min(ConnectionBps x connections, VMNetworkBps / transfers in this VM, and for a pull from one
// sender VMNetworkBps / that sender's pullers).
//
// Rates are recomputed only for the resources whose entries changed (v.changed). The soonest
// completion is taken with the built-in min, which compiles without a branch to mispredict; it
// differs from a scan with < only by preferring -0 to +0, and no rem / rate is -0 (rem starts at a
// positive amount or +0 and decreases by positive amounts, so it is never -0, and a negative rem
// too small for the quotient to be representable would need work amounts below 1e-300).
func (e *engine) rerate(vi int32) {
	v := &e.vms[vi]
	v.evSeq = 0
	ids := e.active(v)
	var tmin float64
	switch {
	case len(ids) == 0:
		return
	case v.changed&(1<<resCPU|1<<resNet) == 0:
		// The rates still hold: only the soonest completion is new.
		tmin = math.Inf(1)
		for _, si := range ids {
			s := &e.slots[si]
			tmin = min(tmin, s.rem/s.rate)
		}
	case len(ids) == 1:
		tmin = e.rateOne(v, &e.slots[ids[0]])
	default:
		tmin = e.rateAll(v, ids)
	}
	v.changed = 0
	if tmin < 0 {
		tmin = 0
	}
	e.schedule(e.now+tmin, evVM, vi)
	v.evSeq = e.seq
}

// rateOne is rateAll for a VM running one invocation, a single computation. (The water-filling of
// one slot gives it min(demand, cores), with no contention; one transfer gets the VM's bandwidth.)
func (e *engine) rateOne(v *vm, s *slot) float64 {
	p := e.plat
	switch s.res {
	case resCPU:
		t := &e.c.tmpls[v.tmpl]
		share := min(s.demand, t.vcpu)
		s.rate = share
		if s.oversub > 0 {
			if vis := share * t.visPerCore; vis < s.demand {
				s.rate *= e.oversubFactor(vis/s.demand, s.oversub)
			}
		}
		if e.deep && share > t.vcpu*(1+1e-9) {
			e.fail("VM %d allocates %g of its %g cores", v.id, share, t.vcpu)
		}
	case resNet:
		r := min(p.ConnectionBps*float64(s.nsend), p.VMNetworkBps)
		if s.phase == phIn && s.sender >= 0 {
			r = min(r, p.VMNetworkBps/float64(e.vms[s.sender].npull))
		}
		s.rate = r
	}
	return s.rem / s.rate
}

// rateAll recomputes the rates of VM v's computing slots and of its transfers (ids), each only if
// something they depend on changed, in one pass that also finds the soonest completion.
func (e *engine) rateAll(v *vm, ids []int32) float64 {
	p := e.plat
	t := &e.c.tmpls[v.tmpl]
	cores, visPerCore := t.vcpu, t.visPerCore
	cpuChanged, netChanged := v.changed&(1<<resCPU) != 0, v.changed&(1<<resNet) != 0
	// Newest first, the order of every sum over the slots (see vm.ids).
	ncpu, nnet, need := 0, 0, 0.0
	for i := len(ids) - 1; i >= 0; i-- {
		switch s := &e.slots[ids[i]]; s.res {
		case resCPU:
			ncpu++
			need += s.demand
		case resNet:
			nnet++
		}
	}
	level, slow := math.Inf(1), 1.0
	if ncpu > 1 {
		slow = 1 / (1 + p.ContentionPerCoRunner*float64(ncpu-1))
	}
	if need > cores {
		level = e.waterLevel(ids, cores, ncpu)
	}
	netShare := p.VMNetworkBps / float64(max(nnet, 1))
	tmin, used := math.Inf(1), 0.0
	for i := len(ids) - 1; i >= 0; i-- {
		s := &e.slots[ids[i]]
		switch s.res {
		case resCPU:
			if !cpuChanged {
				break
			}
			share := min(s.demand, level)
			s.rate = share * slow
			if s.oversub > 0 {
				// Spin-waiting threads on fewer visible cores than threads: efficiency (n/k)^g,
				// n the slot's share of the visible cores (the quota throttles all of them alike).
				if vis := share * visPerCore; vis < s.demand {
					s.rate *= e.oversubFactor(vis/s.demand, s.oversub)
				}
			}
			used += share
		case resNet:
			if !netChanged {
				break
			}
			r := min(p.ConnectionBps*float64(s.nsend), netShare)
			if s.phase == phIn && s.sender >= 0 {
				r = min(r, p.VMNetworkBps/float64(e.vms[s.sender].npull))
			}
			s.rate = r
		}
		tmin = min(tmin, s.rem/s.rate)
	}
	if e.deep && cpuChanged && used > cores*(1+1e-9) {
		e.fail("VM %d allocates %g of its %g cores", v.id, used, cores)
	}
	return tmin
}

// waterLevel is the max-min fair level of n computing slots among ids sharing cores, when their
// demands exceed the cores: each gets min(its demand, level).
func (e *engine) waterLevel(ids []int32, cores float64, n int) float64 {
	level := cores / float64(n)
	if level <= 1 {
		// Every demand is at least 1 core, so none is below the level and the loop below would
		// stop at once with this very level.
		return level
	}
	for {
		left, k := cores, n
		for i := len(ids) - 1; i >= 0; i-- {
			if s := &e.slots[ids[i]]; s.res == resCPU && s.demand < level {
				left -= s.demand
				k--
			}
		}
		next := left / float64(k)
		if next <= level {
			return level
		}
		level = next
	}
}

// oversubFactor is math.Pow(x, g), from a small direct-mapped memo: the shares that reach it are
// few (a VM's cores / its computing invocations, the same for every VM of a template), and Pow
// took a fifth of the time of a bundled ml workflow. Same inputs, same result: outputs do not
// change. x and g are positive, so the empty entries (0, 0) never match.
func (e *engine) oversubFactor(x, g float64) float64 {
	h := (math.Float64bits(x) ^ math.Float64bits(g)>>1) * 0x9E3779B97F4A7C15
	m := &e.pows[h>>(64-6)]
	if m.x == x && m.g == g {
		return m.f
	}
	f := math.Pow(x, g)
	*m = powMemo{x, g, f}
	return f
}
