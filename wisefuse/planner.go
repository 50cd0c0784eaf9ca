// The transformer's entry points: PlannerOptions, Planner, NewPlanner, Plan. The search is in
// search.go, what it chooses among in choices.go.

package wisefuse

import (
	"fmt"
	"slices"
	"sync"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// PlannerOptions tune the transformer. The zero value means the defaults.
type PlannerOptions struct {
	Model ModelOptions
	// Memories is the VM-size grid to search; empty means the platform's sizes when it offers
	// only some (Model.Platform.MemoryChoices), else every multiple of MemoryStepMB from
	// dag.MinMemoryMB to dag.MaxMemoryMB.
	Memories     []int
	MemoryStepMB int // default 64, the grid the paper searches
	// MaxBundle caps a Map's bundle size; 0 means DefaultMaxBundle. Larger bundles hit the
	// 6-vCPU cap (the ORION artifact measured B = 10 slower than B = 5 on AWS) and cost search time.
	MaxBundle int
	// NoBundlesAboveMax leaves out, for a Map not fused with its neighbours, the bundles above
	// MaxBundle that split its items evenly into fewer VMs (bigbundles.go), which the search
	// weighs by default.
	NoBundlesAboveMax bool
	// Margin makes the search aim at (1 - Margin) * SLO, absorbing the model's error and the
	// sampling error of a percentile over a few hundred runs; 0 means DefaultMargin, a negative
	// value none.
	Margin float64
	// PointPercentile judges a plan against an SLO on its predicted percentile itself instead
	// of that percentile's upper confidence bound from the profile's run count (judgedPct).
	PointPercentile bool
	// NoFusion and NoBundling switch a decision off (for ablations).
	NoFusion, NoBundling bool
	// Tolerance is the relative pruning tolerance: a partial plan is dropped when another costs
	// at most (1+Tolerance) times as much and has no latency atom more than (1+Tolerance) times
	// its own. 0 means the default, 0.01; Exact sets it to zero, which makes the search exact
	// under the model (every VM size trades cost for latency, so exact Pareto sets are long and
	// the search slow on the full 64 MB grid).
	Tolerance float64
	Exact     bool
	// Extrapolate lets LogPlan choose sizes outside the logs' profiled range, where its fitted
	// curves extrapolate; by default it keeps within the range. The transformer ignores it.
	Extrapolate bool
	// Workers is how many goroutines evaluate the segment options (Prepare, Search); 0 means
	// runtime.GOMAXPROCS(0), 1 evaluates them one by one on the caller's goroutine. The options,
	// and so the plans and predictions, do not depend on it. A caller that already plans several
	// workflows at once on its own workers sets 1, so as not to oversubscribe the machine.
	Workers int
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

// grid returns the VM sizes the search tries on plat: Memories when set, else the platform's
// sizes when it offers only some (platform.Platform.MemoryChoices: on a fixed-size platform one,
// so the search skips sizing), else the MemoryStepMB grid.
// maxBundle is MaxBundle, or DefaultMaxBundle when it is not set.
func (o PlannerOptions) maxBundle() int {
	if o.MaxBundle <= 0 {
		return DefaultMaxBundle
	}
	return o.MaxBundle
}

func (o PlannerOptions) grid(plat *platform.Platform) []int {
	if len(o.Memories) > 0 {
		g := slices.Clone(o.Memories)
		slices.Sort(g)
		return slices.Compact(g)
	}
	if choices := plat.MemoryChoices(); len(choices) > 0 {
		return choices
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
	// timeout is the platform's function timeout, which the model judges less the margin.
	timeout float64
	top     int // the largest VM: dag.MaxMemoryMB, or the platform's largest size (topMB)
	// reused are the functions that run in more than one task step, sorted: a plan gives each
	// one size, so the search pins it (search.go).
	reused []string

	once sync.Once
	// listed holds every option per segment [i][j] (Prepare): those that replay bundles bounded
	// from below, replayed when a search needs them (replay, on pool's workers, under evalMu);
	// the others evaluated. least bounds what any plan pays and takes before and after a segment.
	listed [][][]*lazyOption
	pool   *evalPool
	replay func([]*lazyOption)
	least  leastBounds
	evalMu sync.Mutex
	// eagerSteps makes the search sort every partial plan's atoms (dpPass.step), as the lazy
	// step (stepLazy) must give the same plans: a test's reference.
	eagerSteps bool
	// maxGroup, when positive, is the most top-level steps a fusion group holds (groupCap).
	maxGroup int
}

// NewPlanner builds a planner from a workflow's profile.
func NewPlanner(p *Profile, opts PlannerOptions) (*Planner, error) {
	// The platform's function timeout gets the SLO's safety margin: a plan the search keeps
	// has no VM predicted busy past (1 - Margin) x FunctionTimeout after its init, or counts
	// that run as failed (Model.acquisition). The model's error on a VM's busy time is its error
	// on a latency, and the cheapest plans run their VMs right up to the timeout: without it,
	// random workflows' plans timed out in most simulated runs (TestTimeoutRandomWorkflows).
	mo := opts.Model.withDefaults()
	timeout := mo.Platform.FunctionTimeout
	mo.Platform = withTimeoutMargin(mo.Platform, opts.margin())
	m, err := NewModel(p, mo)
	if err != nil {
		return nil, err
	}
	// A plan sizes functions, the search sizes steps: a function that runs in several steps
	// (reused) gets one size in the plan, which the search enforces (search.go, pinned).
	return &Planner{model: m, opts: opts, top: topMB(m.opts.Platform), reused: m.reused, timeout: timeout}, nil
}

// Model returns the planner's modeler.
func (pl *Planner) Model() *Model { return pl.model }

// Prepare lists every segment option, bounds from below those that replay bundles and evaluates
// the others: the one-time work behind all searches of this planner. Search calls it on first
// use and replays the bounded options its objective needs (each once per planner). Calling it up
// front separates that cost from a search's.
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
	if err := pl.CheckStructure(w); err != nil {
		return nil, err
	}
	r, err := pl.Search(obj)
	if err != nil {
		return nil, err
	}
	return r.Plan, nil
}

// CheckStructure reports whether w has the profiled structure, as Plan checks it: for a caller
// that then calls Search for the plan and its prediction.
func (pl *Planner) CheckStructure(w *dag.Workflow) error {
	return sameStructure(pl.model.w, tasklessAsPasses(w)) // as the model reads it
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

// topMB is the largest VM plat gives: its largest size when it offers only some, else
// dag.MaxMemoryMB.
func topMB(plat *platform.Platform) int {
	if choices := plat.MemoryChoices(); len(choices) > 0 {
		return choices[len(choices)-1]
	}
	return dag.MaxMemoryMB
}
