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
			h.push(event{t: float64(r.IntN(20)) + last.t + 1, seq: seq})
		}
		for k := r.IntN(60); k > 0 && len(h) > 0; k-- {
			e := h.pop()
			if e.before(&last) {
				t.Fatalf("popped (%v, %d) after (%v, %d)", e.t, e.seq, last.t, last.seq)
			}
			last = e
		}
	}
}
