package stats

import (
	"math"
	"testing"
)

func TestPercentile(t *testing.T) {
	s := []float64{1, 2, 3, 4, 5}
	for _, c := range []struct{ p, want float64 }{{0, 1}, {50, 3}, {95, 4.8}, {100, 5}, {25, 2}} {
		if got := Percentile(s, c.p); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Error("Percentile of no data should be NaN")
	}
}

func TestKS(t *testing.T) {
	// Two step CDFs: A jumps to 1 at x=1; B is 0.5 at 1 and 1 at 2. Largest gap is 0.5 at x=1.
	if got := KS([]float64{1}, []float64{1}, []float64{1, 2}, []float64{0.5, 1}); got != 0.5 {
		t.Errorf("KS = %v, want 0.5", got)
	}
	if got := KS([]float64{1, 2}, []float64{0.3, 1}, []float64{1, 2}, []float64{0.3, 1}); got != 0 {
		t.Errorf("KS of identical CDFs = %v, want 0", got)
	}
}
