package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagValidation: every command refuses a bad flag value at the edge, before any work, with
// the usage exit code and a message naming the flag, the value and what is expected.
func TestFlagValidation(t *testing.T) {
	// A case that is not refused runs and writes its outputs: here, not into the source tree.
	t.Chdir(t.TempDir())
	sim := []string{"simulate", "--workflow", "chatbot"}
	with := func(base []string, more ...string) []string { return append(append([]string{}, base...), more...) }
	for _, tc := range []struct {
		args []string
		want []string // in stderr
	}{
		// simulate
		{with(sim, "--memory", "0", "--runs", "1"), []string{"--memory 0", "from 128 to 10240"}}, // was "give --plan FILE, --memory MB or ..."
		{with(sim, "--memory", "20000", "--runs", "1"), []string{"--memory 20000", "at most 10240"}},
		{with(sim, "--memory", "1024", "--runs", "0"), []string{"--runs 0", "from 1 to 1000000000"}},
		{with(sim, "--memory", "1024", "--runs", "-3"), []string{"--runs -3", "from 1 to"}},
		{with(sim, "--memory", "1024", "--runs", "1000000001"), []string{"--runs 1000000001", "at most 1000000000", "most of a day"}},
		{with(sim, "--memory", "1024", "--arrivals", "poisson:1e11", "--duration", "10"), []string{"poisson:1e11", "<= 1e9"}},
		{with(sim, "--memory", "1024", "--arrivals", "poisson:NaN", "--duration", "10"), []string{"poisson:NaN", "finite"}},
		{with(sim, "--memory", "1024", "--arrivals", "poisson:1", "--duration", "NaN"), []string{"--duration NaN", "finite"}},
		{with(sim, "--memory", "1024", "--arrivals", "poisson:1", "--duration", "-1"), []string{"--duration -1", ">= 0"}},
		{with(sim, "--memory", "1024", "--arrivals", "poisson:1", "--duration", "1e12"), []string{"1e+12 DAG invocations expected, at most 3e+10"}},
		// One output written over another, silently (exit 0).
		{with(sim, "--memory", "1024", "--arrivals", "poisson:1", "--duration", "10", "--out", "s.parquet", "--series", "s.parquet"), []string{"--series s.parquet is --out s.parquet"}},
		{with(sim, "--memory", "1024", "--arrivals", "poisson:1", "--duration", "10", "--out", "s.parquet", "--series", "s-dags.parquet"), []string{"--series s-dags.parquet is the DAG table beside --out, s-dags.parquet"}},
		{with(sim, "--memory", "1024", "--runs", "2", "--out", "s.csv", "--plan-out", "s-dags.csv"), []string{"--plan-out s-dags.csv is the DAG table beside --out, s-dags.csv"}},
		// Was exit 1 from the engine, blaming "a work, latency or distribution parameter of the
		// workflow or platform".
		{with(sim, "--memory", "1024", "--arrivals", "poisson:1e-9", "--duration", "1e13"), []string{"--duration 1e+13", "at most 1e+12", "sim.MaxTime"}},
		{with(sim, "--policy", "wisefuse", "--slo", "30s", "--percentile", "NaN", "--runs", "5"), []string{"--percentile NaN", "finite"}},
		{with(sim, "--policy", "wisefuse", "--slo", "30s", "--percentile", "0", "--runs", "5"), []string{"--percentile 0", "> 0 and <= 100"}},
		{with(sim, "--policy", "wisefuse", "--slo", "30s", "--percentile", "101", "--runs", "5"), []string{"--percentile 101", "at most 100"}},
		{with(sim, "--policy", "user-max", "--slo", "30s", "--runs", "5"), []string{"--slo 30s: goes with --policy wisefuse", "user-max takes no latency target"}},
		{with(sim, "--policy", "sonic", "--percentile", "99", "--runs", "5"), []string{"--percentile 99: goes with --policy wisefuse"}},
		{with(sim, "--memory", "1024", "--slo", "30s", "--runs", "5"), []string{"--slo 30s: goes with --policy wisefuse"}},
		{with(sim, "--memory", "1024", "--runs", "5", "--out", ""), []string{`--out ""`, "want a value"}},
		{with(sim, "--memory", "1024", "--runs", "5", "--plan-out", ""), []string{`--plan-out ""`, "want a value"}},
		// plan
		{[]string{"plan", "--workflow", "chatbot", "--budget", "NaN"}, []string{"--budget NaN", "finite"}},
		{[]string{"plan", "--workflow", "chatbot", "--budget", "0"}, []string{"--budget 0", "> 0 USD"}},
		{[]string{"plan", "--workflow", "chatbot", "--slo", "0s"}, []string{"--slo 0s", "> 0"}},
		{[]string{"plan", "--workflow", "chatbot", "--slo", "30s", "--percentile", "NaN"}, []string{"--percentile NaN", "finite"}},
		{[]string{"plan", "--workflow", "chatbot", "--slo", "30s", "--percentile", "0"}, []string{"--percentile 0", "> 0 and <= 100"}},
		{[]string{"plan", "--workflow", "chatbot", "--slo", "30s", "--percentile", "+Inf"}, []string{"--percentile +Inf", "finite"}},
		{[]string{"plan", "--workflow", "chatbot", "--slo", "30s", "--out", ""}, []string{`--out ""`}},
		// The plan and the export written onto one file, silently.
		{[]string{"plan", "--workflow", "chatbot", "--slo", "30s", "--out", "p.asl.json", "--export-asl", "p.asl.json"}, []string{"--out p.asl.json is --export-asl p.asl.json"}},
		{[]string{"plan", "--workflow", "chatbot", "--slo", "30s", "--out", "p.deploy.json", "--export-asl", "p.asl.json"}, []string{"--out p.deploy.json is the deployment --export-asl writes, p.deploy.json"}},
		// profile
		{[]string{"profile", "--out", "p.json", "--workflow", "chatbot", "--simulate", "--runs", "0"}, []string{"--runs 0", "from 1 to 100000"}},
		{[]string{"profile", "--out", "p.json", "--workflow", "chatbot", "--simulate", "--runs", "1000000000"}, []string{"--runs 1000000000", "at most 100000"}},
		{[]string{"profile", "--out", "p.json", "--workflow", "chatbot", "--simulate", "--sizes", "1024,x"}, []string{"--sizes 1024,x", `"x"`}},
		// --sizes 64 profiled at 128 MB, 100000 at 10240 MB, 1024,1024 once: silently.
		{[]string{"profile", "--out", "p.json", "--workflow", "chatbot", "--simulate", "--sizes", "64"}, []string{"--sizes 64", `"64"`, "from 128 to 10240"}},
		{[]string{"profile", "--out", "p.json", "--workflow", "chatbot", "--simulate", "--sizes", "1024,100000"}, []string{`"100000"`, "from 128 to 10240"}},
		{[]string{"profile", "--out", "p.json", "--workflow", "chatbot", "--simulate", "--sizes", "1024,1024"}, []string{"1024 MB is listed twice"}},
		// video's functions need up to 1000 MB: 512 was profiled at 1000 MB, silently.
		{[]string{"profile", "--out", "p.json", "--workflow", "video", "--simulate", "--sizes", "512,2048"}, []string{"512 MB is below function", "min_memory_mb 1000"}},
		{[]string{"profile", "--out", "p.json", "--workflow", "chatbot", "--runs", "10", "r.csv"}, []string{"--runs 10: goes with --simulate"}},
		{[]string{"profile", "--out", "", "--workflow", "chatbot", "--simulate"}, []string{`--out ""`}},
		// --export-asl /dev/null wrote /dev/null.functions.json and /dev/null.deploy.json.
		{[]string{"plan", "--workflow", "video", "--slo", "40s", "--export-asl", os.DevNull}, []string{"--export-asl " + os.DevNull + " is not a regular file", "three files"}},
		// model
		{[]string{"model", "--profiles", "", "--memory", "1024"}, []string{`--profiles ""`}},
		// validate, workflows
		{[]string{"validate", "--workflow", ""}, []string{`--workflow ""`}},
		{[]string{"workflows", "import", "--asl", "a.json", "--functions", "f.json", "--out", ""}, []string{`--out ""`}},
		// trace
		{[]string{"trace", "gen", "--out", "t.parquet", "--workers", "0"}, []string{"--workers 0", "from 1 to 4096"}},
		{[]string{"trace", "gen", "--out", "t.parquet", "--days", "NaN"}, []string{"--days NaN", "finite"}},
		{[]string{"trace", "gen", "--out", "t.parquet", "--days", "0"}, []string{"--days 0", "> 0"}},
		{[]string{"trace", "gen", "--out", "t.parquet", "--days", "1e300"}, []string{"--days 1e+300", "at most 1e+07", "sim.MaxTime"}},
		{[]string{"trace", "gen", "--out", "t.parquet", "--dags", "0"}, []string{"--dags 0", ">= 1"}},
		{[]string{"trace", "gen", "--out", "t.parquet", "--invocations", "-1"}, []string{"--invocations -1", "from 1 to 10000000000"}},
		{[]string{"trace", "gen", "--out", ""}, []string{`--out ""`}},
		{[]string{"trace", "import", "--format", "azure2021", "--in", "x.csv", "--out", ""}, []string{`--out ""`}},
		// Were ignored silently.
		{[]string{"trace", "import", "--format", "azure2019", "--in", "x.csv", "--invocations", "i.csv", "--durations", "d.csv", "--out", "t.csv"}, []string{"--in x.csv: goes with --format azure2021 only"}},
		{[]string{"trace", "import", "--format", "azure2021", "--in", "x.csv", "--durations", "d.csv", "--out", "t.csv"}, []string{"--durations d.csv: goes with --format azure2019 only"}},
		// Replaced the input by the catalog.
		{[]string{"trace", "import", "--format", "azure2021", "--in", "x-catalog.csv", "--out", "x.csv"}, []string{"--out x.csv writes its catalog to x-catalog.csv, which is the input --in"}},
		// The last table renamed onto the path won: the trace, or its catalog, was the function
		// table, with exit 0.
		{[]string{"trace", "gen", "--out", "t.parquet", "--function-table", "./t.parquet"}, []string{"--function-table ./t.parquet is --out t.parquet: give each output a file of its own"}},
		{[]string{"trace", "gen", "--out", "t.parquet", "--function-table", "t-catalog.parquet"}, []string{"--function-table t-catalog.parquet is the catalog beside --out, t-catalog.parquet"}},
		{[]string{"trace", "characterize", "--in", "", "--out", "d"}, []string{`--in ""`}},
		{[]string{"trace", "replay", "--in", "t.parquet", "--out", "d", "--policy", "user-max", "--slo", "30s"}, []string{"--slo 30s: goes with --policy wisefuse"}},
		{[]string{"trace", "replay", "--in", "t.parquet", "--out", "d", "--policy", "sonic", "--cold-aware"}, []string{"--cold-aware true: goes with --policy wisefuse"}},
		{[]string{"trace", "replay", "--in", "t.parquet", "--out", "d", "--slo-factor", "NaN"}, []string{"--slo-factor NaN", "finite"}},
		// Was taken as not given: each DAG's target --slo-factor times its User-Max P95.
		{[]string{"trace", "replay", "--in", "t.parquet", "--out", "d", "--policy", "wisefuse", "--slo", "0s"}, []string{"--slo 0s", "want a positive latency target", "--slo-factor"}},
		{[]string{"trace", "replay", "--in", "t.parquet", "--out", "d", "--from", "Inf"}, []string{"--from +Inf", "finite"}},
		{[]string{"trace", "replay", "--in", "t.parquet", "--out", "d", "--from", "10", "--to", "5"}, []string{"--from 10 --to 5: the window is empty"}},
		// Was exit 1 from the replay, "replay: window [-1, 0) s", naming no flag.
		{[]string{"trace", "replay", "--in", "t.parquet", "--out", "d", "--from", "-1"}, []string{"--from -1", "want >= 0"}},
		{[]string{"trace", "replay", "--in", "t.parquet", "--out", "d", "--to", "1e13"}, []string{"--to 1e+13", "at most 1e+12", "sim.MaxTime"}},
		{[]string{"trace", "replay", "--in", "t.parquet", "--out", "d", "--workers", "100000"}, []string{"--workers 100000", "at most 4096"}},
		{[]string{"trace", "merge", "--out", "", "a"}, []string{`--out ""`}},
		// A value that does not parse as the flag's type: was the flag package's `invalid value
		// "-1" for flag -seed: parse error`, which says nothing of what the flag takes.
		{[]string{"trace", "replay", "--in", "t.parquet", "--out", "d", "--seed", "-1"}, []string{`--seed "-1": want a whole number from 0 to 18446744073709551615`}},
		{with(sim, "--memory", "1024", "--runs", "1e3"), []string{`--runs "1e3": want an integer (without a fraction or an exponent)`}},
		{[]string{"trace", "gen", "--out", "t.parquet", "--days", "one"}, []string{`--days "one": want a number`}},
		{[]string{"plan", "--workflow", "chatbot", "--slo", "30"}, []string{"--slo 30: a duration needs a unit: --slo 30s"}},
		// experiments, calibrate
		{[]string{"experiments", "--only", ""}, []string{`--only ""`}},
		{[]string{"experiments", "--only", ","}, []string{`--only ","`, "names no experiment"}},
		{[]string{"experiments", "--out", ""}, []string{`--out ""`}},
		{[]string{"experiments", "--workers", "0"}, []string{"--workers 0", "from 1 to 4096"}},
		{[]string{"calibrate", "--data", ""}, []string{`--data ""`}},
	} {
		code, _, errOut := runCLI(tc.args...)
		if code != exitUsage {
			t.Errorf("%q: exit %d, want %d (usage); stderr %s", tc.args, code, exitUsage, errOut)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%q: stderr lacks %q:\n%s", tc.args, w, errOut)
			}
		}
	}
}

// TestOutputIsAnInput: an output flag that names an input of the same command (a flag's value or
// an argument, however spelled) is a usage error and the input is left as it was; `profile
// --out runs.parquet runs.parquet` used to replace the records with the profile.
func TestOutputIsAnInput(t *testing.T) {
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs.parquet")
	if code, _, errOut := runCLI("simulate", "--workflow", "video", "--memory", "2048", "--runs", "2", "--out", runs); code != 0 {
		t.Fatalf("simulate: exit %d: %s", code, errOut)
	}
	before, err := os.ReadFile(runs)
	if err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(dir, "p.json")
	if err := os.WriteFile(plan, []byte(`{"default_memory_mb": 1024}`), 0o644); err != nil {
		t.Fatal(err)
	}
	arrivals, arrDags := filepath.Join(dir, "arr.csv"), filepath.Join(dir, "q-dags.csv")
	for _, p := range []string{arrivals, arrDags} {
		if err := os.WriteFile(p, []byte("0\n1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"profile", "--out", runs, "--workflow", "video", runs},
		{"profile", "--out", filepath.Join(dir, ".", "runs.parquet"), "--workflow", "video", runs},
		// Files written beside an output, and outputs of flags not named -out (session 15): each
		// replaced its input, exit 0.
		{"profile", "--out", filepath.Join(dir, "runs-dags.parquet"), "--workflow", "video", runs},
		{"simulate", "--workflow", "chatbot", "--memory", "2048", "--arrivals", arrDags, "--out", filepath.Join(dir, "q.csv")},
		{"simulate", "--workflow", "chatbot", "--memory", "2048", "--arrivals", arrivals, "--series", arrivals},
		{"simulate", "--workflow", "video", "--plan", plan, "--runs", "1", "--plan-out", plan},
		{"trace", "merge", "--out", dir, dir},
	} {
		code, _, errOut := runCLI(args...)
		if code != exitUsage || !strings.Contains(errOut, "writing it would replace the input") {
			t.Errorf("%v: exit %d, %q; want a usage error", args, code, errOut)
		}
	}
	if after, err := os.ReadFile(runs); err != nil || string(after) != string(before) {
		t.Errorf("the input changed (err %v)", err)
	}
	for _, p := range []string{arrivals, arrDags} {
		if b, err := os.ReadFile(p); err != nil || string(b) != "0\n1\n" {
			t.Errorf("%s changed (err %v)", p, err)
		}
	}
	// Two outputs that are one file, one of them written beside another: the last one won.
	for _, args := range [][]string{
		{"simulate", "--workflow", "chatbot", "--memory", "2048", "--arrivals", "poisson:0.5", "--duration", "60", "--series", filepath.Join(dir, "x.csv"), "--plan-out", filepath.Join(dir, "x.png")},
		{"simulate", "--workflow", "chatbot", "--memory", "2048", "--runs", "2", "--out", filepath.Join(dir, "a.csv"), "--plan-out", filepath.Join(dir, "a.csv.meta.json")},
	} {
		if code, _, errOut := runCLI(args...); code != exitUsage || !strings.Contains(errOut, "give each output a file of its own") {
			t.Errorf("%v: exit %d, %q; want a usage error", args, code, errOut)
		}
	}
	// plan --export-asl writes two files beside its own: each was written over the --asl and
	// --functions inputs of the same name, silently.
	asl, side := filepath.Join(dir, "o.asl.json"), filepath.Join(dir, "o.functions.json")
	copyFile(t, filepath.Join(examples, "orders.asl.json"), asl)
	copyFile(t, filepath.Join(examples, "orders.functions.json"), side)
	for _, c := range []struct {
		export, want string
	}{
		{asl, "--export-asl " + asl + " is also the input --asl " + asl},
		{filepath.Join(dir, "o.json"), "--export-asl " + filepath.Join(dir, "o.json") + " writes " + side + ", which is also the input --functions " + side},
	} {
		code, _, errOut := runCLI("plan", "--asl", asl, "--functions", side, "--slo", "30s", "--quiet", "--export-asl", c.export)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("--export-asl %s: exit %d, %q; want a usage error containing %q", c.export, code, errOut, c.want)
		}
	}
	for _, c := range [][2]string{{filepath.Join(examples, "orders.asl.json"), asl}, {filepath.Join(examples, "orders.functions.json"), side}} {
		a, _ := os.ReadFile(c[0])
		if b, err := os.ReadFile(c[1]); err != nil || string(a) != string(b) {
			t.Errorf("%s changed (err %v)", c[1], err)
		}
	}
	// An output that is not an input still goes.
	if code, _, errOut := runCLI("profile", "--out", filepath.Join(dir, "p.profile.json"), "--workflow", "video", runs); code != 0 {
		t.Errorf("profile to a new file: exit %d: %s", code, errOut)
	}
}

// TestCalibrateReportIsAFolder: `calibrate --report DIR` is a usage error before any work (it once
// failed at the end, after simulating every app at every size): the data folder given here is
// empty, so an error about the data would mean the report was not checked first.
func TestCalibrateReportIsAFolder(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCLI("calibrate", "--data", t.TempDir(), "--report", dir)
	if code != exitUsage || !strings.HasPrefix(errOut, "wisefuse calibrate: --report: "+dir+" is a folder, want a file name to write\n") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	// --figures FILE failed only after the work; --data of no folder was named as its first log
	// missing, with a hint about the artifact's archive.
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI("calibrate", "--data", t.TempDir(), "--report", filepath.Join(dir, "r.md"), "--figures", file)
	if code != exitUsage || !strings.Contains(errOut, "--figures "+file+": "+file+" is a file, want a folder") {
		t.Errorf("--figures FILE: exit %d, stderr %q", code, errOut)
	}
	sub := filepath.Join(file, "sub")
	code, _, errOut = runCLI("calibrate", "--data", t.TempDir(), "--report", filepath.Join(dir, "r.md"), "--figures", sub)
	if code != exitUsage || !strings.Contains(errOut, "--figures "+sub+": "+file+" is a file, want a folder") {
		t.Errorf("--figures FILE/sub: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCLI("calibrate", "--data", filepath.Join(dir, "nope"))
	if code != exitUsage || !strings.Contains(errOut, "--data "+filepath.Join(dir, "nope")+": not a folder; want the shared data folder") {
		t.Errorf("--data of no folder: exit %d, stderr %q", code, errOut)
	}
}

// TestFlagAfterArgument: a flag after the first argument is a usage error that says so; it was
// taken as a file name ("stat --quiet: no such file") or dropped ("--out FILE is required").
func TestFlagAfterArgument(t *testing.T) {
	for _, args := range [][]string{
		{"profile", "--workflow", "chatbot", "--out", "p.json", "runs.parquet", "--quiet"},
		{"profile", "--workflow", "chatbot", "runs.parquet", "--out", "p.json"},
	} {
		code, _, errOut := runCLI(args...)
		if code != exitUsage || !strings.Contains(errOut, "after the argument runs.parquet: flags go before the arguments") {
			t.Errorf("%v: exit %d, %q; want a usage error naming the flag", args, code, errOut)
		}
	}
}

// TestOutputUnderAFile: every command that writes a file or a folder names the file standing in
// its path, before its work: each said only "mkdir F: not a directory", and `trace replay` said
// it after planning every DAG.
func TestOutputUnderAFile(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "t.parquet")
	if code, _, errOut := runCLI("trace", "gen", "--dags", "12", "--invocations", "600", "--runs-per-dag", "4", "--quiet", "--out", trace); code != 0 {
		t.Fatalf("trace gen: exit %d: %s", code, errOut)
	}
	replayed := filepath.Join(dir, "r")
	if code, _, errOut := runCLI("trace", "replay", "--in", trace, "--out", replayed); code != 0 {
		t.Fatalf("trace replay: exit %d: %s", code, errOut)
	}
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(file, "sub")
	for _, args := range [][]string{
		{"experiments", "--quick", "--only", "motivation-fusion", "--out", sub},
		{"trace", "gen", "--dags", "12", "--invocations", "600", "--quiet", "--out", filepath.Join(sub, "t.parquet")},
		{"trace", "characterize", "--in", trace, "--out", sub},
		{"trace", "replay", "--in", trace, "--policy", "wisefuse", "--out", sub},
		{"trace", "merge", "--out", sub, replayed},
		{"simulate", "--workflow", "chatbot", "--memory", "1024", "--runs", "2", "--out", filepath.Join(sub, "runs.csv")},
		{"profile", "--workflow", "chatbot", "--simulate", "--runs", "2", "--out", filepath.Join(sub, "p.json")},
	} {
		code, _, errOut := runCLI(args...)
		if code == 0 || !strings.Contains(errOut, file+" is a file, want a folder") {
			t.Errorf("%s: exit %d, stderr %q", strings.Join(args[:2], " "), code, errOut)
		}
	}
}
