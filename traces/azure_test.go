package traces

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/internal/shareddata/sharedtest"
	"github.com/wisefuse/wisefuse/tables"
)

// TestReadAzure2021ParquetRow names a bad row of a Parquet input by its row (it said "line 2",
// the CSV line it would have had).
func TestReadAzure2021ParquetRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "az.parquet")
	w, err := tables.Create(path, azure2021Schema)
	if err != nil {
		t.Fatal(err)
	}
	w.String("a")
	w.String("f")
	w.Float(10)
	w.Float(-1)
	if err := w.EndRow(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = ReadAzure2021(path)
	if err == nil || !strings.Contains(err.Error(), "row 1, column \"duration\"") {
		t.Fatalf("err = %v, want row 1's duration named", err)
	}
}

// TestReadAzure2021Txt reads the trace under the name the dataset publishes it with
// (AzureFunctionsInvocationTraceForTwoWeeksJan2021.txt, CSV under .txt) as its .csv copy.
func TestReadAzure2021Txt(t *testing.T) {
	dir := t.TempDir()
	body := "app,func,end_timestamp,duration\na,f,10,2\na,f,5,1\nb,g,7,0.5\n"
	var got []*Import2021
	for _, name := range []string{"trace.csv", "AzureFunctionsInvocationTraceForTwoWeeksJan2021.txt"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		imp, err := ReadAzure2021(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got = append(got, imp)
	}
	a, b := fmt.Sprint(got[0].Functions), fmt.Sprint(got[1].Functions)
	if a != b || len(got[1].Functions) != 2 {
		t.Fatalf(".txt read as %s, .csv as %s", b, a)
	}
}

func TestReadAzure2021Sample(t *testing.T) {
	path := sharedtest.Require(t, "azure-functions-2021-sample", "Azure2021_200.csv")
	imp, err := ReadAzure2021(path)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, f := range imp.Functions {
		n += f.Invocations()
		for i := 1; i < len(f.Arrivals); i++ {
			if f.Arrivals[i] < f.Arrivals[i-1] {
				t.Fatalf("%s: arrivals not sorted", f.ID())
			}
		}
		if err := f.Duration.Validate(); err != nil {
			t.Fatalf("%s: %v", f.ID(), err)
		}
		if err := f.Workflow().Validate(); err != nil {
			t.Fatalf("%s: %v", f.ID(), err)
		}
	}
	if n != 199 { // 199 data rows (the README says 198: the last row has no final newline)
		t.Fatalf("imported %d invocations, want the sample's 199 rows", n)
	}
	// Replay keeps every invocation, in arrival order, with its own duration as latency.
	out := filepath.Join(t.TempDir(), "replay.parquet")
	w, err := CreateDAGTable(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteReplay(w, imp.Functions); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := CharacterizeFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Invocations != 199 || len(c.perDAG) != len(imp.Functions) {
		t.Fatalf("replay has %d invocations of %d DAGs, want 199 of %d", c.Invocations, len(c.perDAG), len(imp.Functions))
	}
	// The sample's longest duration is 404.987 s.
	if max := c.all.quantile(1); math.Abs(max-404.987)/404.987 > 0.01 {
		t.Errorf("longest replayed latency %.1f s, want about 405", max)
	}
}

func TestReadAzure2019Fixture(t *testing.T) {
	fns, dropped, err := ReadAzure2019("testdata/azure2019_invocations.csv", "testdata/azure2019_durations.csv", "testdata/azure2019_memory.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(fns) != 3 || dropped != 1 {
		t.Fatalf("got %d functions and %d dropped, want 3 and 1 (f4 has no durations)", len(fns), dropped)
	}
	byName := map[string]*FunctionTrace{}
	for i := range fns {
		byName[fns[i].Function] = &fns[i]
	}
	if f := byName["f3"]; f.Invocations() != 24 || f.Trigger != "timer" || f.MemoryMB != 101 {
		t.Errorf("f3: %d invocations, trigger %q, memory %v; want 24, timer, 101", f.Invocations(), f.Trigger, f.MemoryMB)
	}
	// Percentiles in ms become seconds: f2's median is 2 s, its maximum 9 s.
	if d := byName["f2"].Duration; math.Abs(d.Quantile(0.5)-2) > 1e-9 || math.Abs(d.Quantile(1)-9) > 1e-9 {
		t.Errorf("f2 duration median %v, max %v; want 2 and 9 s", d.Quantile(0.5), d.Quantile(1))
	}
	if w := byName["f1"].Workflow(); w.Functions[0].MinMemoryMB != 210 {
		t.Errorf("f1 workflow memory %d MB, want the app's p99 of 210", w.Functions[0].MinMemoryMB)
	}

	out := filepath.Join(t.TempDir(), "replay.csv")
	w, err := CreateDAGTable(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteReplay2019(w, fns, rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := OpenDAGTable(out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	perMinute := map[string][]int64{}
	prev := 0.0
	for r.Next() {
		row := r.Row()
		if row.Arrival < prev {
			t.Fatalf("arrival %v after %v: not sorted", row.Arrival, prev)
		}
		prev = row.Arrival
		if perMinute[row.DAG] == nil {
			perMinute[row.DAG] = make([]int64, 1440)
		}
		perMinute[row.DAG][int(row.Arrival/60)]++
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	for _, f := range fns {
		got := perMinute[f.ID()]
		for m, c := range f.PerMinute {
			if got[m] != c {
				t.Fatalf("%s minute %d: %d arrivals, want %d", f.ID(), m+1, got[m], c)
			}
		}
	}
}

// TestAzure2019Duplicates: a function given twice in the counts was imported as two DAGs of one
// id, a trace 'trace replay' then refused in its catalog; twice in the durations, the last row
// was kept. A minute of 1e11 invocations ran the import out of memory (a fatal error). Each is
// now an error naming the file, the line and, for a count, the column and the limit.
func TestAzure2019Duplicates(t *testing.T) {
	dir := t.TempDir()
	inv, err := os.ReadFile("testdata/azure2019_invocations.csv")
	if err != nil {
		t.Fatal(err)
	}
	invLines := strings.Split(strings.TrimSpace(string(inv)), "\n")
	dur, err := os.ReadFile("testdata/azure2019_durations.csv")
	if err != nil {
		t.Fatal(err)
	}
	durLines := strings.Split(strings.TrimSpace(string(dur)), "\n")
	write := func(name string, lines []string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	huge := strings.Split(invLines[1], ",")
	huge[4] = "100000000000" // minute 1
	for _, c := range []struct {
		name, inv, dur, want string
	}{
		{"counts twice", write("inv2.csv", append(slices.Clone(invLines), invLines[1])), "testdata/azure2019_durations.csv",
			fmt.Sprintf("inv2.csv: line %d: function ", len(invLines)+1)},
		{"durations twice", "testdata/azure2019_invocations.csv", write("dur2.csv", append(slices.Clone(durLines), durLines[1])),
			fmt.Sprintf("dur2.csv: line %d: function ", len(durLines)+1)},
		{"a minute past the limit", write("huge.csv", []string{invLines[0], strings.Join(huge, ",")}), "testdata/azure2019_durations.csv",
			`huge.csv: line 2, column "1": 100000000000 makes 100000000000 invocations in minute 1, above the limit 100000000`},
		// Percentiles in falling order (beyond rounding) were imported as one constant duration.
		{"percentiles falling", "testdata/azure2019_invocations.csv",
			write("desc.csv", []string{durLines[0], strings.Replace(durLines[1], ",10,15,60,100,150,700,900", ",900,700,150,100,60,15,10", 1)}),
			`desc.csv: line 2, column "percentile_Average_1": 700 ms, below percentile_Average_0's 900 ms`},
		// dag_id is app/function: a '/' in a hash made two functions one.
		{"a slash in a hash", write("slash.csv", []string{invLines[0], strings.Replace(invLines[1], "a1,", "a/1,", 1)}), "testdata/azure2019_durations.csv",
			`slash.csv: line 2, column "HashApp": holds a '/'`},
	} {
		_, _, err := ReadAzure2019(c.inv, c.dur, "")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
	mem, err := os.ReadFile("testdata/azure2019_memory.csv")
	if err != nil {
		t.Fatal(err)
	}
	memLines := strings.Split(strings.TrimSpace(string(mem)), "\n")
	mem2 := write("mem2.csv", append(slices.Clone(memLines), strings.Replace(memLines[1], ",210,", ",4000,", 1)))
	if _, _, err := ReadAzure2019("testdata/azure2019_invocations.csv", "testdata/azure2019_durations.csv", mem2); err == nil ||
		!strings.Contains(err.Error(), fmt.Sprintf("mem2.csv: line %d: app a1 (owner o1) again", len(memLines)+1)) {
		t.Errorf("memory twice: got %v, want an error naming the line and the app (the last row was kept)", err)
	}
	// 1e9 MB was capped to the largest VM without a word; past 1 TiB it is refused.
	bigMem := write("memhuge.csv", []string{memLines[0], strings.Replace(memLines[1], ",210,", ",1e9,", 1)})
	if _, _, err := ReadAzure2019("testdata/azure2019_invocations.csv", "testdata/azure2019_durations.csv", bigMem); err == nil ||
		!strings.Contains(err.Error(), `memhuge.csv: line 2, column "AverageAllocatedMb_pct99": 1e+09, want the app's allocated MB, from 0 to 1048576`) {
		t.Errorf("1e9 MB: got %v", err)
	}
	// A 2021 row whose app or function holds a '/': "a/b","c" and "a","b/c" were one function.
	p := write("slash2021.csv", []string{"app,func,end_timestamp,duration", "a/b,c,10,0.5", "a,b/c,12,0.7"})
	if _, err := ReadAzure2021(p); err == nil || !strings.Contains(err.Error(), `line 2, column "app": "a/b" holds a '/'`) {
		t.Errorf("a '/' in a 2021 hash: got %v", err)
	}
}

func TestAzureImportErrorsNameLineAndColumn(t *testing.T) {
	_, _, err := ReadAzure2019("testdata/azure2019_invocations.csv", "testdata/azure2019_durations_bad.csv", "")
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "percentile_Average_25") {
		t.Errorf("bad 2019 durations: got %v, want an error naming line 3 and percentile_Average_25", err)
	}
	_, err = ReadAzure2021("testdata/azure2021_bad.csv")
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "duration") {
		t.Errorf("bad 2021 row: got %v, want an error naming line 3 and duration", err)
	}
	// Values no replay can run are refused at the import, not mid-replay (where the error blamed
	// the workflow): an end past the simulator's clock, a duration past a function's work limit.
	dir := t.TempDir()
	for _, tc := range []struct{ row, want string }{
		{"a,f,1e13,1", `line 3, column "end_timestamp": 1e+13 s is past the simulator's clock limit 1e+12 s`},
		{"a,f,2e9,1.5e9", `line 3, column "duration": 1.5e+09 s is above the limit 1e+09 s`},
	} {
		path := filepath.Join(dir, "t.csv")
		os.WriteFile(path, []byte("app,func,end_timestamp,duration\na,f,5,1\n"+tc.row+"\n"), 0o644)
		if _, err := ReadAzure2021(path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("row %s: got %v, want %q", tc.row, err, tc.want)
		}
	}
}
