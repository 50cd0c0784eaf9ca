package policy

import (
	"reflect"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// AdaptiveFactor is how many times more runs per size WiseFuse profiles, once, when the sampling
// bound on a plan's percentile decides its plan (WiseFusePlanner.Search): at most
// AdaptiveFactor x MaxProfileRuns = 1,200 runs per size, and AdaptiveFactor x ProfileBudget
// function invocations per size for wide workflows (AdaptiveRuns).
const AdaptiveFactor = 4

// WiseFusePlanner is WiseFuse's planner as New builds it: the transformer on the workflow's
// profile, with adaptive profiling when that profile is made in the simulator at the default run
// count (Env.Profile nil, Env.Profiling.Runs 0). A plan under an SLO must meet it at the upper
// confidence bound of its percentile from the profile's n runs (wisefuse.PlannerOptions.
// PointPercentile), and with few runs of a heavy tail that bound can rule out a cheap plan that
// meets the SLO: orders' Charge branch, 300 runs, at 1.5 x its fastest P95 (docs/wisefuse.md).
// So Search also plans on the percentile alone; when the two plans differ, the bound decided,
// and the workflow is profiled again with AdaptiveRuns (same seed, once; every
// later search uses it) and planned with the bound at that n. An explicit run count or a ready
// profile is planned from as it is. Model and Prepare are those of the first profile.
type WiseFusePlanner struct {
	*wisefuse.Planner
	// more returns the planner on the larger profile, profiling on its first call only
	// (sync.OnceValues); nil: not adaptive.
	more func() (*wisefuse.Planner, error)
}

// Plan implements dag.Planner with Search's plan.
func (p *WiseFusePlanner) Plan(w *dag.Workflow, obj dag.Objective) (*dag.Plan, error) {
	if err := p.CheckStructure(w); err != nil {
		return nil, err
	}
	r, err := p.Search(obj)
	if err != nil {
		return nil, err
	}
	return r.Plan, nil
}

// Search is wisefuse.Planner.Search with adaptive profiling (see WiseFusePlanner).
func (p *WiseFusePlanner) Search(obj dag.Objective) (*wisefuse.Result, error) {
	r, err := p.Planner.Search(obj)
	if p.more == nil || obj.SLO <= 0 {
		return r, err
	}
	pt, perr := p.Planner.SearchPoint(obj)
	if perr != nil || err == nil && reflect.DeepEqual(r.Plan, pt.Plan) {
		return r, err // the bound changed nothing
	}
	larger, err := p.more()
	if err != nil {
		return nil, err
	}
	return larger.Search(obj)
}
