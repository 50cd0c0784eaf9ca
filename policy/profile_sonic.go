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
		timedOut, rejected := 0, 0
		_, err := sim.Run(w, p, runs, sim.Options{Platform: plat, Seed: seed, OnRun: func(d records.DAGRun, invs []records.Invocation) error {
			for _, inv := range invs {
				sum[inv.Function] += inv.Compute
				n[inv.Function]++
			}
			if d.TimedOut {
				timedOut++
			} else if d.Rejected {
				rejected++
			}
			return nil
		}})
		if err != nil {
			return nil, err
		}
		if timedOut+rejected > 0 {
			// A failed run stops where it failed: a function after that point may have no
			// invocation at all, and Sonic then knows nothing of it.
			var missing string
			dag.WalkTasks(w.Steps, func(fn string) {
				if _, ok := sum[fn]; !ok && missing == "" {
					missing = fn
				}
			})
			if missing != "" {
				return nil, fmt.Errorf("no profiling run reached function %q: %d of %d runs failed before it (%d stopped at the platform's function timeout, function_timeout_s; %d rejected at its concurrency limit)",
					missing, timedOut+rejected, runs, timedOut, rejected)
			}
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
