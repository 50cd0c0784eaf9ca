package baselines

import (
	"fmt"

	"github.com/wisefuse/wisefuse/dag"
)

// FaastlaneDefaultMemoryMB is the size Faastlane's released code deploys its one Lambda at.
const FaastlaneDefaultMemoryMB = 3008

// FaastlaneDefaultBranchesPerVM is how many parallel branches one container of Faastlane's released
// code runs before it invokes more containers: 2, which is also ceil(vCPU(3,008 MB)) on Lambda.
const FaastlaneDefaultBranchesPerVM = 2

// Faastlane runs a whole workflow instance in one VM.
//
// Paper: S. Kotni, A. Nayak, V. Ganapathy, A. Basu, "Faastlane: Accelerating Function-as-a-Service
// Workflows", USENIX ATC 2021. Functions in series run as threads of one process and pass data
// through shared memory (isolated by Intel MPK); functions in parallel run as processes of the same
// container, because of Python's GIL; when a stage is wider than the container's vCPUs the runtime
// invokes further containers for the excess branches.
//
// Modelled:
//   - Every top-level step is fused into one group: one VM per workflow instance, data between
//     steps in memory, no orchestrator transitions between them, the VM billed at its size for the
//     whole instance.
//   - The VM size is a parameter (MemoryMB, default 3,008 MB), raised to the largest MinMemoryMB
//     of the workflow's functions if that is larger.
//   - In-VM variant (Spill false): every Map's items run as processes in the one VM (Bundle = item
//     count) and share its vCPUs.
//   - In both variants the VM is raised to fit the memory of what runs in it at once (a
//     Parallel's branches, a Map's items), up to 10,240 MB, and the planner returns an error when
//     even that does not fit.
//   - Spill variant (Spill true, the released code): a Map keeps BranchesPerVM items in the main VM
//     and the simulator runs the other bundles of BranchesPerVM items in VMs of their own, invoked
//     synchronously by the main VM; their inputs and outputs travel in the invocation payload,
//     which AWS limits to 6 MB (the simulator's concern, see dag.Plan).
//
// Simplified: MPK isolation costs nothing; thread start-up inside the VM is free; a Parallel step's
// branches always run in the VM (the plan has no spill for Parallel branches, only for Maps); a
// workflow whose only top-level step is a Task or a Parallel cannot form a fusion group and runs as
// that step alone at MemoryMB.
type Faastlane struct {
	MemoryMB      int  // VM size; 0 means FaastlaneDefaultMemoryMB
	BranchesPerVM int  // spill variant: items per container; 0 means FaastlaneDefaultBranchesPerVM
	Spill         bool // the released code's spill to extra containers (true) or everything in one VM
}

func (fl Faastlane) name() string {
	if fl.Spill {
		return "faastlane"
	}
	return "faastlane-invm"
}

// Plan implements dag.Planner. It ignores the objective: Faastlane does not optimise for one.
func (fl Faastlane) Plan(w *dag.Workflow, _ dag.Objective) (*dag.Plan, error) {
	size := fl.MemoryMB
	if size <= 0 {
		size = FaastlaneDefaultMemoryMB
	}
	perVM := fl.BranchesPerVM
	if perVM <= 0 {
		perVM = FaastlaneDefaultBranchesPerVM
	}
	fns := usedFunctions(w)
	for _, fn := range fns {
		size = max(size, w.Function(fn).MinMemoryMB)
	}
	p := &dag.Plan{DefaultMemoryMB: size, Bundle: map[string]int{}}
	if len(w.Steps) >= 2 {
		group := make([]string, len(w.Steps))
		for i := range w.Steps {
			group[i] = w.Steps[i].Name
		}
		p.Fuse = [][]string{group}
	}
	w.Walk(func(_ []string, s *dag.Step) {
		if s.Map == nil {
			return
		}
		items := expectedItems(s.Map)
		if fl.Spill {
			p.Bundle[s.Name] = min(perVM, items)
		} else {
			p.Bundle[s.Name] = items
		}
	})
	if len(p.Bundle) == 0 {
		p.Bundle = nil
	}
	// Processes need memory of their own: grow the one VM until they fit, as a user must (a
	// Parallel's branches run in it in both variants; the spill variant's Map items too, perVM
	// at a time).
	err := p.Validate(w)
	for err != nil && p.DefaultMemoryMB < dag.MaxMemoryMB {
		p.DefaultMemoryMB = min(dag.MaxMemoryMB, p.DefaultMemoryMB+64)
		err = p.Validate(w)
	}
	if err == nil {
		return p, nil
	}
	if need := p.NeedMB(w, w.Steps); need > dag.MaxMemoryMB {
		return nil, fmt.Errorf("baselines: %s: the workflow's parallel branches do not fit in one %d MB VM: they need %d MB at once", fl.name(), dag.MaxMemoryMB, need)
	}
	return nil, fmt.Errorf("baselines: %s: %w", fl.name(), err)
}
