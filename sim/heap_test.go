package sim

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestHeapOrder checks the heap against sorting: events come out by (time, seq), ties in the
// order they were pushed.
func TestHeapOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h eventHeap
	var seq uint64
	last := makeEvent(0, 0, 0, 0)
	for round := 0; round < 200; round++ {
		for k := r.IntN(50); k > 0; k-- {
			seq++
			h.push(makeEvent(float64(r.IntN(20))+last.time()+1, seq, int32(r.IntN(1000)), evKind(r.IntN(4))))
		}
		for k := r.IntN(60); k > 0 && len(h) > 0; k-- {
			e := h.pop()
			if e.before(&last) {
				t.Fatalf("popped (%v, %d) after (%v, %d)", e.time(), e.seq(), last.time(), last.seq())
			}
			last = e
		}
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

// TestQueuesMatchOneHeap: the heap-plus-FIFOs queue pops exactly what one heap would, when each
// FIFO gets events at now plus its constant delay.
func TestQueuesMatchOneHeap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var q queues
	var h eventHeap
	delays := [3]float64{0, 0.05, 0.02}
	now, seq := 0.0, uint64(0)
	for step := 0; step < 20000; step++ {
		if r.IntN(3) > 0 || len(h) == 0 {
			seq++
			var e event
			if c := r.IntN(4); c == 3 {
				e = makeEvent(now+r.Float64()*float64(r.IntN(3)), seq, int32(seq%1000), evVM)
				q.heap.push(e)
			} else {
				e = makeEvent(now+delays[c], seq, int32(seq%1000), evBegin)
				q.fifos[c].push(e)
			}
			h.push(e)
			continue
		}
		want, got := h.pop(), q.pop()
		if want != got {
			t.Fatalf("step %d: queues popped (%v, %d), one heap (%v, %d)", step, got.time(), got.seq(), want.time(), want.seq())
		}
		now = want.time()
	}
	if q.len() != len(h) {
		t.Fatalf("%d events left in queues, %d in the heap", q.len(), len(h))
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
