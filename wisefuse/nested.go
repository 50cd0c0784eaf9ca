// Nested stages: a top-level Parallel step, or a top-level Map whose iterator holds a Parallel or
// a Map. The profiler keeps each invocation's place (run, outer item, item); the modeler rebuilds,
// for every profiled run, the tree of that run's invocations and evaluates it under the plan:
// sequences add, Parallel branches and Map items take their maximum (a Map's items run in waves
// under its MaxConcurrency), all within the run.

package wisefuse

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/records"
)

// isNested reports whether top-level step st is a nested stage: a Parallel, or a Map whose
// iterator holds a Parallel or a Map. Other Maps keep their own, faster model (maps.go).
func isNested(st *dag.Step) bool {
	if st.Parallel != nil {
		return true
	}
	if st.Map != nil {
		for _, it := range st.Map.Iterator {
			if it.Parallel != nil || it.Map != nil {
				return true
			}
		}
	}
	return false
}

// nestedTask is a task step under a nested stage and the Maps that enclose it (the stage itself
// when it is a Map), outermost first.
type nestedTask struct {
	step *dag.Step
	maps []string
}

// nestedTasks lists the task steps under stage st in walk order.
func nestedTasks(st *dag.Step) []nestedTask {
	var out []nestedTask
	var walk func(s *dag.Step, maps []string)
	walk = func(s *dag.Step, maps []string) {
		switch {
		case s.Task != "":
			out = append(out, nestedTask{s, slices.Clone(maps)})
		case s.Parallel != nil:
			for _, br := range s.Parallel {
				for i := range br {
					walk(&br[i], maps)
				}
			}
		case s.Map != nil:
			inner := append(slices.Clone(maps), s.Name)
			for i := range s.Map.Iterator {
				walk(&s.Map.Iterator[i], inner)
			}
		}
	}
	walk(st, nil)
	return out
}

// instance is one execution of a sequence: outside Maps ("", 0); in item i of an outermost Map
// ("", i); in item j of a Map nested in item i of its outer Map ("i", j); deeper, outer holds the
// items of all the enclosing Maps, outermost first, as the records' Outer does ("i/j", k).
type instance struct {
	outer string
	item  int
}

// child is the instance of item j of a Map that runs in instance in at Map depth depth (0: the
// Map is outermost).
func (in instance) child(depth, j int) instance {
	if depth == 0 {
		return instance{"", j}
	}
	return instance{in.key(), j}
}

// key is in's outer and item together, in the records' encoding of Outer.
func (in instance) key() string {
	if in.outer == "" {
		return strconv.Itoa(in.item)
	}
	return in.outer + string(records.OuterSep) + strconv.Itoa(in.item)
}

// parent is the instance in which the Map holding in runs (in is inside at least two Maps).
func (in instance) parent() (instance, error) {
	k := strings.LastIndexByte(in.outer, records.OuterSep)
	j, err := strconv.Atoi(in.outer[k+1:])
	if err != nil || j < 0 {
		return instance{}, fmt.Errorf("outer items %q: want items separated by %q", in.outer, records.OuterSep)
	}
	if k < 0 {
		return instance{"", j}, nil
	}
	return instance{in.outer[:k], j}, nil
}

// itemsKey names the items of a Map in one instance of its enclosing sequence: prefix is "" for
// an outermost Map, else the enclosing instance's key.
type itemsKey struct {
	m      string
	prefix string
}

func (in instance) itemsKey(m string, depth int) itemsKey {
	if depth == 0 {
		return itemsKey{m, ""}
	}
	return itemsKey{m, in.key()}
}

// placeOf is the instance of a task invocation enclosed by maps (its Maps), recorded with item and
// outer; it also registers the items it reveals, of its own Map and of every Map around it. An
// outer that does not hold one item per enclosing Map but the innermost is an error.
func placeOf(maps []string, item int, outer string, items map[itemsKey]map[int]bool) (instance, error) {
	reg := func(k itemsKey, j int) {
		if items[k] == nil {
			items[k] = map[int]bool{}
		}
		items[k][j] = true
	}
	n := 0
	if outer != "" {
		n = strings.Count(outer, string(records.OuterSep)) + 1
	}
	if want := max(len(maps)-1, 0); n != want {
		// RecordCheck says so first for records read from files, with the file and line.
		return instance{}, fmt.Errorf("outer items %q: want the items of the %d Maps around map %q", outer, want, maps[len(maps)-1])
	}
	if len(maps) == 0 {
		return instance{}, nil
	}
	// Walk outwards: the Map at depth d runs in the instance whose key is outer less the items
	// of the Maps inside it.
	in := instance{outer, item}
	for d := len(maps) - 1; d >= 0; d-- {
		if d == 0 {
			reg(itemsKey{maps[0], ""}, in.item)
			break
		}
		reg(itemsKey{maps[d], in.outer}, in.item)
		var err error
		if in, err = in.parent(); err != nil {
			return instance{}, err
		}
	}
	return instance{outer, item}, nil
}

func sortedItems(set map[int]bool) []int {
	out := make([]int, 0, len(set))
	for j := range set {
		out = append(out, j)
	}
	slices.Sort(out)
	return out
}

// addNested adds one run's invocations of nested stage si (st) to the size profile: the stage's
// gap (from prevEnd to its first invocation) and every invocation with its gap. It returns the
// end of the stage's last invocation.
func (s *SizeProfile) addNested(run, si int, st *dag.Step, byStep map[string][]*records.Invocation, prevEnd float64) (float64, error) {
	type key struct {
		step string
		in   instance
	}
	byKey := map[key][]*records.Invocation{}
	items := map[itemsKey]map[int]bool{}
	depth := map[string]int{}
	start := math.Inf(1)
	for _, t := range nestedTasks(st) {
		depth[t.step.Name] = len(t.maps)
		for _, in := range byStep[t.step.Name] {
			place, err := placeOf(t.maps, in.Item, in.Outer, items)
			if err != nil {
				return 0, fmt.Errorf("step %q: %w", t.step.Name, err) // the caller names the run
			}
			k := key{t.step.Name, place}
			byKey[k] = append(byKey[k], in)
			start = math.Min(start, in.Start)
		}
	}
	if math.IsInf(start, 0) {
		return 0, fmt.Errorf("%s %q has no invocations", st.Kind(), st.Name)
	}
	s.Stages[si].Gap = append(s.Stages[si].Gap, start-prevEnd)
	var addStep func(st *dag.Step, d int, in instance, prev float64) (float64, error)
	addSeq := func(seq []dag.Step, d int, in instance, prev float64) (float64, error) {
		for i := range seq {
			var err error
			if prev, err = addStep(&seq[i], d, in, prev); err != nil {
				return 0, err
			}
		}
		return prev, nil
	}
	addStep = func(st *dag.Step, d int, in instance, prev float64) (float64, error) {
		end := prev
		switch {
		case st.Task != "":
			ins := byKey[key{st.Name, in}]
			if len(ins) != 1 {
				return 0, fmt.Errorf("step %q has %d invocations in item %d (outer items %q), want 1 (a Map nested in a Map needs records that keep the outer item)", st.Name, len(ins), in.item, in.outer)
			}
			smp := s.Step(st.Name)
			smp.add(run, in.item, ins[0].Start-prev, ins[0])
			if depth[st.Name] >= 2 {
				smp.Outer = append(smp.Outer, in.outer)
			}
			end = ins[0].End
		case st.Parallel != nil:
			for _, br := range st.Parallel {
				e, err := addSeq(br, d, in, prev)
				if err != nil {
					return 0, err
				}
				end = math.Max(end, e)
			}
		case st.Map != nil:
			its := items[in.itemsKey(st.Name, d)]
			if n, fixed := st.Map.FixedItems(); fixed && len(its) != n && (len(its) > 0 || hasTask(st.Map.Iterator)) {
				// Records of 4 items profiled under a workflow of 9 predicted half the cost, as a
				// flat Map's once did (addRun).
				where := ""
				if prefix := in.itemsKey(st.Name, d).prefix; prefix != "" {
					where = fmt.Sprintf(" (outer items %q)", prefix)
				}
				return 0, fmt.Errorf("map %q%s has %d items in the records, but the workflow's map has %d (records of a workflow of another width?)", st.Name, where, len(its), n)
			}
			for _, j := range sortedItems(its) {
				e, err := addSeq(st.Map.Iterator, d+1, in.child(d, j), prev)
				if err != nil {
					return 0, err
				}
				end = math.Max(end, e)
			}
		}
		return end, nil
	}
	return addStep(st, 0, instance{}, start)
}

// hasTask reports whether seq holds a task step, at any depth: a Map of Pass steps only has no
// records to count its items by.
func hasTask(seq []dag.Step) bool {
	found := false
	dag.WalkTasks(seq, func(string) { found = true })
	return found
}

// Node kinds of a nested stage's per-run tree.
const (
	nodeTask uint8 = iota
	nodePass
	nodeSeq
	nodePar // Parallel: the branches' maximum
	nodeMap // Map: the items' maximum, or their waves under a MaxConcurrency
)

type nestNode struct {
	kind uint8
	conc int32   // nodeMap: its MaxConcurrency, or the account's limit (concOf; 0: none)
	task int32   // nodeTask: the invocation's index
	kids []int32 // nodeSeq: its steps; nodePar: its branches; nodeMap: its items, in item order
}

// nestedSamples is a nested stage at one profiled size: its invocations (flat arrays) and, per
// run, the tree of that run's invocations.
type nestedSamples struct {
	fns                        []string // the stage's functions, in walk order
	fn                         []int32  // per invocation: its function's index in fns
	gap, init, down, scale, up []float64
	nodes                      []nestNode
	root                       []int32 // per run
}

// prepareNested rearranges stage st's samples at one profiled size (s, sd the size's data so
// far, for the cores each function ran on) into per-run trees.
func (m *Model) prepareNested(s *SizeProfile, st *dag.Step, sd *sizeData) (*nestedSamples, error) {
	ns := &nestedSamples{}
	type key struct {
		run int
		in  instance
	}
	index := map[string]map[key]int32{}
	items := make([]map[itemsKey]map[int]bool, s.Runs)
	for r := range items {
		items[r] = map[itemsKey]map[int]bool{}
	}
	for _, t := range nestedTasks(st) {
		smp := s.Step(t.step.Name)
		if smp == nil {
			return nil, fmt.Errorf("%s %q: step %q has no samples", st.Kind(), st.Name, t.step.Name)
		}
		fi := int32(slices.Index(ns.fns, t.step.Task))
		if fi < 0 {
			fi = int32(len(ns.fns))
			ns.fns = append(ns.fns, t.step.Task)
		}
		ct := m.curveTime(t.step.Task, m.profiledCores(sd, t.step.Task))
		idx := make(map[key]int32, smp.Len())
		for k := range smp.Len() {
			outer := ""
			if smp.Outer != nil {
				outer = smp.Outer[k]
			}
			r := smp.Run[k]
			place, err := placeOf(t.maps, smp.Item[k], outer, items[r])
			if err != nil {
				return nil, fmt.Errorf("step %q, invocation %d (run %d): %w", t.step.Name, k, r, err)
			}
			idx[key{r, place}] = int32(len(ns.fn))
			ns.fn = append(ns.fn, fi)
			ns.gap = append(ns.gap, smp.Gap[k])
			ns.init = append(ns.init, smp.Init[k])
			ns.down = append(ns.down, smp.Download[k])
			ns.scale = append(ns.scale, smp.Compute[k]/ct)
			ns.up = append(ns.up, smp.Upload[k])
		}
		index[t.step.Name] = idx
	}
	add := func(n nestNode) int32 {
		ns.nodes = append(ns.nodes, n)
		return int32(len(ns.nodes) - 1)
	}
	var build func(st *dag.Step, r, d int, in instance) (int32, error)
	buildSeq := func(seq []dag.Step, r, d int, in instance) (int32, error) {
		kids := make([]int32, len(seq))
		for i := range seq {
			var err error
			if kids[i], err = build(&seq[i], r, d, in); err != nil {
				return 0, err
			}
		}
		return add(nestNode{kind: nodeSeq, kids: kids}), nil
	}
	build = func(st *dag.Step, r, d int, in instance) (int32, error) {
		switch {
		case st.Task != "":
			k, ok := index[st.Name][key{r, in}]
			if !ok {
				return 0, fmt.Errorf("step %q has no invocation in run %d (item %d, outer items %q)", st.Name, r, in.item, in.outer)
			}
			return add(nestNode{kind: nodeTask, task: k}), nil
		case st.Parallel != nil:
			n := nestNode{kind: nodePar}
			for _, br := range st.Parallel {
				k, err := buildSeq(br, r, d, in)
				if err != nil {
					return 0, err
				}
				n.kids = append(n.kids, k)
			}
			return add(n), nil
		case st.Map != nil:
			n := nestNode{kind: nodeMap, conc: int32(m.concOf(st.Map.MaxConcurrency))}
			for _, j := range sortedItems(items[r][in.itemsKey(st.Name, d)]) {
				k, err := buildSeq(st.Map.Iterator, r, d+1, in.child(d, j))
				if err != nil {
					return 0, err
				}
				n.kids = append(n.kids, k)
			}
			return add(n), nil
		}
		return add(nestNode{kind: nodePass}), nil
	}
	ns.root = make([]int32, s.Runs)
	for r := range s.Runs {
		var err error
		if ns.root[r], err = build(st, r, 0, instance{}); err != nil {
			return nil, err
		}
	}
	return ns, nil
}

// nestEval evaluates nodes of a nested stage's trees under per-function VM sizes.
type nestEval struct {
	m     *Model
	ns    *nestedSamples
	mem   []int     // per function of the stage
	ratio []float64 // per function: fitted compute time at its size
	// fn holds what node and fused read of each function, looked up once (not per invocation).
	fn []nestFn
}

// nestFn is a function's memory need, storage request prices and in-memory passing times.
type nestFn struct {
	need              int
	get, put, in, out float64
}

func (m *Model) newNestEval(ns *nestedSamples, mem []int) nestEval {
	e := nestEval{m: m, ns: ns, mem: mem, ratio: make([]float64, len(mem)), fn: make([]nestFn, len(ns.fns))}
	for t, fn := range ns.fns {
		e.ratio[t] = m.curveTime(fn, m.opts.Platform.Cores(mem[t]))
		e.fn[t] = nestFn{need: m.needOf(fn), get: m.getUSD(fn), put: m.putUSD(fn), in: m.localTime(fn, true), out: m.localTime(fn, false)}
	}
	return e
}

// node returns node n's latency (from the end of the step before it to its last invocation's
// end) and its cost: every invocation in a VM of its own, billed for its busy time, with its
// storage requests, and one state transition per task, pass, parallel and map.
func (e *nestEval) node(n int32) (lat, cost float64) {
	plat := e.m.opts.Platform
	nd := &e.ns.nodes[n]
	switch nd.kind {
	case nodeTask:
		k, ns := nd.task, e.ns
		f := ns.fn[k]
		busy := ns.init[k] + ns.down[k] + ns.scale[k]*e.ratio[f] + ns.up[k]
		fd := &e.fn[f]
		lat, billed := e.m.acquisition(ns.init[k], busy)
		return ns.gap[k] + lat, vmCost(plat, e.mem[f], fd.need, billed) + storageCost(fd.get, fd.put, ns.down[k], ns.up[k]) + plat.TransitionUSD
	case nodePass:
		return 0, plat.TransitionUSD
	case nodeSeq:
		for _, k := range nd.kids {
			l, c := e.node(k)
			lat += l
			cost += c
		}
		return lat, cost
	}
	if nd.kind == nodeMap && nd.conc > 0 && len(nd.kids) > int(nd.conc) {
		// At most conc items at once: they run in waves, in item order (maps.go). The profiling
		// runs lifted the limit (unlimitedMaps), so each item's latency holds no queue.
		lats := make([]float64, len(nd.kids))
		for i, k := range nd.kids {
			l, c := e.node(k)
			lats[i] = l
			cost += c
		}
		return waves(lats, int(nd.conc)), cost + plat.TransitionUSD
	}
	for _, k := range nd.kids {
		l, c := e.node(k)
		lat = math.Max(lat, l)
		cost += c
	}
	return lat, cost + plat.TransitionUSD
}

// fused returns the latency and cost of steps [k, j) of sequence node seq, all tasks, fused into
// one VM of the largest of their sizes (as the simulator sizes a group's VM), as evalTasks does
// at top level: the first step's gap, each step's init and compute, the first's download, the
// last's upload and the data passing in memory between them; one VM billed for all of it and one
// state transition.
func (e *nestEval) fused(seq int32, k, j int) (lat, cost float64) {
	ns, plat := e.ns, e.m.opts.Platform
	kids := ns.nodes[seq].kids
	first, last := ns.nodes[kids[k]].task, ns.nodes[kids[j-1]].task
	mem, need := 0, 0
	for s := k; s < j; s++ {
		f := ns.fn[ns.nodes[kids[s]].task]
		mem = max(mem, e.mem[f])
		need = max(need, e.fn[f].need)
	}
	busy, init := ns.down[first]+ns.up[last], 0.0
	for s := k; s < j; s++ {
		t := ns.nodes[kids[s]].task
		f := ns.fn[t]
		ratio := e.ratio[f]
		if e.mem[f] != mem {
			ratio = e.m.curveTime(ns.fns[f], plat.Cores(mem))
		}
		in := 0.0 // the VM loads a function once (firstLoads)
		if len(e.m.reused) == 0 || !slices.ContainsFunc(kids[k:s], func(x int32) bool { return ns.fn[ns.nodes[x].task] == f }) {
			in = ns.init[t]
		}
		busy += in + ns.scale[t]*ratio
		init += in
		if s > k {
			busy += e.fn[f].in
		}
		if s < j-1 {
			busy += e.fn[f].out
		}
	}
	lat, billed := e.m.acquisition(init, busy)
	return ns.gap[first] + lat, vmCost(plat, mem, need, billed) + storageCost(e.fn[ns.fn[first]].get, e.fn[ns.fn[last]].put, ns.down[first], ns.up[last]) + plat.TransitionUSD
}

// branchSeq returns the latency and cost of sequence node seq, branch b of a top-level Parallel,
// with groups' runs of tasks in that branch fused (fused) and every other step as node does.
func (e *nestEval) branchSeq(seq int32, b int, groups []nestGroup) (lat, cost float64) {
	kids := e.ns.nodes[seq].kids
	for k := 0; k < len(kids); {
		j := k + 1
		var l, c float64
		if g := groupAt(groups, b, k); g != nil {
			j = g.j
			l, c = e.fused(seq, k, j)
		} else {
			l, c = e.node(kids[k])
		}
		lat += l
		cost += c
		k = j
	}
	return lat, cost
}

func groupAt(groups []nestGroup, b, k int) *nestGroup {
	for g := range groups {
		if groups[g].b == b && groups[g].k == k {
			return &groups[g]
		}
	}
	return nil
}

// nestGroup is a fusion group inside a top-level Parallel: steps [k, j) of branch b, all tasks.
type nestGroup struct{ b, k, j int }

// nestConfig is how a nested stage runs: function t of the stage at mem[t] MB, every invocation
// in a VM of its own but the runs of consecutive tasks that groups fuse in the branches of a
// top-level Parallel; no bundles inside.
type nestConfig struct {
	mem    []int
	groups []nestGroup
}

// evalNested evaluates nested stage si under cfg. Samples come from the profiled size nearest the
// stage's largest VM, so that all branches and items of a run come from one profiled run; each
// function's compute is scaled by its fitted curve to its own size. Per run: the stage's gap,
// then its tree (sums in sequences, maxima over branches and items).
func (m *Model) evalNested(sc *scratch, si int, cfg nestConfig) stageEval {
	src := &m.sizes[m.nearest(slices.Max(cfg.mem))]
	stg := &src.stages[si]
	e := m.newNestEval(stg.nested, cfg.mem)
	vals := sc.vals[:0]
	cost := 0.0
	for r := range src.runs {
		var l, c float64
		if cfg.groups == nil {
			l, c = e.node(stg.nested.root[r])
		} else {
			// A top-level Parallel with fused runs in its branches: the branches' maximum, as node.
			for b, br := range stg.nested.nodes[stg.nested.root[r]].kids {
				bl, bc := e.branchSeq(br, b, cfg.groups)
				l = math.Max(l, bl)
				c += bc
			}
			c += m.opts.Platform.TransitionUSD
		}
		vals = append(vals, stg.gap[r]+l)
		cost += c
	}
	return stageEval{lat: m.runsLatency(sc, vals, src, si, si+1), cost: cost / float64(src.runs)}
}

// nestedSegment is the segment of nested stage i under plan: no fusion or bundle inside it.
func (m *Model) nestedSegment(plan *dag.Plan, i int) (segment, error) {
	st := &m.w.Steps[i]
	var bad error
	var walk func(s *dag.Step)
	var groups []nestGroup
	walk = func(s *dag.Step) {
		if bad != nil {
			return
		}
		if s.Parallel != nil && s == st && plan.FusionGroup(s.Name) < 0 && !m.polling && !m.replaying {
			// Runs of tasks fused inside a top-level Parallel's branch are modelled (fused).
			for b, br := range s.Parallel {
				for k := 0; k < len(br); k++ {
					g := plan.FusionGroup(br[k].Name)
					if g < 0 {
						walk(&br[k])
						continue
					}
					j := k + len(plan.Fuse[g])
					if plan.Fuse[g][0] != br[k].Name || j > len(br) {
						bad = fmt.Errorf("wisefuse: fusion group %v does not start at step %q of a branch of parallel %q", plan.Fuse[g], br[k].Name, s.Name)
						return
					}
					for _, x := range br[k:j] {
						if x.Task == "" {
							bad = fmt.Errorf("wisefuse: step %q of fusion group %v is not a task; the modeler fuses only runs of tasks inside a parallel's branch", x.Name, plan.Fuse[g])
							return
						}
					}
					groups = append(groups, nestGroup{b: b, k: k, j: j})
					k = j - 1
				}
			}
			return
		}
		if plan.FusionGroup(s.Name) >= 0 {
			bad = fmt.Errorf("wisefuse: step %q is fused; inside a parallel stage or nested map the modeler fuses only runs of tasks in a branch of a top-level parallel", s.Name)
		}
		if s.Map != nil && plan.BundleOf(s.Name) > 1 {
			bad = fmt.Errorf("wisefuse: map %q is bundled; the modeler runs parallel stages and nested maps unbundled", s.Name)
		}
		for _, br := range s.Parallel {
			for k := range br {
				walk(&br[k])
			}
		}
		if s.Map != nil {
			for k := range s.Map.Iterator {
				walk(&s.Map.Iterator[k])
			}
		}
	}
	walk(st)
	if bad != nil {
		return segment{}, bad
	}
	fns := m.sizes[0].stages[i].nested.fns
	cfg := &nestConfig{mem: make([]int, len(fns)), groups: groups}
	for t, fn := range fns {
		cfg.mem[t] = plan.MemoryOf(fn)
	}
	return segment{start: i, end: i + 1, mem: slices.Max(cfg.mem), nest: cfg}, nil
}
