// Package parallel runs a loop's iterations on a bounded set of goroutines: the worker pool the
// planner's evaluations, the trace generator's simulations, the replay's planning and the
// profile reader's number arrays share.
package parallel

import (
	"sync"
	"sync/atomic"

	"github.com/wisefuse/wisefuse/internal/crash"
)

// For calls f(w, i) for every i in [0, n) on up to workers goroutines, the caller's among them,
// and reports whether every call returned true. w, from 0 to workers-1, names the goroutine
// making the call, for scratch of its own. Indices are handed out one at a time in order; once
// a call returns false no more are (the calls under way finish). With one worker, or n <= 1,
// the calls run in order on the caller's goroutine. A panic in f is raised again on the
// caller's goroutine as a *crash.Panic, which carries the worker's stack.
func For(n, workers int, f func(w, i int) bool) bool {
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			if !f(0, i) {
				return false
			}
		}
		return true
	}
	var next atomic.Int64
	var stopped atomic.Bool
	work := func(w int) error {
		for !stopped.Load() {
			i := int(next.Add(1) - 1)
			if i >= n {
				break
			}
			if !f(w, i) {
				stopped.Store(true)
			}
		}
		return nil
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Go(func() { errs[w] = crash.Go(func() error { return work(w) }) })
	}
	errs[0] = crash.Go(func() error { return work(0) })
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			panic(err) // a *crash.Panic: f's own panic, a programmer error
		}
	}
	return !stopped.Load()
}
