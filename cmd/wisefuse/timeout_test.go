package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/policy"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// TestModelTimedOutPercentiles: `model` of a plan whose runs all pass the 900 s function timeout
// prints its percentiles as JSON null (valid JSON, not +Inf) with timed_out_fraction 1, and as
// "timed out" in text, exit 0; a plan that finishes prints numbers and no fraction.
func TestModelTimedOutPercentiles(t *testing.T) {
	w := &dag.Workflow{Name: "one-long-task",
		Functions: []dag.Function{{Name: "f", MinMemoryMB: 128, SerialWork: dag.Const(1000), Threads: 1}},
		Steps:     []dag.Step{{Name: "F", Task: "f"}},
	}
	// Profiled where nothing times out (function_timeout_s 0), modelled on aws-lambda's 900 s.
	plat := platform.Default()
	plat.FunctionTimeout = 0
	p, err := policy.ProfileInSim(w, plat, wisefuse.ProfileOptions{Runs: 20, Sizes: []int{2048}})
	if err != nil {
		t.Fatal(err)
	}
	prof := filepath.Join(t.TempDir(), "p.json")
	if err := wisefuse.WriteProfile(prof, p); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI("model", "--profiles", prof, "--memory", "2048", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if rep["p95_s"] != nil || rep["p50_s"] != nil || rep["timed_out_fraction"] != 1.0 {
		t.Errorf("p50 %v, p95 %v, timed_out_fraction %v; want null, null and 1", rep["p50_s"], rep["p95_s"], rep["timed_out_fraction"])
	}
	code, out, errOut = runCLI("model", "--profiles", prof, "--memory", "2048")
	if code != 0 || !strings.Contains(out, "P95 timed out") || !strings.Contains(out, "predicted timed-out runs: 100.0%") {
		t.Errorf("text: exit %d, %q (%s)", code, out, errOut)
	}
	// A task of 400 core-s finishes: numbers, and no timed_out_fraction.
	w.Functions[0].SerialWork = dag.Const(400)
	if p, err = policy.ProfileInSim(w, plat, wisefuse.ProfileOptions{Runs: 20, Sizes: []int{2048}}); err != nil {
		t.Fatal(err)
	}
	if err := wisefuse.WriteProfile(prof, p); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI("model", "--profiles", prof, "--memory", "2048", "--json")
	if code != 0 || strings.Contains(out, "timed_out_fraction") || strings.Contains(out, "null") {
		t.Errorf("a plan that finishes: exit %d, %s (%s)", code, out, errOut)
	}
}
