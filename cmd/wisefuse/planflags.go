package main

import (
	"flag"

	"github.com/wisefuse/wisefuse/dag"
)

// planFlags are the flags that say how to run a workflow, shared by every command that needs a
// plan: --plan FILE or --memory MB (a uniform plan: every function at MB, nothing fused or
// bundled).
type planFlags struct {
	plan   *string
	memory *int
}

func addPlanFlags(fs *flag.FlagSet) *planFlags {
	return &planFlags{
		plan:   fs.String("plan", "", "plan JSON `FILE` (memory, bundles, fusion groups, passing)"),
		memory: fs.Int("memory", 0, "shorthand for a plan with every function at `MB`, nothing fused or bundled"),
	}
}

// resolve returns the plan the flags name, validated against w.
func (f *planFlags) resolve(w *dag.Workflow) (*dag.Plan, error) {
	switch {
	case *f.plan != "" && *f.memory != 0:
		return nil, usagef("give either --plan or --memory, not both")
	case *f.plan != "":
		return dag.ReadPlan(*f.plan, w)
	case *f.memory != 0:
		p := dag.UniformPlan(*f.memory)
		if err := p.Validate(w); err != nil {
			return nil, usagef("--memory %d: %v", *f.memory, err)
		}
		return p, nil
	}
	return nil, usagef("give --plan FILE or --memory MB")
}
