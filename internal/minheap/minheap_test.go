package minheap

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPopsInOrder: interleaved pushes and pops of random values with many ties, under a less
// that breaks ties by insertion order, pop exactly what a sorted reference says is least.
func TestPopsInOrder(t *testing.T) {
	type item struct{ key, seq int }
	less := func(a, b item) bool { return a.key < b.key || a.key == b.key && a.seq < b.seq }
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		var h, ref []item
		seq := 0
		for op := range 300 {
			if len(ref) > 0 && r.IntN(3) == 0 {
				got := Pop(&h, less)
				want := ref[0]
				ref = ref[1:]
				if got != want {
					t.Fatalf("trial %d op %d: popped %+v, want %+v", trial, op, got, want)
				}
				continue
			}
			x := item{key: r.IntN(20), seq: seq}
			seq++
			Push(&h, x, less)
			ref = append(ref, x)
			slices.SortFunc(ref, func(a, b item) int {
				if less(a, b) {
					return -1
				}
				if less(b, a) {
					return 1
				}
				return 0
			})
		}
		if len(h) != len(ref) {
			t.Fatalf("trial %d: heap holds %d, want %d", trial, len(h), len(ref))
		}
	}
}
