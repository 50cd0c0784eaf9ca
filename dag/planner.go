package dag

// Objective is what a planner optimises for. With SLO set, the cheapest plan whose
// Percentile-th latency percentile is at most SLO; with Budget set (and no SLO), the plan with the
// lowest percentile latency whose mean cost per run is at most Budget. Planners that do not
// optimise (User-Max, User-Min) ignore it.
type Objective struct {
	SLO        float64 // seconds; 0 means no latency target
	Percentile float64 // e.g. 95; 0 means 95
	Budget     float64 // USD per DAG invocation; 0 means no budget
}

// Pct returns the objective's percentile, defaulting to 95.
func (o Objective) Pct() float64 {
	if o.Percentile == 0 {
		return 95
	}
	return o.Percentile
}

// Planner chooses a plan for a workflow. WiseFuse and every baseline implement it.
type Planner interface {
	Plan(w *Workflow, obj Objective) (*Plan, error)
}
