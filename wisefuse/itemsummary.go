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
	// Where a limit binds (concOf) a run's items run in waves: its kept items in
	// [runStart[r], waveEnd[r]) run, in order, on slots[r] slots (waves); those after them, if
	// any, are the run's undominated items, whose maximum the Map's end is at least. A run of
	// at most maxWaveUnits items keeps them all on conc slots; a wider one an evenly spaced
	// sample of maxWaveUnits on proportionally fewer slots (waveSample). Runs the limit does
	// not bind have waveEnd[r] = runStart[r].
	waveEnd, slots []int
	// Sums over all items of all runs, per task.
	init, scale, down, up []float64
	gets, puts            []float64 // transfers that happened (count), per task
	items                 int
	// found, per run, with polling and an iterator of several groups: the poller's last find
	// among the items' states (itemFinds); nil: the items' start.
	found []float64
	// local is each task's in-memory passing in its group. For the function timeout
	// (itemsTimedOut; nil without one): per run r and task t, maxScale[r*nt+t] is the largest
	// compute scale of the run's items and, for a group's first task, maxIO[r*nt+t] the largest
	// download of the group plus upload of it, so that a group's VM is busy past its init at most
	// maxIO + the sum over its tasks of local + maxScale x ratio in any item of the run.
	local, maxScale, maxIO []float64
	// loads says, per task, whether its group's VM pays its init (iterLoads).
	loads []bool
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
		runStart: make([]int, src.runs+1), waveEnd: make([]int, src.runs), slots: make([]int, src.runs),
		init: make([]float64, nt), scale: make([]float64, nt), down: make([]float64, nt),
		up: make([]float64, nt), gets: make([]float64, nt), puts: make([]float64, nt), items: n,
	}
	s.found = m.itemFinds(src, si, group)
	fns := iteratorTasks(&m.w.Steps[si])
	// Which terms each task adds (they depend on the grouping only).
	local := make([]float64, nt)
	head, tail, end := make([]bool, nt), make([]bool, nt), make([]int, nt)
	for t := range nt {
		local[t] = m.groupLocal(fns, group, t)
		head[t] = t == 0 || group[t] != group[t-1]
		tail[t] = t == nt-1 || group[t+1] != group[t]
		end[t] = groupEnd(group, t)
	}
	s.local, s.loads = local, iterLoads(fns, group)
	if m.opts.Platform.FunctionTimeout > 0 { // the maxima serve itemsTimedOut only
		s.maxScale, s.maxIO = make([]float64, src.runs*nt), make([]float64, src.runs*nt)
		for r := range src.runs {
			for j := items.runStart[r]; j < items.runStart[r+1]; j++ {
				for t := range nt {
					k := j*nt + t
					if head[t] {
						s.maxIO[r*nt+t] = max(s.maxIO[r*nt+t], items.down[k]+items.up[j*nt+end[t]-1])
					}
					s.maxScale[r*nt+t] = max(s.maxScale[r*nt+t], items.scale[k])
				}
			}
		}
	}
	conc := m.concOf(m.w.Steps[si].Map.MaxConcurrency)
	// Run by run (the runs' items are consecutive, so the sums over all items add in item
	// order): each item's A, its terms added in the same order for every item, and its sum of
	// terms, in scratch for the run's items (a[i] is item lo+i's).
	var a, sums []float64
	var order []int
	for r := range src.runs {
		lo, hi := items.runStart[r], items.runStart[r+1]
		a, sums = slices.Grow(a[:0], hi-lo)[:hi-lo], slices.Grow(sums[:0], hi-lo)[:hi-lo]
		if nt == 1 {
			// One iterator task, its group's head and tail: the same sums, kept in registers.
			init, scale, down, up, gets, puts := s.init[0], s.scale[0], s.down[0], s.up[0], s.gets[0], s.puts[0]
			for j := lo; j < hi; j++ {
				aj := 0.0
				aj += items.init[j] + local[0]
				init += items.init[j]
				scale += items.scale[j]
				aj += items.gap[j] + items.down[j]
				down += items.down[j]
				if items.down[j] > 0 {
					gets++
				}
				aj += items.up[j]
				up += items.up[j]
				if items.up[j] > 0 {
					puts++
				}
				a[j-lo] = aj
			}
			s.init[0], s.scale[0], s.down[0], s.up[0], s.gets[0], s.puts[0] = init, scale, down, up, gets, puts
		}
		for j := lo; j < hi && nt > 1; j++ {
			aj := 0.0
			for t := range nt {
				k := j*nt + t
				in := 0.0 // a function loaded in the group's VM already starts warm
				if s.loads[t] {
					in = items.init[k]
				}
				aj += in + local[t]
				s.init[t] += in
				s.scale[t] += items.scale[k]
				if head[t] {
					aj += items.gap[k] + items.down[k]
					s.down[t] += items.down[k]
					if items.down[k] > 0 {
						s.gets[t]++
					}
				}
				if tail[t] {
					aj += items.up[k]
					s.up[t] += items.up[k]
					if items.up[k] > 0 {
						s.puts[t]++
					}
				}
			}
			a[j-lo] = aj
		}
		b := items.scale[lo*nt : hi*nt]
		s.waveEnd[r] = len(s.a)
		if conc > 0 && hi-lo > conc {
			// The Map's MaxConcurrency or the account's limit binds (concOf): its items run in
			// waves, so every item counts, in item order (waves), or a sample of them.
			if hi-lo <= maxWaveUnits {
				s.a = append(s.a, a...)
				s.b = append(s.b, b...)
				s.waveEnd[r], s.slots[r] = len(s.a), conc
				s.runStart[r+1] = len(s.a)
				continue
			}
			n, slots, stride := waveSample(hi-lo, conc)
			for k := range n {
				i := int(float64(k) * stride)
				s.a = append(s.a, a[i])
				s.b = append(s.b, b[i*nt:i*nt+nt]...)
			}
			s.waveEnd[r], s.slots[r] = len(s.a), slots
		}
		// A dominator's sum of terms is at least its victim's, so it is seen first.
		for i := range a {
			sums[i] = a[i]
			for t := range nt {
				sums[i] += b[i*nt+t]
			}
		}
		// The order is by sum descending, then index. An item is dropped exactly when an item
		// before it in that order dominates it (a dropped dominator is itself dominated by a
		// kept one before it). So the first remaining item in the order is always kept, and
		// removing what it dominates (all of it later in the order) leaves the same problem:
		// a few linear passes find a run's handful of kept items, in the same order, without
		// sorting a wide Map's thousands. Many rounds (many kept items) fall back to sorting
		// the rest and the one-by-one pass. The first round reads the run's items in place.
		precedes := func(x, y int) bool { return sums[x] > sums[y] || (sums[x] == sums[y] && x < y) }
		// keep appends to order x, and its items but x and those x dominates (dominatesItem),
		// in order, or all the run's when all: the usual one iterator task without slicing.
		keep := func(x int, all bool) {
			s.a = append(s.a, a[x])
			s.b = append(s.b, b[x*nt:x*nt+nt]...)
			ax, bx := a[x], b[x*nt:x*nt+nt]
			rest := order[:0]
			switch {
			case all && nt == 1:
				for i := range a {
					if ax < a[i] || bx[0] < b[i] {
						rest = append(rest, i)
					}
				}
			case all:
				for i := range a {
					if i != x && !dominatesItem(ax, bx, a[i], b[i*nt:i*nt+nt]) {
						rest = append(rest, i)
					}
				}
			default:
				for _, i := range order {
					if i != x && !dominatesItem(ax, bx, a[i], b[i*nt:i*nt+nt]) {
						rest = append(rest, i)
					}
				}
			}
			order = rest
		}
		first := len(s.a)
		order = order[:0]
		if len(a) > 0 {
			x := 0
			for i := 1; i < len(a); i++ {
				if precedes(i, x) {
					x = i
				}
			}
			keep(x, true)
		}
		for rounds := 1; len(order) > 0 && rounds < summaryRounds; rounds++ {
			x := order[0]
			for _, i := range order[1:] {
				if precedes(i, x) {
					x = i
				}
			}
			keep(x, false)
		}
		slices.SortFunc(order, func(x, y int) int {
			if c := cmpDesc(sums[x], sums[y]); c != 0 {
				return c
			}
			return x - y
		})
		for _, i := range order {
			dominated := false
			for k := first; k < len(s.a) && !dominated; k++ {
				dominated = dominatesItem(s.a[k], s.b[k*nt:k*nt+nt], a[i], b[i*nt:i*nt+nt])
			}
			if !dominated {
				s.a = append(s.a, a[i])
				s.b = append(s.b, b[i*nt:i*nt+nt]...)
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
