package replay

import (
	"cmp"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/wisefuse/wisefuse/internal/cputime"

	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/tables"
	"github.com/wisefuse/wisefuse/traces"
)

// BenchmarkReplayMemory replays traces of one population of 500 DAGs at the same arrival rate
// (20,000 DAG invocations a day) over 1 and 10 days, and reports
// the peak live heap, sampled as outcomes stream out, and that peak per DAG invocation: the peak
// stays put while the trace grows tenfold (it is bounded by the DAGs and what is in flight), so
// the bytes per invocation fall tenfold.
func BenchmarkReplayMemory(b *testing.B) {
	dir := b.TempDir()
	for _, n := range []int64{20_000, 200_000} {
		trace := genTraceDays(b, dir, fmt.Sprintf("t%d.parquet", n), 500, n, float64(n)/20_000)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var peak uint64
			var ms runtime.MemStats
			sample := func(stage string, done, total, events int64) {
				if stage == "replay" && done%(16<<10) == 0 {
					runtime.GC() // the live heap, not garbage awaiting collection
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
			}
			for b.Loop() {
				runtime.GC()
				if _, err := Run(Config{Trace: trace, Out: filepath.Join(dir, "out"), Progress: sample}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(peak), "peak-heap-bytes")
			b.ReportMetric(float64(peak)/float64(n), "peak-heap-bytes/DAGinvocation")
			b.ReportMetric(float64(n)/(b.Elapsed().Seconds()/float64(b.N)), "DAGinvocations/s")
		})
	}
}

// BenchmarkReplayTrace measures the simulator on the real replay path: a generated trace (2,000
// DAGs of traces' population, 200,000 DAG invocations over 0.2 days, the arrival rate of `trace
// gen --dags 2000 --invocations 1000000`), planned under User-Max, replayed through sim.Replay
// from arrivals held in memory. Unlike sim's BenchmarkReplay (the at-the-limit stress case) it
// stays well below the concurrency limit, with tens of VMs running and about a thousand idle, as
// a replay of a generated trace does. One op is one replay, compilation included; reading the
// trace and planning are outside it (BenchmarkReplayMemory covers Run end to end).
//
// drop hands the outcomes to a sink that drops them: the engine alone. write hands them to what
// Run writes them with (outputs.add: invocations.parquet and the per-DAG sketches, then the DAG
// table and summary): the replay path issue 14 compares with sim's BenchmarkWorkflow. serial and
// pipe also decode the trace file (a source, as Run reads it) and write the outputs: serial on
// one goroutine, as Run did before its pipeline (pipe_test.go), pipe as Run does now, decoding
// and writing beside the simulation (pipe.go); only pipe's wall-clock rates gain from a second
// core.
func BenchmarkReplayTrace(b *testing.B) {
	path := genTraceDays(b, b.TempDir(), "t.parquet", 2000, 200_000, 0.2)
	entries, plans, work, arrivals := loadReplay(b, path)
	dir := b.TempDir()
	cfg := Config{Trace: path, Out: dir}
	if err := cfg.defaults(); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"drop", "write", "serial", "pipe"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			var events, replayed int64
			start, cpu := time.Now(), cputime.Process()
			for b.Loop() {
				var out *outputs
				if mode != "drop" {
					var err error
					if out, err = createOutputs(filepath.Join(dir, "out"), len(plans), false, false, tables.Options{}); err != nil {
						b.Fatal(err)
					}
				}
				var st sim.ReplayStats
				var err error
				switch mode {
				case "drop", "write":
					i := 0
					src := func(a *sim.Arrival) (bool, error) {
						if i == len(arrivals) {
							return false, nil
						}
						*a = arrivals[i]
						i++
						return true, nil
					}
					sink := func(*sim.Outcome) error { return nil }
					if out != nil {
						sink = func(o *sim.Outcome) error { return out.add(plans, o) }
					}
					st, err = sim.Replay(work, src, sink, sim.Options{Seed: 1})
				default:
					r, err := traces.OpenDAGTable(path)
					if err != nil {
						b.Fatal(err)
					}
					src := newSource(r, entries, "catalog", &cfg)
					src.replaying(plans)
					s := &simulation{work: work, src: src, opt: sim.Options{Seed: 1}, emitted: func(*sim.Outcome) {},
						write: func(b *outBatch) error { return out.write(plans, b) }}
					if mode == "serial" {
						st, err = serial(s)
					} else {
						st, err = s.pipelined()
					}
					src.r.Close()
				}
				if err != nil {
					b.Fatal(err)
				}
				if out != nil {
					if err := out.finish(plans, &Summary{}, "user-max"); err != nil {
						b.Fatal(err)
					}
				}
				events += st.Events
				replayed += st.Arrivals
			}
			wall := time.Since(start).Seconds()
			b.ReportMetric(float64(events)/wall, "events/s")
			b.ReportMetric(float64(replayed)/wall, "DAGinvocations/s")
			if d := cputime.Process() - cpu; d > 0 {
				b.ReportMetric(float64(events)/d.Seconds(), "events/cpu-s")
				b.ReportMetric(float64(replayed)/d.Seconds(), "DAGinvocations/cpu-s")
			}
		})
	}
}

// loadReplay plans the DAGs of the trace at path under User-Max and reads its arrivals, as Run
// does, but into memory. The catalog entries, plans and workloads are in dag_id order.
func loadReplay(b *testing.B, path string) ([]traces.CatalogEntry, []dagPlan, []sim.Workload, []sim.Arrival) {
	b.Helper()
	cfg := Config{Trace: path, Out: b.TempDir()}
	if err := cfg.defaults(); err != nil {
		b.Fatal(err)
	}
	catalog, err := traces.CatalogPath(path)
	if err != nil {
		b.Fatal(err)
	}
	entries, err := traces.ReadCatalog(catalog)
	if err != nil {
		b.Fatal(err)
	}
	slices.SortFunc(entries, func(a, b traces.CatalogEntry) int { return cmp.Compare(a.DAG, b.DAG) })
	plans, err := planAll(&cfg, entries, nil)
	if err != nil {
		b.Fatal(err)
	}
	r, err := traces.OpenDAGTable(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	src := newSource(r, entries, "catalog", &cfg)
	src.replaying(plans)
	work := make([]sim.Workload, len(plans))
	for i := range plans {
		work[i] = sim.Workload{Workflow: plans[i].entry.Workflow, Plan: plans[i].plan, Key: plans[i].key}
	}
	var arrivals []sim.Arrival
	for {
		var a sim.Arrival
		ok, err := src.next(&a)
		if err != nil {
			b.Fatal(err)
		}
		if !ok {
			break
		}
		arrivals = append(arrivals, a)
	}
	if len(arrivals) == 0 {
		b.Fatal("no arrivals")
	}
	return entries, plans, work, arrivals
}
