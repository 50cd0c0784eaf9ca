package traces

import (
	"fmt"
	"io"
	"strings"

	"github.com/wisefuse/wisefuse/tables"
)

// DAGInvocation is one row of the DAG-invocation table: one invocation of a workflow (an Azure
// Durable Functions orchestration) with its structure, data and outcome.
type DAGInvocation struct {
	DAG        string  // DAG (workflow) id; invocations of one DAG share it
	Invocation int64   // invocation id, unique in the trace
	Arrival    float64 // seconds from the trace start
	Width      int     // most parallel function invocations in one stage
	Depth      int     // stages in series
	Nodes      int     // function invocations in this DAG invocation
	DataBytes  int64   // intermediate data passed between functions; -1 if unknown (null in a file)
	Skew       float64 // slowest / fastest among parallel siblings; 1 without siblings
	Latency    float64 // end-to-end latency, seconds
}

// FunctionInvocation is one row of the function-invocation table: one function invocation
// belonging to a DAG invocation.
type FunctionInvocation struct {
	Invocation int64   // the DAG invocation it belongs to
	DAG        string  // that invocation's DAG id
	Stage      int     // 0-based stage (position in the DAG's sequence)
	Item       int     // index among the stage's parallel invocations
	Function   string  // function name
	Start, End float64 // seconds from the trace start
	Cold       bool    // paid a cold start
}

// DAGSchema is the column layout of the DAG-invocation table (docs/traces.md).
var DAGSchema = tables.Schema{
	{Name: "dag_id", Type: tables.String},
	{Name: "invocation_id", Type: tables.Int64},
	{Name: "arrival_s", Type: tables.Float64},
	{Name: "width", Type: tables.Int64},
	{Name: "depth", Type: tables.Int64},
	{Name: "nodes", Type: tables.Int64},
	{Name: "data_bytes", Type: tables.Int64, Nullable: true}, // null: unknown
	{Name: "skew", Type: tables.Float64},
	{Name: "latency_s", Type: tables.Float64},
}

// FunctionSchema is the column layout of the function-invocation table.
var FunctionSchema = tables.Schema{
	{Name: "invocation_id", Type: tables.Int64},
	{Name: "dag_id", Type: tables.String},
	{Name: "stage", Type: tables.Int64},
	{Name: "item", Type: tables.Int64},
	{Name: "function", Type: tables.String},
	{Name: "start_s", Type: tables.Float64},
	{Name: "end_s", Type: tables.Float64},
	{Name: "cold", Type: tables.Bool},
}

// DAGWriter streams DAG invocations to a CSV or Parquet file (by extension). The file appears
// only when Close succeeds.
type DAGWriter struct{ w *tables.Writer }

// CreateDAGTable starts writing a DAG-invocation table at path.
func CreateDAGTable(path string, opts ...tables.Options) (*DAGWriter, error) {
	w, err := tables.Create(path, DAGSchema, opts...)
	if err != nil {
		return nil, err
	}
	return &DAGWriter{w}, nil
}

// Write appends one row.
func (d *DAGWriter) Write(v *DAGInvocation) error {
	w := d.w
	w.String(v.DAG)
	w.Int(v.Invocation)
	w.Float(v.Arrival)
	w.Int(int64(v.Width))
	w.Int(int64(v.Depth))
	w.Int(int64(v.Nodes))
	w.IntOrNull(v.DataBytes)
	w.Float(v.Skew)
	w.Float(v.Latency)
	return w.EndRow()
}

// Rows returns the rows written so far.
func (d *DAGWriter) Rows() int64 { return d.w.Rows() }

// Close finishes the file and moves it into place.
func (d *DAGWriter) Close() error { return d.w.Close() }

// Abort discards the file; safe after Close.
func (d *DAGWriter) Abort() { d.w.Abort() }

// FunctionWriter streams function invocations like DAGWriter.
type FunctionWriter struct{ w *tables.Writer }

// CreateFunctionTable starts writing a function-invocation table at path.
func CreateFunctionTable(path string, opts ...tables.Options) (*FunctionWriter, error) {
	w, err := tables.Create(path, FunctionSchema, opts...)
	if err != nil {
		return nil, err
	}
	return &FunctionWriter{w}, nil
}

// Write appends one row.
func (f *FunctionWriter) Write(v *FunctionInvocation) error {
	w := f.w
	w.Int(v.Invocation)
	w.String(v.DAG)
	w.Int(int64(v.Stage))
	w.Int(int64(v.Item))
	w.String(v.Function)
	w.Float(v.Start)
	w.Float(v.End)
	w.Bool(v.Cold)
	return w.EndRow()
}

// Close finishes the file and moves it into place.
func (f *FunctionWriter) Close() error { return f.w.Close() }

// Abort discards the file; safe after Close.
func (f *FunctionWriter) Abort() { f.w.Abort() }

// DAGReader streams a DAG-invocation table and checks every row. Use it as
//
//	for r.Next() { inv := r.Row(); ... }
//	if err := r.Err(); err != nil { ... }
type DAGReader struct {
	r   *tables.Reader
	cur DAGInvocation
	err error
	// ids interns dag_id values: a trace repeats its DAGs' ids in every row, so a row's id is
	// the string kept for the first row with it, not a copy of its own (one allocation a row
	// less). It holds at most maxInternedDAGs ids; a new id after that is copied, so its memory
	// stays bounded whatever the trace.
	ids map[string]string
}

// maxInternedDAGs bounds DAGReader.ids: a few MB for ids of a few tens of bytes.
const maxInternedDAGs = 1 << 16

// OpenDAGTable opens a DAG-invocation table (CSV or Parquet by extension).
func OpenDAGTable(path string, opts ...tables.Options) (*DAGReader, error) {
	r, err := tables.Open(path, DAGSchema, opts...)
	if err != nil {
		return nil, err
	}
	return &DAGReader{r: r, ids: map[string]string{}}, nil
}

// NewDAGCSVReader reads a DAG-invocation table in CSV from in; name is used in errors.
func NewDAGCSVReader(in io.Reader, name string) (*DAGReader, error) {
	r, err := tables.NewCSVReader(in, name, DAGSchema)
	if err != nil {
		return nil, err
	}
	return &DAGReader{r: r, ids: map[string]string{}}, nil
}

// Next reads and checks the next row; it returns false at the end or on error.
func (d *DAGReader) Next() bool {
	if d.err != nil || !d.r.Next() {
		return false
	}
	r := d.r
	c := &d.cur
	c.DAG = d.intern(r.String(0))
	c.Invocation = r.Int(1)
	c.Arrival = r.Float(2)
	c.Width, c.Depth, c.Nodes = int(r.Int(3)), int(r.Int(4)), int(r.Int(5))
	c.DataBytes = r.Int(6)
	if r.IsNull(6) {
		c.DataBytes = -1
	}
	c.Skew = r.Float(7)
	c.Latency = r.Float(8)
	col, msg := checkDAGRow(c)
	if !r.IsNull(6) && c.DataBytes < 0 {
		col, msg = "data_bytes", fmt.Sprintf("%d, want >= 0 (or null, an empty CSV field, for unknown)", c.DataBytes)
	}
	if msg != "" {
		d.err = r.ColumnErrorf(col, "%s", msg)
		return false
	}
	return true
}

// intern returns v as a string the caller may hold: the reader's strings point into the current
// batch (Parquet) or line (CSV), so v itself may not be kept.
func (d *DAGReader) intern(v string) string {
	if s, ok := d.ids[v]; ok {
		return s
	}
	s := strings.Clone(v)
	if len(d.ids) < maxInternedDAGs {
		d.ids[s] = s
	}
	return s
}

// checkDAGRow returns the first column whose value cannot describe a DAG invocation, and why.
func checkDAGRow(c *DAGInvocation) (col, msg string) {
	bad := func(v float64) bool { return v != v || v < 0 || v > 1e300 }
	switch {
	case c.DAG == "":
		return "dag_id", "empty"
	case bad(c.Arrival):
		return "arrival_s", fmt.Sprintf("%v, want a finite time >= 0", c.Arrival)
	case c.Width < 1:
		return "width", fmt.Sprintf("%d, want >= 1", c.Width)
	case c.Depth < 1:
		return "depth", fmt.Sprintf("%d, want >= 1", c.Depth)
	case c.Nodes < max(c.Width, c.Depth):
		return "nodes", fmt.Sprintf("%d, want >= width (%d) and >= depth (%d)", c.Nodes, c.Width, c.Depth)
	case c.DataBytes < -1:
		return "data_bytes", fmt.Sprintf("%d, want >= 0 (or null, an empty CSV field, for unknown)", c.DataBytes)
	case bad(c.Skew) || c.Skew < 1:
		return "skew", fmt.Sprintf("%v, want a finite ratio >= 1", c.Skew)
	case bad(c.Latency):
		return "latency_s", fmt.Sprintf("%v, want a finite duration >= 0", c.Latency)
	}
	return "", ""
}

// Row returns the current row; it is overwritten by the next call to Next.
func (d *DAGReader) Row() *DAGInvocation { return &d.cur }

// ColumnErrorf is an error about column col of the current row, naming the file and its line
// (CSV) or row (Parquet), as the reader's own checks do: for a caller's checks of the rows.
func (d *DAGReader) ColumnErrorf(col, format string, a ...any) error {
	return d.r.ColumnErrorf(col, format, a...)
}

// Err returns the error that stopped Next (file, line or row, and column), or nil at the end.
func (d *DAGReader) Err() error {
	if d.err != nil {
		return d.err
	}
	return d.r.Err()
}

// Close releases the reader.
func (d *DAGReader) Close() error { return d.r.Close() }
