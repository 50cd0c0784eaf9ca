// Evaluation of top-level Task steps in one VM, alone or fused, and of a Map fused with its
// neighbouring tasks, all its items in the group's VM.

package wisefuse

import (
	"cmp"
	"math"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// evalTasks evaluates top-level task steps [i, j) fused into one VM of mem MB (j = i+1: a lone
// task). Per profiled run: the gap before step i, then init of each, download of the first,
// compute of each at mem, data in memory between them, upload of the last.
func (m *Model) evalTasks(sc *scratch, i, j, mem int) stageEval {
	plat := m.opts.Platform
	si := m.nearest(mem)
	src := &m.sizes[si]
	c := plat.Cores(mem)
	runs := sc.runValue[:0]
	cost := 0.0
	ratios, local := m.groupTasks(i, j, -1, c)
	need := 0
	for k := i; k < j; k++ {
		need = max(need, m.needOf(m.w.Steps[k].Task))
	}
	get, put := m.getUSD(m.w.Steps[i].Task), m.putUSD(m.w.Steps[j-1].Task)
	loads := m.groupLoads(src, i, j)
	// Each run's busy time and init, task by task over all runs: the samples are read in order,
	// one array at a time (run by run, a fused group's tasks were a pointer chase per sample, most
	// of planning a trace's chains), and each run's sums add in the same order as run by run.
	n := src.runs
	first, last := src.stages[i].task, src.stages[j-1].task
	busy := slices.Grow(sc.busy[:0], n)[:n]
	init := slices.Grow(sc.inits[:0], n)[:n]
	sc.busy, sc.inits = busy, init
	for r := range n {
		busy[r] = first.down[r] + last.up[r] + local
		init[r] = 0
	}
	for k := i; k < j; k++ {
		ts, ratio, pays := src.stages[k].task, ratios[k-i], loads.paysTask(k-i)
		for r := range n {
			in := 0.0 // a function the VM has loaded already starts warm (groupLoads)
			if pays {
				in = ts.init[r]
			}
			busy[r] += in + ts.scale[r]*ratio
			init[r] += in
		}
	}
	gap := src.stages[i].gap
	for r := range n {
		lat, billed := m.acquisition(init[r], busy[r])
		runs = append(runs, m.stepLatency(gap[r], gap[r], lat))
		cost += vmCost(plat, mem, need, billed) + storageCost(get, put, first.down[r], last.up[r])
	}
	sc.runValue = runs
	vals := m.withTimedOut(sc.sortRuns(runs, [3]int{i, j, si}), src, i, j)
	sc.vals = vals // grown by the runs the timeout stopped, kept for the next evaluation
	return stageEval{
		lat:  latencyFromSorted(nil, vals, m.opts.Atoms),
		cost: cost/float64(src.runs) + plat.TransitionUSD,
	}
}

// sortRuns returns the runs' values v sorted (in sc.vals), for the task group key: a group's
// options come size after size, and a size's runs are nearly in the order of the size before,
// so they are sorted from that order by insertion (the same values, sorted: the same atoms),
// which took a fifth of a trace replay's planning as a full sort every time.
func (sc *scratch) sortRuns(v []float64, key [3]int) []float64 {
	vals := slices.Grow(sc.vals[:0], len(v))[:len(v)]
	sc.vals = vals
	if key != sc.orderOf || len(sc.order) != len(v) || slices.ContainsFunc(v, math.IsNaN) {
		// A new group (or a NaN, which orders nothing): sort the runs' indices by value.
		sc.orderOf = key
		sc.order = slices.Grow(sc.order[:0], len(v))[:len(v)]
		for r := range sc.order {
			sc.order[r] = int32(r)
		}
		slices.SortStableFunc(sc.order, func(a, b int32) int { return cmp.Compare(v[a], v[b]) })
		for k, r := range sc.order {
			vals[k] = v[r]
		}
		return vals
	}
	order := sc.order
	for k, r := range order {
		x := v[r]
		h := k
		for h > 0 && vals[h-1] > x {
			vals[h], order[h] = vals[h-1], order[h-1]
			h--
		}
		vals[h], order[h] = x, r
	}
	return vals
}

// groupTasks returns, for the tasks of a fusion group of top-level steps [i, j) (all but step
// skip, a Map, or -1), each one's fitted compute time on c (at its offset from i) and the time
// their data takes to pass in memory inside the group, the same in every run.
func (m *Model) groupTasks(i, j, skip int, c platform.Cores) (ratios []float64, local float64) {
	ratios = make([]float64, j-i)
	for s := i; s < j; s++ {
		if s == skip {
			continue
		}
		fn := m.w.Steps[s].Task
		ratios[s-i] = m.curveTime(fn, c)
		if s > i {
			local += m.localTime(fn, true)
		}
		if s < j-1 {
			local += m.localTime(fn, false)
		}
	}
	return ratios, local
}

// evalFusedMap evaluates top-level steps [i, j) fused into one VM of mem MB, step k of them a Map
// whose items all run in that VM (Bundle = items; Faastlane's whole-workflow VM), the others
// tasks. Per profiled run: the gap before step i; the tasks before the Map in series; the Map's
// items side by side, sharing the VM's cores and network (the bundle replay); the tasks after it;
// data in memory between them. Only the group's first step reads from storage (all the items, when
// the Map is first) and only its last writes to it.
func (m *Model) evalFusedMap(sc *scratch, i, j, k, mem int) stageEval {
	plat := m.opts.Platform
	src := &m.sizes[m.nearest(mem)]
	c := plat.Cores(mem)
	fns := iteratorTasks(&m.w.Steps[k])
	items := src.stages[k].items
	nt := items.tasks
	ratios, local := m.groupTasks(i, j, k, c)
	need := 0 // the tasks', or all the items' at once
	for s := i; s < j; s++ {
		if s != k {
			need = max(need, m.needOf(m.w.Steps[s].Task))
		}
	}
	per := m.needOf(fns...)
	get, put := m.getUSD(fns[0]), m.putUSD(fns[nt-1])
	vals := sc.vals[:0]
	cost := 0.0
	runs := m.replayRuns(src)
	loads := m.groupLoads(src, i, j)
	for r := range runs {
		busy := local
		lo, hi := items.runStart[r], items.runStart[r+1]
		mapInit := items.initWith(lo, loads.iterAt(k-i))
		init := mapInit // the group's start-up: its tasks' and an item's, each function once
		for s := i; s < j; s++ {
			if s == k {
				continue
			}
			ts := src.stages[s].task
			in := 0.0
			if loads.paysTask(s - i) {
				in = ts.init[r]
			}
			busy += in + ts.scale[r]*ratios[s-i]
			init += in
			if s == i {
				busy += ts.down[r]
				cost += storageCost(m.getUSD(m.w.Steps[s].Task), 0, ts.down[r], 0)
			}
			if s == j-1 {
				busy += ts.up[r]
				cost += storageCost(0, m.putUSD(m.w.Steps[s].Task), 0, ts.up[r])
			}
		}
		// The VM loads the iterator's functions at its start (itemSamples.initOf): the items run
		// warm.
		busy += mapInit + sc.ps.replay(m, src, k, fns, lo, hi, c, k == i, k == j-1)
		for it := lo; it < hi; it++ {
			if k == i {
				cost += storageCost(get, 0, items.down[it*nt], 0)
			}
			if k == j-1 {
				cost += storageCost(0, put, 0, items.up[it*nt+nt-1])
			}
		}
		g := m.groupGap(src, i, r)
		lat, billed := m.acquisition(init, busy)
		vals = append(vals, m.stepLatency(g, g, lat))
		cost += vmCost(plat, mem, max(need, (hi-lo)*per), billed)
	}
	return stageEval{
		lat:  m.runsLatency(sc, vals, src, i, j),
		cost: cost/float64(runs) + plat.TransitionUSD,
	}
}

// storageCost is the price of an invocation's remote read (when it downloaded, down > 0) at get
// and remote write (up > 0) at put (Model.getUSD, Model.putUSD).
func storageCost(get, put, down, up float64) float64 {
	c := 0.0
	if down > 0 {
		c += get
	}
	if up > 0 {
		c += put
	}
	return c
}

// getUSD is the price of one remote read of fn's input, as the platform bills it: its storage
// requests (dag.Function.InputRequests), and on a platform that offloads large messages
// (Platform.OffloadBytes, Azure Durable Functions) a blob read when fn's profiled input is above
// the offload size, as the simulator charges (sim/invocation.go).
func (m *Model) getUSD(fn string) float64 { return m.transferUSD(fn)[0] }

// putUSD is the price of one remote write of fn's output: its storage requests
// (dag.Function.OutputRequests), and a blob write when fn's profiled output is above the offload
// size (sim/passing.go).
func (m *Model) putUSD(fn string) float64 { return m.transferUSD(fn)[1] }

// transferUSD returns fn's getUSD and putUSD, priced once per function of the workflow in
// NewModel (Model.xferUSD; read-only afterwards): the search asks for them per run.
func (m *Model) transferUSD(fn string) [2]float64 {
	if c, ok := m.xferUSD[fn]; ok {
		return c
	}
	return m.priceTransfer(fn)
}

func (m *Model) priceTransfer(fn string) [2]float64 {
	p := m.opts.Platform
	c := [2]float64{p.GetUSD * m.requests(fn, false), p.PutUSD * m.requests(fn, true)}
	if o := p.OffloadBytes; o > 0 {
		if m.dataBytes[fn][0] > o {
			c[0] += p.BlobGetUSD
		}
		if m.dataBytes[fn][1] > o {
			c[1] += p.BlobPutUSD
		}
	}
	return c
}

// requests is the number of storage requests of one read of fn's input (or write of its output),
// as the workflow declares it (1 for a function the workflow does not know: a log's).
func (m *Model) requests(fn string, out bool) float64 {
	f := m.w.Function(fn)
	switch {
	case f == nil:
		return 1
	case out:
		return float64(dag.Requests(f.OutputRequests))
	}
	return float64(dag.Requests(f.InputRequests))
}
