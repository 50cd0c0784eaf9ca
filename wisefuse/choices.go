// The choices the search makes: every way to run a segment of top-level steps (options, listed
// and bounded or evaluated once per planner, replayed as a search needs them), and the dag.Plan
// that a chosen sequence of segments makes.

package wisefuse

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
)

// option is one way to run a segment of top-level steps [start, end).
type option struct {
	seg  segment
	eval stageEval
}

// bundleSpacingMB thins the sizes of bundled options when the search has a tolerance.
const bundleSpacingMB = 256

// maxOptions caps, with a tolerance, the options of one segment a search considers (after
// dropping those that miss the objective on their own): that many spread evenly by cost, the
// cheapest and the fastest included. On the 64 MB grid a step keeps about 40 options that differ
// by about 1% of its own latency, far less than 1% of a long workflow's.
const maxOptions = 16

// segmentOptions returns the options of every segment [i, j) that can meet obj and sb (with
// reach, with the fastest steps around them: around), run each
// function of pins at its pinned size (searchPinned) and, when limit is not nil (a plan that
// meets obj, under an SLO), be part of a plan that costs no more than it; under a budget, no more
// than the budget. Each segment's options that pass are Pareto-pruned (an option that misses the
// objective drops none: with a tolerance it could drop a feasible one within it) and, with a
// tolerance, thinned to maxOptions; the segment that ends the workflow includes the end gap.
//
// Only the options that may pass are swept: those whose floor (the bound of an option that
// replays bundles, the evaluation of any other) passes the filters, and whose cost floor plus the
// least cost of reaching its start and of finishing from its end (leastBounds) is within limit's
// cost. The sweep (paretoLazy) replays what it cannot drop on bounds; a replay is made once per
// planner and remembered. The segment of the whole workflow is swept first: under an SLO, the
// cheapest of its options that pass is a plan that meets obj, and its cost, when lower, takes
// limit's place for the other segments. That segment keeps only its options of that cost (the
// sweep stops at the first costing more, so it replays none of them): any other is a whole plan
// that costs more than one that meets obj, which the search, by cost first (better), never
// returns, and a complete plan drops no other in the dynamic program but a costlier one. Which
// options are swept depends only on obj, sb, pins and limit, never on what earlier searches
// evaluated, so a search's plan does not either.
func (pl *Planner) segmentOptions(obj dag.Objective, sb sampleBound, pins map[string]int, limit *cand, reach bool) [][][]*option {
	pl.Prepare()
	pct := obj.Pct()
	capCost := math.Inf(1)
	if limit != nil {
		capCost = limit.cost
	}
	if obj.Budget > 0 {
		capCost = min(capCost, obj.Budget)
	}
	capCost *= 1 + 1e-9
	keep := func(o *option) bool { return passes(o.eval, obj, sb, pct, pl.around(o.seg, reach)) }
	n := len(pl.model.w.Steps)
	out := make([][][]*option, n+1)
	pl.evalMu.Lock()
	defer pl.evalMu.Unlock()
	for i := range n {
		out[i] = make([][]*option, n+1)
	}
	sweep := func(i, j int, cheapest bool) {
		var cands []*lazyOption
		for _, o := range pl.listed[i][j] {
			if !(pl.least.to[i]+o.floor().cost+pl.least.from[j] > capCost) && pl.admits(o, obj, sb, pct, pins, reach) {
				cands = append(cands, o)
			}
		}
		if len(cands) == 0 {
			return
		}
		out[i][j] = paretoLazy(cands, pl.opts.tolerance(), pl.pool.ahead(), pl.replay, keep, cheapest)
		if pl.opts.tolerance() > 0 && len(out[i][j]) > maxOptions {
			out[i][j] = spread(out[i][j], maxOptions)
		}
	}
	// The segment of the whole workflow first: an option of it that passes is a plan that meets
	// obj, so under an SLO its cost can tighten limit's (video at twice its fastest P95: its
	// cheapest plan is one such option, 17% below the incumbent, and the searches replay 134
	// options instead of 244), and only its cheapest can be the plan (107 replays instead of 134).
	sweep(0, n, obj.SLO > 0)
	if obj.SLO > 0 && limit != nil {
		for _, o := range out[0][n] {
			capCost = min(capCost, o.eval.cost*(1+1e-9))
		}
	}
	for i := range n {
		for j := range pl.listed[i] {
			if i != 0 || j != n {
				sweep(i, j, false)
			}
		}
	}
	return out
}

// passes reports whether an option evaluated (or bounded from below) as e can meet obj and sb
// with fast seconds added to each of its atoms: 0 on its own, or what the fastest steps before
// and after it add at least (around).
func passes(e stageEval, obj dag.Objective, sb sampleBound, pct, fast float64) bool {
	if obj.SLO > 0 && e.lat.Percentile(pct)+fast > obj.SLO || sb.misses(e.lat, fast) {
		return false
	}
	return !(obj.Budget > 0 && e.cost > obj.Budget)
}

// around returns, with reach, what the fastest steps before and after segment sg add at least to
// each atom of its latency: the least sums of smallest atoms to its start and from its end
// (leastBounds; addIndependent sums every pair, so a plan's atoms are each at least an option's
// plus the others' smallest). Under an SLO an option that misses it so is in no plan that meets
// it (the dynamic program drops every partial plan that holds it: dpPass.fits), and judging it
// so keeps the sweeps from replaying it: video at 1.2 times its fastest P95 replayed 44 options
// of its Map alone that no plan can hold. Without reach, 0: an option is judged on its own.
func (pl *Planner) around(sg segment, reach bool) float64 {
	if !reach {
		return 0
	}
	return pl.least.fastTo[sg.start] + pl.least.fastFrom[sg.end]
}

// incumbent returns a plan that meets obj (an SLO) and sb and runs pins at their sizes, found
// quickly: its cost bounds the search (segmentOptions' limit). The dynamic program, with the
// coarse tolerance, takes the options Prepare evaluated (none that replays bundles) and each
// segment's incumbentTries options of least cost bound that pass at their bound, replayed: the
// cheap bundles and fused groups a tight SLO needs, and often the plan itself. Nil under a
// budget, or when those options make no such plan. It depends on obj, sb, pins and reach
// (admits) only.
func (pl *Planner) incumbent(obj dag.Objective, sb sampleBound, pins map[string]int, reach bool) *cand {
	if obj.SLO <= 0 {
		return nil
	}
	pl.Prepare()
	pct := obj.Pct()
	n := len(pl.model.w.Steps)
	// admitted holds each segment's options that may pass, in listing order; tried the replayed
	// ones it tries, batch those of them not evaluated yet.
	admitted := make([][][]*lazyOption, n)
	tried := map[*lazyOption]bool{}
	var batch []*lazyOption
	pl.evalMu.Lock()
	for i := range n {
		admitted[i] = make([][]*lazyOption, n+1)
		for j, os := range pl.listed[i] {
			var bounded []*lazyOption
			for _, o := range os {
				if pl.admits(o, obj, sb, pct, pins, reach) {
					admitted[i][j] = append(admitted[i][j], o)
					if o.replays() {
						bounded = append(bounded, o)
					}
				}
			}
			slices.SortStableFunc(bounded, func(a, b *lazyOption) int { return cmp.Compare(a.bound.cost, b.bound.cost) })
			for _, o := range bounded[:min(len(bounded), incumbentTries)] {
				tried[o] = true
				if !o.evaluated() {
					batch = append(batch, o)
				}
			}
		}
	}
	pl.replay(batch)
	pl.evalMu.Unlock()
	opts := make([][][]*option, n+1)
	for i := range n {
		opts[i] = make([][]*option, n+1)
		for j, os := range admitted[i] {
			var ok []*option
			for _, o := range os {
				if (!o.replays() || tried[o]) && passes(o.eval, obj, sb, pct, pl.around(o.seg, reach)) {
					ok = append(ok, &o.option)
				}
			}
			opts[i][j] = paretoOptions(ok, coarseTolerance)
			if len(opts[i][j]) > maxOptions {
				opts[i][j] = spread(opts[i][j], maxOptions)
			}
		}
	}
	b := pl.bounds(opts)
	if b.cost[0] == math.Inf(1) {
		return nil
	}
	best, _ := pl.dp(opts, obj, sb, pct, coarseTolerance, b, nil)
	return best
}

// admits reports whether option o may meet obj and sb at its floor, on its own or with reach
// with the fastest steps around it (around), and runs each function of pins at its pinned size.
func (pl *Planner) admits(o *lazyOption, obj dag.Objective, sb sampleBound, pct float64, pins map[string]int, reach bool) bool {
	return passes(o.floor(), obj, sb, pct, pl.around(o.seg, reach)) && (len(pins) == 0 || pinnedAt(pl.reusedSizes(&o.option), pins))
}

// incumbentTries is how many replayed options of each segment incumbent replays.
const incumbentTries = 2

// leastBounds are lower bounds of what any plan pays and takes before a segment and after it,
// over every option at its floor: to[i] and from[j] the least cost of steps [0, i) and [j, n),
// fastTo[i] and fastFrom[j] the least sum of the options' smallest atoms there.
type leastBounds struct{ to, from, fastTo, fastFrom []float64 }

func leastBoundsOf(listed [][][]*lazyOption, n int) leastBounds {
	var lb leastBounds
	lb.to, lb.from = leastPaths(listed, n, func(o *lazyOption) float64 { return o.floor().cost })
	lb.fastTo, lb.fastFrom = leastPaths(listed, n, func(o *lazyOption) float64 { return o.floor().lat[0] })
	return lb
}

// leastPaths returns, for every step boundary, the least sum of v over a chain of listed options
// from the workflow's start to it (to) and from it to the end (from).
func leastPaths(listed [][][]*lazyOption, n int, v func(*lazyOption) float64) (to, from []float64) {
	to, from = make([]float64, n+1), make([]float64, n+1)
	for j := 1; j <= n; j++ {
		to[j] = math.Inf(1)
	}
	for i := range n {
		for j, os := range listed[i] {
			for _, o := range os {
				to[j] = min(to[j], to[i]+v(o))
			}
		}
	}
	for i := n - 1; i >= 0; i-- {
		from[i] = math.Inf(1)
		for j, os := range listed[i] {
			for _, o := range os {
				from[i] = min(from[i], v(o)+from[j])
			}
		}
	}
	return to, from
}

// pinnedAt reports whether sizes (function -> size) gives every function of pins that it holds
// its pinned size.
func pinnedAt(sizes, pins map[string]int) bool {
	for fn, mem := range sizes {
		if p, ok := pins[fn]; ok && p != mem {
			return false
		}
	}
	return true
}

// evaluateOptions lists every segment option. Those that replay bundles (replayed) are only
// bounded from below, in one pass over their phases (psSim.lowerBound); every other option is
// evaluated. The searches replay the bounded ones as their Pareto sweeps need them
// (segmentOptions, paretoLazy), once per planner: the kept options, their costs and atoms are
// those of evaluating every option a search sweeps.
//
// The evaluations run on PlannerOptions.Workers workers (evalPool): here every bound and every
// option that is not bounded, all independent; then each search's lazy sweeps, which evaluate the
// options they must in batches of one per worker (paretoLazy's look-ahead). An evaluation is a
// pure function of its option, so the worker count changes which evaluations are made (a
// look-ahead may evaluate an option the sweep then drops on its bound) but no value.
func (pl *Planner) evaluateOptions() {
	m := pl.model
	n := len(m.w.Steps)
	grid := pl.opts.grid(m.opts.Platform)
	pool := newEvalPool(pl.opts.workers())
	// A bundled Map's evaluation depends on its VM size and bundle size only, not on how its
	// iterator is grouped (a bundle runs the whole iterator in its VM), so each is made once, by
	// the first worker that needs it, while the others that need it wait; its bound likewise.
	// Every option reads a copy (endOf may add to the atoms in place).
	var bundled, bounds onceMap[bundledKey, stageEval]
	eval := func(sc *scratch, sg segment) stageEval {
		var e stageEval
		if k := bundledKeyOf(sg); k != (bundledKey{}) {
			all := &bundled
			if sc.ps.bound {
				all = &bounds
			}
			x := all.get(k, func() stageEval { return m.evalSegment(sc, sg) })
			e = stageEval{lat: slices.Clone(x.lat), cost: x.cost}
		} else {
			e = m.evalSegment(sc, sg)
		}
		if sg.end == n {
			m.endOf(&e, sg)
		}
		return e
	}
	byEnd := make([][][]*lazyOption, n)
	var all []*lazyOption
	// choices lists the options from step i: a step's floor (Model.floorMB) drops the sizes
	// below it, and a segment's VM must be at the floor of every step it runs.
	choices := func(i int) []segment {
		atFloor := slices.DeleteFunc(slices.Clone(grid), func(mem int) bool { return mem < m.floorMB[i] })
		if len(atFloor) == 0 {
			return nil // every size fails it: no plan (the search says why)
		}
		return slices.DeleteFunc(pl.segmentChoices(i, atFloor), func(sg segment) bool {
			return sg.mem > 0 && sg.mem < slices.Max(m.floorMB[sg.start:sg.end])
		})
	}
	lists, listed := make([][]segment, n), 0
	for i := range n {
		if lists[i] = choices(i); listed+len(lists[i]) > maxListed {
			// Too many: list them all again under the cap.
			pl.groupCap(n, choices)
			for k := range n {
				lists[k] = choices(k)
			}
			break
		}
		listed += len(lists[i])
	}
	for i := range n {
		byEnd[i] = make([][]*lazyOption, n+1)
		for _, sg := range lists[i] {
			o := &lazyOption{option: option{seg: sg}, idx: len(byEnd[i][sg.end])}
			byEnd[i][sg.end] = append(byEnd[i][sg.end], o)
			all = append(all, o)
		}
	}
	pool.each(all, func(w *evalWorker, o *lazyOption) {
		if replayed(o.seg) {
			o.lazy, o.bound = true, eval(&w.lb, o.seg)
			o.withMargin()
			return
		}
		o.eval = eval(&w.sc, o.seg)
	})
	pl.pool, pl.listed = pool, byEnd
	pl.replay = func(batch []*lazyOption) {
		pool.each(batch, func(w *evalWorker, o *lazyOption) { o.eval = eval(&w.sc, o.seg) })
	}
	pl.least = leastBoundsOf(byEnd, n)
}

// maxListed bounds the options a planner lists (groupCap): about 4 KB each at their peak (a
// chain of 400 tasks listed 2.1 million, 8.3 GB, in 62 s), so about 1 GB; the deepest Azure DAG
// (135 steps in series, 26 sizes each) lists 237,000 uncapped.
const maxListed = 1 << 18

// groupCap caps the steps a fusion group holds (maxGroup) when the options choices lists from
// every step would number more than maxListed: the options of a run of fusable steps grow with
// the square of its length, so a long chain of tasks or Maps took minutes and gigabytes. The cap
// is the largest that keeps them within maxListed (a group then fuses at most that many steps;
// GroupWarning says so), and at least 1.
func (pl *Planner) groupCap(n int, choices func(int) []segment) {
	// within reports whether the options under the current cap fit, listing no more than it must.
	within := func() bool {
		c := 0
		for i := range n {
			if c += len(choices(i)); c > maxListed {
				return false
			}
		}
		return true
	}
	// The count grows with the cap: the largest cap within maxListed, by bisection.
	lo, hi := 1, n // lo: single steps, every option but fusions; hi: too many
	for hi-lo > 1 {
		pl.maxGroup = (lo + hi) / 2
		if within() {
			lo = pl.maxGroup
		} else {
			hi = pl.maxGroup
		}
	}
	pl.maxGroup = lo
}

// GroupWarning says when the planner capped its fusion groups (groupCap), after Prepare; "" when
// it did not.
func (pl *Planner) GroupWarning() string {
	if pl.maxGroup == 0 {
		return ""
	}
	return fmt.Sprintf("fusion groups hold at most %d of the workflow's %d steps: longer ones would make more than %d options to weigh (about 4 KB each), so the plan may fuse fewer steps than it could",
		pl.maxGroup, len(pl.model.w.Steps), maxListed)
}

// longer reports whether segment [i, j) is longer than the planner's cap on a fusion group.
func (pl *Planner) longer(i, j int) bool { return pl.maxGroup > 0 && j-i > pl.maxGroup }

// bundledKey names a bundled Map's evaluation, which depends on the Map, its VM size and bundle
// size only (evaluateOptions); the zero value names none.
type bundledKey struct{ si, mem, bundle int }

// bundledKeyOf returns sg's bundledKey: the zero value unless sg is a bundled Map.
func bundledKeyOf(sg segment) bundledKey {
	if sg.cfg == nil || sg.cfg.bundle <= 1 {
		return bundledKey{}
	}
	return bundledKey{sg.start, slices.Max(sg.cfg.mem), sg.cfg.bundle}
}

// replayed reports whether evaluating sg replays bundles in the processor-sharing replay (a
// bundled Map, a Map fused with its neighbours, a fused group): the options worth bounding first.
func replayed(sg segment) bool {
	return (sg.cfg != nil && sg.cfg.bundle > 1) || sg.fusedMap || sg.fusedStages
}

// segmentChoices lists every way to run a segment that starts at top-level step i: a Pass as
// is, a Map in each of its configurations, a task alone or fused with the tasks that follow it,
// at every grid size that fits up to the first whose vCPUs its threads saturate.
func (pl *Planner) segmentChoices(i int, grid []int) []segment {
	m := pl.model
	n := len(m.w.Steps)
	st := &m.w.Steps[i]
	switch {
	case st.Pass:
		return []segment{{start: i, end: i + 1, pass: true}}
	case isNested(st):
		return append(pl.nestedSegments(i, grid), pl.fusedStageSegments(i, grid)...)
	case st.Map != nil:
		return append(append(pl.mapSegments(i, grid), pl.fusedMapSegments(i, grid)...), pl.fusedStageSegments(i, grid)...)
	}
	segs := append(pl.fusedMapSegments(i, grid), pl.fusedStageSegments(i, grid)...)
	need, threads := 0, 0.0
	for j := i + 1; j <= n; j++ {
		if m.w.Steps[j-1].Task == "" || (j > i+1 && pl.opts.NoFusion) || pl.longer(i, j) {
			break
		}
		fn := m.w.Steps[j-1].Task
		need = max(need, m.w.Function(fn).MinMemoryMB)
		threads = max(threads, m.curves[fn].vcpus())
		// As for Maps, sizes past the first whose vCPUs the tasks saturate (Curve.vcpus) change
		// nothing but the price.
		for _, mem := range grid {
			if mem >= need {
				segs = append(segs, segment{start: i, end: j, mem: mem})
				if m.opts.Platform.VCPU(mem) >= threads {
					break
				}
			}
		}
	}
	return segs
}

// mapSegments lists a Map's configurations: one VM size for its iterator tasks, the iterator
// unfused or fused into one VM (when no Pass separates its tasks), and a bundle size whose items
// fit in the VM.
func (pl *Planner) mapSegments(i int, grid []int) []segment {
	m := pl.model
	st := &m.w.Steps[i]
	fns := iteratorTasks(st)
	need := 0
	for _, fn := range fns {
		need = max(need, m.w.Function(fn).MinMemoryMB)
	}
	items, _ := st.Map.FixedItems()
	bundles := []int{1}
	if !pl.opts.NoBundling {
		bundles = mapBundleSizes(max(items, 1), need, pl.top, pl.opts.maxBundle(), !pl.opts.NoBundlesAboveMax)
	}
	fusions := [][]int{seqGroups(len(fns))}
	if len(fns) > 1 && !pl.opts.NoFusion && tasksAdjacent(st) {
		fusions = append(fusions, make([]int, len(fns))) // all in group 0
	}
	// More vCPUs than the items' threads can use change nothing but the price, so sizes past
	// that point are skipped (the first one is kept).
	threads := 0.0
	for _, fn := range fns {
		threads = max(threads, m.curves[fn].vcpus())
	}
	var segs []segment
	for _, b := range bundles {
		for _, grp := range fusions {
			saturated := false
			lastKept := 0
			for _, mem := range grid {
				// A bundle's VM is b items of a grid size each (capped at the largest VM), the
				// way bundles are sized on AWS (the ORION artifact: min(1472*B, 10240) MB).
				if b > 1 {
					if mem%b != 0 && mem != pl.top {
						continue
					}
				}
				if mem < b*need || saturated {
					continue
				}
				saturated = m.opts.Platform.VCPU(mem) >= float64(b)*threads
				if b > 1 && pl.opts.tolerance() > 0 {
					// Bundles are the costly options to evaluate (a processor-sharing replay per
					// bundle and run); with a tolerance, sizes bundleSpacingMB apart are enough,
					// as the search keeps at most maxOptions per segment anyway. Exact takes all.
					if lastKept > 0 && mem-lastKept < bundleSpacingMB && !saturated && mem != pl.top {
						continue
					}
					lastKept = mem
				}
				cfg := &mapConfig{mem: make([]int, len(fns)), group: grp, bundle: b}
				for t := range cfg.mem {
					cfg.mem[t] = mem
				}
				segs = append(segs, segment{start: i, end: i + 1, mem: mem, cfg: cfg})
			}
		}
	}
	return segs
}

// fusedMapSegments lists the segments from top-level step i that fuse tasks with one Map whose
// items all run in the group's VM (Bundle = items, at most MaxBundle), at every grid size that
// holds them: tasks, then the Map, then tasks, with at least one task.
func (pl *Planner) fusedMapSegments(i int, grid []int) []segment {
	m := pl.model
	if pl.opts.NoFusion || pl.opts.NoBundling {
		return nil
	}
	maxB := pl.opts.maxBundle()
	var segs []segment
	need, threads := 0, 0.0
	mapAt := -1
	for j := i; j < len(m.w.Steps) && !pl.longer(i, j+1); j++ {
		st := &m.w.Steps[j]
		switch {
		case st.Task != "":
			need = max(need, m.w.Function(st.Task).MinMemoryMB)
			threads = max(threads, m.curves[st.Task].vcpus())
		case st.Map != nil && mapAt < 0 && !isNested(st):
			items, ok := st.Map.FixedItems()
			if !ok || items > maxB || !m.itemsAlwaysFixed(j) {
				return segs
			}
			per, itemThreads := 0, 0.0
			for _, fn := range iteratorTasks(st) {
				per = max(per, m.w.Function(fn).MinMemoryMB)
				itemThreads = max(itemThreads, m.curves[fn].vcpus())
			}
			need = max(need, items*per)
			threads = max(threads, float64(items)*itemThreads)
			mapAt = j
		default:
			return segs
		}
		if mapAt < 0 || j == i {
			continue // no Map yet, or the Map alone
		}
		saturated := false
		lastKept := 0
		for _, mem := range grid {
			if mem < need || saturated {
				continue
			}
			// As for bundles: past the vCPUs the threads can use only the price changes, and
			// with a tolerance sizes bundleSpacingMB apart are enough.
			saturated = m.opts.Platform.VCPU(mem) >= threads
			if pl.opts.tolerance() > 0 && lastKept > 0 && mem-lastKept < bundleSpacingMB && !saturated && mem != pl.top {
				continue
			}
			lastKept = mem
			segs = append(segs, segment{start: i, end: j + 1, mem: mem, fusedMap: true, mapAt: mapAt})
		}
	}
	return segs
}

func seqGroups(n int) []int {
	g := make([]int, n)
	for i := range g {
		g[i] = i
	}
	return g
}

// planOf turns a complete candidate into a dag.Plan.
func (pl *Planner) planOf(c *cand) *dag.Plan {
	m := pl.model
	p := &dag.Plan{Memory: map[string]int{}, DefaultMemoryMB: pl.top}
	var segs []segment
	for ; c != nil && c.opt != nil; c = c.prev {
		segs = append(segs, c.opt.seg)
	}
	slices.Reverse(segs)
	for _, sg := range segs {
		switch {
		case sg.pass:
		case sg.nest != nil:
			for t, fn := range m.sizes[0].stages[sg.start].nested.fns {
				p.Memory[fn] = sg.nest.mem[t]
			}
			for _, g := range sg.nest.groups {
				var names []string
				for _, st := range m.w.Steps[sg.start].Parallel[g.b][g.k:g.j] {
					names = append(names, st.Name)
				}
				p.Fuse = append(p.Fuse, names)
			}
		case sg.fusedStages:
			pl.planFusedStages(p, sg)
		case sg.fusedMap:
			var names []string
			for k := sg.start; k < sg.end; k++ {
				st := &m.w.Steps[k]
				names = append(names, st.Name)
				if st.Task != "" {
					p.Memory[st.Task] = max(p.Memory[st.Task], sg.mem)
					continue
				}
				for _, fn := range iteratorTasks(st) {
					p.Memory[fn] = max(p.Memory[fn], sg.mem)
				}
				items, _ := st.Map.FixedItems()
				if p.Bundle == nil {
					p.Bundle = map[string]int{}
				}
				p.Bundle[st.Name] = items
			}
			p.Fuse = append(p.Fuse, names)
		case sg.cfg != nil:
			st := &m.w.Steps[sg.start]
			fns := iteratorTasks(st)
			var names []string
			for _, it := range st.Map.Iterator {
				if it.Task != "" {
					names = append(names, it.Name)
				}
			}
			for t, fn := range fns {
				p.Memory[fn] = max(p.Memory[fn], sg.cfg.mem[t])
			}
			if sg.cfg.bundle > 1 {
				if p.Bundle == nil {
					p.Bundle = map[string]int{}
				}
				p.Bundle[st.Name] = sg.cfg.bundle
			}
			if len(names) > 1 && sg.cfg.group[len(names)-1] == sg.cfg.group[0] {
				p.Fuse = append(p.Fuse, names)
			}
		default:
			var names []string
			for k := sg.start; k < sg.end; k++ {
				st := &m.w.Steps[k]
				p.Memory[st.Task] = max(p.Memory[st.Task], sg.mem)
				names = append(names, st.Name)
			}
			if len(names) > 1 {
				p.Fuse = append(p.Fuse, names)
			}
		}
	}
	return p
}
