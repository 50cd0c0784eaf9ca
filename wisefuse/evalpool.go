// The workers that evaluate segment options (Planner.Prepare, a search's sweeps) in parallel:
// each with its own scratch and phase caches; only the fused groups' step replays are one cache
// for all (replayCache), each key made once.

package wisefuse

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/wisefuse/wisefuse/internal/crash"
)

// evalWorker is one worker's scratch: sc for exact evaluations, lb for lower bounds. All workers
// share the phase caches (the bounds read the phases the replays build; both depend only on
// their keys) and the fused groups' step replays.
type evalWorker struct{ sc, lb scratch }

// evalPool runs evaluations on a bounded set of workers. Every evaluation is a pure function of
// its option (the caches only remember results), so which worker makes it, and when, changes no
// value: results land in the options themselves.
type evalPool struct{ workers []*evalWorker }

func newEvalPool(n int) *evalPool {
	p := &evalPool{workers: make([]*evalWorker, max(n, 1))}
	// The step replays of fused groups are shared (replayCache): the replays' and the bounds';
	// so are the items' phases they read.
	replays, bounds := &replayCache{}, &replayCache{}
	cache, spills := &onceMap[phaseKey, *itemPhases]{}, &onceMap[spillKey, *spilledPhases]{}
	for k := range p.workers {
		w := &evalWorker{}
		w.sc.ps.cache, w.sc.ps.spills = cache, spills
		w.lb.ps.cache, w.lb.ps.spills, w.lb.ps.bound = cache, spills, true
		w.sc.replays, w.lb.replays = replays, bounds
		p.workers[k] = w
	}
	return p
}

// each calls f for every option of os, on up to len(p.workers) goroutines (the caller's among
// them); with one worker, in order on the caller's goroutine. A panic in a worker is raised
// again on the caller's goroutine, with the worker's stack.
func (p *evalPool) each(os []*lazyOption, f func(*evalWorker, *lazyOption)) {
	n := min(len(p.workers), len(os))
	if n <= 1 {
		for _, o := range os {
			f(p.workers[0], o)
		}
		return
	}
	var next atomic.Int64
	work := func(w *evalWorker) (err error) {
		defer crash.Recover(&err)
		for {
			k := int(next.Add(1) - 1)
			if k >= len(os) {
				return nil
			}
			f(w, os[k])
		}
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := 1; k < n; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = work(p.workers[k])
		}()
	}
	errs[0] = work(p.workers[0])
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			panic(err) // a *crash.Panic: the evaluation's own panic, a programmer error
		}
	}
}

// workers is Workers, or GOMAXPROCS when it is not set.
func (o PlannerOptions) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// ahead is how many options a lazy sweep hands the pool at once: one per worker.
func (p *evalPool) ahead() int { return len(p.workers) }
