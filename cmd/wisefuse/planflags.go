package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/policy"
	"github.com/wisefuse/wisefuse/wisefuse"

	"github.com/wisefuse/wisefuse/dag"
)

// planFlags are the flags that say how to run a workflow, shared by every command that needs a
// plan: --plan FILE or --memory MB (a uniform plan: every function at MB, nothing fused or
// bundled).
type planFlags struct {
	plan   *string
	memory *int // a uniform plan (dag.DeployedPlan: with the workflow's own ItemBatcher bundles)
	// Set by addPolicyFlags on commands that run a real workflow: --policy NAME asks a planner.
	policy     *string
	slo        *time.Duration
	percentile *float64
	fs         *flag.FlagSet // to tell a flag given from its default
	// platform is what a policy plans and profiles on: the platform the plan will run on (nil
	// means platform.Default()); coldShare the share of WiseFuse's profiling runs that start
	// cold, as the runs the plan is for (simulate --cold, --cold-share).
	platform  *platform.Platform
	coldShare float64
}

// addPolicyFlags adds --policy (and --slo/--percentile, which the wisefuse policy needs) to a
// command whose workflow carries its performance model, so planners can profile it.
func addPolicyFlags(fs *flag.FlagSet, f *planFlags) {
	f.policy = fs.String("policy", "", "plan with a policy: `NAME` in "+strings.Join(policy.Names(), "|"))
	f.slo = fs.Duration("slo", 0, "latency target for --policy wisefuse, e.g. 30s")
	f.percentile = fs.Float64("percentile", 95, "latency percentile the --slo applies to")
	f.fs = fs
}

// resolvePolicy asks the named planner for a plan of w, on the platform the plan will run on.
func (f *planFlags) resolvePolicy(w *dag.Workflow) (*dag.Plan, error) {
	name := *f.policy
	obj := dag.Objective{SLO: f.slo.Seconds(), Percentile: *f.percentile}
	if err := policy.Check(name, w); err != nil {
		var unknown *policy.UnknownError
		if errors.As(err, &unknown) {
			return nil, usagef("--policy %q: %v", name, err)
		}
		return nil, fmt.Errorf("policy %s: %w", name, err)
	}
	if err := wantFloat("percentile", *f.percentile, 0, 100, false, ""); err != nil {
		return nil, err
	}
	if !strings.EqualFold(name, policy.WiseFuse) {
		// Only WiseFuse plans for a target; another policy would silently ignore it.
		if err := onlyWith(f.fs, false, "--policy wisefuse (policy "+name+" takes no latency target)", "slo", "percentile"); err != nil {
			return nil, err
		}
	}
	if strings.EqualFold(name, policy.WiseFuse) {
		if *f.slo < 0 {
			return nil, usagef("--slo %v: want a positive latency target", *f.slo)
		}
		if *f.slo == 0 {
			return nil, usagef("--policy wisefuse needs --slo, the latency target (e.g. --slo 30s)")
		}
	}
	planner, err := policy.New(name, w, policy.Env{Platform: f.platform, Profiling: wisefuse.ProfileOptions{ColdShare: f.coldShare}})
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", name, err)
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
		fs:     fs,
	}
}

// resolve returns the plan the flags name, validated against w.
func (f *planFlags) resolve(w *dag.Workflow) (*dag.Plan, error) {
	if f.policy != nil && *f.policy == "" && f.fs != nil {
		if err := onlyWith(f.fs, false, "--policy wisefuse", "slo", "percentile"); err != nil {
			return nil, err
		}
	}
	// --memory 0 is given, and refused below as out of range, not taken as "not given".
	memory := given(f.fs, "memory")
	if f.policy != nil && *f.policy != "" {
		if *f.plan != "" || memory {
			return nil, usagef("give one of --plan, --memory or --policy")
		}
		return f.resolvePolicy(w)
	}
	switch {
	case *f.plan != "" && memory:
		return nil, usagef("give either --plan or --memory, not both")
	case *f.plan != "":
		return dag.ReadPlan(*f.plan, w)
	case memory:
		if err := wantInt("memory", *f.memory, dag.MinMemoryMB, dag.MaxMemoryMB, ""); err != nil {
			return nil, err
		}
		// The workflow as deployed: a Step Functions Map's ItemBatcher bundles its items.
		p := dag.DeployedPlan(w, *f.memory)
		if err := p.Validate(w); err != nil {
			if err := w.CheckBatches(); err != nil {
				return nil, err // no --memory would do: the workflow's problem, not the flag's
			}
			return nil, usagef("--memory %d: %v", *f.memory, err)
		}
		return p, nil
	}
	if f.policy != nil {
		return nil, usagef("give --plan FILE, --memory MB or --policy NAME")
	}
	return nil, usagef("give --plan FILE or --memory MB")
}
