package sim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// TestDrawMatchesDist: a compiled draw gives exactly dag.Dist's Sample and Factor, and consumes
// the same random numbers, for every kind (the unset Dist and a kind-less value included).
func TestDrawMatchesDist(t *testing.T) {
	for _, d := range []dag.Dist{
		{}, {Value: 3}, dag.Const(0.25), {Kind: dag.Uniform, Min: 0.5, Max: 2},
		{Kind: dag.Exponential, Mean: 1.5}, {Kind: dag.Normal, Mean: 0.1, StdDev: 0.3},
		{Kind: dag.LogNormal, Median: 2, Sigma: 0.7}, {Kind: dag.Empirical, Quantiles: []float64{4}},
		{Kind: dag.Empirical, Quantiles: []float64{0, 1, 1, 5, 9.5}},
	} {
		var quant [][]float64
		w := compileDraw(d, &quant)
		r1, r2 := rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(1, 2))
		for i := range 2000 {
			var want, got float64
			if i%2 == 0 {
				want, got = d.Sample(r1), w.sample(r2, quant)
			} else {
				want, got = d.Factor(r1), w.factor(r2, quant)
			}
			if math.Float64bits(want) != math.Float64bits(got) {
				t.Fatalf("%+v: draw %d gave %v, dag.Dist %v", d, i, got, want)
			}
		}
		if a, b := r1.Uint64(), r2.Uint64(); a != b {
			t.Fatalf("%+v: the random streams parted (%d, %d)", d, a, b)
		}
	}
}
