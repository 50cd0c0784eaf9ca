package dag

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpectedItems: ExpectedItems is the mean of ItemCount over d's draws (rounded, at least
// 1), not d's own mean: checked against 10^6 draws for each kind, and by hand for a constant and
// a uniform whose rounding averages out.
func TestExpectedItems(t *testing.T) {
	if got := Const(2.4).ExpectedItems(); got != 2 {
		t.Errorf("const 2.4: %v, want 2", got)
	}
	if got := Const(0.2).ExpectedItems(); got != 1 {
		t.Errorf("const 0.2: %v, want 1 (a Map runs at least one item)", got)
	}
	if got := (Dist{Kind: Uniform, Min: 8, Max: 16}).ExpectedItems(); math.Abs(got-12) > 1e-3 {
		t.Errorf("uniform 8-16: %v, want 12", got)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, d := range []Dist{
		{Kind: Exponential, Mean: 2},
		{Kind: Normal, Mean: 1, StdDev: 3},
		{Kind: LogNormal, Median: 3, Sigma: 0.8},
		{Kind: Uniform, Min: 0, Max: 3},
		{Kind: Empirical, Quantiles: []float64{0, 0.4, 2, 7}},
	} {
		const n = 1_000_000
		sum := 0.0
		for range n {
			sum += float64(ItemCount(d.Sample(r)))
		}
		got, want := d.ExpectedItems(), sum/n
		if math.Abs(got-want) > 0.01*want {
			t.Errorf("%+v: ExpectedItems %v, draws' mean %v (ExpectedValue %v)", d, got, want, d.ExpectedValue())
		}
	}
	if got := (Dist{Kind: Exponential, Mean: 2}).ExpectedItems(); math.Abs(got-2.20) > 0.01 {
		t.Errorf("exponential of mean 2: %v, want about 2.20 (its doc's figure)", got)
	}
}
