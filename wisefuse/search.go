// The search: a dynamic program over the top-level steps with suffix bounds, a coarse pass that
// seeds the main pass's bound, and the error when no plan meets the objective.

package wisefuse

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/wisefuse/wisefuse/dag"
)

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
//
// When no plan meets obj under the model, the error is an *InfeasibleError.
func (pl *Planner) Search(obj dag.Objective) (*Result, error) {
	return pl.searchJudged(obj, pl.opts.PointPercentile)
}

// SearchPoint is Search judging a plan under an SLO on its predicted percentile alone, as
// PlannerOptions.PointPercentile does: a caller compares its plan with Search's to learn whether
// the sampling bound (judgedPct) is what decides (policy's adaptive profiling).
func (pl *Planner) SearchPoint(obj dag.Objective) (*Result, error) {
	return pl.searchJudged(obj, true)
}

// searchJudged is Search, on the percentile itself when point is set.
func (pl *Planner) searchJudged(obj dag.Objective, point bool) (*Result, error) {
	if obj.SLO <= 0 && obj.Budget <= 0 {
		return nil, fmt.Errorf("wisefuse: objective needs an SLO or a budget")
	}
	pct := obj.Pct()
	if pct <= 0 || pct > 100 {
		return nil, fmt.Errorf("wisefuse: percentile %v, want 0 < p <= 100", pct)
	}
	asked := obj
	var sb sampleBound
	if obj.SLO > 0 {
		if jp := pl.judgedPct(pct); jp > pct && !point {
			sb = sampleBound{pct: jp, slo: obj.SLO}
		}
		obj.SLO *= 1 - pl.opts.margin()
	}
	if r := pl.search(obj, sb); r != nil {
		if obj.SLO > 0 || !math.IsInf(r.Prediction.Percentile(pct), 1) {
			return r, nil
		}
		// Under a budget alone, the fastest plan within it may still fail its runs at the
		// function timeout: that meets no objective.
		e := &InfeasibleError{Objective: asked, Margin: pl.opts.margin(), Binds: BudgetLimit, Best: math.Inf(1), JudgedPct: pct}
		pl.timedOutIn(e, r.Plan)
		return nil, e
	}
	return nil, pl.infeasible(asked, obj, sb)
}

// timedOutIn names in e the VM of plan that runs past the function timeout in the most runs
// (InfeasibleError.TimedOut): the segment whose predicted latency has the most +Inf atoms.
func (pl *Planner) timedOutIn(e *InfeasibleError, plan *dag.Plan) {
	m := pl.model
	segs, err := m.segmentsOf(plan)
	if err != nil {
		return
	}
	var sc scratch
	most := 0.0
	for _, sg := range segs {
		f := m.evalSegment(&sc, sg).lat.TimedOut()
		if f <= most {
			continue
		}
		most = f
		var names []string
		for k := sg.start; k < sg.end; k++ {
			names = append(names, fmt.Sprintf("%q", m.w.Steps[k].Name))
		}
		switch {
		case len(names) > 1:
			e.TimedOut = fmt.Sprintf("the VM of fused steps %s (%d MB)", strings.Join(names, ", "), sg.mem)
		case sg.cfg != nil && sg.cfg.bundle > 1:
			e.TimedOut = fmt.Sprintf("a VM of map %s's bundles of %d items (%d MB)", names[0], sg.cfg.bundle, sg.mem)
		case sg.cfg != nil || sg.nest != nil:
			e.TimedOut = fmt.Sprintf("a VM of step %s (up to %d MB)", names[0], sg.mem)
		default:
			e.TimedOut = fmt.Sprintf("the VM of step %s (%d MB)", names[0], sg.mem)
		}
	}
	if most > 0 {
		e.Timeout = pl.timeout
	}
}

// sampleBound is a second condition on a plan under an SLO: its predicted pct-th percentile (the
// upper confidence bound of the objective's percentile from the profile's runs, judgedPct) is
// at most slo, the SLO as asked. The margin stays on the objective's percentile itself (the
// model's error and the sampling error together, as before); the bound makes sure that the
// sampling error alone, at its one-sided 95% bound, does not take the plan past the SLO. The
// zero value is no condition.
type sampleBound struct{ pct, slo float64 }

// misses reports whether latency l plus extra seconds (a lower bound on what later steps add)
// breaks the bound.
func (sb sampleBound) misses(l Latency, extra float64) bool {
	return sb.pct > 0 && l.Percentile(sb.pct)+extra > sb.slo*(1+1e-9)
}

// sloConfidenceZ is the standard normal quantile of the one-sided 95% confidence bound on a
// profiled percentile (judgedPct).
const sloConfidenceZ = 1.645

// judgedPct is the percentile at which the search judges plans against an SLO on the pct-th: the
// upper 95% confidence bound of the pct-th percentile of a distribution sampled by the profile's
// runs (the fewest of any profiled size, counting the runs the function timeout stopped: the
// model adds them back as failed, Model.withTimedOut), p + z sqrt(p(1-p)/n) (the order statistic's rank under
// the binomial's normal approximation, as the acceptance test judges simulated runs). The
// model's latency distributions are resampled from those n runs, so their tail is one draw: on
// chatbot the 2,048 MB profile of 300 runs predicts a fused plan's P95 8.2% low against 16,000
// simulated runs, and eight other profiling seeds give -5.5% to +3.2%. With 300 runs the P95 is
// judged at the 97.07th percentile. PlannerOptions.PointPercentile judges the percentile itself.
func (pl *Planner) judgedPct(pct float64) float64 {
	if pl.opts.PointPercentile || pct >= 100 {
		return pct
	}
	n := 0
	for _, sd := range pl.model.sizes {
		if k := sd.profiledRuns(); n == 0 || k < n {
			n = k
		}
	}
	if n == 0 {
		return pct
	}
	p := pct / 100
	return min(100, 100*(p+sloConfidenceZ*math.Sqrt(p*(1-p)/float64(n))))
}

// search is Search for an objective whose SLO already has the margin taken off; nil when no plan
// meets it.
//
// It first judges each option with the fastest steps around it (around), which spares the replays
// of options no plan can hold. What the Pareto pruning keeps depends on which options it sweeps,
// though: a kept option drops those within the tolerance of it, so an option that no plan holds,
// once gone, may no longer drop one that now drops every option of the plans that meet obj
// (random workflow u150 at its tightest SLO: TestSearchAgainOnItsOwn). So when that search finds
// no plan under an SLO, it is made again with each option judged on its own, as before around
// was added; the replays of the first are kept.
func (pl *Planner) search(obj dag.Objective, sb sampleBound) *Result {
	if r := pl.searchPinned(obj, sb, nil, true); r != nil || obj.SLO <= 0 {
		return r
	}
	return pl.searchPinned(obj, sb, nil, false)
}

// searchPinned is search's dynamic program over the options that run each function of pins at its
// pinned size.
//
// A function that runs in several task steps (Planner.reused) gets one size in a plan, as
// dag.Plan sizes functions (and a Lambda function has one memory size), while the program sizes
// each segment on its own. When the plan it finds runs a reused function at several sizes, two
// kinds of plan that run it at one size are weighed, each by the model's prediction of the plan
// itself, and the best that meets obj is kept: the plan as found with every function at the
// largest of its sizes (planOf; a step then runs on a VM at least as large as the search chose),
// and the plans the search finds with the function pinned at each of those sizes (recursively,
// for the next reused function in conflict), or when none meets obj, at every size some option
// runs it at. This is not exact (a size no segment chose is never
// pinned, and the Pareto pruning may have dropped a pinned size's options), but every plan it
// returns runs each function at one size and carries that plan's prediction. Without reused
// functions nothing changes.
func (pl *Planner) searchPinned(obj dag.Objective, sb sampleBound, pins map[string]int, reach bool) *Result {
	pct := obj.Pct()
	// A plan found quickly among the options evaluated without replays bounds which options
	// are worth replaying (segmentOptions) and seeds the passes' bound.
	best := pl.incumbent(obj, sb, pins, reach)
	opts := pl.segmentOptions(obj, sb, pins, best, reach)
	explored := 0
	if b := pl.bounds(opts); b.cost[0] < math.Inf(1) {
		// A quick pass with a coarse tolerance finds a good plan; its cost (under an SLO) or
		// its percentile (under a budget) then bounds the main pass, which drops every partial
		// plan that cannot complete into a plan at least as good (with the suffix bounds,
		// exactly). The bound only removes partial plans that cannot win, so the main pass
		// stays exact with Exact.
		tol := pl.opts.tolerance()
		tols := []float64{tol}
		if tol < coarseTolerance {
			tols = []float64{coarseTolerance, tol}
		}
		for _, t := range tols {
			c, n := pl.dp(opts, obj, sb, pct, t, b, best)
			explored += n
			if c != nil && (best == nil || better(c, best, obj, pct)) {
				best = c
			}
		}
	}
	if best == nil {
		return nil
	}
	plan := pl.planOf(best)
	fn, sizes := pl.conflict(best)
	if fn == "" {
		return &Result{Plan: plan, Prediction: &Prediction{Latency: best.lat, MeanCost: best.cost}, Explored: explored}
	}
	var out *Result
	keep := func(r *Result) {
		if r == nil {
			return
		}
		r.Explored = explored
		p := r.Prediction.Percentile(pct)
		if obj.SLO > 0 && p > obj.SLO*(1+1e-9) || obj.Budget > 0 && r.Prediction.MeanCost > obj.Budget*(1+1e-9) || sb.misses(r.Prediction.Latency, 0) {
			return
		}
		if out == nil || better(&cand{cost: r.Prediction.MeanCost, lat: r.Prediction.Latency}, &cand{cost: out.Prediction.MeanCost, lat: out.Prediction.Latency}, obj, pct) {
			out = r
		}
	}
	if pred, err := pl.model.Predict(plan); err == nil {
		keep(&Result{Plan: plan, Prediction: pred})
	}
	pin := func(mem int) {
		p := maps.Clone(pins)
		if p == nil {
			p = map[string]int{}
		}
		p[fn] = mem
		r := pl.searchPinned(obj, sb, p, reach)
		if r != nil {
			explored += r.Explored
		}
		keep(r)
	}
	for _, mem := range sizes {
		pin(mem)
	}
	if out == nil {
		// None of them meets obj: pin every other size some option that may meet it runs fn
		// at (every option, not only those under the incumbent's cost: the incumbent may run
		// fn at several sizes, and a plan that runs it at one may cost more).
		var more []int
		for i := range pl.listed {
			for _, os := range pl.listed[i] {
				for _, o := range os {
					if !pl.admits(o, obj, sb, pct, pins, reach) {
						continue
					}
					if mem, ok := pl.reusedSizes(&o.option)[fn]; ok && !slices.Contains(sizes, mem) && !slices.Contains(more, mem) {
						more = append(more, mem)
					}
				}
			}
		}
		slices.Sort(more)
		for _, mem := range more {
			pin(mem)
		}
	}
	return out
}

// conflict returns the first reused function (Planner.reused) that complete plan c runs at more
// than one size, with those sizes in increasing order; "" when there is none.
func (pl *Planner) conflict(c *cand) (string, []int) {
	if len(pl.reused) == 0 {
		return "", nil
	}
	seen := map[string][]int{}
	for ; c != nil && c.opt != nil; c = c.prev {
		for fn, mem := range pl.reusedSizes(c.opt) {
			if !slices.Contains(seen[fn], mem) {
				seen[fn] = append(seen[fn], mem)
			}
		}
	}
	for _, fn := range pl.reused {
		if len(seen[fn]) > 1 {
			slices.Sort(seen[fn])
			return fn, seen[fn]
		}
	}
	return "", nil
}

// reusedSizes returns the size at which option o runs each reused function it runs (the size
// the plan gives it: planOf of o alone; an option runs a function at one size).
func (pl *Planner) reusedSizes(o *option) map[string]int {
	mem := pl.planOf(&cand{opt: o}).Memory
	out := map[string]int{}
	for _, fn := range pl.reused {
		if m, ok := mem[fn]; ok {
			out[fn] = m
		}
	}
	return out
}

// maxStates caps the partial plans kept after a step when the search has a tolerance (never with
// Exact): the cap keeps that many spread evenly along the cost axis, the cheapest and the dearest
// included. A long chain of steps otherwise keeps about one partial plan per 1% of its latency
// range after every step, and the search time grows with that count times the options.
const maxStates = 16

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
func (pl *Planner) dp(opts [][][]*option, obj dag.Objective, sb sampleBound, pct, tol float64, b suffixBounds, bound *cand) (*cand, int) {
	n := len(pl.model.w.Steps)
	p := dpPass{opts: opts, obj: obj, sb: sb, pct: pct, tol: tol, b: b, q: pl.model.opts.Atoms,
		costCap: math.Inf(1), latCap: math.Inf(1)}
	if obj.Budget > 0 {
		p.costCap = obj.Budget
	}
	if obj.SLO > 0 {
		p.latCap = obj.SLO
	}
	if bound != nil {
		if obj.SLO > 0 {
			p.costCap = math.Min(p.costCap, bound.cost)
		} else {
			p.latCap = math.Min(p.latCap, bound.lat.Percentile(pct))
		}
	}
	// The bound is compared with sums computed in another order; a relative slack of 1e-9 keeps
	// the bound's own partial plans (and exact ties) alive.
	p.costCap *= 1 + 1e-9
	p.latCap *= 1 + 1e-9
	states := make([][]*cand, n+1)
	states[0] = []*cand{{}}
	for j := 1; j <= n; j++ {
		ok := false
		if j < n && !pl.eagerSteps {
			// The last step lowers the caps as it finds complete plans, in the order it makes
			// them: only the eager step does that.
			states[j], ok = p.stepLazy(states, j, n)
		}
		if !ok {
			states[j] = p.step(states, j, n)
		}
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
		p.arena = p.arena[:0]
	}
	var best *cand
	for _, c := range states[n] {
		if best == nil || better(c, best, obj, pct) {
			best = c
		}
	}
	return best, p.explored
}

// dpPass is the state of one pass of the dynamic program (dp) and its scratch.
type dpPass struct {
	opts            [][][]*option
	obj             dag.Objective
	sb              sampleBound
	pct, tol        float64
	b               suffixBounds
	q               int
	costCap, latCap float64
	explored        int
	// arena holds the atoms of this step's partial plans, in blocks of q.
	arena Latency
	// Scratch: the completion estimate's sum, a partial plan's unsorted sums and their bound,
	// and the lazy step's pairs.
	sum, sums, low Latency
	pairs          []pending
}

// pending is a partial plan the lazy step has not made yet: state c extended by option o, and
// its atoms once sorted (only where its cost ties another's).
type pending struct {
	cost float64
	c    *cand
	o    *option
	lat  Latency
}

// atoms returns a block of q atoms at the arena's end (not yet taken: take keeps it).
func (p *dpPass) atoms() Latency {
	if cap(p.arena)-len(p.arena) < p.q {
		// The earlier partial plans of this step keep the old block.
		p.arena = make(Latency, 0, max(2*cap(p.arena), 16*p.q))
	}
	return p.arena[len(p.arena) : len(p.arena)+p.q]
}

func (p *dpPass) take() { p.arena = p.arena[:len(p.arena)+p.q] }

// reaches reports whether extending c by o can stay within the caps: its cost with the cheapest
// completion, and c's percentile shifted by o's smallest atom with the fastest completion.
// stop is set when the cost is over its cap (the rest of the cost-sorted states cost more).
func (p *dpPass) reaches(c *cand, o *option, j int) (cost float64, ok, stop bool) {
	cost = c.cost + o.eval.cost
	if cost+p.b.cost[j] > p.costCap {
		return cost, false, true
	}
	// Adding o shifts c's percentile by at least o's smallest atom.
	return cost, c.p+o.eval.lat[0]+p.b.lat[j] <= p.latCap, false
}

// fits reports whether a partial plan for steps [0, j) with atoms lat and percentile pc can still
// complete within the objective: the fastest completion (suffixBounds.lat) within the caps and
// the sample bound, and with a tolerance the completion estimate within it.
func (p *dpPass) fits(lat Latency, pc float64, j, n int) bool {
	if pc+p.b.lat[j] > p.latCap || p.sb.misses(lat, p.b.lat[j]) {
		return false
	}
	if p.b.dist != nil && j < n && !math.IsInf(p.latCap, 1) {
		var est float64
		est, p.sum = percentileOfSum(p.sum, lat, p.b.dist[j], p.pct)
		if est > p.latCap*(1+p.tol) {
			return false
		}
	}
	return true
}

// step makes every partial plan for steps [0, j) that extends a kept one within the caps and
// keeps those no other beats (paretoCands).
func (p *dpPass) step(states [][]*cand, j, n int) []*cand {
	var buf []*cand
	for i := range j {
		for _, o := range p.opts[i][j] {
			for _, c := range states[i] {
				cost, ok, stop := p.reaches(c, o, j)
				if stop {
					break
				}
				if !ok {
					continue
				}
				nc := &cand{cost: cost, opt: o, prev: c}
				if c.lat == nil {
					nc.lat = o.eval.lat
				} else {
					nc.lat = addIndependent(p.atoms(), c.lat, o.eval.lat)
					p.take()
				}
				p.explored++
				nc.p = nc.lat.Percentile(p.pct)
				if !p.fits(nc.lat, nc.p, j, n) {
					continue
				}
				if j == n {
					// A complete plan: the best so far bounds the rest of this step.
					if p.obj.SLO > 0 {
						p.costCap = math.Min(p.costCap, cost*(1+1e-9))
					} else {
						p.latCap = math.Min(p.latCap, nc.p*(1+1e-9))
					}
				}
				buf = append(buf, nc)
			}
		}
	}
	return paretoCands(buf, p.tol)
}

// stepLazy is step for a step before the last (whose caps stay put), making the partial plans
// in paretoCands' order (cost, then mean latency, then the order step makes them) and sorting
// the atoms only of those that a kept one does not dominate already at the lower bound of
// their sorted sums (pairSums): a plan dominated at its bound is dominated, and a dropped
// plan changes nothing for the others, so the same plans are kept, with the same atoms. Most
// partial plans are dominated (83% of BenchmarkPlanAzureLargest's), and the sort was most of
// the search's time. It reports false, having made nothing, when a cost or a tie's mean is NaN
// (which paretoCands' order does not sort): step then makes them.
func (p *dpPass) stepLazy(states [][]*cand, j, n int) ([]*cand, bool) {
	pairs := p.pairs[:0]
	for i := range j {
		for _, o := range p.opts[i][j] {
			for _, c := range states[i] {
				cost, ok, stop := p.reaches(c, o, j)
				if stop {
					break
				}
				if ok {
					if cost != cost {
						return nil, false
					}
					pairs = append(pairs, pending{cost: cost, c: c, o: o})
				}
			}
		}
	}
	p.pairs = pairs
	slices.SortStableFunc(pairs, func(x, y pending) int { return cmp.Compare(x.cost, y.cost) })
	// Plans of equal cost go by their mean latency, which needs their atoms.
	for s := 0; s < len(pairs); {
		e := s + 1
		for e < len(pairs) && pairs[e].cost == pairs[s].cost {
			e++
		}
		if e-s > 1 {
			means := make([]float64, e-s)
			for k := s; k < e; k++ {
				pr := &pairs[k]
				pr.lat = pr.o.eval.lat
				if pr.c.lat != nil {
					pr.lat = addIndependent(nil, pr.c.lat, pr.o.eval.lat)
				}
				if means[k-s] = pr.lat.Mean(); means[k-s] != means[k-s] {
					return nil, false
				}
			}
			idx := make([]int, e-s)
			for k := range idx {
				idx[k] = k
			}
			slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(means[x], means[y]) })
			run := slices.Clone(pairs[s:e])
			for k, x := range idx {
				pairs[s+k] = run[x]
			}
		}
		s = e
	}
	p.explored += len(pairs)
	var keep []*cand
	kept := func(k int) (float64, Latency) { return keep[k].cost, keep[k].lat }
	for _, pr := range pairs {
		lat := pr.lat
		switch {
		case lat != nil:
		case pr.c.lat == nil:
			lat = pr.o.eval.lat
		default:
			var ok bool
			if p.sums, p.low, ok = pairSums(p.sums, p.low, pr.c.lat, pr.o.eval.lat); ok && dominatedBy(pr.cost, p.low, len(keep), kept, p.tol) {
				continue
			}
			lat = p.atoms()
			copy(lat, p.sums)
			// Every sum is at least the least one and at most the largest atoms' sum.
			q := p.q - 1
			sortAtomsWithin(lat, p.low[0], pr.c.lat[q]+pr.o.eval.lat[q])
		}
		pc := lat.Percentile(p.pct)
		if dominatedBy(pr.cost, lat, len(keep), kept, p.tol) || !p.fits(lat, pc, j, n) {
			continue
		}
		if pr.lat == nil && pr.c.lat != nil {
			p.take()
		}
		keep = append(keep, &cand{cost: pr.cost, lat: lat, p: pc, opt: pr.o, prev: pr.c})
	}
	return keep, true
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

// infeasible explains why no plan meets obj (asked less the margin) and sb: an *InfeasibleError
// naming the constraint that binds and the best any plan achieves on it.
func (pl *Planner) infeasible(asked, obj dag.Objective, sb sampleBound) error {
	e := &InfeasibleError{Objective: asked, Margin: pl.opts.margin(), Binds: BudgetLimit, Best: math.Inf(1), JudgedPct: obj.Pct()}
	for k, floor := range pl.model.floorMB {
		if floor > pl.top {
			e.Fails, e.Timeout = fmt.Sprintf("step %q", pl.model.w.Steps[k].Name), pl.timeout
			return e
		}
	}
	if obj.SLO > 0 {
		fastest := pl.search(dag.Objective{Budget: math.MaxFloat64, Percentile: obj.Percentile}, sampleBound{})
		e.Binds = SLOLimit
		if fastest != nil {
			e.Best = fastest.Prediction.Percentile(obj.Pct())
			if math.IsInf(e.Best, 1) {
				pl.timedOutIn(e, fastest.Plan)
				return e
			}
			if e.Best <= obj.SLO && sb.pct > 0 {
				// Fast enough at the percentile, but not at its confidence bound: the plan
				// fastest at the bound says by how much.
				if f := pl.search(dag.Objective{Budget: math.MaxFloat64, Percentile: sb.pct}, sampleBound{}); f != nil {
					e.JudgedPct, e.Best = sb.pct, f.Prediction.Percentile(sb.pct)
					if math.IsInf(e.Best, 1) {
						pl.timedOutIn(e, f.Plan)
					}
				}
			}
		}
		if obj.Budget <= 0 || fastest == nil || e.Best > obj.SLO || e.JudgedPct > obj.Pct() && e.Best > sb.slo {
			return e
		}
		// Some plan is fast enough: the budget binds, unless the search misses the SLO even
		// without it.
		if cheapest := pl.search(dag.Objective{SLO: obj.SLO, Percentile: obj.Percentile}, sb); cheapest != nil {
			e.Binds, e.Best, e.JudgedPct = BudgetLimit, cheapest.Prediction.MeanCost, obj.Pct()
		}
		return e
	}
	if cheapest := pl.search(dag.Objective{SLO: math.Inf(1), Percentile: obj.Percentile}, sampleBound{}); cheapest != nil {
		e.Best = cheapest.Prediction.MeanCost
	}
	return e
}
