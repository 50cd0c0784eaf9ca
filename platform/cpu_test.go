package platform

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSpinEfficiencyByHand: 12 threads with g = 0.5 on 3 visible cores progress at
// (3/12)^0.5 = 1/2 of their share; on 12 or more cores, or with g = 0, at all of it. A 5,307 MB
// Lambda function (3 vCPUs on 3 visible cores) bundling three items gives each 1 vCPU and so 1
// visible core.
func TestSpinEfficiencyByHand(t *testing.T) {
	for _, c := range []struct{ visible, threads, g, want float64 }{
		{3, 12, 0.5, 0.5}, {12, 12, 0.5, 1}, {16, 12, 0.5, 1}, {3, 12, 0, 1}, {1, 8, 1.0 / 3, 0.5},
	} {
		if got := SpinEfficiency(c.visible, c.threads, c.g); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("SpinEfficiency(%v, %v, %v) = %v, want %v", c.visible, c.threads, c.g, got, c.want)
		}
	}
	c := Default().Cores(5307)
	if a := c.Share / 3; math.Abs(a*c.Visible/c.Share-1) > 1e-12 || c.Visible != 3 {
		t.Errorf("5,307 MB: %+v, want 3 visible cores and 1 for a third of the share", c)
	}
}

// TestSpinMemoMatches: the memo gives SpinEfficiency's result bit for bit, whatever it held before.
func TestSpinMemoMatches(t *testing.T) {
	var m SpinMemo
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		// Few distinct values, so that entries are found as well as replaced.
		v := float64(1+rng.IntN(12)) / float64(1+rng.IntN(4))
		k := float64(1 + rng.IntN(16))
		g := 0.02 * float64(rng.IntN(51))
		if got, want := m.Efficiency(v, k, g), SpinEfficiency(v, k, g); got != want {
			t.Fatalf("Efficiency(%v, %v, %v) = %v, SpinEfficiency %v", v, k, g, got, want)
		}
	}
}
