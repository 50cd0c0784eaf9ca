package dag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/wisefuse/wisefuse/internal/jsonpos"
)

// A plan is deployed on AWS in three parts, because Step Functions holds only one of them:
//
//   - The state machine (ASL). A bundle of B items of an orchestrated Map is Step Functions' own
//     ItemBatcher with MaxItemsPerBatch B: "process a group of items in a single child workflow
//     execution" (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html).
//     ItemBatcher exists only in a Distributed Map, so a bundled Map becomes one
//     (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED, ExecutionType STANDARD), keeping the
//     MaxConcurrency it had: an Inline Map that ran 40 iterations at once still runs 40 batches.
//     Each child execution is then charged a state transition, as the simulator charges it. The
//     function of a batched Map receives {"Items": [...]} and must process every item of it.
//   - Each function's memory. MemorySize is a Lambda function's configuration, set with
//     UpdateFunctionConfiguration (`aws lambda update-function-configuration --function-name F
//     --memory-size MB`, or MemorySize in SAM/CloudFormation), 128 to 10,240 MB in 1 MB steps
//     (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html); the Lambda invoke
//     a Task makes takes no memory parameter, so it cannot live in the ASL.
//   - Fusion groups: functions whose code must be merged into one Lambda function by the user
//     (no configuration fuses two functions), at the group's size. A Map inside a group runs in
//     the merged function's code; the Deployment says how many of its items that code runs.
//
// The Deployment is the second and third part as a file (`plan --export-asl`). With the exported
// ASL and its side file, it reads back as the same plan (ParseDeployment).

// Deployment is a plan's configuration outside the state machine.
type Deployment struct {
	// StateMachine and Performance name the ASL file and its performance side file written with
	// it (informative: reading a Deployment does not open them).
	StateMachine string `json:"state_machine"`
	Performance  string `json:"performance,omitempty"`
	// Functions gives every function's MemorySize, with the states that invoke it.
	Functions []DeployedFunction `json:"functions"`
	// Merge lists the fusion groups: the states whose functions to merge into one.
	Merge []MergeGroup `json:"merge,omitempty"`
}

// DeployedFunction is one Lambda function's configuration.
type DeployedFunction struct {
	Function   string   `json:"function"`
	States     []string `json:"states"`
	MemorySize int      `json:"MemorySize"`
}

// MergeGroup is a fusion group: consecutive states whose functions run as one Lambda function.
type MergeGroup struct {
	States     []string `json:"states"`
	Functions  []string `json:"functions"`
	MemorySize int      `json:"MemorySize"` // the merged function's: the largest of its functions'
	// MapItemsPerVM is, for a Map state of the group, how many of its items the merged function
	// runs itself (the plan's bundle); the others it invokes B at a time.
	MapItemsPerVM map[string]int `json:"map_items_per_vm,omitempty"`
}

// Export is the deployable form of a plan: the three files of ExportASL.
type Export struct {
	ASL, Side, Deployment []byte
}

// ExportASL returns the deployable form of plan p of workflow w. original is the ASL w was
// imported from, rewritten (its other fields kept), or nil to generate a state machine from w
// (a Task invokes its function through arn:aws:states:::lambda:invoke with FunctionName the
// function's name; data paths are left at their defaults for the user to set). aslName and
// sideName are the file names the Deployment refers to. The side file gives every Task state's
// performance by state name and every Map's item count, so that ReadASL of the exported pair
// gives back w (with the Map limits the export changed).
func ExportASL(w *Workflow, p *Plan, original []byte, aslName, sideName string) (*Export, error) {
	if err := p.Validate(w); err != nil {
		return nil, err
	}
	if len(p.Passing) > 0 || p.SharedRuntime {
		return nil, fmt.Errorf("plan for workflow %q: direct passing and shared runtimes have no Step Functions or Lambda setting; export a plan without them", w.Name)
	}
	inGroup := map[string]bool{} // steps inside a fusion group, nested ones too
	w.Walk(func(path []string, s *Step) {
		for _, n := range path {
			if p.FusionGroup(n) >= 0 {
				inGroup[s.Name] = true
			}
		}
	})
	var machine map[string]any
	if original != nil {
		d := json.NewDecoder(bytes.NewReader(original))
		d.UseNumber()
		if err := d.Decode(&machine); err != nil {
			return nil, fmt.Errorf("%s: %w", aslName, err)
		}
	} else {
		var err error
		if machine, err = generateMachine(w.Steps); err != nil {
			return nil, fmt.Errorf("workflow %q: %w", w.Name, err)
		}
		if w.Description != "" {
			machine["Comment"] = w.Description
		}
	}
	found := map[string]bool{}
	walkASLStates(machine, func(name string, st map[string]any) {
		s := w.Step(name)
		if s == nil || s.Map == nil || st["Type"] != "Map" {
			return
		}
		found[name] = true
		if inGroup[name] {
			// The merged function runs the items (Deployment.Merge), not Step Functions.
			delete(st, "ItemBatcher")
			return
		}
		batchMap(st, s.Map, p.BundleOf(name))
	})
	var missing []string
	w.Walk(func(_ []string, s *Step) {
		if s.Map != nil && !found[s.Name] {
			missing = append(missing, s.Name)
		}
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: no Map state named %s: is it the definition workflow %q was imported from?", aslName, strings.Join(missing, ", "), w.Name)
	}
	out := &Export{}
	var err error
	if out.ASL, err = marshalASL(machine); err != nil {
		return nil, err
	}
	side := sideOf(w)
	// A Choice of the definition took the branch its pass step is followed by.
	walkASLStates(machine, func(name string, st map[string]any) {
		if st["Type"] != "Choice" {
			return
		}
		if next, ok := stepAfter(w.Steps, name); ok {
			if side.Choices == nil {
				side.Choices = map[string]string{}
			}
			side.Choices[name] = next
		}
	})
	if out.Side, err = MarshalIndent(side); err != nil {
		return nil, err
	}
	if out.Deployment, err = MarshalIndent(deploymentOf(w, p, aslName, sideName)); err != nil {
		return nil, err
	}
	return out, nil
}

// batchMap rewrites Map state st for a plan that runs bundle of its items per VM.
func batchMap(st map[string]any, m *Map, bundle int) {
	if bundle <= 1 {
		if b, ok := st["ItemBatcher"].(map[string]any); ok {
			// The definition's iterator reads a batch's input ({"Items": [...]}, BatchInput):
			// removing its ItemBatcher broke it. Batches of one are the unbundled plan.
			delete(b, "MaxItemsPerBatchPath")
			b["MaxItemsPerBatch"] = 1
		}
		return
	}
	if it, ok := st["Iterator"]; ok {
		// ProcessorConfig belongs to ItemProcessor, Iterator's newer name.
		delete(st, "Iterator")
		st["ItemProcessor"] = it
	}
	proc, _ := st["ItemProcessor"].(map[string]any)
	if proc == nil {
		return // no iterator: ImportASL reports it
	}
	pc, _ := proc["ProcessorConfig"].(map[string]any)
	if pc == nil {
		pc = map[string]any{}
		proc["ProcessorConfig"] = pc
	}
	if !m.Distributed {
		pc["Mode"] = "DISTRIBUTED"
		if _, ok := pc["ExecutionType"]; !ok {
			pc["ExecutionType"] = "STANDARD"
		}
		if m.MaxConcurrency > 0 {
			st["MaxConcurrency"] = m.MaxConcurrency
			delete(st, "MaxConcurrencyPath")
		}
	}
	b, _ := st["ItemBatcher"].(map[string]any)
	if b == nil {
		b = map[string]any{}
		st["ItemBatcher"] = b
	}
	delete(b, "MaxItemsPerBatchPath")
	b["MaxItemsPerBatch"] = bundle
}

// walkASLStates calls fn on every state of machine m, nested ones too.
func walkASLStates(m map[string]any, fn func(name string, st map[string]any)) {
	states, _ := m["States"].(map[string]any)
	for _, name := range sortedKeys(states) {
		st, _ := states[name].(map[string]any)
		if st == nil {
			continue
		}
		fn(name, st)
		for _, field := range []string{"Iterator", "ItemProcessor"} {
			if sub, ok := st[field].(map[string]any); ok {
				walkASLStates(sub, fn)
			}
		}
		if brs, ok := st["Branches"].([]any); ok {
			for _, br := range brs {
				if sub, ok := br.(map[string]any); ok {
					walkASLStates(sub, fn)
				}
			}
		}
	}
}

// generateMachine returns the ASL (sub-)machine of a sequence of steps.
func generateMachine(seq []Step) (map[string]any, error) {
	states := map[string]any{}
	for i := range seq {
		s := &seq[i]
		st := map[string]any{}
		switch s.Kind() {
		case TaskStep:
			st["Type"] = "Task"
			st["Resource"] = "arn:aws:states:::lambda:invoke"
			st["Parameters"] = map[string]any{"FunctionName": s.Task, "Payload.$": "$"}
			st["OutputPath"] = "$.Payload"
			if s.Retry != nil {
				r, err := retrierOf(s.Name, s.Retry)
				if err != nil {
					return nil, err
				}
				st["Retry"] = []any{r}
			}
		case PassStep:
			st["Type"] = "Pass"
		case ParallelStep:
			st["Type"] = "Parallel"
			var brs []any
			for _, br := range s.Parallel {
				sub, err := generateMachine(br)
				if err != nil {
					return nil, err
				}
				brs = append(brs, sub)
			}
			st["Branches"] = brs
		case MapStep:
			st["Type"] = "Map"
			sub, err := generateMachine(s.Map.Iterator)
			if err != nil {
				return nil, err
			}
			// Inline unless the map asks for more than an Inline Map runs at once (40).
			n, fixed := s.Map.FixedItems()
			inline := !s.Map.Distributed && (s.Map.MaxConcurrency > 0 && s.Map.MaxConcurrency <= inlineMapConcurrency ||
				s.Map.MaxConcurrency == 0 && fixed && n <= inlineMapConcurrency)
			pc := map[string]any{"Mode": "INLINE"}
			if !inline {
				pc = map[string]any{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
			}
			sub["ProcessorConfig"] = pc
			st["ItemProcessor"] = sub
			if s.Map.MaxConcurrency > 0 {
				st["MaxConcurrency"] = s.Map.MaxConcurrency
			}
			if s.Map.MaxItemsPerBatch > 0 {
				st["ItemBatcher"] = map[string]any{"MaxItemsPerBatch": s.Map.MaxItemsPerBatch}
			}
		default:
			return nil, fmt.Errorf("step %q: a %s step has no ASL state", s.Name, s.Kind())
		}
		if i+1 < len(seq) {
			st["Next"] = seq[i+1].Name
		} else {
			st["End"] = true
		}
		states[s.Name] = st
	}
	if len(seq) == 0 {
		return nil, fmt.Errorf("an empty sequence has no ASL state machine")
	}
	return map[string]any{"StartAt": seq[0].Name, "States": states}, nil
}

// retrierOf is the ASL retrier of a step's throttle retry.
func retrierOf(step string, r *Retry) (map[string]any, error) {
	for _, x := range []float64{r.Interval, r.MaxDelay} {
		if x != math.Trunc(x) {
			return nil, fmt.Errorf("step %q: retry interval_s %v and max_delay_s %v: the ASL takes whole seconds", step, r.Interval, r.MaxDelay)
		}
	}
	out := map[string]any{
		"ErrorEquals":     []string{"Lambda.TooManyRequestsException"},
		"IntervalSeconds": int(r.Interval),
		"BackoffRate":     r.BackoffRate,
		"MaxAttempts":     r.MaxAttempts,
	}
	if r.MaxDelay > 0 {
		out["MaxDelaySeconds"] = int(r.MaxDelay)
	}
	if r.Jitter != "" {
		out["JitterStrategy"] = r.Jitter
	}
	return out, nil
}

// marshalASL writes a state machine as indented JSON (keys sorted, as encoding/json writes maps).
func marshalASL(m map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sideOf is the performance side file of w's state machine: every Task state's function by state
// name, every Map's item count.
func sideOf(w *Workflow) *ASLSide {
	side := &ASLSide{Name: w.Name, Description: w.Description, Functions: map[string]Function{}}
	w.Walk(func(_ []string, s *Step) {
		if s.Task != "" {
			side.Functions[s.Name] = *w.Function(s.Task)
		}
		if s.Map != nil {
			if side.MapItems == nil {
				side.MapItems = map[string]Dist{}
			}
			side.MapItems[s.Name] = s.Map.Items
		}
	})
	return side
}

// stepAfter returns the name of the step that follows step name in its sequence (the top level,
// a Parallel's branch or a Map's iterator), and whether there is one.
func stepAfter(seq []Step, name string) (string, bool) {
	for i := range seq {
		s := &seq[i]
		if s.Name == name {
			if i+1 < len(seq) {
				return seq[i+1].Name, true
			}
			return "", false
		}
		for _, br := range s.Parallel {
			if next, ok := stepAfter(br, name); ok {
				return next, true
			}
		}
		if s.Map != nil {
			if next, ok := stepAfter(s.Map.Iterator, name); ok {
				return next, true
			}
		}
	}
	return "", false
}

// deploymentOf is plan p's Deployment.
func deploymentOf(w *Workflow, p *Plan, aslName, sideName string) *Deployment {
	d := &Deployment{StateMachine: aslName, Performance: sideName}
	states := taskStates(w)
	for _, f := range w.Functions {
		if len(states[f.Name]) > 0 {
			d.Functions = append(d.Functions, DeployedFunction{Function: f.Name, States: states[f.Name], MemorySize: p.MemoryOf(f.Name)})
		}
	}
	for _, g := range p.Fuse {
		d.Merge = append(d.Merge, mergeGroupOf(w, p, g))
	}
	// A Map inside a group keeps its bundle as the items the merged code runs itself.
	w.Walk(func(path []string, s *Step) {
		if s.Map == nil || p.BundleOf(s.Name) <= 1 {
			return
		}
		for _, n := range path {
			if gi := p.FusionGroup(n); gi >= 0 {
				if d.Merge[gi].MapItemsPerVM == nil {
					d.Merge[gi].MapItemsPerVM = map[string]int{}
				}
				d.Merge[gi].MapItemsPerVM[s.Name] = p.BundleOf(s.Name)
				return
			}
		}
	})
	return d
}

// mergeGroupOf is the MergeGroup of fusion group g of plan p: its states, the functions they run
// and the merged function's size, the largest of theirs (the VM a fusion group runs on).
func mergeGroupOf(w *Workflow, p *Plan, g []string) MergeGroup {
	mg := MergeGroup{States: slices.Clone(g)}
	for _, name := range g {
		s := w.Step(name)
		var seq []Step
		if s != nil {
			seq = []Step{*s}
		}
		WalkTasks(seq, func(fn string) {
			if !slices.Contains(mg.Functions, fn) {
				mg.Functions = append(mg.Functions, fn)
			}
			mg.MemorySize = max(mg.MemorySize, p.MemoryOf(fn))
		})
	}
	return mg
}

// taskStates maps each function of w to the task states that run it, in walk order.
func taskStates(w *Workflow) map[string][]string {
	states := map[string][]string{}
	w.Walk(func(_ []string, s *Step) {
		if s.Task != "" {
			states[s.Task] = append(states[s.Task], s.Name)
		}
	})
	return states
}

// sameMultiset reports whether a and b hold the same strings, in any order, each as many times.
func sameMultiset(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// IsDeployment reports whether data looks like a Deployment rather than a plan: a JSON object
// with a "state_machine" key, or a "functions" array and no "steps" (a workflow's functions are
// an array beside its steps, an ASL side file's an object), neither of which a plan has; a
// deployment whose state_machine was deleted was read as a plan, and refused for "performance".
func IsDeployment(data []byte) bool {
	var probe struct {
		StateMachine *json.RawMessage `json:"state_machine"`
		Functions    json.RawMessage  `json:"functions"`
		Steps        *json.RawMessage `json:"steps"`
	}
	if json.Unmarshal(data, &probe) != nil {
		return false
	}
	return probe.StateMachine != nil || probe.Steps == nil && len(probe.Functions) > 0 && probe.Functions[0] == '['
}

// ParseDeployment reads a Deployment (name prefixes every error) as the plan it deploys on w,
// the workflow imported from the exported ASL: each function at its MemorySize, the merge groups
// fused, each orchestrated Map bundled as its ItemBatcher says (DeployedPlan) and each Map in a
// group as map_items_per_vm says. Every function of w must be listed, and every name must be
// one of w's.
func ParseDeployment(name string, data []byte, w *Workflow) (*Plan, error) {
	var d Deployment
	if err := decodeJSON(data, &d, jsonStyle{strict: true}); err != nil {
		return nil, fmt.Errorf("%s: %w%s", name, err, LooksLike(data, KindDeployment))
	}
	p := DeployedPlan(w, 0)
	p.Memory = map[string]int{}
	var errs []string
	var pos map[string]jsonpos.Pos // found on the first problem only
	problem := func(path, format string, a ...any) {
		msg := fmt.Sprintf(format, a...)
		if pos == nil {
			pos = jsonpos.Positions(data)
		}
		if line := jsonpos.LineOf(pos, path); line > 0 {
			msg = fmt.Sprintf("line %d: %s", line, msg)
		}
		errs = append(errs, msg)
	}
	// The states and functions a Deployment lists, and a group's MemorySize, follow from the
	// workflow and the functions' MemorySize; they are there for the user to read. One that
	// disagrees was edited in vain (a merged function's MemorySize of 128 was ignored) or
	// belongs to another state machine, so it is an error, not ignored.
	states := taskStates(w)
	for i, f := range d.Functions {
		switch {
		case w.Function(f.Function) == nil:
			problem(fmt.Sprintf("functions[%d]", i), "functions[%d]: function %q is not one of workflow %q's", i, f.Function, w.Name)
		case p.Memory[f.Function] != 0:
			problem(fmt.Sprintf("functions[%d]", i), "functions[%d]: function %q is listed twice", i, f.Function)
		default:
			p.Memory[f.Function] = f.MemorySize
			if f.MemorySize < MinMemoryMB || f.MemorySize > MaxMemoryMB {
				// Said here in the file's own terms (it was the plan's memory_mb["Split"]); 0 is
				// also what a missing or null MemorySize reads as.
				problem(fmt.Sprintf("functions[%d].MemorySize", i), "functions[%d].MemorySize = %d, want %d to %d MB (Lambda's; 0: missing or null?)", i, f.MemorySize, MinMemoryMB, MaxMemoryMB)
			}
			if want := states[f.Function]; !sameMultiset(f.States, want) {
				problem(fmt.Sprintf("functions[%d].states", i), "functions[%d].states = %q, want %q: the states of workflow %q that invoke function %q",
					i, f.States, want, w.Name, f.Function)
			}
		}
	}
	for _, f := range w.Functions {
		if _, ok := p.Memory[f.Name]; !ok && w.uses(f.Name) {
			problem("functions", "functions: no MemorySize for function %q", f.Name)
		}
	}
	for i, g := range d.Merge {
		p.Fuse = append(p.Fuse, slices.Clone(g.States))
		for _, m := range sortedKeys(g.MapItemsPerVM) {
			if !slices.Contains(g.States, m) && !w.inside(g.States, m) {
				problem(fmt.Sprintf("merge[%d].map_items_per_vm", i), "merge[%d].map_items_per_vm: map %q is not in the group's states", i, m)
				continue
			}
			if b := g.MapItemsPerVM[m]; b < 1 {
				problem(fmt.Sprintf("merge[%d].map_items_per_vm.%s", i, m), "merge[%d].map_items_per_vm[%q] = %d, want >= 1 (the Map's items the merged function runs itself)", i, m, b)
			}
			if p.Bundle == nil {
				p.Bundle = map[string]int{}
			}
			p.Bundle[m] = g.MapItemsPerVM[m]
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %s", name, jsonpos.JoinProblems(errs))
	}
	if err := p.Validate(w); err != nil {
		// The plan's own terms: its fuse[i] is the deployment's merge[i], its memory_mb and
		// bundle the functions' MemorySize and a group's map_items_per_vm.
		return nil, fmt.Errorf("%s: as the plan it deploys (fuse[i] is merge[i].states): %w", name, err)
	}
	for i, g := range d.Merge {
		want := mergeGroupOf(w, p, g.States)
		if !sameMultiset(g.Functions, want.Functions) {
			problem(fmt.Sprintf("merge[%d].functions", i), "merge[%d].functions = %q, want %q: the functions its states run", i, g.Functions, want.Functions)
		}
		if g.MemorySize != want.MemorySize {
			problem(fmt.Sprintf("merge[%d].MemorySize", i), "merge[%d].MemorySize = %d, want %d, the largest MemorySize of its functions (the merged function's; set it there)",
				i, g.MemorySize, want.MemorySize)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %s", name, jsonpos.JoinProblems(errs))
	}
	return p, nil
}

// uses reports whether a step of w runs function fn.
func (w *Workflow) uses(fn string) bool {
	found := false
	w.Walk(func(_ []string, s *Step) { found = found || s.Task == fn })
	return found
}

// inside reports whether step name is nested in one of the steps named in outer.
func (w *Workflow) inside(outer []string, name string) bool {
	found := false
	w.Walk(func(path []string, s *Step) {
		if s.Name == name {
			for _, n := range path[:len(path)-1] {
				found = found || slices.Contains(outer, n)
			}
		}
	})
	return found
}
