// ProfileBy: profiling a workflow by running it on a platform (Runner) at a few sizes.

package wisefuse

import (
	"fmt"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/seed"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
)

// Runner runs w under plan p for runs independent runs, seeded by seed, on some platform (the
// simulator, or a real deployment's test harness) and hands what the platform logs to sink, one
// run at a time, in run order. The profiler needs nothing else from the platform: package policy
// passes the simulator. An error from sink must stop the runner and be returned.
type Runner func(w *dag.Workflow, p *dag.Plan, runs int, seed uint64, sink RunSink) error

// RunSink takes one run's records: its function invocations (any order) and its DAG record (nil
// when the platform has none: the run's arrival and end are then its first invocation's start and
// last invocation's end). The records are not kept, so a runner may reuse the slice after the
// call returns: the profile grows with the samples it keeps, not with the records.
type RunSink func(invs []records.Invocation, d *records.DAGRun) error

// ProfileOptions say how to profile a workflow. The zero value means the defaults.
type ProfileOptions struct {
	// Sizes to profile (MB); default DefaultProfileSizes, each raised to the least min_memory_mb
	// of the workflow's functions. At each size a function that needs more runs at its need.
	Sizes []int
	Runs  int    // runs per size; default 300, as the paper profiles
	Seed  uint64 // default ProfileSeed; each size runs on sizeSeed(Seed, size)
	// ColdShare is the share of runs whose VMs all start cold, the others warm (0, the default:
	// all warm, as a profiler's back-to-back runs are after the first): a deployment invoked
	// less often than its VMs' keep-alive runs cold that often, and a profile of it should see
	// it. The simulator's runs honour it (policy.ProfileInSim, sim.Options.ColdShare); a runner
	// of real records has what it logged.
	ColdShare float64
	// Progress, when set, is called after every profiling run with the runs done and the total
	// (sizes x Runs): the CLI's progress bar. It never changes the profile.
	Progress func(done, total int64)
}

// DefaultProfileSizes are the sizes profiled by default: below one vCPU, about one, two and four
// vCPUs, and the largest VM, so the fitted CPU curve sees where each function stops scaling.
var DefaultProfileSizes = []int{1024, 2048, 4096, 10240}

// ProfileSeed is the default profiling seed. Evaluations should use other seeds so that a plan is
// judged on runs the planner never saw.
const ProfileSeed uint64 = 0x9f0f11e

// sizeSeed is the seed of the profiling runs at mb MB of a profile seeded by s: a mix of (s, mb)
// (internal/seed, as replay keys a DAG's runs), so that no two (seed, size) pairs share a stream.
// Seed + size index, before, made size 2 of seed s repeat size 1 of seed s + 1, and profiles at
// neighbouring seeds were not independent.
func sizeSeed(s uint64, mb int) uint64 { return seed.Mix(s, uint64(mb)) }

// WithDefaults returns o with every unset field at its default.
func (o ProfileOptions) WithDefaults() ProfileOptions {
	if o.Runs <= 0 {
		o.Runs = 300
	}
	if o.Seed == 0 {
		o.Seed = ProfileSeed
	}
	if len(o.Sizes) == 0 {
		o.Sizes = DefaultProfileSizes
	}
	return o
}

// ProfileRunsWithin is the most runs per size a profile of w at sizes sizes may take under the
// bound on the samples a profile keeps (maxProfileSamples), by w's expected invocations a run.
func ProfileRunsWithin(w *dag.Workflow, sizes int) int {
	return maxProfileSamples / (max(sizes, 1) * max(w.ExpectedInvocations(), 1))
}

// ProfileBy profiles w as WiseFuse's profiler does: it has run run w unfused and unbundled with
// every function at each size and builds the profile from the logged records. A function that
// needs more memory than a size runs at its need there (profilePlan): raising every function to
// the largest need instead left a workflow with one 10,240 MB function profiled at 10,240 MB
// alone, whose other functions' CPU curves the planner then extrapolated from one point to sizes
// where their threads, oversubscribed, ran past the function timeout. The profiling runs
// lift the MaxConcurrency of every Map (a profiling deployment may: a Distributed
// Map runs up to 10,000 iterations at once), so that an item's gap is its own launch delay rather
// than the queue in front of it; the profile's skeleton keeps the limit and the modeler puts the
// queue back (waves, maps.go and nested.go). They drop the steps' Retry too (unlimitedMaps). A
// Runner runs on ProfilingPlatform, for the same reason.
func ProfileBy(w *dag.Workflow, o ProfileOptions, run Runner) (*Profile, error) {
	if err := CheckSupported(w); err != nil {
		return nil, err
	}
	o = o.WithDefaults()
	// Below the least need every function runs at its need: the runs of the least need again.
	least := dag.MaxMemoryMB
	for _, f := range w.Functions {
		least = min(least, max(f.MinMemoryMB, dag.MinMemoryMB))
	}
	var sizes []int
	for _, s := range o.Sizes {
		sizes = append(sizes, min(max(s, least), dag.MaxMemoryMB))
	}
	slices.Sort(sizes)
	sizes = slices.Compact(sizes)
	// Refused up front when the expected records are past the bound; addRecords also stops at it
	// (a Map whose drawn item counts run above their mean).
	if o.Runs > ProfileRunsWithin(w, len(sizes)) {
		n := float64(o.Runs) * float64(len(sizes)) * float64(w.ExpectedInvocations())
		return nil, fmt.Errorf("wisefuse: profiling %s would keep %.3g invocation samples (%d runs x %d sizes x %d invocations a run), past the %d a profile holds in memory: profile fewer runs or sizes, or a narrower workflow",
			w.Name, n, o.Runs, len(sizes), w.ExpectedInvocations(), maxProfileSamples)
	}
	b := newProfileBuilder(w)
	runW := unlimitedMaps(w)
	sink := b.addRecords
	if o.Progress != nil {
		var done int64
		total := int64(len(sizes) * o.Runs)
		sink = func(invs []records.Invocation, d *records.DAGRun) error {
			done++
			o.Progress(done, total)
			return b.addRecords(invs, d)
		}
	}
	for _, mem := range sizes {
		if err := run(runW, profilePlan(w, mem), o.Runs, sizeSeed(o.Seed, mem), sink); err != nil {
			return nil, fmt.Errorf("wisefuse: profiling %s at %d MB: %w", w.Name, mem, err)
		}
	}
	return b.profile()
}

// ProfilingPlatform is plat (nil: platform.Default()) as a profiling deployment runs on it: the
// account's concurrency limit lifted, as ProfileBy lifts each Map's MaxConcurrency (AWS raises
// the quota on request), so that an item's gap holds no wait for a slot; the modeler puts the
// limit back (concOf, waves). Profiled with the limit, a bundled plan of a Map of 20,000
// one-second items was predicted at 25.6 s and simulated at 17.1 s: the profile's queue was
// counted for bundles that never queued. Shared instances keep their limits, which the scale
// controller's behaviour, part of what is profiled there, depends on.
func ProfilingPlatform(plat *platform.Platform) *platform.Platform {
	if plat == nil {
		plat = platform.Default()
	}
	if plat.InstanceActivities > 0 {
		return plat
	}
	lifted := *plat
	lifted.ConcurrencyLimit = platform.MaxCount
	return &lifted
}

// ProfilingDigest is the SHA-256 of the settings a profile of plat (nil: platform.Default())
// holds the times of (Profile.PlatformSHA256): ProfilingPlatform's, with what happens at the
// account's limit (at_concurrency_limit and the retry_* settings) as the default's, since runs
// with the limit lifted never reach it. So a profile serves a platform that differs only in its
// concurrency limit or what it does there; on shared instances, whose limits are profiled, the
// platform's own digest.
func ProfilingDigest(plat *platform.Platform) (string, error) {
	p := *ProfilingPlatform(plat)
	if p.InstanceActivities == 0 {
		d := platform.Default()
		p.AtConcurrencyLimit, p.RetryInterval, p.RetryBackoffRate, p.RetryMaxAttempts = d.AtConcurrencyLimit, d.RetryInterval, d.RetryBackoffRate, d.RetryMaxAttempts
	}
	return p.Digest()
}

// profilePlan is the plan w is profiled under at mem MB: every function at mem, or at its need
// when that is more.
func profilePlan(w *dag.Workflow, mem int) *dag.Plan {
	p := dag.UniformPlan(mem)
	for _, f := range w.Functions {
		if f.MinMemoryMB > mem {
			if p.Memory == nil {
				p.Memory = map[string]int{}
			}
			p.Memory[f.Name] = f.MinMemoryMB
		}
	}
	return p
}

// unlimitedMaps returns w with no MaxConcurrency on any Map, top-level or inside a Parallel or a
// Map, the Maps the modeler runs in waves (maps.go, nested.go), or w itself when none has one.
// The copy also has no step Retry: a Map of 1,380 items capped at 40 runs them all at once once
// lifted, past the account's concurrency limit of 1,000 that the capped workflow never reaches,
// and a step whose Retry runs out there failed every profiling run (a random unseen workflow, no
// plan); without a Retry a throttled invocation takes the platform's at_concurrency_limit (on
// aws-lambda it waits for a slot), as a profiling deployment's own retry policy would let it.
func unlimitedMaps(w *dag.Workflow) *dag.Workflow {
	lifted := false
	var lift func(steps []dag.Step) []dag.Step
	lift = func(steps []dag.Step) []dag.Step {
		out := slices.Clone(steps)
		for i := range out {
			st := &out[i]
			st.Retry = nil
			if st.Parallel != nil {
				st.Parallel = slices.Clone(st.Parallel)
				for b := range st.Parallel {
					st.Parallel[b] = lift(st.Parallel[b])
				}
			}
			if st.Map != nil {
				m := *st.Map
				if m.MaxConcurrency > 0 {
					m.MaxConcurrency = 0
					lifted = true
				}
				m.Iterator = lift(m.Iterator)
				st.Map = &m
			}
		}
		return out
	}
	c := *w
	c.Steps = lift(w.Steps)
	if !lifted {
		return w
	}
	return &c
}
