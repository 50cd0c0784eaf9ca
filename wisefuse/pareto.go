// Pruning of partial plans and segment options: Pareto sets with a tolerance, and even thinning
// by cost.

package wisefuse

import (
	"math"
	"slices"
	"sort"
)

// spread returns k of the cost-sorted xs (k >= 2), evenly spaced by rank, first and last
// included: the thinning of partial plans, segment options and nested and log sizings alike.
func spread[T any](xs []T, k int) []T {
	out := make([]T, 0, k)
	for i := range k {
		out = append(out, xs[i*(len(xs)-1)/(k-1)])
	}
	return out
}

// paretoCands keeps the partial plans no other beats: sorted by cost, a plan survives unless a
// survivor (which, by the sort, costs no more) has all atoms within (1+tol) of its own.
func paretoCands(cs []*cand, tol float64) []*cand {
	sort.SliceStable(cs, func(a, b int) bool {
		if cs[a].cost != cs[b].cost {
			return cs[a].cost < cs[b].cost
		}
		return cs[a].lat.Mean() < cs[b].lat.Mean()
	})
	var keep []*cand
	for _, c := range cs {
		if !dominatedBy(c.cost, c.lat, len(keep), func(k int) (float64, Latency) { return keep[k].cost, keep[k].lat }, tol) {
			keep = append(keep, c)
		}
	}
	return keep
}

func paretoOptions(os []*option, tol float64) []*option {
	sort.SliceStable(os, func(a, b int) bool {
		if os[a].eval.cost != os[b].eval.cost {
			return os[a].eval.cost < os[b].eval.cost
		}
		return os[a].eval.lat.Mean() < os[b].eval.lat.Mean()
	})
	var keep []*option
	for _, o := range os {
		if !dominatedBy(o.eval.cost, o.eval.lat, len(keep), func(k int) (float64, Latency) { return keep[k].eval.cost, keep[k].eval.lat }, tol) {
			keep = append(keep, o)
		}
	}
	return keep
}

// dominatedBy reports whether one of n kept entries, all costing no more than cost, has every
// atom within (1+tol) of lat's. It checks the extreme atoms first as a quick reject.
func dominatedBy(_ float64, lat Latency, n int, kept func(int) (float64, Latency), tol float64) bool {
	top := len(lat) - 1
	for k := n - 1; k >= 0; k-- {
		_, kl := kept(k)
		if kl[top] > lat[top]*(1+tol) || kl[0] > lat[0]*(1+tol) {
			continue
		}
		if kl.Dominates(lat, tol) {
			return true
		}
	}
	return false
}

// lazyOption is a segment option during paretoLazy: evaluated (eval), or while lazy only bounded
// from below (bound: a cost and atoms no larger than the evaluation's). idx is its place in the
// order the options were listed. A lazy option evaluated ahead of its turn (evaluated) keeps its
// place at its bound until the sweep reaches it.
type lazyOption struct {
	option
	lazy  bool
	bound stageEval
	idx   int
	mean  float64 // eval.lat.Mean(), once evaluated
}

// evaluated reports whether o has its evaluation (a replayed option once replayed).
func (o *lazyOption) evaluated() bool { return o.eval.lat != nil }

// replays reports whether evaluating o replays bundles: it then has a bound (evaluateOptions).
func (o *lazyOption) replays() bool { return o.bound.lat != nil }

// floor is what o is known to be at least without replaying: its bound if it replays bundles,
// else its evaluation.
func (o *lazyOption) floor() stageEval {
	if o.replays() {
		return o.bound
	}
	return o.eval
}

// withMargin lowers the bound by a margin that covers the replay's own rounding (and the 1e-12
// threshold of a finished phase) against lowerBound's: far below the pruning's tolerance.
// The atoms are written to a new slice: the bound's may be shared with a cache.
func (o *lazyOption) withMargin() {
	o.bound.cost -= 1e-4 * math.Abs(o.bound.cost)
	lat := make(Latency, len(o.bound.lat))
	for k, v := range o.bound.lat {
		if math.IsInf(v, 1) {
			// A bound of a run that times out (Model.acquisition) stays one: Inf - Inf is NaN.
			lat[k] = v
			continue
		}
		lat[k] = v - 1e-6*math.Abs(v) - 1e-6
	}
	o.bound.lat = lat
}

// before reports whether a comes before b in paretoOptions' order (cost, then mean latency, then
// listing order); a lazy option stands at its cost bound, before every evaluated option of
// that cost.
func (a *lazyOption) before(b *lazyOption) bool {
	ac, am, bc, bm := a.key(), a.mean, b.key(), b.mean
	if a.lazy {
		am = math.Inf(-1)
	}
	if b.lazy {
		bm = math.Inf(-1)
	}
	if ac != bc {
		return ac < bc
	}
	if am != bm {
		return am < bm
	}
	return a.idx < b.idx
}

// key is the cost o stands at in the sweep's order (before): its cost bound while lazy.
func (o *lazyOption) key() float64 {
	if o.lazy {
		return o.bound.cost
	}
	return o.eval.cost
}

// paretoLazy returns paretoOptions of os, evaluating (exact) only the lazy options the pruning
// cannot drop on their bounds. It makes paretoOptions' sweep in its order, taking the options
// one by one, each at its key (before): an evaluated option is kept unless a kept one dominates
// it, as there; a lazy one is dropped when a kept option costing less than its cost bound is
// within the tolerance of its atoms' bounds (then it costs less than, and is within the
// tolerance of, the evaluated option too, which paretoOptions drops), else it is evaluated and
// goes back at its cost. Every option that comes before another in paretoOptions' order is
// taken first (a lazy one's key is no later than its evaluated one's), so the same options are
// kept in the same order. A NaN cost or mean, which sorts no order, or a NaN atom in a bound,
// falls back to evaluating every option.
//
// exact sets the eval of each option of a batch (in any order: the evaluations are independent).
// When the sweep must evaluate an option it passes up to ahead of them: that one and the next
// lazy ones in the sweep's order that the kept options do not drop yet (the kept options only
// grow, so those dropped now stay dropped), for workers to evaluate at once. A later kept option
// may still drop one of them, which is then evaluated for nothing; the sweep itself, and so
// what it keeps, is the same whatever ahead is. A batch holds one option of each bundled Map's
// key (sharesWith): they share one evaluation, so a second would only wait for it.
//
// keep (nil: every option) filters the evaluated options before the sweep takes them: one it
// rejects is neither kept nor drops any other, so the result is paretoOptions of the options keep
// accepts. Dropping a lazy option on its bounds stays right, since it takes a kept option, which
// keep accepted.
//
// With cheapest, the sweep stops at the first option (at its key) that costs more than the first
// kept one: the result is paretoOptions' options of the least cost, its first and those that tie
// it, and no option costing more is replayed (a lazy option's key is its cost bound).
func paretoLazy(os []*lazyOption, tol float64, ahead int, exact func([]*lazyOption), keep func(*option) bool, cheapest bool) []*option {
	if keep == nil {
		keep = func(*option) bool { return true }
	}
	all := func() []*option {
		var batch []*lazyOption
		for _, o := range os {
			if !o.evaluated() {
				batch = append(batch, o)
			}
		}
		exact(batch)
		var out []*option
		for _, o := range os {
			if keep(&o.option) {
				out = append(out, &o.option)
			}
		}
		return paretoOptions(out, tol)
	}
	for _, o := range os {
		if o.lazy && (math.IsNaN(o.bound.cost) || slices.ContainsFunc(o.bound.lat, math.IsNaN)) {
			return all()
		}
		if !o.lazy {
			if o.mean = o.eval.lat.Mean(); math.IsNaN(o.eval.cost) || math.IsNaN(o.mean) {
				return all()
			}
		}
	}
	// live is kept in sweep order: sorted once, an evaluated option moved to its new place.
	live := slices.Clone(os)
	slices.SortFunc(live, func(a, b *lazyOption) int {
		if a.before(b) {
			return -1
		}
		if b.before(a) {
			return 1
		}
		return 0
	})
	var kept []*option
	// dropped reports whether a kept option drops lazy option o on its bounds.
	dropped := func(o *lazyOption) bool {
		for _, k := range kept {
			if k.eval.cost < o.bound.cost && k.eval.lat.Dominates(o.bound.lat, tol) {
				return true
			}
		}
		return false
	}
	var batch []*lazyOption
	for len(live) > 0 {
		o := live[0]
		if cheapest && len(kept) > 0 && o.key() > kept[0].eval.cost {
			break
		}
		live = live[1:]
		if o.lazy {
			if dropped(o) {
				continue
			}
			if !o.evaluated() {
				batch = append(batch[:0], o)
				for _, x := range live {
					if len(batch) >= ahead {
						break
					}
					if !x.evaluated() && !sharesWith(x, batch) && !dropped(x) {
						batch = append(batch, x)
					}
				}
				exact(batch)
			}
			o.lazy = false
			if o.mean = o.eval.lat.Mean(); math.IsNaN(o.eval.cost) || math.IsNaN(o.mean) {
				return all()
			}
			at, _ := slices.BinarySearchFunc(live, o, func(x, o *lazyOption) int {
				if x.before(o) {
					return -1
				}
				return 1
			})
			live = slices.Insert(live, at, o)
			continue
		}
		if keep(&o.option) && !dominatedBy(o.eval.cost, o.eval.lat, len(kept), func(k int) (float64, Latency) { return kept[k].eval.cost, kept[k].eval.lat }, tol) {
			kept = append(kept, &o.option)
		}
	}
	return kept
}

// sharesWith reports whether o shares its evaluation with an option of batch: a bundled Map's,
// made once per bundledKeyOf (evaluateOptions); the zero key shares none.
func sharesWith(o *lazyOption, batch []*lazyOption) bool {
	k := bundledKeyOf(o.seg)
	return k != (bundledKey{}) && slices.ContainsFunc(batch, func(x *lazyOption) bool { return bundledKeyOf(x.seg) == k })
}
