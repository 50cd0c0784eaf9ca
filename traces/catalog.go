package traces

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/tables"
)

// A trace's catalog says what a replay needs to know about each DAG of the trace: its structure,
// its functions' work, data sizes and skew, as a workflow in the project's JSON format. `trace
// gen` and `trace import` write it beside the trace as FILE-catalog.EXT, one row per DAG, so a
// trace is replayable by itself (docs/traces.md).

// CatalogEntry is one DAG of a trace's catalog.
type CatalogEntry struct {
	DAG         string // the trace's dag_id
	Invocations int64  // DAG invocations of it in the trace
	Width       int
	Depth       int
	Nodes       int
	DataBytes   int64         // intermediate data per invocation; -1 unknown
	Workflow    *dag.Workflow // what runs: structure, work, data sizes, skew
}

// CatalogSchema is the column layout of a catalog table.
var CatalogSchema = tables.Schema{
	{Name: "dag_id", Type: tables.String},
	{Name: "invocations", Type: tables.Int64},
	{Name: "width", Type: tables.Int64},
	{Name: "depth", Type: tables.Int64},
	{Name: "nodes", Type: tables.Int64},
	{Name: "data_bytes", Type: tables.Int64, Nullable: true}, // null: unknown
	{Name: "workflow", Type: tables.String},
}

// CatalogPath returns where the catalog of the trace at path goes: the same name with
// "-catalog" before the extension (trace.parquet -> trace-catalog.parquet).
func CatalogPath(path string) (string, error) {
	if _, err := tables.FormatOf(path); err != nil {
		return "", err
	}
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-catalog" + ext, nil
}

// CatalogEntryOf describes a DAG of a generated population.
func CatalogEntryOf(d *DAGSpec) CatalogEntry {
	return CatalogEntry{DAG: d.ID, Invocations: d.Count, Width: d.Width, Depth: d.Depth, Nodes: d.Nodes,
		DataBytes: int64(d.DataBytes + 0.5), Workflow: d.Workflow()}
}

// WriteCatalog writes the catalog of the trace at tracePath (CatalogPath) for a generated
// population, one row per DAG, atomically.
func WriteCatalog(tracePath string, dags []DAGSpec, opts ...tables.Options) error {
	cw, err := FinishCatalog(tracePath, dags, opts...)
	if err != nil {
		return err
	}
	return cw.Close()
}

// FinishCatalog writes the catalog of the trace at tracePath out, not yet in place: Close moves
// it in, Abort discards it. A command that writes a trace moves the trace in first, then its
// catalog, so that a trace that fails to go in leaves the earlier trace's catalog in place (it
// was replaced by the new one, beside the old trace).
func FinishCatalog(tracePath string, dags []DAGSpec, opts ...tables.Options) (*CatalogWriter, error) {
	return writeCatalog(tracePath, len(dags), func(i int) CatalogEntry { return CatalogEntryOf(&dags[i]) }, opts)
}

// FunctionCatalogEntry describes an imported function: a one-task DAG (width, depth and nodes 1,
// data unknown) named as in the trace rows, running FunctionTrace.Workflow.
func FunctionCatalogEntry(f *FunctionTrace) CatalogEntry {
	return CatalogEntry{DAG: f.ID(), Invocations: f.Invocations(), Width: 1, Depth: 1, Nodes: 1,
		DataBytes: -1, Workflow: f.Workflow()}
}

// FinishFunctionCatalog is FinishCatalog for an imported trace: one row per imported function.
func FinishFunctionCatalog(tracePath string, fns []FunctionTrace, opts ...tables.Options) (*CatalogWriter, error) {
	return writeCatalog(tracePath, len(fns), func(i int) CatalogEntry { return FunctionCatalogEntry(&fns[i]) }, opts)
}

// writeCatalog writes n entries, entry(0) to entry(n-1), as the catalog of the trace at
// tracePath, and finishes the file (FinishCatalog).
func writeCatalog(tracePath string, n int, entry func(int) CatalogEntry, opts []tables.Options) (*CatalogWriter, error) {
	path, err := CatalogPath(tracePath)
	if err != nil {
		return nil, err
	}
	cw, err := CreateCatalog(path, opts...)
	if err != nil {
		return nil, err
	}
	for i := range n {
		e := entry(i)
		if err := cw.Write(&e); err != nil {
			cw.Abort()
			return nil, err
		}
	}
	if err := cw.w.Finish(); err != nil {
		cw.Abort()
		return nil, err
	}
	return cw, nil
}

// CatalogWriter streams catalog rows to a CSV or Parquet file; the file appears only when Close
// succeeds.
type CatalogWriter struct{ w *tables.Writer }

// CreateCatalog starts writing a catalog at path.
func CreateCatalog(path string, opts ...tables.Options) (*CatalogWriter, error) {
	w, err := tables.Create(path, CatalogSchema, opts...)
	if err != nil {
		return nil, err
	}
	return &CatalogWriter{w}, nil
}

// Write appends one DAG.
func (c *CatalogWriter) Write(e *CatalogEntry) error {
	js, err := json.Marshal(e.Workflow)
	if err != nil {
		return fmt.Errorf("catalog: DAG %s: %w", e.DAG, err)
	}
	w := c.w
	w.String(e.DAG)
	w.Int(e.Invocations)
	w.Int(int64(e.Width))
	w.Int(int64(e.Depth))
	w.Int(int64(e.Nodes))
	w.IntOrNull(e.DataBytes)
	w.String(string(js))
	return w.EndRow()
}

// Close finishes the file and moves it into place.
func (c *CatalogWriter) Close() error { return c.w.Close() }

// Abort discards the file; safe after Close.
func (c *CatalogWriter) Abort() { c.w.Abort() }

// ReadCatalog reads a whole catalog, row by row, checking each: a unique non-empty dag_id, a
// workflow that parses and validates, and counts in range. Errors name the file, the row (or
// CSV line) and the column. The catalog holds one row per DAG, so it is small next to the trace.
func ReadCatalog(path string, opts ...tables.Options) ([]CatalogEntry, error) {
	r, err := tables.Open(path, CatalogSchema, opts...)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []CatalogEntry
	var total int64             // the invocations of the rows read
	seen := map[string]string{} // where each DAG's row is
	for r.Next() {
		bad := r.ColumnErrorf
		width, depth, nodes, data, dataNull := r.Int(2), r.Int(3), r.Int(4), r.Int(5), r.IsNull(5)
		e := CatalogEntry{DAG: strings.Clone(r.String(0)), Invocations: r.Int(1), Width: int(width),
			Depth: int(depth), Nodes: int(nodes), DataBytes: data}
		if dataNull {
			e.DataBytes = -1 // unknown
		}
		switch {
		case e.DAG == "":
			return nil, bad("dag_id", "empty, want the DAG's id")
		case e.Invocations < 0:
			return nil, bad("invocations", "%d, want >= 0", e.Invocations)
		case e.Invocations > math.MaxInt64-total:
			// A replay adds them up (its progress counts against the total).
			return nil, bad("invocations", "%d, after the rows before it counted %d: the catalog's invocations add up past the int64 range", e.Invocations, total)
		}
		if col, msg := checkShape(width, depth, nodes, data, dataNull); msg != "" {
			return nil, bad(col, "%s", msg)
		}
		total += e.Invocations
		if prev, dup := seen[e.DAG]; dup {
			// In the reader's own terms: "line N" in CSV, "row N" in Parquet (it said "line 52 ...
			// (first at row 1)").
			return nil, bad("dag_id", "%q again (first at %s); each DAG has one row", e.DAG, prev)
		}
		seen[e.DAG] = r.Where()
		w, err := dag.ParseWorkflow(e.DAG, []byte(r.String(6)))
		if err != nil {
			return nil, bad("workflow", "%v", err)
		}
		e.Workflow = w
		out = append(out, e)
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("reading catalog: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: the catalog has no DAGs", path)
	}
	return out, nil
}
