package baselines

import (
	"fmt"

	"github.com/wisefuse/wisefuse/dag"
)

// DefaultUserMemoryMB is the memory a user gives each function when a baseline does not size VMs
// itself (Sonic, Photons) and Options.MemoryMB is unset: 3,008 MB, the AWS Lambda maximum until
// December 2020 (when Sonic, Photons and Faastlane were published) and Faastlane's own default.
const DefaultUserMemoryMB = 3008

// Options configures the baselines. The zero value gives every baseline its documented default.
type Options struct {
	// MemoryMB is the user's memory for every function under planners that take memory sizes as
	// given (Sonic, Photons); 0 means DefaultUserMemoryMB. A function whose MinMemoryMB is larger
	// gets its MinMemoryMB.
	MemoryMB int
	// FaastlaneMemoryMB is the size of Faastlane's VM; 0 means 3,008 MB (its released code's
	// deployment size).
	FaastlaneMemoryMB int
	// FaastlaneBranchesPerVM is how many parallel branches one Faastlane container runs in the
	// spill variant before it invokes extra containers; 0 means 2 (the released code, and
	// ceil(vCPU(3,008 MB)) on Lambda).
	FaastlaneBranchesPerVM int
	// SonicGoal is what Sonic optimises: SonicLatency (default) or SonicPerfPerDollar.
	SonicGoal SonicGoal
	// SonicVariant is which passing methods Sonic may choose: SonicDirect (default: all three,
	// Direct-Passing with the platform's NAT traversal) or SonicStorage (no Direct-Passing).
	SonicVariant SonicVariant
	// SonicProfileRuns is how many simulated profiling runs Sonic takes to learn each function's
	// mean compute time at the user's memory; 0 means 20.
	SonicProfileRuns int
	// Seed seeds every simulation a planner runs for its own profiling.
	Seed uint64
}

// DefaultSonicProfileRuns is how many profiling runs Sonic takes by default (Options.SonicProfileRuns).
const DefaultSonicProfileRuns = 20

// userMemory is the memory a user gives function f when asked for mb MB: at least the function's
// own minimum and the platform's 128 MB.
func userMemory(f *dag.Function, mb int) int {
	if mb <= 0 {
		mb = DefaultUserMemoryMB
	}
	return min(dag.MaxMemoryMB, max(mb, f.MinMemoryMB, dag.MinMemoryMB))
}

// usedFunctions returns the names of the functions the workflow's steps invoke, in step order,
// each once.
func usedFunctions(w *dag.Workflow) []string {
	var names []string
	seen := map[string]bool{}
	w.Walk(func(_ []string, s *dag.Step) {
		if s.Task != "" && !seen[s.Task] {
			seen[s.Task] = true
			names = append(names, s.Task)
		}
	})
	return names
}

// checked validates p against w, so that a planner never hands out a plan the simulator rejects.
func checked(policy string, w *dag.Workflow, p *dag.Plan) (*dag.Plan, error) {
	if err := p.Validate(w); err != nil {
		return nil, fmt.Errorf("baselines: %s: %w", policy, err)
	}
	return p, nil
}

func errorf(format string, a ...any) error { return fmt.Errorf("baselines: "+format, a...) }
