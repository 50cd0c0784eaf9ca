package traces

import (
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/sim"
)

func init() { defaultSimulate = simulateWithSim }

// simulateWithSim is the default SimulateFunc: the project's simulator, independent warm runs
// (Azure keeps popular orchestrations' workers warm; cold starts would add the same init time to
// every DAG and blur the data and skew effects the characterization looks for).
func simulateWithSim(w *dag.Workflow, p *dag.Plan, runs int, seed uint64, keep bool) (*sim.Result, error) {
	return sim.Run(w, p, runs, sim.Options{Seed: seed, KeepInvocations: keep})
}
