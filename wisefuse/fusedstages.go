// A fusion group of top-level steps that holds a Parallel or several Maps: tasks, Maps with all
// their items in the group's VM, and Parallels whose branches are chains of tasks, all in one VM
// (Faastlane's whole-workflow VM, which runs a Parallel's branches as processes sharing its
// vCPUs). The simulator runs such a group as one VM: everything nested in a fused step runs in it
// (docs/simulator.md, "Execution units").

package wisefuse

import (
	"fmt"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
)

// flatParallel reports whether st is a Parallel whose branches hold only tasks and passes: the
// Parallels a fused group can hold.
func flatParallel(st *dag.Step) bool {
	if st.Parallel == nil {
		return false
	}
	for _, br := range st.Parallel {
		for k := range br {
			if br[k].Task == "" && !br[k].Pass {
				return false
			}
		}
	}
	return true
}

// spillBundles are the bundles a fused group's Maps may keep in the group's VM while the other
// items spill, that many per VM, to VMs of their own (besides all items in the VM).
var spillBundles = []int{1, 2, 4, 8}

// fusableStep reports whether top-level step k can join a fused group whose Maps keep spill items
// in the VM (0: all of them, which needs a fixed item count): a task, a flat Parallel, or a Map
// of tasks. It returns the memory its invocations in the group's VM need together, the threads
// they can use together, and whether a Map spills items in some run.
func (m *Model) fusableStep(k, spill int) (ok bool, need int, threads float64, spills bool) {
	st := &m.w.Steps[k]
	switch {
	case st.Pass:
		return true, 0, 0, false
	case st.Task != "":
		return true, m.w.Function(st.Task).MinMemoryMB, m.curves[st.Task].Threads, false
	case flatParallel(st):
		for _, br := range st.Parallel {
			bn, bt := 0, 0.0
			for i := range br {
				if fn := br[i].Task; fn != "" {
					bn = max(bn, m.w.Function(fn).MinMemoryMB)
					bt = max(bt, m.curves[fn].Threads)
				}
			}
			need += bn
			threads += bt
		}
		return true, need, threads, false
	case st.Map != nil && !isNested(st):
		items, fixed := st.Map.FixedItems()
		if spill == 0 && (!fixed || !m.itemsAlwaysFixed(k)) {
			return false, 0, 0, false
		}
		in := m.mostItems(k)
		if spill > 0 && spill < in {
			in, spills = spill, true
		} else if spill == 0 {
			in = items
		}
		per, t := 0, 0.0
		for _, fn := range iteratorTasks(st) {
			per = max(per, m.w.Function(fn).MinMemoryMB)
			t = max(t, m.curves[fn].Threads)
		}
		return true, in * per, float64(in) * t, spills
	}
	return false, 0, 0, false
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
// than MaxBundle items, with all items in the VM; and groups whose Maps keep one of spillBundles
// items in the VM and spill the rest. Each at every grid size that holds what the VM runs at
// once. A group of tasks and one Map with all its items in the VM is a fusedMap segment (the
// existing model of it); the others are fusedStages segments.
func (pl *Planner) fusedStageSegments(i int, grid []int) []segment {
	m := pl.model
	if pl.opts.NoFusion || pl.opts.NoBundling {
		return nil
	}
	maxB := pl.opts.MaxBundle
	if maxB <= 0 {
		maxB = DefaultMaxBundle
	}
	var segs []segment
	for _, spill := range append([]int{0}, spillBundles...) {
		need, threads := 0, 0.0
		maps, pars, passes, mapAt, wideMap, spills := 0, 0, 0, -1, false, false
		for j := i; j < len(m.w.Steps); j++ {
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
			if m.spillOf(plan, j) > 0 {
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
		if st.Map != nil && !isNested(st) {
			spill = m.spillOf(plan, sg.end)
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
// else 0.
func (m *Model) spillOf(plan *dag.Plan, k int) int {
	st := &m.w.Steps[k]
	b := plan.BundleOf(st.Name)
	if items, fixed := st.Map.FixedItems(); fixed && m.itemsAlwaysFixed(k) && b >= items {
		return 0
	}
	return b
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
	c := cores(plat, mem)
	vals := sc.vals[:0]
	cost := 0.0
	for r := range src.runs {
		busy := 0.0
		for s := i; s < j; s++ {
			st := &m.w.Steps[s]
			first, last := s == i, s == j-1
			switch {
			case st.Task != "":
				ts := src.stages[s].task
				busy += ts.init[r] + ts.scale[r]*m.curveTime(st.Task, c)
				if first {
					busy += ts.down[r]
					cost += storageCost(plat, ts.down[r], 0)
				} else {
					busy += m.localTime(st.Task, true)
				}
				if last {
					busy += ts.up[r]
					cost += storageCost(plat, 0, ts.up[r])
				} else {
					busy += m.localTime(st.Task, false)
				}
			case st.Map != nil:
				items := src.stages[s].items
				nt := items.tasks
				fns := iteratorTasks(st)
				lo, hi := items.runStart[r], items.runStart[r+1]
				host := hi
				if sg.spill != nil && sg.spill[s-i] > 0 {
					host = min(hi, lo+sg.spill[s-i])
				}
				t := sc.ps.replay(m, src, s, fns, lo, host, c, first, last)
				for it := lo; it < host; it++ {
					if first {
						cost += storageCost(plat, items.down[it*nt], 0)
					}
					if last {
						cost += storageCost(plat, 0, items.up[it*nt+nt-1])
					}
				}
				for b := host; b < hi; b += sg.spill[s-i] {
					e := min(hi, b+sg.spill[s-i])
					sb, usd := sc.ps.replaySpill(m, items, fns, b, e, c, first, hi-host)
					t = max(t, plat.InvokeLatency+sb)
					cost += usd + vmCost(plat, mem, sb)
				}
				busy += t
			case st.Parallel != nil:
				t, gets, puts := sc.ps.replayBranches(m, src.stages[s].nested, r, c, first, last)
				busy += t
				cost += float64(gets)*plat.GetUSD + float64(puts)*plat.PutUSD
			}
		}
		lat := m.groupGap(src, i, r) + busy
		if m.w.Steps[j-1].Pass {
			// The Pass's state, whose latency the profile put in the gap of what follows it,
			// runs inside the group.
			lat = max(0, lat-plat.TransitionLatency)
		}
		vals = append(vals, lat)
		cost += vmCost(plat, mem, busy)
	}
	sc.vals = vals
	return stageEval{
		lat:  latencyFromSamples(nil, vals, m.opts.Atoms),
		cost: cost/float64(src.runs) + plat.TransitionUSD,
	}
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

// replaySpill runs the spilled items [b, e) of a Map side by side in a VM of their own and returns
// how long the VM is busy and the storage requests' price. Input comes in the invocation payload,
// or from storage when fromStorage (the Map is its group's first step, so the host holds no
// input) or when it exceeds the payload limit; output returns in the payload, or through storage
// above the limit. The spills of a run start together, so the pullers spilled items pull their
// payloads from the host at once and share its network: each payload moves at most at the
// host's bandwidth over pullers.
func (ps *psSim) replaySpill(m *Model, items *itemSamples, fns []string, b, e int, vcpu Cores, fromStorage bool, pullers int) (busy, usd float64) {
	plat := m.opts.Platform
	payload := func(fn string, in bool) via {
		bytes := m.dataBytes[fn][1]
		if in {
			bytes = m.dataBytes[fn][0]
		}
		if plat.PayloadLimitBytes > 0 && bytes > plat.PayloadLimitBytes {
			return viaStorage
		}
		return viaPayload
	}
	// A transfer alone in its VM moves at min(connection, VM) (splitTransfer); a payload pull
	// at min(that, host / pullers).
	slow := 1.0
	if alone := min(plat.ConnectionBps, plat.VMNetworkBps); alone > 0 && pullers > 0 {
		slow = max(1, alone/(plat.VMNetworkBps/float64(pullers)))
	}
	nt := items.tasks
	ps.buf = ps.buf[:0]
	ps.off = append(ps.off[:0], 0)
	for j := b; j < e; j++ {
		for t := range nt {
			k := j*nt + t
			in, out := viaLocal, viaLocal
			if t == 0 {
				in = viaStorage
				if !fromStorage {
					in = payload(fns[t], true)
				}
			}
			if t == nt-1 {
				out = payload(fns[t], false)
			}
			if in == viaStorage {
				usd += storageCost(plat, items.down[k], 0)
			}
			if out == viaStorage {
				usd += storageCost(plat, 0, items.up[k])
			}
			at := len(ps.buf)
			ps.buf = m.taskPhases(ps.buf, fns[t], items.init[k], items.down[k], items.scale[k], items.up[k], in, out)
			if in == viaPayload && slow > 1 {
				// The phases' first transfer is the input: it moves as if slow times larger.
				for x := at; x < len(ps.buf); x++ {
					if ps.buf[x].net {
						ps.buf[x].amount *= slow
						break
					}
				}
			}
		}
		ps.off = append(ps.off, len(ps.buf))
	}
	n := e - b
	ps.phases = slices.Grow(ps.phases[:0], n)[:n]
	for x := range n {
		ps.phases[x] = ps.buf[ps.off[x]:ps.off[x+1]:ps.off[x+1]]
	}
	ps.contention = plat.ContentionPerCoRunner
	ps.connBps, ps.vmBps = plat.ConnectionBps, plat.VMNetworkBps
	return ps.run(n, vcpu), usd
}

// replayBranches runs the branches of run r of a flat Parallel (ns, its samples at one profiled
// size) side by side in one VM of vcpu, each branch its tasks in series with data in memory
// between them, and returns when the last branch ends and the storage requests made: each
// branch's first task reads from storage when remoteIn, its last writes to storage when
// remoteOut.
func (ps *psSim) replayBranches(m *Model, ns *nestedSamples, r int, vcpu Cores, remoteIn, remoteOut bool) (t float64, gets, puts int) {
	root := &ns.nodes[ns.root[r]]
	ps.buf = ps.buf[:0]
	ps.off = append(ps.off[:0], 0)
	for _, b := range root.kids {
		var tasks []int32
		for _, k := range ns.nodes[b].kids {
			if nd := &ns.nodes[k]; nd.kind == nodeTask {
				tasks = append(tasks, nd.task)
			}
		}
		for x, k := range tasks {
			in, out := remoteIn && x == 0, remoteOut && x == len(tasks)-1
			if in && ns.down[k] > 0 {
				gets++
			}
			if out && ns.up[k] > 0 {
				puts++
			}
			v, w := viaLocal, viaLocal
			if in {
				v = viaStorage
			}
			if out {
				w = viaStorage
			}
			ps.buf = m.taskPhases(ps.buf, ns.fns[ns.fn[k]], ns.init[k], ns.down[k], ns.scale[k], ns.up[k], v, w)
		}
		ps.off = append(ps.off, len(ps.buf))
	}
	n := len(root.kids)
	ps.phases = slices.Grow(ps.phases[:0], n)[:n]
	for b := range n {
		ps.phases[b] = ps.buf[ps.off[b]:ps.off[b+1]:ps.off[b+1]]
	}
	ps.contention = m.opts.Platform.ContentionPerCoRunner
	ps.connBps, ps.vmBps = m.opts.Platform.ConnectionBps, m.opts.Platform.VMNetworkBps
	return ps.run(n, vcpu), gets, puts
}

// planFusedStages writes fusedStages segment sg into p: one fusion group of its steps, every
// function in it at the group's size, every Map's items all in the VM.
func (pl *Planner) planFusedStages(p *dag.Plan, sg segment) {
	var names []string
	for k := sg.start; k < sg.end; k++ {
		st := &pl.model.w.Steps[k]
		names = append(names, st.Name)
		walkStepTasks(st, func(fn string) { p.Memory[fn] = max(p.Memory[fn], sg.mem) })
		if st.Map != nil {
			items, fixed := st.Map.FixedItems()
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
			p.Bundle[st.Name] = b
		}
	}
	p.Fuse = append(p.Fuse, names)
}
