package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/stats"
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
	// The DAG table given for the invocation table said only that it lacked "step".
	dagsOf := filepath.Join(dir, "c-dags.parquet")
	if code, _, errOut := runCLI("profile", "--workflow", "chatbot", "--out", out, dagsOf); code != 1 || !strings.Contains(errOut, dagsOf+" is the DAG table beside "+recs+": give "+recs) {
		t.Errorf("a DAG table as records: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := runCLI("simulate", "--workflow", "video", "--policy", "sonic", "--runs", "2", "--out", fused); code != 0 {
		t.Fatalf("simulate sonic: %s", errOut)
	}
	if code, _, errOut := runCLI("profile", "--workflow", "video", "--out", out, fused); code != 1 || !strings.Contains(errOut, "the records are of a plan that fuses them") {
		t.Errorf("records of a fused plan: exit %d, stderr %q", code, errOut)
	}
}

// TestProfileRecordsOfNestedMaps: records of a Map nested in a Map profile from files, CSV and
// Parquet alike, as from the simulator's own records: the tables keep each invocation's outer
// items (they did not, and such records were refused: `outer items "": want the items of the 1
// Maps around map Inner`). A bad outer cell is refused, naming its column.
func TestProfileRecordsOfNestedMaps(t *testing.T) {
	dir := t.TempDir()
	wf := filepath.Join(dir, "mapmap.json")
	js := `{"name": "mapmap", "functions": [
  {"name": "A", "min_memory_mb": 256, "serial_work_s": 0.5, "parallel_work_s": 1, "threads": 1, "input_bytes": 5e6, "output_bytes": 5e6, "init_s": 0.3},
  {"name": "X", "min_memory_mb": 256, "serial_work_s": 0.4, "parallel_work_s": 1, "threads": 2, "input_bytes": 1e6, "output_bytes": 1e6, "init_s": 0.3},
  {"name": "Y", "min_memory_mb": 256, "serial_work_s": 0.3, "parallel_work_s": {"kind": "lognormal", "median": 1, "sigma": 0.3}, "threads": 2, "input_bytes": 1e6, "output_bytes": 1e6, "init_s": 0.3}],
 "steps": [{"name": "A", "task": "A"},
  {"name": "Outer", "map": {"items": 4, "iterator": [{"name": "X", "task": "X"},
    {"name": "Inner", "map": {"items": 3, "iterator": [{"name": "Y", "task": "Y"}]}}]}}]}`
	if err := os.WriteFile(wf, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	var profiles []string
	for _, ext := range []string{".parquet", ".csv"} {
		recs, prof := filepath.Join(dir, "r"+ext), filepath.Join(dir, "p"+ext+".json")
		if code, _, errOut := runCLI("simulate", "--workflow", wf, "--memory", "1024", "--runs", "20", "--out", recs); code != 0 {
			t.Fatalf("simulate: %s", errOut)
		}
		if code, _, errOut := runCLI("profile", "--workflow", wf, "--out", prof, recs); code != 0 {
			t.Fatalf("profile %s: exit %d, %s", recs, code, errOut)
		}
		b, err := os.ReadFile(prof)
		if err != nil {
			t.Fatal(err)
		}
		profiles = append(profiles, string(b))
	}
	if !strings.Contains(profiles[0], `"Y"`) {
		t.Errorf("the profile has no samples of the inner Map's step Y")
	}
	// The same records whatever the format, but for the provenance naming the file.
	strip := func(s string) string { return regexp.MustCompile(`r\.(csv|parquet)`).ReplaceAllString(s, "r") }
	if strip(profiles[0]) != strip(profiles[1]) {
		t.Errorf("the profiles of the Parquet and the CSV records differ")
	}
	bad := filepath.Join(dir, "bad.csv")
	b, err := os.ReadFile(filepath.Join(dir, "r.csv"))
	if err != nil {
		t.Fatal(err)
	}
	dags, err := os.ReadFile(filepath.Join(dir, "r-dags.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	line := 0
	for i, l := range lines {
		if strings.Contains(l, ",Y,") { // a row of the inner Map: its outer cell is last
			lines[i] = l[:strings.LastIndexByte(l, ',')] + ",0/x"
			line = i + 1
			break
		}
	}
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "r-dags.csv"), filepath.Join(dir, "bad-dags.csv")); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI("profile", "--workflow", wf, "--out", filepath.Join(dir, "q.json"), bad); code != 1 || !strings.Contains(errOut, fmt.Sprintf(`line %d, column "outer": "0/x", want`, line)) {
		t.Errorf("a bad outer cell: exit %d, stderr %q", code, errOut)
	}
	// Records that do not fit the workflow, each refused naming the line or the Map: an inner Map
	// of another width (4 items profiled as 9 predicted half the cost), outer items past the
	// outer Map's or not as the simulator writes them (00 was another item than 0), outer items on
	// a step in no nested Map.
	wider := filepath.Join(dir, "wider.json")
	if err := os.WriteFile(wider, []byte(strings.Replace(js, `"items": 3`, `"items": 5`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI("profile", "--workflow", wider, "--out", filepath.Join(dir, "q.json"), filepath.Join(dir, "r.parquet")); code != 1 ||
		!strings.Contains(errOut, `r.parquet: run 0: at 1024 MB: map "Inner" (outer items "0") has 3 items in the records, but the workflow's map has 5`) {
		t.Errorf("an inner Map of another width: exit %d, stderr %q", code, errOut)
	}
	for _, c := range []struct{ step, outer, want string }{
		{",Y,", "7", `outer items "7": "7" for map "Outer", want an item 0..3`},
		{",Y,", "01", `outer items "01": "01" for map "Outer", want an item 0..3 written as the simulator writes it`},
		{",A,", "1", `step "A": outer items "1", but the step is in no Map nested in another`},
	} {
		edited := slices.Clone(strings.Split(string(b), "\n"))
		row := slices.IndexFunc(edited, func(l string) bool { return strings.Contains(l, c.step) })
		edited[row] = edited[row][:strings.LastIndexByte(edited[row], ',')] + "," + c.outer
		path := filepath.Join(dir, "e.csv")
		if err := os.WriteFile(path, []byte(strings.Join(edited, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "e-dags.csv"), dags, 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, errOut := runCLI("profile", "--workflow", wf, "--out", filepath.Join(dir, "q.json"), path); code != 1 || !strings.Contains(errOut, fmt.Sprintf("e.csv: line %d: ", row+1)) || !strings.Contains(errOut, c.want) {
			t.Errorf("outer %q on %s: exit %d, stderr %q", c.outer, c.step, code, errOut)
		}
	}
	// A run of the second of two files that fails: named by that file and its own run number
	// (it was "run 30", a merged number in neither file).
	second := filepath.Join(dir, "s2.csv")
	if code, _, errOut := runCLI("simulate", "--workflow", wf, "--memory", "1024", "--runs", "5", "--seed", "2", "--out", second); code != 0 {
		t.Fatalf("simulate: %s", errOut)
	}
	b2, err := os.ReadFile(second)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(string(b2)), "\n")
	dup := slices.IndexFunc(rows, func(l string) bool { return strings.HasPrefix(l, "3,") && strings.Contains(l, ",Y,") })
	rows = slices.Insert(rows, dup, rows[dup]) // run 3's item twice
	if err := os.WriteFile(second, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "s2-dags.csv")); err != nil { // whose count would tell
		t.Fatal(err)
	}
	if code, _, errOut := runCLI("profile", "--workflow", wf, "--out", filepath.Join(dir, "q.json"), filepath.Join(dir, "r.parquet"), second); code != 1 || !strings.Contains(errOut, second+": run 3: at 1024 MB: ") {
		t.Errorf("a bad run of the second file: exit %d, stderr %q", code, errOut)
	}
	// A table written before the column existed: refused, saying it lacks the column.
	old := filepath.Join(dir, "old.csv")
	lines = strings.Split(strings.TrimSpace(string(b)), "\n")
	for i, l := range lines {
		lines[i] = l[:strings.LastIndexByte(l, ',')]
	}
	if err := os.WriteFile(old, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "bad-dags.csv"), filepath.Join(dir, "old-dags.csv")); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI("profile", "--workflow", wf, "--out", filepath.Join(dir, "q.json"), old); code != 1 || !strings.Contains(errOut, "a record table without the outer column") {
		t.Errorf("a table without the outer column: exit %d, stderr %q", code, errOut)
	}
}

// TestProfileColdShare: profile --simulate --cold-share profiles that share of runs cold and says
// so in the profile's source; a share outside [0, 1] is a usage error.
func TestProfileColdShare(t *testing.T) {
	dir := t.TempDir()
	warm, cold := filepath.Join(dir, "w.json"), filepath.Join(dir, "c.json")
	for _, c := range []struct {
		out   string
		share string
	}{{warm, "0"}, {cold, "0.5"}} {
		if code, _, errOut := runCLI("profile", "--workflow", "chatbot", "--simulate", "--runs", "20", "--sizes", "2048", "--cold-share", c.share, "--out", c.out, "--quiet"); code != 0 {
			t.Fatalf("--cold-share %s: exit %d: %s", c.share, code, errOut)
		}
	}
	pw, err := wisefuse.ReadProfile(warm)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := wisefuse.ReadProfile(cold)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pc.Source, "50% of runs cold") || strings.Contains(pw.Source, "cold") {
		t.Errorf("sources %q and %q: want the cold share named in the second only", pw.Source, pc.Source)
	}
	// Every other run is cold, and the cold ones are the slower: the E2E median rises.
	if !(stats.Percentile(slices.Sorted(slices.Values(pc.Sizes[0].E2E)), 50) > stats.Percentile(slices.Sorted(slices.Values(pw.Sizes[0].E2E)), 50)) {
		t.Errorf("median E2E %v (cold share 0.5) not above %v (warm)", pc.Sizes[0].E2E, pw.Sizes[0].E2E)
	}
	for _, s := range []string{"-0.1", "1.5", "NaN"} {
		if code, _, errOut := runCLI("profile", "--workflow", "chatbot", "--simulate", "--cold-share", s, "--out", filepath.Join(dir, "x.json")); code != 2 || !strings.Contains(errOut, "--cold-share") {
			t.Errorf("--cold-share %s: exit %d, stderr %q; want a usage error", s, code, errOut)
		}
	}
}

// TestPlanColdShare: plan --cold-share profiles that share of runs cold in the simulator and
// predicts what simulate --cold-share gives of the plan (fresh runs, another seed); simulate
// --policy wisefuse plans for the runs it simulates; --cold-share with --profiles, and --cold with
// --cold-share, are usage errors.
func TestPlanColdShare(t *testing.T) {
	dir := t.TempDir()
	type report struct {
		Plan *dag.Plan `json:"plan"`
		P95  float64   `json:"p95_s"`
	}
	warm := cliJSON[report](t, "plan", "--workflow", "chatbot", "--slo", "30s", "--json", "--quiet")
	cold := cliJSON[report](t, "plan", "--workflow", "chatbot", "--slo", "30s", "--cold-share", "0.5", "--json", "--quiet")
	planFile := filepath.Join(dir, "plan.json")
	b, err := json.Marshal(cold.Plan)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(planFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	sim := cliJSON[struct {
		P95 float64 `json:"p95_s"`
	}](t, "simulate", "--workflow", "chatbot", "--plan", planFile, "--runs", "1000", "--seed", "5", "--cold-share", "0.5", "--json")
	if rel := cold.P95/sim.P95 - 1; math.Abs(rel) > 0.08 {
		t.Errorf("planned at cold share 0.5: predicted P95 %.3f s, simulated %.3f s (%+.1f%%), want within 8%%", cold.P95, sim.P95, 100*rel)
	}
	if !(cold.P95 > warm.P95) {
		t.Errorf("predicted P95 %.3f s at cold share 0.5, %.3f s warm: want the cold starts in it", cold.P95, warm.P95)
	}
	// simulate --policy wisefuse plans for runs as cold as those it simulates: with --cold, the
	// plan for warm runs (1,024 MB) took 22.9 s at P95 against the 20 s asked for.
	coldRuns := cliJSON[struct {
		P95 float64 `json:"p95_s"`
	}](t, "simulate", "--workflow", "chatbot", "--policy", "wisefuse", "--slo", "20s", "--runs", "500", "--cold", "--json")
	if coldRuns.P95 > 20 {
		t.Errorf("simulate --policy wisefuse --slo 20s --cold: P95 %.3f s, over the SLO", coldRuns.P95)
	}
	for _, args := range [][]string{
		{"plan", "--workflow", "chatbot", "--slo", "30s", "--profiles", planFile, "--cold-share", "0.5"},
		{"simulate", "--workflow", "chatbot", "--memory", "2048", "--runs", "5", "--cold", "--cold-share", "0.5"},
		{"simulate", "--workflow", "chatbot", "--memory", "2048", "--runs", "5", "--cold-share", "2"},
	} {
		if code, _, errOut := runCLI(args...); code != 2 || !strings.Contains(errOut, "cold-share") {
			t.Errorf("%v: exit %d, stderr %q; want a usage error naming --cold-share", args, code, errOut)
		}
	}
}

// TestProfileRecordsThroughALink: records written through a symbolic link ('simulate --out
// LINK' writes the link's target and the DAG table beside the target) are profiled through the
// link with that DAG table: profile looked for it beside the link, found none, and profiled
// runs the DAG table says were rejected as if they had run (here it said the records were of a
// workflow of another width).
func TestProfileRecordsThroughALink(t *testing.T) {
	dir := t.TempDir()
	plat := filepath.Join(dir, "reject.json")
	if err := os.WriteFile(plat, []byte(`{"base": "aws-lambda", "concurrency_limit": 40, "at_concurrency_limit": "reject"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	target, link := filepath.Join(dir, "sub", "real.csv"), filepath.Join(dir, "link.csv")
	if err := os.Symlink(filepath.Join("sub", "real.csv"), link); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI("simulate", "--workflow", "chatbot", "--memory", "1024", "--platform", plat, "--seed", "7",
		"--arrivals", "poisson:0.5", "--duration", "200", "--out", link); code != 0 {
		t.Fatalf("simulate: exit %d: %s", code, errOut)
	}
	var profiles [2][]byte
	for k, recs := range []string{target, link} {
		out := filepath.Join(dir, fmt.Sprint("p", k, ".json"))
		if code, _, errOut := runCLI("profile", "--workflow", "chatbot", "--out", out, recs); code != 0 {
			t.Fatalf("profile %s: exit %d: %s", recs, code, errOut)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		profiles[k] = bytes.ReplaceAll(b, []byte(recs), nil) // the source names the file
	}
	if !bytes.Equal(profiles[0], profiles[1]) {
		t.Error("the profile through the link differs from the target's")
	}
	if !bytes.Contains(profiles[1], []byte(`"failed_runs"`)) {
		t.Error("the profile through the link counts no failed run")
	}
}
