package policy

import (
	"fmt"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// SimRunner runs workflows in the simulator on plat (nil: platform.Default()), warm as a
// profiler's back-to-back runs are but coldShare of them cold (sim.Options.ColdShare): what
// WiseFuse's profiler gets from a platform's logs. They run on wisefuse.ProfilingPlatform(plat),
// the account's concurrency limit lifted.
func SimRunner(plat *platform.Platform, coldShare float64) wisefuse.Runner {
	plat = wisefuse.ProfilingPlatform(plat)
	return func(w *dag.Workflow, p *dag.Plan, runs int, seed uint64, sink wisefuse.RunSink) error {
		// Records stream into the profile run by run (sim.Options.OnRun), so profiling a wide
		// Map does not hold every invocation's record.
		_, err := sim.Run(w, p, runs, sim.Options{Platform: plat, Seed: seed, ColdShare: coldShare, OnRun: func(d records.DAGRun, invs []records.Invocation) error {
			return sink(invs, &d)
		}})
		return err
	}
}

// ProfileInSim profiles w in the simulator on plat (nil: platform.Default()), as
// wisefuse.ProfileBy describes.
func ProfileInSim(w *dag.Workflow, plat *platform.Platform, o wisefuse.ProfileOptions) (*wisefuse.Profile, error) {
	o = onPlatform(o, plat)
	p, err := wisefuse.ProfileBy(w, o, SimRunner(plat, o.ColdShare))
	if err != nil {
		return nil, err
	}
	o = o.WithDefaults()
	p.Source = fmt.Sprintf("simulator, %d runs per size, seed %#x", o.Runs, o.Seed)
	if o.ColdShare > 0 {
		p.Source += fmt.Sprintf(", %.3g%% of runs cold", 100*o.ColdShare)
	}
	p.ProfiledConcurrencyLimit = wisefuse.ProfilingPlatform(plat).ConcurrencyLimit
	return p, nil
}

// onPlatform is o as ProfileInSim profiles with it on plat: on a platform with only some VM sizes
// the profiler runs at those, when o names none (profiling at sizes the platform never gives
// would only repeat the same runs under other labels).
func onPlatform(o wisefuse.ProfileOptions, plat *platform.Platform) wisefuse.ProfileOptions {
	if plat != nil && len(o.Sizes) == 0 {
		o.Sizes = plat.MemoryChoices()
	}
	return o
}
