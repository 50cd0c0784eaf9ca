package traces

import (
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/sim"
)

// simulateOn returns the default SimulateFunc: the project's simulator on platform (nil means
// sim.DefaultPlatform), independent warm runs. Azure keeps busy orchestrations' workers warm, and
// cold starts would add the same init time to every DAG and blur the data and skew effects the
// characterization looks for.
func simulateOn(platform *platform.Platform) SimulateFunc {
	return func(w *dag.Workflow, p *dag.Plan, runs int, seed uint64, keep bool) (*sim.Result, error) {
		return sim.Run(w, p, runs, sim.Options{Platform: platform, Seed: seed, KeepInvocations: keep})
	}
}
