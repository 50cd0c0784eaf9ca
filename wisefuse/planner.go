package wisefuse

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/wisefuse/wisefuse/dag"
)

// PlannerOptions tune the transformer. The zero value means the defaults.
type PlannerOptions struct {
	Model ModelOptions
	// Memories is the VM-size grid to search; empty means every multiple of MemoryStepMB from
	// dag.MinMemoryMB to dag.MaxMemoryMB.
	Memories     []int
	MemoryStepMB int // default 64, the grid the paper searches
	// MaxBundle caps a Map's bundle size; 0 means DefaultMaxBundle. Larger bundles hit the
	// 6-vCPU cap (the ORION artifact measured B = 10 slower than B = 5 on AWS) and cost search time.
	MaxBundle int
	// Margin makes the search aim at (1 - Margin) * SLO, absorbing the model's error and the
	// sampling error of a percentile over a few hundred runs; 0 means DefaultMargin, a negative
	// value none.
	Margin float64
	// NoFusion and NoBundling switch a decision off (for ablations).
	NoFusion, NoBundling bool
	// Tolerance is the relative pruning tolerance: a partial plan is dropped when another costs
	// at most (1+Tolerance) times as much and has no latency atom more than (1+Tolerance) times
	// its own. 0 means the default, 0.01; Exact sets it to zero, which makes the search exact
	// under the model (every VM size trades cost for latency, so exact Pareto sets are long and
	// the search slow on the full 64 MB grid).
	Tolerance float64
	Exact     bool
}

// Defaults of PlannerOptions.
const (
	DefaultMaxBundle = 10
	DefaultMargin    = 0.05
)

func (o PlannerOptions) margin() float64 {
	switch {
	case o.Margin < 0:
		return 0
	case o.Margin > 0:
		return o.Margin
	}
	return DefaultMargin
}

func (o PlannerOptions) tolerance() float64 {
	switch {
	case o.Exact:
		return 0
	case o.Tolerance > 0:
		return o.Tolerance
	}
	return 0.01
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

	once    sync.Once
	options [][][]*option // per segment [i][j], evaluated once and Pareto-pruned
}

// NewPlanner builds a planner from a workflow's profile.
func NewPlanner(p *Profile, opts PlannerOptions) (*Planner, error) {
	m, err := NewModel(p, opts.Model)
	if err != nil {
		return nil, err
	}
	// A plan sizes functions, the search sizes steps: they agree only if no function runs in
	// two steps.
	used := map[string]string{}
	var dup error
	m.w.Walk(func(_ []string, s *dag.Step) {
		if s.Task == "" || dup != nil {
			return
		}
		if other, ok := used[s.Task]; ok {
			dup = fmt.Errorf("wisefuse: function %q runs in steps %q and %q; the transformer needs one step per function", s.Task, other, s.Name)
		}
		used[s.Task] = s.Name
	})
	if dup != nil {
		return nil, dup
	}
	return &Planner{model: m, opts: opts}, nil
}

// Model returns the planner's modeler.
func (pl *Planner) Model() *Model { return pl.model }

// Prepare evaluates every segment option once (the one-time work behind all searches of this
// planner); Search calls it on first use. Calling it up front separates that cost from a search's.
func (pl *Planner) Prepare() { pl.once.Do(pl.evaluateOptions) }

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
	p    float64 // lat's percentile of the search's objective
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
	if obj.SLO > 0 {
		obj.SLO *= 1 - pl.opts.margin()
	}
	opts := pl.segmentOptions(obj)
	b := pl.bounds(opts)
	if b.cost[0] == math.Inf(1) {
		return nil, pl.infeasible(obj)
	}
	tol := pl.opts.tolerance()
	// A quick pass with a coarse tolerance finds a good plan; its cost (under an SLO) or its
	// percentile (under a budget) then bounds the main pass, which drops every partial plan that
	// cannot complete into a plan at least as good (with the suffix bounds, exactly). The bound
	// only removes partial plans that cannot win, so the main pass stays exact with Exact.
	var best *cand
	explored := 0
	if tol < coarseTolerance {
		best, explored = pl.dp(opts, obj, pct, coarseTolerance, b, nil)
	}
	main, n := pl.dp(opts, obj, pct, tol, b, best)
	explored += n
	if main != nil && (best == nil || better(main, best, obj, pct)) {
		best = main
	}
	if best == nil {
		return nil, pl.infeasible(obj)
	}
	plan := pl.planOf(best)
	return &Result{Plan: plan, Prediction: &Prediction{Latency: best.lat, MeanCost: best.cost}, Explored: explored}, nil
}

// maxStates caps the partial plans kept after a step when the search has a tolerance (never with
// Exact): the cap keeps that many spread evenly along the cost axis, the cheapest and the dearest
// included. A long chain of steps otherwise keeps about one partial plan per 1% of its latency
// range after every step, and the search time grows with that count times the options.
const maxStates = 16

// spread returns k of the cost-sorted cs, evenly spaced by rank, first and last included.
func spread(cs []*cand, k int) []*cand {
	out := make([]*cand, 0, k)
	for i := range k {
		out = append(out, cs[i*(len(cs)-1)/(k-1)])
	}
	return out
}

// bundleSpacingMB thins the sizes of bundled options when the search has a tolerance.
const bundleSpacingMB = 256

// maxOptions caps, with a tolerance, the options of one segment a search considers (after
// dropping those that miss the objective on their own): that many spread evenly by cost, the
// cheapest and the fastest included. On the 64 MB grid a step keeps about 40 options that differ
// by about 1% of its own latency, far less than 1% of a long workflow's.
const maxOptions = 16

func spreadOptions(os []*option, k int) []*option {
	out := make([]*option, 0, k)
	for i := range k {
		out = append(out, os[i*(len(os)-1)/(k-1)])
	}
	return out
}

// coarseTolerance is the pruning tolerance of Search's first pass, which only seeds the bound.
const coarseTolerance = 0.1

// suffixBounds are lower bounds on what the steps from j to the end add to any partial plan:
// cost[j] the least mean cost, lat[j] the least latency (the sum of each segment's smallest atom;
// adding an independent latency Y >= y shifts every atom, hence every percentile, by at least y).
//
// dist[j], only with a tolerance, is an estimate of the fastest the steps from j on can be: the
// atom-wise least of every way through them (each segment's options' atom-wise minimum, summed).
// The model adds left to right and its sum is not exactly associative, so pruning with it is not
// exact; the search uses it only with a tolerance, and only with that tolerance's slack.
type suffixBounds struct {
	cost, lat []float64
	dist      []Latency
}

func (pl *Planner) bounds(opts [][][]*option) suffixBounds {
	n := len(pl.model.w.Steps)
	b := suffixBounds{cost: make([]float64, n+1), lat: make([]float64, n+1)}
	for i := n - 1; i >= 0; i-- {
		b.cost[i], b.lat[i] = math.Inf(1), math.Inf(1)
		for j := i + 1; j <= n; j++ {
			for _, o := range opts[i][j] {
				b.cost[i] = math.Min(b.cost[i], o.eval.cost+b.cost[j])
				b.lat[i] = math.Min(b.lat[i], o.eval.lat[0]+b.lat[j])
			}
		}
	}
	if pl.opts.tolerance() == 0 {
		return b
	}
	q := pl.model.opts.Atoms
	b.dist = make([]Latency, n+1)
	b.dist[n] = make(Latency, q)
	for i := n - 1; i >= 0; i-- {
		for j := i + 1; j <= n; j++ {
			if len(opts[i][j]) == 0 || b.dist[j] == nil {
				continue
			}
			low := slices.Clone(opts[i][j][0].eval.lat)
			for _, o := range opts[i][j][1:] {
				for k, v := range o.eval.lat {
					low[k] = math.Min(low[k], v)
				}
			}
			sum := addIndependent(nil, low, b.dist[j])
			if b.dist[i] == nil {
				b.dist[i] = sum
				continue
			}
			for k, v := range sum {
				b.dist[i][k] = math.Min(b.dist[i][k], v)
			}
		}
	}
	return b
}

// dp is one pass of the dynamic program with pruning tolerance tol. With a bound (a complete
// plan), partial plans that cannot end better than it are dropped; it returns the best complete
// plan it found that is at least as good as the bound (nil if none) and the partial plans it made.
func (pl *Planner) dp(opts [][][]*option, obj dag.Objective, pct, tol float64, b suffixBounds, bound *cand) (*cand, int) {
	n := len(pl.model.w.Steps)
	costCap, latCap := math.Inf(1), math.Inf(1)
	if obj.Budget > 0 {
		costCap = obj.Budget
	}
	if obj.SLO > 0 {
		latCap = obj.SLO
	}
	if bound != nil {
		if obj.SLO > 0 {
			costCap = math.Min(costCap, bound.cost)
		} else {
			latCap = math.Min(latCap, bound.lat.Percentile(pct))
		}
	}
	// The bound is compared with sums computed in another order; a relative slack of 1e-9 keeps
	// the bound's own partial plans (and exact ties) alive.
	costCap *= 1 + 1e-9
	latCap *= 1 + 1e-9
	states := make([][]*cand, n+1)
	states[0] = []*cand{{}}
	explored := 0
	var sc struct{ sum Latency }
	var buf []*cand
	// Atoms of this step's partial plans, in blocks of q.
	q := pl.model.opts.Atoms
	var arena Latency
	for j := 1; j <= n; j++ {
		buf = buf[:0]
		for i := range j {
			for _, o := range opts[i][j] {
				for _, c := range states[i] {
					cost := c.cost + o.eval.cost
					if cost+b.cost[j] > costCap {
						// States are sorted by cost: the rest cost more.
						break
					}
					// Adding o shifts c's percentile by at least o's smallest atom.
					if c.p+o.eval.lat[0]+b.lat[j] > latCap {
						continue
					}
					nc := &cand{cost: cost, opt: o, prev: c}
					if c.lat == nil {
						nc.lat = o.eval.lat
					} else {
						if cap(arena)-len(arena) < q {
							// The earlier partial plans of this step keep the old block.
							arena = make(Latency, 0, max(2*cap(arena), 16*q))
						}
						nc.lat = addIndependent(arena[len(arena):len(arena)+q], c.lat, o.eval.lat)
						arena = arena[:len(arena)+q]
					}
					explored++
					nc.p = nc.lat.Percentile(pct)
					if nc.p+b.lat[j] > latCap {
						continue
					}
					if b.dist != nil && j < n && !math.IsInf(latCap, 1) {
						var est float64
						est, sc.sum = percentileOfSum(sc.sum, nc.lat, b.dist[j], pct)
						if est > latCap*(1+tol) {
							continue
						}
					}
					if j == n {
						// A complete plan: the best so far bounds the rest of this step.
						if obj.SLO > 0 {
							costCap = math.Min(costCap, cost*(1+1e-9))
						} else {
							latCap = math.Min(latCap, nc.p*(1+1e-9))
						}
					}
					buf = append(buf, nc)
				}
			}
		}
		states[j] = paretoCands(buf, tol)
		if tol > 0 && len(states[j]) > maxStates {
			states[j] = spread(states[j], maxStates)
		}
		// The kept partial plans get their own copies; the arena's block is reused by the next
		// step (most partial plans a step makes are dropped, and allocating each one's atoms was
		// most of the search's garbage).
		for _, c := range states[j] {
			if c.prev != nil && c.prev.lat != nil {
				c.lat = slices.Clone(c.lat)
			}
		}
		arena = arena[:0]
	}
	var best *cand
	for _, c := range states[n] {
		if best == nil || better(c, best, obj, pct) {
			best = c
		}
	}
	return best, explored
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
		return fmt.Errorf("wisefuse: no plan meets the %gth-percentile SLO of %.3gs (after the %g%% safety margin); the fastest plan's predicted P%g is %.3gs", obj.Pct(), obj.SLO, 100*pl.opts.margin(), obj.Pct(), fastest.Prediction.Percentile(obj.Pct()))
	}
	return fmt.Errorf("wisefuse: no plan costs at most the budget of $%g per run", obj.Budget)
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

// segmentOptions returns the options of every segment [i, j) that can meet obj. Every option is
// evaluated once per planner and Pareto-pruned (pruning before filtering is safe: a dominator is
// no slower and no dearer, so it passes any filter its victim passes); the segment that ends the
// workflow includes the end gap.
func (pl *Planner) segmentOptions(obj dag.Objective) [][][]*option {
	pl.Prepare()
	pct := obj.Pct()
	n := len(pl.model.w.Steps)
	out := make([][][]*option, n+1)
	for i := range n {
		out[i] = make([][]*option, n+1)
		for j, os := range pl.options[i] {
			for _, o := range os {
				if obj.SLO > 0 && o.eval.lat.Percentile(pct) > obj.SLO {
					continue
				}
				if obj.Budget > 0 && o.eval.cost > obj.Budget {
					continue
				}
				out[i][j] = append(out[i][j], o)
			}
			if pl.opts.tolerance() > 0 && len(out[i][j]) > maxOptions {
				out[i][j] = spreadOptions(out[i][j], maxOptions)
			}
		}
	}
	return out
}

func (pl *Planner) evaluateOptions() {
	m := pl.model
	n := len(m.w.Steps)
	grid := pl.opts.grid()
	pl.options = make([][][]*option, n+1)
	var sc scratch
	for i := range n {
		pl.options[i] = make([][]*option, n+1)
		byEnd := make([][]*option, n+1)
		for _, sg := range pl.segmentChoices(i, grid) {
			e := m.evalSegment(&sc, sg)
			if sg.end == n {
				e.lat = addIndependent(nil, e.lat, m.endGap(sg.mem))
			}
			byEnd[sg.end] = append(byEnd[sg.end], &option{seg: sg, eval: e})
		}
		for j, os := range byEnd {
			if len(os) > 0 {
				pl.options[i][j] = paretoOptions(os, pl.opts.tolerance())
			}
		}
	}
}

// segmentChoices lists every way to run a segment that starts at top-level step i: a Pass as
// is, a Map in each of its configurations, a task alone or fused with the tasks that follow it,
// at every grid size that fits.
func (pl *Planner) segmentChoices(i int, grid []int) []segment {
	m := pl.model
	n := len(m.w.Steps)
	st := &m.w.Steps[i]
	switch {
	case st.Pass:
		return []segment{{start: i, end: i + 1, pass: true}}
	case st.Map != nil:
		return append(pl.mapSegments(i, grid), pl.fusedMapSegments(i, grid)...)
	}
	segs := pl.fusedMapSegments(i, grid)
	need := 0
	for j := i + 1; j <= n; j++ {
		if m.w.Steps[j-1].Task == "" || (j > i+1 && pl.opts.NoFusion) {
			break
		}
		need = max(need, m.w.Function(m.w.Steps[j-1].Task).MinMemoryMB)
		for _, mem := range grid {
			if mem >= need {
				segs = append(segs, segment{start: i, end: j, mem: mem})
			}
		}
	}
	return segs
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
		mb := pl.opts.MaxBundle
		if mb <= 0 {
			mb = DefaultMaxBundle
		}
		maxB = min(maxB, mb)
	}
	fusions := [][]int{seqGroups(len(fns))}
	if len(fns) > 1 && !pl.opts.NoFusion {
		fusions = append(fusions, make([]int, len(fns))) // all in group 0
	}
	// More vCPUs than the items' threads can use change nothing but the price, so sizes past
	// that point are skipped (the first one is kept).
	threads := 0.0
	for _, fn := range fns {
		threads = max(threads, m.curves[fn].Threads)
	}
	var segs []segment
	for b := 1; b <= maxB; b++ {
		for _, grp := range fusions {
			saturated := false
			lastKept := 0
			for _, mem := range grid {
				// A bundle's VM is b items of a grid size each (capped at the largest VM), the
				// way bundles are sized on AWS (the ORION artifact: min(1472*B, 10240) MB).
				if b > 1 {
					if mem%b != 0 && mem != dag.MaxMemoryMB {
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
					if lastKept > 0 && mem-lastKept < bundleSpacingMB && !saturated && mem != dag.MaxMemoryMB {
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
	maxB := pl.opts.MaxBundle
	if maxB <= 0 {
		maxB = DefaultMaxBundle
	}
	var segs []segment
	need, threads := 0, 0.0
	mapAt := -1
	for j := i; j < len(m.w.Steps); j++ {
		st := &m.w.Steps[j]
		switch {
		case st.Task != "":
			need = max(need, m.w.Function(st.Task).MinMemoryMB)
			threads = max(threads, m.curves[st.Task].Threads)
		case st.Map != nil && mapAt < 0:
			items, ok := st.Map.FixedItems()
			if !ok || items > maxB || !m.itemsAlwaysFixed(j) {
				return segs
			}
			per, itemThreads := 0, 0.0
			for _, fn := range iteratorTasks(st) {
				per = max(per, m.w.Function(fn).MinMemoryMB)
				itemThreads = max(itemThreads, m.curves[fn].Threads)
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
			if pl.opts.tolerance() > 0 && lastKept > 0 && mem-lastKept < bundleSpacingMB && !saturated && mem != dag.MaxMemoryMB {
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
	p := &dag.Plan{Memory: map[string]int{}, DefaultMemoryMB: dag.MaxMemoryMB}
	var segs []segment
	for ; c != nil && c.opt != nil; c = c.prev {
		segs = append(segs, c.opt.seg)
	}
	slices.Reverse(segs)
	for _, sg := range segs {
		switch {
		case sg.pass:
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
