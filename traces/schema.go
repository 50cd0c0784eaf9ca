package traces

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/sim"
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

// Finish writes the rest of the table without putting it in place (tables.Writer.Finish).
func (d *DAGWriter) Finish() error { return d.w.Finish() }

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

// Finish writes the rest of the table without putting it in place (tables.Writer.Finish).
func (f *FunctionWriter) Finish() error { return f.w.Finish() }

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
	// same holds the (dag_id, invocation_id) of the rows read at the current row's arrival
	// instant, sameAt, once there are two: a row repeated in a trace sorted by arrival (a file concatenated or
	// appended to twice) has its twin at the same instant. It holds at most maxSameInstant
	// keys; further rows of that instant are not compared, so its memory stays bounded.
	same      map[dagKey]struct{}
	sameAt    float64
	sameFirst dagKey // the first row at sameAt, which goes into same once a second comes
}

// dagKey names one DAG invocation of a trace.
type dagKey struct {
	dag string
	id  int64
}

// maxSameInstant bounds DAGReader.same: a few MB of keys, far more DAG invocations than a real
// trace starts in one instant (no two rows of the Azure 2021 sample's 198 share an end time).
const maxSameInstant = 1 << 16

// maxInternedDAGs bounds DAGReader.ids: a few MB for ids of a few tens of bytes.
const maxInternedDAGs = 1 << 16

// OpenDAGTable opens a DAG-invocation table (CSV or Parquet by extension).
func OpenDAGTable(path string, opts ...tables.Options) (*DAGReader, error) {
	r, err := tables.Open(path, DAGSchema, opts...)
	if err != nil {
		return nil, err
	}
	return newDAGReader(r), nil
}

// NewDAGCSVReader reads a DAG-invocation table in CSV from in; name is used in errors.
func NewDAGCSVReader(in io.Reader, name string) (*DAGReader, error) {
	r, err := tables.NewCSVReader(in, name, DAGSchema)
	if err != nil {
		return nil, err
	}
	return newDAGReader(r), nil
}

// newDAGReader reads DAG-invocation rows from r. No row has come yet at the instant NaN
// (checkRepeat).
func newDAGReader(r *tables.Reader) *DAGReader {
	return &DAGReader{r: r, ids: map[string]string{}, same: map[dagKey]struct{}{}, sameAt: math.NaN()}
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
	width, depth, nodes := r.Int(3), r.Int(4), r.Int(5)
	c.Width, c.Depth, c.Nodes = int(width), int(depth), int(nodes)
	data, dataNull := r.Int(6), r.IsNull(6)
	c.DataBytes = data
	if dataNull {
		c.DataBytes = -1
	}
	c.Skew = r.Float(7)
	c.Latency = r.Float(8)
	col, msg := checkDAGRow(c)
	if msg == "" {
		col, msg = checkShape(width, depth, nodes, data, dataNull)
	}
	if msg == "" {
		col, msg = d.checkRepeat(c)
	}
	if msg != "" {
		d.err = r.ColumnErrorf(col, "%s", msg)
		return false
	}
	return true
}

// checkRepeat reports a row whose (dag_id, invocation_id) a row of the same arrival instant had.
// Most rows of a trace are alone at their instant: they cost a comparison, not a map.
func (d *DAGReader) checkRepeat(c *DAGInvocation) (col, msg string) {
	k := dagKey{c.DAG, c.Invocation}
	if c.Arrival != d.sameAt {
		d.sameAt, d.sameFirst = c.Arrival, k
		if len(d.same) > 64 {
			d.same = map[dagKey]struct{}{} // clear would walk the buckets of the last big instant each time
		} else if len(d.same) > 0 {
			clear(d.same)
		}
		return "", ""
	}
	if len(d.same) == 0 {
		d.same[d.sameFirst] = struct{}{}
	}
	if _, dup := d.same[k]; dup {
		return "invocation_id", fmt.Sprintf("%d of DAG %q again, at the same arrival_s %v: a DAG invocation has one row (a trace appended to twice?)", c.Invocation, c.DAG, c.Arrival)
	}
	if len(d.same) < maxSameInstant {
		d.same[k] = struct{}{}
	}
	return "", ""
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

// Limits of a trace's values, checked as DAGReader and ReadCatalog read every row. Each is far
// past any real workflow, so a value beyond it is a corrupt or mistyped row, not a large DAG, and
// the stages after the reader (characterization, replay) never see it. Times are bounded by
// sim.MaxTime, the simulator's clock limit (about 31,700 years).
const (
	// MaxWidth bounds width: dag.MaxItems, the most items a Map of a workflow may have (a
	// stage's parallel invocations are a Map's items in the catalog's workflow), 28 times the
	// widest Azure Durable Functions DAG (35,385 invocations in one stage; docs/traces.md).
	MaxWidth = dag.MaxItems
	// MaxDepth bounds depth: AWS Step Functions has a hard quota of 25,000 events in a Standard
	// execution's history ("Quotas for Standard Workflows", AWS Step Functions Developer Guide)
	// and every state in series logs at least one, so no execution runs more stages (an Express
	// execution runs at most 5 minutes instead); 185 times the deepest Azure DAG (135 stages).
	MaxDepth = 25_000
	// MaxDataBytes bounds data_bytes: dag.MaxBytes (10 TB), the most a workflow's function may
	// read or write, 5,000 times the largest blob of the Azure Functions blob access trace (1.78
	// GiB, blobSizeQuantiles), and the top of trace characterize's data histogram (sketchMax).
	MaxDataBytes = int64(dag.MaxBytes)
	// MaxSkew bounds skew: the top of trace characterize's skew histogram (sketchMax, 10^13),
	// which could count a larger ratio only as 10^13; 10^9 times the generator's skew cap (10^4)
	// and 1,000 times the largest skew it wrote before that cap (9.8e9; docs/traces.md).
	MaxSkew = sketchMax
)

// checkDAGRow returns the first column of a row's ids, times and skew whose value cannot
// describe a DAG invocation, and why; checkShape checks its structure and data.
func checkDAGRow(c *DAGInvocation) (col, msg string) {
	switch {
	case c.DAG == "":
		return "dag_id", "empty, want the DAG's id"
	case c.Invocation < 0:
		return "invocation_id", fmt.Sprintf("%d, want an id >= 0", c.Invocation)
	case badTime(c.Arrival):
		return "arrival_s", fmt.Sprintf("%v, want a time from 0 to %g s (sim.MaxTime, the simulator's clock limit)", c.Arrival, float64(sim.MaxTime))
	case !(c.Skew >= 1 && c.Skew <= MaxSkew):
		return "skew", fmt.Sprintf("%v, want a ratio from 1 to %g (traces.MaxSkew)", c.Skew, float64(MaxSkew))
	case badTime(c.Latency):
		return "latency_s", fmt.Sprintf("%v, want a duration from 0 to %g s (sim.MaxTime, the simulator's clock limit)", c.Latency, float64(sim.MaxTime))
	}
	return "", ""
}

// badTime reports whether v is no time or duration the simulator can reach: NaN, negative or
// past sim.MaxTime (infinities included).
func badTime(v float64) bool { return !(v >= 0 && v <= sim.MaxTime) }

// checkShape returns the first of a trace or catalog row's width, depth, nodes and data_bytes
// columns (in that order) whose value no DAG invocation has, and why. dataNull: data_bytes is
// null (unknown).
func checkShape(width, depth, nodes, data int64, dataNull bool) (col, msg string) {
	switch {
	case width < 1 || width > MaxWidth:
		return "width", fmt.Sprintf("%d, want from 1 to %d (traces.MaxWidth: dag.MaxItems, the most items of a Map; the widest Azure DAG has 35,385)", width, MaxWidth)
	case depth < 1 || depth > MaxDepth:
		return "depth", fmt.Sprintf("%d, want from 1 to %d (traces.MaxDepth: Step Functions' 25,000 history events; the deepest Azure DAG has 135)", depth, MaxDepth)
	case nodes < max(width, depth):
		return "nodes", fmt.Sprintf("%d, want >= width (%d) and >= depth (%d)", nodes, width, depth)
	case nodes > width*depth: // at most MaxWidth x MaxDepth, no overflow
		return "nodes", fmt.Sprintf("%d, want <= width x depth (%d x %d = %d): no stage has more than width invocations", nodes, width, depth, width*depth)
	case !dataNull && data < 0:
		return "data_bytes", fmt.Sprintf("%d, want >= 0 (or null, an empty CSV field, for unknown)", data)
	case data > MaxDataBytes:
		return "data_bytes", fmt.Sprintf("%d, above the limit %d (traces.MaxDataBytes: dag.MaxBytes, the most a function may read or write)", data, MaxDataBytes)
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
