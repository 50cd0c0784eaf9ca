// Profile and its parts, what the modeler reads: the workflow's skeleton and, per profiled size,
// every invocation's times; validation, JSON files, and real profiling logs (ReadLogs).

package wisefuse

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/atomicfile"
	"github.com/wisefuse/wisefuse/internal/jsonpos"
	"github.com/wisefuse/wisefuse/records"
)

// Profile is everything the modeler knows about a workflow: its structure (no performance
// parameters) and, per profiled memory size, the measured times of every invocation, tagged with
// the run and the item they belong to so that values that occurred together stay together.
type Profile struct {
	// Workflow is the structure only (see Skeleton): step names and kinds, function names and
	// their memory needs. It carries no work, data-size or variability parameters.
	Workflow *dag.Workflow `json:"workflow"`
	Source   string        `json:"source"` // where the samples came from (records, logs)
	// Platform names the platform a simulated profile was measured on (a built-in's name or
	// the file given), and PlatformSHA256 its settings (ProfilingDigest since session 17, which
	// leaves out the concurrency limit and what happens there; platform.Platform.Digest
	// before): the times are that platform's (cores per MB, storage, cold starts), so planning
	// on another one from them predicts another platform's latencies. Empty for profiles of
	// logs or records, and for profiles written before session 15.
	Platform       string `json:"platform,omitempty"`
	PlatformSHA256 string `json:"platform_sha256,omitempty"`
	// ProfiledConcurrencyLimit is the account's concurrency limit the profiling runs had:
	// ProfilingPlatform's for a profile made in the simulator (the limit lifted, so no item
	// waited for a slot, and the modeler puts the plan's platform's limit back, concOf); 0 for
	// logs, records and profiles written before session 17, whose items' gaps hold whatever
	// queue their limit made.
	ProfiledConcurrencyLimit int `json:"profiled_concurrency_limit,omitempty"`
	// Origin is OriginLogs for a profile read from real logs (ReadLogs): one time per stage and
	// run, which the log modeler (LogModel, via Logs) predicts from, not the invocation model.
	Origin string        `json:"origin,omitempty"`
	Sizes  []SizeProfile `json:"sizes"` // one per profiled memory size, ascending
	// FailedRuns counts the profiling runs left out because they failed: the platform stopped one
	// of their invocations at the function timeout, or rejected one at its concurrency limit (a
	// step whose retry ran out). A failed execution's logs stop where it failed, so its later
	// steps have no samples. The model then predicts from the runs that completed, which
	// understates the tail of a workflow that comes near the timeout or the limit.
	FailedRuns int `json:"failed_runs,omitempty"`
	// Lost holds the profiled sizes none of whose runs finished, which so keep no samples: what
	// the profile knows of them is where the function timeout stopped their runs. The planner
	// sizes those steps no smaller than the next profiled size above them (Model.floorMB).
	Lost []LostSize `json:"lost_sizes,omitempty"`

	// logWarnings holds what ReadLogs found implausible in the logs, naming their files; non-nil
	// for a profile ReadLogs made (LogWarnings).
	logWarnings []string
}

// LostSize is a profiled size none of whose runs finished (Profile.Lost).
type LostSize struct {
	MemoryMB int `json:"memory_mb"`
	// TimedOut names the top-level steps in which the function timeout stopped some of its runs
	// (in workflow order; the platform's concurrency limit may have rejected the others).
	TimedOut []string `json:"timed_out_steps"`
}

// SizeProfile holds the runs profiled with every function at MemoryMB, but for those that need
// more: they ran at their need, which their steps' StepSamples.MemoryMB records.
type SizeProfile struct {
	MemoryMB int       `json:"memory_mb"`
	Runs     int       `json:"runs"`
	E2E      []float64 `json:"e2e_s"`     // per run: end-to-end latency
	EndGap   []float64 `json:"end_gap_s"` // per run: from the end of the last step to the end of the run
	// Stages holds, per top-level step, the orchestration gap before it in each run: from the end
	// of the previous step (or the run's arrival) to the step's first invocation.
	Stages []StageGaps `json:"stages"`
	// Steps holds the invocations of every Task step, top-level or nested in Maps and Parallel
	// branches.
	Steps []StepSamples `json:"steps"`
}

// StageGaps is the per-run orchestration gap before one top-level step.
type StageGaps struct {
	Step string    `json:"step"`
	Gap  []float64 `json:"gap_s"`
	// TimedOut counts the profiling runs at this size that the platform's function timeout
	// stopped in this step (a VM of it, or of a step nested in it): they are left out of the
	// samples (Profile.FailedRuns), and the model counts them back as runs that fail
	// (Model.withTimedOut).
	TimedOut int `json:"timed_out_runs,omitempty"`
}

// StepSamples is every invocation of one Task step at one size: parallel arrays, one entry per
// invocation. Gap is the orchestration delay before the invocation: 0 for a top-level step (its
// gap is in StageGaps); for the first step of a top-level Map's iterator or of a top-level
// Parallel's branch, the delay after the stage's first invocation started; for a later step, the
// delay after the previous step of its sequence ended. A Map or Parallel nested in a sequence
// has no gap of its own: its items' (branches') first steps measure theirs from the end of the
// step before it (or from the start of the enclosing sequence).
//
// Item is the item of the innermost enclosing Map (0 outside Maps). Outer, only for steps inside a
// Map nested in another Map's iterator, is the outer Map's item as text (Maps nested deeper: the
// items of all the enclosing Maps, outermost first, as records.Invocation's Outer: "1/3"); empty
// otherwise.
type StepSamples struct {
	Step     string    `json:"step"`
	Function string    `json:"function"`
	Run      []int     `json:"run"`
	Item     []int     `json:"item"`
	Outer    []string  `json:"outer,omitempty"`
	Gap      []float64 `json:"gap_s"`
	Init     []float64 `json:"init_s"`
	Download []float64 `json:"download_s"`
	Compute  []float64 `json:"compute_s"`
	Upload   []float64 `json:"upload_s"`
	// InBytes and OutBytes are the mean bytes an invocation read and wrote (0: not recorded, as
	// in real logs). The bundle replay uses them to share a VM's network between its items.
	InBytes  float64 `json:"in_bytes,omitempty"`
	OutBytes float64 `json:"out_bytes,omitempty"`
	// MemoryMB is the memory the step's function ran at when above its size's (0: the size's):
	// a function that needs more than a profiled size runs at its need there (ProfileBy), so
	// the other functions are still profiled at every size, not only at the largest need.
	MemoryMB int `json:"memory_mb,omitempty"`
}

// memoryAt is the memory st's function ran at in the runs of size s.
func (st *StepSamples) memoryAt(s *SizeProfile) int {
	if st.MemoryMB > 0 {
		return st.MemoryMB
	}
	return s.MemoryMB
}

// Len returns the number of invocations.
func (s *StepSamples) Len() int { return len(s.Run) }

// Total returns invocation i's time from its start to its end (init, download, compute, upload).
func (s *StepSamples) Total(i int) float64 {
	return s.Init[i] + s.Download[i] + s.Compute[i] + s.Upload[i]
}

func (s *StepSamples) add(run, item int, gap float64, in *records.Invocation) {
	s.Run = append(s.Run, run)
	s.Item = append(s.Item, item)
	s.Gap = append(s.Gap, gap)
	s.Init = append(s.Init, in.Init)
	s.Download = append(s.Download, in.Download)
	s.Compute = append(s.Compute, in.Compute)
	s.Upload = append(s.Upload, in.Upload)
	n := float64(len(s.Run))
	s.InBytes += (in.InBytes - s.InBytes) / n
	s.OutBytes += (in.OutBytes - s.OutBytes) / n
}

// Size returns the profile at memMB, or nil.
func (p *Profile) Size(memMB int) *SizeProfile {
	for i := range p.Sizes {
		if p.Sizes[i].MemoryMB == memMB {
			return &p.Sizes[i]
		}
	}
	return nil
}

// Step returns the samples of step name, or nil.
func (s *SizeProfile) Step(name string) *StepSamples {
	for i := range s.Steps {
		if s.Steps[i].Step == name {
			return &s.Steps[i]
		}
	}
	return nil
}

// StageGap returns the per-run gaps before top-level step name, or nil.
func (s *SizeProfile) StageGap(name string) []float64 {
	for i := range s.Stages {
		if s.Stages[i].Step == name {
			return s.Stages[i].Gap
		}
	}
	return nil
}

// Skeleton returns a copy of w's structure without its performance model: function names,
// memory needs and storage requests per read and write (what the storage bill counts), step names and kinds, and each Map's item count as a fixed number (the rounded
// mean, which the planner needs to bound bundle sizes) and MaxConcurrency (a limit the deployment
// sets, under which the modeler runs the items in waves), and each step's Retry (whether a
// throttle at the account's limit fails the run, Model.rejected). Everything the simulator draws from --
// work, threads, data sizes, init times, skew and run factors -- is dropped, so a modeler holding
// only the skeleton and profiles cannot read the hidden parameters.
func Skeleton(w *dag.Workflow) *dag.Workflow {
	s := &dag.Workflow{Name: w.Name}
	for _, f := range w.Functions {
		s.Functions = append(s.Functions, dag.Function{
			Name: f.Name, MinMemoryMB: f.MinMemoryMB, SharedMemoryMB: f.SharedMemoryMB, Threads: 1,
			InputRequests: f.InputRequests, OutputRequests: f.OutputRequests,
		})
	}
	var copySeq func(seq []dag.Step) []dag.Step
	copySeq = func(seq []dag.Step) []dag.Step {
		out := make([]dag.Step, len(seq))
		for i, st := range seq {
			out[i] = dag.Step{Name: st.Name, Task: st.Task, Pass: st.Pass, Retry: st.Retry}
			for _, br := range st.Parallel {
				out[i].Parallel = append(out[i].Parallel, copySeq(br))
			}
			if st.Map != nil {
				out[i].Map = &dag.Map{
					Items:          dag.Const(float64(dag.ItemCount(st.Map.Items.ExpectedValue()))),
					Iterator:       copySeq(st.Map.Iterator),
					MaxConcurrency: st.Map.MaxConcurrency,
				}
			}
		}
		return out
	}
	s.Steps = copySeq(w.Steps)
	return s
}

// tasklessAsPasses returns w with every top-level Map or Parallel that holds no task at any depth
// (Passes only) replaced by a Pass of its name: such a step only costs its states' transitions,
// and, as a Pass, what its states take lands in the gap of the step after it, which is how the
// profile and the modeler see it. It returns w itself when there is none.
func tasklessAsPasses(w *dag.Workflow) *dag.Workflow {
	var out *dag.Workflow
	for i := range w.Steps {
		st := &w.Steps[i]
		if st.Task != "" || st.Pass || len(nestedTasks(st)) > 0 {
			continue
		}
		if out == nil {
			c := *w
			c.Steps = slices.Clone(w.Steps)
			out = &c
		}
		out.Steps[i] = dag.Step{Name: st.Name, Pass: true}
	}
	if out == nil {
		return w
	}
	return out
}

func newSizeProfile(w *dag.Workflow, mem int) SizeProfile {
	s := SizeProfile{MemoryMB: mem}
	for _, st := range w.Steps {
		s.Stages = append(s.Stages, StageGaps{Step: st.Name})
	}
	w.Walk(func(_ []string, st *dag.Step) {
		if st.Task != "" {
			s.Steps = append(s.Steps, StepSamples{Step: st.Name, Function: st.Task})
		}
	})
	return s
}

// Validate checks that the profile is usable: sizes ascending and distinct, every size with runs,
// and per-run arrays of the right length. It reports every problem at once, up to
// jsonpos.MaxProblems.
func (p *Profile) Validate() error {
	probs := p.validate()
	if len(probs) == 0 {
		return nil
	}
	msgs := make([]string, len(probs))
	for i, pr := range probs {
		msgs[i] = pr.msg
	}
	return errors.New(jsonpos.JoinProblems(msgs))
}

// problem is one invalid value of a profile: the JSON path of the value at fault
// ("sizes[0].e2e_s[3]"; "" for the whole profile), for ReadProfile to find its line, and what is
// wrong.
type problem struct{ path, msg string }

// validate is Validate's list of problems, in file order. A problem that makes the checks below
// it meaningless (no workflow, arrays of different lengths) ends the checks of what it spoils.
func (p *Profile) validate() []problem {
	var probs []problem
	add := func(path, format string, a ...any) {
		probs = append(probs, problem{path, fmt.Sprintf(format, a...)})
	}
	if p.Workflow == nil {
		add("workflow", "profile has no workflow structure")
		return probs
	}
	if err := CheckSupported(p.Workflow); err != nil {
		add("workflow", "%v", err)
		return probs
	}
	// The workflow's own checks and limits: a profile's map of 10^12 items (dag.MaxItems is
	// 10^6) was read as 2^31-1 items and planned from.
	if err := p.Workflow.Validate(); err != nil {
		add("workflow", "workflow: %v", err)
		return probs
	}
	if len(p.Sizes) == 0 {
		add("sizes", "profile has no sizes")
	}
	if p.ProfiledConcurrencyLimit < 0 {
		add("profiled_concurrency_limit", "profiled_concurrency_limit = %d, want a count of concurrent executions (0: not known)", p.ProfiledConcurrencyLimit)
	}
	// The items a step's samples may name: 0 outside Maps, 0 to dag.MaxItems-1 in one (the
	// skeleton's item counts are the expected ones, not each run's).
	itemsOf := map[string]int{}
	var tasks []string // the task steps, each of which has samples at every size
	var walk func(steps []dag.Step, items int)
	walk = func(steps []dag.Step, items int) {
		for i := range steps {
			st := &steps[i]
			itemsOf[st.Name] = items
			if st.Task != "" {
				tasks = append(tasks, st.Name)
			}
			for _, b := range st.Parallel {
				walk(b, items)
			}
			if st.Map != nil {
				walk(st.Map.Iterator, dag.MaxItems)
			}
		}
	}
	walk(p.Workflow.Steps, 1)
	for i := range p.Sizes {
		s := &p.Sizes[i]
		at := fmt.Sprintf("sizes[%d] (%d MB)", i, s.MemoryMB)
		path := fmt.Sprintf("sizes[%d]", i)
		if s.MemoryMB < dag.MinMemoryMB || s.MemoryMB > dag.MaxMemoryMB {
			add(path+".memory_mb", "%s: memory_mb out of %d..%d", at, dag.MinMemoryMB, dag.MaxMemoryMB)
		} else if i > 0 && s.MemoryMB <= p.Sizes[i-1].MemoryMB {
			add(path+".memory_mb", "%s: sizes must be ascending and distinct", at)
		}
		switch {
		case s.Runs < 1:
			// Missing, it read as 0, and every step's runs were then out of 0..-1.
			add(path+".runs", "%s: runs = %d, want the count of runs profiled at this size, >= 1 (is \"runs\" missing?)", at, s.Runs)
		case len(s.E2E) != s.Runs || len(s.EndGap) != s.Runs:
			add(path+".runs", "%s: runs = %d but e2e_s has %d and end_gap_s %d values", at, s.Runs, len(s.E2E), len(s.EndGap))
		}
		if k := badValue(s.E2E); k >= 0 {
			add(fmt.Sprintf("%s.e2e_s[%d]", path, k), "%s: e2e_s[%d] = %v, want a finite number >= 0", at, k, s.E2E[k])
		} else if k := above(s.E2E, MaxProfileSeconds); k >= 0 {
			add(fmt.Sprintf("%s.e2e_s[%d]", path, k), "%s: e2e_s[%d] = %v s, %s", at, k, s.E2E[k], maxProfileWhy)
		}
		if k := badValue(s.EndGap); k >= 0 {
			add(fmt.Sprintf("%s.end_gap_s[%d]", path, k), "%s: end_gap_s[%d] = %v, want a finite number >= 0", at, k, s.EndGap[k])
		} else if k := above(s.EndGap, MaxProfileSeconds); k >= 0 {
			add(fmt.Sprintf("%s.end_gap_s[%d]", path, k), "%s: end_gap_s[%d] = %v s, %s", at, k, s.EndGap[k], maxProfileWhy)
		}
		if len(s.Stages) != len(p.Workflow.Steps) {
			add(path+".stages", "%s: %d stages, want one per top-level step (%d)", at, len(s.Stages), len(p.Workflow.Steps))
		} else {
			for j, st := range s.Stages {
				switch {
				case st.Step != p.Workflow.Steps[j].Name:
					add(fmt.Sprintf("%s.stages[%d].step", path, j), "%s: stages[%d]: step %q, want %q (the workflow's top-level step %d)", at, j, st.Step, p.Workflow.Steps[j].Name, j)
				case len(st.Gap) != s.Runs:
					add(fmt.Sprintf("%s.stages[%d]", path, j), "%s: stages[%d] (%q): %d gaps, want one per run (%d)", at, j, st.Step, len(st.Gap), s.Runs)
				}
				if st.TimedOut < 0 {
					add(fmt.Sprintf("%s.stages[%d].timed_out_runs", path, j), "%s: stages[%d] (%q): timed_out_runs = %d, want a count >= 0", at, j, st.Step, st.TimedOut)
				}
				if k := badValue(st.Gap); k >= 0 {
					add(fmt.Sprintf("%s.stages[%d].gap_s[%d]", path, j, k), "%s: stages[%d] (%q): gap_s[%d] = %v, want a finite number >= 0", at, j, st.Step, k, st.Gap[k])
				} else if k := above(st.Gap, MaxProfileSeconds); k >= 0 {
					add(fmt.Sprintf("%s.stages[%d].gap_s[%d]", path, j, k), "%s: stages[%d] (%q): gap_s[%d] = %v s, %s", at, j, st.Step, k, st.Gap[k], maxProfileWhy)
				}
			}
		}
		e2eShort := false         // said once a size: an e2e_s below an invocation of its run
		ranAt := map[string]int{} // each function's memory at this size, from its first step
		listed := map[string]int{}
		for j := range s.Steps {
			st := &s.Steps[j]
			sp := fmt.Sprintf("%s.steps[%d]", path, j)
			if k, ok := listed[st.Step]; ok {
				// The model reads one entry per step: a second was ignored, silently.
				add(sp+".step", "%s: steps[%d]: step %q is listed twice (steps[%d] too); a size holds one entry per step", at, j, st.Step, k)
			}
			listed[st.Step] = j
			if m, ok := ranAt[st.Function]; ok && m != st.MemoryMB {
				add(sp+".memory_mb", "%s: steps[%d] (%q): function %q ran at memory_mb %d in an earlier step of this size and %d here; a profiled size runs each function at one memory", at, j, st.Step, st.Function, m, st.MemoryMB)
			}
			ranAt[st.Function] = st.MemoryMB
			if sk := p.Workflow.Step(st.Step); sk == nil || sk.Task != st.Function {
				add(sp+".step", "%s: steps[%d]: step %q running %q is not a task of the workflow", at, j, st.Step, st.Function)
			}
			n := st.Len()
			if n == 0 {
				add(sp, "%s: steps[%d] (%q) has no invocations", at, j, st.Step)
				continue
			}
			if len(st.Item) != n || (st.Outer != nil && len(st.Outer) != n) || len(st.Gap) != n || len(st.Init) != n || len(st.Download) != n || len(st.Compute) != n || len(st.Upload) != n {
				add(sp, "%s: steps[%d] (%q): arrays differ in length", at, j, st.Step)
				continue
			}
			if badValue([]float64{st.InBytes, st.OutBytes}) >= 0 || max(st.InBytes, st.OutBytes) > dag.MaxBytes {
				// 1e300 was read, and changed the plan without a word.
				add(sp, "%s: steps[%d] (%q): in_bytes %v, out_bytes %v: want finite numbers from 0 to %g (dag.MaxBytes, a workflow's limit)", at, j, st.Step, st.InBytes, st.OutBytes, float64(dag.MaxBytes))
			}
			phasesOK := true // else said here, and not again as an e2e_s below them
			for c, col := range [][]float64{st.Gap, st.Init, st.Download, st.Compute, st.Upload} {
				if k := badValue(col); k >= 0 {
					add(sp, "%s: steps[%d] (%q): invocation %d has a negative or non-finite time %v", at, j, st.Step, k, col[k])
					phasesOK = false
					break
				}
				if k := above(col, MaxProfileSeconds); k >= 0 {
					name := [...]string{"gap_s", "init_s", "download_s", "compute_s", "upload_s"}[c]
					add(fmt.Sprintf("%s.%s[%d]", sp, name, k), "%s: steps[%d] (%q): %s[%d] = %v s, %s", at, j, st.Step, name, k, col[k], maxProfileWhy)
					phasesOK = false
					break
				}
			}
			if st.MemoryMB != 0 && (st.MemoryMB <= s.MemoryMB || st.MemoryMB > dag.MaxMemoryMB) {
				add(sp+".memory_mb", "%s: steps[%d] (%q): memory_mb = %d, want 0 (the size's) or above the size, up to %d", at, j, st.Step, st.MemoryMB, dag.MaxMemoryMB)
			}
			runsOK := phasesOK && s.Runs >= 1 && len(s.E2E) == s.Runs && badValue(s.E2E) < 0 // else said above
			for k := range n {
				if s.Runs < 1 {
					break // said once, above
				}
				if st.Run[k] < 0 || st.Run[k] >= s.Runs {
					add(fmt.Sprintf("%s.run[%d]", sp, k), "%s: steps[%d] (%q): run[%d] = %d, want 0..%d", at, j, st.Step, k, st.Run[k], s.Runs-1)
					runsOK = false
					break
				}
			}
			for k := 0; runsOK && !e2eShort && k < n; k++ {
				// An invocation lies within its run: a profile whose e2e_s were all 0.001 while its
				// steps took seconds was read, and `model` printed an error of +2,318,603%.
				r := st.Run[k]
				if t := st.Init[k] + st.Download[k] + st.Compute[k] + st.Upload[k]; t > s.E2E[r]*(1+1e-9)+runSlackS {
					add(fmt.Sprintf("%s.e2e_s[%d]", path, r), "%s: e2e_s[%d] = %v s, below the %v s that invocation %d of step %q in that run takes (init, download, compute and upload): want each run's end-to-end latency at least as long as every invocation in it",
						at, r, s.E2E[r], t, k, st.Step)
					e2eShort = true
				}
			}
			if items, ok := itemsOf[st.Step]; ok {
				for k := range n {
					if st.Item[k] < 0 || st.Item[k] >= items {
						add(fmt.Sprintf("%s.item[%d]", sp, k), "%s: steps[%d] (%q): item[%d] = %d, want 0..%d (%s)", at, j, st.Step, k, st.Item[k], items-1, itemsWhy(items))
						break
					}
				}
				if k := st.repeatedPlace(); k >= 0 {
					add(fmt.Sprintf("%s.item[%d]", sp, k), "%s: steps[%d] (%q): run %d, item %d%s has a second invocation at [%d]; a step runs once per item of a run", at, j, st.Step, st.Run[k], st.Item[k], outerText(st.outerAt(k)), k)
				}
			}
		}
	}
	for i := range p.Sizes {
		s := &p.Sizes[i]
		if s.Runs < 1 {
			continue
		}
		for _, name := range tasks {
			if !slices.ContainsFunc(s.Steps, func(st StepSamples) bool { return st.Step == name }) {
				// The model then failed naming neither the file nor the place.
				add(fmt.Sprintf("sizes[%d].steps", i), "sizes[%d] (%d MB): no samples for task step %q; every task step has an entry at each profiled size", i, s.MemoryMB, name)
			}
		}
	}
	for i, l := range p.Lost {
		path := fmt.Sprintf("lost_sizes[%d]", i)
		if l.MemoryMB < dag.MinMemoryMB || l.MemoryMB > dag.MaxMemoryMB || p.Size(l.MemoryMB) != nil {
			add(path+".memory_mb", "lost_sizes[%d]: memory_mb = %d, want a size from %d to %d that the profile has no runs of", i, l.MemoryMB, dag.MinMemoryMB, dag.MaxMemoryMB)
		}
		for j, name := range l.TimedOut {
			if !slices.ContainsFunc(p.Workflow.Steps, func(st dag.Step) bool { return st.Name == name }) {
				add(fmt.Sprintf("%s.timed_out_steps[%d]", path, j), "lost_sizes[%d]: timed_out_steps[%d] = %q, want a top-level step of the workflow", i, j, name)
			}
		}
	}
	return probs
}

// repeatedPlace returns the index of the first sample of s at a (run, outer item, item) an earlier
// one holds, -1 when none does. Samples in strict run-then-item order, as the profiler records
// them outside nested Maps, hold none, and need no map (which made reading video's profile
// 60% slower).
func (s *StepSamples) repeatedPlace() int {
	if _, strict := s.runItemOrder(); strict && s.Outer == nil {
		return -1
	}
	type place struct {
		run, item int
		outer     string
	}
	seen := make(map[place]bool, s.Len())
	for k := range s.Len() {
		pl := place{s.Run[k], s.Item[k], s.outerAt(k)}
		if seen[pl] {
			return k
		}
		seen[pl] = true
	}
	return -1
}

// outerAt is sample k's outer item, "" outside nested Maps.
func (s *StepSamples) outerAt(k int) string {
	if s.Outer == nil {
		return ""
	}
	return s.Outer[k]
}

// itemsWhy says where a step's item count comes from (Profile.validate).
func itemsWhy(items int) string {
	if items == 1 {
		return "the step is in no Map"
	}
	return "the most items a Map may have"
}

// outerText is an outer item's place in a message, "" outside nested Maps.
func outerText(outer string) string {
	if outer == "" {
		return ""
	}
	return " of outer item " + outer
}

// maxProfileBytes is the largest profile file WriteProfile writes: what ReadProfile reads.
var maxProfileBytes = jsonpos.MaxFileBytes

// WriteProfile writes p as JSON, atomically. A profile larger than a JSON input file may be
// (jsonpos.MaxFileBytes) is refused: ReadProfile would refuse it (`profile --simulate` of a Map
// of 10^5 items wrote 1.4 GB that `plan --profiles` could not read).
func WriteProfile(path string, p *Profile) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if len(b) >= maxProfileBytes {
		samples := 0
		for i := range p.Sizes {
			for j := range p.Sizes[i].Steps {
				samples += p.Sizes[i].Steps[j].Len()
			}
		}
		return fmt.Errorf("wisefuse: %s: the profile is %.2g bytes (%d invocation samples), past the %d a profile file may be: profile fewer runs or sizes (plan profiles in memory without a file)",
			path, float64(len(b)), samples, maxProfileBytes)
	}
	return atomicfile.WriteBytes(path, append(b, '\n'))
}

// ReadProfile reads a profile JSON file written by WriteProfile, or, when path is a folder of
// real logs (rsc_*.txt), profiles them.
func ReadProfile(path string) (*Profile, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("wisefuse: %w", err)
	}
	if st.IsDir() {
		return ReadLogs(path)
	}
	data, err := jsonpos.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("wisefuse: %w", err)
	}
	p, ok := decodeProfileFast(data)
	if !ok {
		p = &Profile{}
		if err := jsonpos.Decode(data, p, jsonpos.Options{Strict: true}); err != nil {
			return nil, fmt.Errorf("wisefuse: %s: %w%s", path, err, dag.LooksLike(data, dag.KindProfile))
		}
	}
	if probs := p.validate(); len(probs) > 0 {
		// Each value's place in the file: the deepest part of its path that the file has (a
		// missing workflow has none). Found only on failure.
		pos := jsonpos.Positions(data)
		msgs := make([]string, len(probs))
		for i, pr := range probs {
			msgs[i] = pr.msg
			if at, ok := jsonpos.PosOf(pos, pr.path); ok {
				msgs[i] = fmt.Sprintf("line %d, column %d: %s", at.Line, at.Col, pr.msg)
			}
		}
		return nil, fmt.Errorf("wisefuse: %s: %s", path, jsonpos.JoinProblems(msgs))
	}
	return p, nil
}

// runSlackS is how far an invocation's time may run past its run's e2e_s in a profile (Check):
// a millisecond, as orion.RoundingMillis allows a log's stage past its E2E for values rounded
// apart.
const runSlackS = 1e-3

// MaxProfileSeconds bounds every time of a profile (an E2E latency, a gap, an invocation's
// init, download, compute or upload): the simulator's clock limit (sim.MaxTime, which this
// package may not import; a test of the CLI checks they agree), so any profile of simulated runs
// stays within it, and real logs stop at 10^9 s (orion.MaxMillis). A compute time of 1e300 s was
// read, and model printed a P50 of 1e300 s and a mean cost of $7e296 per run with exit 0.
const MaxProfileSeconds = 1e12

var maxProfileWhy = fmt.Sprintf("above the limit %g s (the simulator's clock limit; no run lasts longer)", MaxProfileSeconds)

// above returns the index of the first value above limit, or -1.
func above(xs []float64, limit float64) int {
	for i, v := range xs {
		if v > limit {
			return i
		}
	}
	return -1
}

// badValue returns the index of the first negative, NaN or infinite value, or -1. Tiny negative
// gaps from floating-point rounding of adjacent timestamps are tolerated.
func badValue(xs []float64) int {
	for i, v := range xs {
		// NaN fails both comparisons, an infinity one of them.
		if !(v >= -1e-9 && v <= math.MaxFloat64) {
			return i
		}
	}
	return -1
}

// inRunItemOrder reports whether s's samples are sorted by run, then item, as the profiler
// records them.
func (s *StepSamples) inRunItemOrder() bool {
	sorted, _ := s.runItemOrder()
	return sorted
}

// runItemOrder reports whether s's samples are sorted by run, then item, and whether strictly
// (each (run, item) once).
func (s *StepSamples) runItemOrder() (sorted, strict bool) {
	strict = true
	for i := 1; i < len(s.Run); i++ {
		if s.Run[i] < s.Run[i-1] || s.Run[i] == s.Run[i-1] && s.Item[i] < s.Item[i-1] {
			return false, false
		}
		strict = strict && (s.Run[i] != s.Run[i-1] || s.Item[i] != s.Item[i-1])
	}
	return true, strict
}

// byRunItem returns the indices of s's samples sorted by run, then item (stable).
func (s *StepSamples) byRunItem() []int {
	order := make([]int, s.Len())
	for i := range order {
		order[i] = i
	}
	if s.inRunItemOrder() {
		return order // the stable sort would leave every index in place
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if s.Run[a] != s.Run[b] {
			return s.Run[a] - s.Run[b]
		}
		return s.Item[a] - s.Item[b]
	})
	return order
}
