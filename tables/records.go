package tables

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/wisefuse/wisefuse/internal/atomicfile"
	"github.com/wisefuse/wisefuse/records"
)

// InvocationSchema is the column layout of a function-invocation table (CSV or Parquet).
var InvocationSchema = Schema{
	{Name: "run", Type: Int64},
	{Name: "step", Type: String},
	{Name: "function", Type: String},
	{Name: "item", Type: Int64},
	{Name: "bundle", Type: Int64},
	{Name: "vm", Type: Int64},
	{Name: "memory_mb", Type: Int64},
	{Name: "cold", Type: Bool},
	{Name: "start_s", Type: Float64},
	{Name: "init_s", Type: Float64},
	{Name: "download_s", Type: Float64},
	{Name: "compute_s", Type: Float64},
	{Name: "upload_s", Type: Float64},
	{Name: "in_bytes", Type: Int64},
	{Name: "out_bytes", Type: Int64},
	{Name: "end_s", Type: Float64},
	{Name: "cost_usd", Type: Float64},
	// Optional: the tables written before it have none, and their runs read as not timed out.
	{Name: "timed_out", Type: Bool, Optional: true},
	// Optional as timed_out: records.Invocation.Outer, the items of the Maps around a nested Map
	// ("1/3"), "" elsewhere. Without it records of a Map nested in a Map cannot be profiled.
	{Name: "outer", Type: String, Optional: true},
}

// DAGRunSchema is the column layout of a DAG-invocation table.
var DAGRunSchema = Schema{
	{Name: "run", Type: Int64},
	{Name: "arrival_s", Type: Float64},
	{Name: "end_s", Type: Float64},
	{Name: "latency_s", Type: Float64},
	{Name: "cost_usd", Type: Float64},
	{Name: "invocations", Type: Int64},
	{Name: "cold_starts", Type: Int64},
	{Name: "transitions", Type: Int64},
	// Optional as the invocations' timed_out.
	{Name: "timed_out", Type: Bool, Optional: true},
	{Name: "rejected", Type: Bool, Optional: true},
}

// SeriesSchema is the time series of instances (sim.Options.OnSeries): one row per interval,
// its start, the time-average running and idle VMs over it and the GB-seconds idle VMs held.
var SeriesSchema = Schema{
	{Name: "interval_start_s", Type: Float64},
	{Name: "running", Type: Float64},
	{Name: "idle", Type: Float64},
	{Name: "idle_gb_s", Type: Float64},
}

// WriteSeriesRow writes one row of SeriesSchema.
func WriteSeriesRow(w *Writer, start, running, idle, idleGBS float64) error {
	w.Float(start)
	w.Float(running)
	w.Float(idle)
	w.Float(idleGBS)
	return w.EndRow()
}

// WriteInvocations writes invocation records to path, CSV or Parquet by its extension,
// atomically.
func WriteInvocations(path string, recs []records.Invocation, opts ...Options) error {
	w, err := Create(path, InvocationSchema, opts...)
	if err != nil {
		return err
	}
	defer w.Abort()
	for i := range recs {
		if err := WriteInvocation(w, &recs[i]); err != nil {
			return err
		}
	}
	return w.Close()
}

// WriteInvocation writes r as one row of an InvocationSchema table.
func WriteInvocation(w *Writer, r *records.Invocation) error {
	w.Int(int64(r.Run))
	WriteInvocationFields(w, r)
	return w.EndRow()
}

// WriteInvocationFields writes the columns of InvocationSchema after "run" for r: what a table
// that names the run another way (a trace replay's dag_id and invocation_id) shares.
func WriteInvocationFields(w *Writer, r *records.Invocation) {
	w.String(r.Step)
	w.String(r.Function)
	w.Int(int64(r.Item))
	w.Int(int64(r.Bundle))
	w.Int(int64(r.VM))
	w.Int(int64(r.MemoryMB))
	w.Bool(r.Cold)
	w.Float(r.Start)
	w.Float(r.Init)
	w.Float(r.Download)
	w.Float(r.Compute)
	w.Float(r.Upload)
	// Byte counts are whole bytes on disk; the simulator's sizes are drawn as float64.
	w.Int(int64(math.Round(r.InBytes)))
	w.Int(int64(math.Round(r.OutBytes)))
	w.Float(r.End)
	w.Float(r.Cost)
	w.Bool(r.TimedOut)
	w.String(r.Outer)
}

// WriteDAGRuns writes DAG-invocation records to path, CSV or Parquet by its extension,
// atomically.
func WriteDAGRuns(path string, recs []records.DAGRun, opts ...Options) error {
	w, err := Create(path, DAGRunSchema, opts...)
	if err != nil {
		return err
	}
	defer w.Abort()
	for i := range recs {
		if err := WriteDAGRunFields(w, &recs[i]); err != nil {
			return err
		}
	}
	return w.Close()
}

// WriteDAGRunFields writes r as one row of a DAGRunSchema table.
func WriteDAGRunFields(w *Writer, r *records.DAGRun) error {
	w.Int(int64(r.Run))
	w.Float(r.Arrival)
	w.Float(r.End)
	w.Float(r.Latency)
	w.Float(r.Cost)
	w.Int(int64(r.Invocations))
	w.Int(int64(r.ColdStarts))
	w.Int(int64(r.Transitions))
	w.Bool(r.TimedOut)
	w.Bool(r.Rejected)
	return w.EndRow()
}

// ReadInvocations reads a table written by WriteInvocations (or any table with its columns).
// Every row is checked (checkInvocation), then by check when not nil (a workflow's check of its
// steps and functions); an error names the file, the line (CSV) or row (Parquet) and the column.
func ReadInvocations(path string, check func(*records.Invocation) error) ([]records.Invocation, error) {
	r, err := Open(path, InvocationSchema)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []records.Invocation
	for r.Next() {
		v := records.Invocation{
			Run: int(r.Int(0)), Step: r.String(1), Function: r.String(2), Item: int(r.Int(3)),
			Bundle: int(r.Int(4)), VM: int(r.Int(5)), MemoryMB: int(r.Int(6)), Cold: r.Bool(7),
			Start: r.Float(8), Init: r.Float(9), Download: r.Float(10), Compute: r.Float(11),
			Upload: r.Float(12), InBytes: float64(r.Int(13)), OutBytes: float64(r.Int(14)), End: r.Float(15), Cost: r.Float(16),
			TimedOut: r.Bool(17), Outer: r.String(18),
		}
		if col, msg := checkInvocation(&v); msg != "" {
			return nil, r.ColumnErrorf(col, "%s", msg)
		}
		if check != nil {
			if err := check(&v); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", path, r.Where(), err)
			}
		}
		out = append(out, v)
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("reading invocations: %w", err)
	}
	return out, nil
}

// ReadDAGRuns reads a table written by WriteDAGRuns (or any table with its columns), checking
// every row (checkDAGRun) as ReadInvocations does.
func ReadDAGRuns(path string) ([]records.DAGRun, error) {
	r, err := Open(path, DAGRunSchema)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []records.DAGRun
	for r.Next() {
		v := records.DAGRun{
			Run: int(r.Int(0)), Arrival: r.Float(1), End: r.Float(2), Latency: r.Float(3),
			Cost: r.Float(4), Invocations: int(r.Int(5)), ColdStarts: int(r.Int(6)), Transitions: int(r.Int(7)),
			TimedOut: r.Bool(8), Rejected: r.Bool(9),
		}
		if col, msg := checkDAGRun(&v); msg != "" {
			return nil, r.ColumnErrorf(col, "%s", msg)
		}
		out = append(out, v)
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("reading DAG runs: %w", err)
	}
	return out, nil
}

// badTime reports whether v is no time, duration, size or price a run can have logged: NaN,
// negative or infinite. (A NaN start once reached the profile and failed as "json: unsupported
// value: NaN", naming no file.)
func badTime(v float64) bool { return !(v >= 0) || math.IsInf(v, 1) }

// intCol and floatCol are a record's column and value, for firstNegative and firstBadTime.
type intCol struct {
	col string
	n   int
}

type floatCol struct {
	col string
	v   float64
}

// firstNegative returns the first of cs below 0, and why; "" if none.
func firstNegative(cs ...intCol) (col, msg string) {
	for _, c := range cs {
		if c.n < 0 {
			return c.col, fmt.Sprintf("%d, want >= 0", c.n)
		}
	}
	return "", ""
}

// firstBadTime returns the first of cs that is a badTime, and why; "" if none.
func firstBadTime(cs ...floatCol) (col, msg string) {
	for _, c := range cs {
		if badTime(c.v) {
			return c.col, fmt.Sprintf("%v, want a finite number >= 0", c.v)
		}
	}
	return "", ""
}

// checkInvocation returns the first column of an invocation record that no run can have logged,
// and why (records the simulator wrote always pass).
func checkInvocation(v *records.Invocation) (col, msg string) {
	if col, msg := firstNegative(intCol{"run", v.Run}, intCol{"item", v.Item}, intCol{"bundle", v.Bundle}, intCol{"vm", v.VM}); col != "" {
		return col, msg
	}
	if v.Run > maxRun {
		return "run", runPast(v.Run)
	}
	switch {
	case v.Step == "":
		return "step", "empty, want the step's name"
	case v.Function == "":
		return "function", "empty, want the function's name"
	case v.MemoryMB <= 0:
		return "memory_mb", fmt.Sprintf("%d, want the VM's size in MB > 0", v.MemoryMB)
	}
	if col, msg := firstBadTime(floatCol{"start_s", v.Start}, floatCol{"init_s", v.Init}, floatCol{"download_s", v.Download},
		floatCol{"compute_s", v.Compute}, floatCol{"upload_s", v.Upload}, floatCol{"in_bytes", v.InBytes},
		floatCol{"out_bytes", v.OutBytes}, floatCol{"end_s", v.End}, floatCol{"cost_usd", v.Cost}); col != "" {
		return col, msg
	}
	if v.End < v.Start {
		return "end_s", fmt.Sprintf("%v, before start_s %v; want end_s >= start_s", v.End, v.Start)
	}
	if !outerItems(v.Outer) {
		return "outer", fmt.Sprintf("%q, want \"\" or the items of the Maps around the step's own, outermost first, separated by %q (\"1/3\")", v.Outer, records.OuterSep)
	}
	return "", ""
}

// outerItems reports whether s is an Invocation.Outer: "" or decimal items separated by
// records.OuterSep.
func outerItems(s string) bool {
	if s == "" {
		return true
	}
	for part := range strings.SplitSeq(s, string(records.OuterSep)) {
		if part == "" || len(part) > 9 || strings.Trim(part, "0123456789") != "" {
			return false
		}
	}
	return true
}

// maxRun bounds a record's run index: the simulator numbers runs in 32 bits, and `profile` adds
// the runs of several files up (a run near 2^63 overflowed the sum, and named the wrong file).
const maxRun = math.MaxInt32

func runPast(run int) string {
	return fmt.Sprintf("%d, want a run index from 0 to %d (the simulator's)", run, maxRun)
}

// checkDAGRun is checkInvocation for a DAG-invocation record.
func checkDAGRun(v *records.DAGRun) (col, msg string) {
	if col, msg := firstNegative(intCol{"run", v.Run}, intCol{"invocations", v.Invocations}, intCol{"cold_starts", v.ColdStarts},
		intCol{"transitions", v.Transitions}); col != "" {
		return col, msg
	}
	if v.Run > maxRun {
		return "run", runPast(v.Run)
	}
	if col, msg := firstBadTime(floatCol{"arrival_s", v.Arrival}, floatCol{"end_s", v.End}, floatCol{"latency_s", v.Latency},
		floatCol{"cost_usd", v.Cost}); col != "" {
		return col, msg
	}
	switch {
	case v.End < v.Arrival:
		return "end_s", fmt.Sprintf("%v, before arrival_s %v; want end_s >= arrival_s", v.End, v.Arrival)
	case math.Abs(v.Latency-(v.End-v.Arrival)) > timeSlack(v.End):
		return "latency_s", fmt.Sprintf("%v, but end_s - arrival_s is %v; want the two equal", v.Latency, v.End-v.Arrival)
	case v.ColdStarts > v.Invocations:
		return "cold_starts", fmt.Sprintf("%d, more than the run's %d invocations", v.ColdStarts, v.Invocations)
	}
	return "", ""
}

// DAGRunsPath returns where the DAG-invocation table goes beside an invocation table written to
// path: the same name with dagsSuffix before the extension (runs.parquet -> runs-dags.parquet).
func DAGRunsPath(path string) (string, error) {
	if _, err := FormatOf(path); err != nil {
		return "", err
	}
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + dagsSuffix + ext, nil
}

// InvocationsPath is DAGRunsPath's inverse: the invocation table a DAG table at path goes with,
// false when path is not named as one (runs-dags.csv -> runs.csv).
func InvocationsPath(path string) (string, bool) {
	ext := filepath.Ext(path)
	base, ok := strings.CutSuffix(strings.TrimSuffix(path, ext), dagsSuffix)
	return base + ext, ok
}

// dagsSuffix ends a DAG table's name, before its extension.
const dagsSuffix = "-dags"

// WriteRun writes a run's function-invocation table to path and its DAG table to
// DAGRunsPath(path), committed together (RunWriter).
func WriteRun(path string, invs []records.Invocation, dags []records.DAGRun, opts ...Options) error {
	w, err := CreateRun(path, opts...)
	if err != nil {
		return err
	}
	defer w.Abort()
	for i := range invs {
		if err := WriteInvocation(w.Invocations, &invs[i]); err != nil {
			return err
		}
	}
	for i := range dags {
		if err := WriteDAGRunFields(w.DAGs, &dags[i]); err != nil {
			return err
		}
	}
	return w.Close()
}

// RunWriter streams a run's function-invocation table to a path and its DAG table beside it
// (DAGRunsPath), so that the pair is committed together: the path exists only beside the DAG
// table written with it. Rows go to temporary files; Close removes the old invocation table,
// commits the DAG table, then the invocation table last, so a crash at any point leaves either no
// invocation table or both new tables, never a new one beside a stale one. (Two processes
// writing the same path at once are not protected against.)
type RunWriter struct {
	Invocations, DAGs *Writer
	path, dagsPath    string
}

// CreateRun opens a RunWriter for path. A symbolic link's target gets the pair (removing the
// path at Close would take the link away; `simulate --out link.csv` once did, and put the DAG
// table beside the link); a device or a pipe, which cannot hold a pair, is refused.
func CreateRun(path string, opts ...Options) (*RunWriter, error) {
	path, special, err := atomicfile.Resolve(path)
	if err != nil {
		return nil, err
	}
	if special {
		return nil, fmt.Errorf("%s is not a regular file: a run's tables are two files, %s and its DAG table beside it", path, filepath.Base(path))
	}
	dagsPath, err := DAGRunsPath(path)
	if err != nil {
		return nil, err
	}
	// Before any write: removing path at Close would take an empty folder away.
	for _, p := range []string{path, dagsPath} {
		if err := atomicfile.CheckTarget(p); err != nil {
			return nil, err
		}
	}
	w := &RunWriter{path: path, dagsPath: dagsPath}
	if w.Invocations, err = Create(path, InvocationSchema, opts...); err != nil {
		return nil, err
	}
	if w.DAGs, err = Create(dagsPath, DAGRunSchema, opts...); err != nil {
		w.Invocations.Abort()
		return nil, err
	}
	return w, nil
}

// Close commits the pair: the old invocation table goes, the DAG table comes in, the new
// invocation table last.
func (w *RunWriter) Close() error {
	if err := os.Remove(w.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := w.DAGs.Close(); err != nil {
		return err
	}
	return w.Invocations.Close()
}

// Paths returns where the two tables go: the path given to CreateRun, or the file its link leads
// to, and the DAG table beside it.
func (w *RunWriter) Paths() (invocations, dags string) {
	return w.path, w.dagsPath
}

// Abort discards what was written (after Close, nothing).
func (w *RunWriter) Abort() {
	w.Invocations.Abort()
	w.DAGs.Abort()
}

// CheckPair reports whether a DAG table belongs with an invocation table: the same runs, each
// with as many invocation rows as its DAG record counts. Tables from different runs of a workflow
// (a stale DAG table beside a new invocation table) almost never agree on every run. A run
// with no invocation (rejected at the concurrency limit before its first one) is in the DAG
// table only.
func CheckPair(invs []records.Invocation, dags []records.DAGRun) error {
	type span struct {
		n           int
		start, stop float64
	}
	runs := map[int]*span{}
	for i := range invs {
		in := &invs[i]
		s := runs[in.Run]
		if s == nil {
			s = &span{start: in.Start, stop: in.End}
			runs[in.Run] = s
		}
		s.n++
		s.start, s.stop = min(s.start, in.Start), max(s.stop, in.End)
	}
	withInvs := 0 // the DAG table's runs with invocations
	for i := range dags {
		d := &dags[i]
		s := runs[d.Run]
		n := 0
		if s != nil {
			n = s.n
		}
		if n != d.Invocations {
			return fmt.Errorf("run %d: the DAG table counts %d function invocations, the invocation table has %d rows: they are not from the same simulation", d.Run, d.Invocations, n)
		}
		// The profile takes a run's start and end from its DAG record (its first and last
		// gaps): they hold its invocations.
		if s != nil && (d.Arrival > s.start+timeSlack(s.start) || d.End < s.stop-timeSlack(s.stop)) {
			return fmt.Errorf("run %d: the DAG table has it from %v s to %v s, its function invocations run from %v s to %v s: they are not from the same simulation", d.Run, d.Arrival, d.End, s.start, s.stop)
		}
		if d.Invocations > 0 {
			withInvs++
		}
	}
	if withInvs != len(runs) {
		return fmt.Errorf("the DAG table has %d runs with function invocations, the invocation table %d: they are not from the same simulation", withInvs, len(runs))
	}
	return nil
}

// timeSlack is the rounding a time near t may carry through a table (written in full, read back
// the same; sums of times round).
func timeSlack(t float64) float64 { return 1e-9 * max(1, math.Abs(t)) }
