package dag

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/internal/jsonpos"
)

// validWorkflow is a small workflow every case below breaks in one way: Split, then a Map of
// Extract -> Classify over 4 items, then a Parallel of Merge and Notify.
func validWorkflow() *Workflow {
	fn := func(name string, mb int) Function {
		return Function{Name: name, MinMemoryMB: mb, SerialWork: Const(1), Threads: 1}
	}
	return &Workflow{
		Name:      "test",
		Functions: []Function{fn("Split", 128), fn("Extract", 256), fn("Classify", 1024), fn("Merge", 128), fn("Notify", 128)},
		Steps: []Step{
			{Name: "Split", Task: "Split"},
			{Name: "Chunks", Map: &Map{Items: Const(4), Iterator: []Step{
				{Name: "Extract", Task: "Extract"},
				{Name: "Classify", Task: "Classify"},
			}}},
			{Name: "Finish", Parallel: [][]Step{{{Name: "Merge", Task: "Merge"}}, {{Name: "Notify", Task: "Notify"}}}},
			{Name: "Done", Pass: true},
		},
	}
}

func TestWorkflowValidate(t *testing.T) {
	if err := validWorkflow().Validate(); err != nil {
		t.Fatalf("valid workflow: %v", err)
	}
	for _, tc := range []struct {
		name   string
		breakW func(w *Workflow)
		want   string
	}{
		{"no steps", func(w *Workflow) { w.Steps = nil }, `workflow "test" has no steps`},
		{"empty function name", func(w *Workflow) { w.Functions[0].Name = "" }, "functions[0]: name is empty"},
		{"empty workflow name", func(w *Workflow) { w.Name = "" }, "name is empty (want the workflow's name)"},
		{"duplicate function", func(w *Workflow) { w.Functions[1].Name = "Split" }, `functions[1] ("Split"): duplicate function name`},
		{"min memory negative", func(w *Workflow) { w.Functions[0].MinMemoryMB = -1 }, `functions[0] ("Split"): min_memory_mb = -1, want 0..10240`},
		{"min memory too large", func(w *Workflow) { w.Functions[0].MinMemoryMB = 20000 }, "min_memory_mb = 20000, want 0..10240"},
		{"shared above min", func(w *Workflow) { w.Functions[2].SharedMemoryMB = 2000 }, `functions[2] ("Classify"): shared_memory_mb = 2000, want 0..min_memory_mb (1024)`},
		{"shared negative", func(w *Workflow) { w.Functions[2].SharedMemoryMB = -5 }, "shared_memory_mb = -5"},
		{"threads zero", func(w *Workflow) { w.Functions[0].Threads = 0 }, `functions[0] ("Split"): threads = 0, want >= 1`},
		{"bad serial work", func(w *Workflow) { w.Functions[0].SerialWork = Const(-1) }, `functions[0] ("Split").serial_work_s: fixed distribution: value must be a finite number >= 0, got -1`},
		{"bad parallel work", func(w *Workflow) { w.Functions[0].ParallelWork = Dist{Kind: Uniform, Min: 2, Max: 1} }, ".parallel_work_s: uniform distribution: need 0 <= min <= max"},
		{"bad input", func(w *Workflow) { w.Functions[0].InputBytes = Dist{Kind: Exponential, Mean: -3} }, ".input_bytes: exponential distribution: mean must be >= 0"},
		{"bad output", func(w *Workflow) { w.Functions[0].OutputBytes = Dist{Kind: Normal, Mean: 1, StdDev: -1} }, ".output_bytes: normal distribution: need a finite mean and stddev >= 0"},
		{"bad init", func(w *Workflow) { w.Functions[0].InitTime = Dist{Kind: LogNormal, Median: -1} }, ".init_s: lognormal distribution: need median >= 0"},
		{"bad skew", func(w *Workflow) { w.Functions[0].ItemSkew = Dist{Kind: Empirical} }, ".item_skew: empirical distribution: quantiles must hold at least one value"},
		{"bad run factor", func(w *Workflow) { w.Functions[0].RunFactor = Dist{Kind: "gamma"} }, `.run_factor: unknown distribution kind "gamma"`},
		{"empty step name", func(w *Workflow) { w.Steps[0].Name = "" }, `steps[0] (""): step name is empty`},
		// Blank names, line breaks and invalid UTF-8 went into plans, tables and exported state
		// machines (Parquet strings must be UTF-8).
		{"blank step name", func(w *Workflow) { w.Steps[0].Name = "  " }, `step name "  " is blank, want a visible name`},
		{"step name with a line break", func(w *Workflow) { w.Steps[0].Name = "a\nb" }, `step name "a\nb" holds a control character`},
		{"function name not UTF-8", func(w *Workflow) { w.Functions[0].Name = "a\xff" }, `functions[0]: name "a\xff" is not valid UTF-8`},
		{"blank workflow name", func(w *Workflow) { w.Name = "\t" }, `name "\t" is blank`},
		{"duplicate step name", func(w *Workflow) { w.Steps[1].Map.Iterator[0].Name = "Split" }, `steps[1] ("Chunks").map.iterator[0] ("Split"): duplicate step name`},
		{"unknown function", func(w *Workflow) { w.Steps[1].Map.Iterator[1].Task = "Clasify" }, `steps[1] ("Chunks").map.iterator[1] ("Classify"): task names unknown function "Clasify"`},
		{"no branches", func(w *Workflow) { w.Steps[2].Parallel = [][]Step{} }, `steps[2] ("Finish"): parallel step has no branches`},
		{"empty branch", func(w *Workflow) { w.Steps[2].Parallel[1] = nil }, `steps[2] ("Finish").parallel[1]: branch has no steps`},
		{"bad items", func(w *Workflow) { w.Steps[1].Map.Items = Dist{Kind: Uniform, Min: 5, Max: 2} }, `steps[1] ("Chunks").map.items: uniform distribution`},
		{"empty iterator", func(w *Workflow) { w.Steps[1].Map.Iterator = nil }, `steps[1] ("Chunks").map.iterator: has no steps`},
		{"no kind", func(w *Workflow) { w.Steps[3].Pass = false }, `steps[3] ("Done"): a step needs exactly one of task, parallel, map or pass`},
		{"two kinds", func(w *Workflow) { w.Steps[0].Pass = true }, `steps[0] ("Split"): a step needs exactly one of task, parallel, map or pass`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := validWorkflow()
			tc.breakW(w)
			err := w.Validate()
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n  %v\nwant it to contain\n  %s", err, tc.want)
			}
		})
	}
}

func TestWorkflowValidateReportsEveryProblem(t *testing.T) {
	w := validWorkflow()
	w.Functions[0].Threads = 0
	w.Steps[3].Name = "Split"
	err := w.Validate()
	if err == nil || !strings.Contains(err.Error(), "threads = 0") || !strings.Contains(err.Error(), "duplicate step name") {
		t.Errorf("got %v, want both problems reported", err)
	}
}

func TestPlanValidate(t *testing.T) {
	base := func() *Plan {
		return &Plan{DefaultMemoryMB: 1024, Memory: map[string]int{"Classify": 2048}}
	}
	if err := base().Validate(validWorkflow()); err != nil {
		t.Fatalf("valid plan: %v", err)
	}
	for _, tc := range []struct {
		name  string
		plan  func(p *Plan)
		wflow func(w *Workflow) // optional change to the workflow
		want  string
	}{
		{"unknown function", func(p *Plan) { p.Memory["Clasify"] = 512 }, nil, `memory_mb: unknown function "Clasify"`},
		{"memory too small", func(p *Plan) { p.Memory["Split"] = 64 }, nil, `memory_mb["Split"] = 64 MB, want 128..10240`},
		{"memory too large", func(p *Plan) { p.Memory["Split"] = 10241 }, nil, `memory_mb["Split"] = 10241 MB, want 128..10240`},
		{"default out of range", func(p *Plan) { p.DefaultMemoryMB = 0 }, nil, `function "Extract" has no memory_mb and default_memory_mb = 0 MB, want 128..10240`},
		{"bundle unknown step", func(p *Plan) { p.Bundle = map[string]int{"Nope": 2} }, nil, `bundle: unknown step "Nope"`},
		{"bundle not a map", func(p *Plan) { p.Bundle = map[string]int{"Split": 2} }, nil, `bundle["Split"]: step is a task, only a map can be bundled`},
		{"bundle zero", func(p *Plan) { p.Bundle = map[string]int{"Chunks": 0} }, nil, `bundle["Chunks"] = 0, want >= 1`},
		{"bundle larger than items", func(p *Plan) { p.Bundle = map[string]int{"Chunks": 5} }, nil, `bundle["Chunks"] = 5 is larger than the map's 4 items`},
		{"passing unknown step", func(p *Plan) { p.Passing = map[string]Passing{"Nope": DirectPassing} }, nil, `passing: unknown step "Nope"`},
		{"passing bad method", func(p *Plan) { p.Passing = map[string]Passing{"Chunks": "carrier-pigeon"} }, nil, `passing["Chunks"] = "carrier-pigeon", want "remote" or "direct"`},
		{"fusion group of one", func(p *Plan) { p.Fuse = [][]string{{"Split"}} }, nil, "fuse[0]: a fusion group needs at least 2 steps, got 1"},
		{"fusion unknown step", func(p *Plan) { p.Fuse = [][]string{{"Split", "Nope"}} }, nil, `fuse[0]: unknown step "Nope"`},
		{"fusion non-adjacent", func(p *Plan) { p.Fuse = [][]string{{"Split", "Finish"}} }, nil, `fuse[0]: "Split" and "Finish" are not adjacent steps of one sequence`},
		{"fusion across sequences", func(p *Plan) { p.Fuse = [][]string{{"Split", "Extract"}} }, nil, `fuse[0]: "Split" and "Extract" are not adjacent steps`},
		{"fusion out of order", func(p *Plan) { p.Fuse = [][]string{{"Classify", "Extract"}} }, nil, `fuse[0]: "Classify" and "Extract" are not adjacent`},
		{"step in two groups", func(p *Plan) { p.Fuse = [][]string{{"Split", "Chunks"}, {"Chunks", "Finish"}} }, nil, `fuse[1]: step "Chunks" is already in fuse[0]`},
		{"memory below need", func(p *Plan) { p.Memory["Classify"] = 512 }, nil, `memory_mb["Classify"] = 512 MB is below the function's min_memory_mb 1024`},
		{"fused VM below need", func(p *Plan) {
			p.Memory = map[string]int{"Classify": 1024}
			p.DefaultMemoryMB = 512
			p.Fuse = [][]string{{"Split", "Chunks"}}
			p.Bundle = map[string]int{"Chunks": 4} // all 4 items stay in the fused VM
		}, nil, "fuse[0] (Split+Chunks): VM of 1024 MB is below the 4096 MB its invocations need"},
		{"bundle VM below need", func(p *Plan) { p.Bundle = map[string]int{"Chunks": 3} }, nil, `bundle["Chunks"] = 3: VM of 2048 MB is below the 3072 MB that 3 items need`},
		{"shared runtime still too small", func(p *Plan) {
			p.Bundle = map[string]int{"Chunks": 4}
			p.Memory["Classify"] = 3000
			p.SharedRuntime = true
		}, func(w *Workflow) { w.Functions[2].SharedMemoryMB = 200; w.Functions[1].SharedMemoryMB = 100 }, `bundle["Chunks"] = 4: the shared runtime of step "Classify" has a VM of 3000 MB, below the 3496 MB that 4 invocations need`},
		// One runtime per iterator step: Extract's own runtime must hold its 4 invocations too
		// (4 x 256 - 3 x 100 shared = 724 MB), whatever Classify's size.
		{"shared runtime per step", func(p *Plan) {
			p.Bundle = map[string]int{"Chunks": 4}
			p.Memory["Classify"] = 4096
			p.Memory["Extract"] = 512
			p.SharedRuntime = true
		}, func(w *Workflow) { w.Functions[2].SharedMemoryMB = 200; w.Functions[1].SharedMemoryMB = 100 }, `the shared runtime of step "Extract" has a VM of 512 MB, below the 724 MB that 4 invocations need`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := validWorkflow()
			if tc.wflow != nil {
				tc.wflow(w)
			}
			p := base()
			tc.plan(p)
			err := p.Validate(w)
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n  %v\nwant it to contain\n  %s", err, tc.want)
			}
		})
	}
}

// Plans that are right must pass, including the cases a careless check would reject.
func TestPlanValidateAccepts(t *testing.T) {
	for _, tc := range []struct {
		name string
		plan *Plan
	}{
		{"uniform", UniformPlan(2048)},
		{"fused iterator", &Plan{DefaultMemoryMB: 1024, Fuse: [][]string{{"Extract", "Classify"}}}},
		{"bundle fits", &Plan{DefaultMemoryMB: 1024, Memory: map[string]int{"Classify": 4096}, Bundle: map[string]int{"Chunks": 4}}},
		// 4 items x (1024 - 200 shared) + 200 = 3496 MB: fits a 3500 MB VM only with a shared runtime.
		{"shared runtime", &Plan{DefaultMemoryMB: 1024, Memory: map[string]int{"Classify": 3500}, Bundle: map[string]int{"Chunks": 4}, SharedRuntime: true}},
		{"direct passing", &Plan{DefaultMemoryMB: 1024, Passing: map[string]Passing{"Finish": DirectPassing, "Chunks": RemotePassing}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := validWorkflow()
			w.Functions[1].SharedMemoryMB = 200
			w.Functions[2].SharedMemoryMB = 200
			if err := tc.plan.Validate(w); err != nil {
				t.Error(err)
			}
		})
	}
}

// A plan checked against a workflow that does not validate must get an error, not a panic.
func TestPlanValidateOnBrokenWorkflow(t *testing.T) {
	w := validWorkflow()
	w.Steps[1].Map.Iterator[1].Task = "Missing"
	p := &Plan{DefaultMemoryMB: 1024, Bundle: map[string]int{"Chunks": 2}, Fuse: [][]string{{"Split", "Chunks"}}}
	err := p.Validate(w)
	if err == nil || !strings.Contains(err.Error(), `step "Classify" runs unknown function "Missing"`) {
		t.Errorf("got %v, want the unknown function named", err)
	}
}

func TestParseWorkflowErrors(t *testing.T) {
	for _, tc := range []struct{ name, json, want string }{
		{"syntax", "{\n  \"name\": \"x\",\n  \"steps\": [}\n}", `w.json: line 3, column 13: invalid JSON: invalid character '}'`},
		{"empty", "  \n", "w.json: empty file, want a JSON object"},
		{"truncated", `{"name": "x", "steps": [`, "w.json: line 1, column 25: truncated JSON"},
		{"trailing data", `{"name":"x"} {"name":"y"}`, "w.json: line 1, column 14: unexpected data after the JSON value"},
		{"unknown field", "{\"name\": \"x\",\n \"stepz\": []}", `w.json: line 2, column 2: top level: unknown field "stepz" (want one of name, description, functions, steps)`},
		{"unknown step field", `{"name":"x","steps":[{"name":"a","tsk":"f"}]}`, `line 1, column 34: steps[0]: unknown field "tsk"`},
		{"wrong type", `{"name":"x","functions":[{"name":"f","threads":"4"}]}`, `line 1, column 48: functions[0].threads: want an integer, got the string "4"`},
		{"fractional int", `{"name":"x","functions":[{"name":"f","min_memory_mb":1.5}]}`, `functions[0].min_memory_mb: want an integer, got the number 1.5`},
		{"dist wrong type", `{"name":"x","functions":[{"name":"f","init_s":"slow"}]}`, `line 1, column 47: functions[0].init_s: want a number or a distribution object, got the string "slow"`},
		{"dist unknown field", "{\"name\":\"x\",\"functions\":[{\"name\":\"f\",\n\"init_s\":{\"kind\":\"uniform\",\"mn\":1}}]}", `line 2, column 28: functions[0].init_s: unknown field "mn" (want one of kind, value, min, max, mean, stddev, median, sigma, quantiles)`},
		{"dist field type", `{"name":"x","functions":[{"name":"f","item_skew":{"kind":"empirical","quantiles":[1,"2"]}}]}`, `functions[0].item_skew.quantiles[1]: want a number, got the string "2"`},
		{"dist without kind", `{"name":"x","functions":[{"name":"f","item_skew":{"min":1}}]}`, `line 1, column 50: functions[0].item_skew: distribution object needs a "kind"`},
		{"map items", `{"name":"x","steps":[{"name":"m","map":{"items":[3],"iterator":[]}}]}`, `line 1, column 49: steps[0].map.items: want a number or a distribution object, got an array`},
		{"nested iterator", `{"name":"x","steps":[{"name":"m","map":{"items":3,"iterator":[{"name":"a","parallel":[[{"name":"b","pass":"yes"}]]}]}}]}`, `steps[0].map.iterator[0].parallel[0][0].pass: want true or false, got the string "yes"`},
		{"validation", `{"name":"x","functions":[],"steps":[{"name":"a","task":"f"}]}`, `w.json: workflow "x": line 1: steps[0] ("a"): task names unknown function "f"`},
		{"empty names", "{\n \"name\": \"\",\n \"functions\": [{\"name\": \"\", \"threads\": 1}],\n \"steps\": [{\"name\": \"\", \"pass\": true}]}",
			`w.json: workflow "": line 2: name is empty (want the workflow's name); line 3: functions[0]: name is empty; line 4: steps[0] (""): step name is empty`},
		{"top level not object", `[1,2]`, "w.json: line 1, column 1: top level: want an object, got an array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWorkflow("w.json", []byte(tc.json))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n  %v\nwant it to contain\n  %s", err, tc.want)
			}
		})
	}
}

func TestParsePlanErrors(t *testing.T) {
	w := validWorkflow()
	for _, tc := range []struct{ name, json, want string }{
		{"memory type", `{"memory_mb":{"Split":"big"}}`, `p.json: line 1, column 23: memory_mb["Split"]: want an integer, got the string "big"`},
		{"fuse shape", `{"fuse":["Split","Chunks"]}`, `line 1, column 10: fuse[0]: want an array, got the string "Split"`},
		{"unknown field", `{"bundles":{}}`, `line 1, column 2: top level: unknown field "bundles"`},
		{"validation", `{"default_memory_mb":1024,"bundle":{"Chunks":9}}`, `p.json: plan for workflow "test": line 1: bundle["Chunks"] = 9 is larger than the map's 4 items`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePlan("p.json", []byte(tc.json), w)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n  %v\nwant it to contain\n  %s", err, tc.want)
			}
		})
	}
}

// The documented examples load, and a workflow survives a JSON round trip unchanged.
func TestDocExamples(t *testing.T) {
	w, err := ReadWorkflow(filepath.Join(examplesDir, "thumbnails.workflow.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPlan(filepath.Join(examplesDir, "thumbnails.plan.json"), w); err != nil {
		t.Fatal(err)
	}
	kinds := map[DistKind]bool{}
	for _, f := range w.Functions {
		for _, d := range []Dist{f.SerialWork, f.ParallelWork, f.InputBytes, f.OutputBytes, f.InitTime, f.ItemSkew, f.RunFactor} {
			if !d.IsZero() {
				kinds[d.Kind] = true
			}
		}
	}
	for _, k := range []DistKind{Fixed, Uniform, Exponential, Normal, LogNormal, Empirical} {
		if !kinds[k] {
			t.Errorf("the example workflow uses no %s distribution; the docs promise every kind", k)
		}
	}
	b, err := MarshalIndent(w)
	if err != nil {
		t.Fatal(err)
	}
	w2, err := ParseWorkflow("round trip", b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := MarshalIndent(w2)
	if string(b) != string(b2) {
		t.Errorf("round trip changed the workflow:\n%s\nvs\n%s", b, b2)
	}
	// An unset factor means 1; written and read back it must still mean 1, not a fixed 0.
	for i, f := range w.Functions {
		g := w2.Functions[i]
		if f.ItemSkew.MeanFactor() != g.ItemSkew.MeanFactor() || f.RunFactor.MeanFactor() != g.RunFactor.MeanFactor() {
			t.Errorf("%s: factors changed in the round trip: skew %v -> %v, run %v -> %v", f.Name,
				f.ItemSkew.MeanFactor(), g.ItemSkew.MeanFactor(), f.RunFactor.MeanFactor(), g.RunFactor.MeanFactor())
		}
	}
	// Every example file is covered by some test: a new example must be added here or to the
	// ASL tests, so that none can rot unnoticed.
	entries, err := os.ReadDir(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{
		"thumbnails.workflow.json": true, "thumbnails.plan.json": true,
		"orders.asl.json": true, "orders.functions.json": true,
		"video-analytics.functions.json": true, "ml-pipeline.functions.json": true, "chatbot.functions.json": true,
		"azure-durable-grs.platform.json": true, // platform's TestAzureStoragePricesByHand
	}
	for _, e := range entries {
		if !covered[e.Name()] {
			t.Errorf("docs/examples/%s is not loaded by any test", e.Name())
		}
	}
}

// TestParseWorkflowValidationLines: a problem validation finds after decoding starts with the line
// of the function or step at fault, nested steps included, every problem at once.
func TestParseWorkflowValidationLines(t *testing.T) {
	js := `{
  "name": "x",
  "functions": [
    {"name": "f", "min_memory_mb": 128, "threads": 1, "serial_work_s": 1},
    {"name": "g", "min_memory_mb": 128, "threads": 0, "serial_work_s": 1}
  ],
  "steps": [
    {"name": "a", "task": "f"},
    {"name": "m", "map": {"items": 3, "iterator": [
      {"name": "b", "task": "f"},
      {"name": "c", "task": "h"}
    ]}},
    {"name": "p", "parallel": [[
      {"name": "a", "task": "f"}
    ]]}
  ]
}`
	_, err := ParseWorkflow("w.json", []byte(js))
	want := `w.json: workflow "x": line 5: functions[1] ("g"): threads = 0, want >= 1; ` +
		`line 11: steps[1] ("m").map.iterator[1] ("c"): task names unknown function "h"; ` +
		`line 14: steps[2] ("p").parallel[0][0] ("a"): duplicate step name (step names must be unique in the whole workflow)`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	// Validate on a workflow built in code names no lines.
	w := &Workflow{Name: "x", Steps: []Step{{Name: "a", Task: "f"}}}
	if err := w.Validate(); err == nil || strings.Contains(err.Error(), "line") {
		t.Errorf("Validate: %v, want an error without lines", err)
	}
}

// TestParsePlanProblemLines: a plan that decodes but does not validate reports every problem at
// once, each with the line of the value at fault, and at most jsonpos.MaxProblems of them.
func TestParsePlanProblemLines(t *testing.T) {
	w := validWorkflow()
	plan := `{
  "memory_mb": {
    "Classify": 99999,
    "Nope": 1024
  },
  "default_memory_mb": 1024,
  "bundle": {"Split": 2},
  "fuse": [
    ["Extract",
     "Merge"]
  ],
  "passing": {
    "Chunks": "carrier"
  }
}`
	_, err := ParsePlan("p.json", []byte(plan), w)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`line 4: memory_mb: unknown function "Nope"`,
		`line 3: memory_mb["Classify"] = 99999 MB, want 128..10240`,
		`line 7: bundle["Split"]: step is a task`,
		`line 10: fuse[0]: "Extract" and "Merge" are not adjacent`,
		`line 13: passing["Chunks"] = "carrier"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// 25 unknown functions: the first 20, then a count of the rest.
	var mem []string
	for i := range 25 {
		mem = append(mem, fmt.Sprintf(`"F%02d": 1024`, i))
	}
	_, err = ParsePlan("p.json", []byte(`{"default_memory_mb": 1024, "memory_mb": {`+strings.Join(mem, ",\n")+`}}`), w)
	if err == nil || strings.Count(err.Error(), "unknown function") != jsonpos.MaxProblems || !strings.HasSuffix(err.Error(), "and 5 more problems") {
		t.Errorf("25 problems: want %d and a count of the rest, got %v", jsonpos.MaxProblems, err)
	}
	if err != nil && !strings.Contains(err.Error(), `line 2: memory_mb: unknown function "F01"`) {
		t.Errorf("want F01 on line 2: %v", err)
	}
}

// TestWorkflowValidateDeepPath checks the path of a problem three lists deep, with and without
// its line: a retry in a branch of a Parallel inside a Map's iterator.
func TestWorkflowValidateDeepPath(t *testing.T) {
	js := `{"name": "x", "functions": [{"name": "f", "serial_work_s": 1, "threads": 1}],
  "steps": [
    {"name": "m", "map": {"items": 2, "iterator": [
      {"name": "p", "parallel": [[{"name": "a", "task": "f"}], [
        {"name": "b", "task": "f", "retry": {"interval_s": 0}}
      ]]}
    ]}}
  ]
}`
	const at = `steps[0] ("m").map.iterator[0] ("p").parallel[1][0] ("b").retry.interval_s = 0`
	_, err := ParseWorkflow("w.json", []byte(js))
	if want := `w.json: workflow "x": line 5: ` + at; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got  %v\nwant %s...", err, want)
	}
	var w Workflow
	if err := decodeJSON([]byte(js), &w, jsonStyle{strict: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.Validate(); err == nil || !strings.HasPrefix(err.Error(), `workflow "x": `+at) {
		t.Errorf("got %v, want the problem at %s", err, at)
	}
}

// BenchmarkWorkflowValidate validates a valid workflow: a trace replay validates each of its
// thousands of DAGs once.
func BenchmarkWorkflowValidate(b *testing.B) {
	w := validWorkflow()
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPlanValidateReportsAll: a plan with a structural problem (a bundle of 0, a group of steps
// that are not adjacent) still has its tasks checked against their min_memory_mb, where no group
// or bundle sizes their VM (the bundle of 0 hid a Classify below its minimum); an unknown
// function's size hides nothing.
func TestPlanValidateReportsAll(t *testing.T) {
	for name, p := range map[string]*Plan{
		"bundle of 0":      {DefaultMemoryMB: 1024, Memory: map[string]int{"Classify": 512}, Bundle: map[string]int{"Chunks": 0}},
		"non-adjacent":     {DefaultMemoryMB: 1024, Memory: map[string]int{"Classify": 512}, Fuse: [][]string{{"Split", "Finish"}}},
		"unknown function": {DefaultMemoryMB: 1024, Memory: map[string]int{"Classify": 512, "Nope": 1024}},
	} {
		err := p.Validate(validWorkflow())
		if err == nil || !strings.Contains(err.Error(), `memory_mb["Classify"] = 512 MB is below the function's min_memory_mb 1024`) {
			t.Errorf("%s: %v, want Classify's minimum reported too", name, err)
		}
	}
}
