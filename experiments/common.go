package experiments

import (
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/sim"
)

// Runs per cell: the paper profiles with about 300 runs; quick mode keeps the code path and
// trades precision for time.
func runsFor(quick bool) int {
	if quick {
		return 60
	}
	return 300
}

// simulate runs w under p on platform (nil: the default) for n isolated warm runs and returns
// the summary.
func simulate(w *dag.Workflow, p *dag.Plan, platform *platform.Platform, n int, seed uint64) (sim.Summary, error) {
	res, err := sim.Run(w, p, n, sim.Options{Platform: platform, Seed: seed})
	if err != nil {
		return sim.Summary{}, err
	}
	return res.Summary, nil
}
