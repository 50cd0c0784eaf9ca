package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/cputime"
)

// wideFaastlane is Split -> Map of n items of Work -> Join, under the plan baselines.Faastlane
// (Spill true, its defaults) makes for it: every top-level step fused into one 3,008 MB VM, the Map
// bundled by 2, so the host VM runs 2 items and invokes n/2-1 spill VMs whose inputs and outputs
// travel in the invocation payload.
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

// BenchmarkWideFaastlane is one DAG invocation of a wide Map under Faastlane's plan, at several
// widths: CPU per run should grow linearly with the items (docs/simulator.md, "A wide Map under
// Faastlane").
func BenchmarkWideFaastlane(b *testing.B) {
	for _, n := range []int{1000, 2000, 4000, 8000} {
		b.Run(fmt.Sprint("items=", n), func(b *testing.B) {
			w, p := wideFaastlane(n)
			var events int64
			start, cpu := time.Now(), cputime.Process()
			for b.Loop() {
				res, err := Run(w, p, 1, Options{Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				events += res.Summary.Events
			}
			report(b, events, start, cpu)
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
			b.ReportMetric((cputime.Process()-cpu).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
