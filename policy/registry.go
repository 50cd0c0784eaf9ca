package policy

import (
	"fmt"
	"strings"
	"sync"

	"github.com/wisefuse/wisefuse/baselines"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// WiseFuse is the name of the WiseFuse policy; every other name is a baseline.
const WiseFuse = "wisefuse"

// Names lists the canonical policy names New accepts, in the order tables show them: the
// baselines, then WiseFuse.
func Names() []string {
	return []string{"user-max", "user-min", "sonic", "photons", "faastlane", "faastlane-invm", WiseFuse}
}

// aliases are other spellings New accepts.
var aliases = map[string]string{"faastlane-spill": "faastlane"}

// DefaultBaselineSeed seeds the baselines' own profiling runs (Sonic's) when Env.Seed is 0. It is
// fixed and distinct from the seeds commands evaluate on, so a plan never depends on the runs it
// is judged on.
const DefaultBaselineSeed uint64 = 0x5eed_9011c1

// Env is everything a policy may plan from besides the workflow: the platform the plan will run
// on and how the planners learn the workflow. The zero value is the CLI's default: the default
// platform, each planner's default seed, WiseFuse profiling as the paper does.
type Env struct {
	// Platform is where the plan runs: the baselines' models and WiseFuse's modeler take its
	// public facts, and profiling in the simulator runs on it. nil means platform.Default().
	Platform *platform.Platform
	// Seed seeds every profiling run a planner takes in the simulator. 0 means each planner's
	// default: ProfileSeed for WiseFuse, DefaultBaselineSeed for the baselines.
	Seed uint64
	// Profile, when set, is what WiseFuse plans from (for example real AWS logs read by
	// wisefuse.ReadLogs) instead of profiling the workflow in the simulator.
	Profile *wisefuse.Profile
	// Profiling says how WiseFuse profiles in the simulator when Profile is nil; its Seed is
	// taken from Env, and Runs 0 means ProfileRuns of the workflow's size (the paper's 300 for
	// workflows of up to 100 function invocations a run), AdaptiveRuns when the sampling bound
	// decides a plan (WiseFusePlanner); a Runs set is profiled as it is.
	Profiling wisefuse.ProfileOptions
	// Reprofiling, when set, reports the progress of the adaptive second profiling (its runs
	// done of total), as Profiling.Progress does for the first; nil reports nothing.
	Reprofiling func(done, total int64)
	// WiseFuse tunes WiseFuse's search (memory grid, margins); its Model.Platform is taken from
	// Env.Platform.
	WiseFuse wisefuse.PlannerOptions
	// Baselines tunes the baselines (user memory, Faastlane's VM, Sonic's goal); its Seed is taken
	// from Env.
	Baselines baselines.Options
}

func (e Env) platform() *platform.Platform {
	if e.Platform == nil {
		return platform.Default()
	}
	return e.Platform
}

// Canonical returns the canonical spelling of name (policy names are case-insensitive and
// "faastlane-spill" is "faastlane"), or an *UnknownError that lists the names.
func Canonical(name string) (string, error) {
	n := strings.ToLower(name)
	if a, ok := aliases[n]; ok {
		n = a
	}
	for _, k := range Names() {
		if k == n {
			return n, nil
		}
	}
	return "", &UnknownError{Name: name}
}

// UnknownError is a policy name New does not know.
type UnknownError struct{ Name string }

func (e *UnknownError) Error() string {
	return fmt.Sprintf("unknown policy %q (want one of %s)", e.Name, strings.Join(Names(), ", "))
}

// Check reports whether the named policy can plan w, without profiling anything: an unknown name
// is an *UnknownError, a workflow shape the policy cannot plan a *wisefuse.UnsupportedError.
func Check(name string, w *dag.Workflow) error {
	n, err := Canonical(name)
	if err != nil {
		return err
	}
	if n == WiseFuse {
		return wisefuse.CheckSupported(w)
	}
	return nil
}

// New returns the planner called name for w in env. It checks the workflow's shape first (Check),
// so an unsupported workflow fails before any profiling; WiseFuse then profiles w (or reads
// env.Profile) and Sonic learns its compute times, both on env's platform.
func New(name string, w *dag.Workflow, env Env) (dag.Planner, error) {
	if err := Check(name, w); err != nil {
		return nil, err
	}
	n, _ := Canonical(name)
	plat := env.platform()
	if n == WiseFuse {
		return newWiseFuse(w, env)
	}
	opts := onSizes(env.Baselines, plat)
	opts.Seed = env.Seed
	if opts.Seed == 0 {
		opts.Seed = DefaultBaselineSeed
	}
	b, err := newBaseline(n, plat, opts)
	if err != nil || len(plat.MemoryChoices()) == 0 && plat.NoSpills() == "" {
		return b, err
	}
	return sized{Planner: b, name: n, plat: plat}, nil
}

// newBaseline builds the baseline called n (a canonical name) on plat with opts.
func newBaseline(n string, plat *platform.Platform, opts baselines.Options) (dag.Planner, error) {
	switch n {
	case "user-max":
		return baselines.UserMax{}, nil
	case "user-min":
		return baselines.UserMin{}, nil
	case "sonic":
		s := &baselines.Sonic{Goal: opts.SonicGoal, MemoryMB: opts.MemoryMB, Platform: plat, Variant: opts.SonicVariant}
		if s.Goal == "" {
			s.Goal = baselines.SonicLatency
		}
		if s.Goal != baselines.SonicLatency && s.Goal != baselines.SonicPerfPerDollar {
			return nil, fmt.Errorf("sonic goal %q: want %q or %q", s.Goal, baselines.SonicLatency, baselines.SonicPerfPerDollar)
		}
		if s.Variant == "" {
			s.Variant = baselines.SonicDirect
		}
		if s.Variant != baselines.SonicDirect && s.Variant != baselines.SonicStorage {
			return nil, fmt.Errorf("sonic variant %q: want %q or %q", s.Variant, baselines.SonicDirect, baselines.SonicStorage)
		}
		runs := opts.SonicProfileRuns
		if runs <= 0 {
			runs = baselines.DefaultSonicProfileRuns
		}
		s.Profile = sonicProfiler(plat, runs, opts.Seed)
		return s, nil
	case "photons":
		return baselines.Photons{MemoryMB: opts.MemoryMB}, nil
	case "faastlane":
		return baselines.Faastlane{MemoryMB: opts.FaastlaneMemoryMB, BranchesPerVM: opts.FaastlaneBranchesPerVM, Spill: true}, nil
	case "faastlane-invm":
		return baselines.Faastlane{MemoryMB: opts.FaastlaneMemoryMB}, nil
	}
	panic("policy: canonical name without a constructor: " + n)
}

// NewWiseFuse is New("wisefuse", ...) with the concrete type, for callers that want the
// planner's predictions and search results as well as its plan.
func NewWiseFuse(w *dag.Workflow, env Env) (*WiseFusePlanner, error) {
	if err := wisefuse.CheckSupported(w); err != nil {
		return nil, err
	}
	return newWiseFuse(w, env)
}

func newWiseFuse(w *dag.Workflow, env Env) (*WiseFusePlanner, error) {
	if err := fitsSizes(w, env.platform()); err != nil {
		return nil, err
	}
	opts := env.WiseFuse
	opts.Model.Platform = env.platform()
	if env.Profile != nil {
		pl, err := wisefuse.NewPlanner(env.Profile, opts)
		if err != nil {
			return nil, err
		}
		return &WiseFusePlanner{Planner: pl}, nil
	}
	po := env.Profiling
	po.Seed = env.Seed
	adaptive := po.Runs == 0
	if adaptive {
		po.Runs = ProfileRuns(w.ExpectedInvocations())
	}
	plan := func(po wisefuse.ProfileOptions) (*wisefuse.Planner, error) {
		prof, err := ProfileInSim(w, env.Platform, po)
		if err != nil {
			return nil, err
		}
		return wisefuse.NewPlanner(prof, opts)
	}
	pl, err := plan(po)
	if err != nil {
		return nil, err
	}
	p := &WiseFusePlanner{Planner: pl}
	if adaptive {
		more := po
		// AdaptiveRuns, within what the profile's sample bound allows: AdaptiveFactor times the
		// runs of a Map of 70,000 items was past it, and the search that wanted them failed. With
		// no more runs to take, the first profile's plan stands.
		more.Runs = min(AdaptiveRuns(w.ExpectedInvocations()), wisefuse.ProfileRunsWithin(w, len(onPlatform(po, env.Platform).WithDefaults().Sizes)))
		more.Progress = env.Reprofiling
		if more.Runs > po.Runs {
			p.more = sync.OnceValues(func() (*wisefuse.Planner, error) { return plan(more) })
		}
	}
	return p, nil
}
