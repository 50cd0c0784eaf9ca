package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/shareddata/sharedtest"
)

// realASL are the three published ORION definitions and the side files of docs/examples.
var realASL = []string{"video-analytics", "ml-pipeline", "chatbot"}

// TestImportSimulatesIdentically: `workflows import` writes the workflow that --asl and
// --functions stand for, so simulating either gives byte-identical output (summary and records).
func TestImportSimulatesIdentically(t *testing.T) {
	dir := sharedtest.Require(t, "step-functions")
	tmp := t.TempDir()
	for _, app := range realASL {
		asl := []string{"--asl", filepath.Join(dir, app+".asl.json"), "--functions", filepath.Join(examples, app+".functions.json")}
		wf := filepath.Join(tmp, app+".workflow.json")
		if code, _, errOut := runCLI(append([]string{"workflows", "import", "--out", wf}, asl...)...); code != 0 {
			t.Fatalf("%s: import: exit %d: %s", app, code, errOut)
		}
		sim := func(tag string, from ...string) (string, []byte, []byte) {
			t.Helper()
			out := filepath.Join(tmp, app+"-"+tag+".csv")
			args := append([]string{"simulate", "--memory", "2048", "--runs", "40", "--seed", "3", "--json", "--out", out}, from...)
			code, stdout, errOut := runCLI(args...)
			if code != 0 {
				t.Fatalf("%s: simulate %v: exit %d: %s", app, from, code, errOut)
			}
			invs, _ := os.ReadFile(out)
			dags, _ := os.ReadFile(strings.TrimSuffix(out, ".csv") + "-dags.csv")
			return stdout, invs, dags
		}
		s1, i1, d1 := sim("asl", asl...)
		s2, i2, d2 := sim("json", "--workflow", wf)
		if s1 != s2 || !bytes.Equal(i1, i2) || !bytes.Equal(d1, d2) || len(i1) == 0 || len(d1) == 0 {
			t.Errorf("%s: --asl and the imported JSON simulate differently:\n%s\n%s", app, s1, s2)
		}
		// Importing to stdout writes the same bytes as --out.
		code, stdout, _ := runCLI(append([]string{"workflows", "import"}, asl...)...)
		b, _ := os.ReadFile(wf)
		if code != 0 || stdout != string(b) {
			t.Errorf("%s: import to stdout differs from --out", app)
		}
	}
}

// TestASLGivenAsWorkflow: an ASL file given to --workflow is recognised and the error says how to
// give it instead, on every command that takes a workflow.
func TestASLGivenAsWorkflow(t *testing.T) {
	dir := sharedtest.Require(t, "step-functions")
	asl := filepath.Join(dir, "chatbot.asl.json")
	for _, args := range [][]string{
		{"validate", "--workflow", asl},
		{"simulate", "--workflow", asl, "--memory", "1024", "--runs", "1"},
		{"plan", "--workflow", asl, "--slo", "30s"},
		{"profile", "--workflow", asl, "--simulate", "--out", filepath.Join(t.TempDir(), "p.json")},
	} {
		code, _, errOut := runCLI(args...)
		if code != 2 || !strings.Contains(errOut, "is an AWS Step Functions definition (ASL)") || !strings.Contains(errOut, "--asl "+asl+" --functions SIDE.json") {
			t.Errorf("%v: exit %d, stderr %q: want 2 and the --asl --functions fix", args, code, errOut)
		}
	}
}

// TestWorkflowFlagsEverywhere: every command that takes --workflow takes --asl and --functions
// too, with the same checks.
func TestWorkflowFlagsEverywhere(t *testing.T) {
	for _, cmd := range [][]string{
		{"simulate", "--memory", "1024", "--runs", "1"},
		{"plan", "--slo", "30s"},
		{"profile", "--simulate", "--out", "p.json"},
		{"model", "--profiles", "p.json", "--memory", "1024"},
		{"workflows", "import"},
	} {
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"--workflow", "video", "--asl", "x.json", "--functions", "y.json"}, "either --workflow or --asl"},
			{[]string{"--asl", "x.json"}, "--asl needs --functions"},
			{[]string{"--workflow", "video", "--functions", "y.json"}, "--functions goes with --asl"},
		} {
			code, _, errOut := runCLI(append(append([]string{}, cmd...), tc.args...)...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("%v %v: exit %d, stderr %q: want 2 and %q", cmd, tc.args, code, errOut, tc.want)
			}
		}
	}
}

func TestValidateASLStructureOnly(t *testing.T) {
	dir := sharedtest.Require(t, "step-functions")
	code, out, errOut := runCLI("validate", "--asl", filepath.Join(dir, "video-analytics.asl.json"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{`ASL structure of "video-analytics" is valid`, "tasks:     3 functions to describe in a side file (Split, Extract, ObjectDetectUpload)",
		"Extract_Map: items from the side file over the steps Extract -> ObjectDetectUpload"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.asl.json")
	os.WriteFile(bad, []byte(`{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "r"}, "B": {"Type": "Loop", "End": true}}}`), 0o644)
	code, _, errOut = runCLI("validate", "--asl", bad)
	for _, want := range []string{"bad.asl.json", "States.A: Task state needs Next", "States.B: state is unreachable"} {
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, errOut)
		}
	}
}

// TestModelWorkflowMatchesProfile: model --workflow (or --asl) must name the profiled workflow.
func TestModelWorkflowMatchesProfile(t *testing.T) {
	tmp := t.TempDir()
	prof := filepath.Join(tmp, "chatbot.profile.json")
	if code, _, errOut := runCLI("profile", "--workflow", "chatbot", "--simulate", "--runs", "5", "--sizes", "1024,2048", "--out", prof); code != 0 {
		t.Fatalf("profile: exit %d: %s", code, errOut)
	}
	code, same, errOut := runCLI("model", "--profiles", prof, "--memory", "1536", "--json", "--workflow", "chatbot")
	_, without, _ := runCLI("model", "--profiles", prof, "--memory", "1536", "--json")
	if code != 0 || same != without {
		t.Errorf("the profiled workflow: exit %d, %s, want the output without --workflow %s (stderr %s)", code, same, without, errOut)
	}
	code, _, errOut = runCLI("model", "--profiles", prof, "--memory", "1536", "--workflow", "video")
	if code != 1 || !strings.Contains(errOut, `workflow "video" does not match the profile`) {
		t.Errorf("another workflow: exit %d, stderr %q, want 1 and a mismatch", code, errOut)
	}
	// plan checks the same: chatbot with another map width has the profile's step names, which
	// was all plan compared, and was planned from the samples of 22 items.
	wide := filepath.Join(tmp, "chatbot44.json")
	if code, js, errOut := runCLI("workflows", "show", "chatbot"); code != 0 || !strings.Contains(js, `"items": 22`) {
		t.Fatalf("workflows show chatbot: exit %d, %s (want a map of 22 items)", code, errOut)
	} else if err := os.WriteFile(wide, []byte(strings.Replace(js, `"items": 22`, `"items": 44`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{
		{"model", "--profiles", prof, "--memory", "1536", "--workflow", wide},
		{"plan", "--profiles", prof, "--slo", "60s", "--workflow", wide},
	} {
		code, _, errOut = runCLI(cmd...)
		if want := `map step "TrainMap": 44 items (mean), the profile's has 22`; code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("%s of another map width: exit %d, stderr %q, want 1 and %q", cmd[0], code, errOut, want)
		}
	}
	if code, _, errOut := runCLI("plan", "--profiles", prof, "--slo", "60s", "--workflow", "chatbot", "--quiet"); code != 0 {
		t.Errorf("plan of the profiled workflow: exit %d: %s", code, errOut)
	}
}

// TestPlanExportASL: `plan --export-asl` on the built-in apps, a documented example with a
// Parallel and a published definition writes a state machine, its side file and a deployment
// that read back (--asl, --functions, --plan) as the workflow and plan it printed, and simulate.
// Under -short, two of them (each plans, profiling in the simulator first).
func TestPlanExportASL(t *testing.T) {
	cases := [][]string{
		{"--workflow", "video", "--slo", "30s"},
		{"--workflow", filepath.Join(examples, "thumbnails.workflow.json"), "--slo", "20s"},
		{"--workflow", "ml", "--slo", "60s"},
		{"--workflow", "chatbot", "--slo", "20s"},
		{"--workflow", "svd", "--slo", "30s"},
		{"--asl", "video-analytics.asl.json", "--functions", filepath.Join(examples, "video-analytics.functions.json"), "--slo", "40s"},
	}
	if testing.Short() {
		cases = cases[:2]
	}
	tmp := t.TempDir()
	bundled := 0
	for i, args := range cases {
		t.Run(filepath.Base(args[1]), func(t *testing.T) {
			if args[0] == "--asl" {
				args = slices.Clone(args)
				args[1] = sharedtest.Require(t, "step-functions", args[1])
			}
			bundled += checkExport(t, filepath.Join(tmp, fmt.Sprintf("w%d", i)), args)
		})
	}
	if bundled == 0 {
		t.Error("no plan bundles a map: the ItemBatcher path is not exercised")
	}
}

// checkExport plans with args and --export-asl BASE.asl.json, reads the three files back and
// checks them against the printed plan; it returns how many maps the plan bundles.
func checkExport(t *testing.T, base string, args []string) (bundled int) {
	t.Helper()
	out := base + ".asl.json"
	code, stdout, errOut := runCLI(append([]string{"plan", "--json", "--export-asl", out}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Plan *dag.Plan `json:"plan"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	side, deploy := base+".functions.json", base+".deploy.json"
	w, err := dag.ReadASL(out, side)
	if err != nil {
		t.Fatalf("the exported ASL does not import: %v", err)
	}
	p, err := dag.ReadPlan(deploy, w)
	if err != nil {
		t.Fatalf("the deployment does not read: %v", err)
	}
	for _, f := range w.Functions {
		if a, b := rep.Plan.MemoryOf(f.Name), p.MemoryOf(f.Name); a != b {
			t.Errorf("%s at %d MB, the plan says %d", f.Name, b, a)
		}
	}
	w.Walk(func(_ []string, s *dag.Step) {
		if s.Map != nil && rep.Plan.BundleOf(s.Name) != p.BundleOf(s.Name) {
			t.Errorf("map %s bundles %d, the plan %d", s.Name, p.BundleOf(s.Name), rep.Plan.BundleOf(s.Name))
		}
		if s.Map != nil && p.BundleOf(s.Name) > 1 {
			bundled++
		}
	})
	if fmt.Sprint(p.Fuse) != fmt.Sprint(rep.Plan.Fuse) {
		t.Errorf("fusion %v, the plan %v", p.Fuse, rep.Plan.Fuse)
	}
	if code, _, errOut := runCLI("simulate", "--asl", out, "--functions", side, "--plan", deploy, "--runs", "5"); code != 0 {
		t.Errorf("simulate the export: exit %d: %s", code, errOut)
	}
	return bundled
}
