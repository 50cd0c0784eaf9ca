package wisefuse

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
)

// BenchmarkPrepareBuiltin is the one-time work of a planner for each built-in app, from its
// simulator profile: fitting the model and evaluating every segment option on the 64 MB grid.
// A planner does it once and reuses it for every objective (BenchmarkPlanBuiltin).
func BenchmarkPrepareBuiltin(b *testing.B) {
	for _, a := range apps.All() {
		p, err := ProfileInSim(a.Build(), SimProfileOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(a.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				pl, err := NewPlanner(p, PlannerOptions{})
				if err != nil {
					b.Fatal(err)
				}
				pl.Prepare()
			}
		})
	}
}

// BenchmarkPlanBuiltin plans each built-in app at a medium SLO with a prepared planner: the
// dynamic program alone, the per-objective cost of planning from collected profiles.
func BenchmarkPlanBuiltin(b *testing.B) {
	for _, a := range apps.All() {
		p, err := ProfileInSim(a.Build(), SimProfileOptions{})
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
			for b.Loop() {
				if _, err := pl.Search(dag.Objective{SLO: slo}); err != nil {
					b.Fatal(err)
				}
			}
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
// test generator with 20 runs at two sizes.
//
// One iteration takes about 3 s (search about 0.9 s, reported as search-s/op, the rest
// preparing the wide Map's options, prep-s/op), more than `make bench` should spend on one
// benchmark, so it runs only with WISEFUSE_BENCH_LARGE=1.
func BenchmarkPlanAzureLargest(b *testing.B) {
	if os.Getenv("WISEFUSE_BENCH_LARGE") != "1" {
		b.Skip("takes about 3 s per iteration on 2 shared cores; set WISEFUSE_BENCH_LARGE=1 to run it")
	}
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
	invs, dags := synthRecords(w, fns, []int{1024, 4096}, 20, 5)
	p, err := FromRecords(w, invs, dags)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var prep, search time.Duration
	for b.Loop() {
		t0 := time.Now()
		pl, err := NewPlanner(p, PlannerOptions{NoFusion: true})
		if err != nil {
			b.Fatal(err)
		}
		pl.Prepare()
		t1 := time.Now()
		r, err := pl.Search(dag.Objective{Budget: 1e9})
		prep += t1.Sub(t0)
		search += time.Since(t1)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.Explored), "partial-plans/op")
	}
	b.ReportMetric(prep.Seconds()/float64(b.N), "prep-s/op")
	b.ReportMetric(search.Seconds()/float64(b.N), "search-s/op")
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
