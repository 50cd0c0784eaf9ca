package baselines

import "github.com/wisefuse/wisefuse/dag"

// UserMax is what a user who wants speed and does not tune does: every function at the largest
// Lambda size (10,240 MB, 6 vCPU), no fusion, no bundling, all data through remote storage. It is
// the WiseFuse paper's cost reference ("63% lower cost than User-Max" for video analytics).
//
// Modelled: exactly that plan. Simplified: nothing; it ignores the objective.
type UserMax struct{}

// Plan implements dag.Planner.
func (UserMax) Plan(w *dag.Workflow, _ dag.Objective) (*dag.Plan, error) {
	return checked("user-max", w, dag.UniformPlan(dag.MaxMemoryMB))
}

// UserMin is what a user who wants the lowest bill does: every function at the smallest memory it
// can run with (its MinMemoryMB, at least the platform's 128 MB), no fusion, no bundling, remote
// storage. It is the WiseFuse paper's latency reference ("61% lower P95 than User-Min").
//
// Modelled: exactly that plan. Simplified: Lambda sizes memory in 1 MB steps, so no rounding
// beyond the 128 MB floor is applied; it ignores the objective.
type UserMin struct{}

// Plan implements dag.Planner.
func (UserMin) Plan(w *dag.Workflow, _ dag.Objective) (*dag.Plan, error) {
	p := &dag.Plan{DefaultMemoryMB: dag.MinMemoryMB, Memory: map[string]int{}}
	for _, fn := range usedFunctions(w) {
		p.Memory[fn] = max(dag.MinMemoryMB, w.Function(fn).MinMemoryMB)
	}
	return checked("user-min", w, p)
}
