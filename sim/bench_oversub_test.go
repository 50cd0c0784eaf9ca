package sim

import (
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// mlLike is shaped like the built-in ml workflow: a Map of 16 LightGBM-style tuning items whose
// spin-waiting threads lose time on fewer visible cores than threads (Oversubscription), so every
// rate computation of a VM running them applies the x^g oversubscription factor.
func mlLike() *dag.Workflow {
	logn := func(m, s float64) dag.Dist { return dag.Dist{Kind: dag.LogNormal, Median: m, Sigma: s} }
	return &dag.Workflow{Name: "mllike",
		Functions: []dag.Function{
			{Name: "PCA", MinMemoryMB: 512, SerialWork: dag.Const(5.56), ParallelWork: dag.Const(2.9), Threads: 4,
				InputBytes: dag.Const(20e6), OutputBytes: dag.Const(30e6), InitTime: dag.Const(1), RunFactor: logn(1, 0.06)},
			{Name: "ParamTune", MinMemoryMB: 1000, ParallelWork: dag.Const(17.2), Threads: 12, Oversubscription: 0.795,
				InputBytes: dag.Const(25e6), OutputBytes: dag.Const(2e6), InitTime: dag.Const(2),
				ItemSkew: dag.Dist{Kind: dag.Uniform, Min: 0.25, Max: 1}, RunFactor: logn(1, 0.074)},
			{Name: "Combine", MinMemoryMB: 128, SerialWork: dag.Const(0.04), Threads: 1, InitTime: dag.Const(0.3),
				RunFactor: logn(1, 0.35)},
		},
		Steps: []dag.Step{task("PCA", "PCA"),
			{Name: "Tune", Map: &dag.Map{Items: dag.Const(16), Iterator: []dag.Step{task("ParamTune", "ParamTune")}}},
			task("Combine", "Combine"),
		},
	}
}

// BenchmarkEngineOversub is BenchmarkEngine for mlLike: 2,000 Poisson arrivals (0.5/s, so bundles
// of tuning items overlap) on one reused engine, unbundled and with 4 and 8 items per VM.
func BenchmarkEngineOversub(b *testing.B) {
	plans := []struct {
		name string
		plan *dag.Plan
	}{
		{"uniform", dag.UniformPlan(3008)},
		{"bundled4", &dag.Plan{DefaultMemoryMB: 4096, Bundle: map[string]int{"Tune": 4}}},
		{"bundled8", &dag.Plan{DefaultMemoryMB: 10240, Bundle: map[string]int{"Tune": 8}}},
	}
	for _, pc := range plans {
		b.Run(pc.name, func(b *testing.B) { benchArrivals(b, mlLike(), pc.plan, PoissonArrivals(0.5, 4000, 1)) })
	}
}
