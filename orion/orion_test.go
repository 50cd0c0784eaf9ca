package orion

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadFile(t *testing.T) {
	p := write(t, t.TempDir(), FileName(1000), "E2E:3000 B:1000 A:500 E2E:3000\n\n  E2E:4000 A:250 B:2000  \n")
	l, err := ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	want := &Log{Path: p, MemoryMB: 1000, Stages: []string{"A", "B"},
		Seconds: map[string][]float64{E2E: {3, 4}, "A": {0.5, 0.25}, "B": {1, 2}}, lines: []int{1, 3}}
	if !reflect.DeepEqual(l, want) || l.Runs() != 2 {
		t.Errorf("ReadFile = %+v, want %+v", l, want)
	}
	// The same log saved with a byte order mark reads the same (it was part of the first
	// field's name, and the second run's stages "differed").
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append([]byte("\ufeff"), b...), 0o644); err != nil {
		t.Fatal(err)
	}
	if l, err = ReadFile(p); err != nil || !reflect.DeepEqual(l, want) {
		t.Errorf("with a byte order mark: ReadFile = %+v, %v, want %+v", l, err, want)
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ body, want string }{
		{"E2E:100 A:50\nE2E:100 A:x\n", "p.txt:2: field 2"},
		{"E2E:100 A:50\nE2E:100 B:50\n", ":2: stages"},
		{"E2E:100 A:-1\n", ":1: field 2"},
		{"E2E:100 A:NaN\n", ":1: field 2"},
		{"E2E:100 A:Inf\n", ":1: field 2"},
		{"E2E:100 :5\n", ":1: field 2"},
		{"A:50\n", ":1: no E2E"},
		{"E2E:100 A:50\nA:50\n", ":2: no E2E"},
		{"", "no runs"},
		{"E2E:100 E2E:90\n", "twice"},
		{"E2E:100 A:1e308\n", `:1: field 2 "A:1e308": at most 1e+12 ms`}, // was read: a cost of $3.6e300 per run
		{"E2E:1e13 A:5\n", `:1: field 1 "E2E:1e13": at most 1e+12 ms`},
		{"E2E:100 A:0x1p4\n", `:1: field 2 "A:0x1p4": want a finite, non-negative number of milliseconds`}, // was read as 16 ms
		{"E2E:100 A:1_000\n", `:1: field 2 "A:1_000"`},
		{"E2E:100 A:5\nE2E:1 A:" + strings.Repeat("1", maxLine) + "\n", ":2: line longer than 1048576 bytes"}, // was "bufio.Scanner: token too long"
		// E2E below the slowest stage, which it spans (session 16: read, and the overhead
		// taken as 0). The E2E field is named, E2E given twice or not first alike.
		{"E2E:3000 A:1000 B:2000\nE2E:1500 A:1000 B:2000 E2E:1500\n", `:2: field 1 "E2E:1500": E2E 1500 ms is below stage B's 2000 ms (field 3): want E2E at least its slowest stage's time (less 1 ms of rounding)`},
		{"A:1000 B:50 E2E:998.9\n", `:1: field 3 "E2E:998.9": E2E 998.9 ms is below stage A's 1000 ms (field 1)`},
		{"E2E:5.2 A:6.3\n", `:1: field 1 "E2E:5.2": E2E 5.2 ms is below stage A's 6.3 ms`}, // in seconds: only past 1 ms (1 s) of rounding
	} {
		_, err := ReadFile(write(t, dir, "p.txt", tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "orion: ") {
			t.Errorf("ReadFile(%q) = %v, want an error containing %q", tc.body, err, tc.want)
		}
	}
	// Within a millisecond of rounding, and a stage equal to E2E, are read.
	for _, body := range []string{"E2E:1000 A:1000.9\n", "E2E:1000 A:1000 B:0\n", "E2E:0 A:0\n"} {
		if _, err := ReadFile(write(t, dir, "p.txt", body)); err != nil {
			t.Errorf("ReadFile(%q) = %v, want it read", body, err)
		}
	}
	if _, err := ReadFile(filepath.Join(dir, "absent.txt")); err == nil {
		t.Error("a missing file must be an error")
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, FileName(5000), "E2E:1000 A:500\n")
	write(t, dir, FileName(1000), "E2E:2000 A:1500\nE2E:2100 A:1600\n")
	write(t, dir, "README.md", "not a log\n")
	logs, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 2 || logs[0].MemoryMB != 1000 || logs[1].MemoryMB != 5000 || logs[0].Runs() != 2 || logs[1].Runs() != 1 {
		t.Fatalf("ReadDir = %+v, want 1000 MB (2 runs) then 5000 MB (1 run)", logs)
	}

	for _, tc := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{}, "no rsc_"},
		{map[string]string{"rsc_1000_2000_1000.txt": "E2E:1 A:1\n"}, "memory sizes differ"},
		{map[string]string{FileName(1000): "E2E:1 A:1\n", FileName(2000): "E2E:1 B:1\n"}, "rsc_2000_2000_2000.txt:1: stages [B] differ from"},
		{map[string]string{FileName(1000): "E2E:1 A:1 B:1\n", FileName(2000): "E2E:1 A:1\n"}, "(no B)"},
		{map[string]string{FileName(1000): "E2E:1 A:1\n", "rsc_1000.txt": "E2E:1 A:1\n"}, "both at 1000 MB"},
		{map[string]string{FileName(1000): "E2E:1 A:x\n"}, ":1: field 2"},
		{map[string]string{FileName(0): "E2E:1 A:1\n"}, "memory size 0 MB out of range: want 128 to 10240 MB"},
		{map[string]string{FileName(1000): "E2E:1 A:1\n", FileName(99999): "E2E:1 A:1\n"}, "rsc_99999_99999_99999.txt: memory size 99999 MB out of range"}, // was profiled
		{map[string]string{FileName(64): "E2E:1 A:1\n"}, "memory size 64 MB out of range"},
	} {
		d := t.TempDir()
		for name, body := range tc.files {
			write(t, d, name, body)
		}
		_, err := ReadDir(d)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadDir(%v) = %v, want an error containing %q", tc.files, err, tc.want)
		}
	}
}

// TestMaxValues: a folder of logs holding more values (runs x fields) than a profile may keep is
// refused at the line where they pass the bound, naming the file and line, instead of read whole
// (a 6 x 10^6-run log ran out of memory at 4 GB as Go's runtime crash); the bound counts across
// the folder's files.
func TestMaxValues(t *testing.T) {
	defer func(n int) { maxValues = n }(maxValues)
	maxValues = 10 // each run below has 2 values (E2E and A)
	dir := t.TempDir()
	write(t, dir, FileName(1024), strings.Repeat("E2E:100 A:50\n", 3))
	if _, err := ReadDir(dir); err != nil {
		t.Fatalf("6 values: %v", err)
	}
	p := write(t, dir, FileName(2048), strings.Repeat("E2E:100 A:50\n", 3))
	_, err := ReadDir(dir)
	if err == nil || !strings.Contains(err.Error(), p+":3: the logs hold more than 10 values") {
		t.Errorf("12 values over two files: %v, want an error naming %s, line 3", err, p)
	}
	if _, err := ReadFile(p); err != nil {
		t.Errorf("one file of 6 values: %v", err)
	}
}

// TestWarnings: few runs, values that may be seconds and stages that add up past E2E are
// warnings naming the file (and the line), each once; a log of 52 runs in milliseconds whose
// stages run in series has none, and neither have the thresholds' edges.
func TestWarnings(t *testing.T) {
	dir := t.TempDir()
	series := strings.Repeat("E2E:30000 A:10000 B:19000\n", MinRuns)
	for _, tc := range []struct {
		name, body string
		want       []string // one substring per warning, in order
	}{
		{"series", series, nil},
		{"edges", strings.Repeat("E2E:1000 A:500.5 B:501.5\n", MinRuns), nil}, // E2E at 1 s, stages 2 ms (1 a stage) above it
		{"one run", "E2E:30000 A:10000 B:19000\n", []string{"p.txt: 1 run, fewer than 52: its percentiles"}},
		{"51 runs", strings.Repeat("E2E:30000 A:10000 B:19000\n", MinRuns-1), []string{"p.txt: 51 runs, fewer than 52"}},
		{"seconds", strings.Repeat("E2E:30 A:10 B:19\n", MinRuns-1) + "E2E:68.2 A:40 B:20\n",
			[]string{"p.txt: every run's E2E is below 1000 ms (the slowest 68.2 ms): values are read as milliseconds, so a log written in seconds"}},
		{"overlap", series + "\n" + "E2E:30000 A:15000 B:19000\nE2E:20000 A:10000 B:19000\n",
			[]string{"p.txt: in 2 of 54 runs E2E is below the sum of the stages (first at line 54: E2E 30000 ms, stages 34000 ms; at most 9000 ms below): the stages overlapped"}},
		{"all three", "E2E:5.2 A:3 B:5\n",
			[]string{"1 run", "every run's E2E is below 1000 ms (the slowest 5.2 ms)", "in 1 of 1 runs E2E is below the sum of the stages (first at line 1: E2E 5.2 ms, stages 8 ms"}},
	} {
		p := write(t, dir, "p.txt", tc.body)
		l, err := ReadFile(p)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := l.Warnings()
		ok := len(got) == len(tc.want)
		for i := range got {
			ok = ok && i < len(tc.want) && strings.Contains(got[i], tc.want[i]) && strings.HasPrefix(got[i], p+": ")
		}
		if !ok {
			t.Errorf("%s: Warnings() = %q, want %d naming %s and containing %q", tc.name, got, len(tc.want), p, tc.want)
		}
	}
	// A Log not read from a file names the run.
	l := &Log{Path: "logs, 1000 MB", Stages: []string{"A", "B"}, Seconds: map[string][]float64{E2E: {3, 3}, "A": {1, 2}, "B": {1, 2}}}
	if got := l.Warnings(); len(got) != 2 || !strings.Contains(got[1], "logs, 1000 MB: in 1 of 2 runs E2E is below the sum of the stages (first at run 2: E2E 3000 ms, stages 4000 ms") {
		t.Errorf("in memory: Warnings() = %q, want few runs, then the overlap at run 2", got)
	}
}
