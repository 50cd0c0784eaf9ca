package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/policy"
)

// TestSimulatePolicies: every policy plans the chatbot app and the plan simulates; User-Max is
// faster and dearer than User-Min, and wisefuse meets the SLO it was given.
func TestSimulatePolicies(t *testing.T) {
	type summary struct {
		P95  float64 `json:"p95_s"`
		Cost float64 `json:"mean_cost_usd"`
	}
	got := map[string]summary{}
	for _, p := range policy.Names() {
		args := []string{"simulate", "--workflow", "chatbot", "--policy", p, "--runs", "100", "--json"}
		if p == "wisefuse" {
			args = append(args, "--slo", "20s")
		}
		code, out, errOut := runCLI(args...)
		if p == "faastlane-invm" && code == 1 {
			continue // chatbot's 22 items do not fit one 10,240 MB VM: an error is the right answer
		}
		if code != 0 {
			t.Fatalf("--policy %s: exit %d: %s", p, code, errOut)
		}
		var s summary
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("--policy %s: %v", p, err)
		}
		got[p] = s
	}
	if max, min := got["user-max"], got["user-min"]; !(max.P95 < min.P95 && max.Cost > min.Cost) {
		t.Errorf("user-max %+v should be faster and dearer than user-min %+v", max, min)
	}
	if w := got["wisefuse"]; w.P95 > 20*1.05 {
		t.Errorf("wisefuse P95 %.2f s misses its 20 s SLO by more than the sampling error of 100 runs", w.P95)
	}
}

func TestPolicyUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--policy", "nope"}, "unknown policy"},
		{[]string{"--policy", "wisefuse"}, "needs --slo"},
		{[]string{"--policy", "wisefuse", "--slo", "-3s"}, "--slo -3s: want a positive"},
		{[]string{"--policy", "user-max", "--memory", "1024"}, "one of --plan, --memory or --policy"},
	} {
		args := append([]string{"simulate", "--workflow", "chatbot", "--runs", "3"}, c.args...)
		code, _, errOut := runCLI(args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q", c.args, code, errOut, c.want)
		}
	}
}

// TestPlanNegativeTargets: a negative --slo or --budget is a usage error, not silently ignored
// in favour of the other one.
func TestPlanNegativeTargets(t *testing.T) {
	for _, args := range [][]string{{"--slo", "-3s", "--budget", "0.02"}, {"--slo", "20s", "--budget", "-1"}} {
		code, _, errOut := runCLI(append([]string{"plan", "--workflow", "chatbot"}, args...)...)
		if code != 2 || !strings.Contains(errOut, "> 0") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and a positive-values message", args, code, errOut)
		}
	}
}

// TestPlanOnTheSimulatedPlatform: `plan` and `--policy wisefuse` profile a built-in app on the
// platform `simulate` runs it on (with the app's orchestration overhead), so the predicted P95
// matches the simulated one and a tight SLO is met. Profiling on the bare default platform
// instead under-predicted video's P95 by about 4 s and missed a 30 s SLO.
func TestPlanOnTheSimulatedPlatform(t *testing.T) {
	planFile := filepath.Join(t.TempDir(), "plan.json")
	code, out, errOut := runCLI("plan", "--workflow", "video", "--slo", "30s", "--json", "--out", planFile)
	if code != 0 {
		t.Fatalf("plan: exit %d: %s", code, errOut)
	}
	var planned struct {
		P95 float64 `json:"p95_s"`
	}
	if err := json.Unmarshal([]byte(out), &planned); err != nil {
		t.Fatal(err)
	}
	var sim struct {
		P95 float64 `json:"p95_s"`
	}
	for _, args := range [][]string{
		{"--plan", planFile},
		{"--policy", "wisefuse", "--slo", "30s"},
	} {
		args = append([]string{"simulate", "--workflow", "video", "--runs", "100", "--json"}, args...)
		code, out, errOut = runCLI(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if err := json.Unmarshal([]byte(out), &sim); err != nil {
			t.Fatal(err)
		}
		if got := sim.P95; math.Abs(got-planned.P95) > 0.05*planned.P95 || got > 30*1.05 {
			t.Errorf("%v: simulated P95 %.2fs, predicted %.2fs for a 30 s SLO", args, got, planned.P95)
		}
	}
}
