package dag

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/internal/jsonpos"
	"github.com/wisefuse/wisefuse/internal/shareddata/sharedtest"
)

// examplesDir holds the documented example files; tests load them so the docs cannot rot.
const examplesDir = "../docs/examples"

// TestImportSharedASL imports the three real Step Functions definitions with their side files.
func TestImportSharedASL(t *testing.T) {
	dir := sharedtest.Require(t, "step-functions")
	for _, tc := range []struct {
		app       string
		steps     []string // top-level step names
		mapStep   string
		items     int
		iterator  []string // the map's iterator steps
		functions []string
	}{
		{"video-analytics", []string{"Split", "Extract_Map"}, "Extract_Map", 30,
			[]string{"Extract", "ObjectDetectUpload"}, []string{"Split", "Extract", "Classify"}},
		{"ml-pipeline", []string{"PCA", "Train_Map", "Combine_and_Test"}, "Train_Map", 16,
			[]string{"Train"}, []string{"PCA", "ParamTune", "CombineModels"}},
		{"chatbot", []string{"Preprocess", "Train_LR_Map"}, "Train_LR_Map", 22,
			[]string{"Train_Intent"}, []string{"SplitChatBot", "TrainIntentClassifier"}},
	} {
		t.Run(tc.app, func(t *testing.T) {
			w, err := ReadASL(filepath.Join(dir, tc.app+".asl.json"), filepath.Join(examplesDir, tc.app+".functions.json"))
			if err != nil {
				t.Fatal(err)
			}
			if w.Name != tc.app {
				t.Errorf("name %q, want %q (the ASL file's base name)", w.Name, tc.app)
			}
			if got := stepNames(w.Steps); !equal(got, tc.steps) {
				t.Errorf("steps %v, want %v", got, tc.steps)
			}
			m := w.Step(tc.mapStep)
			if m == nil || m.Map == nil {
				t.Fatalf("no map step %q", tc.mapStep)
			}
			if n, fixed := m.Map.FixedItems(); !fixed || n != tc.items {
				t.Errorf("map items %d (fixed %v), want %d", n, fixed, tc.items)
			}
			if got := stepNames(m.Map.Iterator); !equal(got, tc.iterator) {
				t.Errorf("iterator %v, want %v", got, tc.iterator)
			}
			var fns []string
			for _, f := range w.Functions {
				fns = append(fns, f.Name)
			}
			if !equal(fns, tc.functions) {
				t.Errorf("functions %v, want %v", fns, tc.functions)
			}
			// The three published definitions have no Retry: their Tasks leave a throttle to
			// the platform's at_concurrency_limit.
			w.Walk(func(_ []string, s *Step) {
				if s.Retry != nil {
					t.Errorf("step %s has retry %+v; the definition has no Retry", s.Name, *s.Retry)
				}
			})
		})
	}
}

// The video definition's Extract and ObjectDetectUpload share one placeholder Resource; keyed by
// state name they must stay two functions with their own performance.
func TestASLStateNameWinsOverResource(t *testing.T) {
	asl := `{"StartAt":"A","States":{
		"A":{"Type":"Task","Resource":"XXXX","Next":"B"},
		"B":{"Type":"Task","Resource":"XXXX","Next":"C"},
		"C":{"Type":"Task","Resource":"XXXX","End":true}}}`
	side := `{"functions":{
		"A":{"min_memory_mb":128,"serial_work_s":1,"threads":1},
		"XXXX":{"min_memory_mb":256,"serial_work_s":2,"threads":1}}}`
	w, err := ParseASL("t.asl.json", []byte(asl), "t.functions.json", []byte(side))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "A", "B": "XXXX", "C": "XXXX"}
	for step, fn := range want {
		if got := w.Step(step).Task; got != fn {
			t.Errorf("step %s runs %q, want %q", step, got, fn)
		}
	}
	if len(w.Functions) != 2 || w.Function("A").SerialWork.Value != 1 || w.Function("XXXX").SerialWork.Value != 2 {
		t.Errorf("functions %+v, want A (1 s) and XXXX (2 s)", w.Functions)
	}
}

func TestImportOrdersExample(t *testing.T) {
	w, err := ReadASL(filepath.Join(examplesDir, "orders.asl.json"), filepath.Join(examplesDir, "orders.functions.json"))
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "orders" {
		t.Errorf("name %q, want the side file's %q", w.Name, "orders")
	}
	if got, want := stepNames(w.Steps), []string{"Validate", "Prepare", "Fulfil", "Done"}; !equal(got, want) {
		t.Errorf("steps %v, want %v (Rejected is behind a Catch and not imported)", got, want)
	}
	for name, kind := range map[string]StepKind{"Validate": TaskStep, "Prepare": PassStep, "Fulfil": ParallelStep,
		"Done": PassStep, "Pick_Items": MapStep, "Charge": TaskStep, "Reserve": TaskStep, "Label": TaskStep} {
		if s := w.Step(name); s == nil || s.Kind() != kind {
			t.Errorf("step %s: want a %s step, got %+v", name, kind, s)
		}
	}
	for step, fn := range map[string]string{"Validate": "validate-order", "Charge": "charge-card", "Reserve": "Reserve", "Label": "print-label"} {
		if got := w.Step(step).Task; got != fn {
			t.Errorf("step %s runs %q, want %q", step, got, fn)
		}
	}
	if w.Step("Pick_Items").Map.Items.Kind != Empirical {
		t.Errorf("Pick_Items items %+v, want the side file's empirical distribution", w.Step("Pick_Items").Map.Items)
	}
}

func TestASLErrors(t *testing.T) {
	const okSide = `{"functions":{"A":{"threads":1},"B":{"threads":1}},"map_items":{"M":3}}`
	for _, tc := range []struct {
		name, asl, side string
		want            []string // substrings of the error
	}{
		{"choice", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Next":"B"}],"Default":"B"},"B":{"Type":"Task","End":true}}}`, okSide,
			[]string{`t.asl.json: line 1: States.A: Choice state: the workflow model has no data-dependent branching; name the branch the runs you model take in the side file ("choices": {"A": "<state>"}, one of B)`}},
		{"choice of no branch", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Next":"B"}],"Default":"C"},"B":{"Type":"Task","End":true},"C":{"Type":"Fail"}}}`,
			`{"functions":{"B":{"threads":1}},"choices":{"A":"Z"}}`, []string{`choices["A"] = "Z": want one of the Choice's branches: B, C`}},
		{"choice of no state", `{"StartAt":"B","States":{"B":{"Type":"Task","End":true}}}`,
			`{"functions":{"B":{"threads":1}},"choices":{"A":"B"}}`, []string{`choices["A"]: matches no Choice state on the success path`}},
		// Every Wait of a sequence at once (only the first was reported, then the next once it was gone).
		{"two waits", `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":3,"Next":"B"},"B":{"Type":"Wait","Seconds":2,"Next":"C"},"C":{"Type":"Task","End":true}}}`, okSide,
			[]string{"States.A: Wait states are not supported", "States.B: Wait states are not supported", "its delay is then missing from the latency"}},
		// SAM's unquoted placeholders said only "invalid character '$'".
		{"unquoted placeholder", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:x","TimeoutSeconds":${Timeout},"End":true}}}`, okSide,
			[]string{"invalid character '$'", "an unquoted template placeholder, ${...}: substitute the template's values first"}},
		{"wait", `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":3,"Next":"B"},"B":{"Type":"Task","End":true}}}`, okSide,
			[]string{"States.A: Wait states are not supported"}},
		{"missing next target", `{"StartAt":"A","States":{"A":{"Type":"Task","Next":"Nope"}}}`, okSide,
			[]string{`States.A.Next: names state "Nope", which is not in States (states: A)`}},
		{"missing catch target", `{"StartAt":"A","States":{"A":{"Type":"Task","End":true,"Catch":[{"Next":"Gone"}]}}}`, okSide,
			[]string{`States.A.Catch[0].Next: names state "Gone"`}},
		{"cycle", `{"StartAt":"A","States":{"A":{"Type":"Task","Next":"B"},"B":{"Type":"Task","Next":"A"}}}`, okSide,
			[]string{"States.A: cycle on the success path: A -> B -> A"}},
		{"unreachable", `{"StartAt":"A","States":{"A":{"Type":"Task","End":true},"B":{"Type":"Task","End":true}}}`, okSide,
			[]string{`States.B: state is unreachable from StartAt "A"`}},
		{"next and end", `{"StartAt":"A","States":{"A":{"Type":"Task","Next":"B","End":true},"B":{"Type":"Task","End":true}}}`, okSide,
			[]string{"States.A: has both Next and End"}},
		{"neither next nor end", `{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`, okSide,
			[]string{`States.A: Pass state needs Next (the state that follows) or "End": true`}},
		{"unknown type", `{"StartAt":"A","States":{"A":{"Type":"Lambda","End":true}}}`, okSide,
			[]string{`States.A.Type: unknown state type "Lambda"`}},
		{"no type", `{"StartAt":"A","States":{"A":{"End":true}}}`, okSide,
			[]string{"States.A: no Type"}},
		{"no start", `{"States":{"A":{"Type":"Task","End":true}}}`, okSide,
			[]string{"top level: no StartAt"}},
		{"no states", `{"StartAt":"A"}`, okSide,
			[]string{"top level: no States"}},
		{"start missing", `{"StartAt":"Z","States":{"A":{"Type":"Task","End":true}}}`, okSide,
			[]string{`StartAt: names state "Z", which is not in States`}},
		{"fail on path", `{"StartAt":"A","States":{"A":{"Type":"Task","Next":"F"},"F":{"Type":"Fail"}}}`, okSide,
			[]string{"States.F: Fail state on the success path"}},
		{"succeed with next", `{"StartAt":"A","States":{"A":{"Type":"Succeed","Next":"B"},"B":{"Type":"Task","End":true}}}`, okSide,
			[]string{"States.A: Succeed state is terminal"}},
		{"no perf entry", `{"StartAt":"C","States":{"C":{"Type":"Task","Resource":"arn:x","End":true}}}`, `{"functions":{}}`,
			[]string{`States.C: no performance entry for this Task: the side file's functions needs a key "C" or "arn:x"`}},
		{"unused side keys", `{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}}`, `{"functions":{"A":{"threads":1},"Typo":{"threads":1}},"map_items":{"Mapp":2}}`,
			[]string{`side file t.functions.json: line 1: functions["Typo"]: matches no Task state`, `side file t.functions.json: line 1: map_items["Mapp"]: matches no Map state`}},
		{"map without items", `{"StartAt":"X","States":{"X":{"Type":"Map","Iterator":{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}},"End":true}}}`, `{"functions":{"A":{"threads":1}}}`,
			[]string{`States.X: Map state has no item count: the side file's map_items needs an entry "X"`}},
		{"map without iterator", `{"StartAt":"M","States":{"M":{"Type":"Map","End":true}}}`, `{"functions":{},"map_items":{"M":2}}`,
			[]string{"States.M: Map state needs an Iterator or an ItemProcessor"}},
		{"map with both", `{"StartAt":"M","States":{"M":{"Type":"Map","Iterator":{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}},"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}},"End":true}}}`, okSide,
			[]string{"States.M: Map state has both Iterator and ItemProcessor"}},
		{"nested path", `{"StartAt":"M","States":{"M":{"Type":"Map","Iterator":{"StartAt":"A","States":{"A":{"Type":"Task","Next":"Q"}}},"End":true}}}`, okSide,
			[]string{`States.M.Iterator.States.A.Next: names state "Q"`}},
		{"nested in item processor and branch", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"W","States":{"W":{"Type":"Wait","End":true}}},"End":true}}}],"End":true}}}`, okSide,
			[]string{"States.P.Branches[0].States.M.ItemProcessor.States.W: Wait states are not supported"}},
		{"parallel without branches", `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true}}}`, okSide,
			[]string{"States.P: Parallel state needs Branches"}},
		{"conflicting function names", `{"StartAt":"A","States":{"A":{"Type":"Task","Next":"B"},"B":{"Type":"Task","End":true}}}`, `{"functions":{"A":{"name":"f","threads":1},"B":{"name":"f","threads":2}}}`,
			[]string{`States.B: side-file entry "B" names function "f", which another entry defines differently`}},
		{"type error with position", "{\"StartAt\":\"A\",\n \"States\":{\"A\":{\"Type\":\"Task\",\n   \"End\":\"yes\"}}}", okSide,
			[]string{`t.asl.json: line 3, column 10: States.A.End: want true or false, got the string "yes"`}},
		{"syntax error", "{\"StartAt\":\"A\",\n \"States\":{\"A\":{\"Type\":\"Task\",,}}}", okSide,
			[]string{"t.asl.json: line 2, column 31: invalid JSON"}},
		{"states not an object", `{"StartAt":"A","States":[]}`, okSide,
			[]string{"line 1, column 25: States: want an object, got an array"}},
		{"side file error", `{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}}`, `{"functions":{"A":{"threads":1,"init_s":{"kind":"normal","mean":"x"}}}}`,
			[]string{`t.functions.json: line 1, column 65: functions["A"].init_s.mean: want a number, got the string "x"`}},
		{"invalid function parameters", `{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}}`, `{"functions":{"A":{"threads":0}}}`,
			[]string{`t.asl.json: side file t.functions.json: line 1: functions["A"]: threads = 0, want >= 1`}},
		{"invalid map items", `{"StartAt":"M","States":{"M":{"Type":"Map","Iterator":{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}},"End":true}}}`, `{"functions":{"A":{"threads":1}},"map_items":{"M":{"kind":"uniform","min":5,"max":1}}}`,
			[]string{`t.asl.json: side file t.functions.json: line 1: map_items["M"]: uniform distribution: need 0 <= min <= max`}},
		// Problems found by the workflow's validation, after the import, carry the line of the
		// state they came from (not only the workflow's path): a state name used in two
		// branches, and nested Maps whose items multiply past the limit.
		{"workflow problems at their states", `{"StartAt": "P", "States": {
  "P": {"Type": "Parallel", "End": true, "Branches": [
    {"StartAt": "A", "States": {"A": {"Type": "Task", "End": true}}},
    {"StartAt": "A", "States": {
      "A": {"Type": "Pass", "End": true}}}]}}}`, `{"functions": {"A": {"threads": 1}}}`,
			[]string{`t.asl.json: workflow "t": line 5: steps[0] ("P").parallel[1][0] ("A"): duplicate step name`}},
		// A FunctionName that is not a string was skipped: "no performance entry for this Task".
		{"function name not a string", `{"StartAt": "A", "States": {
  "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
    "Parameters": {"FunctionName": 7}}}}`, `{"functions": {"f": {"threads": 1}}}`,
			[]string{`t.asl.json: line 3: States.A.Parameters.FunctionName: want a function name or ARN (a string)`}},
		{"nested maps past the limit", `{"StartAt": "M", "States": {
  "M": {"Type": "Map", "End": true, "Iterator": {"StartAt": "N", "States": {
    "N": {"Type": "Map", "End": true,
      "Iterator": {"StartAt": "A", "States": {"A": {"Type": "Task", "End": true}}}}}}}}}`,
			`{"functions": {"A": {"threads": 1}}, "map_items": {"M": 10000, "N": 10000}}`,
			[]string{`t.asl.json: workflow "t": line 3: steps[0] ("M").map.iterator[0] ("N"): nested maps make 1e+08 items per run`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := ParseASL("t.asl.json", []byte(tc.asl), "t.functions.json", []byte(tc.side))
			if err == nil {
				t.Fatalf("imported %+v, want an error", w)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error\n  %v\nwant it to contain\n  %s", err, s)
				}
			}
		})
	}
}

func TestFunctionNameOfARN(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:lambda:us-east-1:123456789012:function:resize":      "resize",
		"arn:aws:lambda:us-east-1:123456789012:function:resize:prod": "resize",
		"XXXXXXXX": "XXXXXXXX",
		"<--->":    "<--->",
	} {
		if got := functionNameOfARN(in); got != want {
			t.Errorf("functionNameOfARN(%q) = %q, want %q", in, got, want)
		}
	}
}

func stepNames(steps []Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Name)
	}
	return out
}

func equal(a, b []string) bool {
	return strings.Join(a, "\x00") == strings.Join(b, "\x00") && len(a) == len(b)
}

// TestASLMapLimits: a Map's MaxConcurrency is capped at what its mode runs at once (40 inline,
// 10,000 distributed, which is also the default), ItemBatcher sets the items per child execution
// of a Distributed Map, and DeployedPlan bundles them.
func TestASLMapLimits(t *testing.T) {
	machine := func(mapFields, processor string) string {
		return `{"StartAt": "M", "States": {"M": {"Type": "Map", ` + mapFields + ` "ItemProcessor": {` + processor +
			` "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": true}}}, "End": true}}}`
	}
	const side = `{"functions": {"T": {"min_memory_mb": 128, "serial_work_s": 1, "parallel_work_s": 0, "threads": 1,
		"input_bytes": 0, "output_bytes": 0, "init_s": 0}}, "map_items": {"M": 100}}`
	const distributed = `"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},`
	for _, tc := range []struct {
		name, fields, processor string
		conc, batch             int
		dist                    bool
	}{
		{"inline, no limit", ``, ``, 40, 0, false},
		{"inline under the cap", `"MaxConcurrency": 5,`, ``, 5, 0, false},
		{"inline over the cap", `"MaxConcurrency": 100,`, ``, 40, 0, false},
		{"inline, 0 means the cap", `"MaxConcurrency": 0,`, `"ProcessorConfig": {"Mode": "INLINE"},`, 40, 0, false},
		{"distributed, no limit", ``, distributed, 10000, 0, true},
		{"distributed over the cap", `"MaxConcurrency": 20000,`, distributed, 10000, 0, true},
		{"distributed with batches", `"MaxConcurrency": 8, "ItemBatcher": {"MaxItemsPerBatch": 25},`, distributed, 8, 25, true},
	} {
		w, err := ParseASL("t.asl.json", []byte(machine(tc.fields, tc.processor)), "t.functions.json", []byte(side))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		m := w.Steps[0].Map
		if m.MaxConcurrency != tc.conc || m.MaxItemsPerBatch != tc.batch || m.Distributed != tc.dist {
			t.Errorf("%s: max_concurrency %d, max_items_per_batch %d, distributed %v; want %d, %d, %v",
				tc.name, m.MaxConcurrency, m.MaxItemsPerBatch, m.Distributed, tc.conc, tc.batch, tc.dist)
		}
		p := DeployedPlan(w, 10240)
		if got := p.BundleOf("M"); got != max(tc.batch, 1) {
			t.Errorf("%s: deployed bundle %d, want %d", tc.name, got, max(tc.batch, 1))
		}
	}
	for _, tc := range []struct{ name, fields, processor, want string }{
		{"batcher on an inline map", `"ItemBatcher": {"MaxItemsPerBatch": 5},`, ``, "States.M.ItemBatcher: ItemBatcher needs a Distributed Map"},
		{"batch of 0", `"ItemBatcher": {"MaxItemsPerBatch": 0},`, distributed, "States.M.ItemBatcher.MaxItemsPerBatch: 0, want a whole number from 1 to 10^9"},
		{"run-time concurrency", `"MaxConcurrency": "{% $n %}",`, ``, "States.M.MaxConcurrency: want a number"},
		{"negative concurrency", `"MaxConcurrency": -1,`, ``, "States.M.MaxConcurrency: -1, want a whole number from 0 to 10^9"},
		{"huge concurrency", `"MaxConcurrency": 1e12,`, ``, "States.M.MaxConcurrency: 1e12, want a whole number from 0 to 10^9"},
		{"unknown mode", ``, `"ProcessorConfig": {"Mode": "FAST"},`, `States.M.ItemProcessor.ProcessorConfig.Mode: unknown mode "FAST"`},
	} {
		_, err := ParseASL("t.asl.json", []byte(machine(tc.fields, tc.processor)), "t.functions.json", []byte(side))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestASLBadInputReportedAtOnce: every problem of a file is reported in one error, naming the
// file and the state or field, up to jsonpos.MaxProblems; a side file whose names match nothing is
// said once.
func TestASLBadInputReportedAtOnce(t *testing.T) {
	const fn = `{"min_memory_mb": 128, "serial_work_s": 1, "parallel_work_s": 0, "threads": 1, "input_bytes": 0, "output_bytes": 0, "init_s": 0}`
	asl := `{"StartAt": "A", "States": {
		"A": {"Type": "Task", "Resource": "r", "Next": "B"},
		"B": {"Type": "Task", "Resource": "r"},
		"C": {"Type": "Sleep", "End": true}}}`
	side := `{"functions": {"X": ` + fn + `, "Y": ` + fn + `}, "map_items": {"Z": 3}}`
	_, err := ParseASL("m.asl.json", []byte(asl), "m.functions.json", []byte(side))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"m.asl.json: ",
		`States.A: no performance entry for this Task: the side file's functions needs a key "A" or "r"`,
		`States.B: Task state needs Next`,
		`States.C: state is unreachable`,
		`side file m.functions.json: line 1: functions: none of its 2 entries (X, Y) matches a Task state`,
		`side file m.functions.json: line 1: map_items["Z"]: matches no Map state`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// An unknown type on the success path names the state and the field.
	_, err = ParseASL("m.asl.json", []byte(`{"StartAt": "A", "States": {"A": {"Type": "Sleep", "End": true}}}`), "m.functions.json", []byte(`{"functions": {}}`))
	if err == nil || !strings.Contains(err.Error(), `m.asl.json: line 1: States.A.Type: unknown state type "Sleep"`) {
		t.Errorf("unknown type: %v", err)
	}
	// Many problems (29 unreachable states, a bad threads; the entries of the unreachable states
	// are states of the definition off the success path, no typos): the first
	// jsonpos.MaxProblems, then a count of the other 10.
	var states, entries []string
	for i := range 30 {
		states = append(states, fmt.Sprintf(`"S%02d": {"Type": "Task", "Resource": "r", "End": true}`, i))
		entries = append(entries, fmt.Sprintf(`"S%02d": %s`, i, strings.Replace(fn, `"threads": 1`, `"threads": 0`, 1)))
	}
	asl = `{"StartAt": "S00", "States": {` + strings.Join(states, ",") + `}}`
	side = `{"functions": {` + strings.Join(entries, ",") + `}}`
	_, err = ParseASL("m.asl.json", []byte(asl), "m.functions.json", []byte(side))
	if err == nil || strings.Count(err.Error(), "; ") != jsonpos.MaxProblems || !strings.HasSuffix(err.Error(), "and 10 more problems") {
		t.Errorf("30 problems: want %d reported and a count of the rest, got %v", jsonpos.MaxProblems, err)
	}
}

// TestASLProblemLines: each problem of an import starts with the line of the state or side-file
// entry at fault, in its own file.
func TestASLProblemLines(t *testing.T) {
	asl := `{
  "StartAt": "A",
  "States": {
    "A": {"Type": "Task", "Resource": "r", "Next": "B"},
    "B": {"Type": "Task", "Resource": "r",
          "Next": "Nowhere"},
    "P": {"Type": "Parallel", "End": true, "Branches": [
      {"StartAt": "X", "States": {
        "X": {"Type": "Wait", "End": true}}}]}
  }
}`
	const fn = `{"min_memory_mb": 128, "serial_work_s": 1, "parallel_work_s": 0, "threads": 1, "input_bytes": 0, "output_bytes": 0, "init_s": 0}`
	side := "{\"functions\": {\n  \"A\": " + fn + ",\n  \"B\": " + strings.Replace(fn, `"threads": 1`, `"threads": 0`, 1) + ",\n  \"Typo\": " + fn + "\n}}"
	_, err := ParseASL("m.asl.json", []byte(asl), "m.functions.json", []byte(side))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`line 6: States.B.Next: names state "Nowhere"`,
		`line 7: States.P: state is unreachable`,
		`side file m.functions.json: line 3: functions["B"]: threads = 0`,
		`side file m.functions.json: line 4: functions["Typo"]: matches no Task state`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// TestASLChoice: a Choice whose branch the side file names becomes a pass step followed by that
// branch; the other branches (here a guard that fails, and a skip) are left out; and an export
// of the workflow writes the choice into its side file, so the definition reads back the same.
// 9 of 21 public definitions a helper collected were refused for a Choice.
func TestASLChoice(t *testing.T) {
	asl := []byte(`{"StartAt": "Get", "States": {
  "Get": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:get", "Next": "Found?"},
  "Found?": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": false, "Next": "NotFound"}], "Default": "Items"},
  "NotFound": {"Type": "Fail"},
  "Items": {"Type": "Map", "ItemProcessor": {"StartAt": "Big?", "States": {
    "Big?": {"Type": "Choice", "Choices": [{"Variable": "$.size", "NumericGreaterThan": 10, "Next": "Resize"}], "Default": "Skip"},
    "Resize": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:resize", "End": true},
    "Skip": {"Type": "Pass", "End": true}}}, "End": true}}}`)
	side := []byte(`{"functions": {"Get": {"min_memory_mb": 128, "serial_work_s": 1, "threads": 1}, "Resize": {"min_memory_mb": 256, "serial_work_s": 2, "threads": 1}},
  "map_items": {"Items": 4}, "choices": {"Found?": "Items", "Big?": "Resize"}}`)
	w, err := ParseASL("c.asl.json", asl, "c.functions.json", side)
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{w.Steps[0].Name, w.Steps[1].Name, w.Steps[2].Name}; len(w.Steps) != 3 || !w.Steps[1].Pass || got[2] != "Items" {
		t.Fatalf("steps %v (pass %v), want Get, the Choice as a pass, Items", got, w.Steps[1].Pass)
	}
	if it := w.Steps[2].Map.Iterator; len(it) != 2 || !it[0].Pass || it[1].Task == "" {
		t.Fatalf("the Map's iterator %+v, want the Choice as a pass, then Resize", it)
	}
	ex, err := ExportASL(w, UniformPlan(1024), asl, "c.asl.json", "c.functions.json")
	if err != nil {
		t.Fatal(err)
	}
	w2, err := ParseASL("c.asl.json", ex.ASL, "c.functions.json", ex.Side)
	if err != nil {
		t.Fatalf("the export does not read back: %v\n%s", err, ex.Side)
	}
	if err := sameWorkflow(w, w2); err != nil {
		t.Error(err)
	}
	// The other branch chosen: the entries for the first branch's Tasks are no typos.
	other := bytes.Replace(side, []byte(`"Big?": "Resize"`), []byte(`"Big?": "Skip"`), 1)
	if _, err := ParseASL("c.asl.json", asl, "c.functions.json", other); err != nil {
		t.Errorf("the other branch: %v", err)
	}
	// A Choice without an entry stops the path: what follows it is not reported as unmatched.
	none := bytes.Replace(side, []byte(`"Found?": "Items", `), nil, 1)
	if _, err := ParseASL("c.asl.json", asl, "c.functions.json", none); err == nil || !strings.Contains(err.Error(), `name the branch the runs you model take`) ||
		strings.Contains(err.Error(), "matches no") {
		t.Errorf("a Choice without an entry: %v", err)
	}
	// Structure alone follows each Choice's Default.
	if w, err := ParseASLStructure("c.asl.json", asl); err != nil || len(w.Steps) != 3 {
		t.Errorf("structure only: %v", err)
	}
	// A Choice with no branch, or with a Next.
	for _, bad := range []string{`{"Type": "Choice", "Default": ""}`, `{"Type": "Choice", "Default": "B", "Next": "B"}`} {
		def := []byte(`{"StartAt": "A", "States": {"A": ` + bad + `, "B": {"Type": "Pass", "End": true}}}`)
		if _, err := ParseASL("d.asl.json", def, "d.functions.json", []byte(`{"functions": {}}`)); err == nil || !strings.Contains(err.Error(), "Choice state") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
