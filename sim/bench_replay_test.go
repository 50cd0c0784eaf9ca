package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/wisefuse/wisefuse/internal/cputime"

	"github.com/wisefuse/wisefuse/dag"
)

// BenchmarkReplay measures the trace-replay path of the engine (Replay): 50 workflows of several
// shapes (chains, fan-outs, the video-like workflow) on one shared platform, 20,000 Poisson
// arrivals spread over them, arrivals pulled from a source and outcomes pushed to a sink, as
// package replay drives it. One op is a whole replay, compilation included. It is the
// at-the-limit stress case: 20 arrivals/s of these workflows keep the account's 1,000 concurrent
// VMs busy throughout, so acquisitions queue and frames pile up (tens of thousands live at the
// end). A replay of a generated trace stays far below the limit; replay's BenchmarkReplayTrace
// measures that path.
func BenchmarkReplay(b *testing.B) {
	var ws []Workload
	for i := range 50 {
		var w *dag.Workflow
		switch i % 3 {
		case 0:
			w = oneTask(fmt.Sprint("task", i), 0.2+0.01*float64(i), 0.25)
		case 1:
			w = chain()
		default:
			w = videoLike()
		}
		ws = append(ws, Workload{Workflow: w, Plan: dag.UniformPlan(1769), Key: uint64(i)})
	}
	times := PoissonArrivals(20, 1000, 1)
	arrivals := make([]Arrival, len(times))
	for i, t := range times {
		arrivals[i] = Arrival{Time: t, DAG: int32(i % len(ws)), ID: int64(i)}
	}
	b.ReportAllocs()
	var events, replayed int64
	start, cpu := time.Now(), cputime.Process()
	for b.Loop() {
		st, err := Replay(ws, sliceSource(arrivals), func(*Outcome) error { return nil }, Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		events += st.Events
		replayed += st.Arrivals
	}
	report(b, events, start, cpu)
	b.ReportMetric(float64(replayed)/time.Since(start).Seconds(), "DAGinvocations/s")
}
