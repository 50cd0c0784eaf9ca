package wisefuse

import (
	"fmt"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/sim"
)

// SimProfileOptions say how to profile a workflow in the simulator. The zero value means the
// defaults.
type SimProfileOptions struct {
	// Sizes to profile (MB); default DefaultProfileSizes, each raised to the largest function's
	// min_memory_mb so every uniform plan is valid.
	Sizes []int
	Runs  int    // runs per size; default 300, as the paper profiles
	Seed  uint64 // default ProfileSeed
	// Platform is the simulated platform; nil means sim.DefaultPlatform().
	Platform *sim.Platform
}

// DefaultProfileSizes are the sizes profiled by default: below one vCPU, about one, two and four
// vCPUs, and the largest VM, so the fitted CPU curve sees where each function stops scaling.
var DefaultProfileSizes = []int{1024, 2048, 4096, 10240}

// ProfileSeed is the default profiling seed. Evaluations should use other seeds so that a plan is
// judged on runs the planner never saw.
const ProfileSeed uint64 = 0x9f0f11e

// ProfileInSim runs w in the simulator, unfused and unbundled with every function at each size,
// and profiles the records. It is what a real deployment gets from its billing logs.
func ProfileInSim(w *dag.Workflow, o SimProfileOptions) (*Profile, error) {
	if o.Runs <= 0 {
		o.Runs = 300
	}
	if o.Seed == 0 {
		o.Seed = ProfileSeed
	}
	if len(o.Sizes) == 0 {
		o.Sizes = DefaultProfileSizes
	}
	need := dag.MinMemoryMB
	for _, f := range w.Functions {
		need = max(need, f.MinMemoryMB)
	}
	var sizes []int
	for _, s := range o.Sizes {
		sizes = append(sizes, min(max(s, need), dag.MaxMemoryMB))
	}
	slices.Sort(sizes)
	sizes = slices.Compact(sizes)
	var invs []sim.Invocation
	var dags []sim.DAGRun
	runBase := 0
	for i, mem := range sizes {
		res, err := sim.Run(w, dag.UniformPlan(mem), o.Runs, sim.Options{
			Platform: o.Platform, Seed: o.Seed + uint64(i), KeepInvocations: true,
		})
		if err != nil {
			return nil, fmt.Errorf("wisefuse: profiling %s at %d MB: %w", w.Name, mem, err)
		}
		// Runs are numbered per simulation; shift them so sizes do not collide.
		for _, in := range res.Invocations {
			in.Run += runBase
			invs = append(invs, in)
		}
		for _, d := range res.DAGs {
			d.Run += runBase
			dags = append(dags, d)
		}
		runBase += o.Runs
	}
	p, err := FromRecords(w, invs, dags)
	if err != nil {
		return nil, err
	}
	p.Source = fmt.Sprintf("simulator, %d runs per size, seed %#x", o.Runs, o.Seed)
	return p, nil
}

// PlatformFromSim takes the public facts of a simulated platform: its vCPU formula and prices.
func PlatformFromSim(p *sim.Platform) Platform {
	if p == nil {
		p = sim.DefaultPlatform()
	}
	return Platform{
		MBPerVCPU: p.MBPerVCPU, MaxVCPU: p.MaxVCPU, MinVisibleCores: p.MinVisibleCores,
		VisibleCoreStepsMB: p.VisibleCoreStepsMB, PricePerGBs: p.GBSecondUSD,
		PricePerRequest: p.RequestUSD, PricePerGet: p.GetUSD, PricePerPut: p.PutUSD,
		PricePerState: p.TransitionUSD, ContentionPerCoRunner: p.ContentionPerCoRunner,
		ConnectionBps: p.ConnectionBps, VMNetworkBps: p.VMNetworkBps, LocalBps: p.LocalBps,
	}
}

// NewSimPlanner profiles w in the simulator and returns a planner over that profile: what
// `wisefuse plan --policy wisefuse` uses.
func NewSimPlanner(w *dag.Workflow, po SimProfileOptions, opts PlannerOptions) (*Planner, error) {
	p, err := ProfileInSim(w, po)
	if err != nil {
		return nil, err
	}
	if opts.Model.Platform.unset() {
		opts.Model.Platform = PlatformFromSim(po.Platform)
	}
	return NewPlanner(p, opts)
}
