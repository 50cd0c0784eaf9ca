package replay

import (
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/wisefuse/wisefuse/baselines"
	"github.com/wisefuse/wisefuse/internal/crash"
	"github.com/wisefuse/wisefuse/internal/parallel"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/seed"
	"github.com/wisefuse/wisefuse/policy"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/traces"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// Each DAG is profiled for planning within policy's budget (policy.ProfileRuns of its node
// count); the same number of isolated User-Max runs sets its SLO. The runs are warm, or with
// Config.ColdAware cold as often as the DAG's invocations find no warm VM (coldShares).

// dagPlan is one DAG's plan under the replay's policy and what it took to make it.
type dagPlan struct {
	entry *traces.CatalogEntry
	key   uint64
	plan  *dag.Plan
	// slo is the latency target the policy was given (0: none); userMaxP95 the User-Max P95 it
	// was derived from (0 when not measured); predP95 WiseFuse's predicted P95 (0 for others).
	slo, userMaxP95, predP95 float64
	// note says why the DAG runs a User-Max plan instead of the policy's (the policy could not
	// plan it), "" when it runs the policy's plan.
	note string
	// simRuns counts the simulated DAG runs spent planning it (profiling, SLO).
	simRuns int64
	// coldShare is the share of its planning runs that started cold (Config.ColdAware).
	coldShare float64
}

// planAll plans every DAG of the catalog on a bounded pool of workers, entry i from runs
// coldShares[i] of which start cold (nil: none); results land by index and each DAG's seed
// depends only on (cfg.Seed, its id), so plans do not depend on the worker count.
func planAll(cfg *Config, entries []traces.CatalogEntry, coldShares []float64) ([]dagPlan, error) {
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]dagPlan, len(entries))
	errs := make([]error, len(entries))
	var done atomic.Int64
	parallel.For(len(entries), workers, func(_, i int) bool {
		if cfg.Context.Err() != nil {
			return false
		}
		errs[i] = crash.Go(func() (err error) {
			share := 0.0
			if coldShares != nil {
				share = coldShares[i]
			}
			out[i], err = planOne(cfg, &entries[i], share)
			return err
		})
		if cfg.Progress != nil {
			cfg.Progress("plan", done.Add(1), int64(len(entries)), 0)
		}
		return true
	})
	if err := cfg.Context.Err(); err != nil {
		return nil, err
	}
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("replay: planning DAG %s: %w", entries[i].DAG, err)
		}
	}
	return out, nil
}

// planOne plans one DAG. A policy that cannot plan the DAG (a workflow shape it does not handle,
// an SLO no plan meets, a Map too wide for one VM) leaves it on the User-Max plan, with a note;
// only errors of the simulator itself stop the replay.
func planOne(cfg *Config, e *traces.CatalogEntry, coldShare float64) (dagPlan, error) {
	key := dagKey(e.DAG)
	dagSeed := seed.Mix(cfg.Seed, key)
	w := e.Workflow
	// The budget follows the workflow, as policy.New's does: a catalog's nodes column only
	// describes it, and one written by hand that understated a 35,385-item Map (nodes 1)
	// profiled 300 runs of it at every size, 2.9 GB for that one DAG. (Generated and imported
	// catalogs agree with their workflows, so their replays are unchanged.)
	runs := policy.ProfileRuns(w.ExpectedInvocations())
	d := dagPlan{entry: e, key: key, coldShare: coldShare}
	userMax, err := policy.New("user-max", w, policy.Env{Platform: cfg.Platform})
	if err != nil {
		return d, err
	}
	fallback, err := userMax.Plan(w, dag.Objective{})
	if err != nil {
		return d, err
	}
	obj := dag.Objective{}
	if cfg.Policy == policy.WiseFuse {
		d.slo = cfg.SLO
		if d.slo == 0 {
			res, err := sim.Run(w, fallback, runs, sim.Options{Platform: cfg.Platform, Seed: seed.Mix(dagSeed, 1), ColdShare: coldShare})
			if err != nil {
				return d, fmt.Errorf("User-Max runs for its SLO: %w", err)
			}
			d.simRuns += int64(runs)
			d.userMaxP95 = res.Summary.P95S
			d.slo = cfg.SLOFactor * d.userMaxP95
		}
		obj.SLO = d.slo
	}
	env := policy.Env{Platform: cfg.Platform, Seed: seed.Mix(dagSeed, 2), Profiling: wisefuse.ProfileOptions{Runs: runs, ColdShare: coldShare}}
	env.WiseFuse.Workers = 1 // planAll already plans a DAG per worker
	planner, err := policy.New(cfg.Policy, w, env)
	if err == nil && cfg.Policy == policy.WiseFuse {
		d.simRuns += int64(runs * len(wisefuse.DefaultProfileSizes))
	} else if err == nil && cfg.Policy == "sonic" {
		d.simRuns += baselines.DefaultSonicProfileRuns // Sonic's own profiling
	}
	var p *dag.Plan
	if err == nil {
		if wf, ok := planner.(*policy.WiseFusePlanner); ok {
			var r *wisefuse.Result
			if r, err = wf.Search(obj); err == nil {
				p, d.predP95, d.note = r.Plan, r.Prediction.Percentile(95), wf.GroupWarning()
			}
		} else {
			p, err = planner.Plan(w, obj)
		}
	}
	if err == nil {
		err = p.Validate(w)
	}
	if err != nil {
		d.plan, d.note = fallback, fmt.Sprintf("%s could not plan it (%v); ran User-Max", cfg.Policy, err)
		return d, nil
	}
	d.plan = p
	return d, nil
}
