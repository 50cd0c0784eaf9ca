package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/internal/shareddata/sharedtest"
)

const examples = "../../docs/examples"

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// cliJSON runs the command line args, which must exit 0, and decodes what it prints as a T.
func cliJSON[T any](t *testing.T, args ...string) T {
	t.Helper()
	code, out, errOut := runCLI(args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, errOut)
	}
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v: not JSON: %v\n%s", args, err, out)
	}
	return v
}

func TestValidateWorkflowAndPlan(t *testing.T) {
	code, out, errOut := runCLI("validate", "--workflow", filepath.Join(examples, "thumbnails.workflow.json"),
		"--plan", filepath.Join(examples, "thumbnails.plan.json"))
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	for _, want := range []string{`workflow "thumbnails" is valid`, "steps:     8 (5 task, 1 map, 1 parallel, 1 pass)",
		"functions: 5 (Ingest, Resize, Watermark, Tag, Store)", "Resize_Map: uniform items (mean 12) over the steps Resize -> Watermark",
		"thumbnails.plan.json is valid", "fuse[0]: Resize + Watermark", "bundle:  Resize_Map 2 items/VM"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestValidateASL(t *testing.T) {
	dir := sharedtest.Require(t, "step-functions")
	code, out, errOut := runCLI("validate", "--asl", filepath.Join(dir, "video-analytics.asl.json"),
		"--functions", filepath.Join(examples, "video-analytics.functions.json"))
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	if !strings.Contains(out, "Extract_Map: 30 items over the steps Extract -> ObjectDetectUpload") {
		t.Errorf("output lacks the map width:\n%s", out)
	}
}

func TestValidateFailures(t *testing.T) {
	tmp := t.TempDir()
	badPlan := filepath.Join(tmp, "plan.json")
	if err := os.WriteFile(badPlan, []byte(`{"default_memory_mb": 1024, "fuse": [["Ingest", "Index"]], "memory_mb": {"Tag": 99999}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	badJSON := filepath.Join(tmp, "w.json")
	if err := os.WriteFile(badJSON, []byte("{\"name\": \"x\",\n \"steps\": [{\"name\": \"a\", \"task\": 3}]}"), 0o644); err != nil {
		t.Fatal(err)
	}
	wf := filepath.Join(examples, "thumbnails.workflow.json")
	// A batch of 50 items of a 512 MB function needs 25,600 MB: the ASL as written cannot run
	// (it validated, then simulate --memory refused every size as a usage error).
	batchASL, batchSide := filepath.Join(tmp, "batch.asl.json"), filepath.Join(tmp, "batch.functions.json")
	for path, body := range map[string]string{
		batchASL: `{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemBatcher": {"MaxItemsPerBatch": 100},
			"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "A",
			"States": {"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:a", "End": true}}}}}}`,
		batchSide: `{"functions": {"A": {"min_memory_mb": 512, "serial_work_s": 1, "threads": 1}}, "map_items": {"M": 50}}`,
	} {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	batchWant := `cannot run at any memory size: plan for workflow "batch": bundle["M"] = 50: VM of 10240 MB is below the 25600 MB that 50 items need`
	if code, _, errOut := runCLI("simulate", "--asl", batchASL, "--functions", batchSide, "--memory", "10240", "--runs", "2"); code != 1 || !strings.Contains(errOut, batchWant) {
		t.Errorf("simulate --memory of a batch no VM holds: exit %d, stderr %q, want 1 and %q", code, errOut, batchWant)
	}
	// validate warns (a planner may bundle fewer: plan accepts it), and prints the batch as
	// deployed ("batches of 50", not the ItemBatcher's 100).
	if code, out, errOut := runCLI("validate", "--asl", batchASL, "--functions", batchSide); code != 0 || !strings.Contains(out, "warning: "+"the workflow as deployed") ||
		!strings.Contains(out, batchWant) || !strings.Contains(out, "batches of 50") {
		t.Errorf("validate of a batch no VM holds: exit %d, stdout %q, stderr %q, want 0, the warning and the batch as deployed", code, out, errOut)
	}
	// Structure only, the Map has 1 item: its batch says so ("batches of 1" hid the 100).
	if code, out, errOut := runCLI("validate", "--asl", batchASL); code != 0 || !strings.Contains(out, "batches of up to 100") {
		t.Errorf("validate --asl alone: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string // substrings of stderr
	}{
		{"no input", []string{}, 2, []string{"give --workflow FILE|NAME, or --asl FILE"}},
		{"both inputs", []string{"--workflow", wf, "--asl", "x.json", "--functions", "y.json"}, 2, []string{"either --workflow or --asl"}},
		{"asl structure with a plan", []string{"--asl", "x.json", "--plan", badPlan}, 2, []string{"--plan needs the whole workflow"}},
		{"asl structure, missing file", []string{"--asl", filepath.Join(tmp, "x.asl.json")}, 1, []string{"x.asl.json"}},
		{"side file without asl", []string{"--workflow", wf, "--functions", "y.json"}, 2, []string{"--functions goes with --asl"}},
		{"stray argument", []string{"--workflow", wf, "extra"}, 2, []string{`unexpected argument "extra"`}},
		{"unknown flag", []string{"--wrkflow", wf}, 2, []string{"flag provided but not defined"}},
		{"missing file", []string{"--workflow", filepath.Join(tmp, "nope.json")}, 1, []string{"neither a built-in"}},
		{"bad JSON", []string{"--workflow", badJSON}, 1, []string{"w.json: line 2, column 34: steps[0].task: want a string, got the number 3"}},
		{"bad plan", []string{"--workflow", wf, "--plan", badPlan}, 1, []string{
			`memory_mb["Tag"] = 99999 MB, want 128..10240;` + "\n",
			`fuse[0]: "Ingest" and "Index" are not adjacent steps of one sequence`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(append([]string{"validate"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, errOut)
			}
			for _, want := range tc.want {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
		})
	}
}

// TestDataWhereAndOnlyTwice: `data where` names a $WISEFUSE_SHARED_DATA that is no folder (it
// spoke as if the variable were unset) and takes no argument; `experiments --only` of one name
// twice runs it once (it ran twice).
func TestDataWhereAndOnlyTwice(t *testing.T) {
	t.Setenv("WISEFUSE_SHARED_DATA", filepath.Join(t.TempDir(), "nowhere"))
	if code, _, errOut := runCLI("data", "where"); code != 1 || !strings.Contains(errOut, "$WISEFUSE_SHARED_DATA is") || !strings.Contains(errOut, "which is not a folder") {
		t.Errorf("data where: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI("data", "where", "extra"); code != exitUsage || !strings.Contains(errOut, `unexpected argument "extra"`) {
		t.Errorf("data where extra: exit %d, %q", code, errOut)
	}
	code, out, errOut := runCLI("experiments", "--list", "--only", "profiles", "--only", "profiles")
	if code != 0 || strings.Count(out, "profiles") != 1 {
		t.Errorf("experiments --list --only profiles twice: exit %d, %q (%s), want it listed once", code, out, errOut)
	}
}
