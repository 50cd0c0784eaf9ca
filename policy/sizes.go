package policy

import (
	"fmt"
	"slices"

	"github.com/wisefuse/wisefuse/baselines"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// sized makes a baseline plan on a platform that offers only some VM sizes
// (platform.Platform.MemoryChoices: Azure Consumption's one 1,536 MB, Flex Consumption's three):
// every size in the plan becomes the one the platform gives a VM of that size (SizeMB), so a plan
// says what runs. A plan that no longer fits (a bundle whose items need more memory than the
// platform's size) is an error that says so, and so is a plan whose VMs would invoke executions
// where the platform's may not (platform.Platform.NoSpills: Faastlane's spills where spills are
// refused). WiseFuse needs no wrapper: it searches the platform's sizes, and spills only where
// they run, itself.
type sized struct {
	dag.Planner
	name string
	plat *platform.Platform
}

// Plan implements dag.Planner.
func (s sized) Plan(w *dag.Workflow, o dag.Objective) (*dag.Plan, error) {
	p, err := s.Planner.Plan(w, o)
	if err != nil {
		return nil, err
	}
	q := p.Sized(s.plat.SizeMB)
	if err := q.Validate(w); err != nil {
		return nil, fmt.Errorf("%s on a platform with VM sizes %v MB: %w", s.name, s.plat.MemoryChoices(), err)
	}
	if err := q.CheckSpills(w, s.plat.NoSpills()); err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	return q, nil
}

// onSizes returns the baseline options as they apply on plat: where the platform offers only some
// sizes, the user's memory and Faastlane's VM are the sizes the platform gives for them, so the
// baselines that derive bundles or branches from them do so at the size that runs.
func onSizes(o baselines.Options, plat *platform.Platform) baselines.Options {
	if len(plat.MemoryChoices()) == 0 {
		return o
	}
	if o.MemoryMB == 0 {
		o.MemoryMB = baselines.DefaultUserMemoryMB
	}
	if o.FaastlaneMemoryMB == 0 {
		o.FaastlaneMemoryMB = baselines.FaastlaneDefaultMemoryMB
	}
	o.MemoryMB, o.FaastlaneMemoryMB = plat.SizeMB(o.MemoryMB), plat.SizeMB(o.FaastlaneMemoryMB)
	return o
}

// fitsSizes says which function of w no VM of plat holds, where plat offers only some sizes
// (azure-durable: 1,536 MB), before any profiling: without it WiseFuse profiled, then reported
// that no plan met the SLO, which hides the cause.
func fitsSizes(w *dag.Workflow, plat *platform.Platform) error {
	choices := plat.MemoryChoices()
	if len(choices) == 0 {
		return nil
	}
	largest := slices.Max(choices)
	for _, f := range w.Functions {
		if f.MinMemoryMB > largest {
			return fmt.Errorf("wisefuse on a platform with VM sizes %v MB: function %s needs at least %d MB (min_memory_mb), more than the largest size", choices, f.Name, f.MinMemoryMB)
		}
	}
	return nil
}
