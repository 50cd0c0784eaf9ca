package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// TestProfileRecordsFailedRuns: runs that failed are still failed once their records went
// through a table ('simulate --out', then 'profile' of the file), in CSV and in Parquet. The
// record tables had no timed_out and rejected columns: a timed-out run read back as finished
// and its truncated times were profiled, a rejected run as a short one.
//
//   - Timeout: chatbot at 1,024 MB on aws-lambda with function_timeout_s 10 times out in some of
//     its 20 runs (9 with seed 7). The profile of the file is the one wisefuse.FromRecords
//     builds from the simulator's records in memory (bytes rounded as the table stores them),
//     failed runs left out and counted.
//   - Reject: Poisson arrivals at 0.5/s for 200 s against a concurrency limit of 40 with
//     at_concurrency_limit "reject": 92 of the 104 DAG invocations are rejected (14 before their
//     first function invocation). The profile counts as failed exactly the runs the simulate
//     summary counts rejected, and profiles the others.
func TestProfileRecordsFailedRuns(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, platform string
		how            []string
	}{
		{"timeout", `{"base": "aws-lambda", "function_timeout_s": 10}`, []string{"--runs", "20"}},
		{"reject", `{"base": "aws-lambda", "concurrency_limit": 40, "at_concurrency_limit": "reject"}`, []string{"--arrivals", "poisson:0.5", "--duration", "200"}},
	} {
		plat := filepath.Join(dir, c.name+".platform.json")
		if err := os.WriteFile(plat, []byte(c.platform), 0o644); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"simulate", "--workflow", "chatbot", "--memory", "1024", "--platform", plat, "--seed", "7"}, c.how...)
		code, out, errOut := runCLI(append(args, "--json")...)
		if code != 0 {
			t.Fatalf("%s: simulate: exit %d: %s", c.name, code, errOut)
		}
		var sum struct {
			Runs     int `json:"runs"`
			TimedOut int `json:"timed_out"`
			Rejected int `json:"rejected"`
		}
		if err := json.Unmarshal([]byte(out), &sum); err != nil {
			t.Fatalf("%s: %v: %s", c.name, err, out)
		}
		failed := sum.TimedOut + sum.Rejected
		if failed == 0 || failed == sum.Runs {
			t.Fatalf("%s: %s: want some runs failed and some not", c.name, out)
		}
		var want *wisefuse.Profile
		if c.name == "timeout" {
			want = profileInMemory(t, plat, 20, 7)
			if want.FailedRuns != failed {
				t.Fatalf("%s: in memory, %d failed runs; the summary counts %d", c.name, want.FailedRuns, failed)
			}
		}
		for _, ext := range []string{".csv", ".parquet"} {
			recs := filepath.Join(dir, c.name+ext)
			if code, _, errOut := runCLI(append(args, "--out", recs)...); code != 0 {
				t.Fatalf("%s: simulate --out: exit %d: %s", recs, code, errOut)
			}
			prof := filepath.Join(dir, c.name+ext+".profile.json")
			if code, _, errOut := runCLI("profile", "--workflow", "chatbot", "--out", prof, recs); code != 0 {
				t.Fatalf("%s: profile: exit %d: %s", recs, code, errOut)
			}
			got, err := wisefuse.ReadProfile(prof)
			if err != nil {
				t.Fatal(err)
			}
			if got.FailedRuns != failed || len(got.Sizes) != 1 || got.Sizes[0].Runs != sum.Runs-failed {
				runs := -1
				if len(got.Sizes) == 1 {
					runs = got.Sizes[0].Runs
				}
				t.Errorf("%s: profile of %d runs counts %d failed and profiles %d; want %d failed (%d timed out, %d rejected) and %d profiled",
					recs, sum.Runs, got.FailedRuns, runs, failed, sum.TimedOut, sum.Rejected, sum.Runs-failed)
			}
			if want != nil {
				a, err := json.Marshal(got)
				if err != nil {
					t.Fatal(err)
				}
				if b, _ := json.Marshal(want); string(a) != string(b) {
					t.Errorf("%s: the profile of the table differs from the profile of the records in memory", recs)
				}
			}
		}
	}
}

// profileInMemory is the profile of 'simulate --workflow chatbot --memory 1024 --platform plat
// --runs runs --seed seed' built from the simulator's records in memory, their byte counts
// rounded to whole bytes as a record table stores them.
func profileInMemory(t *testing.T, plat string, runs int, seed uint64) *wisefuse.Profile {
	t.Helper()
	w, _ := apps.Lookup("chatbot")
	p, err := platform.Load(plat)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run(w, dag.DeployedPlan(w, 1024), runs, sim.Options{Platform: p, Seed: seed, KeepInvocations: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Invocations {
		in := &res.Invocations[i]
		in.InBytes, in.OutBytes = math.Round(in.InBytes), math.Round(in.OutBytes)
	}
	prof, err := wisefuse.FromRecords(w, res.Invocations, res.DAGs)
	if err != nil {
		t.Fatal(err)
	}
	// As 'profile' names a profile of records.
	prof.Workflow.Name = w.Name
	return prof
}

// TestProfileRecordsOfOtherPlans: records of a Map of another width than the workflow's, of a
// plan that fuses functions, and one simulation given twice are refused: they were profiled, and
// predicted 3.8 times the cost (22 items profiled as 5), 10% below the latency (Sonic's fused
// Extract and Classify), or counted each run twice.
func TestProfileRecordsOfOtherPlans(t *testing.T) {
	dir := t.TempDir()
	recs, fused, cb5, out := filepath.Join(dir, "c.parquet"), filepath.Join(dir, "s.parquet"), filepath.Join(dir, "cb5.json"), filepath.Join(dir, "p.json")
	if code, _, errOut := runCLI("simulate", "--workflow", "chatbot", "--memory", "1024", "--runs", "3", "--out", recs); code != 0 {
		t.Fatalf("simulate: %s", errOut)
	}
	code, js, _ := runCLI("workflows", "show", "chatbot")
	if code != 0 || !strings.Contains(js, `"items": 22`) {
		t.Fatalf("workflows show chatbot: exit %d, no 22 items", code)
	}
	if err := os.WriteFile(cb5, []byte(strings.Replace(js, `"items": 22`, `"items": 5`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI("profile", "--workflow", cb5, "--out", out, recs); code != 1 || !strings.Contains(errOut, `want 0..4 (the items of its Map, or 0 outside one)`) {
		t.Errorf("records of 22 items as 5: exit %d, stderr %q", code, errOut)
	}
	cb50 := filepath.Join(dir, "cb50.json")
	if err := os.WriteFile(cb50, []byte(strings.Replace(js, `"items": 22`, `"items": 50`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI("profile", "--workflow", cb50, "--out", out, recs); code != 1 || !strings.Contains(errOut, `step "TrainIntentClassifier" has 22 invocations, but the workflow's map has 50 items`) {
		t.Errorf("records of 22 items as 50: exit %d, stderr %q", code, errOut)
	}
	// The same simulation twice, as Parquet and as CSV: its runs were profiled twice ("6 runs").
	again := filepath.Join(dir, "c.csv")
	if code, _, errOut := runCLI("simulate", "--workflow", "chatbot", "--memory", "1024", "--runs", "3", "--out", again); code != 0 {
		t.Fatalf("simulate: %s", errOut)
	}
	if code, _, errOut := runCLI("profile", "--workflow", "chatbot", "--out", out, recs, again); code != exitUsage || !strings.Contains(errOut, "come from one simulation (seed 1") {
		t.Errorf("one simulation twice: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := runCLI("simulate", "--workflow", "video", "--policy", "sonic", "--runs", "2", "--out", fused); code != 0 {
		t.Fatalf("simulate sonic: %s", errOut)
	}
	if code, _, errOut := runCLI("profile", "--workflow", "video", "--out", out, fused); code != 1 || !strings.Contains(errOut, "the records are of a plan that fuses them") {
		t.Errorf("records of a fused plan: exit %d, stderr %q", code, errOut)
	}
}
