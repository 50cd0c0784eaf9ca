package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/wisefuse/wisefuse/baselines"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// planFlags are the flags that say how to run a workflow, shared by every command that needs a
// plan: --plan FILE or --memory MB (a uniform plan: every function at MB, nothing fused or
// bundled).
type planFlags struct {
	plan   *string
	memory *int
	// Set by addPolicyFlags on commands that run a real workflow: --policy NAME asks a planner.
	policy     *string
	slo        *time.Duration
	percentile *float64
	// platform is what the wisefuse policy profiles on: the platform the plan will run on (nil
	// means sim.DefaultPlatform()).
	platform *sim.Platform
}

// policyNames lists what --policy accepts.
func policyNames() []string { return append(baselines.Names(), "wisefuse") }

// addPolicyFlags adds --policy (and --slo/--percentile, which the wisefuse policy needs) to a
// command whose workflow carries its performance model, so planners can profile it.
func addPolicyFlags(fs *flag.FlagSet, f *planFlags) {
	f.policy = fs.String("policy", "", "plan with a policy: `NAME` in "+strings.Join(policyNames(), "|"))
	f.slo = fs.Duration("slo", 0, "latency target for --policy wisefuse, e.g. 30s")
	f.percentile = fs.Float64("percentile", 95, "latency percentile the --slo applies to")
}

// policySeed seeds the planners' own profiling runs. It is fixed and distinct from any --seed a
// command takes, so a plan never depends on the runs it is evaluated on.
const policySeed = 0x5eed_9011c1

// resolvePolicy asks the named planner for a plan of w.
func (f *planFlags) resolvePolicy(w *dag.Workflow) (*dag.Plan, error) {
	name := *f.policy
	obj := dag.Objective{SLO: f.slo.Seconds(), Percentile: *f.percentile}
	var planner dag.Planner
	if name == "wisefuse" {
		if *f.slo < 0 {
			return nil, usagef("--slo %v: want a positive latency target", *f.slo)
		}
		if *f.slo == 0 {
			return nil, usagef("--policy wisefuse needs --slo, the latency target (e.g. --slo 30s)")
		}
		p, err := wisefuse.NewSimPlanner(w, wisefuse.SimProfileOptions{Platform: f.platform}, wisefuse.PlannerOptions{})
		if err != nil {
			return nil, err
		}
		planner = p
	} else {
		p, err := baselines.ByName(name, baselines.Options{Seed: policySeed})
		if err != nil {
			return nil, usagef("--policy %q: unknown policy (want one of %s)", name, strings.Join(policyNames(), ", "))
		}
		planner = p
	}
	plan, err := planner.Plan(w, obj)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", name, err)
	}
	if err := plan.Validate(w); err != nil {
		return nil, fmt.Errorf("policy %s produced an invalid plan: %w", name, err)
	}
	return plan, nil
}

func addPlanFlags(fs *flag.FlagSet) *planFlags {
	return &planFlags{
		plan:   fs.String("plan", "", "plan JSON `FILE` (memory, bundles, fusion groups, passing)"),
		memory: fs.Int("memory", 0, "shorthand for a plan with every function at `MB`, nothing fused or bundled"),
	}
}

// resolve returns the plan the flags name, validated against w.
func (f *planFlags) resolve(w *dag.Workflow) (*dag.Plan, error) {
	if f.policy != nil && *f.policy != "" {
		if *f.plan != "" || *f.memory != 0 {
			return nil, usagef("give one of --plan, --memory or --policy")
		}
		return f.resolvePolicy(w)
	}
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
	if f.policy != nil {
		return nil, usagef("give --plan FILE, --memory MB or --policy NAME")
	}
	return nil, usagef("give --plan FILE or --memory MB")
}
