package dag

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/wisefuse/wisefuse/internal/jsonpos"
)

// Memory limits of an AWS Lambda function, in MB.
const (
	MinMemoryMB = 128
	MaxMemoryMB = 10240
)

// Passing is how a step receives its input from the step before it.
type Passing string

// The data-passing methods (Sonic, ATC 2021). VM-Storage, the third, is fusion.
const (
	RemotePassing Passing = "remote" // sender PUTs to remote storage, receivers GET (the default)
	DirectPassing Passing = "direct" // receivers pull from the sender's VM, which stays alive until the last pull
)

// Plan says how to run a workflow.
//
//   - Memory is the VM size of each function, in MB; functions not listed get DefaultMemoryMB.
//     A VM that runs several functions (a fusion group or a bundle) gets the largest of their sizes
//     and is billed at it.
//   - Bundle is the number of a Map's items that run together in one VM (default 1). The items of
//     a bundle share the VM's vCPUs by processor sharing.
//   - Fuse lists fusion groups: consecutive steps of one sequence that run in one VM and pass data
//     in memory. Everything nested in a fused step runs in that VM too, except that a Map inside
//     a fusion group keeps only one bundle (Bundle items, default 1) in the VM and spills the
//     others, Bundle per VM, to VMs of their own invoked synchronously (Faastlane's released
//     code). To run all items in the fused VM, set Bundle to the item count.
//   - Passing overrides, per receiving step, how data arrives from the previous step.
//   - SharedRuntime makes a bundle's items share one runtime per function (Photons): a bundled
//     orchestrated Map whose iterator has several steps runs each step of its B items in a VM of
//     its own (RuntimePerStep), so different functions never share a VM, and in a VM each
//     invocation after the first needs only MinMemoryMB - SharedMemoryMB. Under arrivals an
//     orchestrated Task invocation also joins a running runtime of its function, whatever DAG
//     invocation started it (docs/simulator.md, "Shared runtimes across DAG invocations").
//
// The simulator makes these precise in docs/simulator.md: spilled items go B per VM and receive
// their input in the invocation payload (up to 6 MB, else through storage); a fusion group is one
// Step Functions state; direct passing applies to the receiving step's first invocations, and the
// sender's VM stays alive until the last pull, billed up to its function's end.
type Plan struct {
	Memory          map[string]int     `json:"memory_mb,omitempty"`
	DefaultMemoryMB int                `json:"default_memory_mb,omitempty"`
	Bundle          map[string]int     `json:"bundle,omitempty"`
	Fuse            [][]string         `json:"fuse,omitempty"`
	Passing         map[string]Passing `json:"passing,omitempty"`
	SharedRuntime   bool               `json:"shared_runtime,omitempty"`
}

// RuntimePerStep reports whether Map step s, run by the orchestrator (not inside a fusion group),
// runs each step of its iterator in a VM of its own per bundle: under SharedRuntime, a bundle of
// several items whose iterator has more than one step. Photons (Dukic et al., SoCC 2020) shares a
// runtime only among concurrent invocations of the same function, so the bundle's items run the
// iterator's first step together in one runtime, then the next step together in another, with
// data between them through remote storage, as between any two functions in different VMs.
func (p *Plan) RuntimePerStep(s *Step) bool {
	return p.SharedRuntime && s.Map != nil && p.BundleOf(s.Name) > 1 && len(s.Map.Iterator) > 1
}

// UniformPlan runs every function at mb MB, unfused and unbundled.
func UniformPlan(mb int) *Plan { return &Plan{DefaultMemoryMB: mb} }

// DeployedPlan is UniformPlan(mb) with the bundling w's state machine deploys: each Map with an
// ItemBatcher (Map.MaxItemsPerBatch > 1) bundles that many items (at most its fixed item count).
// It is the plan of a workflow run as its ASL is written; for a workflow without batches it is
// UniformPlan(mb).
func DeployedPlan(w *Workflow, mb int) *Plan {
	p := UniformPlan(mb)
	w.Walk(func(_ []string, s *Step) {
		if s.Map == nil {
			return
		}
		if b := s.Map.DeployedBatch(); b > 1 {
			if p.Bundle == nil {
				p.Bundle = map[string]int{}
			}
			p.Bundle[s.Name] = b
		}
	})
	return p
}

// DeployedBatch is how many items the Map's ItemBatcher puts in one batch (one VM):
// MaxItemsPerBatch, at most its fixed item count; 0 without a batcher.
func (m *Map) DeployedBatch() int {
	b := m.MaxItemsPerBatch
	if n, fixed := m.FixedItems(); fixed {
		b = min(b, n)
	}
	return b
}

// CheckBatches reports whether w's Maps' batches (ItemBatcher's MaxItemsPerBatch, DeployedPlan's
// bundles) fit the largest VM: a batch's items run in one VM at once, so a batch of 50 items of a
// 512 MB function needs 25,600 MB, and the workflow as deployed cannot run at any size
// (simulate --memory was refused at every size, as a usage error). A planner may still bundle
// fewer.
func (w *Workflow) CheckBatches() error {
	if err := DeployedPlan(w, MaxMemoryMB).Validate(w); err != nil {
		return fmt.Errorf("the workflow as deployed (each Map's ItemBatcher batch in one VM) cannot run at any memory size: %w", err)
	}
	return nil
}

// MemoryOf returns the VM size of function fn under the plan.
func (p *Plan) MemoryOf(fn string) int {
	if m, ok := p.Memory[fn]; ok {
		return m
	}
	return p.DefaultMemoryMB
}

// Sized returns a copy of p with every VM size (DefaultMemoryMB and each of Memory) replaced by
// size of it: on a platform that offers only some sizes, the plan of what runs
// (platform.Platform.SizeMB gives the size a VM gets). The other fields are shared with p.
func (p *Plan) Sized(size func(mb int) int) *Plan {
	q := *p
	q.DefaultMemoryMB = size(p.DefaultMemoryMB)
	q.Memory = make(map[string]int, len(p.Memory))
	for fn, mb := range p.Memory {
		q.Memory[fn] = size(mb)
	}
	return &q
}

// BundleOf returns the bundle size of Map step name (1 if unset).
func (p *Plan) BundleOf(step string) int {
	if b, ok := p.Bundle[step]; ok && b > 0 {
		return b
	}
	return 1
}

// PassingOf returns how step receives its input (remote if unset).
func (p *Plan) PassingOf(step string) Passing {
	if m, ok := p.Passing[step]; ok && m != "" {
		return m
	}
	return RemotePassing
}

// FusionGroup returns the index in p.Fuse of the group that holds step, or -1.
func (p *Plan) FusionGroup(step string) int {
	for i, g := range p.Fuse {
		if slices.Contains(g, step) {
			return i
		}
	}
	return -1
}

// Clone returns a deep copy of p.
func (p *Plan) Clone() *Plan {
	q := *p
	q.Memory = cloneMap(p.Memory)
	q.Bundle = cloneMap(p.Bundle)
	q.Passing = cloneMap(p.Passing)
	q.Fuse = nil
	for _, g := range p.Fuse {
		q.Fuse = append(q.Fuse, slices.Clone(g))
	}
	return &q
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	c := make(map[K]V, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// Validate checks the plan against its workflow and returns every problem found (up to
// jsonpos.MaxProblems), each saying what is wrong and where.
func (p *Plan) Validate(w *Workflow) error { return p.validate(w, nil) }

// validate is Validate that, when line is not nil, starts each problem with the line where the
// file gives the value at fault: line maps a JSON path ("memory_mb.Split", "fuse[0][1]") to its
// line, 0 when unknown.
func (p *Plan) validate(w *Workflow, line func(path string) int) error {
	var errs []string
	add := func(path, format string, a ...any) {
		msg := fmt.Sprintf(format, a...)
		if line != nil {
			if n := line(path); n > 0 {
				msg = fmt.Sprintf("line %d: %s", n, msg)
			}
		}
		errs = append(errs, msg)
	}

	for _, fn := range sortedKeys(p.Memory) {
		if w.Function(fn) == nil {
			add("memory_mb."+fn, "memory_mb: unknown function %q", fn)
		}
	}
	harmless := len(errs) // an unknown function's size sizes no VM: the needs can still be reckoned
	used := map[string]bool{}
	w.Walk(func(_ []string, s *Step) {
		if s.Task != "" {
			used[s.Task] = true
			if w.Function(s.Task) == nil {
				// Only an unvalidated workflow gets here; the memory checks below need every
				// function, so report it rather than fail on it.
				add("", "step %q runs unknown function %q (validate the workflow first)", s.Name, s.Task)
			}
		}
	})
	for _, fn := range sortedKeys(used) {
		if m := p.MemoryOf(fn); m < MinMemoryMB || m > MaxMemoryMB {
			if _, ok := p.Memory[fn]; ok {
				add("memory_mb."+fn, "memory_mb[%q] = %d MB, want %d..%d", fn, m, MinMemoryMB, MaxMemoryMB)
			} else {
				add("default_memory_mb", "function %q has no memory_mb and default_memory_mb = %d MB, want %d..%d", fn, m, MinMemoryMB, MaxMemoryMB)
			}
		}
	}
	for _, name := range sortedKeys(p.Bundle) {
		b := p.Bundle[name]
		s := w.Step(name)
		switch {
		case s == nil:
			add("bundle."+name, "bundle: unknown step %q", name)
		case s.Map == nil:
			add("bundle."+name, "bundle[%q]: step is a %s, only a map can be bundled", name, s.Kind())
		case b < 1:
			add("bundle."+name, "bundle[%q] = %d, want >= 1", name, b)
		case b > MaxItems:
			add("bundle."+name, "bundle[%q] = %d, above the limit %d items per VM (the largest item count; the simulator counts items in int32)", name, b, MaxItems)
		default:
			if n, fixed := s.Map.FixedItems(); fixed && b > n {
				add("bundle."+name, "bundle[%q] = %d is larger than the map's %d items", name, b, n)
			}
		}
	}
	for _, name := range sortedKeys(p.Passing) {
		if w.Step(name) == nil {
			add("passing."+name, "passing: unknown step %q", name)
		}
		if m := p.Passing[name]; m != RemotePassing && m != DirectPassing {
			add("passing."+name, "passing[%q] = %q, want %q or %q", name, m, RemotePassing, DirectPassing)
		}
	}
	p.validateFusion(w, add)
	if len(errs) == harmless {
		p.validateMemoryNeeds(w, add)
	} else {
		p.validateTaskMinimums(w, add)
	}
	if len(errs) > 0 {
		return fmt.Errorf("plan for workflow %q: %s", w.Name, jsonpos.JoinProblems(errs))
	}
	return nil
}

func (p *Plan) validateFusion(w *Workflow, add func(path, format string, a ...any)) {
	// Where each step sits: which sequence (identified by its first step's name path) and index.
	type place struct {
		seq   string
		index int
	}
	where := map[string]place{}
	var index func(seqID string, seq []Step)
	index = func(seqID string, seq []Step) {
		for i := range seq {
			s := &seq[i]
			where[s.Name] = place{seqID, i}
			for b, br := range s.Parallel {
				index(fmt.Sprintf("%s/parallel[%d]", s.Name, b), br)
			}
			if s.Map != nil {
				index(s.Name+"/iterator", s.Map.Iterator)
			}
		}
	}
	index("", w.Steps)
	inGroup := map[string]int{}
	for g, group := range p.Fuse {
		if len(group) < 2 {
			add(fmt.Sprintf("fuse[%d]", g), "fuse[%d]: a fusion group needs at least 2 steps, got %d", g, len(group))
			continue
		}
		for i, name := range group {
			pl, ok := where[name]
			if !ok {
				add(fmt.Sprintf("fuse[%d][%d]", g, i), "fuse[%d]: unknown step %q", g, name)
				continue
			}
			if prev, dup := inGroup[name]; dup {
				add(fmt.Sprintf("fuse[%d][%d]", g, i), "fuse[%d]: step %q is already in fuse[%d]", g, name, prev)
			}
			inGroup[name] = g
			if i == 0 {
				continue
			}
			prev, ok := where[group[i-1]]
			if !ok {
				continue
			}
			if prev.seq != pl.seq || pl.index != prev.index+1 {
				add(fmt.Sprintf("fuse[%d][%d]", g, i), "fuse[%d]: %q and %q are not adjacent steps of one sequence (fusion joins consecutive steps only)", g, group[i-1], name)
			}
		}
	}
	// A step nested inside a fused step already runs in that VM; a group inside it is redundant
	// but harmless, so it is allowed.
}

// validateTaskMinimums is what validateMemoryNeeds says of a plan with other problems, which its
// VMs' needs cannot be reckoned from (a group of steps that are not adjacent, a bundle of 0): each
// task in a VM of its own, outside every fusion group and bundled Map, at a size in range below
// its function's min_memory_mb. Without it a plan's bundle of 0 hid that Classify was below its
// minimum, although every problem of a file is reported at once.
func (p *Plan) validateTaskMinimums(w *Workflow, add func(path, format string, a ...any)) {
	w.Walk(func(path []string, s *Step) {
		f := w.Function(s.Task)
		if s.Task == "" || f == nil {
			return
		}
		for _, name := range path { // path ends with s itself
			if p.FusionGroup(name) >= 0 {
				return
			}
			if p.BundleOf(name) > 1 { // a bundle of 0 or less is reported, and runs as 1
				return
			}
		}
		if m := p.MemoryOf(s.Task); m >= MinMemoryMB && m <= MaxMemoryMB && m < f.MinMemoryMB {
			add("memory_mb."+s.Task, "memory_mb[%q] = %d MB is below the function's min_memory_mb %d", s.Task, m, f.MinMemoryMB)
		}
	})
}

// validateMemoryNeeds checks that each VM the plan creates has at least the memory its concurrent
// invocations need.
func (p *Plan) validateMemoryNeeds(w *Workflow, add func(path, format string, a ...any)) {
	var checkSeq func(seq []Step)
	checkSeq = func(seq []Step) {
		for i := 0; i < len(seq); i++ {
			s := &seq[i]
			if g := p.FusionGroup(s.Name); g >= 0 {
				// The whole group is one VM.
				n := len(p.Fuse[g])
				group := seq[i:min(i+n, len(seq))]
				vm, need := p.vmMemory(w, group), p.NeedMB(w, group)
				if vm < need {
					add(fmt.Sprintf("fuse[%d]", g), "fuse[%d] (%s): VM of %d MB is below the %d MB its invocations need", g, strings.Join(p.Fuse[g], "+"), vm, need)
				}
				i += len(group) - 1
				continue
			}
			switch s.Kind() {
			case TaskStep:
				f := w.Function(s.Task)
				if m := p.MemoryOf(s.Task); m < f.MinMemoryMB {
					add("memory_mb."+s.Task, "memory_mb[%q] = %d MB is below the function's min_memory_mb %d", s.Task, m, f.MinMemoryMB)
				}
			case ParallelStep:
				for _, br := range s.Parallel {
					checkSeq(br)
				}
			case MapStep:
				b := p.BundleOf(s.Name)
				if b == 1 {
					checkSeq(s.Map.Iterator)
					continue
				}
				if p.RuntimePerStep(s) {
					// One runtime per iterator step, each holding the bundle's b invocations: a
					// fusion group there would put two steps in one runtime.
					for j := range s.Map.Iterator {
						name := s.Map.Iterator[j].Name
						if g := p.FusionGroup(name); g >= 0 {
							add(fmt.Sprintf("fuse[%d]", g), "fuse[%d] (%s) is in the iterator of Map %q, which shared_runtime runs one runtime per step (bundle %d): a runtime holds one step, so drop the group, shared_runtime or the bundle", g, strings.Join(p.Fuse[g], "+"), s.Name, b)
						}
						if j > 0 && p.PassingOf(name) == DirectPassing {
							add("passing."+name, "passing[%q] = %q: step %q of Map %q runs in a runtime of its own under shared_runtime (bundle %d), which reads its input from storage; want no passing for it", name, DirectPassing, name, s.Name, b)
						}
					}
					for j := range s.Map.Iterator {
						one := s.Map.Iterator[j : j+1]
						vm, need := p.vmMemory(w, one), b*p.NeedMB(w, one)-(b-1)*p.SharedMB(w, one)
						if vm < need {
							add("bundle."+s.Name, "bundle[%q] = %d: the shared runtime of step %q has a VM of %d MB, below the %d MB that %d invocations need", s.Name, b, one[0].Name, vm, need, b)
						}
					}
					continue
				}
				vm, need := p.vmMemory(w, s.Map.Iterator), b*p.NeedMB(w, s.Map.Iterator)
				if p.SharedRuntime {
					need -= (b - 1) * p.SharedMB(w, s.Map.Iterator)
				}
				if vm < need {
					add("bundle."+s.Name, "bundle[%q] = %d: VM of %d MB is below the %d MB that %d items need", s.Name, b, vm, need, b)
				}
			}
		}
	}
	checkSeq(w.Steps)
}

// vmMemory is the size of a VM that runs all functions in seq: the largest of their sizes.
func (p *Plan) vmMemory(w *Workflow, seq []Step) int {
	m := 0
	WalkTasks(seq, func(fn string) { m = max(m, p.MemoryOf(fn)) })
	return m
}

// NeedMB is the memory the invocations of seq need when they run in one VM: sequential steps
// reuse memory, parallel branches and map items add up. It is also the memory such a VM uses,
// which Azure Functions Consumption bills (platform.Platform.BilledMB).
func (p *Plan) NeedMB(w *Workflow, seq []Step) int {
	n := 0
	for i := range seq {
		s := &seq[i]
		switch s.Kind() {
		case TaskStep:
			n = max(n, w.Function(s.Task).MinMemoryMB)
		case ParallelStep:
			sum := 0
			for _, br := range s.Parallel {
				sum += p.NeedMB(w, br)
			}
			n = max(n, sum)
		case MapStep:
			// Only one bundle of a fused Map stays in the VM; the others spill to VMs of their own.
			items := min(ItemCount(s.Map.Items.ExpectedValue()), p.BundleOf(s.Name))
			per := p.NeedMB(w, s.Map.Iterator)
			total := items * per
			if p.SharedRuntime {
				total -= (items - 1) * p.SharedMB(w, s.Map.Iterator)
			}
			n = max(n, total)
		}
	}
	return n
}

// SpillingMaps returns the Maps of w that run inside a VM (in a fusion group, or in the iterator
// of a Map bundled by more than one) and may have more items than their bundle, in workflow
// order: the VM keeps one bundle and invokes VMs of its own for the rest (Plan's doc), which a
// platform may not allow (platform.Platform.NoSpills). A Map may have more items than its bundle
// when its item count's largest value (Items.Quantile(1)) is above it.
func (p *Plan) SpillingMaps(w *Workflow) []string {
	var out []string
	var walk func(seq []Step, inVM bool)
	walk = func(seq []Step, inVM bool) {
		for i := range seq {
			s := &seq[i]
			in := inVM || p.FusionGroup(s.Name) >= 0
			for _, br := range s.Parallel {
				walk(br, in)
			}
			if s.Map != nil {
				b := p.BundleOf(s.Name)
				if in && ItemCount(s.Map.Items.Quantile(1)) > b {
					out = append(out, s.Name)
				}
				walk(s.Map.Iterator, in || b > 1)
			}
		}
	}
	walk(w.Steps, false)
	return out
}

// CheckSpills returns an error naming every Map of SpillingMaps with why, when why (the
// platform's reason, platform.Platform.NoSpills) is not empty and some Map would spill.
func (p *Plan) CheckSpills(w *Workflow, why string) error {
	if why == "" {
		return nil
	}
	maps := p.SpillingMaps(w)
	if len(maps) == 0 {
		return nil
	}
	var each []string
	for _, name := range maps {
		items := w.Step(name).Map.Items.Quantile(1)
		each = append(each, fmt.Sprintf("Map %q runs in a VM with bundle[%q] = %d and up to %.0f items, so the VM would invoke executions for the rest", name, name, p.BundleOf(name), items))
	}
	return fmt.Errorf("plan for workflow %q: %s: %s", w.Name, strings.Join(each, "; "), why)
}

// SharedMB is the memory that co-located copies of seq can share (the smallest SharedMemoryMB of
// its functions, as every function in the chain is present in each copy).
func (p *Plan) SharedMB(w *Workflow, seq []Step) int {
	s := -1
	WalkTasks(seq, func(fn string) {
		v := w.Function(fn).SharedMemoryMB
		if s < 0 || v < s {
			s = v
		}
	})
	return max(s, 0)
}

// WalkTasks calls fn with the function name of every task in seq, nested ones included, in order.
func WalkTasks(seq []Step, fn func(string)) {
	for i := range seq {
		s := &seq[i]
		if s.Task != "" {
			fn(s.Task)
		}
		for _, br := range s.Parallel {
			WalkTasks(br, fn)
		}
		if s.Map != nil {
			WalkTasks(s.Map.Iterator, fn)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
