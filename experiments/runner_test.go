package experiments

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// toy is a registered test experiment: 12 cells, each drawing a few numbers from its seed.
// Its cells sleep when TOY_SLOW is set so a child process can be killed mid-run.
var toy = &Experiment{
	Name:   "test-toy",
	Title:  "runner test",
	Schema: schemaOf[toyRow](),
	Cells: func(quick bool) []Cell {
		n := 12
		if quick {
			n = 4
		}
		cells := make([]Cell, n)
		for i := range cells {
			cells[i] = Cell{Key: fmt.Sprintf("c%02d", i), Params: i}
		}
		return cells
	},
	Run: func(c Cell, seed uint64) ([]Row, error) {
		if os.Getenv("TOY_SLOW") != "" {
			time.Sleep(150 * time.Millisecond)
		}
		r := rand.New(rand.NewPCG(seed, 0))
		var rows []Row
		for i := range 3 {
			rows = append(rows, rowOf(toyRow{Cell: c.Key, I: i, X: r.Float64()}))
		}
		return rows, nil
	},
	Headlines: func(t *Table) []Headline {
		return []Headline{{Claim: "rows", Paper: "-", Ours: fmt.Sprint(len(t.Rows))}, {Claim: "rows, in detail", Paper: "-", Ours: "-", Detail: true}}
	},
}

type toyRow struct {
	Cell string  `col:"cell"`
	I    int     `col:"i"`
	X    float64 `col:"x"`
}

func init() { Register(toy) }

func runToy(t *testing.T, out string, workers int, extra ...func(*Config)) string {
	t.Helper()
	cfg := Config{Out: out, Only: []string{toy.Name}, Workers: workers}
	for _, f := range extra {
		f(&cfg)
	}
	if err := Run(cfg); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, toy.Name, toy.Name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRunnerDeterministicAcrossWorkers(t *testing.T) {
	one := runToy(t, t.TempDir(), 1)
	four := runToy(t, t.TempDir(), 4)
	if one != four {
		t.Fatal("1 and 4 workers gave different tables")
	}
	if n := strings.Count(one, "\n"); n != 1+12*3 {
		t.Fatalf("table has %d lines, want header + 36", n)
	}
}

func TestRunnerShardsConcatenate(t *testing.T) {
	full := runToy(t, t.TempDir(), 2)
	out := t.TempDir()
	var rows []Row
	for s := range 3 {
		if err := Run(Config{Out: out, Only: []string{toy.Name}, Workers: 2, Shard: s, Shards: 3}); err != nil {
			t.Fatal(err)
		}
		part, err := readTable(filepath.Join(out, toy.Name, fmt.Sprintf("%s.shard-%d-of-3.parquet", toy.Name, s)), toy.Schema)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, part...)
	}
	// Shards hold every third cell; the union must be exactly the full table's rows.
	got := map[string]bool{}
	for _, r := range rows {
		got[fmt.Sprintf("%v,%v,%v", r...)] = true
	}
	if len(rows) != 36 || len(got) != 36 {
		t.Fatalf("shards hold %d rows (%d distinct), want 36", len(rows), len(got))
	}
	for _, line := range strings.Split(strings.TrimSpace(full), "\n")[1:] {
		if !got[line] {
			t.Errorf("row %q of the full table is in no shard", line)
		}
	}
}

func TestRunnerResumesAfterStop(t *testing.T) {
	want := runToy(t, t.TempDir(), 3)
	out := t.TempDir()
	n := 0
	afterCell = func() error {
		if n++; n == 5 {
			return errStop
		}
		return nil
	}
	err := Run(Config{Out: out, Only: []string{toy.Name}, Workers: 1})
	afterCell = nil
	if err != errStop {
		t.Fatalf("Run = %v, want the simulated stop", err)
	}
	if _, err := os.Stat(filepath.Join(out, toy.Name, toy.Name+".csv")); err == nil {
		t.Fatal("a stopped run must not write the table")
	}
	ran := 0
	afterCell = func() error { ran++; return nil }
	got := runToy(t, out, 2)
	afterCell = nil
	if got != want {
		t.Fatal("resumed run differs from an uninterrupted one")
	}
	if ran != 12-5 {
		t.Errorf("resume computed %d cells, want the 7 left", ran)
	}
}

// TestRunnerSurvivesKill kills a real process running the experiment with SIGKILL part-way, then
// resumes in this process: the result must equal an uninterrupted run and no file may be partial.
func TestRunnerSurvivesKill(t *testing.T) {
	if out := os.Getenv("TOY_CHILD_OUT"); out != "" {
		Run(Config{Out: out, Only: []string{toy.Name}, Workers: 2})
		return
	}
	want := runToy(t, t.TempDir(), 2)
	out := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunnerSurvivesKill$")
	cmd.Env = append(os.Environ(), "TOY_CHILD_OUT="+out, "TOY_SLOW=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cells := filepath.Join(out, toy.Name, "cells-full-"+buildID())
	deadline := time.Now().Add(20 * time.Second)
	for {
		kept, _ := filepath.Glob(filepath.Join(cells, "*.csv"))
		if len(kept) >= 3 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("child kept no cells in 20 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	kept, _ := filepath.Glob(filepath.Join(cells, "*.csv"))
	if len(kept) >= 12 {
		t.Fatalf("child finished all cells before the kill; test proves nothing")
	}
	got := runToy(t, out, 2)
	if got != want {
		t.Fatal("run resumed after SIGKILL differs from an uninterrupted one")
	}
	// Temporary files of the killed writer may remain, but never under a final name; every
	// kept cell must parse.
	kept, _ = filepath.Glob(filepath.Join(cells, "*.csv"))
	for _, k := range kept {
		if _, err := readTable(k, toy.Schema); err != nil {
			t.Errorf("kept cell %s is corrupt: %v", k, err)
		}
	}
}

func TestReportHasHeadlines(t *testing.T) {
	out := t.TempDir()
	runToy(t, out, 1)
	b, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "| rows | - | 36 |") {
		t.Errorf("report lacks the toy headline:\n%s", b)
	}
	// The toy's detail headline is in its section's table, not in the summary above the sections.
	summary, _, _ := strings.Cut(string(b), "<a id=")
	if strings.Contains(summary, "rows, in detail") || !strings.Contains(string(b), "| rows, in detail |") {
		t.Errorf("the detail headline is in the summary or missing from its section:\n%s", b)
	}
}

func TestUnknownExperiment(t *testing.T) {
	if err := Run(Config{Out: t.TempDir(), Only: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), `unknown experiment "nope"`) {
		t.Errorf("error = %v", err)
	}
}

// TestRunnerRemovesStaleCells: cells kept by another build (another folder suffix) or by the
// format before builds were told apart are deleted, and never read; this build's are kept.
func TestRunnerRemovesStaleCells(t *testing.T) {
	out := t.TempDir()
	want := runToy(t, t.TempDir(), 2)
	dir := filepath.Join(out, toy.Name)
	for _, stale := range []string{"cells-full-0123456789ab", "cells-full"} {
		if err := os.MkdirAll(filepath.Join(dir, stale), 0o755); err != nil {
			t.Fatal(err)
		}
		// A cell file named as one of this run's would be, holding garbage.
		c := toy.Cells(false)[0]
		name := filepath.Base(cellPath(Config{Out: out}, toy, c))
		if err := os.WriteFile(filepath.Join(dir, stale, name), []byte("garbage\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := runToy(t, out, 2); got != want {
		t.Fatal("a run beside stale cells differs from a clean one")
	}
	left, _ := filepath.Glob(filepath.Join(dir, "cells-*"))
	if len(left) != 1 || filepath.Base(left[0]) != "cells-full-"+buildID() {
		t.Errorf("cell folders left: %v, want only this build's", left)
	}
}

// dataToy stands for an experiment that reads the public data: its one row says whether the data
// was there (dataToyPresent), and MissingData says so when it was not.
var dataToyPresent bool

var dataToy = &Experiment{
	Name:   "test-data-toy",
	Title:  "runner test with public data",
	Schema: schemaOf[toyRow](),
	Cells:  func(bool) []Cell { return []Cell{{Key: "only"}} },
	Run: func(c Cell, _ uint64) ([]Row, error) {
		x := 0.0
		if dataToyPresent {
			x = 1
		}
		return []Row{rowOf(toyRow{Cell: c.Key, X: x})}, nil
	},
	MissingData: func() []string {
		if dataToyPresent {
			return nil
		}
		return []string{"the toy's data"}
	},
}

func init() { Register(dataToy) }

// TestRunnerRecomputesWhenDataAppears: a cell computed without the public data is not reused once
// the data is there, nor the other way round, so a run after `make data` on the same folder never
// reports the data present beside rows computed without it.
func TestRunnerRecomputesWhenDataAppears(t *testing.T) {
	out := t.TempDir()
	defer func() { dataToyPresent = false }()
	for _, present := range []bool{false, true, false, true} {
		dataToyPresent = present
		if err := Run(Config{Out: out, Only: []string{dataToy.Name}, Workers: 1}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(out, dataToy.Name, dataToy.Name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		want := "only,0,0\n"
		if present {
			want = "only,0,1\n"
		}
		if !strings.HasSuffix(string(b), want) {
			t.Errorf("data present %v: table\n%s\nwant its row %q", present, b, want)
		}
		// The report says what is absent and where to find what 'data fetch' cannot fetch.
		report, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
		if err != nil {
			t.Fatal(err)
		}
		if absent := strings.Contains(string(report), "**Data absent:** the toy's data. ") && strings.Contains(string(report), "docs/data.md lists those to copy by hand"); absent == present {
			t.Errorf("data present %v: REPORT.md's Data absent note present %v", present, absent)
		}
	}
}
