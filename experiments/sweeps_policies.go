package experiments

import (
	"fmt"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/policy"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// comparedPolicies are the planners the sweeps and the trace replay compare, in legend order.
// WiseFuse's SLO is derived from User-Max's P95, so user-max comes first.
var comparedPolicies = []string{"user-max", "user-min", "sonic", "photons", "faastlane", "wisefuse"}

// wiseFuseSLOFactor sets WiseFuse's latency target in the sweeps and the replay: 1.2 times the
// P95 User-Max reaches on the same workflow. User-Max is the fastest plan a user would write by
// hand; 20% of slack is the kind of target the paper's middle SLO gives WiseFuse to trade for cost.
const wiseFuseSLOFactor = 1.2

// policyPlanner returns the planner called name. WiseFuse profiles w in the simulator first; in
// quick mode it profiles fewer runs at fewer sizes and searches a coarser memory grid. Planners
// profile on a seed derived from the cell's, never on the runs their plans are measured on.
func policyPlanner(name string, w *dag.Workflow, seed uint64, quick bool) (dag.Planner, error) {
	// Full mode profiles as the paper does (300 runs per size) and searches its 64 MB grid.
	env := policy.Env{Seed: subSeed(seed, "profile")}
	env.WiseFuse.Workers = 1 // the cells already run on every core (runPool)
	if quick {
		env.Profiling = wisefuse.ProfileOptions{Runs: 60, Sizes: []int{1024, 2048, 10240}}
		env.WiseFuse.MemoryStepMB = 1024
	}
	return policy.New(name, w, env)
}

// policyOutcome is one policy's plan, simulated.
type policyOutcome struct {
	Policy  string
	SLO     float64 // seconds; WiseFuse's target, 0 for the baselines
	Plan    *dag.Plan
	Summary sim.Summary
}

// comparePolicies plans w under every compared policy and measures each plan with simulate
// (isolated runs for the sweeps, a shared arrival stream for the replay). WiseFuse aims at
// wiseFuseSLOFactor times User-Max's measured P95.
func comparePolicies(w *dag.Workflow, seed uint64, quick bool, simulate func(*dag.Plan) (sim.Summary, error)) ([]policyOutcome, error) {
	var out []policyOutcome
	slo := 0.0
	for _, name := range comparedPolicies {
		target := 0.0
		if name == "wisefuse" {
			target = slo
		}
		o, err := measurePolicy(name, name, w, seed, quick, target, simulate)
		if err != nil {
			return nil, err
		}
		if name == "user-max" {
			slo = wiseFuseSLOFactor * o.Summary.P95S
		}
		out = append(out, o)
	}
	return out, nil
}

// measurePolicy plans w under policy name with latency target slo (0: none), profiling on the
// cell seed, and measures the plan with simulate; label names the policy in errors.
func measurePolicy(label, name string, w *dag.Workflow, seed uint64, quick bool, slo float64, simulate func(*dag.Plan) (sim.Summary, error)) (policyOutcome, error) {
	o := policyOutcome{Policy: name, SLO: slo}
	pl, err := policyPlanner(name, w, seed, quick)
	if err != nil {
		return o, fmt.Errorf("%s: %w", label, err)
	}
	if o.Plan, err = pl.Plan(w, dag.Objective{SLO: slo}); err != nil {
		return o, fmt.Errorf("%s: planning: %w", label, err)
	}
	if o.Summary, err = simulate(o.Plan); err != nil {
		return o, fmt.Errorf("%s: simulating: %w", label, err)
	}
	return o, nil
}

// isolatedRuns measures a plan over n independent warm runs, as the paper's per-plan runs are.
func isolatedRuns(w *dag.Workflow, n int, seed uint64) func(*dag.Plan) (sim.Summary, error) {
	return func(p *dag.Plan) (sim.Summary, error) {
		res, err := sim.Run(w, p, n, sim.Options{Seed: seed})
		if err != nil {
			return sim.Summary{}, err
		}
		return res.Summary, nil
	}
}

// sweepRuns is the number of runs each plan of a sweep point is measured over.
func sweepRuns(quick bool) int {
	if quick {
		return 60
	}
	return 300
}
