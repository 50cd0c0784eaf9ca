package baselines

import (
	"math"

	"github.com/wisefuse/wisefuse/dag"
)

// Photons co-locates concurrent invocations of the same function in one runtime.
//
// Paper: V. Dukic, R. Bruno, A. Singla, G. Alonso, "Photons: Lambdas on a diet", ACM SoCC 2020.
// Concurrent invocations of one function share the language runtime, libraries and read-only
// application state, so each invocation after the first needs only its private memory: the paper
// measures 25% to 98% less memory per invocation.
//
// Modelled:
//   - The items of every Map are concurrent invocations of the same functions: Bundle = the item
//     count and Plan.SharedRuntime is set. The simulator then runs one runtime per function
//     (dag.Plan.RuntimePerStep): the bundle's invocations of the iterator's first function share
//     one VM, those of the next function another, with data between them through remote storage;
//     two different functions never share a VM. A Map whose iterator has a step that is not a
//     Task (a Parallel, a nested Map: several functions in one step) is not bundled.
//   - What a runtime shares (the paper's section 3): the language runtime, the libraries and the
//     function's code and read-only application state (e.g. a loaded model), the function's
//     SharedMemoryMB. What stays private per invocation: its working memory (input, output,
//     intermediate data), MinMemoryMB - SharedMemoryMB. Each co-located invocation after the
//     first needs only its private memory. The saving is the function's own
//     SharedMemoryMB / MinMemoryMB (the built-in apps' Map functions: 40-50%, inside the paper's
//     25-98%), applied to the memory the user configured: an extra invocation of a 3,008 MB
//     function that shares half its footprint needs 1,504 MB.
//   - The runtime's VM is sized to fit its invocations and nothing more: the user's memory for the
//     first invocation plus the private memory of each other one. When that exceeds 10,240 MB the
//     items are split evenly into the fewest runtimes that fit.
//   - Co-located invocations share the VM's vCPUs (processor sharing in the simulator); on Lambda a
//     VM's CPU follows its memory, so a runtime with a large shared part has fewer vCPUs per
//     invocation than separate VMs would.
//   - No fusion of different functions, no skew awareness, no VM sizing for speed; data passes
//     through remote storage. Tasks outside a Map run alone at the user's memory.
//
// Simplified: the paper resizes a running container as photons arrive; here the runtime is sized
// once for the Map's expected item count. Every function of one Map iterator gets the same number
// of invocations per runtime (one bundle size per Map, as the plan expresses it), the smallest
// that fits every function's runtime in 10,240 MB. A runtime for the iterator's next function
// starts when all of the bundle's invocations of the previous one have ended (a barrier per
// bundle), where the paper's platform would route each invocation as it arrives. Under arrivals
// the simulator lets concurrent invocations of a task, from any DAG invocation, join a running
// runtime of it (sim/runtime.go); in isolated runs tasks outside Maps run alone.
type Photons struct {
	// MemoryMB is the user's memory per function (0 means DefaultUserMemoryMB).
	MemoryMB int
}

// Plan implements dag.Planner. It ignores the objective: Photons does not optimise for one.
func (ph Photons) Plan(w *dag.Workflow, _ dag.Objective) (*dag.Plan, error) {
	p := &dag.Plan{
		DefaultMemoryMB: dag.MinMemoryMB,
		Memory:          map[string]int{},
		Bundle:          map[string]int{},
		SharedRuntime:   true,
	}
	for _, fn := range usedFunctions(w) {
		p.Memory[fn] = userMemory(w.Function(fn), ph.MemoryMB)
	}
	// Maps are sized outside in, so an inner Map's runtime is sized from its own items.
	var maps []*dag.Step
	w.Walk(func(_ []string, s *dag.Step) {
		if s.Map != nil {
			maps = append(maps, s)
		}
	})
	for _, s := range maps {
		if !tasksOnly(s.Map.Iterator) {
			// A runtime holds invocations of one function: an iterator step that runs several
			// (a Parallel, a nested Map) cannot share one, so these items run alone.
			continue
		}
		items := expectedItems(s.Map)
		var fns []*dag.Function
		dag.WalkTasks(s.Map.Iterator, func(fn string) { fns = append(fns, w.Function(fn)) })
		b := ph.bundleSize(items, fns)
		for ; b > 1; b-- {
			ph.setRuntime(p, s.Name, b, fns)
			if p.Validate(w) == nil {
				break
			}
		}
		if b <= 1 {
			delete(p.Bundle, s.Name)
			for _, f := range fns {
				p.Memory[f.Name] = userMemory(f, ph.MemoryMB)
			}
		}
	}
	if len(p.Bundle) == 0 {
		p.Bundle = nil
	}
	return checked("photons", w, p)
}

// tasksOnly reports whether every step of seq is a Task, so that one runtime per step holds
// invocations of one function only (dag.Plan.RuntimePerStep).
func tasksOnly(seq []dag.Step) bool {
	for i := range seq {
		if seq[i].Kind() != dag.TaskStep {
			return false
		}
	}
	return true
}

// runtimeMemory is the VM size of a Photons runtime that holds n invocations of f: the user's
// memory for the first, and for each other the private part of it. The private part keeps the
// function's own proportion (MinMemoryMB - SharedMemoryMB) / MinMemoryMB, the per-invocation
// saving the paper reports (25% to 98%), applied to the size the user configured.
func (ph Photons) runtimeMemory(f *dag.Function, n int) int {
	m := userMemory(f, ph.MemoryMB)
	return m + (n-1)*f.PrivateMB(m)
}

// bundleSize splits items into the fewest runtimes whose VMs fit in 10,240 MB and returns the
// items per runtime.
func (ph Photons) bundleSize(items int, fns []*dag.Function) int {
	for runtimes := 1; runtimes <= items; runtimes++ {
		b := (items + runtimes - 1) / runtimes
		fits := true
		for _, f := range fns {
			if ph.runtimeMemory(f, b) > dag.MaxMemoryMB {
				fits = false
			}
		}
		if fits {
			return b
		}
	}
	return 1
}

func (ph Photons) setRuntime(p *dag.Plan, step string, b int, fns []*dag.Function) {
	p.Bundle[step] = b
	for _, f := range fns {
		p.Memory[f.Name] = min(ph.runtimeMemory(f, b), dag.MaxMemoryMB)
	}
}

// expectedItems is the item count a planner plans for: the fixed count, or the mean of a drawn
// one, never beyond what a bundle size can be (the plan rejects a bundle larger than a fixed map).
func expectedItems(m *dag.Map) int {
	if n, fixed := m.FixedItems(); fixed {
		return n
	}
	return dag.ItemCount(math.Min(m.Items.ExpectedValue(), 1e6))
}
