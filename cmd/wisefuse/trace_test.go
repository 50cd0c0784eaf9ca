package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	a, b := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")
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
