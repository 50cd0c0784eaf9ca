package wisefuse

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/wisefuse/wisefuse/dag"
)

// PlannerOptions tune the transformer. The zero value means the defaults.
type PlannerOptions struct {
	Model ModelOptions
	// Memories is the VM-size grid to search; empty means every multiple of MemoryStepMB from
	// dag.MinMemoryMB to dag.MaxMemoryMB.
	Memories     []int
	MemoryStepMB int // default 64, the grid the paper searches
	// MaxBundle caps a Map's bundle size (0: as many items as fit in the largest VM).
	MaxBundle int
	// NoFusion and NoBundling switch a decision off (for ablations).
	NoFusion, NoBundling bool
	// Tolerance is the relative pruning tolerance: a partial plan is dropped when another costs
	// no more and has no atom more than (1+Tolerance) times its own. 0, the default, makes the
	// search exact under the model; a small value (e.g. 0.01) bounds the Pareto sets of very
	// large DAGs at a latency error of at most that fraction per step.
	Tolerance float64
}

func (o PlannerOptions) grid() []int {
	if len(o.Memories) > 0 {
		g := slices.Clone(o.Memories)
		slices.Sort(g)
		return slices.Compact(g)
	}
	step := o.MemoryStepMB
	if step <= 0 {
		step = 64
	}
	var g []int
	for m := (dag.MinMemoryMB + step - 1) / step * step; m <= dag.MaxMemoryMB; m += step {
		g = append(g, m)
	}
	if g[len(g)-1] != dag.MaxMemoryMB {
		g = append(g, dag.MaxMemoryMB)
	}
	return g
}

// Planner is WiseFuse's transformer: it implements dag.Planner for the workflow its profile
// describes.
type Planner struct {
	model *Model
	opts  PlannerOptions
}

// NewPlanner builds a planner from a workflow's profile.
func NewPlanner(p *Profile, opts PlannerOptions) (*Planner, error) {
	m, err := NewModel(p, opts.Model)
	if err != nil {
		return nil, err
	}
	return &Planner{model: m, opts: opts}, nil
}

// Model returns the planner's modeler.
func (pl *Planner) Model() *Model { return pl.model }

// Result is a chosen plan with its prediction.
type Result struct {
	Plan       *dag.Plan
	Prediction *Prediction
	Explored   int // partial plans the search generated (a measure of its work)
}

// Plan returns the plan that meets obj: with obj.SLO, the cheapest whose predicted
// obj.Pct()-th percentile is at most the SLO; with only obj.Budget, the one with the lowest
// percentile whose mean cost is at most the budget. w must have the profiled structure.
func (pl *Planner) Plan(w *dag.Workflow, obj dag.Objective) (*dag.Plan, error) {
	if err := sameStructure(pl.model.w, w); err != nil {
		return nil, err
	}
	r, err := pl.Search(obj)
	if err != nil {
		return nil, err
	}
	return r.Plan, nil
}

// sameStructure checks that w's steps are the profiled ones.
func sameStructure(prof, w *dag.Workflow) error {
	var a, b []string
	prof.Walk(func(_ []string, s *dag.Step) { a = append(a, s.Name+"/"+s.Task) })
	w.Walk(func(_ []string, s *dag.Step) { b = append(b, s.Name+"/"+s.Task) })
	if !slices.Equal(a, b) {
		return fmt.Errorf("wisefuse: workflow %q does not have the structure of the profiled workflow %q", w.Name, prof.Name)
	}
	return nil
}

// option is one way to run a segment of top-level steps [start, end).
type option struct {
	seg  segment
	eval stageEval
}

// cand is a partial plan: the options chosen for steps [0, end), as a linked list.
type cand struct {
	cost float64
	lat  Latency
	opt  *option
	prev *cand
}

// Search runs the dynamic program and returns the chosen plan and its prediction.
//
// The program walks the top-level steps left to right. Its state after step j is the set of
// partial plans for steps [0, j) that no other partial plan beats on both mean cost and latency
// distribution (atom by atom). A partial plan for [0, j) extends one for [0, i) with an option for
// the segment [i, j): a lone step at one configuration, or tasks i..j-1 fused into one VM. Because
// the segment's latency is independent of what came before and adding it is monotone, a dominated
// partial plan can never complete into a better plan than its dominator, so dropping it is exact
// (with Tolerance 0); partial plans already over the SLO or the budget are dropped too, as later
// steps only add time and cost.
func (pl *Planner) Search(obj dag.Objective) (*Result, error) {
	if obj.SLO <= 0 && obj.Budget <= 0 {
		return nil, fmt.Errorf("wisefuse: objective needs an SLO or a budget")
	}
	pct := obj.Pct()
	if pct <= 0 || pct > 100 {
		return nil, fmt.Errorf("wisefuse: percentile %v, want 0 < p <= 100", pct)
	}
	m := pl.model
	n := len(m.w.Steps)
	opts := pl.segmentOptions(obj)
	states := make([][]*cand, n+1)
	states[0] = []*cand{{}}
	explored := 0
	var buf []*cand
	for j := 1; j <= n; j++ {
		buf = buf[:0]
		for i := range j {
			for _, o := range opts[i][j] {
				for _, c := range states[i] {
					nc := &cand{cost: c.cost + o.eval.cost, opt: o, prev: c}
					if c.lat == nil {
						nc.lat = o.eval.lat
					} else {
						nc.lat = addIndependent(nil, c.lat, o.eval.lat)
					}
					explored++
					if obj.SLO > 0 && nc.lat.Percentile(pct) > obj.SLO {
						continue
					}
					if obj.Budget > 0 && nc.cost > obj.Budget {
						continue
					}
					buf = append(buf, nc)
				}
			}
		}
		states[j] = paretoCands(buf, pl.opts.Tolerance)
	}
	var best *cand
	for _, c := range states[n] {
		if best == nil || better(c, best, obj, pct) {
			best = c
		}
	}
	if best == nil {
		return nil, pl.infeasible(obj)
	}
	plan := pl.planOf(best)
	return &Result{Plan: plan, Prediction: &Prediction{Latency: best.lat, MeanCost: best.cost}, Explored: explored}, nil
}

// better orders complete plans: by cost under an SLO, by percentile under a budget; ties by the
// other measure, then by the mean latency.
func better(a, b *cand, obj dag.Objective, pct float64) bool {
	pa, pb := a.lat.Percentile(pct), b.lat.Percentile(pct)
	if obj.SLO > 0 {
		if a.cost != b.cost {
			return a.cost < b.cost
		}
		return pa < pb
	}
	if pa != pb {
		return pa < pb
	}
	return a.cost < b.cost
}

// infeasible explains why no plan meets the objective.
func (pl *Planner) infeasible(obj dag.Objective) error {
	fastest, err := pl.Search(dag.Objective{Budget: math.MaxFloat64, Percentile: obj.Percentile})
	if obj.SLO > 0 {
		if err != nil {
			return fmt.Errorf("wisefuse: no plan meets the %gth-percentile SLO of %gs", obj.Pct(), obj.SLO)
		}
		return fmt.Errorf("wisefuse: no plan meets the %gth-percentile SLO of %gs; the fastest plan's predicted P%g is %.3gs", obj.Pct(), obj.SLO, obj.Pct(), fastest.Prediction.Percentile(obj.Pct()))
	}
	return fmt.Errorf("wisefuse: no plan costs at most the budget of $%g per run", obj.Budget)
}

// paretoCands keeps the partial plans no other beats: sorted by cost, a plan survives when no
// cheaper-or-equal survivor's atoms are all within (1+tol) of its own.
func paretoCands(cs []*cand, tol float64) []*cand {
	sort.SliceStable(cs, func(a, b int) bool {
		if cs[a].cost != cs[b].cost {
			return cs[a].cost < cs[b].cost
		}
		return cs[a].lat.Mean() < cs[b].lat.Mean()
	})
	var keep []*cand
	for _, c := range cs {
		dominated := false
		for _, k := range keep {
			if k.lat.Dominates(c.lat, tol) {
				dominated = true
				break
			}
		}
		if !dominated {
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
		dominated := false
		for _, k := range keep {
			if k.eval.lat.Dominates(o.eval.lat, tol) {
				dominated = true
				break
			}
		}
		if !dominated {
			keep = append(keep, o)
		}
	}
	return keep
}

// segmentOptions evaluates every option of every segment [i, j) and keeps each segment's
// Pareto-optimal ones. The segment that ends the workflow includes the end gap.
func (pl *Planner) segmentOptions(obj dag.Objective) [][][]*option {
	m := pl.model
	n := len(m.w.Steps)
	grid := pl.opts.grid()
	out := make([][][]*option, n+1)
	var sc scratch
	for i := range n {
		out[i] = make([][]*option, n+1)
	}
	pct := obj.Pct()
	keep := func(i, j int, segs []segment) {
		var os []*option
		for _, sg := range segs {
			e := m.evalSegment(&sc, sg)
			if j == n {
				e.lat = addIndependent(nil, e.lat, m.endGap(sg.mem))
			}
			if obj.SLO > 0 && e.lat.Percentile(pct) > obj.SLO {
				continue
			}
			if obj.Budget > 0 && e.cost > obj.Budget {
				continue
			}
			os = append(os, &option{seg: sg, eval: e})
		}
		out[i][j] = paretoOptions(os, pl.opts.Tolerance)
	}
	for i := range n {
		st := &m.w.Steps[i]
		switch {
		case st.Pass:
			keep(i, i+1, []segment{{start: i, end: i + 1, pass: true}})
		case st.Map != nil:
			keep(i, i+1, pl.mapSegments(i, grid))
		default:
			need := 0
			for j := i + 1; j <= n; j++ {
				if m.w.Steps[j-1].Task == "" {
					break
				}
				if j > i+1 && pl.opts.NoFusion {
					break
				}
				need = max(need, m.w.Function(m.w.Steps[j-1].Task).MinMemoryMB)
				var segs []segment
				for _, mem := range grid {
					if mem >= need {
						segs = append(segs, segment{start: i, end: j, mem: mem})
					}
				}
				keep(i, j, segs)
			}
		}
	}
	return out
}

// mapSegments lists a Map's configurations: one VM size for its iterator tasks, the iterator
// unfused or fused into one VM, and a bundle size whose items fit in the VM.
func (pl *Planner) mapSegments(i int, grid []int) []segment {
	m := pl.model
	st := &m.w.Steps[i]
	fns := iteratorTasks(st)
	need := 0
	for _, fn := range fns {
		need = max(need, m.w.Function(fn).MinMemoryMB)
	}
	items, _ := st.Map.FixedItems()
	maxB := 1
	if !pl.opts.NoBundling {
		maxB = max(1, min(items, dag.MaxMemoryMB/max(need, 1)))
		if pl.opts.MaxBundle > 0 {
			maxB = min(maxB, pl.opts.MaxBundle)
		}
	}
	fusions := [][]int{seqGroups(len(fns))}
	if len(fns) > 1 && !pl.opts.NoFusion {
		fusions = append(fusions, make([]int, len(fns))) // all in group 0
	}
	var segs []segment
	for b := 1; b <= maxB; b++ {
		for _, grp := range fusions {
			for _, mem := range grid {
				if mem < b*need {
					continue
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
	p := &dag.Plan{Memory: map[string]int{}, DefaultMemoryMB: dag.MaxMemoryMB}
	var segs []segment
	for ; c != nil && c.opt != nil; c = c.prev {
		segs = append(segs, c.opt.seg)
	}
	slices.Reverse(segs)
	for _, sg := range segs {
		switch {
		case sg.pass:
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
