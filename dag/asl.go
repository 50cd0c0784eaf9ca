package dag

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/wisefuse/wisefuse/internal/jsonpos"
)

// An AWS Step Functions state machine (Amazon States Language, ASL) says which states run in
// which order but nothing about how long they take, so ImportASL pairs it with an ASLSide file.
// The import follows the success path: from StartAt along Next until a state with End, a Succeed
// or (in a branch or iterator) the end of that sub-machine. States reached only through Catch
// are error handlers: they must exist but are not imported, because the simulator models
// successful runs. State by state:
//
//   - Task becomes a task step. Its function's performance comes from the side file entry keyed
//     by the state's name or, failing that, by its function: Parameters.FunctionName (or
//     Arguments.FunctionName) when Resource is a Lambda service integration
//     ("arn:aws:states:::lambda:invoke"), else Resource. The state name wins because real
//     definitions often share one Resource string between different states (placeholder ARNs).
//   - Parallel becomes a parallel step, one branch per entry of Branches.
//   - Map (with Iterator or ItemProcessor) becomes a map step; its item count, which ASL reads
//     from the input at run time, comes from the side file's map_items, keyed by state name.
//     Its Step Functions limits become the map's: MaxConcurrency, capped at what the mode allows
//     (inlineMapConcurrency, distributedMapConcurrency), ItemBatcher's MaxItemsPerBatch, and
//     ProcessorConfig.Mode DISTRIBUTED (Map.Distributed). ItemReader is ignored (the side file
//     gives the item count).
//   - Pass and Succeed become pass steps (a state transition, no function).
//   - Fail on the success path is an error: every run would fail.
//   - A Choice becomes a pass step on the branch the side file's choices name for it (the
//     workflow model has no data-dependent branching: the runs modelled take that branch, and
//     the other branches are left out); without an entry it is reported, naming its branches.
//   - Wait is not supported (the workflow model has no timed delays) and is reported as such.
//
// A Task's Retry becomes the step's Retry: the first retrier whose ErrorEquals matches a
// throttled Lambda invoke (throttleErrors), with the ASL defaults for what it leaves out. A
// Retry on a Parallel or Map, and retriers for other errors, are ignored: the simulator models
// no error but the throttle.
//
// Other fields (InputPath, ResultPath, TimeoutSeconds, ...) are accepted and ignored.

// ASLSide is the performance side file that goes with an ASL definition.
type ASLSide struct {
	// Name is the imported workflow's name; by default, the ASL file's name without ".json"
	// and ".asl".
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	// Functions holds the performance of each Task state's function, keyed by the state's name
	// or by its function (Resource or FunctionName); a state-name key wins. An entry's "name",
	// when set, names the function in the workflow (and plans); otherwise the function is
	// named by the key when the key is a state name, and by the last part of the ARN (what
	// follows "function:", without a version or alias) when the key is a Resource. Several
	// states matched by one Resource key share one function.
	Functions map[string]Function `json:"functions"`
	// MapItems is the item count of each Map state, keyed by state name: a number or a Dist.
	MapItems map[string]Dist `json:"map_items,omitempty"`
	// Choices names, for a Choice state, the state the modelled runs go on to (one of its
	// Choices' Next or its Default): the workflow model has no data-dependent branching, so the
	// Choice becomes a Pass step on that branch and the other branches are left out.
	Choices map[string]string `json:"choices,omitempty"`

	source string // the file it was read from, for errors ("side file" when unknown)
	data   []byte // its JSON, to find the line of a problem (nil when not read from a file)
}

func (s *ASLSide) where() string {
	if s.source != "" {
		return "side file " + s.source
	}
	return "side file"
}

// ReadASL imports the state machine in aslPath with the performance side file in sidePath.
func ReadASL(aslPath, sidePath string) (*Workflow, error) {
	asl, err := jsonpos.ReadFile(aslPath)
	if err != nil {
		return nil, err
	}
	sideData, err := jsonpos.ReadFile(sidePath)
	if err != nil {
		return nil, err
	}
	side, err := ParseASLSide(sidePath, sideData)
	if err != nil {
		return nil, err
	}
	return ImportASL(aslPath, asl, side)
}

// ParseASLSide decodes a side file; name prefixes every error.
func ParseASLSide(name string, data []byte) (*ASLSide, error) {
	var s ASLSide
	if err := decodeJSON(data, &s, jsonStyle{strict: true}); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s.source, s.data = name, data
	return &s, nil
}

// ParseASL is ImportASL with the side file given as JSON too (the form the fuzz test drives).
func ParseASL(aslName string, asl []byte, sideName string, sideData []byte) (*Workflow, error) {
	side, err := ParseASLSide(sideName, sideData)
	if err != nil {
		return nil, err
	}
	return ImportASL(aslName, asl, side)
}

// ImportASL converts the ASL definition in data (name, usually the file name, prefixes every
// error and names the workflow when side does not) into a validated Workflow, taking
// performance from side. Errors give the JSON path of
// the state at fault, e.g. States.Extract_Map.Iterator.States.Extract, and what was expected.
func ImportASL(name string, data []byte, side *ASLSide) (*Workflow, error) {
	if side == nil {
		return nil, fmt.Errorf("%s: no side file (use ParseASLStructure to check the structure alone)", name)
	}
	return importASL(name, data, side)
}

// ReadASLStructure checks the state machine in aslPath without a side file: its states,
// transitions and state types. See ParseASLStructure.
func ReadASLStructure(aslPath string) (*Workflow, error) {
	data, err := jsonpos.ReadFile(aslPath)
	if err != nil {
		return nil, err
	}
	return ParseASLStructure(aslPath, data)
}

// ParseASLStructure imports the state machine in data without performance: every Task state
// becomes a function of its own, named after the state, with no work (MinMemoryMB, one thread),
// and every Map gets a placeholder count of 1 item. It checks what ImportASL checks except the
// side file; the workflow it returns shows the structure and is not meant to be simulated.
func ParseASLStructure(name string, data []byte) (*Workflow, error) {
	return importASL(name, data, nil)
}

// importASL is ImportASL; a nil side imports the structure alone.
func importASL(name string, data []byte, side *ASLSide) (*Workflow, error) {
	var m aslMachine
	if err := decodeJSON(data, &m, jsonStyle{dotKeys: true}); err != nil {
		if strings.Contains(err.Error(), "invalid character '$'") && bytes.Contains(data, []byte("${")) {
			// A SAM or CDK template's unquoted ${...} is not JSON until substituted.
			return nil, fmt.Errorf("%s: %w (an unquoted template placeholder, ${...}: substitute the template's values first, as SAM or CDK deploys it, or quote it)", name, err)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	im := &aslImporter{side: side, fnOf: map[string]string{}, usedFn: map[string]bool{}, usedMap: map[string]bool{},
		chosen: map[string]string{}, stateOf: map[string]string{}}
	if side == nil {
		im.side, im.structure = &ASLSide{}, true
	}
	steps := im.machine("", "steps", &m)
	if !im.structure {
		im.allStates = map[string]bool{}
		stateNames(&m, im.allStates)
		im.checkSideKeys()
	}
	// Check the performance entries where the user wrote them, in the side file, rather than
	// in the workflow they become.
	for _, key := range sortedKeys(im.usedFn) {
		f := im.side.Functions[key]
		f.validate(fmt.Sprintf("functions[%q]", key), func(format string, a ...any) {
			im.sideErrorf("functions."+key, format, a...)
		})
	}
	if !im.structure {
		for _, key := range sortedKeys(im.usedMap) {
			if items, ok := im.side.MapItems[key]; ok {
				if err := items.ValidateMax(MaxItems, "items of one Map: the simulator holds each as a frame"); err != nil {
					im.sideErrorf("map_items."+key, "map_items[%q]: %v", key, err)
				}
			}
		}
	}
	if len(im.errs) > 0 {
		return nil, fmt.Errorf("%s: %s", name, im.problems(data))
	}
	w := &Workflow{Name: im.side.Name, Description: im.side.Description, Functions: im.functions, Steps: steps}
	if w.Name == "" {
		w.Name = strings.TrimSuffix(strings.TrimSuffix(filepath.Base(name), ".json"), ".asl")
	}
	if w.Description == "" {
		w.Description = m.Comment
	}
	if err := w.Validate(); err != nil {
		// Again, each problem with the line of the state its step or function came from (the
		// workflow's paths, steps[0].parallel[1][0], are nowhere in the user's files).
		pos := jsonpos.Positions(data)
		return nil, fmt.Errorf("%s: %w", name, w.validate(func(path string) int {
			if at, ok := im.stateOf[path]; ok {
				return jsonpos.LineOf(pos, at)
			}
			return 0
		}))
	}
	return w, nil
}

// inlineMapConcurrency is the most iterations an Inline Map runs at once, whatever its
// MaxConcurrency: "In this mode, the Map state supports up to 40 concurrent iterations"
// (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html).
const inlineMapConcurrency = 40

// distributedMapConcurrency is the most child workflow executions a Distributed Map runs at
// once, and what it runs when MaxConcurrency is not given: 10,000
// (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html).
const distributedMapConcurrency = 10000

// aslMachine is a state machine, a Parallel branch or a Map's Iterator/ItemProcessor.
type aslMachine struct {
	Comment string              `json:"Comment"`
	StartAt string              `json:"StartAt"`
	States  map[string]aslState `json:"States"`
	// ProcessorConfig is an ItemProcessor's: Mode INLINE (the default) or DISTRIBUTED, and for
	// DISTRIBUTED the child executions' ExecutionType (STANDARD or EXPRESS).
	ProcessorConfig *struct {
		Mode          string `json:"Mode"`
		ExecutionType string `json:"ExecutionType"`
	} `json:"ProcessorConfig"`
}

type aslState struct {
	Type          string          `json:"Type"`
	Resource      string          `json:"Resource"`
	Parameters    json.RawMessage `json:"Parameters"`
	Arguments     json.RawMessage `json:"Arguments"`
	Next          string          `json:"Next"`
	End           bool            `json:"End"`
	Branches      []aslMachine    `json:"Branches"`
	Iterator      *aslMachine     `json:"Iterator"`
	ItemProcessor *aslMachine     `json:"ItemProcessor"`
	Catch         []aslTransition `json:"Catch"`
	Retry         []aslRetrier    `json:"Retry"`
	// A Map's limits: numbers, or (JSONata) expressions evaluated at run time.
	MaxConcurrency     json.RawMessage `json:"MaxConcurrency"`
	MaxConcurrencyPath string          `json:"MaxConcurrencyPath"`
	ItemBatcher        *struct {
		MaxItemsPerBatch     json.RawMessage `json:"MaxItemsPerBatch"`
		MaxItemsPerBatchPath string          `json:"MaxItemsPerBatchPath"`
	} `json:"ItemBatcher"`
	Choices []aslTransition `json:"Choices"`
	Default string          `json:"Default"`
}

type aslTransition struct {
	Next string `json:"Next"`
}

// aslRetrier is one entry of a state's Retry array.
type aslRetrier struct {
	ErrorEquals     []string        `json:"ErrorEquals"`
	IntervalSeconds json.RawMessage `json:"IntervalSeconds"`
	BackoffRate     json.RawMessage `json:"BackoffRate"`
	MaxAttempts     json.RawMessage `json:"MaxAttempts"`
	MaxDelaySeconds json.RawMessage `json:"MaxDelaySeconds"`
	JitterStrategy  string          `json:"JitterStrategy"`
}

// throttleErrors are the error names a retrier matches a throttled Lambda invoke by (see
// "Handling errors in Step Functions workflows",
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html, and "Handle
// Lambda service exceptions", .../bp-lambda-serviceexception.html): the throttle's own name,
// "When Lambda hits the maximum number of invocations, the error is
// Lambda.TooManyRequestsException"; States.ALL, which matches any error name; and
// States.TaskFailed, which in a retrier matches any error name but States.Timeout.
// Lambda.ServiceException and its kin are the 500 errors of a transient service fault, not a
// throttle (429), so they do not match.
var throttleErrors = []string{"Lambda.TooManyRequestsException", "States.ALL", "States.TaskFailed"}

// retry returns the retry of a throttled invoke that Task state s's Retry array gives: the
// first retrier that matches the throttle (Step Functions tries retriers in order), with the
// ASL defaults for the fields it leaves out; nil when none matches.
func (im *aslImporter) retry(at string, s *aslState) *Retry {
	for i := range s.Retry {
		rt := &s.Retry[i]
		match := false
		for _, e := range rt.ErrorEquals {
			match = match || slices.Contains(throttleErrors, e)
		}
		if !match {
			continue
		}
		at := fmt.Sprintf("%s.Retry[%d]", at, i)
		r := DefaultRetry()
		if n, ok := im.aslInt(join(at, "IntervalSeconds"), rt.IntervalSeconds, 1); ok {
			r.Interval = float64(n)
		}
		if n, ok := im.aslInt(join(at, "MaxAttempts"), rt.MaxAttempts, 0); ok {
			r.MaxAttempts = n
		}
		if n, ok := im.aslInt(join(at, "MaxDelaySeconds"), rt.MaxDelaySeconds, 1); ok {
			r.MaxDelay = float64(n)
		}
		if len(rt.BackoffRate) > 0 && string(rt.BackoffRate) != "null" {
			if err := json.Unmarshal(rt.BackoffRate, &r.BackoffRate); err != nil || r.BackoffRate < 1 || r.BackoffRate > MaxFactor {
				im.errorf(join(at, "BackoffRate"), "%s, want a number from 1 to %g", rt.BackoffRate, float64(MaxFactor))
				r.BackoffRate = DefaultRetryBackoffRate
			}
		}
		switch rt.JitterStrategy {
		case "", "NONE", JitterFull:
			r.Jitter = rt.JitterStrategy
		default:
			im.errorf(join(at, "JitterStrategy"), "= %q, want NONE or FULL", rt.JitterStrategy)
		}
		return &r
	}
	return nil
}

type aslImporter struct {
	side      *ASLSide
	functions []Function
	fnOf      map[string]string // side-file key -> function name, once created
	usedFn    map[string]bool   // side-file function keys some Task state used
	usedMap   map[string]bool   // map_items keys some Map state used
	chosen    map[string]string // each Choice state on the success path, the branch it takes
	allStates map[string]bool   // every state of the definition, at any depth (stateNames)
	cut       bool              // the success path stopped at an error (a Choice without a branch)
	structure bool              // no side file: placeholder functions and item counts
	errs      []aslProblem
	// stateOf maps the JSON path of each step of the workflow ("steps[1].map.iterator[0]") to the
	// path of the state it came from, to place the workflow's problems. (Its functions' problems
	// are found earlier, in the side file.)
	stateOf map[string]string
}

// aslProblem is one problem of an import, in the ASL file or in the side file, at a JSON path
// (as jsonpos.Positions names it) of that file.
type aslProblem struct {
	side bool
	path string
	msg  string
}

// errorf reports a problem of the ASL definition at path ("" for the top level); the message
// starts with the path.
func (im *aslImporter) errorf(path, format string, a ...any) {
	im.errs = append(im.errs, aslProblem{path: path, msg: orTop(path) + ": " + fmt.Sprintf(format, a...)})
}

// sideErrorf reports a problem of the side file's value at path; format names the value itself.
func (im *aslImporter) sideErrorf(path, format string, a ...any) {
	im.errs = append(im.errs, aslProblem{side: true, path: path, msg: fmt.Sprintf(format, a...)})
}

// problems lists the import's problems, each with the line of its value in its file (asl is the
// definition's JSON), capped at jsonpos.MaxProblems. The lines are found only now, on failure.
func (im *aslImporter) problems(asl []byte) string {
	aslPos := jsonpos.Positions(asl)
	var sidePos map[string]jsonpos.Pos
	if im.side.data != nil {
		sidePos = jsonpos.Positions(im.side.data)
	}
	msgs := make([]string, len(im.errs))
	for i, pr := range im.errs {
		pos := aslPos
		if pr.side {
			pos = sidePos
		}
		msg := pr.msg
		if n := jsonpos.LineOf(pos, pr.path); n > 0 {
			msg = fmt.Sprintf("line %d: %s", n, msg)
		}
		if pr.side {
			msg = im.side.where() + ": " + msg
		}
		msgs[i] = msg
	}
	return jsonpos.JoinProblems(msgs)
}

// machine imports one (sub-)state machine found at path ("" for the top level) and returns its
// success path as a sequence of steps, which the workflow holds at wpath ("steps" at the top).
func (im *aslImporter) machine(path, wpath string, m *aslMachine) []Step {
	statesPath := join(path, "States")
	if len(m.States) == 0 {
		im.errorf(path, "no States (want an object of at least one state)")
		return nil
	}
	if m.StartAt == "" {
		im.errorf(path, "no StartAt (want the name of the first state)")
		return nil
	}
	if _, ok := m.States[m.StartAt]; !ok {
		im.errorf(join(path, "StartAt"), "names state %q, which is not in %s (states: %s)", m.StartAt, statesPath, strings.Join(sortedKeys(m.States), ", "))
		return nil
	}
	names := sortedKeys(m.States)
	// Every transition must lead to a state of this machine, and every state must be reachable.
	reachable := map[string]bool{m.StartAt: true}
	queue := []string{m.StartAt}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		st := m.States[n]
		for _, next := range st.transitions() {
			if _, ok := m.States[next.target]; !ok {
				im.errorf(join(statesPath, n)+"."+next.field, "names state %q, which is not in %s (states: %s)", next.target, statesPath, strings.Join(names, ", "))
				continue
			}
			if !reachable[next.target] {
				reachable[next.target] = true
				queue = append(queue, next.target)
			}
		}
	}
	for _, n := range names {
		if !reachable[n] {
			im.errorf(join(statesPath, n), "state is unreachable from StartAt %q (no Next, Default, Choices or Catch leads to it)", m.StartAt)
		}
	}
	// The success path: follow Next from StartAt.
	var steps []Step
	onPath := map[string]bool{}
	var chain []string
	for n := m.StartAt; n != ""; {
		st := m.States[n]
		at := join(statesPath, n)
		if onPath[n] {
			im.errorf(at, "cycle on the success path: %s -> %s (loops are not supported: the workflow model is series-parallel)", strings.Join(chain, " -> "), n)
			break
		}
		onPath[n] = true
		chain = append(chain, n)
		wat := fmt.Sprintf("%s[%d]", wpath, len(steps))
		step, terminal, ok := im.state(at, wat, n, &st)
		if ok {
			im.stateOf[wat] = at
			steps = append(steps, step)
		}
		if terminal {
			break
		}
		next := st.Next
		if st.Type == "Choice" {
			next = im.chosen[n] // state checked it is one of the Choice's branches
		}
		if _, exists := m.States[next]; !exists {
			break // reported above
		}
		n = next
	}
	return steps
}

type aslEdge struct{ field, target string }

// branches lists the states Choice state s may go on to: each of its Choices' Next, then its
// Default.
func (s *aslState) branches() []string {
	var out []string
	for _, c := range s.Choices {
		if c.Next != "" && !slices.Contains(out, c.Next) {
			out = append(out, c.Next)
		}
	}
	if s.Default != "" && !slices.Contains(out, s.Default) {
		out = append(out, s.Default)
	}
	return out
}

// transitions lists every state s can move to, for the reachability check.
func (s *aslState) transitions() []aslEdge {
	var out []aslEdge
	if s.Next != "" {
		out = append(out, aslEdge{"Next", s.Next})
	}
	if s.Default != "" {
		out = append(out, aslEdge{"Default", s.Default})
	}
	for i, c := range s.Choices {
		if c.Next != "" {
			out = append(out, aslEdge{fmt.Sprintf("Choices[%d].Next", i), c.Next})
		}
	}
	for i, c := range s.Catch {
		if c.Next != "" {
			out = append(out, aslEdge{fmt.Sprintf("Catch[%d].Next", i), c.Next})
		}
	}
	return out
}

// state imports one state on the success path, whose step the workflow holds at wat. terminal
// says the path ends after it; ok says step holds a step.
func (im *aslImporter) state(at, wat, name string, s *aslState) (step Step, terminal, ok bool) {
	step.Name = name
	switch s.Type {
	case "Task", "Parallel", "Map", "Pass":
		switch {
		case s.End && s.Next != "":
			im.errorf(at, "has both Next and End (want exactly one)")
			return step, true, false
		case !s.End && s.Next == "":
			im.errorf(at, "%s state needs Next (the state that follows) or \"End\": true", s.Type)
			return step, true, false
		}
		terminal = s.End
	case "Succeed", "Fail":
		if s.Next != "" || s.End {
			im.errorf(at, "%s state is terminal and takes neither Next nor End", s.Type)
		}
		terminal = true
	case "Choice":
		branches := s.branches()
		switch {
		case len(branches) == 0:
			im.errorf(at, "Choice state needs Choices (a non-empty array of rules with Next) or Default")
			im.cut = true
			return step, true, false
		case s.Next != "" || s.End:
			im.errorf(at, "Choice state takes neither Next nor End (its Choices and Default say where it goes)")
			im.cut = true
			return step, true, false
		}
		target, chosen := im.side.Choices[name]
		if im.structure {
			// Without a side file, the structure is checked along the Default (else the first rule).
			target, chosen = s.Default, true
			if target == "" {
				target = branches[0]
			}
		}
		if !chosen {
			im.errorf(at, "Choice state: the workflow model has no data-dependent branching; name the branch the runs you model take in the side file (\"choices\": {%q: \"<state>\"}, one of %s)", name, strings.Join(branches, ", "))
			im.cut = true
			return step, true, false
		}
		im.chosen[name] = target
		if !slices.Contains(branches, target) {
			im.sideErrorf("choices."+name, "choices[%q] = %q: want one of the Choice's branches: %s", name, target, strings.Join(branches, ", "))
			im.cut = true
			return step, true, false
		}
		step.Pass = true // a state of its own, on the branch taken
		return step, false, true
	case "Wait":
		// The path goes on after it, so that every Wait of a sequence is reported at once.
		im.errorf(at, "Wait states are not supported: the workflow model has no timed delays (remove the Wait, and its delay is then missing from the latency; or add it to a function's work, and it is billed as compute)")
		return step, s.End || s.Next == "", false
	case "":
		im.errorf(at, "no Type (want Task, Parallel, Map, Pass, Succeed or Fail)")
		return step, true, false
	default:
		im.errorf(join(at, "Type"), "unknown state type %q (want Task, Parallel, Map, Pass, Succeed or Fail)", s.Type)
		return step, true, false
	}
	switch s.Type {
	case "Task":
		fn, found := im.function(at, name, s)
		step.Task = fn
		step.Retry = im.retry(at, s)
		return step, terminal, found
	case "Parallel":
		if len(s.Branches) == 0 {
			im.errorf(at, "Parallel state needs Branches (an array of at least one state machine)")
			return step, terminal, false
		}
		step.Parallel = make([][]Step, len(s.Branches))
		for i := range s.Branches {
			step.Parallel[i] = im.machine(fmt.Sprintf("%s.Branches[%d]", at, i), fmt.Sprintf("%s.parallel[%d]", wat, i), &s.Branches[i])
		}
	case "Map":
		it, field := s.Iterator, "Iterator"
		switch {
		case s.Iterator != nil && s.ItemProcessor != nil:
			im.errorf(at, "Map state has both Iterator and ItemProcessor (want one)")
			return step, terminal, false
		case s.ItemProcessor != nil:
			it, field = s.ItemProcessor, "ItemProcessor"
		case s.Iterator == nil:
			im.errorf(at, "Map state needs an Iterator or an ItemProcessor")
			return step, terminal, false
		}
		items, found := im.side.MapItems[name]
		if im.structure {
			items, found = Const(1), true
		}
		if !found {
			im.errorf(at, "Map state has no item count: the side file's map_items needs an entry %q (a number, or a distribution object)", name)
		}
		im.usedMap[name] = true
		step.Map = &Map{Items: items, Iterator: im.machine(join(at, field), wat+".map.iterator", it)}
		im.mapLimits(at, field, s, it, step.Map)
	case "Pass", "Succeed":
		step.Pass = true
	case "Fail":
		im.errorf(at, "Fail state on the success path: every run would fail, which the simulator does not model (a Fail belongs behind a Catch)")
		return step, true, false
	}
	return step, terminal, true
}

// mapLimits sets m's Step Functions limits from Map state s, whose iterator it is (field names
// it: Iterator or ItemProcessor).
func (im *aslImporter) mapLimits(at, field string, s *aslState, it *aslMachine, m *Map) {
	if pc := it.ProcessorConfig; pc != nil {
		switch strings.ToUpper(pc.Mode) {
		case "", "INLINE":
		case "DISTRIBUTED":
			m.Distributed = true
		default:
			im.errorf(join(at, field)+".ProcessorConfig.Mode", "unknown mode %q (want INLINE or DISTRIBUTED)", pc.Mode)
		}
	}
	limit := inlineMapConcurrency
	if m.Distributed {
		limit = distributedMapConcurrency
	}
	m.MaxConcurrency = limit
	if n, ok := im.aslInt(join(at, "MaxConcurrency"), s.MaxConcurrency, 0); ok && n > 0 {
		m.MaxConcurrency = min(n, limit) // 0 means "as many as the mode allows"
	}
	if b := s.ItemBatcher; b != nil {
		if !m.Distributed {
			im.errorf(join(at, "ItemBatcher"), "ItemBatcher needs a Distributed Map (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED): only its child executions take batches")
			return
		}
		if n, ok := im.aslInt(join(at, "ItemBatcher.MaxItemsPerBatch"), b.MaxItemsPerBatch, 1); ok {
			m.MaxItemsPerBatch = n
		}
	}
}

// aslInt reads an optional whole number of at least low; absent gives (0, false). An expression
// (a string: JSONata, or a reference resolved at run time) is reported: the import needs the value.
func (im *aslImporter) aslInt(at string, raw json.RawMessage, low int) (int, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, false
	}
	var x float64
	if err := json.Unmarshal(raw, &x); err != nil {
		var ute *json.UnmarshalTypeError
		switch {
		case errors.As(err, &ute) && strings.HasPrefix(ute.Value, "number"):
			im.errorf(at, "%s, want a whole number from %d to 10^9", raw, low) // 1e400: out of float64's range
		case raw[0] == '"':
			im.errorf(at, "want a number, got %s (a value computed at run time cannot be imported: write the number)", raw)
		default:
			im.errorf(at, "want a number, got %s", raw)
		}
		return 0, false
	}
	if x != float64(int(x)) || x < float64(low) || x > 1e9 {
		im.errorf(at, "%s, want a whole number from %d to 10^9", raw, low)
		return 0, false
	}
	return int(x), true
}

// function finds the side-file entry of Task state name and returns the function's name,
// creating the function on first use.
func (im *aslImporter) function(at, name string, s *aslState) (string, bool) {
	if im.structure {
		if im.find(name) == nil {
			im.functions = append(im.functions, Function{Name: name, MinMemoryMB: MinMemoryMB, Threads: 1})
		}
		return name, true
	}
	keys := []string{name}
	fn, field := lambdaFunctionName(s)
	if fn != "" {
		keys = append(keys, fn)
	} else if field != "" {
		// A number or an object was skipped, and the Task then had "no performance entry".
		im.errorf(at+"."+field, "want a function name or ARN (a string)")
		return "", false
	}
	if s.Resource != "" && s.Resource != keys[len(keys)-1] {
		keys = append(keys, s.Resource)
	}
	for i, key := range keys {
		f, ok := im.side.Functions[key]
		if !ok {
			continue
		}
		im.usedFn[key] = true
		if fn, done := im.fnOf[key]; done {
			return fn, true
		}
		if f.Name == "" {
			f.Name = key
			if i > 0 {
				f.Name = functionNameOfARN(key)
			}
		}
		im.fnOf[key] = f.Name
		if prev := im.find(f.Name); prev != nil {
			if !reflect.DeepEqual(*prev, f) {
				im.errorf(at, "side-file entry %q names function %q, which another entry defines differently (give the entries different names)", key, f.Name)
				return "", false
			}
			return f.Name, true
		}
		im.functions = append(im.functions, f)
		return f.Name, true
	}
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	im.errorf(at, "no performance entry for this Task: the side file's functions needs a key %s (state name first, then function)", strings.Join(quoted, " or "))
	return "", false
}

func (im *aslImporter) find(fn string) *Function {
	for i := range im.functions {
		if im.functions[i].Name == fn {
			return &im.functions[i]
		}
	}
	return nil
}

// checkSideKeys reports side-file entries that match nothing: most likely a typo.
func (im *aslImporter) checkSideKeys() {
	if im.cut {
		// The success path stopped at an error: entries past it are not typos.
		return
	}
	if len(im.usedFn) == 0 && len(im.side.Functions) > 1 {
		// Nothing matches at all: most likely the side file of another state machine, which is
		// better said once than once per entry.
		keys := sortedKeys(im.side.Functions)
		im.sideErrorf("functions", "functions: none of its %d entries (%s) matches a Task state of this state machine "+
			"by state name, Resource or FunctionName: is it the side file of another definition?", len(keys), strings.Join(keys, ", "))
	} else {
		for _, k := range sortedKeys(im.side.Functions) {
			if !im.usedFn[k] && !im.allStates[k] {
				im.sideErrorf("functions."+k, "functions[%q]: matches no Task state on the success path (by state name, Resource or FunctionName)", k)
			}
		}
	}
	for _, k := range sortedKeys(im.side.MapItems) {
		if !im.usedMap[k] && !im.allStates[k] {
			im.sideErrorf("map_items."+k, "map_items[%q]: matches no Map state on the success path", k)
		}
	}
	for _, k := range sortedKeys(im.side.Choices) {
		if _, used := im.chosen[k]; !used && !im.allStates[k] {
			im.sideErrorf("choices."+k, "choices[%q]: matches no Choice state on the success path", k)
		}
	}
}

// stateNames adds the states of machine m, at any depth, to out, for checkSideKeys: an entry
// for one of them off the success path (on a branch a Choice does not take) is no typo, and it is
// kept when the user switches branches.
func stateNames(m *aslMachine, out map[string]bool) {
	for name, st := range m.States {
		out[name] = true
		for i := range st.Branches {
			stateNames(&st.Branches[i], out)
		}
		if st.Iterator != nil {
			stateNames(st.Iterator, out)
		}
		if st.ItemProcessor != nil {
			stateNames(st.ItemProcessor, out)
		}
	}
}

// lambdaFunctionName returns Parameters.FunctionName (or Arguments.FunctionName) of a Task that
// invokes Lambda through the service integration, where Resource names the integration, not the
// function; or, when that field holds something other than a string, "" and the field's path.
func lambdaFunctionName(s *aslState) (name, badField string) {
	if !strings.HasPrefix(s.Resource, "arn:aws:states:::lambda:invoke") {
		return "", ""
	}
	for i, raw := range []json.RawMessage{s.Parameters, s.Arguments} {
		var p struct {
			FunctionName json.RawMessage `json:"FunctionName"`
		}
		if json.Unmarshal(raw, &p) != nil || p.FunctionName == nil {
			continue
		}
		if json.Unmarshal(p.FunctionName, &name) != nil {
			return "", [...]string{"Parameters", "Arguments"}[i] + ".FunctionName"
		}
		if name != "" {
			return name, ""
		}
	}
	return "", ""
}

// functionNameOfARN returns the function name in a Lambda ARN
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:VERSION]), or s itself if it is not one.
func functionNameOfARN(s string) string {
	_, rest, ok := strings.Cut(s, ":function:")
	if !ok || rest == "" {
		return s
	}
	name, _, _ := strings.Cut(rest, ":")
	return name
}

func orTop(path string) string {
	if path == "" {
		return "top level"
	}
	return path
}
