package policy

import (
	"fmt"
	"math"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
	"github.com/wisefuse/wisefuse/sim"
)

// sonicProfiler profiles as a platform's logs would: it simulates runs warm runs of the workflow
// under the given plan on plat and returns each function's mean compute seconds over its
// invocations. It is what Sonic learns before it plans (baselines.Sonic.Profile).
func sonicProfiler(plat *platform.Platform, runs int, seed uint64) func(w *dag.Workflow, p *dag.Plan) (map[string]float64, error) {
	return func(w *dag.Workflow, p *dag.Plan) (map[string]float64, error) {
		// The means build as records stream out of the simulator (in the order KeepInvocations
		// would keep them: runs are sequential), so no record is held.
		sum, n := map[string]float64{}, map[string]int{}
		_, err := sim.Run(w, p, runs, sim.Options{Platform: plat, Seed: seed, OnRun: func(_ records.DAGRun, invs []records.Invocation) error {
			for _, inv := range invs {
				sum[inv.Function] += inv.Compute
				n[inv.Function]++
			}
			return nil
		}})
		if err != nil {
			return nil, err
		}
		out := make(map[string]float64, len(sum))
		for fn, s := range sum {
			out[fn] = s / float64(n[fn])
			if math.IsNaN(out[fn]) {
				return nil, fmt.Errorf("function %q: mean compute time is NaN", fn)
			}
		}
		return out, nil
	}
}
