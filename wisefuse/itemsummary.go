// Item summaries: a Map's unbundled items reduced to those that can be a run's slowest at some
// VM size (latency A + sum of B x ratio; dominated items dropped), with the sums costs need.

package wisefuse

import (
	"fmt"
	"slices"
)

// itemSummary is a Map's unbundled items under one fusion grouping, reduced for fast evaluation
// at any VM size. Item j's latency is A_j + sum_t B_jt ratio_t, where ratio_t >= 0 is task t's
// fitted compute time at the plan's size: A holds the gaps, inits and transfers the grouping
// keeps, B the compute scales. An item whose A and every B are no larger than another item's of
// the same run is never that run's maximum, at any size, so only the others are kept (for a wide
// Map a handful of 35,000). Costs are linear in the same terms, so sums over all items suffice.
type itemSummary struct {
	runStart []int     // kept items of run r: [runStart[r], runStart[r+1])
	a        []float64 // per kept item
	b        []float64 // per kept item x task
	// Sums over all items of all runs, per task.
	init, scale, down, up []float64
	gets, puts            []float64 // transfers that happened (count), per task
	items                 int
	// found, per run, with polling and an iterator of several groups: the poller's last find
	// among the items' states (itemFinds); nil: the items' start.
	found []float64
}

// lastFind is the poller's last find among run r's items' states, from the poll that found their
// start (found).
func (s *itemSummary) lastFind(r int) float64 {
	if s.found == nil {
		return 0
	}
	return s.found[r]
}

func groupKey(si int, group []int) string {
	k := fmt.Sprint(si, group)
	return k
}

// summary returns (and caches) the item summary of Map si at profiled size src under group.
func (m *Model) summary(srcIdx, si int, group []int) *itemSummary {
	key := fmt.Sprint(srcIdx, "/", groupKey(si, group))
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.summaries[key]; ok {
		return s
	}
	src := &m.sizes[srcIdx]
	items := src.stages[si].items
	nt := items.tasks
	n := items.runStart[src.runs]
	s := &itemSummary{
		runStart: make([]int, src.runs+1),
		init:     make([]float64, nt), scale: make([]float64, nt), down: make([]float64, nt),
		up: make([]float64, nt), gets: make([]float64, nt), puts: make([]float64, nt), items: n,
	}
	s.found = m.itemFinds(src, si, group)
	fns := iteratorTasks(&m.w.Steps[si])
	a := make([]float64, n)
	for j := range n {
		for t := range nt {
			k := j*nt + t
			head := t == 0 || group[t] != group[t-1]
			tail := t == nt-1 || group[t+1] != group[t]
			a[j] += items.init[k] + m.groupLocal(fns, group, t)
			s.init[t] += items.init[k]
			s.scale[t] += items.scale[k]
			if head {
				a[j] += items.gap[k] + items.down[k]
				s.down[t] += items.down[k]
				if items.down[k] > 0 {
					s.gets[t]++
				}
			}
			if tail {
				a[j] += items.up[k]
				s.up[t] += items.up[k]
				if items.up[k] > 0 {
					s.puts[t]++
				}
			}
		}
	}
	var order []int
	sums := make([]float64, n)
	conc := m.w.Steps[si].Map.MaxConcurrency
	for r := range src.runs {
		lo, hi := items.runStart[r], items.runStart[r+1]
		if conc > 0 && hi-lo > conc {
			// The Map's MaxConcurrency binds: its items run in waves, so every item counts, in
			// item order (waves).
			for j := lo; j < hi; j++ {
				s.a = append(s.a, a[j])
				s.b = append(s.b, items.scale[j*nt:j*nt+nt]...)
			}
			s.runStart[r+1] = len(s.a)
			continue
		}
		// A dominator's sum of terms is at least its victim's, so it is seen first.
		for j := lo; j < hi; j++ {
			sums[j] = a[j]
			for t := range nt {
				sums[j] += items.scale[j*nt+t]
			}
		}
		// The order is by sum descending, then index. An item is dropped exactly when an item
		// before it in that order dominates it (a dropped dominator is itself dominated by a
		// kept one before it). So the first remaining item in the order is always kept, and
		// removing what it dominates (all of it later in the order) leaves the same problem:
		// a few linear passes find a run's handful of kept items, in the same order, without
		// sorting a wide Map's thousands. Many rounds (many kept items) fall back to sorting
		// the rest and the one-by-one pass.
		precedes := func(x, y int) bool { return sums[x] > sums[y] || (sums[x] == sums[y] && x < y) }
		order = order[:0]
		for j := lo; j < hi; j++ {
			order = append(order, j)
		}
		first := len(s.a)
		for rounds := 0; len(order) > 0 && rounds < summaryRounds; rounds++ {
			x := order[0]
			for _, j := range order[1:] {
				if precedes(j, x) {
					x = j
				}
			}
			s.a = append(s.a, a[x])
			s.b = append(s.b, items.scale[x*nt:x*nt+nt]...)
			rest := order[:0]
			for _, j := range order {
				if j != x && !dominatesItem(a[x], items.scale[x*nt:x*nt+nt], a[j], items.scale[j*nt:j*nt+nt]) {
					rest = append(rest, j)
				}
			}
			order = rest
		}
		slices.SortFunc(order, func(x, y int) int {
			if c := cmpDesc(sums[x], sums[y]); c != 0 {
				return c
			}
			return x - y
		})
		for _, j := range order {
			dominated := false
			for k := first; k < len(s.a) && !dominated; k++ {
				dominated = dominatesItem(s.a[k], s.b[k*nt:k*nt+nt], a[j], items.scale[j*nt:j*nt+nt])
			}
			if !dominated {
				s.a = append(s.a, a[j])
				s.b = append(s.b, items.scale[j*nt:j*nt+nt]...)
			}
		}
		s.runStart[r+1] = len(s.a)
	}
	m.summaries[key] = s
	return s
}

// summaryRounds caps the selection rounds of summary per run before it sorts the rest.
const summaryRounds = 64

// dominatesItem reports whether an item with terms (a, b) is never faster than one with (a2, b2):
// A and every B at least as large.
func dominatesItem(a float64, b []float64, a2 float64, b2 []float64) bool {
	if a < a2 {
		return false
	}
	for t, v := range b {
		if v < b2[t] {
			return false
		}
	}
	return true
}

func cmpDesc(x, y float64) int {
	switch {
	case x > y:
		return -1
	case x < y:
		return 1
	}
	return 0
}
