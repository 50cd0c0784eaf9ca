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

// eventHeap holds the VMs' completions and the pools' keep-alive expiries (one per busy VM, a few
// hundred to a few hundred thousand) as a radix heap on the 128-bit key (time bits, key). A
// radix heap needs every key pushed to come after the last one popped, which the clock gives:
// events are scheduled at or after now with a fresh, larger seq, and the last popped heap event
// is at or before now. Bucket b > 0 holds the events whose highest bit differing from the last
// popped key is bit b-1 (bucket 64+k for a time differing at bit k-1, bucket k for equal times,
// keys differing at bit k-1), so every event of a lower bucket comes before every event of a
// higher one. A pop takes the earliest event of the lowest non-empty bucket and moves the rest
// of that bucket down, relative to the new last key; each event moves down a few times in its
// life (about two per pop here). This replaced a 4-ary heap: the next completion of a VM is
// usually among the next few events, so a comparison heap spent a full sift-down per pop (the
// last leaf sinking back through every level, one unpredictable branch per level) and a sift-up
// almost to the root per push; pushing here is an append, and the few moves are independent of
// each other.
//
// Bucket 0 is empty in a correct run (keys are unique and the last popped one is gone); an event
// scheduled before the last popped one, an engine bug, goes there so that it is popped next and
// the loop reports that the clock went back, as it did with the comparison heap.
type eventHeap struct {
	lastT, lastK uint64 // the last popped key, the sign of its time cleared (see less)
	n            int
	nonempty     [3]uint64 // bit b set if buckets[b] holds events
	buckets      [129][]event
	known        bool // the earliest event is buckets[minB][minI]
	minB, minI   int
}

func (h *eventHeap) len() int { return h.n }

// bucketOf gives the bucket of e relative to the last popped key.
func (h *eventHeap) bucketOf(e *event) int {
	const sign = 1 << 63
	t := e.tb &^ sign
	if x := t ^ h.lastT; x != 0 {
		if t < h.lastT {
			return 0
		}
		return 64 + bits.Len64(x)
	}
	if e.key < h.lastK {
		return 0
	}
	return bits.Len64(e.key ^ h.lastK)
}

func (h *eventHeap) push(e event) {
	b := h.bucketOf(&e)
	h.buckets[b] = append(h.buckets[b], e)
	h.nonempty[b>>6] |= 1 << (b & 63)
	h.n++
	if h.known && e.before(&h.buckets[h.minB][h.minI]) {
		h.minB, h.minI = b, len(h.buckets[b])-1
	}
}

// min returns the earliest event, without removing it; the heap must not be empty. It leaves the
// last popped key alone: an event may still be pushed before the earliest one here (the queues
// peek at the heap when a FIFO's event fires first).
func (h *eventHeap) min() *event {
	if !h.known {
		b := bits.TrailingZeros64(h.nonempty[0])
		if h.nonempty[0] == 0 {
			b = 64 + bits.TrailingZeros64(h.nonempty[1])
			if h.nonempty[1] == 0 {
				b = 128
			}
		}
		s := h.buckets[b]
		m := 0
		if len(s) > 1 {
			// The running minimum is kept in registers (comparing through s[m] costs a load per step).
			mt, mk := s[0].tb&^(1<<63), s[0].key
			for j := 1; j < len(s); j++ {
				t, k := s[j].tb&^(1<<63), s[j].key
				_, borrow := bits.Sub64(k, mk, 0)
				if _, borrow = bits.Sub64(t, mt, borrow); borrow != 0 {
					m, mt, mk = j, t, k
				}
			}
		}
		h.known, h.minB, h.minI = true, b, m
	}
	return &h.buckets[h.minB][h.minI]
}

// pop removes and returns the earliest event; the heap must not be empty.
func (h *eventHeap) pop() event {
	top := *h.min()
	b := h.minB
	s := h.buckets[b]
	s[h.minI] = s[len(s)-1]
	s = s[:len(s)-1]
	h.buckets[b] = h.buckets[b][:0]
	h.nonempty[b>>6] &^= 1 << (b & 63)
	h.n--
	h.known = false
	// The rest of bucket b shares with top every bit above the one they differ in from the old
	// last key, so each goes to a lower bucket; higher buckets keep their meaning.
	h.lastT, h.lastK = top.tb&^(1<<63), top.key
	for j := range s {
		c := h.bucketOf(&s[j])
		h.buckets[c] = append(h.buckets[c], s[j])
		h.nonempty[c>>6] |= 1 << (c & 63)
	}
	return top
}

func (h *eventHeap) reset() {
	for i := range h.buckets {
		h.buckets[i] = h.buckets[i][:0]
	}
	h.lastT, h.lastK, h.n, h.nonempty, h.known = 0, 0, 0, [3]uint64{}, false
}

// fifo holds events scheduled at now plus a constant delay (state transitions, spill invokes,
// zero-delay steps): they arrive in time order, so a queue keeps them sorted and the heap stays
// small, holding only the VMs' completions and keep-alive expiries.
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

// queues is the engine's event queue: a heap plus FIFOs, popped in (t, seq) order over all of
// them, which is exactly the order a single heap would give.
type queues struct {
	heap  eventHeap
	fifos [3]fifo
}

// The FIFOs by delay class.
const (
	qNow        = iota // delay 0
	qTransition        // Platform.TransitionLatency
	qInvoke            // Platform.InvokeLatency
)

func (q *queues) len() int {
	n := q.heap.len()
	for i := range q.fifos {
		n += len(q.fifos[i].buf) - q.fifos[i].head
	}
	return n
}

func (q *queues) pop() event {
	best, from := (*event)(nil), -1
	if q.heap.len() > 0 {
		best = q.heap.min()
	}
	for i := range q.fifos {
		f := &q.fifos[i]
		if f.head < len(f.buf) && (best == nil || f.buf[f.head].before(best)) {
			best, from = &f.buf[f.head], i
		}
	}
	if from < 0 {
		return q.heap.pop()
	}
	f := &q.fifos[from]
	ev := f.buf[f.head]
	f.head++
	if f.head == len(f.buf) {
		f.buf, f.head = f.buf[:0], 0
	}
	return ev
}

func (q *queues) reset() {
	q.heap.reset()
	for i := range q.fifos {
		q.fifos[i].buf, q.fifos[i].head = q.fifos[i].buf[:0], 0
	}
}
