package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// refQueue is the obvious priority queue the event heap must agree with: a slice kept sorted by
// (time, seq), popped from the front.
type refQueue []event

func (r *refQueue) push(e event) {
	i, _ := slices.BinarySearchFunc(*r, e, func(a, b event) int {
		if a.before(&b) {
			return -1
		}
		return 1
	})
	*r = slices.Insert(*r, i, e)
}

func (r *refQueue) pop() event {
	e := (*r)[0]
	*r = (*r)[1:]
	return e
}

// TestHeapOrder checks the heap against a sorted list, as the engine uses it: every push comes
// at or after the last popped time (often at exactly that time, so ties are decided by seq), the
// earliest event is peeked at and then undercut by a push (the hole a pop leaves is then filled
// first), pops follow each other with no push between, and times span from -0 and subnormals to
// thousands of seconds and +Inf.
func TestHeapOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h eventHeap
	var ref refQueue
	var seq uint64
	now := math.Copysign(0, -1)
	delay := func() float64 {
		switch r.IntN(6) {
		case 0:
			return 0
		case 1:
			return 5e-324 * float64(r.IntN(3))
		case 2:
			return r.Float64() * 1e-3
		case 3:
			return float64(r.IntN(4)) * 0.25
		case 4:
			return r.ExpFloat64() * 100
		}
		if r.IntN(50) == 0 {
			return math.Inf(1)
		}
		return r.Float64() * 3
	}
	for round := 0; round < 3000; round++ {
		for k := r.IntN(8); k > 0; k-- {
			seq++
			e := makeEvent(now+delay(), seq, int32(r.IntN(1000)), evKind(r.IntN(4)))
			h.push(e)
			ref.push(e)
		}
		if h.len() != len(ref) {
			t.Fatalf("round %d: heap holds %d events, want %d", round, h.len(), len(ref))
		}
		for k := r.IntN(9); k > 0 && len(ref) > 0; k-- {
			if r.IntN(3) == 0 {
				// Peek, then schedule something before the earliest event but not before now.
				if m := h.min(); *m != ref[0] {
					t.Fatalf("round %d: min is (%v, %d), want (%v, %d)", round, m.time(), m.seq(), ref[0].time(), ref[0].seq())
				}
				if gap := ref[0].time() - now; gap > 0 && !math.IsInf(gap, 1) {
					seq++
					e := makeEvent(now+gap*r.Float64(), seq, 1, evVM)
					h.push(e)
					ref.push(e)
				}
			}
			got, want := h.pop(), ref.pop()
			if got != want {
				t.Fatalf("round %d: popped (%v, %d), want (%v, %d)", round, got.time(), got.seq(), want.time(), want.seq())
			}
			if math.IsInf(want.time(), 1) {
				// Nothing can follow +Inf but more +Inf; start the clock again from an empty heap.
				for len(ref) > 0 {
					if got, want := h.pop(), ref.pop(); got != want {
						t.Fatalf("round %d: popped (%v, %d), want (%v, %d)", round, got.time(), got.seq(), want.time(), want.seq())
					}
				}
				h.reset()
				now = 0
				break
			}
			now = want.time()
		}
	}
}

// TestHeapEarlyEvent: an event scheduled before the last popped one (an engine bug) comes out
// next, also into the hole a pop left, so the loop sees the clock go back and reports it instead
// of running on out of order.
func TestHeapEarlyEvent(t *testing.T) {
	var h eventHeap
	for i, at := range []float64{1, 2, 3, 2.5} {
		h.push(makeEvent(at, uint64(i+1), int32(i), evVM))
	}
	if e := h.pop(); e.time() != 1 {
		t.Fatalf("first pop at %v, want 1", e.time())
	}
	if e := h.pop(); e.time() != 2 {
		t.Fatalf("second pop at %v, want 2", e.time())
	}
	h.push(makeEvent(1.5, 5, 9, evVM))
	if e := h.pop(); e.time() != 1.5 || e.id() != 9 {
		t.Fatalf("after an early push popped (%v, id %d), want the early event (1.5, id 9)", e.time(), e.id())
	}
}

func TestEventPacking(t *testing.T) {
	for _, c := range []struct {
		seq  uint64
		id   int32
		kind evKind
	}{{1, 0, evArrival}, {maxSeq, maxEvtID, evExpire}, {12345, 777, evVM}} {
		e := makeEvent(1.5, c.seq, c.id, c.kind)
		if e.seq() != c.seq || e.id() != c.id || e.kind() != c.kind {
			t.Errorf("packed %+v, unpacked seq %d id %d kind %d", c, e.seq(), e.id(), e.kind())
		}
	}
}

// TestQueuesMatchOneHeap: the two-heaps-plus-FIFOs queue pops exactly what one sorted list would,
// when each FIFO gets events at now plus its constant delay, the timeouts' FIFO one event at a
// time at any later time, and the heaps get completions and expiries at any later time, ties
// included.
func TestQueuesMatchOneHeap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var q queues
	var ref refQueue
	delays := [3]float64{0, 0.05, 0.02}
	now, seq := 0.0, uint64(0)
	for step := 0; step < 20000; step++ {
		if r.IntN(3) > 0 || len(ref) == 0 {
			seq++
			var e event
			if c := r.IntN(6); c == 5 {
				// The timeouts' FIFO holds at most one event, at any later time.
				if q.fifos[qTimeout].head < len(q.fifos[qTimeout].buf) {
					seq--
					continue
				}
				e = makeEvent(now+r.Float64()*float64(r.IntN(3)), seq, tmoPump, evExpire)
				q.fifos[qTimeout].push(e)
			} else if c >= 3 {
				kind := evVM
				if c == 4 {
					kind = evExpire
				}
				e = makeEvent(now+r.Float64()*float64(r.IntN(3)), seq, int32(seq%1000), kind)
				q.push(e)
			} else {
				e = makeEvent(now+delays[c], seq, int32(seq%1000), evBegin)
				q.fifos[c].push(e)
			}
			ref.push(e)
			continue
		}
		want := ref.pop()
		got, ok := q.pop()
		if !ok || want != got {
			t.Fatalf("step %d: queues popped (%v, %d), want (%v, %d)", step, got.time(), got.seq(), want.time(), want.seq())
		}
		now = want.time()
	}
	for range ref {
		if _, ok := q.pop(); !ok {
			t.Fatalf("queues ran dry with %d events in the reference", len(ref))
		}
	}
	if _, ok := q.pop(); ok {
		t.Fatalf("queues popped an event after the reference's %d", len(ref))
	}
}

// TestEventBefore checks the branch-free comparison of packed times against the float one it
// replaces, including ties (decided by seq), -0 against +0, +Inf and neighbouring floats.
func TestEventBefore(t *testing.T) {
	times := []float64{math.Copysign(0, -1), 0, 5e-324, 1e-9, 0.5, 1, math.Nextafter(1, 2), 3600, 1e300, math.Inf(1)}
	for _, ta := range times {
		for _, tb := range times {
			for _, sa := range []uint64{1, 2, 3} {
				for _, sb := range []uint64{1, 2, 3} {
					a, b := makeEvent(ta, sa, 7, evVM), makeEvent(tb, sb, 9, evBegin)
					want := ta < tb || (ta == tb && a.key < b.key)
					if got := a.before(&b); got != want {
						t.Errorf("(%v, seq %d) before (%v, seq %d) = %v, want %v", ta, sa, tb, sb, got, want)
					}
				}
			}
			ev := makeEvent(ta, 1, 0, 0)
			if got := ev.time(); math.Float64bits(got) != math.Float64bits(ta) {
				t.Errorf("time() of %v gave %v", ta, got)
			}
		}
	}
}
