package replay

import (
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/traces"
)

// source streams a trace's rows as the simulator's arrivals: the rows of this shard's DAGs inside
// the time window, each checked (a DAG the catalog does not have, arrivals out of order, and
// every check of traces.DAGReader, among them an arrival past sim.MaxTime, stop the replay with
// the file, row and column).
type source struct {
	r *traces.DAGReader
	// dags maps every dag_id of the catalog to its position in the replay's workloads, or -1
	// for another shard's DAG: one lookup per row checks the id and finds the workload.
	dags    map[string]int32
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
		i, ok := s.dags[row.DAG]
		if !ok {
			s.err = s.r.ColumnErrorf("dag_id", "%q is not in the trace's catalog; every DAG of a trace needs a catalog row (traces.CatalogPath)", row.DAG)
			return false, s.err
		}
		if s.to != 0 && row.Arrival >= s.to {
			return false, nil // sorted: nothing later is in the window
		}
		if i < 0 || row.Arrival < s.from {
			continue
		}
		*a = sim.Arrival{Time: row.Arrival, DAG: i, ID: row.Invocation}
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
func newSource(r *traces.DAGReader, catalog []traces.CatalogEntry, cfg *Config) *source {
	dags := make(map[string]int32, len(catalog))
	for _, e := range catalog {
		dags[e.DAG] = -1
	}
	return &source{r: r, dags: dags,
		from: cfg.From, to: cfg.To, stopped: cfg.Context.Err}
}

// replaying gives the DAGs of plans, this replay's workloads in order, their positions.
func (s *source) replaying(plans []dagPlan) {
	for i := range plans {
		s.dags[plans[i].entry.DAG] = int32(i)
	}
}
