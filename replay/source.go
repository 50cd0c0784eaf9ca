package replay

import (
	"fmt"

	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/traces"
)

// source streams a trace's rows as the simulator's arrivals: the rows of this shard's DAGs inside
// the time window, each checked (a DAG the catalog does not have, arrivals out of order, and
// every check of traces.DAGReader, among them an arrival past sim.MaxTime, stop the replay with
// the file, row and column).
type source struct {
	r *traces.DAGReader
	// dags maps every dag_id of the catalog to its entry in shapes: one lookup per row checks
	// the id, the row's structure and finds the workload.
	dags    map[string]int32
	shapes  []dagShape
	catalog string // the catalog's path, for the errors
	from    float64
	to      float64
	prev    float64 // arrival of the previous row (all shards: the file must be sorted)
	rows    int64
	err     error
	stopped func() error // cancellation
}

// next fills a with the next arrival of this replay and reports whether there is one. At the end
// or on error it returns false; err says which.
func (s *source) next(a *sim.Arrival) (bool, error) {
	if s.err != nil {
		return false, s.err
	}
	for s.r.Next() {
		s.rows++
		if s.rows&4095 == 0 {
			if err := s.stopped(); err != nil {
				s.err = err
				return false, err
			}
		}
		row := s.r.Row()
		if row.Arrival < s.prev {
			s.err = s.r.ColumnErrorf("arrival_s", "%v is before the previous row's %v; a trace is sorted by arrival (sort it, e.g. ORDER BY arrival_s)",
				row.Arrival, s.prev)
			return false, s.err
		}
		s.prev = row.Arrival
		ci, ok := s.dags[row.DAG]
		if !ok {
			s.err = s.r.ColumnErrorf("dag_id", "%q is not in the trace's catalog; every DAG of a trace needs a catalog row (traces.CatalogPath)", row.DAG)
			return false, s.err
		}
		sh := &s.shapes[ci]
		if row.Width != sh.width || row.Depth != sh.depth || row.Nodes != sh.nodes || row.DataBytes != sh.data {
			s.err = s.shapeError(sh, row)
			return false, s.err
		}
		if s.to != 0 && row.Arrival >= s.to {
			return false, nil // sorted: nothing later is in the window
		}
		if sh.pos < 0 || row.Arrival < s.from {
			continue
		}
		*a = sim.Arrival{Time: row.Arrival, DAG: sh.pos, ID: row.Invocation}
		return true, nil
	}
	if err := s.r.Err(); err != nil {
		s.err = err
		return false, err
	}
	return false, nil
}

// newSource reads the trace from r; its catalog lists the DAGs. Until replaying sets
// their positions (replaying), every DAG counts as another shard's.
func newSource(r *traces.DAGReader, entries []traces.CatalogEntry, catalog string, cfg *Config) *source {
	dags := make(map[string]int32, len(entries))
	shapes := make([]dagShape, len(entries))
	for i, e := range entries {
		dags[e.DAG] = int32(i)
		shapes[i] = dagShape{width: e.Width, depth: e.Depth, nodes: e.Nodes, data: e.DataBytes, pos: -1}
	}
	return &source{r: r, dags: dags, shapes: shapes, catalog: catalog,
		from: cfg.From, to: cfg.To, stopped: cfg.Context.Err}
}

// dagShape is what a trace row must agree with in its DAG's catalog entry, and the DAG's
// position in the replay's workloads (-1: another shard's).
type dagShape struct {
	width, depth, nodes int
	data                int64 // data_bytes, -1 unknown (null)
	pos                 int32
}

// shapeError names the first of row's width, depth, nodes and data_bytes that differs from its
// DAG's catalog entry sh. A DAG has one structure and data size, and the replay runs the
// catalog's workflow for every row of it: a catalog of another trace (another seed, population
// or data model, with the same dag_ids) would otherwise replay other workflows under this
// trace's arrivals without a word.
func (s *source) shapeError(sh *dagShape, row *traces.DAGInvocation) error {
	col, got, want := "width", int64(row.Width), int64(sh.width)
	switch {
	case row.Width != sh.width:
	case row.Depth != sh.depth:
		col, got, want = "depth", int64(row.Depth), int64(sh.depth)
	case row.Nodes != sh.nodes:
		col, got, want = "nodes", int64(row.Nodes), int64(sh.nodes)
	default:
		col, got, want = "data_bytes", row.DataBytes, sh.data
	}
	text := func(v int64) string {
		if col == "data_bytes" && v < 0 {
			return "null (unknown)"
		}
		return fmt.Sprint(v)
	}
	return s.r.ColumnErrorf(col, "%s, but the catalog %s gives DAG %q %s %s: a DAG has one structure and data size, and the replay runs the catalog's workflow (is the catalog another trace's?)",
		text(got), s.catalog, row.DAG, col, text(want))
}

// replaying gives the DAGs of plans, this replay's workloads in order, their positions.
func (s *source) replaying(plans []dagPlan) {
	for i := range plans {
		s.place(plans[i].entry.DAG, i)
	}
}

// place gives DAG id position i among the arrivals next yields.
func (s *source) place(id string, i int) {
	ci, ok := s.dags[id]
	if !ok {
		panic("replay: a planned DAG is not in the catalog") // plans come from the catalog
	}
	s.shapes[ci].pos = int32(i)
}

// coldShares returns, for each DAG of mine (this replay's, from the catalog entries), the share
// of its invocations in the trace's window that arrive at least the platform's keep-alive after
// its previous one, its first included: when every VM it left warm has been reclaimed, so that
// all of its VMs start cold (Config.ColdAware). It reads the trace once more, with every check
// of the replay's own reading, before the planning. The share is an estimate, off both ways: it
// leaves out the cold starts that overlapping invocations of a DAG add (more VMs at once than it
// left warm), and it counts the gap from the previous arrival, not its end (an invocation up to
// that one's latency past the keep-alive still finds its VMs warm).
func coldShares(cfg *Config, entries, mine []traces.CatalogEntry, catalog string) ([]float64, error) {
	r, err := traces.OpenDAGTable(cfg.Trace)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	src := newSource(r, entries, catalog, cfg)
	for i := range mine {
		src.place(mine[i].DAG, i)
	}
	last := make([]float64, len(mine))
	n, cold := make([]int64, len(mine)), make([]int64, len(mine))
	var a sim.Arrival
	for {
		ok, err := src.next(&a)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if n[a.DAG] == 0 || a.Time-last[a.DAG] >= cfg.Platform.KeepAlive {
			cold[a.DAG]++
		}
		n[a.DAG]++
		last[a.DAG] = a.Time
	}
	shares := make([]float64, len(mine))
	for i := range shares {
		if n[i] > 0 {
			shares[i] = float64(cold[i]) / float64(n[i])
		}
	}
	return shares, nil
}
