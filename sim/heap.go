package sim

import (
	"math"
	"math/bits"
)

// evKind says what an event does when it fires.
type evKind uint8

const (
	evArrival evKind = iota // id: run index (a new DAG invocation)
	evBegin                 // id: frame; an orchestrated state, a spill invoke or a pass begins
	evVM                    // id: VM slot; the VM's next phase completion (valid if it is the VM's evSeq)
	evExpire                // id: template; the keep-alive of the pool's oldest idle VMs may have ended
)

// event is ordered by (t, seq): seq is a global counter, so simultaneous events fire in the order
// they were scheduled and the run is deterministic. It is 16 bytes, four to a cache line: key
// packs seq (high 36 bits, so comparing keys compares seqs), id (26 bits) and kind (2 bits). A VM
// event is stale when the VM's evSeq no longer names it.
//
// The time is kept as its IEEE bits, tb: for times >= 0 (and +Inf) the bits order like the values,
// so (tb, key) compares as one 128-bit integer, without branches (see less). Event times are never
// negative or NaN (run validates arrivals, delays are >= 0, and the loop checks the clock); the
// comparison ignores the sign bit so that -0 (an arrival list may hold it) ties with +0, as a
// float comparison has it, while time() still returns exactly the scheduled value.
type event struct {
	tb  uint64
	key uint64
}

const (
	seqBits  = 36
	idBits   = 26
	maxSeq   = 1<<seqBits - 1
	maxEvtID = 1<<idBits - 1
)

func makeEvent(t float64, seq uint64, id int32, kind evKind) event {
	return event{tb: math.Float64bits(t), key: seq<<(idBits+2) | uint64(id)<<2 | uint64(kind)}
}

func (e *event) time() float64 { return math.Float64frombits(e.tb) }
func (e *event) kind() evKind  { return evKind(e.key & 3) }
func (e *event) id() int32     { return int32(e.key >> 2 & maxEvtID) }
func (e *event) seq() uint64   { return e.key >> (idBits + 2) }

func (a *event) before(b *event) bool { return a.less(b) != 0 }

// less is 1 if a comes before b, else 0: the borrow of (a.tb, a.key) - (b.tb, b.key).
func (a *event) less(b *event) uint64 {
	const sign = 1 << 63
	_, borrow := bits.Sub64(a.key, b.key, 0)
	_, borrow = bits.Sub64(a.tb&^sign, b.tb&^sign, borrow)
	return borrow
}

// eventHeap is a priority queue of events: the engine has two (queues), one for the VMs'
// completions (about one per busy VM) and one for the pools' keep-alive expiries. It is a 4-ary min-heap on a slice, written out for the event type: no interface calls, no
// allocation once the slice has grown to the run's peak size, and half the levels of a binary
// heap (the children of a node share a cache line or two).
//
// A pop leaves the root empty (hole) instead of moving the last leaf there at once, because
// almost every heap pop is followed by one push: the popped VM's next completion, which is
// usually among the next few events (a median 25-50 ms ahead, against seconds for the heap's
// span). That push fills the root and sinks 2.4 levels on average in BenchmarkEngine/bundledDirect,
// where a full pop sank the last leaf (a late event) about four and the push then climbed from a
// leaf. Only when the heap is read with the hole still open (a pop not followed by a push:
// a VM going idle, a stale completion) is the last leaf moved up, as in a plain pop.
//
// A radix heap on the 128-bit (time, key) was also tried (push is an append, a pop moves about
// two events down a bucket): as fast as this on the arrival benchmarks and 15-30% faster than a
// plain 4-ary heap with 200,000 concurrent completions, but 15-20% slower on BenchmarkWorkflow,
// whose independent runs keep the heap at a few dozen events, where its fixed costs dominate
// (docs/simulator.md, Speed).
type eventHeap struct {
	s    []event // s[0] is the minimum, unless hole
	hole bool    // s[0] was popped and not refilled yet
}

func (h *eventHeap) len() int {
	if h.hole {
		return len(h.s) - 1
	}
	return len(h.s)
}

// min returns the earliest event, without removing it; the heap must not be empty.
func (h *eventHeap) min() *event {
	if h.hole {
		h.fill()
	}
	return &h.s[0]
}

// fill closes the hole at the root with the last leaf.
func (h *eventHeap) fill() {
	h.hole = false
	n := len(h.s) - 1
	last := h.s[n]
	h.s = h.s[:n]
	if n > 0 {
		h.s[0] = last
		h.down(last)
	}
}

func (h *eventHeap) push(e event) {
	if h.hole {
		h.hole = false
		h.down(e)
		return
	}
	h.s = append(h.s, e)
	s := h.s
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !e.before(&s[p]) {
			break
		}
		s[i] = s[p]
		i = p
	}
	s[i] = e
}

func (h *eventHeap) reset() { h.s, h.hole = h.s[:0], false }

// pop removes and returns the earliest event; the heap must not be empty.
func (h *eventHeap) pop() event {
	top := *h.min()
	h.hole = true
	return top
}

// down places e at the root, the root's old value being dropped, and sinks it to its place.
//
// Where a node has all four children, the smallest is found as a tournament: the two pairs are
// compared independently and the winners' keys selected by arithmetic, then the winners compared.
// A scan (m = j if s[j] comes before s[m], for j = c+1..c+3) chains three comparisons, each
// waiting for the load of the previous winner; the tournament loads the four children at once
// and has two comparisons on its critical path. Keys are unique (seq), so both find the same
// child.
func (h *eventHeap) down(e event) {
	s := h.s
	n := len(s)
	i := 0
	for {
		c := 4*i + 1
		if c+3 >= n {
			if c < n {
				i = h.downLast(e, i, c)
			}
			break
		}
		a, b := &s[c], &s[c+1]
		x, y := &s[c+2], &s[c+3]
		lab, lxy := b.less(a), y.less(x)
		// The winners, their index and key selected by masks (0 or all ones): which child is smallest
		// is a coin toss, and as a branch it mispredicted about once per level.
		mab, mxy := -lab, -lxy
		w1 := event{tb: a.tb ^ (a.tb^b.tb)&mab, key: a.key ^ (a.key^b.key)&mab}
		w2 := event{tb: x.tb ^ (x.tb^y.tb)&mxy, key: x.key ^ (x.key^y.key)&mxy}
		i1, i2 := c+int(lab), c+2+int(lxy)
		l := w2.less(&w1)
		mw := -l
		w := event{tb: w1.tb ^ (w1.tb^w2.tb)&mw, key: w1.key ^ (w1.key^w2.key)&mw}
		m := i1 ^ (i1^i2)&-int(l)
		if !w.before(&e) {
			break
		}
		s[i] = w
		i = m
	}
	s[i] = e
}

// downLast finishes down at node i, whose children s[c:] are fewer than four (the heap's last
// node with children): e goes to i or, if the smallest child comes before it, to that child's
// place, which has no children. It returns where e goes.
func (h *eventHeap) downLast(e event, i, c int) int {
	s := h.s
	m := c
	for j := c + 1; j < len(s); j++ {
		if s[j].before(&s[m]) {
			m = j
		}
	}
	if !s[m].before(&e) {
		return i
	}
	s[i] = s[m]
	return m
}

// fifo holds events scheduled at now plus a constant delay (state transitions, spill invokes,
// zero-delay steps): they arrive in time order, so a queue keeps them sorted and the heaps stay
// small, holding only the VMs' completions and the keep-alive expiries.
type fifo struct {
	buf  []event
	head int
}

func (q *fifo) push(e event) {
	if q.head > 1024 && q.head > len(q.buf)/2 {
		n := copy(q.buf, q.buf[q.head:])
		q.buf, q.head = q.buf[:n], 0
	}
	q.buf = append(q.buf, e)
}

// queues is the engine's event queue: two heaps plus FIFOs, popped in (t, seq) order over all of
// them, which is exactly the order a single heap would give.
//
// The heap holds the VMs' completions, which are near (a VM's next phase); far holds the
// evExpire events of the warm pools' keep-alive expiries.
// With thousands of warm pools each has one expiry pending, up to a keep-alive ahead: in one
// heap they outnumbered the completions twenty to one (a replay of a `trace gen --dags 2000`
// trace: 840 events in the heap on average, about 40 of them completions), so every completion
// sank through levels of expiries it never passes. Apart, a completion's push and pop work on
// a heap the size of what is running, and the expiries' heap changes only when a pool fills,
// empties or expires, or the timeouts' event moves on (docs/simulator.md, Speed).
//
// The timeouts' event (timeout.go) has a FIFO of its own, which never holds more than that one
// event: in the far heap each of its moves (once per acquisition, most of them finding the
// acquisition finished) popped the root and sank the next through the expiries, where now it
// costs one more head to compare per pop.
type queues struct {
	heap  eventHeap
	far   eventHeap
	fifos [4]fifo
}

// The FIFOs by delay class.
const (
	qNow        = iota // delay 0
	qTransition        // Platform.TransitionLatency
	qInvoke            // Platform.InvokeLatency
	qTimeout           // the timeouts' event alone (timeout.go)
)

// push adds an event scheduled at a variable time: evExpire (a pool's expiry) to far, the
// others to heap.
func (q *queues) push(e event) {
	if e.kind() == evExpire {
		q.far.push(e)
		return
	}
	q.heap.push(e)
}

// pop removes and returns the earliest event, or reports that the queue is empty (which costs
// the loop nothing more than the comparisons the pop does anyway).
func (q *queues) pop() (event, bool) {
	const fromHeap, fromFar = -1, -2 // else the FIFO's index
	best, from := (*event)(nil), fromHeap
	if q.heap.len() > 0 {
		best = q.heap.min()
	}
	if q.far.len() > 0 {
		if m := q.far.min(); best == nil || m.before(best) {
			best, from = m, fromFar
		}
	}
	for i := range q.fifos {
		f := &q.fifos[i]
		if f.head < len(f.buf) && (best == nil || f.buf[f.head].before(best)) {
			best, from = &f.buf[f.head], i
		}
	}
	switch {
	case best == nil:
		return event{}, false
	case from == fromHeap:
		return q.heap.pop(), true
	case from == fromFar:
		return q.far.pop(), true
	}
	f := &q.fifos[from]
	ev := f.buf[f.head]
	f.head++
	if f.head == len(f.buf) {
		f.buf, f.head = f.buf[:0], 0
	}
	return ev, true
}

func (q *queues) reset() {
	q.heap.reset()
	q.far.reset()
	for i := range q.fifos {
		q.fifos[i].buf, q.fifos[i].head = q.fifos[i].buf[:0], 0
	}
}
