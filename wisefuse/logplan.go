// Planning from real logs: memory sizes per stage chosen on a LogModel.

package wisefuse

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
)

// logPlanKeep is how many partial plans the log planner keeps after each stage, spread evenly by
// cost from the cheapest to the fastest. The logs' apps have 2-3 stages, so this rarely binds.
const logPlanKeep = 64

// LogPlanResult is a plan found on a LogModel and its prediction.
type LogPlanResult struct {
	Plan       *dag.Plan
	Prediction LogPrediction
	MeanCost   float64
}

// LogPlan returns the cheapest plan of w (one memory size per function, nothing fused or
// bundled: what real logs can predict) whose predicted obj percentile is within obj.SLO less
// opts' margin (and whose mean cost is within obj.Budget when given); with a budget alone, the
// plan with the lowest percentile within it. w's functions must be the logs' stages
// (LogStageItems), which count each Map's items for the cost. Sizes come from opts' grid (64 MB
// steps by default), at least each function's MinMemoryMB, and, unless opts.Extrapolate, within
// the profiled range, where the curves were fitted and the spread was measured; the default grid
// then also holds the profiled sizes themselves (1,000 MB is not a multiple of 64). When no plan
// meets obj, the error is an *InfeasibleError.
//
// A dynamic program over the stages keeps the partial plans no other beats on cost and latency
// atoms (1% tolerance, at most logPlanKeep), as the transformer does: stages add as independent
// and costs add, so a dominated partial plan cannot complete into a better plan.
func (m *LogModel) LogPlan(w *dag.Workflow, obj dag.Objective, opts PlannerOptions) (*LogPlanResult, error) {
	if obj.SLO <= 0 && obj.Budget <= 0 {
		return nil, fmt.Errorf("wisefuse: objective needs an SLO or a budget")
	}
	items, err := LogStageItems(w, m.Stages)
	if err != nil {
		return nil, err
	}
	sizes, err := m.logSizes(w, opts)
	if err != nil {
		return nil, err
	}
	target := dag.Objective{SLO: obj.SLO * (1 - opts.margin()), Budget: obj.Budget, Percentile: obj.Percentile}
	timeout := m.plat.FunctionTimeout
	if plat := withTimeoutMargin(m.plat, opts.margin()); plat != m.plat {
		// The function timeout less the same margin, as NewPlanner judges it.
		mm := *m
		mm.plat = plat
		m = &mm
	}
	best := m.logSearch(items, sizes, target)
	timedOut := func(e *InfeasibleError) *InfeasibleError {
		e.TimedOut, e.Timeout = "a stage's slowest invocation", timeout
		return e
	}
	if best != nil && obj.SLO <= 0 && math.IsInf(best.Prediction.Latency.Percentile(obj.Pct()), 1) {
		// The fastest plan within the budget fails its runs at the function timeout (searchJudged).
		return nil, timedOut(&InfeasibleError{Objective: obj, Margin: opts.margin(), Binds: BudgetLimit, Best: math.Inf(1), JudgedPct: obj.Pct()})
	}
	if best == nil {
		e := &InfeasibleError{Objective: obj, Margin: opts.margin(), Binds: BudgetLimit, Best: math.Inf(1)}
		if obj.SLO > 0 {
			e.Binds = SLOLimit
			fastest := m.logSearch(items, sizes, dag.Objective{Budget: math.MaxFloat64, Percentile: obj.Percentile})
			e.Best = fastest.Prediction.Latency.Percentile(obj.Pct())
			if math.IsInf(e.Best, 1) {
				return nil, timedOut(e)
			}
			if obj.Budget > 0 && e.Best <= target.SLO {
				e.Binds = BudgetLimit
				e.Best = m.logSearch(items, sizes, dag.Objective{SLO: target.SLO, Percentile: obj.Percentile}).MeanCost
			}
		} else {
			e.Best = m.logSearch(items, sizes, dag.Objective{SLO: math.Inf(1), Percentile: obj.Percentile}).MeanCost
		}
		return nil, e
	}
	return best, nil
}

// logCand is a partial plan: sizes of the first stages, their cost and summed latency.
type logCand struct {
	sizes []int
	cost  float64
	lat   Latency
}

// logSizes returns, per stage of m, the sizes LogPlan may give it (see LogPlan); an error names a
// function no size is left for.
func (m *LogModel) logSizes(w *dag.Workflow, opts PlannerOptions) ([][]int, error) {
	grid := opts.grid(m.plat)
	lo, hi := m.Sizes[0], m.Sizes[len(m.Sizes)-1]
	if !opts.Extrapolate && len(opts.Memories) == 0 && len(m.plat.MemoryChoices()) == 0 {
		grid = append(slices.Clone(grid), m.Sizes...)
		slices.Sort(grid)
		grid = slices.Compact(grid)
	}
	out := make([][]int, len(m.Stages))
	for s, name := range m.Stages {
		minMB := dag.MinMemoryMB
		if f := w.Function(name); f != nil {
			minMB = max(minMB, f.MinMemoryMB)
		}
		for _, mb := range grid {
			if mb >= minMB && (opts.Extrapolate || mb >= lo && mb <= hi) {
				out[s] = append(out[s], mb)
			}
		}
		if len(out[s]) == 0 {
			if opts.Extrapolate {
				return nil, fmt.Errorf("wisefuse: function %q needs at least %d MB: no size of the grid has that much", name, minMB)
			}
			return nil, fmt.Errorf("wisefuse: function %q: no size of the grid is at least %d MB (its min_memory_mb) and within the profiled sizes %d-%d MB; profile larger sizes, or allow extrapolation (plan --extrapolate)", name, minMB, lo, hi)
		}
	}
	return out, nil
}

// logSearch is LogPlan's search for obj with the margin already taken off, stage s at one of
// sizes[s]; nil when no plan meets it.
func (m *LogModel) logSearch(items []float64, sizes [][]int, obj dag.Objective) *LogPlanResult {
	pct := obj.Pct()
	over := m.stageAtoms(len(m.Stages), m.Sizes[0]) // the orchestration overhead: no size
	cands := []logCand{{lat: over}}
	for s := range m.Stages {
		var next []logCand
		for _, mb := range sizes[s] {
			atoms := m.stageAtoms(s, mb)
			c := items[s] * vmCost(m.plat, mb, mb, m.billedMean(atoms))
			for _, pc := range cands {
				nc := logCand{sizes: append(slices.Clone(pc.sizes), mb), cost: pc.cost + c, lat: addIndependent(nil, pc.lat, atoms)}
				if obj.SLO > 0 && nc.lat.Percentile(pct) > obj.SLO || obj.Budget > 0 && nc.cost > obj.Budget {
					continue // later stages only add time and cost
				}
				next = append(next, nc)
			}
		}
		cands = logPareto(next)
		if len(cands) == 0 {
			return nil
		}
	}
	best := cands[0] // the cheapest (logPareto sorts by cost)
	if obj.SLO <= 0 {
		for _, c := range cands[1:] {
			if c.lat.Percentile(pct) < best.lat.Percentile(pct) {
				best = c
			}
		}
	}
	p := &dag.Plan{Memory: map[string]int{}}
	for s, name := range m.Stages {
		p.Memory[name] = best.sizes[s]
	}
	pr := m.Predict(p.MemoryOf)
	return &LogPlanResult{Plan: p, Prediction: pr, MeanCost: m.Cost(pr, p.MemoryOf, items)}
}

// logPareto keeps the candidates no cheaper one beats atom by atom within 1%, sorted by cost,
// at most logPlanKeep of them spread evenly with the cheapest and the fastest.
func logPareto(cs []logCand) []logCand {
	slices.SortStableFunc(cs, func(a, b logCand) int { return cmp.Compare(a.cost, b.cost) })
	var kept []logCand
	for _, c := range cs {
		dominated := false
		for _, k := range kept {
			if k.lat.Dominates(c.lat, 0.01) {
				dominated = true
				break
			}
		}
		if !dominated {
			kept = append(kept, c)
		}
	}
	if len(kept) <= logPlanKeep {
		return kept
	}
	return spread(kept, logPlanKeep)
}
