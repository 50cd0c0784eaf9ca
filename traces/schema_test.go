package traces

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/wisefuse/wisefuse/tables"
)

func sampleInvocations(n int) []DAGInvocation {
	rows := make([]DAGInvocation, n)
	for i := range rows {
		w := 1 + i%7
		rows[i] = DAGInvocation{DAG: fmt.Sprintf("dag%03d", i%13), Invocation: int64(i), Arrival: float64(i) * 0.37,
			Width: w, Depth: 1 + i%3, Nodes: w + i%3, DataBytes: int64(i * 1000), Skew: 1 + float64(i%5)*33.3, Latency: 0.1 * float64(i%11)}
	}
	return rows
}

// writeDAGTable writes rows to a DAG-invocation table at path.
func writeDAGTable(t testing.TB, path string, rows []DAGInvocation, opts ...tables.Options) {
	t.Helper()
	w, err := CreateDAGTable(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if err := w.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// Both formats round-trip every field; the Parquet path runs on a checked allocator that must end
// with nothing allocated (no leaked Arrow buffers in the writer or the reader).
func TestDAGTableRoundTrip(t *testing.T) {
	want := sampleInvocations(70_000) // more than one Parquet batch
	for _, ext := range []string{"csv", "parquet"} {
		t.Run(ext, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			opts := tables.Options{Allocator: mem}
			path := filepath.Join(t.TempDir(), "t."+ext)
			writeDAGTable(t, path, want, opts)
			r, err := OpenDAGTable(path, opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []DAGInvocation
			for r.Next() {
				got = append(got, *r.Row())
			}
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			r.Close()
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip changed the rows (%d read, %d written)", len(got), len(want))
			}
		})
	}
}

func TestFunctionTableRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	path := filepath.Join(t.TempDir(), "f.parquet")
	w, err := CreateFunctionTable(path, tables.Options{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	rows := []FunctionInvocation{{Invocation: 1, DAG: "d", Stage: 0, Item: 0, Function: "f0", Start: 1, End: 2, Cold: true},
		{Invocation: 1, DAG: "d", Stage: 1, Item: 3, Function: "f1", Start: 2, End: 2.5}}
	for i := range rows {
		if err := w.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := tables.Open(path, FunctionSchema, tables.Options{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for r.Next() {
		if r.Int(3) != int64(rows[n].Item) || r.String(4) != rows[n].Function || r.Bool(7) != rows[n].Cold {
			t.Errorf("row %d differs", n)
		}
		n++
	}
	if r.Err() != nil || n != 2 {
		t.Fatalf("read %d rows, err %v", n, r.Err())
	}
}

const header = "dag_id,invocation_id,arrival_s,width,depth,nodes,data_bytes,skew,latency_s\n"

func TestDAGTableMalformedRows(t *testing.T) {
	for _, tc := range []struct {
		row, where, column string
	}{
		{"d,1,0.5,x,1,1,0,1,1", "line 3", "width"},
		{"d,1,0.5,0,1,1,0,1,1", "line 3", "width"},
		{"d,1,0.5,3,2,2,0,1,1", "line 3", "nodes"},
		{"d,1,-4,1,1,1,0,1,1", "line 3", "arrival_s"},
		{"d,1,0.5,1,1,1,0,0.5,1", "line 3", "skew"},
		{"d,1,0.5,1,1,1,-7,1,1", "line 3", "data_bytes"},
		{"d,1,0.5,1,1,1,-1,1,1", "line 3", "data_bytes"}, // unknown is null, not -1
		{"d,1,0.5,1,1,1,0,1,NaN", "line 3", "latency_s"},
		{",1,0.5,1,1,1,0,1,1", "line 3", "dag_id"},
	} {
		in := header + "ok,0,0,1,1,1,0,1,1\n" + tc.row + "\n"
		r, err := NewDAGCSVReader(strings.NewReader(in), "t.csv")
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
		}
		err = r.Err()
		if err == nil || !strings.Contains(err.Error(), "t.csv: "+tc.where) || !strings.Contains(err.Error(), `"`+tc.column+`"`) {
			t.Errorf("row %q: got %v, want an error naming t.csv, %s and column %q", tc.row, err, tc.where, tc.column)
		}
	}
	// The same checks hold on Parquet, by row number.
	path := filepath.Join(t.TempDir(), "bad.parquet")
	w, _ := CreateDAGTable(path)
	good, bad := sampleInvocations(3), DAGInvocation{DAG: "d", Width: 2, Depth: 2, Nodes: 1, Skew: 1}
	w.Write(&good[0])
	w.Write(&bad)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := OpenDAGTable(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for r.Next() {
	}
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "row 2") || !strings.Contains(err.Error(), `"nodes"`) {
		t.Errorf("bad Parquet row: got %v, want row 2, column \"nodes\"", err)
	}
}

func TestCharacterizeRejectsEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.csv")
	os.WriteFile(path, []byte(header), 0o644)
	if _, err := CharacterizeFile(path); err == nil {
		t.Error("an empty trace characterized without error")
	}
}

// TestCharacterizeKeepsTheTrace: a trace in the output folder under a table's name is refused
// before any table is written, and stays whole. Before, `trace characterize --in d/stats.csv
// --out d` replaced the trace with the statistics table.
func TestCharacterizeKeepsTheTrace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "stats.csv")
	trace := header + "d,0,0,1,1,1,0,1,1\nd,1,5,1,1,1,0,1,2\n"
	if err := os.WriteFile(path, []byte(trace), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := CharacterizeFile(path)
	if err != nil {
		t.Fatal(err)
	}
	err = c.WriteTables(dir, AzurePublished)
	if want := path + " is the trace " + path + ", and the characterization writes stats.csv into " + dir; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != trace {
		t.Errorf("the trace now reads %q (%v)", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "popularity.csv")); err == nil {
		t.Error("a table was written")
	}
}

var located = regexp.MustCompile(`^fuzz\.csv: (line \d+|after row \d+|header)`)

// FuzzDAGCSVReader: any input either reads as valid rows or stops with an error that names the
// file and where; it never panics.
func FuzzDAGCSVReader(f *testing.F) {
	f.Add([]byte(header + "d,0,0,1,1,1,0,1,1\n"))
	f.Add([]byte(header + "d,0,0,2,2,3,100,1.5,0.2\nd,1,1e3,1,3,3,,1,7\n"))
	f.Add([]byte(header + "d,0,0,1,1\n"))
	f.Add([]byte("latency_s,dag_id,invocation_id,arrival_s,width,depth,nodes,data_bytes,skew\n1,\"a\"\"b\",0,0,1,1,1,0,1\n"))
	// An unterminated quote ("\"d,0,...") once panicked inside tables' CSV reader; it no longer
	// does, and testdata/fuzz/FuzzDAGCSVReader/unterminated-quote keeps it as a regression case.
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewDAGCSVReader(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Fatalf("header error does not name the file: %v", err)
			}
			return
		}
		for r.Next() {
			row := r.Row()
			_, msg := checkDAGRow(row)
			if msg == "" {
				_, msg = checkShape(int64(row.Width), int64(row.Depth), int64(row.Nodes), row.DataBytes, row.DataBytes == -1)
			}
			if msg != "" {
				t.Fatalf("Next accepted an invalid row: %+v: %s", row, msg)
			}
		}
		if err := r.Err(); err != nil && !located.MatchString(err.Error()) {
			t.Fatalf("error does not say where: %v", err)
		}
	})
}

// TestDAGTableUnknownData: unknown intermediate data (DataBytes -1 in memory) is an empty field in
// CSV, a null in Parquet, and -1 again when read back.
func TestDAGTableUnknownData(t *testing.T) {
	for _, ext := range []string{".csv", ".parquet"} {
		path := filepath.Join(t.TempDir(), "t"+ext)
		w, err := CreateDAGTable(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, b := range []int64{-1, 0, 5} {
			if err := w.Write(&DAGInvocation{DAG: "d", Invocation: int64(i), Width: 1, Depth: 1, Nodes: 1, DataBytes: b, Skew: 1}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if ext == ".csv" {
			b, _ := os.ReadFile(path)
			if !strings.Contains(string(b), "\nd,0,0,1,1,1,,1,0\n") {
				t.Errorf("CSV %q: want an empty data_bytes for unknown", b)
			}
		}
		r, err := OpenDAGTable(path)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for r.Next() {
			got = append(got, r.Row().DataBytes)
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if !slices.Equal(got, []int64{-1, 0, 5}) {
			t.Errorf("%s: data_bytes read back %v, want [-1 0 5]", ext, got)
		}
	}
}

// Within a Parquet batch a row costs no allocation: its dag_id is the string kept for the first
// row of that DAG, not a copy of its own.
func TestDAGReaderRowsAllocateNothing(t *testing.T) {
	rows := sampleInvocations(2000) // 13 DAGs, one batch
	path := filepath.Join(t.TempDir(), "t.parquet")
	writeDAGTable(t, path, rows)
	r, err := OpenDAGTable(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.Next() { // loads the batch
		t.Fatal(r.Err())
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		if !r.Next() {
			t.Fatal("rows ran out", r.Err())
		}
		i++
		if got := r.Row(); got.DAG != rows[i].DAG || got.Invocation != rows[i].Invocation {
			t.Fatalf("row %d: got %s/%d, want %s/%d", i, got.DAG, got.Invocation, rows[i].DAG, rows[i].Invocation)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations a row, want 0", allocs)
	}
}

// Past maxInternedDAGs distinct ids the reader copies new ids instead of keeping them: the ids
// stay right and the table of kept ids stops growing.
func TestDAGReaderInternBound(t *testing.T) {
	n := maxInternedDAGs + 100
	var b strings.Builder
	b.WriteString("dag_id,invocation_id,arrival_s,width,depth,nodes,data_bytes,skew,latency_s\n")
	for i := range n {
		fmt.Fprintf(&b, "d%d,%d,%d,1,1,1,,1,0.5\n", i%(n-50), i, i) // the last 50 rows repeat early ids
	}
	r, err := NewDAGCSVReader(strings.NewReader(b.String()), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for r.Next() {
		ids = append(ids, r.Row().DAG)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ids) != n {
		t.Fatalf("read %d rows, want %d", len(ids), n)
	}
	for i, id := range ids {
		if want := fmt.Sprintf("d%d", i%(n-50)); id != want {
			t.Fatalf("row %d: dag_id %q, want %q", i, id, want)
		}
	}
	if len(r.ids) != maxInternedDAGs {
		t.Errorf("%d ids kept, want the bound %d", len(r.ids), maxInternedDAGs)
	}
}

// TestDAGReaderRepeatedRow: a (dag_id, invocation_id) that a row of the same arrival instant had
// is an error at the repeat, whether the twins are next to each other or not; at another instant
// it is not looked for (that would take memory growing with the trace).
func TestDAGReaderRepeatedRow(t *testing.T) {
	for _, c := range []struct {
		name, rows, want string // want "": no error
	}{
		{"next to each other", "a,0,1,1,1,1,,1,1\na,0,1,1,1,1,,1,1\n", `t.csv: line 3, column "invocation_id": 0 of DAG "a" again, at the same arrival_s 1`},
		{"apart at one instant", "a,0,1,1,1,1,,1,1\nb,0,1,1,1,1,,1,1\na,1,1,1,1,1,,1,1\nb,0,1,1,1,1,,1,1\n", `t.csv: line 5, column "invocation_id": 0 of DAG "b" again`},
		{"the same id of another DAG", "a,0,1,1,1,1,,1,1\nb,0,1,1,1,1,,1,1\n", ""},
		{"at another instant", "a,0,1,1,1,1,,1,1\nb,1,1,1,1,1,,1,1\na,0,2,1,1,1,,1,1\n", ""},
	} {
		r, err := NewDAGCSVReader(strings.NewReader(header+c.rows), "t.csv")
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
		}
		if err := r.Err(); c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	// Past maxSameInstant rows at one instant, further ones are not remembered: memory stays
	// bounded, and the instant after it starts afresh.
	var b strings.Builder
	b.WriteString(header)
	for i := range maxSameInstant + 10 {
		fmt.Fprintf(&b, "a,%d,0,1,1,1,,1,1\n", i)
	}
	b.WriteString("a,0,5,1,1,1,,1,1\na,0,5,1,1,1,,1,1\n")
	r, err := NewDAGCSVReader(strings.NewReader(b.String()), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r.Next() {
		n++
		if n == maxSameInstant+10 && len(r.same) != maxSameInstant {
			t.Errorf("%d keys kept at one instant, want the bound %d", len(r.same), maxSameInstant)
		}
	}
	if want := fmt.Sprintf("line %d, column \"invocation_id\"", maxSameInstant+13); r.Err() == nil || !strings.Contains(r.Err().Error(), want) {
		t.Errorf("the repeat after a large instant: error %v, want %q", r.Err(), want)
	}
}
