package tables

import (
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet/file"
)

var testSchema = Schema{{Name: "id", Type: Int64}, {Name: "name", Type: String}, {Name: "x", Type: Float64}, {Name: "ok", Type: Bool}}

type row struct {
	id   int64
	name string
	x    float64
	ok   bool
}

func writeRows(t *testing.T, path string, rows []row, opts ...Options) {
	t.Helper()
	writeRowsAs(t, path, testSchema, rows, opts...)
}

// writeRowsAs writes rows under schema, testSchema's columns with other settings, or its first
// three (a file without "ok").
func writeRowsAs(t *testing.T, path string, schema Schema, rows []row, opts ...Options) {
	t.Helper()
	w, err := Create(path, schema, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, r := range rows {
		w.Int(r.id)
		w.String(r.name)
		w.Float(r.x)
		if len(schema) > 3 {
			w.Bool(r.ok)
		}
		if err := w.EndRow(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func readRows(t *testing.T, path string, schema Schema, opts ...Options) []row {
	t.Helper()
	r, err := Open(path, schema, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []row
	id, name, x, ok := schema.Index("id"), schema.Index("name"), schema.Index("x"), schema.Index("ok")
	for r.Next() {
		out = append(out, row{r.Int(id), r.String(name), r.Float(x), r.Bool(ok)})
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sampleRows(n int) []row {
	rows := make([]row, n)
	for i := range rows {
		rows[i] = row{int64(i) - 5, "f" + strings.Repeat("x", i%7), float64(i)/3 + 1e-9*float64(i), i%3 == 0}
	}
	rows[0].x = math.SmallestNonzeroFloat64
	rows[0].name = `quote "and" comma, newline` + "\n"
	return rows
}

func TestRoundTrip(t *testing.T) {
	// More rows than one Parquet batch, so batching and the final partial batch are both exercised.
	rows := sampleRows(batchRows + 123)
	for _, ext := range []string{".csv", ".parquet"} {
		t.Run(ext, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			path := filepath.Join(t.TempDir(), "t"+ext)
			writeRows(t, path, rows, Options{Allocator: mem})
			// Read with the columns in another order: readers match by name.
			reordered := Schema{testSchema[3], testSchema[2], testSchema[1], testSchema[0]}
			got := readRows(t, path, reordered, Options{Allocator: mem})
			if len(got) != len(rows) {
				t.Fatalf("read %d rows, wrote %d", len(got), len(rows))
			}
			for i := range rows {
				if got[i] != rows[i] {
					t.Fatalf("row %d: got %+v, want %+v", i, got[i], rows[i])
				}
			}
		})
	}
}

// TestPlainColumns: columns marked Plain are written without a dictionary, the others with one,
// and the table reads back the same as when written all with dictionaries.
func TestPlainColumns(t *testing.T) {
	plain := slices.Clone(testSchema)
	plain[0].Plain, plain[2].Plain = true, true // id, x: distinct values
	rows := sampleRows(2*batchRows + 5)
	dir := t.TempDir()
	for _, c := range []struct {
		name   string
		schema Schema
		dict   []bool // per column of testSchema (a bool column never has one)
	}{
		{"dict.parquet", testSchema, []bool{true, true, true, false}},
		{"plain.parquet", plain, []bool{false, true, false, false}},
	} {
		path := filepath.Join(dir, c.name)
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		writeRowsAs(t, path, c.schema, rows, Options{Allocator: mem})
		got := readRows(t, path, testSchema, Options{Allocator: mem})
		mem.AssertSize(t, 0)
		if len(got) != len(rows) {
			t.Fatalf("%s: read %d rows, wrote %d", c.name, len(got), len(rows))
		}
		for i := range rows {
			if got[i] != rows[i] {
				t.Fatalf("%s: row %d: got %+v, want %+v", c.name, i, got[i], rows[i])
			}
		}
		pf, err := file.OpenParquetFile(path, false)
		if err != nil {
			t.Fatal(err)
		}
		for rg := range pf.NumRowGroups() {
			md := pf.MetaData().RowGroup(rg)
			for i, want := range c.dict {
				cc, err := md.ColumnChunk(i)
				if err != nil {
					t.Fatal(err)
				}
				if got := cc.HasDictionaryPage(); got != want {
					t.Errorf("%s: row group %d, column %q: dictionary page %v, want %v", c.name, rg, testSchema[i].Name, got, want)
				}
			}
		}
		pf.Close()
	}
}

func TestDeterministicBytes(t *testing.T) {
	for _, ext := range []string{".csv", ".parquet"} {
		dir := t.TempDir()
		a, b := filepath.Join(dir, "a"+ext), filepath.Join(dir, "b"+ext)
		writeRows(t, a, sampleRows(1000))
		writeRows(t, b, sampleRows(1000))
		ba, _ := os.ReadFile(a)
		bb, _ := os.ReadFile(b)
		if string(ba) != string(bb) {
			t.Errorf("%s: same rows gave different bytes", ext)
		}
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	for _, ext := range []string{".csv", ".parquet"} {
		dir := t.TempDir()
		path := filepath.Join(dir, "t"+ext)
		w, err := Create(path, testSchema)
		if err != nil {
			t.Fatal(err)
		}
		w.Int(1)
		w.String("a")
		w.Float(1)
		w.Bool(true)
		w.EndRow()
		w.Abort()
		entries, _ := os.ReadDir(dir)
		if len(entries) != 0 {
			t.Errorf("%s: abort left %v", ext, entries)
		}
	}
}

// TestFinishThenClose: Finish writes the table out but leaves nothing at the path; Close then
// puts it in place whole, and Abort after Finish leaves nothing (trace gen and import put the
// catalog in between, so an interrupt no longer leaves a new catalog beside an old trace).
func TestFinishThenClose(t *testing.T) {
	for _, ext := range []string{".csv", ".parquet"} {
		for _, commit := range []bool{true, false} {
			dir := t.TempDir()
			path := filepath.Join(dir, "t"+ext)
			writeRowsTo := func(w *Writer) {
				for _, r := range sampleRows(3) {
					w.Int(r.id)
					w.String(r.name)
					w.Float(r.x)
					w.Bool(r.ok)
					if err := w.EndRow(); err != nil {
						t.Fatal(err)
					}
				}
			}
			w, err := Create(path, testSchema, Options{Metadata: map[string]string{"seed": "1"}})
			if err != nil {
				t.Fatal(err)
			}
			writeRowsTo(w)
			if err := w.Finish(); err != nil {
				t.Fatal(err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), ".t") {
				t.Fatalf("%s: after Finish the folder holds %v, want only the hidden temporary file", ext, entries)
			}
			if !commit {
				w.Abort()
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("%s: Abort after Finish left %v", ext, entries)
				}
				continue
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if got := readRows(t, path, testSchema); len(got) != 3 {
				t.Errorf("%s: %d rows after Close, want 3", ext, len(got))
			}
		}
	}
}

func TestWriterErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.csv")
	w, err := Create(path, testSchema)
	if err != nil {
		t.Fatal(err)
	}
	w.String("wrong type first")
	if err := w.EndRow(); err == nil || !strings.Contains(err.Error(), `column "id" is int64`) {
		t.Errorf("type mismatch error = %v", err)
	}
	if err := w.Close(); err == nil {
		t.Error("Close after a write error should fail")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a failed table must not appear at its path")
	}
	if _, err := Create(filepath.Join(t.TempDir(), "t.txt"), testSchema); err == nil {
		t.Error("unknown extension should be an error")
	}
}

func TestCSVReaderErrors(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"missing column", "id,name,x\n1,a,2\n", `lacks column "ok"`},
		{"bad int", "id,name,x,ok\n1,a,2,true\nzz,b,3,false\n", `line 3, column "id": "zz" is not a valid int64`},
		{"bad float", "id,name,x,ok\n1,a,2e,true\n", `line 2, column "x"`},
		// Imported into Parquet strings as is (which must be UTF-8).
		{"not UTF-8", "id,name,x,ok\n1,a\xff,2,true\n", `line 2, column "name": "a\xff" is not valid UTF-8 text`},
		// Go's own literals, which strconv.ParseFloat reads: 1000 and 16 without a word.
		{"underscores", "id,name,x,ok\n1,a,1_000,true\n", `line 2, column "x": "1_000" is not a valid float64`},
		{"hexadecimal", "id,name,x,ok\n1,a,0x1p4,true\n", `line 2, column "x": "0x1p4" is not a valid float64`},
		{"bad bool", "id,name,x,ok\n1,a,2,maybe\n", `column "ok"`},
		{"short row", "id,name,x,ok\n1,a\n", "line 2: has 2 fields"},
		// A row cut short after a comma read its empty field as a value of the next column.
		{"row cut after a comma", "id,name,x,ok\n1,a,2,true\n2,b,\n", "line 3: has 3 fields, the header line has 4"},
		// A row with a field too many was read as if its fields were under the header's columns.
		{"long row", "id,name,x,ok\n1,a,2,true,extra\n", "line 2: has 5 fields, the header line has 4"},
		{"empty", "", "empty file"},
		{"bad quote", "id,name,x,ok\n1,\"a,2,true\n", "line 2"},
		{"unterminated quote (fuzz crasher)", "id,name,x,ok\n\"000000000000", "line 2"},
		// The last of the two was read, silently.
		{"column twice", "id,name,x,ok,x\n1,a,2,true,3\n", `line 1: header names column "x" twice (fields 3 and 5), want each column once`},
		// Was `header lacks column "id"`.
		{"Parquet under a CSV name", "PAR1\x15\x04\x15\x80", "a Parquet file (it starts with PAR1), but the name says CSV"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := NewCSVReader(strings.NewReader(c.body), "in.csv", testSchema)
			if err == nil {
				for r.Next() {
				}
				err = r.Err()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "in.csv") {
				t.Errorf("error = %v, want it to name in.csv and contain %q", err, c.want)
			}
		})
	}
}

// TestCSVByteOrderMark: a CSV table saved with a UTF-8 byte order mark (a spreadsheet's "CSV
// UTF-8") reads as without it. Before, the mark became part of the first column's name, and the
// reader said the header lacked that column.
func TestCSVByteOrderMark(t *testing.T) {
	r, err := NewCSVReader(strings.NewReader("\ufeffid,name,x,ok\n7,a,2.5,true\n"), "bom.csv", testSchema)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Next() {
		t.Fatalf("no row: %v", r.Err())
	}
	if r.Int(0) != 7 || r.String(1) != "a" || r.Line() != 2 {
		t.Errorf("row: id %d, name %q at line %d, want 7, \"a\" at line 2", r.Int(0), r.String(1), r.Line())
	}
	// Only a leading mark is one: elsewhere it stays part of the value.
	r, err = NewCSVReader(strings.NewReader("id,name,x,ok\n7,\ufeffa,2.5,true\n"), "mid.csv", testSchema)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Next() || r.String(1) != "\ufeffa" {
		t.Errorf("name %q, want the mark kept inside a value", r.String(1))
	}
}

func TestLineOfMultilineRows(t *testing.T) {
	body := "id,name,x,ok\n1,\"two\nlines\",1,true\n2,b,2,false\n"
	r, err := NewCSVReader(strings.NewReader(body), "in.csv", testSchema)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for r.Next() {
		lines = append(lines, r.Line())
	}
	if len(lines) != 2 || lines[0] != 2 || lines[1] != 4 {
		t.Errorf("row lines = %v, want [2 4]", lines)
	}
}

func TestParquetSchemaMismatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.parquet")
	writeRows(t, path, sampleRows(3))
	if _, err := Open(path, Schema{{Name: "id", Type: Float64}}); err == nil || !strings.Contains(err.Error(), `column "id"`) {
		t.Errorf("type mismatch error = %v", err)
	}
	if _, err := Open(path, Schema{{Name: "nope", Type: Int64}}); err == nil || !strings.Contains(err.Error(), `no column "nope"`) {
		t.Errorf("missing column error = %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.parquet")
	os.WriteFile(bad, []byte("not parquet"), 0o644)
	if _, err := Open(bad, testSchema); err == nil || !strings.Contains(err.Error(), "bad.parquet") {
		t.Errorf("corrupt file error = %v", err)
	}
	// A CSV table under a Parquet name says so (it read "file is smaller than indicated
	// metadata size"); a Parquet file cut short still reads as one that is unreadable.
	os.WriteFile(bad, []byte("id,name,x,ok\n1,a,2,true\n"), 0o644)
	if _, err := Open(bad, testSchema); err == nil || !strings.Contains(err.Error(), `not a Parquet file (it does not start with PAR1; starts with "id,n")`) || !strings.Contains(err.Error(), "a name ending in .csv") {
		t.Errorf("a CSV file named .parquet: %v", err)
	}
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(bad, whole[:len(whole)/2], 0o644)
	if _, err := Open(bad, testSchema); err == nil || !strings.Contains(err.Error(), "not a readable Parquet file") {
		t.Errorf("a Parquet file cut short: %v", err)
	}
}

// TestLongValueClipped: a column error quotes at most a few hundred bytes of the value (a 50 MB
// dag_id made a 50 MB message) and says how long the message was.
func TestLongValueClipped(t *testing.T) {
	r, err := NewCSVReader(strings.NewReader("id,name,x,ok\n1,a,"+strings.Repeat("9x", 1e6)+",true\n"), "in.csv", testSchema)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
	}
	err = r.Err()
	if err == nil || len(err.Error()) > 700 || !strings.Contains(err.Error(), `in.csv: line 2, column "x": "9x9x`) || !strings.Contains(err.Error(), "bytes in all)") {
		t.Errorf("%d bytes: %.300v", len(fmt.Sprint(err)), err)
	}
}

// TestCorruptParquetPage: a file whose snappy-compressed page is corrupt (found by
// FuzzDAGParquetReader) made arrow's decoder panic, which reached the user as an internal error
// (exit 3); it is an error naming the file and the row before the corrupt data.
func TestCorruptParquetPage(t *testing.T) {
	schema := Schema{{Name: "dag_id", Type: String}, {Name: "arrival_s", Type: Float64}}
	r, err := Open(filepath.Join("testdata", "corrupt-snappy-page.parquet"), schema)
	if err == nil {
		for r.Next() {
		}
		err = r.Err()
		r.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "corrupt-snappy-page.parquet: after row 0: corrupt Parquet data: snappy: corrupt input") {
		t.Errorf("error = %v, want it to name the file, the row and the corrupt page", err)
	}
}

// TestCorruptParquetRowCount: a byte flipped anywhere in a Parquet file gives an error or every
// row the footer counts, never fewer rows and no error: some corrupt pages ended arrow's record
// reader without one, and a trace of 2,000 rows read as one of none ("has no DAG invocation").
func TestCorruptParquetRowCount(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.parquet")
	rows := sampleRows(3000)
	writeRows(t, path, rows)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.parquet")
	short := 0
	for off := 4; off < len(good)-8; off += max(1, len(good)/400) {
		b := slices.Clone(good)
		b[off] ^= 0xff
		if err := os.WriteFile(bad, b, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(bad, testSchema)
		if err != nil {
			continue
		}
		n := 0
		for r.Next() {
			n++
		}
		err = r.Err()
		r.Close()
		if err == nil && n != len(rows) {
			t.Errorf("byte %d flipped: %d rows and no error, want %d or an error", off, n, len(rows))
		}
		if err != nil && strings.Contains(err.Error(), "the footer says") {
			short++
		}
	}
	if short == 0 {
		t.Fatal("no flip read short: the test no longer reaches the case it is for (change the rows or the step)")
	}
	t.Logf("%d flips read short, each reported", short)
}

func FuzzCSVReader(f *testing.F) {
	f.Add("id,name,x,ok\n1,a,2.5,true\n")
	f.Add("ok,x,name,id,extra\nfalse,1e300,\"q\"\"\",7,z\n")
	f.Fuzz(func(t *testing.T, body string) {
		r, err := NewCSVReader(strings.NewReader(body), "fuzz.csv", testSchema)
		if err != nil {
			return
		}
		for r.Next() {
			_ = r.String(1)
		}
	})
}

func BenchmarkWriteParquet(b *testing.B) {
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		w, err := Create(filepath.Join(dir, "b.parquet"), testSchema)
		if err != nil {
			b.Fatal(err)
		}
		for i := range 100000 {
			w.Int(int64(i))
			w.String("fn")
			w.Float(float64(i))
			w.Bool(true)
			w.EndRow()
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestWriteRunOntoFolder: a run's tables written over a folder (the invocation table's name or
// the DAG table's) are refused before anything is written; an empty folder used to be removed
// and replaced, and a full one to fail after the DAG table was committed.
func TestWriteRunOntoFolder(t *testing.T) {
	for _, which := range []string{"runs.parquet", "runs-dags.parquet"} {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, which), 0o755); err != nil {
			t.Fatal(err)
		}
		err := WriteRun(filepath.Join(dir, "runs.parquet"), nil, nil)
		if err == nil || !strings.Contains(err.Error(), which+" is a folder") {
			t.Errorf("%s a folder: err = %v", which, err)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 || !entries[0].IsDir() {
			t.Errorf("%s a folder: the folder holds %v afterwards, want only the folder", which, entries)
		}
	}
}

// TestNullsAndMetadata: a nullable column's nulls and the provenance round-trip in both formats,
// nulls written to a non-nullable column are refused, and a CSV's provenance sits in its sidecar.
func TestNullsAndMetadata(t *testing.T) {
	schema := Schema{{Name: "policy", Type: String}, {Name: "slo_s", Type: Float64, Nullable: true}, {Name: "bytes", Type: Int64, Nullable: true}}
	meta := map[string]string{"command": "wisefuse simulate --seed 7", "seed": "7"}
	for _, ext := range []string{".csv", ".parquet"} {
		t.Run(ext, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			path := filepath.Join(t.TempDir(), "t"+ext)
			w, err := Create(path, schema, Options{Allocator: mem, Metadata: meta})
			if err != nil {
				t.Fatal(err)
			}
			w.String("user-max")
			w.Null()
			w.Null()
			w.EndRow()
			w.String("wisefuse")
			w.Float(30)
			w.Int(0)
			w.EndRow()
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			r, err := Open(path, schema, Options{Allocator: mem})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for r.Next() {
				got = append(got, fmt.Sprintf("%s %v/%g %v/%d", r.String(0), r.IsNull(1), r.Float(1), r.IsNull(2), r.Int(2)))
			}
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			r.Close()
			if want := []string{"user-max true/0 true/0", "wisefuse false/30 false/0"}; !slices.Equal(got, want) {
				t.Errorf("rows = %q, want %q", got, want)
			}
			m, err := ReadMetadata(path)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(m, meta) {
				t.Errorf("metadata = %v, want %v", m, meta)
			}
			_, err = os.Stat(MetadataPath(path))
			if hasSidecar := err == nil; hasSidecar != (ext == ".csv") {
				t.Errorf("sidecar present = %v", hasSidecar)
			}
		})
	}
	w, err := NewWriter(io.Discard, CSV, schema)
	if err != nil {
		t.Fatal(err)
	}
	w.Null()
	if err := w.EndRow(); err == nil || !strings.Contains(err.Error(), `column "policy" is not nullable`) {
		t.Errorf("null in a non-nullable column: error = %v", err)
	}
}

// FuzzReadInvocations: any invocation table given to 'profile --workflow W RECORDS' either reads
// as records every check passes, or stops with an error naming the file; never a panic.
func FuzzReadInvocations(f *testing.F) {
	const hdr = "run,step,function,item,bundle,vm,memory_mb,cold,start_s,init_s,download_s,compute_s,upload_s,in_bytes,out_bytes,end_s,cost_usd\n"
	f.Add([]byte(hdr + "0,A,A,0,0,1,1024,false,0.1,0,0.015,1.72,0.025,1000,1000,1.86,3.5e-05\n"))
	f.Add([]byte(hdr + "0,A,A,0,0,1,1024,true,0.1,0.5,0.015,1.72,0.025,1000,1000,0.05,3.5e-05\n")) // ends before it starts
	f.Add([]byte(hdr + "0,A,A,0,0,1,1024,false,NaN,0,0,0,0,0,0,1,0\n"))
	f.Add([]byte(strings.TrimSuffix(hdr, "\n") + ",timed_out\n0,A,A,0,0,1,1024,false,0.1,0,0,900,0,0,0,900.1,0.01,true\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "r.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		recs, err := ReadInvocations(path, nil)
		if err != nil {
			if !strings.Contains(err.Error(), "r.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for i := range recs {
			if col, msg := checkInvocation(&recs[i]); msg != "" {
				t.Fatalf("record %d read with a bad %s: %s", i, col, msg)
			}
		}
	})
}

// A null in a Parquet column the reader's schema does not allow is an error at its row and
// column: the first such row, and of its columns the first in schema order, even when the
// batch before it had no null and a later column of the batch has one first.
func TestParquetNullInRequiredColumn(t *testing.T) {
	nullable := Schema{{Name: "a", Type: Int64, Nullable: true}, {Name: "b", Type: Float64, Nullable: true}}
	required := Schema{{Name: "a", Type: Int64}, {Name: "b", Type: Float64}}
	for _, c := range []struct {
		nullA, nullB int // 1-based rows with a null in a and in b; 0: none
		want         string
	}{
		{0, 0, ""},
		{batchRows + 7, 0, fmt.Sprintf(`row %d, column "a": null value, want a int64`, batchRows+7)},
		{batchRows + 7, batchRows + 3, fmt.Sprintf(`row %d, column "b": null value, want a float64`, batchRows+3)},
		{batchRows + 3, batchRows + 3, fmt.Sprintf(`row %d, column "a": null value, want a int64`, batchRows+3)},
		{2, batchRows + 1, `row 2, column "a": null value, want a int64`},
	} {
		path := filepath.Join(t.TempDir(), "t.parquet")
		w, err := Create(path, nullable)
		if err != nil {
			t.Fatal(err)
		}
		n := 2*batchRows + 10
		for i := 1; i <= n; i++ {
			if i == c.nullA {
				w.Null()
			} else {
				w.Int(int64(i))
			}
			if i == c.nullB {
				w.Null()
			} else {
				w.Float(float64(i))
			}
			if err := w.EndRow(); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := Open(path, required)
		if err != nil {
			t.Fatal(err)
		}
		rows := 0
		for r.Next() {
			rows++
			if r.Int(0) != int64(rows) || r.Float(1) != float64(rows) {
				t.Fatalf("row %d: got %d, %v", rows, r.Int(0), r.Float(1))
			}
		}
		err = r.Err()
		r.Close()
		switch {
		case c.want == "" && (err != nil || rows != n):
			t.Errorf("no nulls: read %d of %d rows, error %v", rows, n, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("nulls at rows %d (a) and %d (b): error %v, want one with %q", c.nullA, c.nullB, err, c.want)
		}
	}
}

// TestParquetColumnTwice: a Parquet file that names a column twice is refused (which one holds
// the values?), as a CSV header that does; the first was read, silently.
func TestParquetColumnTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "twice.parquet")
	twice := Schema{{Name: "id", Type: Int64}, {Name: "name", Type: String}, {Name: "id", Type: Int64}}
	w, err := Create(path, twice)
	if err != nil {
		t.Fatal(err)
	}
	w.Int(1)
	w.String("a")
	w.Int(2)
	if err := w.EndRow(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, Schema{{Name: "id", Type: Int64}, {Name: "name", Type: String}})
	if err == nil || !strings.Contains(err.Error(), `twice.parquet: column "id" appears 2 times`) {
		t.Errorf("got %v, want an error naming the column twice", err)
	}
}
