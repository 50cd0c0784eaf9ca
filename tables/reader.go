package tables

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
)

// Reader streams the rows of a table. Columns are matched by name, so a file may hold them in any
// order and hold extra columns, which are ignored; an Optional column may be missing (its zero
// value is read). Values of row r are read with Int, Float,
// String and Bool by the column's index in the reader's schema, after Next returned true.
type Reader struct {
	schema Schema
	path   string
	row    int64 // 1-based data row number of the current row
	line   int   // CSV: line where the current row starts (quoted fields may span lines)
	err    error

	// CSV
	f      *os.File
	csv    *csv.Reader
	tail   *tailReader // under csv: the last byte read
	colIdx []int       // schema column -> CSV field index; -1: an Optional column the file lacks
	fields int         // fields of the header line: every row must have as many
	ints   []int64
	floats []float64
	strs   []string
	bools  []bool
	nulls  []bool

	// Parquet
	pf   *file.Reader
	rr   pqarrow.RecordReader
	rec  arrow.Record
	cols []arrow.Array // schema column -> array of the current batch, or zeros for an Optional column the file lacks
	pos  int           // row within the current batch
	// nullCols lists the columns that may not be null but have nulls in the current batch:
	// only they need a look at each row (usually none does).
	nullCols []int
}

// Open starts reading the table at path (CSV or Parquet by extension) with the given schema.
func Open(path string, schema Schema, opts ...Options) (*Reader, error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	if format == CSV {
		return OpenCSV(path, schema)
	}
	r := &Reader{schema: schema, path: path}
	if err := r.openParquet(opts); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// openParquet opens r.path's Parquet file and its record reader. arrow's decoders panic on some
// corrupt files instead of returning an error (a corrupt snappy page panics with "snappy: corrupt
// input", found by FuzzDAGParquetReader); such a panic is the file's fault, so it becomes the
// error naming the file, as a corrupt footer's error does, not an internal error of wisefuse.
func (r *Reader) openParquet(opts []Options) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%s: not a readable Parquet file: corrupt: %v", r.path, v)
		}
	}()
	pf, err := file.OpenParquetFile(r.path, false)
	if err != nil {
		if head, herr := fileHead(r.path, 4); herr == nil && len(head) == 0 {
			return fmt.Errorf("%s: empty file: want a Parquet table with columns %s", r.path, r.schema.names())
		} else if herr == nil && string(head) != "PAR1" {
			// arrow's own message ("file is smaller than indicated metadata size") hid this.
			return fmt.Errorf("%s: not a Parquet file (it does not start with PAR1; starts with %q): want a Parquet table with columns %s, or, for a CSV table, a name ending in .csv", r.path, head, r.schema.names())
		}
		return fmt.Errorf("%s: not a readable Parquet file: %w", r.path, err)
	}
	r.pf = pf
	return r.initParquet(opts)
}

// fileHead returns up to n first bytes of the file at path.
func fileHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	k, err := io.ReadFull(f, b)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return b[:k], err
}

// nextBatch advances the record reader to the next batch, as openParquet turning a panic of
// arrow's decoders on a corrupt page into the reader's error, with the row read before it. The
// record reader decodes in this goroutine (ArrowReadProperties.Parallel is false), so the
// panic reaches this recover.
func (r *Reader) nextBatch() (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			r.err = fmt.Errorf("%s: after row %d: corrupt Parquet data: %v", r.path, r.row, v)
			ok = false
		}
	}()
	if !r.rr.Next() {
		if err := r.rr.Err(); err != nil && !errors.Is(err, io.EOF) {
			r.err = fmt.Errorf("%s: after row %d: %w", r.path, r.row, err)
		} else if n := r.pf.NumRows(); r.row != n {
			// Some corrupt pages end the record reader without an error: a flipped byte made a
			// trace of 2,000 rows read as one of none ("has no DAG invocation").
			r.err = fmt.Errorf("%s: corrupt Parquet data: the footer says %d rows, %d could be read", r.path, n, r.row)
		}
		return false
	}
	return true
}

// OpenCSV opens the CSV table at path whatever its extension (a public dataset may publish CSV
// under another name, e.g. the Azure Functions 2021 trace's .txt).
func OpenCSV(path string, schema Schema) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r := &Reader{schema: schema, path: path, f: f}
	if err := r.initCSV(f); err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// NewCSVReader reads a CSV table from in; name is used in errors.
func NewCSVReader(in io.Reader, name string, schema Schema) (*Reader, error) {
	r := &Reader{schema: schema, path: name}
	if err := r.initCSV(in); err != nil {
		return nil, err
	}
	return r, nil
}

// ParseFloat is strconv.ParseFloat of a CSV field, without what Go's own literals add to a plain
// decimal: digits separated by underscores and hexadecimal mantissas ("1_000", "0x1p4") are no
// spreadsheet's numbers, and a field holding one is refused rather than read as 1000 or 16.
func ParseFloat(s string) (float64, error) {
	if strings.ContainsAny(s, "_xX") {
		return 0, &strconv.NumError{Func: "ParseFloat", Num: s, Err: strconv.ErrSyntax}
	}
	return strconv.ParseFloat(s, 64)
}

// IsParquet reports whether head, a file's first bytes, starts as a Parquet file does: "PAR1",
// then a binary page header, never text.
func IsParquet(head []byte) bool {
	return len(head) >= 5 && string(head[:4]) == "PAR1" && (head[4] < ' ' || head[4] > '~')
}

func (r *Reader) initCSV(in io.Reader) error {
	r.tail = &tailReader{r: in, last: '\n'}
	br := bufio.NewReader(r.tail)
	// A Parquet file under a CSV name read as a header without any column of the schema.
	// (After "PAR1" a Parquet file has a binary page header, never text.)
	if magic, _ := br.Peek(5); IsParquet(magic) {
		return fmt.Errorf("%s: a Parquet file (it starts with PAR1), but the name says CSV: want a CSV table with columns %s, or the name ending in .parquet", r.path, r.schema.names())
	}
	// A spreadsheet's "CSV UTF-8" starts with a byte order mark, which became part of the first
	// column's name ("header lacks column \"dag_id\"" with dag_id right there).
	if bom, _ := br.Peek(3); string(bom) == "\ufeff" {
		br.Discard(3)
	}
	r.csv = csv.NewReader(br)
	r.csv.ReuseRecord = true
	r.csv.FieldsPerRecord = -1
	header, err := r.csv.Read()
	if err == io.EOF {
		return fmt.Errorf("%s: empty file, want a header line with columns %s", r.path, r.schema.names())
	}
	if err != nil {
		return fmt.Errorf("%s: header: %w", r.path, err)
	}
	pos := map[string]int{}
	for i, h := range header {
		// A column of the schema named twice: which field holds its values? (The last one was
		// read, silently.)
		if j, dup := pos[h]; dup && r.schema.Index(h) >= 0 {
			return fmt.Errorf("%s: line 1: header names column %q twice (fields %d and %d), want each column once", r.path, h, j+1, i+1)
		}
		pos[h] = i
	}
	r.fields = len(header)
	r.colIdx = make([]int, len(r.schema))
	for i, c := range r.schema {
		j, ok := pos[c.Name]
		if !ok && c.Optional {
			j = -1
		} else if !ok {
			return fmt.Errorf("%s: line 1: header lacks column %q (want columns %s)", r.path, c.Name, r.schema.names())
		}
		r.colIdx[i] = j
	}
	n := len(r.schema)
	r.ints, r.floats, r.strs, r.bools = make([]int64, n), make([]float64, n), make([]string, n), make([]bool, n)
	r.nulls = make([]bool, n)
	return nil
}

func (r *Reader) initParquet(opts []Options) error {
	fr, err := pqarrow.NewFileReader(r.pf, pqarrow.ArrowReadProperties{BatchSize: batchRows}, allocator(opts))
	if err != nil {
		return fmt.Errorf("%s: %w", r.path, err)
	}
	fs, err := fr.Schema()
	if err != nil {
		return fmt.Errorf("%s: %w", r.path, err)
	}
	// GetRecordReader takes leaf column indices, which equal field indices only in a flat file:
	// a nested column (a struct, list or map) anywhere would shift them, so such a file is
	// refused rather than read from the wrong columns.
	for _, f := range fs.Fields() {
		if nested, ok := f.Type.(arrow.NestedType); ok {
			return fmt.Errorf("%s: column %q is nested (%v): want a flat table with columns %s", r.path, f.Name, nested, r.schema.names())
		}
	}
	want := arrowSchema(r.schema)
	indices := make([]int, 0, len(r.schema))
	r.cols = make([]arrow.Array, len(r.schema))
	for i, c := range r.schema {
		idx := fs.FieldIndices(c.Name)
		if len(idx) == 0 && c.Optional {
			// A batch's worth of its zero value, never null, which every batch reads: the
			// accessors then need no case of their own for it (they are called per value).
			// Go's allocator, not the reader's: it outlives the batches and is nobody's to release.
			b := array.NewBuilder(memory.NewGoAllocator(), want.Field(i).Type)
			b.AppendEmptyValues(batchRows)
			r.cols[i] = b.NewArray()
			b.Release()
			continue
		}
		if len(idx) == 0 {
			return fmt.Errorf("%s: no column %q (want columns %s)", r.path, c.Name, r.schema.names())
		}
		if len(idx) > 1 {
			// Which one holds the values? The first was read, silently (a CSV header refuses it).
			return fmt.Errorf("%s: column %q appears %d times (columns %v), want each column once", r.path, c.Name, len(idx), idx)
		}
		got := fs.Field(idx[0]).Type
		if !arrow.TypeEqual(got, want.Field(i).Type) {
			return fmt.Errorf("%s: column %q is %v, want %v", r.path, c.Name, got, c.Type)
		}
		indices = append(indices, idx[0])
	}
	// Our schemas are flat, so leaf column indices equal field indices.
	rr, err := fr.GetRecordReader(context.Background(), indices, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", r.path, err)
	}
	r.rr = rr
	return nil
}

func (s Schema) names() string {
	var names []string
	for _, c := range s {
		names = append(names, c.Name)
	}
	if len(names) > maxNamed {
		// The Azure 2019 invocation counts have 1,444 columns, and a message listed them all.
		return fmt.Sprintf("%s,...,%s (%d columns)", strings.Join(names[:maxNamed-3], ","), strings.Join(names[len(names)-3:], ","), len(names))
	}
	return strings.Join(names, ",")
}

// maxNamed is the most columns a message lists by name.
const maxNamed = 24

// Next advances to the next row. It returns false at the end or on error; Err tells which.
func (r *Reader) Next() bool {
	if r.err != nil {
		return false
	}
	if r.csv != nil {
		return r.nextCSV()
	}
	return r.nextParquet()
}

// tailReader remembers, for truncated, the last byte read and the length of the last line (its
// newline included): the line being read (cur), or the last complete one (prev) when cur is 0.
type tailReader struct {
	r         io.Reader
	last      byte
	cur, prev int
}

func (t *tailReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		b := p[:n]
		t.last = b[n-1]
		if i := bytes.LastIndexByte(b, '\n'); i < 0 {
			t.cur += n
		} else {
			if j := bytes.LastIndexByte(b[:i], '\n'); j >= 0 {
				t.prev = i - j
			} else {
				t.prev = t.cur + i + 1
			}
			t.cur = n - i - 1
		}
	}
	return n, err
}

// lastLine is the length of the file's last line, its newline included (once all is read).
func (t *tailReader) lastLine() int {
	if t.cur > 0 {
		return t.cur
	}
	return t.prev
}

// truncated is a hint for the error of a CSV row that is the file's last and has no newline, or
// ends inside a quoted field (quoteErr, a quote error whose column is past the end of the last
// line: encoding/csv's report of a quoted field that runs to the end of the file, where a stray
// quote is reported at the quote): the file is probably cut short (a copy or a write that
// stopped), which a message such as `extraneous or missing " in quoted-field` did not say. ""
// otherwise. It reads on past the row.
func (r *Reader) truncated(quoteErr bool, column int) string {
	if _, err := r.csv.Read(); err != io.EOF {
		return ""
	}
	switch {
	case quoteErr && column > r.tail.lastLine():
		return "; the file ends inside this row's quoted field: a quote left open, or the file cut short (truncated)"
	case r.tail.last != '\n':
		return "; it is the file's last line and has no newline: the file looks cut short (truncated)"
	}
	return ""
}

func (r *Reader) nextCSV() bool {
	rec, err := r.csv.Read()
	if err == io.EOF {
		return false
	}
	if err != nil {
		// FieldPos is only defined after a successful Read, so the line comes from the error.
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			where := fmt.Sprintf("line %d", pe.Line)
			if pe.StartLine != pe.Line {
				// A quote left open runs the row on over the lines after it: say where it began.
				where = fmt.Sprintf("line %d (of the row that starts on line %d)", pe.Line, pe.StartLine)
			}
			r.err = fmt.Errorf("%s: %s: %v%s", r.path, where, pe.Err, r.truncated(errors.Is(pe.Err, csv.ErrQuote), pe.Column))
		} else {
			r.err = fmt.Errorf("%s: after row %d: %w", r.path, r.row, err)
		}
		return false
	}
	line, _ := r.csv.FieldPos(0)
	r.line = line
	r.row++
	if len(rec) != r.fields {
		// A row with a field too few or too many has its values under the wrong columns (a
		// row "a,b,," cut short read its empty field as the next column's value).
		r.err = fmt.Errorf("%s: line %d: has %d fields, the header line has %d (want one field per column)%s", r.path, line, len(rec), r.fields, r.truncated(false, 0))
		return false
	}
	for i, c := range r.schema {
		j := r.colIdx[i]
		if j < 0 {
			continue // an Optional column the file lacks: its zero value, set once by initCSV
		}
		v := rec[j]
		// An empty field is null in a nullable column (a string column's "" stays a string).
		if r.nulls[i] = c.Nullable && v == "" && c.Type != String; r.nulls[i] {
			r.ints[i], r.floats[i], r.bools[i] = 0, 0, false
			continue
		}
		var perr error
		switch c.Type {
		case Int64:
			r.ints[i], perr = strconv.ParseInt(v, 10, 64)
		case Float64:
			r.floats[i], perr = ParseFloat(v)
		case String:
			// Parquet strings are UTF-8: an imported name that is not went into them as is.
			if !utf8.ValidString(v) {
				r.err = r.ColumnErrorf(c.Name, "%q is not valid UTF-8 text", v)
				return false
			}
			r.strs[i] = v
		case Bool:
			r.bools[i], perr = strconv.ParseBool(v)
		}
		if perr != nil {
			r.err = r.ColumnErrorf(c.Name, "%q is not a valid %v, want %s", v, c.Type, c.Type.want())
			return false
		}
	}
	return true
}

func (r *Reader) nextParquet() bool {
	r.pos++
	for r.rec == nil || r.pos >= int(r.rec.NumRows()) {
		if !r.nextBatch() {
			return false
		}
		r.rec = r.rr.Record() // owned by the record reader, valid until the next call to Next
		rs := r.rec.Schema()
		r.nullCols = r.nullCols[:0]
		for i, c := range r.schema {
			idx := rs.FieldIndices(c.Name)
			if len(idx) == 0 {
				continue // an Optional column the file lacks: its zero values (initParquet)
			}
			r.cols[i] = r.rec.Column(idx[0])
			if !c.Nullable && r.cols[i].NullN() > 0 {
				r.nullCols = append(r.nullCols, i)
			}
		}
		r.pos = 0
	}
	r.row++
	for _, i := range r.nullCols {
		if r.cols[i].IsNull(r.pos) {
			c := r.schema[i]
			r.err = r.ColumnErrorf(c.Name, "null value, want a %v", c.Type)
			return false
		}
	}
	return true
}

// Line returns the line of a CSV file where the current row starts (the header is line 1), or 0
// for Parquet, whose rows have no lines; error messages use Row there.
func (r *Reader) Line() int { return r.line }

// Row returns the 1-based number of the current data row.
func (r *Reader) Row() int64 { return r.row }

// Where names the current row for an error message: "line N" in a CSV file, "row N" in Parquet.
func (r *Reader) Where() string {
	if r.csv != nil {
		return fmt.Sprintf("line %d", r.line)
	}
	return fmt.Sprintf("row %d", r.row)
}

// ColumnErrorf is an error about column col of the current row: "FILE: line N, column "col": "
// and the message, cut to maxMessage bytes (a value it quotes can be as long as the file: a
// 50 MB dag_id made a 50 MB message).
func (r *Reader) ColumnErrorf(col, format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	if len(msg) > maxMessage {
		msg = fmt.Sprintf("%s... (%d bytes in all)", strings.ToValidUTF8(msg[:maxMessage], ""), len(msg))
	}
	return fmt.Errorf("%s: %s, column %q: %s", r.path, r.Where(), col, msg)
}

// maxMessage is the most bytes of a message ColumnErrorf keeps.
const maxMessage = 500

// IsNull reports whether column col of the current row is null (a Nullable column only; the
// typed getters then return the zero value).
func (r *Reader) IsNull(col int) bool {
	if r.csv != nil {
		return r.nulls[col]
	}
	return r.cols[col].IsNull(r.pos)
}

// Int returns column col of the current row, an Int64 column.
func (r *Reader) Int(col int) int64 {
	if r.csv != nil {
		return r.ints[col]
	}
	if r.schema[col].Nullable && r.cols[col].IsNull(r.pos) {
		return 0
	}
	return r.cols[col].(*array.Int64).Value(r.pos)
}

// Float returns column col of the current row, a Float64 column.
func (r *Reader) Float(col int) float64 {
	if r.csv != nil {
		return r.floats[col]
	}
	if r.schema[col].Nullable && r.cols[col].IsNull(r.pos) {
		return 0
	}
	return r.cols[col].(*array.Float64).Value(r.pos)
}

// String returns column col of the current row, a String column.
func (r *Reader) String(col int) string {
	if r.csv != nil {
		return r.strs[col]
	}
	if r.schema[col].Nullable && r.cols[col].IsNull(r.pos) {
		return ""
	}
	return r.cols[col].(*array.String).Value(r.pos)
}

// Bool returns column col of the current row, a Bool column.
func (r *Reader) Bool(col int) bool {
	if r.csv != nil {
		return r.bools[col]
	}
	if r.schema[col].Nullable && r.cols[col].IsNull(r.pos) {
		return false
	}
	return r.cols[col].(*array.Boolean).Value(r.pos)
}

// Err returns the error that stopped Next, or nil at a normal end.
func (r *Reader) Err() error { return r.err }

// Close releases the reader's resources.
func (r *Reader) Close() error {
	var err error
	if r.rr != nil {
		r.rr.Release()
		r.rr = nil
	}
	if r.pf != nil {
		err = r.pf.Close()
		r.pf = nil
	}
	if r.f != nil {
		err = r.f.Close()
		r.f = nil
	}
	return err
}

// ReadMetadata returns the provenance of the table at path (Options.Metadata): a Parquet file's
// key-value metadata (without Arrow's own schema entry), or a CSV file's sidecar
// (MetadataPath), nil when it has none.
func ReadMetadata(path string) (map[string]string, error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	if format == CSV {
		b, err := os.ReadFile(MetadataPath(path))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", MetadataPath(path), err)
		}
		return m, nil
	}
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable Parquet file: %w", path, err)
	}
	defer pf.Close()
	kv := pf.MetaData().KeyValueMetadata()
	var m map[string]string
	for i, k := range kv.Keys() {
		if k == "ARROW:schema" {
			continue
		}
		if m == nil {
			m = map[string]string{}
		}
		m[k] = kv.Values()[i]
	}
	return m, nil
}
