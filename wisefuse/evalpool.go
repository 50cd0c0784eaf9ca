// The workers that evaluate segment options (Planner.Prepare, a search's sweeps) in parallel:
// each with its own scratch; the items' phases and sums and the fused groups' step replays are
// caches all share (onceMap, replayCache), each key made once.

package wisefuse

import (
	"runtime"

	"github.com/wisefuse/wisefuse/internal/parallel"
)

// evalWorker is one worker's scratch: sc for exact evaluations, lb for lower bounds. All workers
// share the phase caches (the bounds of items that cannot be summed up, sumItems, read the phases
// the replays build; both depend only on their keys), the items' sums the other bounds read
// (itembounds.go) and the fused groups' step replays.
type evalWorker struct{ sc, lb scratch }

// evalPool runs evaluations on a bounded set of workers. Every evaluation is a pure function of
// its option (the caches only remember results), so which worker makes it, and when, changes no
// value: results land in the options themselves.
type evalPool struct{ workers []*evalWorker }

func newEvalPool(n int) *evalPool {
	p := &evalPool{workers: make([]*evalWorker, max(n, 1))}
	// The step replays of fused groups are shared (replayCache): the replays' and the bounds';
	// so are the items' phases they read.
	replays, bounds := replayCache(), replayCache()
	cache, spills, sums := &onceMap[phaseKey, *itemPhases]{}, &onceMap[spillKey, *spilledPhases]{}, &onceMap[sumsKey, *itemBounds]{}
	for k := range p.workers {
		w := &evalWorker{}
		w.sc.ps.cache, w.sc.ps.spills = cache, spills
		w.lb.ps.cache, w.lb.ps.spills, w.lb.ps.sums, w.lb.ps.bound = cache, spills, sums, true
		w.sc.replays, w.lb.replays = replays, bounds
		p.workers[k] = w
	}
	return p
}

// each calls f for every option of os, on up to len(p.workers) goroutines (parallel.For: the
// caller's among them; with one worker, in order on the caller's goroutine).
func (p *evalPool) each(os []*lazyOption, f func(*evalWorker, *lazyOption)) {
	parallel.For(len(os), len(p.workers), func(w, k int) bool {
		f(p.workers[w], os[k])
		return true
	})
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
