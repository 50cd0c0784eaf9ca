package sim

import (
	"math/rand/v2"
	"testing"
)

// TestHeapOrder checks the heap against sorting: events come out by (time, seq), ties in the
// order they were pushed.
func TestHeapOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h eventHeap
	var seq uint64
	last := event{t: -1}
	for round := 0; round < 200; round++ {
		for k := r.IntN(50); k > 0; k-- {
			seq++
			h.push(makeEvent(float64(r.IntN(20))+last.t+1, seq, int32(r.IntN(1000)), evKind(r.IntN(4))))
		}
		for k := r.IntN(60); k > 0 && len(h) > 0; k-- {
			e := h.pop()
			if e.before(&last) {
				t.Fatalf("popped (%v, %d) after (%v, %d)", e.t, e.seq(), last.t, last.seq())
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
