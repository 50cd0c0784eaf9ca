package parallel

import (
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/wisefuse/wisefuse/internal/crash"
)

// Every index is visited once, by a worker named in [0, workers), whatever the worker count.
func TestForVisitsEachIndexOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 3, 8, 100} {
		for _, n := range []int{0, 1, 2, 7, 1000} {
			seen := make([]atomic.Int32, n)
			var bad atomic.Bool
			if !For(n, workers, func(w, i int) bool {
				if w < 0 || w >= max(workers, 1) {
					bad.Store(true)
				}
				seen[i].Add(1)
				return true
			}) {
				t.Errorf("n %d, workers %d: reported a stop no call asked for", n, workers)
			}
			for i := range seen {
				if c := seen[i].Load(); c != 1 {
					t.Fatalf("n %d, workers %d: index %d visited %d times", n, workers, i, c)
				}
			}
			if bad.Load() {
				t.Errorf("n %d, workers %d: a worker index out of range", n, workers)
			}
		}
	}
}

// With one worker the calls run in order on the caller's goroutine and stop at the first false.
func TestForOneWorkerInOrder(t *testing.T) {
	var order []int
	ok := For(10, 1, func(w, i int) bool { order = append(order, i); return i < 4 })
	if ok || !slices.Equal(order, []int{0, 1, 2, 3, 4}) {
		t.Errorf("For = %v, order %v; want false after 0..4", ok, order)
	}
}

// A false stops the handing out: far fewer calls than indices, and For reports it.
func TestForStops(t *testing.T) {
	var calls atomic.Int64
	ok := For(1_000_000, 4, func(w, i int) bool { calls.Add(1); return i != 10 })
	if ok {
		t.Error("For reported every call true")
	}
	if c := calls.Load(); c > 1000 {
		t.Errorf("%d calls after a stop at index 10", c)
	}
}

// A worker's panic comes back on the caller's goroutine as a *crash.Panic with its value.
func TestForPanics(t *testing.T) {
	for _, workers := range []int{1, 4} {
		func() {
			defer func() {
				r := recover()
				var p *crash.Panic
				if err, ok := r.(error); workers > 1 && (!ok || !errors.As(err, &p) || p.Value != "boom") {
					t.Errorf("workers %d: recovered %v, want a *crash.Panic of boom", workers, r)
				}
				if workers == 1 && r != "boom" {
					t.Errorf("workers 1: recovered %v, want boom", r)
				}
			}()
			For(100, workers, func(w, i int) bool {
				if i == 50 {
					panic("boom")
				}
				return true
			})
			t.Errorf("workers %d: no panic", workers)
		}()
	}
}
