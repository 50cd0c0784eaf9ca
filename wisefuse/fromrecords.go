// FromRecords: a profile from a platform's records of unfused, unbundled runs, with the
// orchestration gaps measured from the timestamps.

package wisefuse

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/records"
)

// FromRecords builds a profile from simulator records: the invocations and DAG runs of runs made
// with every function at one memory size, the run's, but for functions that need more, which run
// at their need (ProfileBy's plans): a run's size is the least MemoryMB of its invocations, and
// a function above it must run at one memory in all the runs of that size. Several sizes may be
// mixed, their runs numbered apart. The plans profiled must be unfused and unbundled. dags may be nil: each run's
// arrival and end are then taken from its first invocation's start and last invocation's end, so
// the gaps before the first step and after the last one read as zero. A run that failed (a
// record TimedOut, or its DAG record TimedOut or Rejected) is left out and counted in
// Profile.FailedRuns, as ProfileBy does.
func FromRecords(w *dag.Workflow, invs []records.Invocation, dags []records.DAGRun) (*Profile, error) {
	if err := CheckSupported(w); err != nil {
		return nil, err
	}
	// Group by run; a run's size is the least memory its invocations ran at. Then take the runs
	// by size, then by run.
	type runKey struct{ mem, run int }
	byRun := map[int][]int{}
	check := RecordCheck(w)
	for i := range invs {
		in := &invs[i]
		if err := check(in); err != nil {
			return nil, fmt.Errorf("wisefuse: invocation %d: %w", i, err)
		}
		byRun[in.Run] = append(byRun[in.Run], i)
	}
	dagByRun := map[int]*records.DAGRun{}
	for i := range dags {
		dagByRun[dags[i].Run] = &dags[i]
	}
	keys := make([]runKey, 0, len(byRun))
	for run, is := range byRun {
		mem := math.MaxInt
		for _, i := range is {
			mem = min(mem, invs[i].MemoryMB)
		}
		keys = append(keys, runKey{mem, run})
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].mem != keys[j].mem {
			return keys[i].mem < keys[j].mem
		}
		return keys[i].run < keys[j].run
	})
	b := newProfileBuilder(w)
	for _, k := range keys {
		b.ptrs = b.ptrs[:0]
		for _, i := range byRun[k.run] {
			b.ptrs = append(b.ptrs, &invs[i])
		}
		d := dagByRun[k.run]
		delete(dagByRun, k.run)
		if b.failed(b.ptrs, d, k.mem) {
			continue
		}
		if err := b.addRun(k.run, k.mem, b.ptrs, d); err != nil {
			return nil, err
		}
	}
	// The runs that have no invocation records (rejected before their first): only the DAG
	// records tell of them.
	for i := range dags {
		if d := &dags[i]; dagByRun[d.Run] == d {
			b.failed(nil, d, 0)
		}
	}
	p, err := b.profile()
	if err != nil {
		return nil, err
	}
	// Records that pass every check above can still contradict each other (an invocation that
	// ends after the next step starts, or after its run's end): their profile would be written,
	// then refused by ReadProfile ("gap_s[0] = -1e+308"). Refuse it here, before it is written.
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("wisefuse: the records of workflow %q contradict each other (edited, or not of one simulation?): %w", w.Name, err)
	}
	return p, nil
}

// RecordCheck returns the check FromRecords makes of each record, in order, for a caller that
// reads records from files and can say which file and line holds a bad one: the record is of a
// task step of w, unbundled (recordCheck), every record of a function in a run has one memory
// size (a plan gives a function one), and a VM of a run runs one function (the plan fuses none:
// a fused plan's records were profiled as if each function ran alone, 10% faster). Profiling in
// the simulator runs unfused plans, and checks only what recordCheck does.
func RecordCheck(w *dag.Workflow) func(*records.Invocation) error {
	check := recordCheck(w)
	type runFn struct {
		run int
		fn  string
	}
	type runVM struct{ run, vm int }
	fnMem := map[runFn]int{}
	vmFn := map[runVM]string{}
	return func(in *records.Invocation) error {
		if err := check(in); err != nil {
			return err
		}
		k := runFn{in.Run, in.Function}
		if m, ok := fnMem[k]; ok && m != in.MemoryMB {
			return fmt.Errorf("run %d runs function %q at %d and %d MB; a profiling run gives each function one size", in.Run, in.Function, m, in.MemoryMB)
		}
		fnMem[k] = in.MemoryMB
		if in.VM > 0 { // 0: no VM id (the simulator numbers its VMs from 1)
			v := runVM{in.Run, in.VM}
			if fn, ok := vmFn[v]; ok && fn != in.Function {
				return fmt.Errorf("run %d: VM %d runs functions %q and %q: the records are of a plan that fuses them; profile unfused, unbundled plans", in.Run, in.VM, fn, in.Function)
			}
			vmFn[v] = in.Function
		}
		return nil
	}
}

// recordCheck returns the check of one record on its own: its step is a task step of w and its
// function that step's (records of another workflow, or edited by hand, were once profiled under
// the wrong function), and the run is unbundled.
func recordCheck(w *dag.Workflow) func(*records.Invocation) error {
	steps := map[string]*dag.Step{}
	maps := map[string][]*dag.Step{} // each step's enclosing Maps, outermost first
	w.Walk(func(path []string, s *dag.Step) {
		steps[s.Name] = s
		for _, name := range path[:len(path)-1] {
			if m := steps[name]; m != nil && m.Map != nil {
				maps[s.Name] = append(maps[s.Name], m)
			}
		}
	})
	// itemsOf is how many items Map m runs: its fixed count, else any up to dag.MaxItems.
	itemsOf := func(m *dag.Step) int {
		if n, fixed := m.Map.FixedItems(); fixed {
			return n
		}
		return dag.MaxItems
	}
	return func(in *records.Invocation) error {
		st := steps[in.Step]
		items := 1 // outside a Map, item 0
		if ms := maps[in.Step]; len(ms) > 0 {
			items = itemsOf(ms[len(ms)-1])
		}
		if st != nil {
			if err := checkOuter(in, maps[in.Step], itemsOf); err != nil {
				return err
			}
		}
		switch {
		case st == nil:
			return fmt.Errorf("step %q is not in workflow %q", in.Step, w.Name)
		case st.Kind() != dag.TaskStep:
			return fmt.Errorf("step %q is a %s step of workflow %q; a record is of a task step", in.Step, st.Kind(), w.Name)
		case in.Function != st.Task:
			return fmt.Errorf("function %q, but step %q of workflow %q runs function %q", in.Function, in.Step, w.Name, st.Task)
		case in.Item < 0 || in.Item >= items:
			// An item index past its Map's items was reported as a bundle ("item 1000000000 is
			// in bundle 10; profile unbundled plans").
			return fmt.Errorf("run %d, step %q: item %d, want 0..%d (the items of its Map, or 0 outside one)", in.Run, in.Step, in.Item, min(items, dag.MaxItems)-1)
		case in.Init+in.Download+in.Compute+in.Upload > (in.End-in.Start)+1e-6*max(1, in.End-in.Start):
			// The phases run one after the other between start and end (a compute_s of 1e11 in an
			// invocation of 4.85 s was profiled, and the model predicted timed-out runs).
			return fmt.Errorf("run %d, step %q: init_s + download_s + compute_s + upload_s = %v s, more than end_s - start_s = %v s: the phases run between start and end",
				in.Run, in.Step, in.Init+in.Download+in.Compute+in.Upload, in.End-in.Start)
		case in.Bundle != 0 && in.Bundle != in.Item:
			return fmt.Errorf("run %d, step %q: item %d is in bundle %d; profile unbundled plans", in.Run, in.Step, in.Item, in.Bundle)
		}
		return nil
	}
}

// checkOuter checks record in's outer items against the Maps around its step (ms, outermost
// first): one item for each Map around its innermost, each in the canonical decimal form the
// simulator writes ("0/1", not "00/1", which was read as another item) and within that Map's items
// (999999999 was profiled for a Map of 3). A step in no Map nested in a Map has none.
func checkOuter(in *records.Invocation, ms []*dag.Step, itemsOf func(*dag.Step) int) error {
	parts := 0
	if in.Outer != "" {
		parts = strings.Count(in.Outer, string(records.OuterSep)) + 1
	}
	want := max(len(ms)-1, 0)
	switch {
	case parts == want:
	case want == 0:
		return fmt.Errorf("run %d, step %q: outer items %q, but the step is in no Map nested in another: want none (\"\")", in.Run, in.Step, in.Outer)
	case parts == 0:
		return fmt.Errorf("run %d, step %q: no outer items, want the items of the %d Maps around map %q (a record table without the outer column, which older versions did not write, lacks them: simulate again)",
			in.Run, in.Step, want, ms[len(ms)-1].Name)
	default:
		return fmt.Errorf("run %d, step %q: outer items %q, want the items of the %d Maps around map %q, outermost first, separated by %q", in.Run, in.Step, in.Outer, want, ms[len(ms)-1].Name, records.OuterSep)
	}
	// Walked without allocating: the profiler checks every record of a nested Map this way.
	rest := in.Outer
	for i := range parts {
		part, after, _ := strings.Cut(rest, string(records.OuterSep))
		rest = after
		v, err := strconv.Atoi(part)
		canonical := err == nil && (part == "0" || part[0] >= '1' && part[0] <= '9') // no sign, no leading 0
		if n := itemsOf(ms[i]); !canonical || v >= n {
			return fmt.Errorf("run %d, step %q: outer items %q: %q for map %q, want an item 0..%d written as the simulator writes it", in.Run, in.Step, in.Outer, part, ms[i].Name, n-1)
		}
	}
	return nil
}

// maxProfileSamples bounds the invocation records a profile made in the simulator keeps. A
// `plan` process holds about 200 bytes per record kept (the profile, the model built from it and
// the runs in flight: 3.3 GB for the 1.6 x 10^7 of the thumbnails example widened to 10^5 items,
// which then planned for over 10 minutes), and a profile file about 88 (`profile --simulate` of
// those 1.6 x 10^7 wrote 1.4 GB, past the 1 GiB a profile file may be). At this bound a plan
// holds about 2 GB and its profile file fits; a Map of 10^6 items profiled at the least budget
// (20 runs at 4 sizes, 8 x 10^7 records) had a trace replay past 6 GB. The widest Azure DAG's
// Map (35,385 items) at that budget keeps 2.8 x 10^6.
var maxProfileSamples = 10_000_000 // a variable for TestProfileSamplesBound

// profileBuilder builds a profile run by run, in order of memory size, then run.
type profileBuilder struct {
	w     *dag.Workflow
	asRun *dag.Workflow // w as its runs are read: tasklessAsPasses
	check func(*records.Invocation) error
	p     *Profile
	ptrs  []*records.Invocation
	runs  int // runs added through addRecords
	// samples counts the invocation records addRecords has kept (maxProfileSamples).
	samples int
	// rejected counts the runs of p.FailedRuns that failed at the concurrency limit (the others
	// timed out).
	rejected int
	// timedOut counts the runs the function timeout stopped, per size and top-level step (the
	// one whose VM, or a VM of a step nested in it, was stopped): StageGaps.TimedOut of the sizes
	// that kept runs.
	timedOut map[[2]int]int
}

func newProfileBuilder(w *dag.Workflow) *profileBuilder {
	return &profileBuilder{w: w, asRun: tasklessAsPasses(w), check: recordCheck(w), p: &Profile{Workflow: Skeleton(w), Source: "simulator records"}}
}

// addRecords is the RunSink of ProfileBy: it checks one run's records as FromRecords does (the
// memory checks within the run, in SizeProfile.addRun, so nothing is kept across runs) and adds
// the run.
func (b *profileBuilder) addRecords(invs []records.Invocation, d *records.DAGRun) error {
	run := b.runs
	b.runs++
	if b.samples += len(invs); b.samples > maxProfileSamples {
		return fmt.Errorf("wisefuse: profiling %s keeps more than %d invocation samples (run %d made %d invocations), the most a profile holds in memory: profile fewer runs or sizes, or a narrower workflow",
			b.w.Name, maxProfileSamples, run, len(invs))
	}
	b.ptrs = b.ptrs[:0]
	mem := math.MaxInt // the run's size: the least memory it ran a function at
	for i := range invs {
		in := &invs[i]
		if err := b.check(in); err != nil {
			return &RunError{Run: run, Err: fmt.Errorf("invocation %d: %w", i, err)}
		}
		mem = min(mem, in.MemoryMB)
		b.ptrs = append(b.ptrs, in)
	}
	if b.failed(b.ptrs, d, mem) || len(invs) == 0 {
		return nil
	}
	if n := len(b.p.Sizes); n > 0 && mem < b.p.Sizes[n-1].MemoryMB {
		return &RunError{Run: run, Err: fmt.Errorf("at %d MB comes after runs at %d MB; profile sizes in increasing order", mem, b.p.Sizes[n-1].MemoryMB)}
	}
	return b.addRun(run, mem, b.ptrs, d)
}

// failed reports whether the run of records ins at size mem and DAG record d (nil when the
// records came without one) failed, and counts it in Profile.FailedRuns if so: an acquisition
// failed at the concurrency limit (a step's retry ran out), or a VM invocation was stopped at the
// function timeout. The run stopped there and its later steps have no records, so its times are
// not a run's. A run without records (rejected before its first invocation) is judged by d alone.
func (b *profileBuilder) failed(ins []*records.Invocation, d *records.DAGRun, mem int) bool {
	if d != nil && d.Rejected {
		b.p.FailedRuns++
		b.rejected++
		return true
	}
	timedOut := d != nil && d.TimedOut
	for _, in := range ins {
		if in.TimedOut { // the run's first: the one that stopped it
			b.countTimedOut(in, mem)
			timedOut = true
			break
		}
	}
	if timedOut {
		b.p.FailedRuns++
	}
	return timedOut
}

// countTimedOut counts a run at size mem that in, the invocation the function timeout stopped,
// ended: under its size and its top-level step (timedOut).
func (b *profileBuilder) countTimedOut(in *records.Invocation, mem int) {
	if k := b.topStep(in.Step); k >= 0 {
		if b.timedOut == nil {
			b.timedOut = map[[2]int]int{}
		}
		b.timedOut[[2]int{mem, k}]++
	}
}

// addRun adds run (numbered as the caller numbers it, for errors) of the records ins at mem MB.
func (b *profileBuilder) addRun(run, mem int, ins []*records.Invocation, d *records.DAGRun) error {
	if n := len(b.p.Sizes); n == 0 || b.p.Sizes[n-1].MemoryMB != mem {
		b.p.Sizes = append(b.p.Sizes, newSizeProfile(b.w, mem))
	}
	if err := b.p.Sizes[len(b.p.Sizes)-1].addRun(b.asRun, ins, d); err != nil {
		return &RunError{Run: run, Err: fmt.Errorf("at %d MB: %w", mem, err)}
	}
	return nil
}

// RunError is an error of one run of the records FromRecords was given (Run as numbered there),
// for a caller that merged several files to name the file and the run in its numbering.
type RunError struct {
	Run int
	Err error
}

func (e *RunError) Error() string { return fmt.Sprintf("wisefuse: run %d: %v", e.Run, e.Err) }
func (e *RunError) Unwrap() error { return e.Err }

// topStep returns the index of the top-level step of w that is, or holds, step name (-1: none).
func (b *profileBuilder) topStep(name string) int {
	top := ""
	b.w.Walk(func(path []string, s *dag.Step) {
		if top == "" && s.Name == name {
			top = path[0]
		}
	})
	for k := range b.w.Steps {
		if b.w.Steps[k].Name == top {
			return k
		}
	}
	return -1
}

func (b *profileBuilder) profile() (*Profile, error) {
	for i := range b.p.Sizes {
		s := &b.p.Sizes[i]
		for k := range s.Stages {
			s.Stages[k].TimedOut = b.timedOut[[2]int{s.MemoryMB, k}]
		}
	}
	// The sizes whose every run failed, some of them at the function timeout.
	var lost []int
	for k := range b.timedOut {
		if mem := k[0]; b.p.Size(mem) == nil && !slices.Contains(lost, mem) {
			lost = append(lost, mem)
		}
	}
	slices.Sort(lost)
	for _, mem := range lost {
		l := LostSize{MemoryMB: mem}
		for k, st := range b.w.Steps {
			if b.timedOut[[2]int{mem, k}] > 0 {
				l.TimedOut = append(l.TimedOut, st.Name)
			}
		}
		b.p.Lost = append(b.p.Lost, l)
	}
	if len(b.p.Sizes) == 0 {
		switch {
		case b.p.FailedRuns > 0 && b.rejected == 0:
			return nil, fmt.Errorf("wisefuse: all %d profiling runs stopped at the platform's function timeout (function_timeout_s), so there is nothing to profile: a function's work is too long for the platform", b.p.FailedRuns)
		case b.p.FailedRuns > 0:
			return nil, fmt.Errorf("wisefuse: all %d profiling runs failed (%d rejected at the platform's concurrency limit, concurrency_limit, after a step's retries ran out; %d stopped at the function timeout), so there is nothing to profile: the workflow runs more invocations at once than the platform allows", b.p.FailedRuns, b.rejected, b.p.FailedRuns-b.rejected)
		}
		return nil, fmt.Errorf("wisefuse: no invocations to profile")
	}
	return b.p, nil
}

// addRun appends one run (its invocations ins) to the size profile. The run's index in the
// profile is its position, so runs are renumbered 0..Runs-1.
func (s *SizeProfile) addRun(w *dag.Workflow, ins []*records.Invocation, d *records.DAGRun) error {
	run := s.Runs
	byStep := map[string][]*records.Invocation{}
	first, last := math.Inf(1), math.Inf(-1)
	for _, in := range ins {
		byStep[in.Step] = append(byStep[in.Step], in)
		first, last = math.Min(first, in.Start), math.Max(last, in.End)
	}
	if err := s.noteMemory(byStep); err != nil {
		return err
	}
	arrival, end := first, last
	if d != nil {
		arrival, end = d.Arrival, d.End
	}
	prevEnd := arrival
	for si, st := range w.Steps {
		switch {
		case st.Task != "":
			ins := byStep[st.Name]
			if len(ins) != 1 {
				return fmt.Errorf("step %q has %d invocations, want 1", st.Name, len(ins))
			}
			s.Stages[si].Gap = append(s.Stages[si].Gap, ins[0].Start-prevEnd)
			s.Step(st.Name).add(run, 0, 0, ins[0])
			prevEnd = ins[0].End
		case st.Pass:
			s.Stages[si].Gap = append(s.Stages[si].Gap, 0) // absorbed in the next step's gap
		case isNested(&st):
			stop, err := s.addNested(run, si, &st, byStep, prevEnd)
			if err != nil {
				return err
			}
			prevEnd = stop
		case st.Map != nil:
			start, stop := math.Inf(1), math.Inf(-1)
			for _, it := range st.Map.Iterator {
				for _, in := range byStep[it.Name] {
					start, stop = math.Min(start, in.Start), math.Max(stop, in.End)
				}
			}
			if math.IsInf(start, 0) {
				return fmt.Errorf("map %q has no invocations", st.Name)
			}
			s.Stages[si].Gap = append(s.Stages[si].Gap, start-prevEnd)
			itemEnd := map[int]float64{} // end of each item's previous iterator step
			for _, it := range st.Map.Iterator {
				if it.Task == "" {
					continue
				}
				if n, fixed := st.Map.FixedItems(); fixed && len(byStep[it.Name]) != n {
					// Records of 22 items profiled under a workflow of 5 predicted 3.8 times the cost.
					return fmt.Errorf("map %q: step %q has %d invocations, but the workflow's map has %d items (records of a workflow of another width?)", st.Name, it.Name, len(byStep[it.Name]), n)
				}
				ins := slices.Clone(byStep[it.Name])
				sort.Slice(ins, func(a, b int) bool { return ins[a].Item < ins[b].Item })
				smp := s.Step(it.Name)
				for _, in := range ins {
					prev, ok := itemEnd[in.Item]
					if !ok {
						prev = start
					}
					smp.add(run, in.Item, in.Start-prev, in)
					itemEnd[in.Item] = in.End
				}
			}
			prevEnd = stop
		}
	}
	s.EndGap = append(s.EndGap, end-prevEnd)
	s.E2E = append(s.E2E, end-arrival)
	s.Runs++
	return nil
}

// noteMemory records, from a step's first record at this size, the memory its function ran at
// when above the size (StepSamples.MemoryMB: a function that needs more ran at its need), and
// refuses a record at another memory: the step's samples would mix sizes.
func (s *SizeProfile) noteMemory(byStep map[string][]*records.Invocation) error {
	for i := range s.Steps {
		st := &s.Steps[i]
		for k, in := range byStep[st.Step] {
			mem := 0
			if in.MemoryMB != s.MemoryMB {
				mem = in.MemoryMB
			}
			if k == 0 && st.Len() == 0 {
				st.MemoryMB = mem
			}
			if mem != st.MemoryMB {
				return fmt.Errorf("step %q ran at %d MB, but at %d MB in the size's earlier invocations; a profiled size runs each function at one memory", st.Step, in.MemoryMB, st.memoryAt(s))
			}
		}
	}
	return nil
}
