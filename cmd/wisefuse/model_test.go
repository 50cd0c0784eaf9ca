package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/shareddata/sharedtest"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// TestModelUseSizesOrder: --use-sizes may list sizes in any order (the profile keeps them
// ascending, so the answer is the same), and a size listed twice is a usage error.
func TestModelUseSizesOrder(t *testing.T) {
	logs := filepath.Join(sharedtest.Require(t, "aws-lambda-profiles"), "video")
	args := []string{"model", "--profiles", logs, "--memory", "5000", "--json", "--use-sizes"}
	code, ascending, errOut := runCLI(append(args, "1000,10240")...)
	if code != 0 {
		t.Fatalf("1000,10240: exit %d: %s", code, errOut)
	}
	code, descending, errOut := runCLI(append(args, "10240,1000")...)
	if code != 0 || descending != ascending {
		t.Errorf("10240,1000: exit %d, %q, want the output of 1000,10240 %q (stderr %s)", code, descending, ascending, errOut)
	}
	if strings.Contains(ascending, "warning") {
		t.Errorf("two profiled sizes gave a warning: %s", ascending)
	}
	code, one, errOut := runCLI(append(args, "1000")...)
	if code != 0 || !strings.Contains(one, `"warning": "one profiled size (1000 MB)`) {
		t.Errorf("1000 alone for 5000 MB: exit %d, %s, want a one-size warning (stderr %s)", code, one, errOut)
	}
	// Without --json the warning goes to stderr, as every command's (it went to stdout).
	code, text, errOut := runCLI("model", "--profiles", logs, "--memory", "5000", "--use-sizes", "1000")
	if code != 0 || strings.Contains(text, "warning") || !strings.Contains(errOut, "wisefuse model: warning: one profiled size (1000 MB)") {
		t.Errorf("one size, as text: exit %d, stdout %q, stderr %q", code, text, errOut)
	}
	code, _, errOut = runCLI(append(args, "1000,1000")...)
	if code != 2 || !strings.Contains(errOut, "1000 MB is listed twice") {
		t.Errorf("1000,1000: exit %d, stderr %q, want 2 and a duplicate-size message", code, errOut)
	}
}

// TestLibraryErrorsNotPrefixedTwice: errors from the wisefuse package carry "wisefuse: ", which the
// CLI, whose name is also wisefuse, does not repeat after "wisefuse model: ".
func TestLibraryErrorsNotPrefixedTwice(t *testing.T) {
	code, _, errOut := runCLI("model", "--profiles", filepath.Join(t.TempDir(), "none.json"), "--memory", "1000")
	if code != 1 || !strings.HasPrefix(errOut, "wisefuse model: ") || strings.Contains(errOut, "wisefuse: ") {
		t.Errorf("exit %d, stderr %q: want 1 and one prefix, wisefuse model: ", code, errOut)
	}
}

// TestModelLogsCost: from real logs, the cost is printed only with the workflow (every Map item an
// invocation), a workflow whose functions are not the logs' stages is an error naming both, a size
// outside the profiled ones is a warning, and bad logs stay file:line errors with nothing printed.
func TestModelLogsCost(t *testing.T) {
	logs := filepath.Join(sharedtest.Require(t, "aws-lambda-profiles"), "video")
	code, out, errOut := runCLI("model", "--profiles", logs, "--memory", "5000")
	if code != 0 || !strings.Contains(out, "no cost: ") || strings.Contains(out, "mean cost") {
		t.Errorf("no workflow: exit %d, %q (stderr %s), want no cost and why", code, out, errOut)
	}
	code, out, errOut = runCLI("model", "--profiles", logs, "--memory", "10240", "--use-sizes", "1000,5000", "--workflow", "video", "--json")
	if code != 0 || !strings.Contains(out, `"mean_cost_usd": 0.07`) || !strings.Contains(out, `"warning": "10240 MB is outside the profiled sizes 1000-5000 MB`) {
		t.Errorf("video workflow: exit %d, %s (stderr %s), want a cost of 30 items at 10240 MB (about $0.073) and an extrapolation warning", code, out, errOut)
	}
	code, out, errOut = runCLI("model", "--profiles", logs, "--memory", "5000", "--workflow", "ml")
	if code != 1 || out != "" || !strings.Contains(errOut, "stages Classify, Extract, Shuffle, Split") || !strings.Contains(errOut, "its functions CombineModels, PCA, ParamTune are not stages") {
		t.Errorf("ml workflow on video logs: exit %d, %q, stderr %q, want an error naming both", code, out, errOut)
	}
	for _, tc := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"rsc_1000_1000_1000.txt": "E2E:100 A:50\nE2E:100\n"}, "rsc_1000_1000_1000.txt:2: stages"},
		{map[string]string{"rsc_1000_1000_1000.txt": "E2E:100 A:50\nE2E:100 A:x\n"}, "rsc_1000_1000_1000.txt:2: field 2"},
		{map[string]string{"rsc_1000_1000_1000.txt": "E2E:100 A:50\n", "rsc_01000_01000_01000.txt": "E2E:100 A:50\n"}, "both at 1000 MB"},
	} {
		dir := t.TempDir()
		for name, body := range tc.files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		code, out, errOut := runCLI("model", "--profiles", dir, "--memory", "1000")
		if code != 1 || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q, stderr %q, want an error containing %q", tc.files, code, out, errOut, tc.want)
		}
	}
}

// TestPlanFromLogs: plan --profiles LOGDIR plans on the physical log modeler: its printed
// prediction is what `model` says of the same plan on the same logs and workflow (the built-in
// app, and the published definition through --asl), within the SLO less the margin; a workflow
// that is not the logs' is an error and prints nothing.
func TestPlanFromLogs(t *testing.T) {
	root := sharedtest.Require(t, "aws-lambda-profiles")
	tmp := t.TempDir()
	for _, c := range []struct {
		app string
		wf  []string
		slo float64
	}{
		{"video", []string{"--workflow", "video"}, 45},
		{"ml", []string{"--workflow", "ml"}, 30},
		{"chatbot", []string{"--workflow", "chatbot"}, 25},
		{"ml", []string{"--asl", filepath.Join(sharedtest.Require(t, "step-functions"), "ml-pipeline.asl.json"),
			"--functions", filepath.Join(examples, "ml-pipeline.functions.json")}, 45},
	} {
		logs := filepath.Join(root, c.app)
		planFile := filepath.Join(tmp, c.app+c.wf[0]+".plan.json")
		args := append([]string{"plan", "--profiles", logs, "--slo", fmt.Sprintf("%gs", c.slo), "--json", "--out", planFile}, c.wf...)
		code, out, errOut := runCLI(args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.app, code, errOut)
		}
		var planned, modeled struct {
			P50  float64  `json:"p50_s"`
			P95  float64  `json:"p95_s"`
			Cost *float64 `json:"mean_cost_usd"`
		}
		json.Unmarshal([]byte(out), &planned)
		code, mout, errOut := runCLI(append([]string{"model", "--profiles", logs, "--plan", planFile, "--json"}, c.wf...)...)
		if code != 0 {
			t.Fatalf("%s: model: exit %d: %s", c.app, code, errOut)
		}
		json.Unmarshal([]byte(mout), &modeled)
		if planned.Cost == nil || modeled.Cost == nil || *planned.Cost != *modeled.Cost || planned.P95 != modeled.P95 || planned.P50 != modeled.P50 {
			t.Errorf("%s: plan printed %s\nmodel says %s", c.app, out, mout)
		}
		if planned.P95 > c.slo*(1-wisefuse.DefaultMargin) || planned.P95 <= 0 {
			t.Errorf("%s: P95 %.3fs, want within %gs less the margin", c.app, planned.P95, c.slo)
		}
	}
	code, out, errOut := runCLI("plan", "--profiles", filepath.Join(root, "video"), "--workflow", "ml", "--slo", "60s")
	if code != 1 || out != "" || !strings.Contains(errOut, `workflow "ml" does not match the logs`) {
		t.Errorf("ml on video's logs: exit %d, stdout %q, stderr %q: want 1, nothing printed and a mismatch", code, out, errOut)
	}
}

// TestBadRealInput: the bad input issue 16 lists -- a log with a missing stage (on one line, or in
// a whole file), a non-numeric value, a size that appears twice, a workflow or an ASL side file
// whose names match nothing -- fail every command that reads it with exit 1, an error naming the
// file (and the line, where there is one), nothing on stdout and no output file.
func TestBadRealInput(t *testing.T) {
	root := t.TempDir()
	logDir := func(name string, files map[string]string) string {
		d := filepath.Join(root, name)
		os.MkdirAll(d, 0o755)
		for f, body := range files {
			os.WriteFile(filepath.Join(d, f), []byte(body), 0o644)
		}
		return d
	}
	good := "E2E:3000 Split:1000 Classify:1500\nE2E:3100 Split:1100 Classify:1500\n"
	for _, c := range []struct {
		dir  string
		want []string
	}{
		{logDir("stage-line", map[string]string{"rsc_1000_1000_1000.txt": good + "E2E:3000 Split:1000\n"}),
			[]string{"rsc_1000_1000_1000.txt:3: stages [E2E Split] differ", "(no Classify)"}},
		{logDir("stage-file", map[string]string{"rsc_1000_1000_1000.txt": good, "rsc_2000_2000_2000.txt": "E2E:2000 Split:900\n"}),
			[]string{"rsc_2000_2000_2000.txt:1: stages [Split] differ", "(no Classify)"}},
		{logDir("number", map[string]string{"rsc_1000_1000_1000.txt": good + "E2E:3000 Split:1,5 Classify:1500\n"}),
			[]string{"rsc_1000_1000_1000.txt:3: field 2 \"Split:1,5\": want a finite, non-negative number"}},
		{logDir("twice", map[string]string{"rsc_1000_1000_1000.txt": good, "rsc_01000_01000_01000.txt": good}),
			[]string{"rsc_01000_01000_01000.txt and ", "rsc_1000_1000_1000.txt: both at 1000 MB"}},
		// E2E below its slowest stage, which it spans (session 16: was modelled, the overhead 0).
		{logDir("e2e-below-stage", map[string]string{"rsc_1000_1000_1000.txt": good + "E2E:1400 Split:1000 Classify:1500\n"}),
			[]string{"rsc_1000_1000_1000.txt:3: field 1 \"E2E:1400\": E2E 1400 ms is below stage Classify's 1500 ms (field 3): want E2E at least its slowest stage's time"}},
	} {
		out := filepath.Join(root, "out.json")
		for _, args := range [][]string{
			{"model", "--profiles", c.dir, "--memory", "1500"},
			{"plan", "--profiles", c.dir, "--workflow", "video", "--slo", "60s", "--out", out},
			{"profile", "--out", out, c.dir},
		} {
			code, stdout, stderr := runCLI(args...)
			ok := code == 1 && stdout == ""
			for _, w := range c.want {
				ok = ok && strings.Contains(stderr, w)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%v: wrote %s", args, out)
				os.Remove(out)
			}
			if !ok {
				t.Errorf("%v: exit %d, stdout %q, stderr %q: want 1, nothing printed, and %q", args, code, stdout, stderr, c.want)
			}
		}
	}
	// Real logs of one app given as another workflow.
	logs := filepath.Join(sharedtest.Require(t, "aws-lambda-profiles"), "chatbot")
	out := filepath.Join(root, "p.json")
	for _, args := range [][]string{
		{"profile", "--workflow", "video", "--out", out, logs},
		{"model", "--profiles", logs, "--workflow", "video", "--memory", "2000"},
		{"plan", "--profiles", logs, "--workflow", "video", "--slo", "60s"},
	} {
		code, stdout, stderr := runCLI(args...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, `workflow "video" does not match the logs`) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want 1, nothing printed and a mismatch", args, code, stdout, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: wrote %s", args, out)
		}
	}
	// A side file of another definition: every entry matches nothing.
	side := filepath.Join(root, "other.functions.json")
	os.WriteFile(side, []byte(`{"functions": {
  "Foo": {"min_memory_mb": 128, "serial_work_s": 1, "parallel_work_s": 0, "threads": 1, "input_bytes": 0, "output_bytes": 0, "init_s": 0},
  "Bar": {"min_memory_mb": 128, "serial_work_s": 1, "parallel_work_s": 0, "threads": 1, "input_bytes": 0, "output_bytes": 0, "init_s": 0}},
  "map_items": {"Nope": 3}}`), 0o644)
	asl := filepath.Join(sharedtest.Require(t, "step-functions"), "video-analytics.asl.json")
	for _, args := range [][]string{
		{"plan", "--asl", asl, "--functions", side, "--slo", "30s", "--export-asl", filepath.Join(root, "x.asl.json")},
		{"simulate", "--asl", asl, "--functions", side, "--memory", "1024", "--runs", "2"},
	} {
		code, stdout, stderr := runCLI(args...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, "side file "+side+": line 1: functions: none of its 2 entries (Bar, Foo) matches a Task state") ||
			!strings.Contains(stderr, `map_items["Nope"]: matches no Map state`) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want 1, nothing printed, and the side file's entries named", args, code, stdout, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "x.asl.json")); err == nil {
		t.Error("plan --export-asl wrote the ASL of a failed import")
	}
}

// TestLogProfileFileMatchesFolder: the profile 'wisefuse profile --out P.json LOGDIR' writes plans
// and predicts on the log modeler as the folder does: plan --profiles P.json prints byte for byte
// what plan --profiles LOGDIR prints (plan, prediction, cost), and so does model, for a profile
// named by --workflow, one named after the folder, and one written before profiles recorded their
// origin (no "origin" field). Plans keep to the profiled sizes unless --extrapolate, which
// --profiles from simulator records refuse.
func TestLogProfileFileMatchesFolder(t *testing.T) {
	root := sharedtest.Require(t, "aws-lambda-profiles")
	tmp := t.TempDir()
	for _, app := range []string{"video", "ml", "chatbot"} {
		logs := filepath.Join(root, app)
		named := filepath.Join(tmp, app+".named.json")
		plain := filepath.Join(tmp, app+".plain.json")
		legacy := filepath.Join(tmp, app+".legacy.json")
		for _, args := range [][]string{{"profile", "--workflow", app, "--out", named, logs}, {"profile", "--out", plain, logs}} {
			if code, _, errOut := runCLI(args...); code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, errOut)
			}
		}
		b, err := os.ReadFile(plain)
		if err != nil {
			t.Fatal(err)
		}
		old := strings.Replace(string(b), `"origin":"logs",`, "", 1)
		if old == string(b) {
			t.Fatalf("%s: no \"origin\":\"logs\" in %s", app, plain)
		}
		os.WriteFile(legacy, []byte(old), 0o644)
		for _, cmd := range [][]string{
			{"plan", "--workflow", app, "--slo", "60s", "--json"},
			{"plan", "--workflow", app, "--slo", "60s", "--json", "--extrapolate"},
			{"model", "--workflow", app, "--memory", "2000", "--json"},
			{"model", "--workflow", app, "--memory", "3008", "--use-sizes", "5000,10240", "--json"},
		} {
			code, want, errOut := runCLI(append(slices.Clone(cmd), "--profiles", logs)...)
			if code != 0 {
				t.Fatalf("%s %v: exit %d: %s", app, cmd, code, errOut)
			}
			for _, file := range []string{named, plain, legacy} {
				code, got, errOut := runCLI(append(slices.Clone(cmd), "--profiles", file)...)
				if code != 0 || got != want {
					t.Errorf("%s %v --profiles %s: exit %d, stderr %q, printed\n%s\nwant what the folder gives:\n%s", app, cmd, filepath.Base(file), code, errOut, got, want)
				}
			}
			if cmd[0] != "plan" {
				continue
			}
			var rep struct {
				Plan    dag.Plan `json:"plan"`
				Warning string   `json:"warning"`
			}
			if err := json.Unmarshal([]byte(want), &rep); err != nil {
				t.Fatal(err)
			}
			outside := false
			for f, mb := range rep.Plan.Memory {
				if mb < 1000 || mb > 10240 {
					outside = true
					if !slices.Contains(cmd, "--extrapolate") {
						t.Errorf("%s %v: %s at %d MB, outside the profiled 1000-10240 MB", app, cmd, f, mb)
					}
				}
			}
			if outside != (rep.Warning != "") {
				t.Errorf("%s %v: plan %v, warning %q: want a warning exactly when a size is outside the profiled range", app, cmd, rep.Plan.Memory, rep.Warning)
			}
		}
	}
	code, out, errOut := runCLI("plan", "--workflow", "video", "--slo", "60s", "--extrapolate")
	if code != 2 || out != "" || !strings.Contains(errOut, "--extrapolate is for --profiles from real logs") {
		t.Errorf("--extrapolate without logs: exit %d, stdout %q, stderr %q: want 2 and a usage error", code, out, errOut)
	}
}

// TestModelPlatform: without --platform the modeler knows only AWS Lambda's published facts, so a
// bundle of eight CPU-bound items is predicted without the co-runners' contention the simulator
// has (1 + 0.03 x 7); with --platform aws-lambda it models what `plan` models, and predicts the
// simulator's P95 and cost of that plan; another platform, from a profile made there, prices
// differently, and a profile made on another platform is refused.
func TestModelPlatform(t *testing.T) {
	dir := t.TempDir()
	wfile, prof, planFile := filepath.Join(dir, "w.json"), filepath.Join(dir, "p.json"), filepath.Join(dir, "plan.json")
	w := `{"name": "bundled", "functions": [
		{"name": "f", "threads": 1, "serial_work_s": {"kind": "fixed", "value": 1}},
		{"name": "g", "threads": 1, "serial_work_s": {"kind": "fixed", "value": 2}}],
	"steps": [{"name": "A", "task": "f"},
		{"name": "M", "map": {"items": {"kind": "fixed", "value": 8}, "iterator": [{"name": "B", "task": "g"}]}}]}`
	if err := os.WriteFile(wfile, []byte(w), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(planFile, []byte(`{"default_memory_mb": 1024, "bundle": {"M": 8}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI("profile", "--workflow", wfile, "--simulate", "--runs", "20", "--sizes", "1024,2048", "--out", prof, "--quiet"); code != 0 {
		t.Fatalf("profile: exit %d: %s", code, errOut)
	}
	type result struct {
		P95  float64 `json:"p95_s"`
		Cost float64 `json:"mean_cost_usd"`
	}
	get := func(args ...string) result { return cliJSON[result](t, args...) }
	model := []string{"model", "--workflow", wfile, "--profiles", prof, "--plan", planFile, "--json"}
	published := get(model...)
	aws := get(append(model, "--platform", "aws-lambda")...)
	// A profile is its platform's: another platform is modelled from a profile made there, and
	// the aws-lambda profile on it is refused (checkProfilePlatform).
	flexProf := filepath.Join(dir, "flex.json")
	if code, _, errOut := runCLI("profile", "--workflow", wfile, "--simulate", "--runs", "20", "--sizes", "1024,2048", "--platform", "azure-flex", "--out", flexProf, "--quiet"); code != 0 {
		t.Fatalf("profile on azure-flex: exit %d: %s", code, errOut)
	}
	flex := get("model", "--workflow", wfile, "--profiles", flexProf, "--plan", planFile, "--json", "--platform", "azure-flex")
	for _, cmd := range [][]string{append(model, "--platform", "azure-flex"), {"plan", "--workflow", wfile, "--profiles", prof, "--slo", "60s", "--platform", "azure-flex"}} {
		if code, _, errOut := runCLI(cmd...); code != 1 || !strings.Contains(errOut, "was simulated on platform aws-lambda") || !strings.Contains(errOut, "--platform azure-flex has other settings") {
			t.Errorf("%s: the aws-lambda profile on azure-flex: exit %d, stderr %q, want 1 and an error naming both platforms", cmd[0], code, errOut)
		}
	}
	// A platform that differs only at the concurrency limit is the profile's: its runs had the
	// limit lifted (wisefuse.ProfilingDigest). It was refused before session 17.
	limited := filepath.Join(dir, "limited.json")
	if err := os.WriteFile(limited, []byte(`{"concurrency_limit": 5, "at_concurrency_limit": "reject", "retry_max_attempts": 7}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(append(model, "--platform", limited)...); code != 0 {
		t.Errorf("the profile on a platform of another concurrency limit: exit %d, stderr %q, want it accepted", code, errOut)
	}
	// Unbundled, the Map's 8 items pass that limit of 5, which rejects every run: its
	// percentiles are "failed", not "timed out" (as they were named whatever failed the runs).
	unbundled := filepath.Join(dir, "unbundled.json")
	if err := os.WriteFile(unbundled, []byte(`{"default_memory_mb": 1024}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI("model", "--workflow", wfile, "--profiles", prof, "--plan", unbundled, "--platform", limited)
	if code != 0 || !strings.Contains(out, "P95 failed") || !strings.Contains(out, "predicted failed runs: 100.0%") || strings.Contains(out, "timed out") {
		t.Errorf("8 items at a limit of 5 that rejects: exit %d, stdout %q, stderr %q; want every run failed", code, out, errOut)
	}
	sim := get("simulate", "--workflow", wfile, "--plan", planFile, "--runs", "50", "--json")
	if rel := math.Abs(aws.P95-sim.P95) / sim.P95; rel > 0.01 {
		t.Errorf("--platform aws-lambda: P95 %.3f s, simulated %.3f s (%.1f%% off), want within 1%%", aws.P95, sim.P95, 100*rel)
	}
	if rel := math.Abs(aws.Cost-sim.Cost) / sim.Cost; rel > 0.01 {
		t.Errorf("--platform aws-lambda: cost %.7f, simulated %.7f, want within 1%%", aws.Cost, sim.Cost)
	}
	if !(published.P95 < aws.P95/1.15) {
		t.Errorf("published facts: P95 %.3f s, want the contention-free prediction, below %.3f / 1.15", published.P95, aws.P95)
	}
	if flex.Cost == aws.Cost {
		t.Errorf("--platform azure-flex: cost %.7f, the same as aws-lambda's", flex.Cost)
	}
	if code, _, errOut := runCLI(append(model, "--platform", "no-such")...); code != 2 && code != 1 || !strings.Contains(errOut, "no-such") {
		t.Errorf("--platform no-such: exit %d, stderr %q, want an error naming it", code, errOut)
	}
}

// TestModelLogsTimedOut: from real logs, a size at which a stage runs past the function timeout
// prints its percentiles as timed out (JSON null, with timed_out_fraction), as `model` does from
// a profile file, instead of failing as if an input were degenerate.
func TestModelLogsTimedOut(t *testing.T) {
	logs := filepath.Join(sharedtest.Require(t, "aws-lambda-profiles"), "ml")
	rep := cliJSON[map[string]any](t, "model", "--profiles", logs, "--memory", "128", "--json")
	if f, _ := rep["timed_out_fraction"].(float64); rep["p95_s"] != nil || !(f > 0.05) {
		t.Errorf("128 MB: p95 %v, timed_out_fraction %v; want null and above 5%%", rep["p95_s"], rep["timed_out_fraction"])
	}
}

// TestBuiltinProfilePlatform: a built-in app's profile made on the default platform carries the
// app's calibrated orchestration latency and says so in its platform. It is refused with
// --platform aws-lambda, which lacks the calibration (video's modelled there predicted 17% high),
// with a message that says to drop --platform (it named aws-lambda twice), and with another
// platform.
func TestBuiltinProfilePlatform(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "c.json")
	if code, _, errOut := runCLI("profile", "--workflow", "chatbot", "--simulate", "--runs", "5", "--sizes", "1024,2048", "--out", prof, "--quiet"); code != 0 {
		t.Fatalf("profile: exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(prof)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"platform":"aws-lambda, with chatbot's calibrated orchestration latency"`) {
		t.Errorf("the profile's platform does not say it is calibrated: %.300s", b)
	}
	if code, _, errOut := runCLI("plan", "--workflow", "chatbot", "--profiles", prof, "--slo", "60s", "--quiet"); code != 0 {
		t.Errorf("plan on the profile's platform: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runCLI("plan", "--workflow", "chatbot", "--profiles", prof, "--slo", "60s", "--platform", "aws-lambda"); code != 1 ||
		!strings.Contains(errOut, "with chatbot's calibrated orchestration latency") || !strings.Contains(errOut, "drop --platform") {
		t.Errorf("plan with --platform aws-lambda: exit %d, %q; want a refusal that says to drop --platform", code, errOut)
	}
	if code, _, errOut := runCLI("plan", "--workflow", "chatbot", "--profiles", prof, "--slo", "60s", "--platform", "azure-flex"); code != 1 || !strings.Contains(errOut, "has other settings") {
		t.Errorf("plan on azure-flex: exit %d, stderr %q, want 1 and the platforms named", code, errOut)
	}
}

// TestLogWarningsPrinted: logs that look wrong without contradicting the format -- few runs, runs
// whose stages add up past E2E, values in seconds -- make profile, model and plan print each
// warning once to stderr, naming the file, and still succeed (exit 0) with what they printed
// before; the profile file written from them warns again where it is used, naming itself and the
// folder; the public logs print none.
func TestLogWarningsPrinted(t *testing.T) {
	root := t.TempDir()
	logDir := func(name string, files map[string]string) string {
		d := filepath.Join(root, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for f, body := range files {
			if err := os.WriteFile(filepath.Join(d, f), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	// video's stages; at 1,000 MB 3 runs, the second with overlapping stages; 52 good runs at 5,000 MB.
	few := logDir("few", map[string]string{
		"rsc_1000_1000_1000.txt": "E2E:40000 Split:3000 Extract:400 Shuffle:50 Classify:30000\n" +
			"E2E:30000 Split:3000 Extract:400 Shuffle:50 Classify:29000\n" +
			"E2E:41000 Split:3100 Extract:420 Shuffle:55 Classify:31000\n",
		"rsc_5000_5000_5000.txt": strings.Repeat("E2E:25000 Split:2500 Extract:330 Shuffle:50 Classify:17000\n", 52),
	})
	seconds := logDir("seconds", map[string]string{
		"rsc_1000_1000_1000.txt": strings.Repeat("E2E:61.2 Split:2.6 Extract:0.4 Shuffle:0.05 Classify:52.1\n", 60),
	})
	file := filepath.Join(few, "rsc_1000_1000_1000.txt")
	fewWarn := []string{
		"warning: " + file + ": 3 runs, fewer than 52",
		"warning: " + file + ": in 1 of 3 runs E2E is below the sum of the stages (first at line 2: E2E 30000 ms, stages 32450 ms",
	}
	secWarn := []string{"warning: " + filepath.Join(seconds, "rsc_1000_1000_1000.txt") + ": every run's E2E is below 1000 ms (the slowest 61.2 ms)"}
	prof := filepath.Join(root, "few.json")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"profile", "--out", prof, few}, fewWarn},
		{[]string{"model", "--profiles", few, "--memory", "2000"}, fewWarn},
		{[]string{"plan", "--profiles", few, "--workflow", "video", "--slo", "120s"}, fewWarn},
		{[]string{"model", "--profiles", seconds, "--memory", "1000"}, secWarn},
		{[]string{"model", "--profiles", prof, "--memory", "2000"}, []string{
			"warning: " + prof + ": real logs " + few + ", 1000 MB: 3 runs, fewer than 52",
			"warning: " + prof + ": real logs " + few + ", 1000 MB: in 1 of 3 runs E2E is below the sum of the stages (first at run 2:"}},
	} {
		code, out, errOut := runCLI(c.args...)
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		ok := code == 0 && len(lines) == len(c.want)
		for i := range lines {
			ok = ok && i < len(c.want) && strings.HasPrefix(lines[i], "wisefuse "+c.args[0]+": "+c.want[i])
		}
		if !ok {
			t.Errorf("%v: exit %d, stderr %q, want 0 and one line for each of %q", c.args, code, errOut, c.want)
		}
		if c.args[0] != "profile" && !strings.Contains(out, "P95") {
			t.Errorf("%v: stdout %q, want the prediction", c.args, out)
		}
	}
	// The public logs: no warning from any command that reads them.
	for _, app := range []string{"video", "ml", "chatbot"} {
		logs := filepath.Join(sharedtest.Require(t, "aws-lambda-profiles"), app)
		for _, args := range [][]string{
			{"profile", "--out", filepath.Join(root, app+".json"), logs},
			{"model", "--profiles", logs, "--memory", "2000"},
			{"model", "--profiles", filepath.Join(root, app+".json"), "--memory", "2000"},
		} {
			if code, _, errOut := runCLI(args...); code != 0 || errOut != "" {
				t.Errorf("%v: exit %d, stderr %q, want 0 and nothing", args, code, errOut)
			}
		}
	}
}

// TestCalibrateWarns: calibrate prints, to stderr and once, the warnings of a profile file that
// looks wrong (here ml at 10,240 MB, replaced by 3 runs of our own), and still fits (exit 0); the
// other eight files are the public ones, linked, not copied.
func TestCalibrateWarns(t *testing.T) {
	public := sharedtest.Require(t, "aws-lambda-profiles")
	data := t.TempDir()
	for _, app := range []string{"video", "ml", "chatbot"} {
		dir := filepath.Join(data, "aws-lambda-profiles", app)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, mb := range []int{1000, 5000, 10240} {
			name := fmt.Sprintf("rsc_%d_%d_%d.txt", mb, mb, mb)
			var err error
			if app == "ml" && mb == 10240 {
				err = os.WriteFile(filepath.Join(dir, name), []byte(strings.Repeat("E2E:13000 PCA:2500 ParamTune:10000 CombineModels:40\n", 3)), 0o644)
			} else {
				err = os.Symlink(filepath.Join(public, app, name), filepath.Join(dir, name))
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	code, out, errOut := runCLI("calibrate", "--data", data)
	want := "wisefuse calibrate: warning: " + filepath.Join(data, "aws-lambda-profiles", "ml", "rsc_10240_10240_10240.txt") + ": 3 runs, fewer than 52"
	if code != 0 || out == "" || !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("exit %d, stderr %q, want 0, the fit table and one line %q...", code, errOut, want)
	}
}
