package experiments

import (
	"path/filepath"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/traces"
)

// periodicTrace writes a trace of one DAG, a one-task workflow invoked every period seconds n
// times, and its catalog.
func periodicTrace(t *testing.T, dir string, period float64, n int) string {
	t.Helper()
	w, err := dag.ParseWorkflow("periodic", []byte(`{"name": "periodic", "functions": [{"name": "f", "min_memory_mb": 128,
		"serial_work_s": 1, "parallel_work_s": 0, "threads": 1, "input_bytes": 0, "output_bytes": 0, "init_s": 0.5}],
		"steps": [{"name": "f", "task": "f"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "periodic.parquet")
	cat, err := traces.CatalogPath(path)
	if err != nil {
		t.Fatal(err)
	}
	cw, err := traces.CreateCatalog(cat)
	if err != nil {
		t.Fatal(err)
	}
	defer cw.Abort()
	if err := cw.Write(&traces.CatalogEntry{DAG: "periodic", Invocations: int64(n), Width: 1, Depth: 1, Nodes: 1, DataBytes: 0, Workflow: w}); err != nil {
		t.Fatal(err)
	}
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	tw, err := traces.CreateDAGTable(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tw.Abort()
	for i := range n {
		if err := tw.Write(&traces.DAGInvocation{DAG: "periodic", Invocation: int64(i), Arrival: float64(i) * period,
			Width: 1, Depth: 1, Nodes: 1, Skew: 1, Latency: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestKeepAlivePeriodic replays a DAG invoked every 30 min, 60 times, under User-Max: every
// invocation is cold under the fixed windows shorter than the period (5, 10, 20 min), only the
// first under fixed 60 min, and under hybrid only the first too (until 10 idle times are in, the
// fallback keeps the VM the whole 4 h range; then it is unloaded and pre-warmed 27 min after each
// release, 0.9 x the 30 min idle time's bin edge). Hybrid wastes less memory than fixed 60 min,
// whose VM idles the whole 30 min between invocations, and less than fixed 10 min, whose VM idles
// 10 min and then cold-starts: a pre-warmed VM idles about 3 min.
func TestKeepAlivePeriodic(t *testing.T) {
	dir := t.TempDir()
	trace := periodicTrace(t, dir, 1800, 60)
	rows, err := keepAliveReplays(trace, "user-max", dir)
	if err != nil {
		t.Fatal(err)
	}
	tab := &Table{Schema: schemaOf[keepAliveRow](), Rows: rows}
	get := func(setting string) keepAliveStats { return keepAliveStatsOf(tab, "user-max", setting) }
	for _, s := range []string{"fixed-5min", "fixed-10min", "fixed-20min"} {
		if c := get(s).coldFrac; c != 1 {
			t.Errorf("%s: cold fraction %.3f, want 1 (window shorter than the 30 min period)", s, c)
		}
	}
	if c := get("fixed-60min").coldFrac; c != 1.0/60 {
		t.Errorf("fixed-60min: cold fraction %.4f, want 1/60", c)
	}
	h, f60 := get("hybrid"), get("fixed-60min")
	if h.coldFrac != 1.0/60 {
		t.Errorf("hybrid: cold fraction %.4f, want 1/60 (warm from the second invocation)", h.coldFrac)
	}
	if f10 := get("fixed-10min"); !(h.idleGBS < f10.idleGBS && f10.idleGBS < f60.idleGBS) {
		t.Errorf("idle GB-s: hybrid %.0f, fixed 10 min %.0f, fixed 60 min %.0f: want increasing", h.idleGBS, f10.idleGBS, f60.idleGBS)
	}
}
