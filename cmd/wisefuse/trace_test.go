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
