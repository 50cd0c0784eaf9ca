package wisefuse

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/wisefuse/wisefuse/internal/cputime"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
)

// BenchmarkPrepareBuiltin is the one-time work of a planner for each built-in app, from its
// simulator profile: fitting the model, listing every segment option on the 64 MB grid, bounding
// those that replay bundles and evaluating the others. A planner does it once; its searches then
// replay what their objectives need (BenchmarkPlanFromProfile gives both).
func BenchmarkPrepareBuiltin(b *testing.B) {
	for _, a := range apps.All() {
		p, err := profileInSim(a.Build(), ProfileOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(a.Name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				pl, err := NewPlanner(p, PlannerOptions{})
				if err != nil {
					b.Fatal(err)
				}
				pl.Prepare()
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkPrepareBuiltinFull is BenchmarkPrepareBuiltin on the full default platform (with the
// measured bandwidths and contention), as `wisefuse plan` and the experiments plan: transfers
// then share a bundle's network, so a bundle's bound and replay have more phases.
func BenchmarkPrepareBuiltinFull(b *testing.B) {
	for _, a := range apps.All() {
		p, err := profileInSim(a.Build(), ProfileOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(a.Name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				pl, err := NewPlanner(p, PlannerOptions{Model: ModelOptions{Platform: platform.Default(), BundleRuns: *bundleRuns}})
				if err != nil {
					b.Fatal(err)
				}
				pl.Prepare()
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkReadProfile reads each built-in app's default profile (300 runs at each default size,
// as `wisefuse profile --simulate` writes it: video's is 5.8 MB) from a file, the first step of
// `plan --profiles`.
func BenchmarkReadProfile(b *testing.B) {
	for _, a := range apps.All() {
		_, path := profileFile(b, a)
		// What is timed must be right: the read gives what jsonpos.Decode makes of the file.
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		want, err := slowProfile(data)
		if err != nil {
			b.Fatal(err)
		}
		if got, err := ReadProfile(path); err != nil || !sameProfile(got, want) {
			b.Fatalf("%s: ReadProfile differs from jsonpos.Decode (%v)", a.Name, err)
		}
		b.Run(a.Name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				if _, err := ReadProfile(path); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkPlanFromProfile is `wisefuse plan --profiles FILE --slo S` without the process: read
// each built-in app's default profile from a file, build a planner on the default platform
// (workers: GOMAXPROCS, as `plan`) and search once, at 1.2 and 2 times the P95 of the app's
// fastest plan. A search replays only the options its objective needs (segmentOptions), so this
// is the whole cost of planning a workflow once, as trace replay does for every DAG (issue 14's
// goal: under 100 ms).
func BenchmarkPlanFromProfile(b *testing.B) {
	for _, a := range apps.All() {
		p, path := profileFile(b, a)
		opts := PlannerOptions{Model: ModelOptions{Platform: platform.Default()}}
		pl, err := NewPlanner(p, opts)
		if err != nil {
			b.Fatal(err)
		}
		fast, err := pl.Search(dag.Objective{Budget: math.MaxFloat64})
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range []float64{1.2, 2} {
			obj := dag.Objective{SLO: f * fast.Prediction.Percentile(95)}
			b.Run(fmt.Sprintf("%s/slo=%gx-fastest", a.Name, f), func(b *testing.B) {
				cpu := cputime.Process()
				for b.Loop() {
					p, err := ReadProfile(path)
					if err != nil {
						b.Fatal(err)
					}
					pl, err := NewPlanner(p, opts)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := pl.Search(obj); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu)
			})
		}
	}
}

// profileFile profiles app a in the simulator with the default options, as `wisefuse profile
// --simulate` does, and writes the profile to a file.
func profileFile(b *testing.B, a apps.App) (*Profile, string) {
	p, err := profileInSim(a.Build(), ProfileOptions{})
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), a.Name+".json")
	if err := WriteProfile(path, p); err != nil {
		b.Fatal(err)
	}
	return p, path
}

// BenchmarkPlanBuiltin plans each built-in app at a medium SLO with a planner that has already
// searched (mediumSLO's search replayed what the sweeps need): the dynamic program alone, without
// replays. BenchmarkPlanFromProfile gives a whole plan.
func BenchmarkPlanBuiltin(b *testing.B) {
	for _, a := range apps.All() {
		p, err := profileInSim(a.Build(), ProfileOptions{})
		if err != nil {
			b.Fatal(err)
		}
		pl, err := NewPlanner(p, PlannerOptions{})
		if err != nil {
			b.Fatal(err)
		}
		pl.Prepare()
		slo := mediumSLO(b, pl)
		b.Run(a.Name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				if _, err := pl.Search(dag.Objective{SLO: slo}); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

func mediumSLO(b *testing.B, pl *Planner) float64 {
	r, err := pl.Search(dag.Objective{Budget: 1e9})
	if err != nil {
		b.Fatal(err)
	}
	return 1.5 * r.Prediction.Percentile(95)
}

// BenchmarkPlanAzureLargest plans a workflow shaped like the largest published Azure DAG: depth
// 135 (a chain of 134 tasks around one Map) and width 35,385 (the Map's items), profiled by the
// test generator with 20 runs at two sizes. It reports the planner's one-time preparation
// (prep-s/op: fitting, item summaries, every option on the grid bounded or evaluated) and the
// search (search-s/op, with the replays its objective needs)
// separately, in wall-clock and CPU time (prep-cpu-s/op, search-cpu-s/op); the goal is under
// 0.3 s for both together (issue 14). One iteration plus the setup (generating and profiling the
// records) takes about 2 s on 2 shared cores, so it runs with `make bench`.
func BenchmarkPlanAzureLargest(b *testing.B) {
	w := &dag.Workflow{Name: "azure-largest"}
	fns := map[string]synthFn{}
	for i := range 135 {
		name := fmt.Sprintf("f%03d", i)
		w.Functions = append(w.Functions, dag.Function{Name: name, MinMemoryMB: 256, Threads: 1})
		fns[name] = synthFn{serial: 0.2, parallel: 0.3, threads: 2, down: 0.02, up: 0.02, skew: 0.2, runSigma: 0.1}
		if i == 67 {
			w.Steps = append(w.Steps, dag.Step{Name: "Wide", Map: &dag.Map{Items: dag.Const(35385), Iterator: []dag.Step{{Name: "s" + name, Task: name}}}})
			continue
		}
		w.Steps = append(w.Steps, dag.Step{Name: "s" + name, Task: name})
	}
	p := synthProfile(b, w, fns, []int{1024, 4096}, 20, 5)
	b.ReportAllocs()
	var prep, search, prepCPU, searchCPU time.Duration
	for b.Loop() {
		t0, c0 := time.Now(), cputime.Process()
		pl, err := NewPlanner(p, PlannerOptions{NoFusion: true})
		if err != nil {
			b.Fatal(err)
		}
		pl.Prepare()
		t1, c1 := time.Now(), cputime.Process()
		r, err := pl.Search(dag.Objective{Budget: 1e9})
		prep += t1.Sub(t0)
		search += time.Since(t1)
		prepCPU += c1 - c0
		searchCPU += cputime.Process() - c1
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.Explored), "partial-plans/op")
	}
	b.ReportMetric(prep.Seconds()/float64(b.N), "prep-s/op")
	b.ReportMetric(search.Seconds()/float64(b.N), "search-s/op")
	if prepCPU+searchCPU > 0 {
		b.ReportMetric(prepCPU.Seconds()/float64(b.N), "prep-cpu-s/op")
		b.ReportMetric(searchCPU.Seconds()/float64(b.N), "search-cpu-s/op")
	}
}

// reportCPU reports the process's CPU time per iteration since cpu: on a shared machine a fairer
// measure of the single-threaded planner than the wall-clock ns/op.
func reportCPU(b *testing.B, cpu time.Duration) {
	if d := cputime.Process() - cpu; d > 0 {
		b.ReportMetric(d.Seconds()*1e3/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkAddIndependent is the dynamic program's inner operation: one series sum of 256 atoms.
func BenchmarkAddIndependent(b *testing.B) {
	a, c := make(Latency, 256), make(Latency, 256)
	for i := range a {
		a[i], c[i] = float64(i)*0.01+1, float64(i*i)*1e-4+0.5
	}
	var dst Latency
	b.ReportAllocs()
	for b.Loop() {
		dst = addIndependent(dst, a, c)
	}
}

// BenchmarkProfileWideMap profiles a task, a Map of width items and a task (10 runs at each
// of two sizes) through the streaming Runner and reports the heap still allocated per record
// (the profile's samples) and the peak heap growth per record seen while profiling. Records stream
// into the profile run by run, so neither grows with the record's size: both stay about the
// same at the two widths, far below a record's 0.6-0.75 KB.
func BenchmarkProfileWideMap(b *testing.B) {
	for _, width := range []int{1000, 10000} {
		w := &dag.Workflow{Name: "wide", Functions: []dag.Function{
			{Name: "split", MinMemoryMB: 256, SerialWork: dag.Const(0.2), Threads: 1},
			{Name: "work", MinMemoryMB: 256, SerialWork: dag.Const(0.1), ParallelWork: dag.Const(0.2), Threads: 2},
			{Name: "join", MinMemoryMB: 256, SerialWork: dag.Const(0.2), Threads: 1},
		}, Steps: []dag.Step{
			{Name: "split", Task: "split"},
			{Name: "map", Map: &dag.Map{Items: dag.Const(float64(width)), Iterator: []dag.Step{{Name: "work", Task: "work"}}}},
			{Name: "join", Task: "join"},
		}}
		o := ProfileOptions{Sizes: []int{1024, 4096}, Runs: 10}
		b.Run(fmt.Sprint("items=", width), func(b *testing.B) {
			recs := float64(len(o.Sizes) * o.Runs * (width + 2))
			var kept, peak float64
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				maxHeap := before.HeapAlloc
				p, err := ProfileBy(w, o, func(w *dag.Workflow, pl *dag.Plan, runs int, seed uint64, sink RunSink) error {
					return simRunner(w, pl, runs, seed, func(invs []records.Invocation, d *records.DAGRun) error {
						var ms runtime.MemStats
						runtime.ReadMemStats(&ms)
						maxHeap = max(maxHeap, ms.HeapAlloc)
						return sink(invs, d)
					})
				})
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				kept = float64(after.HeapAlloc-before.HeapAlloc) / recs
				peak = float64(maxHeap-before.HeapAlloc) / recs
				runtime.KeepAlive(p)
			}
			b.ReportMetric(kept, "kept-B/record")
			b.ReportMetric(peak, "peak-B/record")
		})
	}
}
