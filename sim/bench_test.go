package sim

import (
	"testing"
	"time"

	"github.com/wisefuse/wisefuse/internal/cputime"

	"github.com/wisefuse/wisefuse/dag"
)

// BenchmarkEngine measures the steady-state event loop: one op is a whole simulation of 2,000
// Poisson arrivals of a video-like workflow (warm pools, keep-alive expiries, concurrency) on an
// engine reused from the previous op, so allocs/op shows what the loop itself allocates. One
// sub-benchmark per plan: bundles add processor sharing among co-located items, direct passing
// adds coupled network shares (a sender's pullers are rerated whenever one starts or ends).
func BenchmarkEngine(b *testing.B) {
	for _, name := range []string{"uniform", "fusedIt", "bundled", "bundledDirect"} {
		b.Run(name, func(b *testing.B) { benchArrivals(b, videoLike(), plans()[name], PoissonArrivals(5, 400, 1)) })
	}
}

// benchArrivals is one steady-state benchmark: w under plan for the arrivals arr, on one engine
// reused from op to op, reporting events per second and allocations.
func benchArrivals(b *testing.B, w *dag.Workflow, plan *dag.Plan, arr []float64) {
	e, err := prepare(w, plan, modeShared, len(arr), Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	e.arrivals = arr
	run := func() {
		e.reset()
		e.next = 1
		e.schedule(arr[0], evArrival, 0)
		if err := e.loop(); err != nil {
			b.Fatal(err)
		}
	}
	run() // grow every buffer once
	run()
	b.ReportAllocs()
	var events int64
	start, cpu := time.Now(), cputime.Process()
	for b.Loop() {
		run()
		events += e.events
	}
	report(b, events, start, cpu)
	b.ReportMetric(float64(e.events), "events/op")
}

// BenchmarkWorkflow is the public entry point end to end: 200 independent runs of a video-like
// workflow (validation, compilation, records and summary included).
func BenchmarkWorkflow(b *testing.B) {
	w := videoLike()
	p := &dag.Plan{DefaultMemoryMB: 3008, Fuse: [][]string{{"Extract", "Classify"}}}
	b.ReportAllocs()
	var events int64
	start, cpu := time.Now(), cputime.Process()
	for b.Loop() {
		res, err := Run(w, p, 200, Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		events += res.Summary.Events
	}
	report(b, events, start, cpu)
}

// report gives events per wall-clock second and per CPU second of the process (the fair figure
// for "one core" when other processes share the machine).
func report(b *testing.B, events int64, start time.Time, cpu time.Duration) {
	b.ReportMetric(float64(events)/time.Since(start).Seconds(), "events/s")
	if d := cputime.Process() - cpu; d > 0 {
		b.ReportMetric(float64(events)/d.Seconds(), "events/cpu-s")
	}
}
