package wisefuse

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/orion"
)

// TestRealLogsPlausible: none of the public logs trips a warning of orion.Log.Warnings (or an
// error of orion.ReadFile), read as a folder or from the profile file 'wisefuse profile' writes;
// -v prints how close each file comes to each threshold, the margins docs/data.md quotes.
func TestRealLogsPlausible(t *testing.T) {
	for _, app := range []string{"video", "ml", "chatbot"} {
		dir := realLogDir(t, app)
		p, err := ReadLogs(dir)
		if err != nil {
			t.Fatal(err)
		}
		if w := p.LogWarnings(); len(w) > 0 {
			t.Errorf("%s: warnings %q", app, w)
		}
		path := filepath.Join(t.TempDir(), app+".json")
		if err := WriteProfile(path, p); err != nil {
			t.Fatal(err)
		}
		q, err := ReadProfile(path)
		if err != nil {
			t.Fatal(err)
		}
		if w := q.LogWarnings(); len(w) > 0 {
			t.Errorf("%s from its profile file: warnings %q", app, w)
		}
		logs, err := orion.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range logs {
			e2e := l.Seconds[orion.E2E]
			minGap, minOverSlowest, minRatio, minSumRatio := math.Inf(1), math.Inf(1), math.Inf(1), math.Inf(1)
			for r := range e2e {
				sum, slowest := 0.0, 0.0
				for _, s := range l.Stages {
					sum += l.Seconds[s][r]
					slowest = max(slowest, l.Seconds[s][r])
				}
				minGap = min(minGap, (e2e[r]-sum)*1000)
				minOverSlowest = min(minOverSlowest, (e2e[r]-slowest)*1000)
				minRatio = min(minRatio, e2e[r]/slowest)
				minSumRatio = min(minSumRatio, e2e[r]/sum)
			}
			slowestE2E := slices.Max(e2e) * 1000
			t.Logf("%s %5d MB: %d runs (warn below %d); slowest E2E %.0f ms (warn below %d); E2E - sum of stages >= %.0f ms, E2E / sum >= %.4f; E2E - slowest stage >= %.0f ms, E2E / slowest stage >= %.4f",
				app, l.MemoryMB, l.Runs(), orion.MinRuns, slowestE2E, orion.SecondsE2EMillis, minGap, minSumRatio, minOverSlowest, minRatio)
			// The margins orion's constants and docs/data.md quote (to within the float noise of
			// milliseconds read as seconds).
			const eps = 1e-6
			if l.Runs() < 298 || slowestE2E < 18615-eps || minGap < 128-eps || minSumRatio < 1.001 || minOverSlowest < 2695-eps || minRatio < 1.10 {
				t.Errorf("%s %d MB: closer to a threshold than documented", app, l.MemoryMB)
			}
		}
	}
}

// TestLogWarnings: a log folder's implausible logs reach LogWarnings naming the file and line, and
// the profile file written from them names the folder and size; a profile not from logs has none.
func TestLogWarnings(t *testing.T) {
	dir := t.TempDir()
	body := "E2E:30000 A:10000 B:19000\nE2E:30000 A:15000 B:19000\n"
	if err := os.WriteFile(filepath.Join(dir, orion.FileName(1000)), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, orion.FileName(2000)), []byte(strings.Repeat("E2E:20000 A:5000 B:9000\n", orion.MinRuns)), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := ReadLogs(dir)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, orion.FileName(1000))
	want := []string{file + ": 2 runs, fewer than 52", file + ": in 1 of 2 runs E2E is below the sum of the stages (first at line 2: E2E 30000 ms, stages 34000 ms"}
	check := func(what string, got, want []string) {
		t.Helper()
		ok := len(got) == len(want)
		for i := range got {
			ok = ok && strings.HasPrefix(got[i], want[i])
		}
		if !ok {
			t.Errorf("%s: LogWarnings() = %q, want %q...", what, got, want)
		}
	}
	check("folder", p.LogWarnings(), want)
	path := filepath.Join(t.TempDir(), "p.json")
	if err := WriteProfile(path, p); err != nil {
		t.Fatal(err)
	}
	q, err := ReadProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	src := "real logs " + dir + ", 1000 MB"
	check("profile file", q.LogWarnings(), []string{src + ": 2 runs, fewer than 52", src + ": in 1 of 2 runs E2E is below the sum of the stages (first at run 2:"})
	if w := (&Profile{Workflow: p.Workflow, Source: "records x.csv", Sizes: p.Sizes}).LogWarnings(); w != nil {
		t.Errorf("a profile not from logs: LogWarnings() = %q, want none", w)
	}
}

// TestMinRunsIsSamplingBound: orion.MinRuns, the fewest runs of a log that bound their own P95, is
// the fewest for which judgedPct's bound on the P95 stays below the 100th percentile (orion cannot
// import this package: it repeats the number).
func TestMinRunsIsSamplingBound(t *testing.T) {
	p := 0.95
	bound := func(n int) float64 { return p + sloConfidenceZ*math.Sqrt(p*(1-p)/float64(n)) }
	if n := orion.MinRuns; bound(n) >= 1 || bound(n-1) < 1 {
		t.Errorf("orion.MinRuns = %d: the P95's bound is %.4f at %d runs and %.4f at %d, want the first below 1", n, bound(n-1), n-1, bound(n), n)
	}
}
