package main

import (
	"encoding/json"
	"os"
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
	rep := cliJSON[map[string]any](t, "model", "--profiles", prof, "--memory", "2048", "--json")
	if rep["p95_s"] != nil || rep["p50_s"] != nil || rep["timed_out_fraction"] != 1.0 {
		t.Errorf("p50 %v, p95 %v, timed_out_fraction %v; want null, null and 1", rep["p50_s"], rep["p95_s"], rep["timed_out_fraction"])
	}
	code, out, errOut := runCLI("model", "--profiles", prof, "--memory", "2048")
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

// TestProfileLostSizes: `profile --simulate` lists a size none of whose runs finished in its
// place among the sizes, with the steps the timeout stopped its runs in (the planner sizes
// those steps above it), and the profile file keeps it.
func TestProfileLostSizes(t *testing.T) {
	w := &dag.Workflow{Name: "slow-when-small",
		Functions: []dag.Function{{Name: "f", MinMemoryMB: 128, SerialWork: dag.Const(10), ParallelWork: dag.Const(3000), Threads: 6}},
		Steps:     []dag.Step{{Name: "F", Task: "f"}},
	}
	dir := t.TempDir()
	wf := filepath.Join(dir, "w.json")
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wf, b, 0o644); err != nil {
		t.Fatal(err)
	}
	prof := filepath.Join(dir, "p.json")
	code, out, errOut := runCLI("profile", "--workflow", wf, "--simulate", "--runs", "5", "--sizes", "2048,10240", "--out", prof)
	// 3,000 core-s: 2,600 s at 2,048 MB, 520 s at 10,240 MB.
	want := "  2048 MB: no run finished (the function timeout stopped runs in F)\n 10240 MB: 5 runs\n"
	if code != 0 || !strings.HasPrefix(out, want) {
		t.Fatalf("exit %d, %q (%s): want it to start with %q", code, out, errOut, want)
	}
	p, err := wisefuse.ReadProfile(prof)
	if err != nil || len(p.Lost) != 1 || p.Lost[0].MemoryMB != 2048 {
		t.Errorf("read back: %v, lost sizes %+v", err, p.Lost)
	}
}
