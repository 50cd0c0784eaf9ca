package dag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/internal/shareddata/sharedtest"
)

// exportCase is a workflow to export, with the ASL it came from (nil: a JSON workflow).
type exportCase struct {
	name string
	w    *Workflow
	asl  []byte
}

func exampleExportCases(t *testing.T) []exportCase {
	t.Helper()
	thumbs, err := ReadWorkflow(filepath.Join(examplesDir, "thumbnails.workflow.json"))
	if err != nil {
		t.Fatal(err)
	}
	ordersASL := filepath.Join(examplesDir, "orders.asl.json")
	orders, err := ReadASL(ordersASL, filepath.Join(examplesDir, "orders.functions.json"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(ordersASL)
	if err != nil {
		t.Fatal(err)
	}
	return []exportCase{{"thumbnails", thumbs, nil}, {"orders", orders, data}, {"orders as JSON", orders, nil}}
}

// testPlans returns plans of w that exercise what an export writes: per-function memory, a
// bundle on every Map, fusion inside a Map's iterator, and a Map fused with the step before it
// (2 of its items in the group's VM). Plans w cannot run are left out.
func testPlans(w *Workflow) []*Plan {
	base := &Plan{DefaultMemoryMB: 1024, Memory: map[string]int{}}
	for i, f := range w.Functions {
		base.Memory[f.Name] = max(f.MinMemoryMB, 512+320*i)
	}
	bundled := base.Clone() // at the largest size, which holds the most items
	for f := range bundled.Memory {
		bundled.Memory[f] = MaxMemoryMB - 64*len(f)%512
	}
	fusedIter := base.Clone()
	w.Walk(func(_ []string, s *Step) {
		if s.Map == nil {
			return
		}
		if n, fixed := s.Map.FixedItems(); !fixed || n >= 2 {
			if bundled.Bundle == nil {
				bundled.Bundle = map[string]int{}
			}
			bundled.Bundle[s.Name] = 2
		}
		if it := s.Map.Iterator; len(it) >= 2 && it[0].Task != "" && it[1].Task != "" {
			fusedIter.Fuse = append(fusedIter.Fuse, []string{it[0].Name, it[1].Name})
		}
	})
	plans := []*Plan{UniformPlan(2048), base, bundled, fusedIter}
	for i := 1; i < len(w.Steps); i++ {
		s := &w.Steps[i]
		if s.Map != nil && w.Steps[i-1].Task != "" {
			p := UniformPlan(MaxMemoryMB)
			p.Fuse = [][]string{{w.Steps[i-1].Name, s.Name}}
			p.Bundle = map[string]int{s.Name: 2} // the merged function runs 2 items, invokes the rest
			plans = append(plans, p)
		}
	}
	var ok []*Plan
	for _, p := range plans {
		if p.Validate(w) == nil {
			ok = append(ok, p)
		}
	}
	return ok
}

// sameWorkflow reports the first difference between w and the workflow imported from its export,
// ignoring function order and the Map limits an export may change (checked apart).
func sameWorkflow(w, got *Workflow) error {
	norm := func(w *Workflow) string {
		c := *w
		c.Functions = slices.Clone(w.Functions)
		slices.SortFunc(c.Functions, func(a, b Function) int { return strings.Compare(a.Name, b.Name) })
		var strip func(seq []Step) []Step
		strip = func(seq []Step) []Step {
			out := slices.Clone(seq)
			for i := range out {
				var brs [][]Step
				for _, br := range out[i].Parallel {
					brs = append(brs, strip(br))
				}
				out[i].Parallel = brs
				if m := out[i].Map; m != nil {
					out[i].Map = &Map{Items: m.Items, Iterator: strip(m.Iterator)}
				}
			}
			return out
		}
		c.Steps = strip(w.Steps)
		b, _ := MarshalIndent(&c)
		return string(b)
	}
	if a, b := norm(w), norm(got); a != b {
		return fmt.Errorf("imported workflow differs:\n%s\nwant\n%s", b, a)
	}
	return nil
}

// samePlan reports the first difference between two plans of w in what they make a run do.
func samePlan(w *Workflow, want, got *Plan) error {
	for _, f := range w.Functions {
		if a, b := want.MemoryOf(f.Name), got.MemoryOf(f.Name); a != b {
			return fmt.Errorf("function %s at %d MB, want %d", f.Name, b, a)
		}
	}
	var err error
	w.Walk(func(_ []string, s *Step) {
		if s.Map != nil && err == nil && want.BundleOf(s.Name) != got.BundleOf(s.Name) {
			err = fmt.Errorf("map %s bundles %d, want %d", s.Name, got.BundleOf(s.Name), want.BundleOf(s.Name))
		}
	})
	if err != nil {
		return err
	}
	if fmt.Sprint(want.Fuse) != fmt.Sprint(got.Fuse) {
		return fmt.Errorf("fusion groups %v, want %v", got.Fuse, want.Fuse)
	}
	return nil
}

// roundTrip exports plan p of w, imports the ASL back with the exported side file and reads the
// deployment as a plan of the imported workflow: it must be p, on the same workflow.
func roundTrip(t *testing.T, c exportCase, p *Plan) {
	t.Helper()
	ex, err := ExportASL(c.w, p, c.asl, "x.asl.json", "x.functions.json")
	if err != nil {
		t.Fatalf("%s: export: %v", c.name, err)
	}
	again, err := ExportASL(c.w, p, c.asl, "x.asl.json", "x.functions.json")
	if err != nil || !bytes.Equal(ex.ASL, again.ASL) || !bytes.Equal(ex.Side, again.Side) || !bytes.Equal(ex.Deployment, again.Deployment) {
		t.Fatalf("%s: a second export differs (err %v)", c.name, err)
	}
	w2, err := ParseASL("x.asl.json", ex.ASL, "x.functions.json", ex.Side)
	if err != nil {
		t.Fatalf("%s: the exported ASL does not import: %v\n%s", c.name, err, ex.ASL)
	}
	if err := sameWorkflow(c.w, w2); err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	p2, err := ParsePlan("x.deploy.json", ex.Deployment, w2)
	if err != nil {
		t.Fatalf("%s: the deployment does not read back: %v\n%s", c.name, err, ex.Deployment)
	}
	if err := samePlan(c.w, p, p2); err != nil {
		t.Errorf("%s, plan %+v: %v\ndeployment:\n%s", c.name, p, err, ex.Deployment)
	}
	// Limits: a Map keeps its concurrency where it had one; a bundled orchestrated Map is a
	// Distributed Map batching the plan's bundle.
	c.w.Walk(func(_ []string, s *Step) {
		if s.Map == nil {
			return
		}
		m2 := w2.Step(s.Name).Map
		if s.Map.MaxConcurrency > 0 && m2.MaxConcurrency != s.Map.MaxConcurrency {
			t.Errorf("%s: map %s runs %d at once, want %d", c.name, s.Name, m2.MaxConcurrency, s.Map.MaxConcurrency)
		}
		if n, fixed := s.Map.FixedItems(); s.Map.MaxConcurrency == 0 && fixed && m2.MaxConcurrency < n {
			t.Errorf("%s: map %s of %d items without a limit runs %d at once", c.name, s.Name, n, m2.MaxConcurrency)
		}
		if b := p.BundleOf(s.Name); b > 1 && p.FusionGroup(s.Name) < 0 && (!m2.Distributed || m2.MaxItemsPerBatch != b) {
			t.Errorf("%s: map %s bundled %d exports as distributed %v, batches of %d", c.name, s.Name, b, m2.Distributed, m2.MaxItemsPerBatch)
		}
	})
}

// TestExportRoundTrip: the documented examples (thumbnails has a Parallel; orders, as its ASL
// and as a generated one, a Parallel holding a Map) export under several plans and read back as
// the same workflow and plan.
func TestExportRoundTrip(t *testing.T) {
	n := 0
	for _, c := range exampleExportCases(t) {
		t.Logf("%s: %d plans", c.name, len(testPlans(c.w)))
		for _, p := range testPlans(c.w) {
			roundTrip(t, c, p)
			n++
		}
	}
	if n < 10 {
		t.Errorf("only %d plans exported", n)
	}
}

// TestExportRoundTripShared: the three published definitions, rewritten and generated.
func TestExportRoundTripShared(t *testing.T) {
	dir := sharedtest.Require(t, "step-functions")
	for _, app := range []string{"video-analytics", "ml-pipeline", "chatbot"} {
		path := filepath.Join(dir, app+".asl.json")
		w, err := ReadASL(path, filepath.Join(examplesDir, app+".functions.json"))
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		plans := testPlans(w)
		if len(plans) < 4 {
			t.Errorf("%s: %d plans", app, len(plans))
		}
		for _, p := range plans {
			roundTrip(t, exportCase{app, w, data}, p)
			roundTrip(t, exportCase{app + " as JSON", w, nil}, p)
		}
	}
}

// TestExportKeepsDefinition: a rewritten definition keeps its other fields (video's InputPath,
// ItemsPath) and turns the bundled Inline Map into a Distributed one batching the bundle, at the
// concurrency the Inline Map had (40, the Inline cap of its MaxConcurrency 100).
func TestExportKeepsDefinition(t *testing.T) {
	dir := sharedtest.Require(t, "step-functions")
	path := filepath.Join(dir, "video-analytics.asl.json")
	w, err := ReadASL(path, filepath.Join(examplesDir, "video-analytics.functions.json"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := &Plan{DefaultMemoryMB: 8192, Bundle: map[string]int{"Extract_Map": 5}}
	ex, err := ExportASL(w, p, data, "v.asl.json", "v.functions.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"InputPath": "$.detail"`, `"ItemsPath": "$.indeces"`, `"MaxItemsPerBatch": 5`,
		`"Mode": "DISTRIBUTED"`, `"MaxConcurrency": 40`, `"ItemProcessor"`} {
		if !strings.Contains(string(ex.ASL), want) {
			t.Errorf("exported ASL lacks %s:\n%s", want, ex.ASL)
		}
	}
	if strings.Contains(string(ex.ASL), `"Iterator"`) {
		t.Errorf("exported ASL keeps Iterator beside ItemProcessor:\n%s", ex.ASL)
	}
}

// TestExportKeepsItemBatcher: a plan that does not bundle a Distributed Map whose definition has
// an ItemBatcher exports it with batches of 1: its iterator reads the batch's input shape, and
// the ItemBatcher was removed, which broke the state machine at run time.
func TestExportKeepsItemBatcher(t *testing.T) {
	asl := []byte(`{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemBatcher": {"MaxItemsPerBatch": 4, "BatchInput": {"k": 1}},
  "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    "StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "a", "Payload.$": "$.Items[0]"}, "End": true}}},
  "End": true}}}`)
	side := []byte(`{"functions": {"A": {"min_memory_mb": 128, "serial_work_s": 1, "threads": 1}}, "map_items": {"M": 8}}`)
	w, err := ParseASL("b.asl.json", asl, "b.functions.json", side)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := ExportASL(w, UniformPlan(1024), asl, "b.asl.json", "b.functions.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"MaxItemsPerBatch": 1`, `"BatchInput"`, `"$.Items[0]"`} {
		if !strings.Contains(string(ex.ASL), want) {
			t.Errorf("exported ASL lacks %s:\n%s", want, ex.ASL)
		}
	}
}

// TestDeploymentErrors: a deployment that does not fit the workflow names the entry at fault.
func TestDeploymentErrors(t *testing.T) {
	w, err := ReadWorkflow(filepath.Join(examplesDir, "thumbnails.workflow.json"))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := ExportASL(w, UniformPlan(1024), nil, "t.asl.json", "t.functions.json")
	if err != nil {
		t.Fatal(err)
	}
	good := string(ex.Deployment)
	for _, c := range []struct{ edit, want string }{
		{strings.Replace(good, `"function": "Tag"`, `"function": "Tagg"`, 1), `function "Tagg" is not one of workflow "thumbnails"'s`},
		{strings.Replace(good, `"function": "Tag"`, `"function": "Store"`, 1), `function "Store" is listed twice`},
		// In the file's own terms, with the line (it was the plan's memory_mb["Ingest"]).
		{strings.Replace(good, `"MemorySize": 1024`, `"MemorySize": 99999`, 1), `line 10: functions[0].MemorySize = 99999, want 128 to 10240 MB`},
		{strings.Replace(good, `"MemorySize": 1024`, `"MemorySize": null`, 1), `functions[0].MemorySize = 0, want 128 to 10240 MB (Lambda's; 0: missing or null?)`},
		{strings.Replace(good, `"MemorySize"`, `"Memory"`, 1), `line`},
	} {
		if c.edit == good {
			t.Fatalf("edit for %q changed nothing", c.want)
		}
		_, err := ParsePlan("t.deploy.json", []byte(c.edit), w)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "t.deploy.json") {
			t.Errorf("got %v, want an error naming t.deploy.json and %q", err, c.want)
		}
	}
	// Without its informative state_machine key it is still a deployment (it was read as a plan,
	// and refused for its "performance" key).
	noSM := strings.Replace(good, `"state_machine": "t.asl.json",`, ``, 1)
	if noSM == good {
		t.Fatal("no state_machine key to remove")
	}
	if _, err := ParsePlan("t.deploy.json", []byte(noSM), w); err != nil {
		t.Errorf("a deployment without state_machine: %v", err)
	}
	if _, err := ParsePlan("t.deploy.json", ex.Deployment, nil); err == nil {
		t.Error("a deployment read without its workflow: no error")
	}
}

// TestDeploymentDisagrees: the states, functions and merged MemorySize a Deployment lists follow
// from the workflow and the functions' MemorySize; one edited to disagree was ignored (a merge
// group's MemorySize of 128 changed nothing, a function listed with another's states was read
// as it was) and is now an error with its line.
func TestDeploymentDisagrees(t *testing.T) {
	w, err := ReadWorkflow(filepath.Join(examplesDir, "thumbnails.workflow.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := UniformPlan(1024)
	p.Memory = map[string]int{"Watermark": 2048}
	p.Fuse = [][]string{{"Resize", "Watermark"}}
	ex, err := ExportASL(w, p, nil, "t.asl.json", "t.functions.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePlan("t.deploy.json", ex.Deployment, w); err != nil {
		t.Fatalf("the exported deployment: %v", err)
	}
	for _, c := range []struct {
		name string
		edit func(d *Deployment)
		want string
	}{
		{"states of another function", func(d *Deployment) { d.Functions[0].States = []string{"Tag"} },
			`functions[0].states = ["Tag"], want ["Ingest"]: the states of workflow "thumbnails" that invoke function "Ingest"`},
		{"no states", func(d *Deployment) { d.Functions[0].States = nil }, `functions[0].states = [], want ["Ingest"]`},
		{"merge MemorySize", func(d *Deployment) { d.Merge[0].MemorySize = 128 },
			"merge[0].MemorySize = 128, want 2048, the largest MemorySize of its functions"},
		{"merge functions", func(d *Deployment) { d.Merge[0].Functions = []string{"Resize"} },
			`merge[0].functions = ["Resize"], want ["Resize" "Watermark"]`},
		{"merge functions repeated", func(d *Deployment) { d.Merge[0].Functions = []string{"Resize", "Resize"} },
			`merge[0].functions = ["Resize" "Resize"], want ["Resize" "Watermark"]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var d Deployment
			if err := json.Unmarshal(ex.Deployment, &d); err != nil {
				t.Fatal(err)
			}
			c.edit(&d)
			data, err := MarshalIndent(&d)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParsePlan("t.deploy.json", data, w)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "t.deploy.json: line ") {
				t.Errorf("got %v, want an error naming t.deploy.json, a line and %q", err, c.want)
			}
		})
	}
}
