package wisefuse

import (
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
	"github.com/wisefuse/wisefuse/sim"
)

// The tests of this package check the modeler against the simulator. Package policy wires the two
// together for users; it imports this package, so the tests here call the simulator directly.

func profileInSim(w *dag.Workflow, o ProfileOptions) (*Profile, error) {
	p, err := ProfileBy(w, o, simRunner)
	if err == nil {
		p.ProfiledConcurrencyLimit = ProfilingPlatform(nil).ConcurrencyLimit // as policy.ProfileInSim
	}
	return p, err
}

// simRunner is policy.SimRunner(platform.Default()): records stream from the simulator into the
// profile, run by run, on the profiling platform.
func simRunner(w *dag.Workflow, p *dag.Plan, runs int, seed uint64, sink RunSink) error {
	return simRunnerOn(ProfilingPlatform(nil))(w, p, runs, seed, sink)
}

// simRunnerOn runs on platform plat as it is (nil: the default): policy.SimRunner(plat) is
// simRunnerOn(ProfilingPlatform(plat)).
func simRunnerOn(plat *platform.Platform) Runner {
	return func(w *dag.Workflow, p *dag.Plan, runs int, seed uint64, sink RunSink) error {
		_, err := sim.Run(w, p, runs, sim.Options{Platform: plat, Seed: seed, OnRun: func(d records.DAGRun, invs []records.Invocation) error {
			return sink(invs, &d)
		}})
		return err
	}
}

// newSimPlanner profiles w in the simulator and plans with the simulated platform's facts.
func newSimPlanner(w *dag.Workflow, o ProfileOptions, opts PlannerOptions) (*Planner, error) {
	p, err := profileInSim(w, o)
	if err != nil {
		return nil, err
	}
	opts.Model.Platform = platform.Default()
	return NewPlanner(p, opts)
}
