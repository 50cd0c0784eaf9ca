package tables

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/wisefuse/wisefuse/records"
)

// TestRecordsKeepFailures: a run's timed-out invocations and its failed DAG records (timed out,
// rejected) read back as written, in CSV and in Parquet. The tables had no column for them, and
// every record read back as a success.
func TestRecordsKeepFailures(t *testing.T) {
	invs := []records.Invocation{
		{Run: 0, Step: "A", Function: "F", VM: 1, MemoryMB: 1024, Start: 0.1, Compute: 1, InBytes: 10, End: 1.1, Cost: 1e-5},
		{Run: 1, Step: "A", Function: "F", VM: 2, MemoryMB: 1024, Start: 0.1, Compute: 900, End: 900.1, Cost: 1e-2, TimedOut: true},
	}
	dags := []records.DAGRun{
		{Run: 0, End: 1.2, Latency: 1.2, Cost: 1e-5, Invocations: 1, Transitions: 2},
		{Run: 1, End: 900.2, Latency: 900.2, Cost: 1e-2, Invocations: 1, Transitions: 2, TimedOut: true},
		{Run: 2, End: 0.05, Latency: 0.05, Cost: 2.5e-5, Transitions: 1, Rejected: true},
	}
	for _, ext := range []string{".csv", ".parquet"} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		path := filepath.Join(t.TempDir(), "runs"+ext)
		if err := WriteRun(path, invs, dags, Options{Allocator: mem}); err != nil {
			t.Fatal(err)
		}
		gotInvs, err := ReadInvocations(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		dagsPath, _ := DAGRunsPath(path)
		gotDAGs, err := ReadDAGRuns(dagsPath)
		if err != nil {
			t.Fatal(err)
		}
		mem.AssertSize(t, 0)
		if !slices.Equal(gotInvs, invs) {
			t.Errorf("%s: invocations read back as %+v, want %+v", ext, gotInvs, invs)
		}
		if !slices.Equal(gotDAGs, dags) {
			t.Errorf("%s: DAG runs read back as %+v, want %+v", ext, gotDAGs, dags)
		}
		// Run 2, rejected before its first invocation, is in the DAG table only.
		if err := CheckPair(gotInvs, gotDAGs); err != nil {
			t.Errorf("%s: %v", ext, err)
		}
	}
}

// TestCheckPair: a DAG table that does not belong with an invocation table is told apart,
// whether a run's count differs or a run with invocations is missing from either table.
func TestCheckPair(t *testing.T) {
	invs := []records.Invocation{{Run: 0}, {Run: 0}, {Run: 1}}
	for _, c := range []struct {
		name string
		dags []records.DAGRun
		want string // "" for a pair
	}{
		{"pair", []records.DAGRun{{Run: 0, Invocations: 2}, {Run: 1, Invocations: 1}}, ""},
		{"pair with a run of no invocation", []records.DAGRun{{Run: 0, Invocations: 2}, {Run: 1, Invocations: 1}, {Run: 2, Rejected: true}}, ""},
		{"count differs", []records.DAGRun{{Run: 0, Invocations: 3}, {Run: 1, Invocations: 1}}, "run 0: the DAG table counts 3 function invocations, the invocation table has 2 rows"},
		{"run missing from the invocations", []records.DAGRun{{Run: 0, Invocations: 2}, {Run: 1, Invocations: 1}, {Run: 2, Invocations: 4}}, "run 2: the DAG table counts 4 function invocations, the invocation table has 0 rows"},
		{"run missing from the DAG table", []records.DAGRun{{Run: 0, Invocations: 2}}, "the DAG table has 1 runs with function invocations, the invocation table 2"},
		{"run twice in the DAG table", []records.DAGRun{{Run: 0, Invocations: 2}, {Run: 1, Invocations: 1}, {Run: 1, Invocations: 1}}, "the DAG table has 3 runs with function invocations, the invocation table 2"},
	} {
		err := CheckPair(invs, c.dags)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

// TestOptionalColumns: a file without an Optional column reads its zero value in every row (a
// record table written before timed_out and rejected existed reads as runs that did not fail);
// a file that has it is read as any column is, a bad value or type an error naming the file,
// line or row, column, value and what was wanted.
func TestOptionalColumns(t *testing.T) {
	dir := t.TempDir()
	opt := slices.Clone(testSchema)
	opt[3].Optional = true // ok
	rows := sampleRows(10)
	for _, ext := range []string{".csv", ".parquet"} {
		// Without the column: false in every row.
		path := filepath.Join(dir, "without"+ext)
		writeRowsAs(t, path, testSchema[:3], rows)
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		got := readRows(t, path, opt, Options{Allocator: mem})
		mem.AssertSize(t, 0)
		want := slices.Clone(rows)
		for i := range want {
			want[i].ok = false
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: read %+v, want %+v", path, got, want)
		}
		// A required column is still required.
		if r, err := Open(path, testSchema); err == nil {
			r.Close()
			t.Errorf("%s: read without its required column %q", path, "ok")
		}
		// With the column: as written.
		path = filepath.Join(dir, "with"+ext)
		writeRows(t, path, rows)
		if got := readRows(t, path, opt); !slices.Equal(got, rows) {
			t.Errorf("%s: read %+v, want %+v", path, got, rows)
		}
	}
	// A bad value of a present Optional column is an error, not its zero value.
	r, err := NewCSVReader(strings.NewReader("id,name,x,ok\n1,a,2,true\n2,b,3,maybe\n"), "in.csv", opt)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
	}
	if want := `in.csv: line 3, column "ok": "maybe" is not a valid bool, want true or false`; r.Err() == nil || r.Err().Error() != want {
		t.Errorf("error = %v, want %s", r.Err(), want)
	}
	// A present Optional column of another type is refused, as any column.
	path := filepath.Join(dir, "int-ok.parquet")
	intOK := slices.Clone(testSchema)
	intOK[3].Type = Int64
	w, err := Create(path, intOK)
	if err != nil {
		t.Fatal(err)
	}
	w.Int(1)
	w.String("a")
	w.Float(2)
	w.Int(1)
	if err := w.EndRow(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, opt); err == nil || !strings.Contains(err.Error(), `int-ok.parquet: column "ok" is int64, want bool`) {
		t.Errorf("an int64 ok column: error = %v", err)
	}
}

// TestRecordsWithoutFailureColumns: record tables written before timed_out and rejected were
// columns (and hand-made CSVs without them) read, their runs not failed.
func TestRecordsWithoutFailureColumns(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "old.csv")
	dags := filepath.Join(dir, "old-dags.csv")
	if err := os.WriteFile(inv, []byte("run,step,function,item,bundle,vm,memory_mb,cold,start_s,init_s,download_s,compute_s,upload_s,in_bytes,out_bytes,end_s,cost_usd\n"+
		"0,A,F,0,0,1,1024,false,0.1,0,0.015,1.72,0.025,1000,1000,1.86,3.5e-05\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dags, []byte("run,arrival_s,end_s,latency_s,cost_usd,invocations,cold_starts,transitions\n0,0,1.9,1.9,3.5e-05,1,0,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	invs, err := ReadInvocations(inv, nil)
	if err != nil || len(invs) != 1 || invs[0].TimedOut || invs[0].End != 1.86 {
		t.Errorf("ReadInvocations = %+v, %v; want one record, not timed out", invs, err)
	}
	ds, err := ReadDAGRuns(dags)
	if err != nil || len(ds) != 1 || ds[0].TimedOut || ds[0].Rejected || ds[0].Transitions != 2 {
		t.Errorf("ReadDAGRuns = %+v, %v; want one record, not failed", ds, err)
	}
}

// TestWideSchemaNamed: a file missing a column of a wide schema names the column, and lists the
// schema's first and last columns and its width, not all of them (the Azure 2019 invocation
// counts' 1,444 columns were listed one by one).
func TestWideSchemaNamed(t *testing.T) {
	var wide Schema
	for i := range 1444 {
		wide = append(wide, Column{Name: fmt.Sprint("c", i), Type: Int64})
	}
	path := filepath.Join(t.TempDir(), "w.csv")
	if err := os.WriteFile(path, []byte("c0,c1\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, wide)
	if err == nil || !strings.Contains(err.Error(), `header lacks column "c2" (want columns c0,c1,`) || !strings.HasSuffix(err.Error(), ",...,c1441,c1442,c1443 (1444 columns))") || len(err.Error()) > 400 {
		t.Errorf("got %v", err)
	}
}

// TestTruncatedCSV: a CSV cut short inside its last row, or inside a quoted field, says it looks
// truncated (a catalog cut inside a quoted field said only `extraneous or missing " in
// quoted-field`); a bad row that is not the last, or a last row of too few fields that ends in a
// newline, gets no such hint.
func TestTruncatedCSV(t *testing.T) {
	dir := t.TempDir()
	s := Schema{{Name: "a", Type: String}, {Name: "b", Type: Int64}}
	for _, c := range []struct {
		text, want string
		cut        bool
	}{
		{"a,b\n\"x\",1\n\"y,2", `line 3: extraneous or missing " in quoted-field`, true},
		{"a,b\n\"x\",1\n\"y\"", "line 3: has 1 fields, the header line has 2", true},
		{"a,b\n\"x\n", `line 2: extraneous or missing " in quoted-field; the file ends inside this row's quoted field`, true},
		// A quote left open on line 3: the message says where the row began, and whether the file
		// ends inside it.
		{"a,b\n\"x\",1\n\"y,2\n\"z\",3\n\"w\",4", `line 4 (of the row that starts on line 3): extraneous or missing " in quoted-field`, false},
		{"a,b\n\"x\",1\n\"y,2\nz,3\nw,4\n", `(of the row that starts on line 3): extraneous or missing " in quoted-field; the file ends inside this row's quoted field: a quote left open, or the file cut short`, true},
		{"a,b\n\"x\"y\",1\n\"z\",2\n", `line 2: extraneous or missing " in quoted-field`, false},
		{"a,b\n\"x\",1,3\n\"y\",2\n", "line 2: has 3 fields", false},
		// A stray quote in a complete last row is no open quote (it got the hint).
		{"a,b\n\"x\"y\",1\n", `line 2: extraneous or missing " in quoted-field`, false},
		// The same past the reader's first buffers (lines counted across reads).
		{"a,b\n" + strings.Repeat("\"x\",1\n", 20000) + "\"y\"z\",1\n", `line 20002: extraneous or missing " in quoted-field`, false},
		{"a,b\n" + strings.Repeat("\"x\",1\n", 20000) + "\"y,2\n" + strings.Repeat("w", 70000) + "\n", `the file ends inside this row's quoted field`, true},
		{"a,b\n\"y\"\n", "line 2: has 1 fields", false},
	} {
		path := filepath.Join(dir, "t.csv")
		if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(path, s)
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
		}
		err = r.Err()
		r.Close()
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "truncated") != c.cut {
			t.Errorf("%.60q: %v, want %q and a truncation hint %v", c.text, err, c.want, c.cut)
		}
	}
}

// TestRunIndexBound: a record's run index past 2^31-1 (the simulator's) is refused, naming the
// column: profile adds several files' runs up, and a run near 2^63 overflowed the sum.
func TestRunIndexBound(t *testing.T) {
	if strconv.IntSize == 32 {
		return // an int cannot hold such a run: the reader refuses it as out of range
	}
	path := filepath.Join(t.TempDir(), "r-dags.csv")
	if err := os.WriteFile(path, []byte("run,arrival_s,end_s,latency_s,cost_usd,invocations,cold_starts,transitions\n3000000000,0,1,1,0.1,1,0,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadDAGRuns(path); err == nil || !strings.Contains(err.Error(), `column "run": 3000000000, want a run index from 0 to 2147483647`) {
		t.Errorf("run 3 x 10^9: %v", err)
	}
}

// TestParquetWordSize: a 64-bit build writes Parquet; a 32-bit one refuses it with a message
// that says why and what to write instead (Arrow v15's writer crashed there, an internal error).
// Checked on 32-bit with GOARCH=386 go test ./tables.
func TestParquetWordSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.parquet")
	w, err := Create(path, Schema{{Name: "a", Type: Int64}})
	if strconv.IntSize == 32 {
		if err == nil || !strings.Contains(err.Error(), "Parquet tables need a 64-bit build of wisefuse") {
			t.Errorf("Parquet on a 32-bit build: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	w.Int(1)
	if err := w.EndRow(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestInvocationsPath: InvocationsPath undoes DAGRunsPath, and names no table for a path that
// is not a DAG table's.
func TestInvocationsPath(t *testing.T) {
	for _, p := range []string{"runs.csv", "dir/r.parquet", "a-dags.csv"} {
		d, err := DAGRunsPath(p)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := InvocationsPath(d); !ok || got != p {
			t.Errorf("InvocationsPath(%q) = %q, %v; want %q", d, got, ok, p)
		}
	}
	if got, ok := InvocationsPath("runs.csv"); ok {
		t.Errorf("InvocationsPath(runs.csv) = %q: want none", got)
	}
}
