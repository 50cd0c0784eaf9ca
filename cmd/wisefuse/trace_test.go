package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/internal/shareddata/sharedtest"
	"github.com/wisefuse/wisefuse/traces"
)

// TestTraceGenCharacterize drives the trace commands end to end on a small trace: generation is
// byte-identical for a seed and independent of --workers, and characterization writes its
// statistics and the four kinds of figure.
func TestTraceGenCharacterize(t *testing.T) {
	dir := t.TempDir()
	gen := func(out string, workers string) {
		t.Helper()
		code, _, errOut := runCLI("trace", "gen", "--dags", "300", "--invocations", "20000", "--days", "1",
			"--seed", "7", "--runs-per-dag", "4", "--workers", workers, "--quiet", "--out", out)
		if code != 0 {
			t.Fatalf("trace gen: exit %d: %s", code, errOut)
		}
	}
	a, b := filepath.Join(dir, "a", "t.parquet"), filepath.Join(dir, "b", "t.parquet")
	gen(a, "1")
	gen(b, "2")
	ba, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if len(ba) == 0 || !bytes.Equal(ba, bb) {
		t.Fatalf("same seed with 1 and 2 workers gave different traces (%d and %d bytes)", len(ba), len(bb))
	}
	out := filepath.Join(dir, "charact")
	code, _, errOut := runCLI("trace", "characterize", "--in", a, "--out", out)
	if code != 0 {
		t.Fatalf("trace characterize: exit %d: %s", code, errOut)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	all := strings.Join(names, " ")
	for _, want := range []string{"popularity", "width", "depth", "nodes", "latency"} {
		if !strings.Contains(all, want) || !strings.Contains(all, ".png") {
			t.Errorf("characterize output %v lacks a %s figure", names, want)
		}
	}
}

func TestTraceUsageErrors(t *testing.T) {
	if code, _, errOut := runCLI("trace", "gen", "--dags", "10"); code != 2 || !strings.Contains(errOut, "--out") {
		t.Errorf("trace gen without --out: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI("trace", "characterize", "--in", "/nonexistent.parquet", "--out", t.TempDir()); code != 1 || !strings.Contains(errOut, "nonexistent") {
		t.Errorf("characterize of a missing file: exit %d, %q", code, errOut)
	}
	if code, _, _ := runCLI("trace", "nope"); code != 2 {
		t.Errorf("unknown trace subcommand: exit %d, want 2", code)
	}
}

// TestTraceGenLimits: the invocation count and runs per DAG are bounded with their reasons, the
// errors name the subcommand and its --help, and trace gen's notes go to the command's stderr
// (they once went to os.Stderr, past the writer run was given).
func TestTraceGenLimits(t *testing.T) {
	out := filepath.Join(t.TempDir(), "t.parquet")
	for _, c := range []struct{ flag, value, want string }{
		{"--invocations", "100000000000000", "--invocations 100000000000000: at most 10000000000"},
		{"--runs-per-dag", "1000000000", "--runs-per-dag 1000000000: at most 10000"},
	} {
		code, _, errOut := runCLI("trace", "gen", c.flag, c.value, "--out", out)
		if code != 2 || !strings.Contains(errOut, "wisefuse trace gen: "+c.want) ||
			!strings.Contains(errOut, "Run 'wisefuse trace gen --help' for usage.") {
			t.Errorf("trace gen %s %s: exit %d, stderr %q", c.flag, c.value, code, errOut)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused trace gen left %s (%v)", out, err)
	}
	// 100 DAGs: one of them makes far more than 3.5% of the invocations, which a note says.
	code, _, errOut := runCLI("trace", "gen", "--dags", "100", "--invocations", "10000", "--quiet", "--out", out)
	if code != 0 || !strings.Contains(errOut, "note: one DAG makes") {
		t.Errorf("trace gen --dags 100: exit %d, stderr %q, want its note", code, errOut)
	}
	if code, _, errOut := runCLI("trace", "characterize", "--in", out); code != 2 ||
		!strings.HasPrefix(errOut, "wisefuse trace characterize: ") || !strings.Contains(errOut, "'wisefuse trace characterize --help'") {
		t.Errorf("trace characterize without --out: exit %d, stderr %q", code, errOut)
	}
}

// TestTraceImportReplay: an imported Azure 2021 trace comes with its catalog (one one-task DAG per
// function), so `trace replay` runs it as it is, every imported invocation once.
func TestTraceImportReplay(t *testing.T) {
	in := sharedtest.Require(t, "azure-functions-2021-sample", "Azure2021_200.csv")
	dir := t.TempDir()
	trace := filepath.Join(dir, "azure.parquet")
	code, _, errOut := runCLI("trace", "import", "--format", "azure2021", "--in", in, "--out", trace)
	if code != 0 {
		t.Fatalf("trace import: exit %d: %s", code, errOut)
	}
	imp, err := traces.ReadAzure2021(in)
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for _, f := range imp.Functions {
		want += f.Invocations()
	}
	cat, err := traces.ReadCatalog(filepath.Join(dir, "azure-catalog.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cat) != len(imp.Functions) {
		t.Errorf("catalog has %d DAGs, want one per function (%d)", len(cat), len(imp.Functions))
	}
	for _, e := range cat {
		if e.Width != 1 || e.Depth != 1 || e.Nodes != 1 || e.DataBytes != -1 || len(e.Workflow.Functions) != 1 {
			t.Errorf("catalog row %+v: want a one-task DAG, data unknown", e)
		}
	}
	code, out, errOut := runCLI("trace", "replay", "--in", trace, "--out", filepath.Join(dir, "replay"), "--json", "--quiet", "--series-interval", "600")
	if code != 0 {
		t.Fatalf("trace replay: exit %d: %s", code, errOut)
	}
	// --series-interval writes the instance series and its figure into the folder.
	rows := 0
	if err := eachSeriesRow(filepath.Join(dir, "replay", "series.parquet"), func(_, _, _ float64) { rows++ }); err != nil || rows == 0 {
		t.Errorf("series.parquet: %d rows, %v", rows, err)
	}
	for _, f := range []string{"series.png", "series.svg"} {
		if _, err := os.Stat(filepath.Join(dir, "replay", f)); err != nil {
			t.Error(err)
		}
	}
	var sum struct {
		DAGInvocations int64 `json:"dag_invocations"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("replay summary: %v\n%s", err, out)
	}
	if want == 0 || sum.DAGInvocations != want {
		t.Errorf("replayed %d DAG invocations, imported %d", sum.DAGInvocations, want)
	}
}

// TestTraceRowLimits: a trace or catalog row with a value no DAG invocation has (NaN, infinite,
// negative, or past the limits in traces: MaxWidth, MaxDepth, MaxDataBytes, MaxSkew and
// sim.MaxTime) stops 'trace characterize' and 'trace replay' with the file, the line, the column,
// the value and what was wanted. Before, a width, nodes or depth of 10^18, a skew of 10^300 and
// a latency of 10^299 were characterized (into its figures and statistics), a negative
// invocation_id and a repeated row were replayed, and catalog counts overflowed the replay's
// total.
func TestTraceRowLimits(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "t.csv")
	if code, _, errOut := runCLI("trace", "gen", "--dags", "20", "--invocations", "1000", "--days", "1", "--seed", "1",
		"--runs-per-dag", "4", "--quiet", "--out", good); code != 0 {
		t.Fatalf("trace gen: exit %d: %s", code, errOut)
	}
	goodCatalog := filepath.Join(dir, "t-catalog.csv")
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	// Line 2 is "dag000000,0,<arrival>,1,2,2,<data>,1,<latency>": width 1, depth 2, nodes 2.
	if f := strings.Split(lines[1], ","); f[0] != "dag000000" || f[1] != "0" || f[3] != "1" || f[4] != "2" || f[5] != "2" {
		t.Fatalf("line 2 of the generated trace is %q; the cases below expect dag000000, id 0, width 1, depth 2, nodes 2", lines[1])
	}
	// Trace columns: dag_id 0, invocation_id 1, arrival_s 2, width 3, depth 4, nodes 5,
	// data_bytes 6, skew 7, latency_s 8. Catalog: dag_id 0, invocations 1, width 2, depth 3,
	// nodes 4, data_bytes 5.
	for _, c := range []struct {
		name    string
		command string // characterize or replay
		catalog bool   // edit the catalog instead of the trace
		line    int
		col     int
		value   string
		want    string
	}{
		{"id-negative", "replay", false, 2, 1, "-5", `line 2, column "invocation_id": -5, want an id >= 0`},
		{"arrival-nan", "characterize", false, 2, 2, "NaN", `line 2, column "arrival_s": NaN, want a time from 0 to 1e+12 s (sim.MaxTime`},
		{"arrival-past-clock", "characterize", false, 2, 2, "1e13", `line 2, column "arrival_s": 1e+13, want a time from 0 to 1e+12 s`},
		{"latency-inf", "characterize", false, 2, 8, "+Inf", `line 2, column "latency_s": +Inf, want a duration from 0 to 1e+12 s`},
		{"latency-huge", "characterize", false, 2, 8, "1e299", `line 2, column "latency_s": 1e+299, want a duration from 0 to 1e+12 s`},
		{"width-huge", "characterize", false, 2, 3, "1000000000000000000", `line 2, column "width": 1000000000000000000, want from 1 to 1000000 (traces.MaxWidth`},
		{"width-huge-replay", "replay", false, 2, 3, "1000001", `line 2, column "width": 1000001, want from 1 to 1000000`},
		{"depth-huge", "characterize", false, 2, 4, "25001", `line 2, column "depth": 25001, want from 1 to 25000 (traces.MaxDepth`},
		{"nodes-huge", "characterize", false, 2, 5, "1000000000000000000", `line 2, column "nodes": 1000000000000000000, want <= width x depth (1 x 2 = 2)`},
		{"data-huge", "characterize", false, 2, 6, "9000000000000000000", `line 2, column "data_bytes": 9000000000000000000, above the limit 10000000000000 (traces.MaxDataBytes`},
		{"skew-huge", "characterize", false, 2, 7, "1e300", `line 2, column "skew": 1e+300, want a ratio from 1 to 1e+13 (traces.MaxSkew)`},
		{"skew-nan", "characterize", false, 2, 7, "NaN", `line 2, column "skew": NaN, want a ratio from 1 to 1e+13`},
		{"catalog-width", "replay", true, 2, 2, "2000000", `-catalog.csv: line 2, column "width": 2000000, want from 1 to 1000000`},
		{"catalog-depth", "replay", true, 2, 3, "-1", `-catalog.csv: line 2, column "depth": -1, want from 1 to 25000`},
		{"catalog-nodes", "replay", true, 2, 4, "3", `-catalog.csv: line 2, column "nodes": 3, want <= width x depth (1 x 2 = 2)`},
		{"catalog-data", "replay", true, 2, 5, "10000000000001", `-catalog.csv: line 2, column "data_bytes": 10000000000001, above the limit 10000000000000`},
		{"catalog-invocations", "replay", true, 2, 1, "9223372036854775807", `-catalog.csv: line 3, column "invocations": `},
	} {
		t.Run(c.name, func(t *testing.T) {
			trace, catalog := filepath.Join(dir, c.name+".csv"), filepath.Join(dir, c.name+"-catalog.csv")
			if c.catalog {
				copyFile(t, good, trace)
				editCSV(t, goodCatalog, c.name+"-catalog.csv", c.line, c.col, c.value)
			} else {
				editCSV(t, good, c.name+".csv", c.line, c.col, c.value)
				copyFile(t, goodCatalog, catalog)
			}
			out := filepath.Join(dir, "out-"+c.name)
			args := []string{"trace", c.command, "--in", trace, "--out", out}
			if c.command == "replay" {
				args = append(args, "--policy", "user-max", "--quiet")
			}
			code, _, stderr := runCLI(args...)
			if code != exitFailure || !strings.Contains(stderr, c.name) || !strings.Contains(stderr, c.want) {
				t.Errorf("trace %s: exit %d, stderr %q: want exit 1 and %q", c.command, code, stderr, c.want)
			}
		})
	}
	// A row repeated at its arrival instant (a trace appended to twice, then sorted): the second
	// is refused; before, the replay ran the DAG invocation twice under one id.
	dup := filepath.Join(dir, "dup.csv")
	withDup := append(append(append([]string{}, lines[:3]...), lines[2]), lines[3:]...)
	if err := os.WriteFile(dup, []byte(strings.Join(withDup, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	copyFile(t, goodCatalog, filepath.Join(dir, "dup-catalog.csv"))
	want := `dup.csv: line 4, column "invocation_id": 1 of DAG "dag000000" again, at the same arrival_s`
	quiet := map[string][]string{"replay": {"--quiet"}}
	for _, command := range []string{"characterize", "replay"} {
		code, _, stderr := runCLI(append([]string{"trace", command, "--in", dup, "--out", filepath.Join(dir, "out-dup-"+command)}, quiet[command]...)...)
		if code != exitFailure || !strings.Contains(stderr, want) {
			t.Errorf("trace %s of a repeated row: exit %d, stderr %q: want exit 1 and %q", command, code, stderr, want)
		}
	}
	// The unedited trace passes both.
	for _, command := range []string{"characterize", "replay"} {
		if code, _, stderr := runCLI(append([]string{"trace", command, "--in", good, "--out", filepath.Join(dir, "out-good-"+command)}, quiet[command]...)...); code != 0 {
			t.Errorf("trace %s of the generated trace: exit %d: %s", command, code, stderr)
		}
	}
}

// TestTraceImport2019CappedMemory: an app's memory above the largest VM caps its functions'
// workflows there, and trace import says how many (it did so without a word).
func TestTraceImport2019CappedMemory(t *testing.T) {
	dir := t.TempDir()
	mem, err := os.ReadFile("../../traces/testdata/azure2019_memory.csv")
	if err != nil {
		t.Fatal(err)
	}
	// App a1 runs two functions, a2 one.
	for _, c := range []struct{ old, want string }{{",210,", "; 2 functions' app memory above 10240 MB capped to it"}, {",101,", "; 1 function's app memory above 10240 MB capped to it"}} {
		big := filepath.Join(dir, "mem.csv")
		if err := os.WriteFile(big, []byte(strings.Replace(string(mem), c.old, ",20000,", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runCLI("trace", "import", "--format", "azure2019", "--invocations", "../../traces/testdata/azure2019_invocations.csv",
			"--durations", "../../traces/testdata/azure2019_durations.csv", "--memory", big, "--out", filepath.Join(dir, "t.csv"))
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, out, errOut, c.want)
		}
	}
}
