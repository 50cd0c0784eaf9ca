// Pruning of partial plans and segment options: Pareto sets with a tolerance, and even thinning
// by cost.

package wisefuse

import "sort"

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
// survivor costs at most (1+tol) times as much and has all atoms within (1+tol) of its own.
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
