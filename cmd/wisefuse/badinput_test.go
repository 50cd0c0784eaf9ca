package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/orion"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// editCSV rewrites field col (0-based) of line (1-based; line 1 is the header) of the CSV file
// at path to v, and writes the result to a new file beside it named name.
func editCSV(t *testing.T, path, name string, line, col int, v string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	fields := strings.Split(lines[line-1], ",")
	fields[col] = v
	lines[line-1] = strings.Join(fields, ",")
	out := filepath.Join(filepath.Dir(path), name)
	if err := os.WriteFile(out, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// copyFile copies src to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBadRecords: records given to 'profile --workflow W RECORDS' that no simulation of W wrote
// are refused with the file, line and column, and no profile is written. Before, a NaN start
// failed as "json: unsupported value: NaN" naming no file; a negative start, an end before the
// start, a function other than the step's and a negative latency in the DAG table were profiled;
// an unknown step or a mixed run named an invocation index and no file; an end of 1e308
// wrote a profile that 'model' then refused (gap_s = -1e+308); and a DAG record's latency or end
// at odds with its invocations was profiled.
func TestBadRecords(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	if code, _, errOut := runCLI("simulate", "--workflow", "ml", "--memory", "2048", "--runs", "2", "--out", good); code != 0 {
		t.Fatalf("simulate: exit %d: %s", code, errOut)
	}
	goodDAGs := filepath.Join(dir, "good-dags.csv")
	// Columns of the invocation table: run 0, step 1, function 2, memory_mb 6, start_s 8, end_s 15.
	// Line 3 is ParamTune's first invocation of run 0, which starts after PCA ends.
	for _, c := range []struct {
		name      string
		line, col int
		value     string
		dags      bool // edit the DAG table instead
		want      string
	}{
		{"nan-start", 3, 8, "NaN", false, `nan-start.csv: line 3, column "start_s": NaN, want a finite number >= 0`},
		{"negative-start", 3, 8, "-1", false, `negative-start.csv: line 3, column "start_s": -1, want a finite number >= 0`},
		{"end-before-start", 3, 15, "1", false, `end-before-start.csv: line 3, column "end_s": 1, before start_s`},
		{"other-function", 3, 2, "PCA", false, `other-function.csv: line 3: function "PCA", but step "ParamTune" of workflow "ml" runs function "ParamTune"`},
		{"unknown-step", 3, 1, "Nope", false, `unknown-step.csv: line 3: step "Nope" is not in workflow "ml"`},
		{"map-step", 3, 1, "ParamTuneMap", false, `map-step.csv: line 3: step "ParamTuneMap" is a map step of workflow "ml"`},
		// A function at two sizes in one run: its next record, line 4, is where it shows.
		{"mixed-run", 3, 6, "1024", false, `mixed-run.csv: line 4: run 0 runs function "ParamTune" at 1024 and 2048 MB`},
		// Past the run's end in its DAG record (it was refused later, as records that contradict
		// each other).
		{"huge-end", 3, 15, "1e308", false, `huge-end-dags.csv: run 0: the DAG table has it from 0 s to`},
		{"dag-latency", 2, 3, "-3", true, `dag-latency-dags.csv: line 2, column "latency_s": -3, want a finite number >= 0`},
		// A DAG record's latency other than its end less its arrival (1e300 was profiled without
		// a word); its end before its invocations' is the huge-end case's.
		{"dag-latency-huge", 2, 3, "1e300", true, `dag-latency-huge-dags.csv: line 2, column "latency_s": 1e+300, but end_s - arrival_s is`},
		{"dag-end-early", 2, 2, "1", true, `but end_s - arrival_s is 1; want the two equal`},
	} {
		t.Run(c.name, func(t *testing.T) {
			recs := filepath.Join(dir, c.name+".csv")
			dags := filepath.Join(dir, c.name+"-dags.csv")
			if c.dags {
				copyFile(t, good, recs)
				editCSV(t, goodDAGs, c.name+"-dags.csv", c.line, c.col, c.value)
			} else {
				editCSV(t, good, c.name+".csv", c.line, c.col, c.value)
				copyFile(t, goodDAGs, dags)
			}
			out := filepath.Join(dir, c.name+".json")
			code, stdout, stderr := runCLI("profile", "--workflow", "ml", "--out", out, recs)
			if code != exitFailure || stdout != "" || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stdout %q, stderr %q: want exit 1, nothing printed, and %q", code, stdout, stderr, c.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("wrote %s", out)
			}
		})
	}
	// The unedited records still make a profile.
	if code, _, errOut := runCLI("profile", "--workflow", "ml", "--out", filepath.Join(dir, "good.json"), good); code != 0 {
		t.Errorf("profile of the unedited records: exit %d: %s", code, errOut)
	}
	// A file of a header line alone said "no invocations to profile", naming no file; one file
	// given twice (however spelled) was profiled twice, every run counted double.
	header := filepath.Join(dir, "header.csv")
	if b, err := os.ReadFile(good); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(header, b[:bytes.IndexByte(b, '\n')+1], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		files []string
		code  int
		want  string
	}{
		{[]string{good, header}, exitFailure, header + ": no function invocation (a header line alone)"},
		{[]string{good, dir + "/./good.csv"}, exitUsage, "record file " + dir + "/./good.csv" + " is given twice (arguments 1 and 2: " + good + ")"},
	} {
		out := filepath.Join(dir, "p.json")
		code, _, stderr := runCLI(append([]string{"profile", "--workflow", "ml", "--out", out}, c.files...)...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("profile %v: exit %d, stderr %q: want exit %d and %q", c.files, code, stderr, c.code, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("profile %v: wrote %s", c.files, out)
		}
	}
}

// TestOrionLimitsAreDags: package orion, which imports only the standard library, repeats the
// memory range of package dag for the log folders it reads.
func TestOrionLimitsAreDags(t *testing.T) {
	if orion.MinMemoryMB != dag.MinMemoryMB || orion.MaxMemoryMB != dag.MaxMemoryMB || orion.MaxMillis != 1000*dag.MaxWork {
		t.Errorf("orion's limits %d..%d MB, %g ms differ from dag's %d..%d MB, %g s", orion.MinMemoryMB, orion.MaxMemoryMB, orion.MaxMillis,
			dag.MinMemoryMB, dag.MaxMemoryMB, dag.MaxWork)
	}
}

// TestProfileLimitIsTheClock: package wisefuse, which may not import the simulator, bounds a
// profile's times by the simulator's clock limit, so every profile of simulated runs reads back.
func TestProfileLimitIsTheClock(t *testing.T) {
	if wisefuse.MaxProfileSeconds != sim.MaxTime {
		t.Errorf("wisefuse.MaxProfileSeconds %g, sim.MaxTime %g", wisefuse.MaxProfileSeconds, float64(sim.MaxTime))
	}
}

// TestWiseFuseTasklessWorkflow: a workflow of pass steps only is valid and every baseline runs
// it, but WiseFuse has nothing to profile: 'plan' and 'simulate --policy wisefuse' failed with
// "no invocations to profile", naming neither the workflow nor why; now the shape is an
// *UnsupportedError saying so, before any profiling.
func TestWiseFuseTasklessWorkflow(t *testing.T) {
	wf := filepath.Join(t.TempDir(), "passes.json")
	if err := os.WriteFile(wf, []byte(`{"name": "passes", "functions": [], "steps": [{"name": "P", "pass": true}, {"name": "Q", "pass": true}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI("simulate", "--workflow", wf, "--policy", "sonic", "--runs", "3"); code != 0 {
		t.Fatalf("simulate --policy sonic: exit %d: %s", code, errOut)
	}
	want := `workflow "passes" has no task step, so there is no function to profile`
	for _, args := range [][]string{
		{"plan", "--workflow", wf, "--slo", "30s", "--quiet"},
		{"simulate", "--workflow", wf, "--policy", "wisefuse", "--slo", "30s", "--runs", "3"},
	} {
		code, stdout, stderr := runCLI(args...)
		if code != exitFailure || stdout != "" || !strings.Contains(stderr, want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want exit 1 and %q", args, code, stdout, stderr, want)
		}
	}
}

// TestNoOutputOnFailure: a command that fails leaves none of its outputs. An output that is a
// folder is refused before any work (`plan --out p.json --export-asl DIR` wrote p.json, then
// failed on DIR), and `simulate --plan-out` is written once the simulation has succeeded (it
// was written first, and stayed beside a failed run).
func TestNoOutputOnFailure(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "folder")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(dir, "p.json")
	if code, _, errOut := runCLI("plan", "--workflow", "chatbot", "--slo", "30s", "--quiet", "--out", plan, "--export-asl", folder); code != 2 || !strings.Contains(errOut, folder+" is a folder") {
		t.Errorf("--export-asl onto a folder: exit %d: %s", code, errOut)
	}
	// Work of 10^9 s on a thousandth of a vCPU, no function timeout: the simulation fails past
	// its clock's limit.
	slow, slowWF := filepath.Join(dir, "slow.json"), filepath.Join(dir, "slow.workflow.json")
	if err := os.WriteFile(slow, []byte(`{"mb_per_vcpu": 1e7, "function_timeout_s": 0}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(slowWF, []byte(`{"name": "slow", "functions": [{"name": "f", "min_memory_mb": 128, "serial_work_s": {"kind": "fixed", "value": 1e9}, "threads": 1}], "steps": [{"name": "s", "task": "f"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI("simulate", "--workflow", slowWF, "--memory", "1024", "--runs", "2", "--platform", slow, "--plan-out", plan); code != 1 || !strings.Contains(errOut, "time out of range") {
		t.Errorf("simulate on %s: exit %d: %s", slow, code, errOut)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "p.json*")); len(left) != 0 {
		t.Errorf("outputs left by failed commands: %v", left)
	}
}
