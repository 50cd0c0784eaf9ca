// A fusion group of top-level steps that evalFusedMap does not cover: one that holds a Parallel
// (whose branches are chains of tasks, or one Map each), several Maps, a Pass, a Map of more than
// MaxBundle items, or a Map that keeps only some items in the VM and spills the others, B per VM,
// to VMs the host invokes (Faastlane's whole-workflow VM and its released code's spill). The
// simulator runs such a group as one VM: everything nested in a fused step runs in it, a Map
// inside keeps its bundle in the host and spills the rest (docs/simulator.md, "Execution units").

package wisefuse

import (
	"fmt"
	"math"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// flatParallel reports whether st is a Parallel a fused group can hold: each branch holds tasks
// and passes, or passes and one Map of tasks (whose items then run side by side with the other
// branches).
func flatParallel(st *dag.Step) bool {
	if st.Parallel == nil {
		return false
	}
	for _, br := range st.Parallel {
		tasks, maps := 0, 0
		for k := range br {
			switch {
			case br[k].Task != "":
				tasks++
			case br[k].Map != nil && !isNested(&br[k]):
				maps++
			case !br[k].Pass:
				return false
			}
		}
		if maps > 1 || (maps == 1 && tasks > 0) {
			return false
		}
	}
	return true
}

// branchMap returns the Map of branch br of a flat Parallel, or nil.
func branchMap(br []dag.Step) *dag.Step {
	for k := range br {
		if br[k].Map != nil {
			return &br[k]
		}
	}
	return nil
}

// spillBundles are the bundles a fused group's Maps may keep in the group's VM while the other
// items spill, that many per VM, to VMs of their own (besides all items in the VM).
var spillBundles = []int{1, 2, 4, 8}

// inVM is how a Map in a fused group runs when it keeps spill items in the VM (0: all, which
// needs an item count that never varied: always, the skeleton's count fixed): ok, the items in
// the VM at most, whether some run spills, and the memory and threads of one item.
func (m *Model) inVM(st *dag.Step, most int, always bool, spill int) (ok bool, in int, spills bool, per int, threads float64) {
	items, fixed := st.Map.FixedItems()
	if spill == 0 && (!fixed || !always) {
		return false, 0, false, 0, 0
	}
	in = items
	if spill > 0 {
		in = min(spill, most)
		spills = spill < most
	}
	for _, fn := range iteratorTasks(st) {
		per = max(per, m.needOf(fn))
		threads = max(threads, m.curves[fn].vcpus())
	}
	return true, in, spills, per, threads
}

// fusableStep reports whether top-level step k can join a fused group whose Maps keep spill items
// in the VM (0: all of them, which needs a fixed item count): a task, a pass, a flat Parallel, or
// a Map of tasks. It returns the memory its invocations in the group's VM need together, the
// threads they can use together, and whether a Map spills items in some run.
func (m *Model) fusableStep(k, spill int) (ok bool, need int, threads float64, spills bool) {
	st := &m.w.Steps[k]
	switch {
	case st.Pass:
		return true, 0, 0, false
	case st.Task != "":
		return true, m.needOf(st.Task), m.curves[st.Task].vcpus(), false
	case flatParallel(st):
		for b, br := range st.Parallel {
			bn, bt := 0, 0.0
			if ms := branchMap(br); ms != nil {
				most, always := m.branchItems(k, b, ms)
				ok, in, sp, per, t := m.inVM(ms, most, always, spill)
				if !ok {
					return false, 0, 0, false
				}
				bn, bt, spills = in*per, float64(in)*t, spills || sp
			}
			for i := range br {
				if fn := br[i].Task; fn != "" {
					bn = max(bn, m.needOf(fn))
					bt = max(bt, m.curves[fn].vcpus())
				}
			}
			need += bn
			threads += bt
		}
		return true, need, threads, spills
	case st.Map != nil && !isNested(st):
		ok, in, sp, per, t := m.inVM(st, m.mostItems(k), m.itemsAlwaysFixed(k), spill)
		if !ok {
			return false, 0, 0, false
		}
		return true, in * per, float64(in) * t, sp
	}
	return false, 0, 0, false
}

// branchItems is the most items Map ms, the Map of branch b of Parallel step k, had in a
// profiled run, and whether every run had its skeleton's fixed count.
func (m *Model) branchItems(k, b int, ms *dag.Step) (most int, always bool) {
	fixed, isFixed := ms.Map.FixedItems()
	always = isFixed
	for _, sd := range m.sizes {
		ns := sd.stages[k].nested
		for r := range sd.runs {
			seq := ns.nodes[ns.root[r]].kids[b]
			for _, x := range ns.nodes[seq].kids {
				if ns.nodes[x].kind == nodeMap {
					n := len(ns.nodes[x].kids)
					most = max(most, n)
					always = always && n == fixed
				}
			}
		}
	}
	return most, always
}

// mostItems is the most items Map step k had in a profiled run.
func (m *Model) mostItems(k int) int {
	n := 0
	for _, sd := range m.sizes {
		items := sd.stages[k].items
		for r := range sd.runs {
			n = max(n, items.runStart[r+1]-items.runStart[r])
		}
	}
	return n
}

// fusedStageSegments lists the fused groups from top-level step i that fusedMapSegments does not:
// groups of at least two steps that hold a Parallel, or more than one Map, or one Map of more
// than MaxBundle items, with all items in the VM; and, where the platform lets a VM invoke
// executions (platform.Platform.NoSpills), groups whose Maps keep one of spillBundles items in the
// VM and spill the rest. Each at every grid size that holds what the VM runs at
// once. A group of tasks and one Map with all its items in the VM is a fusedMap segment (the
// existing model of it); the others are fusedStages segments.
func (pl *Planner) fusedStageSegments(i int, grid []int) []segment {
	m := pl.model
	if pl.opts.NoFusion || pl.opts.NoBundling {
		return nil
	}
	maxB := pl.opts.maxBundle()
	keeps := append([]int{0}, spillBundles...)
	if m.opts.Platform.NoSpills() != "" {
		keeps = keeps[:1] // the platform's VMs may not invoke the spilled items (dag.Plan.CheckSpills)
	}
	var segs []segment
	for _, spill := range keeps {
		need, threads := 0, 0.0
		maps, pars, passes, mapAt, wideMap, spills := 0, 0, 0, -1, false, false
		for j := i; j < len(m.w.Steps) && !pl.longer(i, j+1); j++ {
			ok, n, t, sp := m.fusableStep(j, spill)
			if !ok || (j == i && m.w.Steps[j].Pass) {
				break // a group starts with a step that has a gap of its own
			}
			need, threads, spills = max(need, n), max(threads, t), spills || sp
			if need > grid[len(grid)-1] {
				break
			}
			st := &m.w.Steps[j]
			switch {
			case st.Map != nil:
				maps++
				mapAt = j
				items, _ := st.Map.FixedItems()
				wideMap = items > maxB
			case st.Parallel != nil:
				pars++
			case st.Pass:
				passes++
			}
			if j == i {
				continue
			}
			oneWideMap := spill == 0 && pars == 0 && maps == 1 && wideMap
			switch {
			case spill > 0 && !spills:
				continue // the same as all items in the VM
			case spill == 0 && pars == 0 && passes == 0 && maps < 2 && !oneWideMap:
				continue // fusedMapSegments' (or plain tasks')
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
				if pl.opts.tolerance() > 0 && lastKept > 0 && mem-lastKept < bundleSpacingMB && !saturated && mem != dag.MaxMemoryMB {
					continue
				}
				lastKept = mem
				sg := segment{start: i, end: j + 1, mem: mem, fusedStages: true}
				switch {
				case oneWideMap:
					sg = segment{start: i, end: j + 1, mem: mem, fusedMap: true, mapAt: mapAt}
				case spill > 0:
					sg.spill = make([]int, j+1-i)
					for s := i; s <= j; s++ {
						if _, _, _, sp := m.fusableStep(s, spill); sp {
							sg.spill[s-i] = spill
						}
					}
				}
				segs = append(segs, sg)
			}
		}
	}
	return segs
}

// fusedStagesGroup reports whether fusion group g, which starts at top-level step i, holds a
// Parallel, more than one Map, or a Map that keeps fewer than all its items in the VM (a
// fusedStages segment).
func (m *Model) fusedStagesGroup(plan *dag.Plan, i, g int) bool {
	maps := 0
	for j := i; j < len(m.w.Steps) && plan.FusionGroup(m.w.Steps[j].Name) == g; j++ {
		st := &m.w.Steps[j]
		if st.Parallel != nil || st.Pass {
			return true
		}
		if st.Map != nil && !isNested(st) {
			maps++
			if spill, _ := m.spillOf(plan, j); spill > 0 {
				return true
			}
		}
	}
	return maps > 1
}

// fusedStagesSegment is fusion group g from top-level step i when it holds a Parallel, several
// Maps or a spilling Map: every step must be fusable (fusableStep).
func (m *Model) fusedStagesSegment(plan *dag.Plan, i, g int) (segment, error) {
	steps := m.w.Steps
	sg := segment{start: i, end: i, fusedStages: true}
	for ; sg.end < len(steps) && plan.FusionGroup(steps[sg.end].Name) == g; sg.end++ {
		st := &steps[sg.end]
		spill := 0
		if (st.Map != nil && !isNested(st)) || flatParallel(st) {
			var agree bool
			if spill, agree = m.spillOf(plan, sg.end); !agree {
				return sg, fmt.Errorf("wisefuse: fusion group %d: the maps in parallel %q keep different bundles in the VM; the modeler takes one per parallel", g, st.Name)
			}
		}
		if ok, _, _, _ := m.fusableStep(sg.end, spill); !ok {
			return sg, fmt.Errorf("wisefuse: fusion group %d holds %s step %q; a group with a parallel or a spilling map may hold tasks, maps of tasks, and parallels of task chains, and a map whose item count varied between profiled runs must spill", g, st.Kind(), st.Name)
		}
		sg.spill = append(sg.spill, spill)
		walkStepTasks(st, func(fn string) { sg.mem = max(sg.mem, plan.MemoryOf(fn)) })
	}
	if !slices.ContainsFunc(sg.spill, func(b int) bool { return b > 0 }) {
		sg.spill = nil
	}
	return sg, nil
}

// spillOf is the bundle that Map step k keeps in its fused VM under plan when the other items of
// some run spill (its bundle is below the item count, or the count varied between profiled runs),
// else 0. For a flat Parallel it is that of its Maps, which must agree (ok false if not).
func (m *Model) spillOf(plan *dag.Plan, k int) (spill int, ok bool) {
	st := &m.w.Steps[k]
	of := func(ms *dag.Step, always bool) int {
		b := plan.BundleOf(ms.Name)
		if items, fixed := ms.Map.FixedItems(); fixed && always && b >= items {
			return 0
		}
		return b
	}
	if st.Map != nil {
		return of(st, m.itemsAlwaysFixed(k)), true
	}
	spill = -1
	for b, br := range st.Parallel {
		if ms := branchMap(br); ms != nil {
			_, always := m.branchItems(k, b, ms)
			if v := of(ms, always); spill >= 0 && v != spill {
				return 0, false
			} else {
				spill = v
			}
		}
	}
	return max(spill, 0), true
}

// walkStepTasks calls fn with the function of every task in st, nested ones included.
func walkStepTasks(st *dag.Step, fn func(string)) { dag.WalkTasks([]dag.Step{*st}, fn) }

// evalFusedStages evaluates top-level steps [i, j) fused into one VM of mem MB, Map step s
// keeping spill[s-i] items in the VM (0 or no spill: all). Per profiled run: the gap before step
// i, then each step in series with no orchestration between them: a task alone on the VM, a Map's
// items side by side (the bundle replay), a Parallel's branches side by side (each branch a chain
// of its tasks, the same replay); data in memory between steps, from storage into the group's
// first step and to storage out of its last. A spilling Map's other items run B per VM of their
// own, each VM invoked by the host (the platform's invoke latency) and replayed like a bundle,
// with its input and output in the invocation payload (from storage when the Map is the group's
// first step, or when the data exceed the payload limit); the host waits, billed, for the last.
func (m *Model) evalFusedStages(sc *scratch, sg segment) stageEval {
	i, j, mem := sg.start, sg.end, sg.mem
	plat := m.opts.Platform
	src := &m.sizes[m.nearest(mem)]
	c := plat.Cores(mem)
	vals := sc.vals[:0]
	cost := 0.0
	fns := make([][]string, j-i) // each Map's iterator tasks
	need := 0                    // what the VM runs at once (fusableStep), as the simulator bills it
	// What the run loop reads of each step's functions, looked up once: a task's curve time on
	// the VM, in-memory passing times and request prices; a Map's first and last tasks' prices;
	// the items a Map or a Parallel's Maps keep in the VM (0: all).
	type stepFacts struct {
		curve, localIn, localOut, get, put float64
		spill                              int
	}
	facts := make([]stepFacts, j-i)
	for s := i; s < j; s++ {
		f := &facts[s-i]
		if sg.spill != nil {
			f.spill = sg.spill[s-i]
		}
		_, n, _, _ := m.fusableStep(s, f.spill)
		need = max(need, n)
		st := &m.w.Steps[s]
		switch {
		case st.Task != "":
			f.curve, f.localIn, f.localOut = m.curveTime(st.Task, c), m.localTime(st.Task, true), m.localTime(st.Task, false)
			f.get, f.put = m.getUSD(st.Task), m.putUSD(st.Task)
		case st.Map != nil:
			fns[s-i] = iteratorTasks(st)
			f.get, f.put = m.getUSD(fns[s-i][0]), m.putUSD(fns[s-i][len(fns[s-i])-1])
		}
	}
	runs := m.replayRuns(src)
	loads := m.groupLoads(src, i, j)
	for r := range runs {
		busy := 0.0
		// The group's start-up: its tasks' and each Map's first item's (initOf), each function
		// once (groupLoads).
		init := 0.0
		for s := i; s < j; s++ {
			st := &m.w.Steps[s]
			f := &facts[s-i]
			first, last := s == i, s == j-1
			switch {
			case st.Task != "":
				ts := src.stages[s].task
				in := 0.0
				if loads.paysTask(s - i) {
					in = ts.init[r]
				}
				busy += in + ts.scale[r]*f.curve
				init += in
				if first {
					busy += ts.down[r]
					cost += storageCost(f.get, 0, ts.down[r], 0)
				} else {
					busy += f.localIn
				}
				if last {
					busy += ts.up[r]
					cost += storageCost(0, f.put, 0, ts.up[r])
				} else {
					busy += f.localOut
				}
			case st.Map != nil:
				items := src.stages[s].items
				nt := items.tasks
				fns := fns[s-i]
				lo, hi := items.runStart[r], items.runStart[r+1]
				// The VM loads the iterator's functions at its start (itemSamples.initOf): the
				// items it keeps run warm.
				vi := items.initWith(lo, loads.iterAt(s-i))
				init += vi
				busy += vi
				host := hi
				if f.spill > 0 {
					host = min(hi, lo+f.spill)
				}
				t := sc.ps.replay(m, src, s, fns, lo, host, c, first, last)
				for it := lo; it < host; it++ {
					if first {
						cost += storageCost(f.get, 0, items.down[it*nt], 0)
					}
					if last {
						cost += storageCost(0, f.put, 0, items.up[it*nt+nt-1])
					}
				}
				if host < hi {
					sp := sc.spilledRuns(m, src, s, fns, mem, first, f.spill)
					if plat.InstanceActivities > 0 {
						var usd float64
						t, usd = m.sharedSpills(sc, s, t, sp, r, mem, f.spill*m.needOf(fns...))
						cost += usd
					} else {
						// max is exact and commutative, so the spilled VMs' latest end can be
						// taken first; their prices add to cost one by one, in order, as ever.
						t = max(t, sp.latest[r])
					}
					for _, usd := range sp.usd[sp.off[r]:sp.off[r+1]] {
						cost += usd
					}
				}
				busy += t
			case st.Parallel != nil:
				pre, key := loads.parAt(s - i)
				br := sc.branchRuns(m, src, s, mem, first, last, f.spill, pre, key)
				busy += br.latest[r]
				cost += br.usd[r]
			}
		}
		g := m.groupGap(src, i, r)
		vm, billed := m.acquisition(init, busy)
		lat := m.stepLatency(g, g, vm)
		if m.w.Steps[j-1].Pass {
			// The Pass's state, whose latency the profile put in the gap of what follows it,
			// runs inside the group.
			lat = max(0, lat-plat.TransitionLatency)
		}
		vals = append(vals, lat)
		cost += vmCost(plat, mem, need, billed)
	}
	return stageEval{
		lat:  m.runsLatency(sc, vals, src, i, j),
		cost: cost/float64(runs) + plat.TransitionUSD,
	}
}

// replayKey names a step's replays in a fused group: its index, the group's VM size, whether
// the step is the group's first and last, and the items a Map keeps in the VM. Everything they
// depend on follows from these, so groups that end (or start) at different steps share them.
type replayKey struct {
	s, mem, spill int
	first, last   bool
	pre           string // a Parallel's functions the group's VM loaded before it (preKey)
}

// stepReplays is a step's replays in a fused group, per profiled run r: when its last VM ends
// (latest[r]), and the prices it adds to the group's cost in the order they add,
// usd[off[r]:off[r+1]] (one per run for a Parallel: usd[r]).
type stepReplays struct {
	latest, usd []float64
	off         []int
	busy        []float64 // spilledRuns on shared instances: each spilled VM's busy time, as usd
	work        []float64 // spilledRuns on shared instances: the compute in each busy
}

// maxKeptReplays bounds the floats a planner keeps in stepReplays (replayCache).
const maxKeptReplays = 1 << 21

// replayCache makes a cache of fused groups' step replays by key. The workers that evaluate
// options (evalPool) share one, as the replays of a step serve every group that holds it.
func replayCache() *onceMap[replayKey, *stepReplays] {
	return &onceMap[replayKey, *stepReplays]{budget: maxKeptReplays, size: (*stepReplays).floats}
}

// floats is how many numbers sr holds.
func (sr *stepReplays) floats() int {
	return len(sr.latest) + len(sr.usd) + len(sr.off) + len(sr.busy) + len(sr.work)
}

// replaysOf returns the replays of key k, made by build when the cache does not hold them.
func (sc *scratch) replaysOf(k replayKey, build func() *stepReplays) *stepReplays {
	if sc.replays == nil {
		sc.replays = replayCache()
	}
	return sc.replays.get(k, build)
}

// spilledRuns is the replay of the spilled items of Map step s, spill per VM beyond the spill it
// keeps in a fused group's VM of mem MB, in every run of src (the size nearest mem): each VM is
// invoked by the host and bills its busy time (evalFusedStages). It does not depend on whether
// the Map is the group's last step.
func (sc *scratch) spilledRuns(m *Model, src *sizeData, s int, fns []string, mem int, first bool, spill int) *stepReplays {
	return sc.replaysOf(replayKey{s: s, mem: mem, spill: spill, first: first}, func() *stepReplays {
		return sc.makeSpilledRuns(m, src, s, fns, mem, first, spill)
	})
}

// makeSpilledRuns is spilledRuns without the cache.
func (sc *scratch) makeSpilledRuns(m *Model, src *sizeData, s int, fns []string, mem int, first bool, spill int) *stepReplays {
	plat := m.opts.Platform
	c := plat.Cores(mem)
	items := src.stages[s].items
	per := m.needOf(fns...)
	sr := &stepReplays{latest: make([]float64, src.runs), off: make([]int, 1, src.runs+1)}
	vms := 0 // the spilled VMs of every run: the arrays are made at their size, not grown
	for r := range m.replayRuns(src) {
		lo, hi := items.runStart[r], items.runStart[r+1]
		vms += (hi - min(hi, lo+spill) + spill - 1) / spill
	}
	sr.usd = make([]float64, 0, vms)
	if plat.InstanceActivities > 0 {
		sr.busy, sr.work = make([]float64, 0, vms), make([]float64, 0, vms)
	}
	// A bound reads the spilled items' sums where it can (itembounds.go), looked up once here
	// rather than for every spilled VM.
	var ib *itemBounds
	if sc.ps.bound {
		sc.ps.usePlatform(plat)
		ib = sc.ps.spillSums(m, items, fns, first)
	}
	fd := m.fnDataOf(nil, fns) // for replaySpill, once rather than per spilled VM
	// The spilled VMs share the account's concurrency limit less the host's slot: past it they
	// wait for one another, in order (waves), as in the simulator (sim/acquire.go). Shared
	// instances have limits of their own (sharedSpills).
	limited := plat.InstanceActivities == 0
	slots := 0
	if limited {
		slots = max(plat.ConcurrencyLimit-1, 0)
	}
	var lats []float64
	for r := range m.replayRuns(src) {
		lo, hi := items.runStart[r], items.runStart[r+1]
		host := min(hi, lo+spill)
		latest := math.Inf(-1)
		lats = lats[:0]
		pullers := hi - host
		if slots > 0 {
			pullers = min(pullers, slots*spill) // the spilled VMs that run at once
		}
		slow := m.pullSlowdown(pullers)
		for b := host; b < hi; b += spill {
			e := min(hi, b+spill)
			var sb, usd float64
			if ib != nil {
				sb = sc.ps.boundItems(ib, b, e, c, slow)
				for _, u := range ib.usd[b:e] {
					usd += u
				}
			} else {
				sb, usd = sc.ps.replaySpill(m, items, fns, fd, b, e, c, first, slow)
			}
			sb += items.initOf(b) // the spilled VM's start-up (itemSamples.initOf)
			lat, billed := m.acquisition(items.initOf(b), sb)
			latest = max(latest, plat.InvokeLatency+lat)
			if limited {
				lats = append(lats, lat)
			}
			sr.usd = append(sr.usd, usd+vmCost(plat, mem, (e-b)*per, billed))
			if plat.InstanceActivities > 0 {
				// Only shared instances (sharedSpills) read each VM's busy time and compute.
				sr.busy = append(sr.busy, sb)
				sr.work = append(sr.work, m.spillWork(items, fns, b, e, c))
			}
		}
		switch {
		case len(lats) == 0 || len(lats) <= slots:
		case slots == 0:
			latest = math.Inf(1) // the host holds the only slot: it waits to its timeout
		case ib != nil:
			latest = plat.InvokeLatency + wavesBound(lats, slots)
		default:
			latest = plat.InvokeLatency + waves(lats, slots)
		}
		sr.latest[r] = latest
		sr.off = append(sr.off, len(sr.usd))
	}
	return sr
}

// branchRuns is replayBranches of Parallel step s in a fused group's VM of mem MB, in every run
// of src (the size nearest mem), the stage's functions of loaded loaded by the group's steps
// before it (groupLoads; pre names them in the cache's key).
func (sc *scratch) branchRuns(m *Model, src *sizeData, s, mem int, first, last bool, spill int, loaded []bool, pre string) *stepReplays {
	return sc.replaysOf(replayKey{s: s, mem: mem, spill: spill, first: first, last: last, pre: pre}, func() *stepReplays {
		c := m.opts.Platform.Cores(mem)
		sr := &stepReplays{latest: make([]float64, src.runs), usd: make([]float64, src.runs)}
		for r := range m.replayRuns(src) {
			sr.latest[r], sr.usd[r] = sc.ps.replayBranches(m, src.stages[s].nested, r, c, mem, first, last, spill, loaded)
		}
		return sr
	})
}

// groupGap is the orchestration gap of run r before a fusion group that starts at top-level step
// i. A Map's or a Parallel's profiled gap runs to its first invocation, through two states (the
// Map or Parallel, then the item's or branch's task); the group is one state, so one state
// transition's latency (a platform fact) comes off.
func (m *Model) groupGap(src *sizeData, i, r int) float64 {
	g := src.stages[i].gap[r]
	if st := &m.w.Steps[i]; st.Map != nil || st.Parallel != nil {
		g = max(0, g-m.opts.Platform.TransitionLatency)
	}
	return g
}

// taskRef is one profiled invocation in a replay: its function and its samples.
type taskRef struct {
	fn                    string
	fd                    *fnData // fn's (fnDataOf)
	init, down, scale, up float64
}

// chainPhases appends the phases of a chain of invocations that run one after another in one VM,
// data in memory between them: the first receives its input via in, the last passes its output
// via out. They leave out the invocations' init, which the VM pays once at its start
// (itemSamples.initOf). A payload input moves as if slow times larger (its sender's network is
// shared). It returns the storage requests' price and the index in ph of the payload input's
// transfer (-1: none).
func (m *Model) chainPhases(ph []psPhase, chain []taskRef, in, out via, slow float64) ([]psPhase, float64, int) {
	usd := 0.0
	payloadAt := -1
	for t, c := range chain {
		v, w := viaLocal, viaLocal
		if t == 0 {
			v = in
		}
		if t == len(chain)-1 {
			w = out
		}
		if v == viaStorage {
			usd += storageCost(c.fd.usd[0], 0, c.down, 0)
		}
		if w == viaStorage {
			usd += storageCost(0, c.fd.usd[1], 0, c.up)
		}
		at := len(ph)
		ph = m.phasesOf(ph, c.fd, 0, c.down, c.scale, c.up, v, w)
		if v == viaPayload {
			// The chain's first transfer is its input.
			for x := at; x < len(ph); x++ {
				if ph[x].isNet() {
					payloadAt = x
					if slow > 1 {
						ph[x].amount *= slow
					}
					break
				}
			}
		}
	}
	return ph, usd, payloadAt
}

// spillVia is how a spilled item's chain receives its input and returns its output: in the
// invocation payload, or through storage when the data exceed the payload limit or, for the
// input, when fromStorage (the Map is its group's first step, so the host holds no input).
func (m *Model) spillVia(chain []taskRef, fromStorage bool) (in, out via) {
	plat := m.opts.Platform
	over := func(fd *fnData, isIn bool) bool {
		b := fd.bytes[1]
		if isIn {
			b = fd.bytes[0]
		}
		return plat.PayloadLimitBytes > 0 && b > plat.PayloadLimitBytes
	}
	in, out = viaPayload, viaPayload
	if fromStorage || over(chain[0].fd, true) {
		in = viaStorage
	}
	if over(chain[len(chain)-1].fd, false) {
		out = viaStorage
	}
	return in, out
}

// pullSlowdown is how much slower than alone a payload moves when pullers spilled items pull
// theirs from one host at once: alone a transfer moves at min(connection, VM) (splitTransfer), a
// pull at most at the host's bandwidth over pullers. The spills of a run start together.
func (m *Model) pullSlowdown(pullers int) float64 {
	plat := m.opts.Platform
	if alone := min(plat.ConnectionBps, plat.VMNetworkBps); alone > 0 && pullers > 0 {
		return max(1, alone/(plat.VMNetworkBps/float64(pullers)))
	}
	return 1
}

// runChains replays the chains ps.buf[ps.off[x]:ps.off[x+1]] side by side in one VM of vcpu.
func (ps *psSim) runChains(m *Model, vcpu platform.Cores) float64 {
	n := len(ps.off) - 1
	ps.phases = slices.Grow(ps.phases[:0], n)[:n]
	for x := range n {
		ps.phases[x] = ps.buf[ps.off[x]:ps.off[x+1]:ps.off[x+1]]
	}
	ps.usePlatform(m.opts.Platform)
	return ps.run(n, vcpu)
}

// replaySpill runs the spilled items [b, e) of a Map side by side in a VM of their own and returns
// how long the VM is busy and the storage requests' price; their payloads move slow times
// slower than alone (pullSlowdown of the items of the run that spill).
func (ps *psSim) replaySpill(m *Model, items *itemSamples, fns []string, fd []fnData, b, e int, vcpu platform.Cores, fromStorage bool, slow float64) (busy, usd float64) {
	sp := ps.spillPhases(m, items, fns, fromStorage)
	if sp == nil {
		// Too many items to keep: build the bundle's phases.
		ps.buf = ps.buf[:0]
		ps.off = append(ps.off[:0], 0)
		for j := b; j < e; j++ {
			var u float64
			ps.buf, u, _ = ps.spillItem(ps.buf, m, items, fns, fd, j, fromStorage, slow)
			usd += u
			ps.off = append(ps.off, len(ps.buf))
		}
		return ps.runChains(m, vcpu), usd
	}
	// The kept phases are those of slow 1: a payload input's transfer is scaled here, on a copy,
	// as chainPhases scales it; the other items replay the kept phases in place (run only reads
	// them; so does the bound, ps.run's lowerBound). buf is grown once, so the copies never move.
	n := e - b
	ps.phases = slices.Grow(ps.phases[:0], n)[:n]
	ps.buf = slices.Grow(ps.buf[:0], sp.off[e]-sp.off[b])
	for j := b; j < e; j++ {
		ph := sp.ph[sp.off[j]:sp.off[j+1]:sp.off[j+1]]
		if x := sp.payloadAt[j]; x >= 0 && slow > 1 {
			at := len(ps.buf)
			ps.buf = append(ps.buf, ph...)
			ps.buf[at+int(x)].amount *= slow
			ph = ps.buf[at:len(ps.buf):len(ps.buf)]
		}
		ps.phases[j-b] = ph
		usd += sp.usd[j]
	}
	ps.usePlatform(m.opts.Platform)
	return ps.run(n, vcpu), usd
}

// spillKey names the phases of a Map's spilled items at one profiled size: fromStorage is
// whether their input comes from storage (replaySpill).
type spillKey struct {
	items       *itemSamples
	fromStorage bool
}

// spilledPhases are the phases of every item of a Map run as a spilled chain at slow 1
// (chainPhases): item j's are ph[off[j]:off[j+1]], their storage requests' price usd[j], and
// payloadAt[j] the index among them of the payload input's transfer that a slowdown scales (-1:
// none). They depend on neither the VM size nor the bundle, so a Map's spill replays at every
// size and spill bundle share them.
type spilledPhases struct {
	ph        []psPhase
	off       []int
	usd       []float64
	payloadAt []int32
}

// spillPhases returns the spilled phases of every item of items, built once; nil for a Map of
// more than maxCachedItems items.
func (ps *psSim) spillPhases(m *Model, items *itemSamples, fns []string, fromStorage bool) *spilledPhases {
	total := items.runStart[len(items.runStart)-1]
	if total > maxCachedItems {
		return nil
	}
	k := spillKey{items, fromStorage}
	if k == ps.lastSpillKey && ps.lastSpill != nil {
		return ps.lastSpill
	}
	if ps.spills == nil {
		ps.spills = &onceMap[spillKey, *spilledPhases]{}
	}
	sp := ps.spills.get(k, func() *spilledPhases {
		sp := &spilledPhases{off: make([]int, total+1), usd: make([]float64, total), payloadAt: make([]int32, total)}
		sp.ph = make([]psPhase, 0, total*items.tasks*typicalTaskPhases)
		fd := m.fnDataOf(nil, fns)
		for j := range total {
			at := len(sp.ph)
			var x int
			sp.ph, sp.usd[j], x = ps.spillItem(sp.ph, m, items, fns, fd, j, fromStorage, 1)
			sp.off[j+1] = len(sp.ph)
			sp.payloadAt[j] = -1
			if x >= 0 {
				sp.payloadAt[j] = int32(x - at)
			}
		}
		return sp
	})
	ps.lastSpillKey, ps.lastSpill = k, sp
	return sp
}

// spillItem appends to ph the phases of item j of items run as a spilled chain of fns
// (chainPhases, its payload input slow times longer) and returns them, the storage requests'
// price and the index in ph of the payload input's transfer (-1: none).
func (ps *psSim) spillItem(ph []psPhase, m *Model, items *itemSamples, fns []string, fd []fnData, j int, fromStorage bool, slow float64) ([]psPhase, float64, int) {
	nt := items.tasks
	chain := slices.Grow(ps.chain[:0], nt)[:nt]
	for t := range nt {
		k := j*nt + t
		chain[t] = taskRef{fns[t], &fd[t], items.init[k], items.down[k], items.scale[k], items.up[k]}
	}
	ps.chain = chain
	in, out := m.spillVia(chain, fromStorage)
	return m.chainPhases(ph, chain, in, out, slow)
}

// replayBranches runs the branches of run r of a fusable Parallel (ns, its samples at one
// profiled size) side by side in one VM of mem MB (vcpu), and returns when the last ends and the
// price of its storage requests and spilled VMs. A branch of tasks is a chain, data in memory
// between them; a branch that is a Map runs its items side by side as chains of its iterator's
// tasks, keeping spill of them in the VM (0: all) and spilling the others, spill per VM of their
// own (as replaySpill). Each branch's first task reads from storage when remoteIn, its last
// writes to storage when remoteOut. pre holds the stage's functions (by index in ns.fns) that the
// group's VM loaded for its steps before this one (groupLoads).
func (ps *psSim) replayBranches(m *Model, ns *nestedSamples, r int, vcpu platform.Cores, mem int, remoteIn, remoteOut bool, spill int, pre []bool) (t, usd float64) {
	plat := m.opts.Platform
	in, out := viaLocal, viaLocal
	if remoteIn {
		in = viaStorage
	}
	if remoteOut {
		out = viaStorage
	}
	ps.branchFD = m.fnDataOf(ps.branchFD, ns.fns)
	// chainOf returns the chain of sequence node seq in a VM that has loaded the functions of
	// loaded, which it adds to: an invocation of one loaded already has no init (a VM loads a
	// function once: firstLoads).
	chainOf := func(chain []taskRef, seq int32, loaded []bool) []taskRef {
		chain = chain[:0]
		for _, k := range ns.nodes[seq].kids {
			if nd := &ns.nodes[k]; nd.kind == nodeTask {
				x := nd.task
				f := ns.fn[x]
				init := ns.init[x]
				if loaded[f] {
					init = 0
				}
				loaded[f] = true
				chain = append(chain, taskRef{ns.fns[f], &ps.branchFD[f], init, ns.down[x], ns.scale[x], ns.up[x]})
			}
		}
		return chain
	}
	// The functions the group's VM has loaded, and a spilled VM's.
	n := len(ns.fns)
	loaded := slices.Grow(ps.loaded[:0], n)[:n]
	clear(loaded)
	copy(loaded, pre)
	spillLoaded := slices.Grow(ps.spillLoaded[:0], n)[:n]
	ps.loaded, ps.spillLoaded = loaded, spillLoaded
	chain := ps.chain[:0]
	spilled := ps.spilled[:0] // bundles of spilled items (their sequence nodes)
	defer func() { ps.chain, ps.spilled = chain, spilled }()
	pullers := 0
	root := &ns.nodes[ns.root[r]]
	ps.buf = ps.buf[:0]
	ps.off = append(ps.off[:0], 0)
	// The group's VM loads every branch's functions at its start (itemSamples.initOf), before the
	// branches and the spills they invoke: a branch of tasks its chain's, a Map's its first item's.
	vmInit := 0.0
	addInit := func(chain []taskRef) {
		for _, tr := range chain {
			vmInit += tr.init
		}
	}
	for _, b := range root.kids {
		mapNode := int32(-1)
		for _, k := range ns.nodes[b].kids {
			if ns.nodes[k].kind == nodeMap {
				mapNode = k
			}
		}
		if mapNode < 0 {
			if chain = chainOf(chain, b, loaded); len(chain) > 0 {
				addInit(chain)
				var u float64
				ps.buf, u, _ = m.chainPhases(ps.buf, chain, in, out, 1)
				usd += u
				ps.off = append(ps.off, len(ps.buf))
			}
			continue
		}
		items := ns.nodes[mapNode].kids
		host := len(items)
		if spill > 0 {
			host = min(spill, len(items))
		}
		for k, it := range items[:host] {
			chain = chainOf(chain, it, loaded)
			if k == 0 {
				addInit(chain)
			}
			var u float64
			ps.buf, u, _ = m.chainPhases(ps.buf, chain, in, out, 1)
			usd += u
			ps.off = append(ps.off, len(ps.buf))
		}
		for x := host; x < len(items); x += spill {
			spilled = append(spilled, items[x:min(x+spill, len(items))])
		}
		pullers += len(items) - host
	}
	t = ps.runChains(m, vcpu)
	slow := m.pullSlowdown(pullers)
	for _, bundle := range spilled {
		ps.buf = ps.buf[:0]
		ps.off = append(ps.off[:0], 0)
		need := 0   // its items' at once, as the simulator bills a spill
		init := 0.0 // the VM's start-up: its first item's (as itemSamples.initOf)
		clear(spillLoaded)
		for k, it := range bundle {
			chain = chainOf(chain, it, spillLoaded)
			if k == 0 {
				for _, tr := range chain {
					init += tr.init
				}
			}
			per := 0
			for _, tr := range chain {
				per = max(per, m.needOf(tr.fn))
			}
			need += per
			sin, sout := m.spillVia(chain, remoteIn)
			var u float64
			ps.buf, u, _ = m.chainPhases(ps.buf, chain, sin, sout, slow)
			usd += u
			ps.off = append(ps.off, len(ps.buf))
		}
		sb := init + ps.runChains(m, vcpu)
		lat, billed := m.acquisition(init, sb)
		t = max(t, plat.InvokeLatency+lat)
		usd += vmCost(plat, mem, need, billed)
	}
	return vmInit + t, usd
}

// planFusedStages writes fusedStages segment sg into p: one fusion group of its steps, every
// function in it at the group's size, every Map's items all in the VM.
func (pl *Planner) planFusedStages(p *dag.Plan, sg segment) {
	var names []string
	for k := sg.start; k < sg.end; k++ {
		st := &pl.model.w.Steps[k]
		names = append(names, st.Name)
		walkStepTasks(st, func(fn string) { p.Memory[fn] = max(p.Memory[fn], sg.mem) })
		var maps []*dag.Step
		if st.Map != nil {
			maps = append(maps, st)
		}
		for _, br := range st.Parallel {
			if ms := branchMap(br); ms != nil {
				maps = append(maps, ms)
			}
		}
		for _, ms := range maps {
			items, fixed := ms.Map.FixedItems()
			b := items
			if sg.spill != nil && sg.spill[k-sg.start] > 0 {
				b = sg.spill[k-sg.start]
				if fixed {
					b = min(b, items)
				}
			}
			if p.Bundle == nil {
				p.Bundle = map[string]int{}
			}
			p.Bundle[ms.Name] = b
		}
	}
	p.Fuse = append(p.Fuse, names)
}
