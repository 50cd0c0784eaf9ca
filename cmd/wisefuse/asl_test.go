package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
		"Extract_Map: items from the side file over Extract -> ObjectDetectUpload"} {
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
}
