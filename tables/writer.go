package tables

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"

	"github.com/wisefuse/wisefuse/internal/atomicfile"
)

// batchRows is how many rows a Parquet writer buffers before writing a record batch: large
// enough to compress well, small enough to keep memory bounded whatever the table's length.
const batchRows = 1 << 16

// Options tunes a Writer or Reader. The zero value is the default.
type Options struct {
	// Allocator for Arrow buffers; nil means memory.DefaultAllocator. Tests pass a
	// memory.CheckedAllocator to prove nothing leaks.
	Allocator memory.Allocator
	// Metadata is the table's provenance (what made it: command line, version, seed, workflow,
	// policy, platform...). Parquet keeps it as the file's key-value metadata; a CSV file gets
	// it in a sidecar, FILE.meta.json (MetadataPath), committed just before the table itself.
	Metadata map[string]string
}

// MetadataPath returns where the provenance of the CSV table at path goes: path + ".meta.json".
func MetadataPath(path string) string { return path + ".meta.json" }

// Writer writes rows of a fixed schema. Values are given column by column in schema order with
// Int, Float, String and Bool, and each row is closed with EndRow.
type Writer struct {
	schema Schema
	path   string
	file   *atomicfile.File // nil when writing to a plain io.Writer
	meta   map[string]string
	col    int
	rows   int64
	err    error
	closed bool
	// finished: Finish ran (with finishErr); the file waits for Close to move it into place.
	finished  bool
	finishErr error

	// CSV
	csv    *csv.Writer
	fields []string

	// Parquet
	bld *array.RecordBuilder
	pw  *pqarrow.FileWriter
	buf int
}

// Format is a table file format.
type Format int

// The formats.
const (
	CSV Format = iota
	Parquet
)

// FormatOf returns the format that path's extension names.
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return CSV, nil
	case ".parquet", ".pq":
		return Parquet, nil
	}
	return 0, fmt.Errorf("%s: unknown table format %q (want .csv or .parquet)", path, filepath.Ext(path))
}

// Create starts writing a table to path, as CSV or Parquet by extension. Nothing appears at path
// until Close succeeds; Abort (or a failed Close) leaves path as it was.
func Create(path string, schema Schema, opts ...Options) (*Writer, error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	if format == Parquet && strconv.IntSize == 32 {
		// Apache Arrow v15's Parquet writer makes unaligned 64-bit atomic operations there, which
		// crash a 32-bit x86 program ("unaligned 64-bit atomic operation", an internal error).
		return nil, fmt.Errorf("%s: Parquet tables need a 64-bit build of wisefuse (Apache Arrow v15's writer crashes on 32-bit platforms); write a .csv table instead", path)
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return nil, err
	}
	w, err := NewWriter(f, format, schema, opts...)
	if err != nil {
		f.Abort()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	w.file, w.path = f, f.Path // a symbolic link's target: a CSV's sidecar goes beside it
	if format == CSV && len(opts) > 0 {
		w.meta = opts[0].Metadata
	}
	return w, nil
}

// NewWriter writes a table to out in the given format. Close flushes but does not close out.
func NewWriter(out io.Writer, format Format, schema Schema, opts ...Options) (*Writer, error) {
	if len(schema) == 0 {
		return nil, fmt.Errorf("tables: empty schema")
	}
	w := &Writer{schema: schema, path: "table"}
	switch format {
	case CSV:
		w.csv = csv.NewWriter(out)
		w.fields = make([]string, len(schema))
		for i, c := range schema {
			w.fields[i] = c.Name
		}
		if err := w.csv.Write(w.fields); err != nil {
			return nil, err
		}
	case Parquet:
		mem := allocator(opts)
		as := arrowSchema(schema)
		props := []parquet.WriterProperty{
			parquet.WithCompression(compress.Codecs.Snappy),
			parquet.WithAllocator(mem),
			parquet.WithMaxRowGroupLength(1 << 20),
		}
		for _, c := range schema {
			if c.Plain {
				props = append(props, parquet.WithDictionaryFor(c.Name, false))
			}
		}
		pw, err := pqarrow.NewFileWriter(as, noCloser{out}, parquet.NewWriterProperties(props...), pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
		if err != nil {
			return nil, err
		}
		if len(opts) > 0 {
			for _, k := range slices.Sorted(maps.Keys(opts[0].Metadata)) {
				if err := pw.AppendKeyValueMetadata(k, opts[0].Metadata[k]); err != nil {
					pw.Close()
					return nil, err
				}
			}
		}
		w.pw = pw
		w.bld = array.NewRecordBuilder(mem, as)
	default:
		return nil, fmt.Errorf("tables: unknown format %d", format)
	}
	return w, nil
}

// noCloser keeps the Parquet writer from closing the file, whose commit is ours to do.
type noCloser struct{ io.Writer }

func allocator(opts []Options) memory.Allocator {
	if len(opts) > 0 && opts[0].Allocator != nil {
		return opts[0].Allocator
	}
	return memory.DefaultAllocator
}

func arrowSchema(s Schema) *arrow.Schema {
	fields := make([]arrow.Field, len(s))
	for i, c := range s {
		var t arrow.DataType
		switch c.Type {
		case Int64:
			t = arrow.PrimitiveTypes.Int64
		case Float64:
			t = arrow.PrimitiveTypes.Float64
		case String:
			t = arrow.BinaryTypes.String
		case Bool:
			t = arrow.FixedWidthTypes.Boolean
		default:
			panic(fmt.Sprintf("tables: column %q has unknown type %d", c.Name, c.Type))
		}
		fields[i] = arrow.Field{Name: c.Name, Type: t, Nullable: c.Nullable}
	}
	return arrow.NewSchema(fields, nil)
}

// next checks that the next value is of type t and returns its column index, or -1 after an error.
func (w *Writer) next(t Type) int {
	if w.err != nil {
		return -1
	}
	if w.col >= len(w.schema) {
		w.err = fmt.Errorf("%s: row %d has more than the schema's %d columns", w.path, w.rows+1, len(w.schema))
		return -1
	}
	if c := w.schema[w.col]; c.Type != t {
		w.err = fmt.Errorf("%s: row %d column %q is %v, written as %v", w.path, w.rows+1, c.Name, c.Type, t)
		return -1
	}
	w.col++
	return w.col - 1
}

// Int writes the next column's value, which must be an Int64 column.
func (w *Writer) Int(v int64) {
	if i := w.next(Int64); i >= 0 {
		if w.csv != nil {
			w.fields[i] = strconv.FormatInt(v, 10)
		} else {
			w.bld.Field(i).(*array.Int64Builder).Append(v)
		}
	}
}

// Float writes the next column's value, which must be a Float64 column. CSV uses the shortest
// representation that reads back to the same float64, so CSV round trips are exact.
func (w *Writer) Float(v float64) {
	if i := w.next(Float64); i >= 0 {
		if w.csv != nil {
			w.fields[i] = strconv.FormatFloat(v, 'g', -1, 64)
		} else {
			w.bld.Field(i).(*array.Float64Builder).Append(v)
		}
	}
}

// String writes the next column's value, which must be a String column.
func (w *Writer) String(v string) {
	if i := w.next(String); i >= 0 {
		if w.csv != nil {
			w.fields[i] = v
		} else {
			w.bld.Field(i).(*array.StringBuilder).Append(v)
		}
	}
}

// Bool writes the next column's value, which must be a Bool column.
func (w *Writer) Bool(v bool) {
	if i := w.next(Bool); i >= 0 {
		if w.csv != nil {
			w.fields[i] = strconv.FormatBool(v)
		} else {
			w.bld.Field(i).(*array.BooleanBuilder).Append(v)
		}
	}
}

// Null writes the next column's value as null; the column must be Nullable.
func (w *Writer) Null() {
	if w.err != nil {
		return
	}
	if w.col >= len(w.schema) {
		w.err = fmt.Errorf("%s: row %d has more than the schema's %d columns", w.path, w.rows+1, len(w.schema))
		return
	}
	if c := w.schema[w.col]; !c.Nullable {
		w.err = fmt.Errorf("%s: row %d column %q is not nullable, written as null", w.path, w.rows+1, c.Name)
		return
	}
	i := w.col
	w.col++
	if w.csv != nil {
		w.fields[i] = ""
	} else {
		w.bld.Field(i).AppendNull()
	}
}

// FloatOrNull writes v, or null when v is 0: for a Nullable column whose 0 in memory means "none"
// (no latency target, no prediction).
func (w *Writer) FloatOrNull(v float64) {
	if v == 0 {
		w.Null()
	} else {
		w.Float(v)
	}
}

// IntOrNull writes v, or null when v is negative: for a Nullable count whose -1 in memory means
// "unknown" (data_bytes of an imported trace).
func (w *Writer) IntOrNull(v int64) {
	if v < 0 {
		w.Null()
	} else {
		w.Int(v)
	}
}

// EndRow finishes a row; every column must have been written.
func (w *Writer) EndRow() error {
	if w.err != nil {
		return w.err
	}
	if w.col != len(w.schema) {
		w.err = fmt.Errorf("%s: row %d has %d of the schema's %d columns", w.path, w.rows+1, w.col, len(w.schema))
		return w.err
	}
	w.col = 0
	w.rows++
	if w.csv != nil {
		w.err = w.csv.Write(w.fields)
		return w.err
	}
	if w.buf++; w.buf == batchRows {
		w.err = w.flush()
	}
	return w.err
}

// CopyRow writes r's current row, whose columns are schema, as the next row of w.
func CopyRow(w *Writer, r *Reader, schema Schema) error {
	for c, col := range schema {
		if col.Nullable && r.IsNull(c) {
			w.Null()
			continue
		}
		switch col.Type {
		case String:
			w.String(r.String(c))
		case Int64:
			w.Int(r.Int(c))
		case Float64:
			w.Float(r.Float(c))
		case Bool:
			w.Bool(r.Bool(c))
		}
	}
	return w.EndRow()
}

// Rows returns the number of complete rows written.
func (w *Writer) Rows() int64 { return w.rows }

func (w *Writer) flush() error {
	if w.buf == 0 {
		return nil
	}
	rec := w.bld.NewRecord()
	defer rec.Release()
	w.buf = 0
	return w.pw.Write(rec)
}

// Finish writes what is left of the table to its temporary file without moving it into place,
// which Close then does with a rename: a caller that puts two files in place together (a trace
// after its catalog) keeps the time between them to that rename. After an error nothing is left
// at the path and Close returns the error again.
func (w *Writer) Finish() error {
	if w.closed || w.finished {
		return fmt.Errorf("%s: writer already finished", w.path)
	}
	w.finished = true
	w.finishErr = w.finish()
	if w.finishErr != nil && w.file != nil {
		w.file.Abort()
	}
	return w.finishErr
}

// Close flushes the table (Finish, unless called) and, for a file, moves it into place. After an
// error nothing is left at the path.
func (w *Writer) Close() error {
	if w.closed {
		return fmt.Errorf("%s: writer already closed", w.path)
	}
	if !w.finished {
		w.Finish()
	}
	w.closed = true
	if w.finishErr != nil || w.file == nil {
		return w.finishErr
	}
	if w.meta != nil {
		// A CSV table's sidecar goes in just before the table (after Finish, it would stay
		// beside the old table if the caller then stopped).
		if err := writeSidecar(MetadataPath(w.path), w.meta); err != nil {
			w.file.Abort()
			return err
		}
	}
	return w.file.Commit()
}

// finish is Finish's work: the last batch and the file's footer.
func (w *Writer) finish() error {
	err := w.err
	if err == nil && w.col != 0 {
		err = fmt.Errorf("%s: last row is incomplete (%d of %d columns)", w.path, w.col, len(w.schema))
	}
	if w.csv != nil {
		if err == nil {
			w.csv.Flush()
			err = w.csv.Error()
		}
	} else {
		if err == nil {
			err = w.flush()
		}
		if cerr := w.pw.Close(); err == nil {
			err = cerr
		}
		w.bld.Release()
		w.bld = nil // Abort after Finish releases nothing twice
	}
	return err
}

// writeSidecar writes a CSV table's provenance as a JSON object with sorted keys, atomically.
func writeSidecar(path string, meta map[string]string) error {
	b, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return err
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// Abort discards the table: nothing is written at the path. After Close it does nothing, so
// `defer w.Abort()` right after Create is the usual pattern.
func (w *Writer) Abort() {
	if w.closed {
		return
	}
	w.closed = true
	if w.bld != nil {
		w.pw.Close()
		w.bld.Release()
		w.bld = nil
	}
	if w.file != nil {
		w.file.Abort()
	}
}
