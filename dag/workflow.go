package dag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wisefuse/wisefuse/internal/jsonpos"
)

// Workflow is a serverless workflow: named functions and the sequence of steps that invokes them.
type Workflow struct {
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Functions   []Function `json:"functions"`
	Steps       []Step     `json:"steps"`
}

// Function is one deployable serverless function and its performance model.
//
// One invocation's compute time on c vCPUs is Serial/min(c, 1) + Parallel/min(c, Threads) seconds,
// with Serial and Parallel drawn from SerialWork and ParallelWork and both scaled by the
// invocation's ItemSkew draw and the run's RunFactor draw.
type Function struct {
	Name        string `json:"name"`
	MinMemoryMB int    `json:"min_memory_mb"` // memory one invocation needs at least
	// SharedMemoryMB is the part of MinMemoryMB (code, libraries, read-only state) that
	// co-located invocations can share in one runtime (Photons-style); 0 means nothing is shared.
	SharedMemoryMB int  `json:"shared_memory_mb,omitempty"`
	SerialWork     Dist `json:"serial_work_s"`   // core-seconds of single-threaded work
	ParallelWork   Dist `json:"parallel_work_s"` // core-seconds that spread over up to Threads
	Threads        int  `json:"threads"`         // threads or processes the parallel part uses
	InputBytes     Dist `json:"input_bytes"`     // data read at start (remote unless fused)
	OutputBytes    Dist `json:"output_bytes"`    // data written at end (remote unless fused)
	InitTime       Dist `json:"init_s"`          // cold-start initialisation of this function
	// The factors are omitted from JSON when unset: written as 0 they would read back as a
	// fixed factor of 0, not as "unset, so 1".
	ItemSkew  Dist `json:"item_skew,omitzero"`  // factor per invocation; unset means 1
	RunFactor Dist `json:"run_factor,omitzero"` // factor per run, shared by the run's invocations; unset means 1

	// ItemSkewByIndex makes the item skew a property of the item, not of the run: item i of a
	// map always gets ItemSkew.Quantile(ItemUniform(Name, i)), in every run and for every seed
	// (a workflow that reprocesses the same input, e.g. one video whose busiest chunk is the same
	// chunk in every run). False (the default) draws ItemSkew afresh per invocation.
	ItemSkewByIndex bool `json:"item_skew_by_index,omitempty"`
	// Oversubscription is the exponent g of the loss of efficiency of a parallel part that runs
	// Threads spin-waiting threads (OpenMP, LightGBM) on fewer cores than threads: given a cores
	// of CPU share on n visible cores (n >= a: the VM's share is a quota over the cores its guest
	// sees), it progresses at a * (n/Threads)^g core-seconds per second instead of a when
	// n < Threads, so its time is P/a * (Threads/n)^g. 0 (the default) means threads yield when
	// idle: no loss.
	Oversubscription float64 `json:"oversubscription,omitempty"`
	// InputRequests and OutputRequests are the sequential storage requests the function makes to
	// read its input and write its output (e.g. one PUT per chunk); each pays the storage's
	// per-request latency. 0 (the default) means 1.
	InputRequests  int `json:"input_requests,omitempty"`
	OutputRequests int `json:"output_requests,omitempty"`
	// ExtraRequestLatency is added to the storage's per-request latency for each of this
	// function's requests (seconds): small sequential requests measured slower than the
	// platform's typical first-byte latency. 0 (the default) means none.
	ExtraRequestLatency float64 `json:"extra_request_latency_s,omitempty"`
}

// Requests returns n, or 1 when n is 0 (the default of InputRequests and OutputRequests).
func Requests(n int) int { return max(n, 1) }

// PrivateMB is the memory each invocation of f after the first adds to a shared runtime (Photons,
// Plan.SharedRuntime) whose first invocation has memMB: memMB's private part in the function's
// own proportion, (MinMemoryMB - SharedMemoryMB) / MinMemoryMB, rounded up, at least 1 MB.
// A runtime of n invocations needs memMB + (n-1) x PrivateMB(memMB).
func (f *Function) PrivateMB(memMB int) int {
	private := memMB
	if f.MinMemoryMB > 0 {
		private = int(math.Ceil(float64(memMB) * float64(f.MinMemoryMB-f.SharedMemoryMB) / float64(f.MinMemoryMB)))
	}
	return max(private, 1)
}

// IndexedSkew is the item-skew factor of item (0-based) when ItemSkewByIndex is set.
func (f *Function) IndexedSkew(item int) float64 {
	if f.ItemSkew.IsZero() {
		return 1
	}
	return f.ItemSkew.Quantile(ItemUniform(f.Name, item))
}

// ItemUniform is a deterministic number in (0, 1) for (function name, item index): a SplitMix64
// hash of the FNV-1a hash of the name and the index. It is the "random" position of item in the
// item-skew distribution when ItemSkewByIndex is set, the same on every run and seed.
func ItemUniform(name string, item int) float64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	x := h + uint64(item+1)*0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	x ^= x >> 31
	return (float64(x>>11) + 0.5) / (1 << 53)
}

// StepKind says what a Step does.
type StepKind string

// The kinds of step, as in Amazon States Language.
const (
	TaskStep     StepKind = "task"
	ParallelStep StepKind = "parallel"
	MapStep      StepKind = "map"
	PassStep     StepKind = "pass"
)

// Step is one state of a workflow's sequence. Exactly one of Task, Parallel, Map or Pass is set.
type Step struct {
	Name     string   `json:"name"`
	Task     string   `json:"task,omitempty"`     // function name
	Parallel [][]Step `json:"parallel,omitempty"` // branches, each a sequence
	Map      *Map     `json:"map,omitempty"`
	Pass     bool     `json:"pass,omitempty"` // orchestration only: a transition, no function
	// Retry is a Task step's retry of a throttled invoke at the concurrency limit (an ASL
	// retrier matching Lambda.TooManyRequestsException); nil leaves it to the platform's
	// at_concurrency_limit. Only a task step may have one.
	Retry *Retry `json:"retry,omitempty"`
}

// Map runs Iterator once per item; items run independently of each other.
//
// The other fields are AWS Step Functions limits, which an imported state machine (ImportASL)
// sets and a workflow of any other origin leaves at zero (no limit).
type Map struct {
	Items    Dist   `json:"items"` // item count, rounded to the nearest integer >= 1 when drawn
	Iterator []Step `json:"iterator"`
	// MaxConcurrency is how many of the Map's iterations (child executions: an item, or a bundle
	// of items when the plan bundles them) run at once; the others wait and start, in item
	// order, as running ones finish. 0 means no limit. It binds the orchestrated Map only: a Map
	// inside a fusion group runs in the group's code, not as a Step Functions Map.
	MaxConcurrency int `json:"max_concurrency,omitempty"`
	// MaxItemsPerBatch is the Map's ItemBatcher: items per child execution, Step Functions' own
	// bundling. It is what a plan's bundle is, so it acts as one: DeployedPlan gives it to the
	// Map as its bundle; a plan (--plan, --policy) decides bundles itself. 0 means no batching.
	MaxItemsPerBatch int `json:"max_items_per_batch,omitempty"`
	// Distributed is a Distributed Map (ProcessorConfig.Mode DISTRIBUTED): each iteration is a
	// child workflow execution, charged one state transition when it starts.
	Distributed bool `json:"distributed,omitempty"`
}

// Kind returns which of Task, Parallel, Map or Pass the step is ("" if none or several are set).
func (s *Step) Kind() StepKind {
	kind, n := StepKind(""), 0
	if s.Task != "" {
		kind, n = TaskStep, n+1
	}
	if s.Parallel != nil {
		kind, n = ParallelStep, n+1
	}
	if s.Map != nil {
		kind, n = MapStep, n+1
	}
	if s.Pass {
		kind, n = PassStep, n+1
	}
	if n != 1 {
		return ""
	}
	return kind
}

// Function returns the function named name, or nil.
func (w *Workflow) Function(name string) *Function {
	for i := range w.Functions {
		if w.Functions[i].Name == name {
			return &w.Functions[i]
		}
	}
	return nil
}

// FixedItems returns the item count of a Map whose count is fixed, and false when it is drawn.
func (m *Map) FixedItems() (int, bool) {
	if m.Items.Kind != "" && m.Items.Kind != Fixed {
		return 0, false
	}
	return ItemCount(m.Items.Value), true
}

// ItemCount rounds a drawn item count to the nearest integer, at least 1. A count past MaxInt32
// (which Validate refuses, MaxItems) saturates there rather than wrapping.
func ItemCount(x float64) int {
	if !(x < math.MaxInt32) {
		if math.IsNaN(x) {
			return 1
		}
		return math.MaxInt32
	}
	n := int(x + 0.5)
	if n < 1 {
		return 1
	}
	return n
}

// Walk calls fn for every step, depth first in order, with the path of step names leading to it.
// The path slice is reused between calls; copy it to keep it.
func (w *Workflow) Walk(fn func(path []string, s *Step)) {
	var walk func(path []string, steps []Step)
	walk = func(path []string, steps []Step) {
		for i := range steps {
			s := &steps[i]
			p := append(path, s.Name)
			fn(p, s)
			for _, b := range s.Parallel {
				walk(p, b)
			}
			if s.Map != nil {
				walk(p, s.Map.Iterator)
			}
		}
	}
	walk(nil, w.Steps)
}

// Step returns the step named name anywhere in the workflow, or nil.
func (w *Workflow) Step(name string) *Step {
	var found *Step
	w.Walk(func(_ []string, s *Step) {
		if found == nil && s.Name == name {
			found = s
		}
	})
	return found
}

// Validate checks the workflow's structure and parameters and returns every problem found, each
// naming the function or step and the field.
func (w *Workflow) Validate() error { return w.validate(nil) }

// validate is Validate that, when line is not nil, starts each problem of a function or a step
// with the line where the file gives it: line maps a JSON path ("steps[1].map.iterator[0]",
// "functions[2]") to its line, 0 when unknown.
func (w *Workflow) validate(line func(path string) int) error {
	var errs []string
	add := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	// addAt returns add for the problems of the value at path, prefixed with its line.
	addAt := func(path string) func(string, ...any) {
		if line == nil {
			return add
		}
		n := line(path)
		if n <= 0 {
			return add
		}
		return func(format string, a ...any) { add("line %d: "+format, append([]any{n}, a...)...) }
	}
	// addAtField is addAt for a function or step, whose JSON path is built only for a line.
	addAtField := func(p *fieldPath) func(string, ...any) {
		if line == nil {
			return add
		}
		return addAt(p.json())
	}
	if w.Name == "" {
		// Outputs, logs and trace catalogs name the workflow; an empty name reads as a missing one.
		addAt("name")("name is empty (want the workflow's name)")
	} else if msg := badName(w.Name); msg != "" {
		addAt("name")("name %q %s", w.Name, msg)
	}
	if len(w.Steps) == 0 {
		add("workflow %q has no steps", w.Name)
	}
	seen := map[string]bool{}
	for i := range w.Functions {
		f := &w.Functions[i]
		where := &fieldPath{list: "functions", branch: -1, i: i, name: f.Name}
		fadd := addAtField(where)
		if f.Name == "" {
			fadd("functions[%d]: name is empty", i)
		} else if msg := badName(f.Name); msg != "" {
			fadd("functions[%d]: name %q %s", i, f.Name, msg)
		} else if seen[f.Name] {
			fadd("%s: duplicate function name", where)
		}
		seen[f.Name] = true
		f.validate(where, fadd)
	}
	steps := map[string]bool{}
	// per is how many times one run enters seq: the product of the item counts (expected) of
	// the Maps around it, bounded by MaxItems like one Map's count.
	// in is the step whose branch (branch >= 0) or iterator (list) seq is, nil for the top.
	var check func(in *fieldPath, list string, branch int, seq []Step, per float64)
	check = func(in *fieldPath, list string, branch int, seq []Step, per float64) {
		for i := range seq {
			s := &seq[i]
			at := &fieldPath{in: in, list: list, branch: branch, i: i, name: s.Name}
			add := addAtField(at)
			if s.Name == "" {
				add("%s: step name is empty", at)
			} else if msg := badName(s.Name); msg != "" {
				add("%s: step name %q %s", at, s.Name, msg)
			} else if steps[s.Name] {
				add("%s: duplicate step name (step names must be unique in the whole workflow)", at)
			}
			steps[s.Name] = true
			if s.Retry != nil {
				if s.Kind() == TaskStep {
					s.Retry.validate(at, add)
				} else if s.Kind() != "" {
					add("%s: retry on a %s step (only a task step retries a throttled invoke)", at, s.Kind())
				}
			}
			switch s.Kind() {
			case TaskStep:
				if w.Function(s.Task) == nil {
					add("%s: task names unknown function %q", at, s.Task)
				}
			case ParallelStep:
				if len(s.Parallel) == 0 {
					add("%s: parallel step has no branches", at)
				}
				for b, br := range s.Parallel {
					if len(br) == 0 {
						add("%s.parallel[%d]: branch has no steps", at, b)
					}
					check(at, ".parallel", b, br, per)
				}
				// Maps side by side in branches hold their items at once, as nested Maps do:
				// 50 branches of a Map of 10^6 items passed, then took 17 GB to simulate. Only
				// branches that hold Maps count (one Map over the limit is its own problem).
				withMaps, sum := 0, 0.0
				for _, br := range s.Parallel {
					if n := mapItemsAtOnce(br); n > 0 {
						withMaps++
						sum += n
					}
				}
				if n := per * sum; withMaps > 1 && n > MaxItems {
					add("%s: the Maps of its branches hold %.4g items at once per run (their items add up, times the maps around it), above the limit %d", at, n, MaxItems)
				}
			case MapStep:
				if err := s.Map.Items.ValidateMax(MaxItems, "items of one Map: the simulator holds each as a frame"); err != nil {
					add("%s.map.items: %v", at, err)
				}
				if s.Map.MaxConcurrency > MaxItems {
					add("%s.map.max_concurrency = %d, above the limit %d (the largest item count)", at, s.Map.MaxConcurrency, MaxItems)
				}
				if s.Map.MaxItemsPerBatch > MaxItems {
					add("%s.map.max_items_per_batch = %d, above the limit %d (the largest item count)", at, s.Map.MaxItemsPerBatch, MaxItems)
				}
				if len(s.Map.Iterator) == 0 {
					add("%s.map.iterator: has no steps", at)
				}
				if s.Map.MaxConcurrency < 0 {
					add("%s.map.max_concurrency = %d, want >= 0 (0: no limit)", at, s.Map.MaxConcurrency)
				}
				if s.Map.MaxItemsPerBatch < 0 {
					add("%s.map.max_items_per_batch = %d, want >= 0 (0: no batching)", at, s.Map.MaxItemsPerBatch)
				}
				inner := per * math.Max(1, s.Map.Items.ExpectedValue())
				if per > 1 && inner > MaxItems {
					add("%s: nested maps make %.4g items per run (the product of the item counts of this map and the maps around it), above the limit %d", at, inner, MaxItems)
					inner = 1 // reported once
				}
				check(at, ".map.iterator", -1, s.Map.Iterator, inner)
			case PassStep:
			default:
				add("%s: a step needs exactly one of task, parallel, map or pass", at)
			}
		}
	}
	check(nil, "steps", -1, w.Steps, 1)
	if len(errs) > 0 {
		return fmt.Errorf("workflow %q: %s", w.Name, jsonpos.JoinProblems(errs))
	}
	return nil
}

// mapItemsAtOnce is the most Map items one pass through seq holds at once, by the expected item
// counts: a Map's items times its iterator's Maps' (or 1), a Parallel's branches added up; 0
// without Maps.
func mapItemsAtOnce(seq []Step) float64 {
	most := 0.0
	for i := range seq {
		s := &seq[i]
		switch s.Kind() {
		case MapStep:
			most = math.Max(most, math.Max(1, s.Map.Items.ExpectedValue())*math.Max(1, mapItemsAtOnce(s.Map.Iterator)))
		case ParallelStep:
			n := 0.0
			for _, b := range s.Parallel {
				n += mapItemsAtOnce(b)
			}
			most = math.Max(most, n)
		}
	}
	return most
}

// fieldPath is where a function or step is, as problems name it (`functions[0] ("f")`,
// `steps[1] ("m").map.iterator[0] ("g")`, printed with %s) and as a JSON path without the names
// (`steps[1].map.iterator[0]`, for its line). It is built into a string only when a problem is
// reported: formatting the path of every function and step of a valid workflow was most of
// validating it, a few percent of a trace replay's compiling of thousands of DAGs
// (docs/simulator.md, "The replay path, sixth round").
type fieldPath struct {
	in     *fieldPath // the step whose branch or iterator holds this one, nil at the top
	list   string     // "functions", "steps", ".parallel" or ".map.iterator"
	branch int        // for ".parallel": the branch, else -1
	i      int        // the index in the list
	name   string
}

func (p *fieldPath) String() string { return p.format(true) }

func (p *fieldPath) json() string { return p.format(false) }

func (p *fieldPath) format(named bool) string {
	var b strings.Builder
	p.appendTo(&b, named)
	return b.String()
}

func (p *fieldPath) appendTo(b *strings.Builder, named bool) {
	if p.in != nil {
		p.in.appendTo(b, named)
	}
	b.WriteString(p.list)
	if p.branch >= 0 {
		fmt.Fprintf(b, "[%d]", p.branch)
	}
	fmt.Fprintf(b, "[%d]", p.i)
	if named {
		fmt.Fprintf(b, " (%q)", p.name)
	}
}

// validate checks one function's parameters, reporting each problem with where (a string or a
// fmt.Stringer, printed with %s) as its prefix.
func (f *Function) validate(where any, add func(string, ...any)) {
	if f.MinMemoryMB < 0 || f.MinMemoryMB > MaxMemoryMB {
		add("%s: min_memory_mb = %d, want 0..%d", where, f.MinMemoryMB, MaxMemoryMB)
	}
	if f.SharedMemoryMB < 0 || f.SharedMemoryMB > f.MinMemoryMB {
		add("%s: shared_memory_mb = %d, want 0..min_memory_mb (%d)", where, f.SharedMemoryMB, f.MinMemoryMB)
	}
	if f.Threads < 1 {
		add("%s: threads = %d, want >= 1", where, f.Threads)
	} else if f.Threads > MaxThreads {
		add("%s: threads = %d, above the limit %d", where, f.Threads, MaxThreads)
	}
	if math.IsNaN(f.Oversubscription) || math.IsInf(f.Oversubscription, 0) || f.Oversubscription < 0 || f.Oversubscription > MaxOversubscription {
		add("%s: oversubscription = %v, want a number from 0 to %v", where, f.Oversubscription, MaxOversubscription)
	}
	if math.IsNaN(f.ExtraRequestLatency) || math.IsInf(f.ExtraRequestLatency, 0) || f.ExtraRequestLatency < 0 || f.ExtraRequestLatency > MaxSeconds {
		add("%s: extra_request_latency_s = %v, want a number from 0 to %g", where, f.ExtraRequestLatency, MaxSeconds)
	}
	if f.InputRequests < 0 || f.InputRequests > MaxRequests {
		add("%s: input_requests = %d, want 0..%d (0 means 1)", where, f.InputRequests, MaxRequests)
	}
	if f.OutputRequests < 0 || f.OutputRequests > MaxRequests {
		add("%s: output_requests = %d, want 0..%d (0 means 1)", where, f.OutputRequests, MaxRequests)
	}
	const (
		work   = "core-seconds of work: 31.7 years on one core"
		bytes  = "bytes: 10 TB"
		secs   = "seconds: 116 days"
		factor = "a multiplier"
	)
	for _, d := range []struct {
		field string
		d     Dist
		limit float64
		what  string
	}{{"serial_work_s", f.SerialWork, MaxWork, work}, {"parallel_work_s", f.ParallelWork, MaxWork, work},
		{"input_bytes", f.InputBytes, MaxBytes, bytes}, {"output_bytes", f.OutputBytes, MaxBytes, bytes},
		{"init_s", f.InitTime, MaxSeconds, secs}, {"item_skew", f.ItemSkew, MaxFactor, factor}, {"run_factor", f.RunFactor, MaxFactor, factor}} {
		if err := d.d.ValidateMax(d.limit, d.what); err != nil {
			add("%s.%s: %v", where, d.field, err)
		}
	}
}

// mapFields is Map without its JSON method.
type mapFields Map

// UnmarshalJSON decodes a Map, requiring "items": without it the count would silently be 1.
func (m *Map) UnmarshalJSON(b []byte) error {
	var probe struct {
		Items json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(b, &probe); err == nil && (probe.Items == nil || string(probe.Items) == "null") {
		return fmt.Errorf(`map needs "items", the item count (a number or a distribution object)`)
	}
	var f mapFields
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("map: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	*m = Map(f)
	return nil
}

// ExpectedInvocations returns the workflow's expected function invocations per run: its tasks,
// each Map's iterator counted its mean number of items as runs draw them (Dist.ExpectedItems; at
// most 10^9). Profiling budgets follow it (policy.ProfileRuns, and the bound on a profile's
// samples in package wisefuse).
func (w *Workflow) ExpectedInvocations() int {
	var count func(seq []Step) float64
	count = func(seq []Step) float64 {
		n := 0.0
		for i := range seq {
			s := &seq[i]
			switch {
			case s.Task != "":
				n++
			case s.Map != nil:
				n += s.Map.Items.ExpectedItems() * count(s.Map.Iterator)
			default:
				for _, br := range s.Parallel {
					n += count(br)
				}
			}
		}
		return n
	}
	n := count(w.Steps)
	if !(n < 1e9) {
		return 1e9
	}
	return int(n + 0.5)
}

// badName says what is wrong with a non-empty name of a workflow, function or step, "" when
// nothing: names go into every output table (Parquet strings must be UTF-8), logs, plans and
// exported state machines, where a blank one reads as missing and a control character (a line
// break, a tab) splits the line it is on.
func badName(name string) string {
	switch {
	case !utf8.ValidString(name):
		return "is not valid UTF-8"
	case strings.TrimSpace(name) == "":
		return "is blank, want a visible name"
	case strings.ContainsFunc(name, unicode.IsControl):
		return "holds a control character (a line break, a tab), want one line of text"
	}
	return ""
}
