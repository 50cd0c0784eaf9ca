package traces

import (
	"math/rand/v2"
	"testing"
)

// weightedCDF returns the invocation-weighted CDF of attr over the population.
func weightedCDF(dags []DAGSpec, attr func(*DAGSpec) int) CDF {
	counts := map[int]int{}
	for i := range dags {
		counts[attr(&dags[i])] += int(dags[i].Count)
	}
	return cdfFromCounts(counts)
}

func TestStructureMarginalsScratch(t *testing.T) {
	for _, n := range []int{1000, 2000, 5000} {
		for seed := uint64(1); seed <= 4; seed++ {
			dags, err := NewPopulation(PopulationConfig{DAGs: n, Invocations: 10_000_000}, rand.New(rand.NewPCG(seed, 1)))
			if err != nil {
				t.Fatal(err)
			}
			kw := KSDistance(weightedCDF(dags, func(d *DAGSpec) int { return d.Width }), AzureWidth)
			kd := KSDistance(weightedCDF(dags, func(d *DAGSpec) int { return d.Depth }), AzureDepth)
			kn := KSDistance(weightedCDF(dags, func(d *DAGSpec) int { return d.Nodes }), AzureNodes)
			t.Logf("n=%d seed=%d KS width %.4f depth %.4f nodes %.4f top=%d", n, seed, kw, kd, kn, dags[0].Count)
		}
	}
}
