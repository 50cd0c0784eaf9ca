package policy

// How many runs WiseFuse profiles a workflow for, at each memory size, when the caller does not
// say (Env.Profiling.Runs = 0). The paper profiles 300 runs per size, on workflows of a few dozen
// function invocations. A Map tens of thousands of items wide (the widest Azure DAG has 35,385)
// would need tens of millions of samples, so each size gets a budget of simulated function
// invocations instead: 300 runs for workflows of up to 100 function invocations a run, fewer for
// wider ones, never fewer than 20 (a P95 still has one sample above it per 20 runs of every
// item). The trace-replay experiment measures the model's error at this budget.
const (
	ProfileBudget  = 30_000 // simulated function invocations per profiled size
	MinProfileRuns = 20
	MaxProfileRuns = 300
)

// ProfileRuns is the runs per size a workflow of nodes function invocations a run gets.
func ProfileRuns(nodes int) int {
	return min(MaxProfileRuns, max(MinProfileRuns, ProfileBudget/max(nodes, 1)))
}

// AdaptiveRuns is the runs per size of WiseFuse's second profiling (WiseFusePlanner) of a workflow
// of nodes function invocations a run: ProfileRuns at AdaptiveFactor times the budget and the
// most runs. A wide workflow at the floor of MinProfileRuns gets no more than AdaptiveFactor x
// ProfileBudget invocations a size either, so past 6,000 invocations a run there is no second
// profiling: four times the runs of a Map of 35,385 items had simulated 2.8 M invocations a size
// (94 times the budget; `plan` 82 s and 1.28 GB instead of 17 s).
func AdaptiveRuns(nodes int) int {
	return min(AdaptiveFactor*MaxProfileRuns, max(MinProfileRuns, AdaptiveFactor*ProfileBudget/max(nodes, 1)))
}
