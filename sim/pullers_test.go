package sim

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/cputime"
	"github.com/wisefuse/wisefuse/platform"
)

// wideFanOut is Split -> Map of n items of Work, Work pulling Split's 1 GB output directly. About
// a quarter of the items read nothing (in = 0): they compute at once and upload their output while
// the other items of their bundle still pull, which adds transfers to a puller's VM.
func wideFanOut(n int) (*dag.Workflow, *dag.Plan) {
	w := &dag.Workflow{Name: "wide",
		Functions: []dag.Function{
			{Name: "Split", MinMemoryMB: 1024, SerialWork: dag.Const(0.5), Threads: 1, OutputBytes: dag.Const(1e9)},
			{Name: "Work", MinMemoryMB: 1024, SerialWork: dag.Dist{Kind: dag.Uniform, Min: 0.5, Max: 1.5}, Threads: 1,
				InputBytes:  dag.Dist{Kind: dag.Empirical, Quantiles: []float64{0, 0, 1e5, 2e5, 4e5}},
				OutputBytes: dag.Const(1e6)},
		},
		Steps: []dag.Step{task("Split", "Split"),
			{Name: "M", Map: &dag.Map{Items: dag.Const(float64(n)), Iterator: []dag.Step{task("Work", "Work")}}}},
	}
	return w, &dag.Plan{DefaultMemoryMB: 1024, Passing: map[string]dag.Passing{"M": dag.DirectPassing}}
}

func widePlatform() *platform.Platform {
	p := testPlatform()
	p.ConcurrencyLimit = 1 << 20
	return p
}

// runLazy is Run with the engine's lazyPullers threshold set to k; it returns the engine too.
func runLazy(t testing.TB, w *dag.Workflow, p *dag.Plan, runs int, k int32, opt Options) (*Result, *engine) {
	t.Helper()
	e, err := prepare(w, p, modeIsolated, runs, opt)
	if err != nil {
		t.Fatal(err)
	}
	e.lazyK = k
	e.next = 1
	e.schedule(0, evArrival, 0)
	res, err := e.finish()
	if err != nil {
		t.Fatal(err)
	}
	return res, e
}

// TestLazyPullersMatchEager cross-checks the two ways a sender's pullers are rated (handle.go):
// one by one (the threshold above any puller count) and on the sender's virtual clock (threshold
// 2, so nearly every pull takes that path, including pullers handed back when their bundle's VM
// gains uploads). Every invocation's times and every DAG's latency and cost agree within
// rounding.
func TestLazyPullersMatchEager(t *testing.T) {
	for _, bundle := range []int{1, 2, 3} {
		t.Run(fmt.Sprint("bundle", bundle), func(t *testing.T) {
			w, p := wideFanOut(300)
			if bundle > 1 {
				p.Bundle = map[string]int{"M": bundle}
				p.DefaultMemoryMB = 1024 * bundle
			}
			opt := Options{Platform: widePlatform(), KeepInvocations: true, Check: true, Seed: 3}
			eager, _ := runLazy(t, w, p, 2, math.MaxInt32, opt)
			lazy, _ := runLazy(t, w, p, 2, 2, opt)
			if len(eager.Invocations) != len(lazy.Invocations) {
				t.Fatalf("%d invocations eager, %d lazy", len(eager.Invocations), len(lazy.Invocations))
			}
			close := func(what string, i int, a, b float64) {
				if math.Abs(a-b) > 1e-9*max(1, math.Abs(a)) {
					t.Errorf("%s %d: eager %.15g, lazy %.15g", what, i, a, b)
				}
			}
			// Simultaneous ends may be recorded in another order: match invocations by (run, item).
			type key struct{ run, item int }
			byKey := map[key]int{}
			for i, inv := range eager.Invocations {
				byKey[key{inv.Run, inv.Item}] = i
				if inv.Step == "Split" {
					byKey[key{inv.Run, -1}] = i
				}
			}
			for _, inv := range lazy.Invocations {
				k := key{inv.Run, inv.Item}
				if inv.Step == "Split" {
					k.item = -1
				}
				i, ok := byKey[k]
				if !ok {
					t.Fatalf("lazy invocation %+v has no eager twin", inv)
				}
				ref := eager.Invocations[i]
				close("download", i, ref.Download, inv.Download)
				close("end", i, ref.End, inv.End)
				close("cost", i, ref.Cost, inv.Cost)
			}
			for i := range eager.DAGs {
				close("latency", i, eager.DAGs[i].Latency, lazy.DAGs[i].Latency)
				close("DAG cost", i, eager.DAGs[i].Cost, lazy.DAGs[i].Cost)
			}
		})
	}
}

// TestWideFanOutLinear guards against the quadratic cost of a wide direct fan-out above the
// default concurrency limit: every puller that started or ended used to reschedule every other
// puller's completion (1,000 items scheduled 0.6 M events, 2,000 items 2.3 M and 4,000 items 9.3 M;
// 10,000 items took 3.5 GB).
// Now a sender with many pullers tracks them itself, and the events scheduled grow linearly: a
// few per item, plus the per-puller rerating below lazyPullers pullers.
func TestWideFanOutLinear(t *testing.T) {
	for _, n := range []int{1000, 4000} {
		w, p := wideFanOut(n)
		_, e := runLazy(t, w, p, 1, lazyPullers, Options{Platform: widePlatform()})
		limit := uint64(10*n + lazyPullers*lazyPullers)
		if e.seq > limit {
			t.Errorf("%d items: %d events scheduled, want at most %d", n, e.seq, limit)
		}
		t.Logf("%d items: %d events scheduled (%.1f per item), %d fired", n, e.seq, float64(e.seq)/float64(n), e.events)
	}
}

// BenchmarkWideFanOut is one run of a Map of 2,000 and of 8,000 items pulling 1 GB directly from
// one sender, the concurrency limit above the width. events/item and B/item must not grow with
// the width (they grew linearly, the whole run quadratically, before senders tracked many pullers
// on a virtual clock).
func BenchmarkWideFanOut(b *testing.B) {
	for _, n := range []int{2000, 8000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			w, p := wideFanOut(n)
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			var sched uint64
			ops := 0
			for b.Loop() {
				_, e := runLazy(b, w, p, 1, lazyPullers, Options{Platform: widePlatform()})
				sched += e.seq
				ops++
			}
			runtime.ReadMemStats(&ms1)
			items := float64(n * ops)
			b.ReportMetric(float64(sched)/items, "events/item")
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/items, "B/item")
		})
	}
}

// wideFaastlane is Split -> Map of n items of Work -> Join, under the plan baselines.Faastlane
// (Spill true, its defaults) makes for it: every top-level step fused into one 3,008 MB VM, the Map
// bundled by 2, so the host VM runs 2 items and invokes n/2-1 spill VMs whose items pull their
// input from the host in the invocation payload. Every pull has the same bytes and starts at the
// same instant, so all of them end at one instant.
func wideFaastlane(n int) (*dag.Workflow, *dag.Plan) {
	w := &dag.Workflow{Name: "widefaastlane",
		Functions: []dag.Function{
			{Name: "Split", MinMemoryMB: 256, SerialWork: dag.Const(0.5), Threads: 1, OutputBytes: dag.Const(1e6)},
			{Name: "Work", MinMemoryMB: 256, SerialWork: dag.Dist{Kind: dag.Uniform, Min: 0.5, Max: 1.5}, Threads: 1,
				InputBytes: dag.Const(1e5), OutputBytes: dag.Const(1e5)},
			{Name: "Join", MinMemoryMB: 256, SerialWork: dag.Const(0.5), Threads: 1, InputBytes: dag.Const(1e6)},
		},
		Steps: []dag.Step{task("Split", "Split"),
			{Name: "M", Map: &dag.Map{Items: dag.Const(float64(n)), Iterator: []dag.Step{task("Work", "Work")}}},
			task("Join", "Join")},
	}
	return w, &dag.Plan{DefaultMemoryMB: 3008, Fuse: [][]string{{"Split", "M", "Join"}}, Bundle: map[string]int{"M": 2}}
}

// TestWideFaastlaneLinear checks that a wide Map under Faastlane's plan, whose pulls all end at
// one instant, schedules a bounded number of events per item: before a complete puller handed
// back by its sender stayed out of the sender's list, each pull's end rerated every other one
// (136.6 events scheduled per item at 1,000 items, 1,004 at 8,000).
func TestWideFaastlaneLinear(t *testing.T) {
	for _, n := range []int{1000, 4000} {
		w, p := wideFaastlane(n)
		_, e := runLazy(t, w, p, 1, lazyPullers, Options{Seed: 1})
		if limit := uint64(20 * n); e.seq > limit {
			t.Errorf("%d items: %d events scheduled, want at most %d", n, e.seq, limit)
		}
		t.Logf("%d items: %d events scheduled (%.1f per item), %d fired", n, e.seq, float64(e.seq)/float64(n), e.events)
	}
}

// BenchmarkWideFaastlane is one DAG invocation of a wide Map under Faastlane's plan at 1,000 to
// 8,000 items, with the engine Run uses: all its pulls end at one instant (docs/simulator.md, "A
// wide Map under Faastlane"). CPU per op and events scheduled per item must not grow with the
// width; the events fired are 3 per item.
func BenchmarkWideFaastlane(b *testing.B) {
	for _, n := range []int{1000, 2000, 4000, 8000} {
		b.Run(fmt.Sprint("items=", n), func(b *testing.B) {
			w, p := wideFaastlane(n)
			var sched uint64
			var fired int64
			cpu := cputime.Process()
			for b.Loop() {
				_, e := runLazy(b, w, p, 1, lazyPullers, Options{Seed: 1})
				sched += e.seq
				fired += e.events
			}
			ops := float64(b.N)
			b.ReportMetric((cputime.Process()-cpu).Seconds()/ops, "cpu-s/op")
			b.ReportMetric(float64(fired)/ops, "events/op")
			b.ReportMetric(float64(sched)/(ops*float64(n)), "scheduled/item")
		})
	}
}
