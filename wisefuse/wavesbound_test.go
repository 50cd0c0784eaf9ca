package wisefuse

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
)

// TestWavesBoundByHand: iterations of 4, 1, 3, 2 and 5 s (TestWavesByHand) bounded from below by
// half of each: two at once, the sum 7.5 over 2 (3.75) beats the longest (2.5); five at once the
// longest does. Both stay below the waves of the iterations themselves (9 s and 5 s).
func TestWavesBoundByHand(t *testing.T) {
	low := []float64{2, 0.5, 1.5, 1, 2.5}
	for _, c := range []struct {
		conc      int
		want, top float64
	}{{2, 3.75, 9}, {5, 2.5, 5}} {
		if got := wavesBound(low, c.conc); got != c.want || got > c.top {
			t.Errorf("%d at once: bound %v s, want %v s (waves %v s)", c.conc, got, c.want, c.top)
		}
	}
}

// TestWavesBoundBelowWaves draws random iterations and random lower bounds of them and wants
// wavesBound of the bounds no later than waves of the iterations, at every concurrency.
func TestWavesBoundBelowWaves(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 3))
	for trial := range 20000 {
		n := 1 + rng.IntN(40)
		lat, low := make([]float64, n), make([]float64, n)
		for i := range lat {
			lat[i] = rng.ExpFloat64() * math.Pow(10, float64(rng.IntN(3)))
			low[i] = lat[i] * rng.Float64()
			if rng.IntN(3) == 0 {
				low[i] = lat[i]
			}
		}
		c := 1 + rng.IntN(n)
		b := wavesBound(low, c)
		if w := waves(slices.Clone(lat), c); b > w*(1+1e-12) {
			t.Fatalf("trial %d: %d iterations %d at once: bound %v after waves %v", trial, n, c, b, w)
		}
	}
}

// TestBoundedWavesBelowEval: video with its Map at most 3 at once on the full default platform:
// every bundled configuration of the Map is now bounded from below (psSim.lowerBound, wavesBound),
// and the bound's cost and every atom are at most the evaluation's (before lazyOption's margin).
// -short: two sizes.
func TestBoundedWavesBelowEval(t *testing.T) {
	a, _ := apps.Get("video")
	pl, grid, wk := boundsPlanner(t, withConcurrency(a.Build(), 3))
	m := pl.model
	checked := 0
	for i := range m.w.Steps {
		if m.w.Steps[i].Map == nil {
			continue
		}
		for _, sg := range pl.mapSegments(i, grid) {
			if sg.cfg.bundle <= 1 || testing.Short() && sg.mem != 3008 && sg.mem != 10240 {
				continue
			}
			bound, exact := m.evalSegment(&wk.lb, sg), m.evalSegment(&wk.sc, sg)
			checked++
			if bound.cost > exact.cost {
				t.Fatalf("bundle %d at %d MB: bound cost %v above the evaluation's %v", sg.cfg.bundle, sg.mem, bound.cost, exact.cost)
			}
			for k := range exact.lat {
				if bound.lat[k] > exact.lat[k]*(1+1e-12) {
					t.Fatalf("bundle %d at %d MB atom %d: bound %v s after the evaluation's %v s", sg.cfg.bundle, sg.mem, k, bound.lat[k], exact.lat[k])
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no bundled configuration of the Map checked")
	}
}
