package wisefuse

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// TestItemBoundsMatchWalk sums random items up (sumItems: waits, transfers and CPU work of one to
// three kinds, spinning (oversub) in a third of the trials, every kind in the first item, half of
// the items with a payload transfer ahead of their CPU phases, as spilled items have) and bounds
// random bundles of them from the sums (boundItems), payloads slowed or not, on random VMs, with
// and without contention: the bound must be that of walking the same phases, the payloads scaled
// (psSim.lowerBound, with sharingBound where a phase spins), but for rounding, and no later than
// the replay's end.
func TestItemBoundsMatchWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 4))
	var ps, lb psSim
	lb.bound = true
	for trial := range 5000 {
		// One to three kinds (boundItems writes one and two out).
		caps := []float64{1, float64(2 + rng.IntN(7)), float64(9 + rng.IntN(8))}[:1+rng.IntN(3)]
		oversub := make([]float64, len(caps))
		if rng.IntN(3) == 0 {
			for k := range oversub {
				if rng.IntN(2) == 0 {
					oversub[k] = 0.02 * float64(1+rng.IntN(100))
				}
			}
		}
		items := 1 + rng.IntN(12)
		var ph []psPhase
		off := []int{0}
		payloadAt := make([]int32, items)
		for j := range items {
			payloadAt[j] = -1
			for range rng.IntN(2) {
				ph = append(ph, psPhase{amount: rng.ExpFloat64()})
			}
			if rng.IntN(2) == 0 {
				payloadAt[j] = int32(len(ph) - off[j])
				ph = append(ph, netPhase(1e7*rng.ExpFloat64()))
			}
			for range rng.IntN(9) {
				p := randomPhase(rng, rng.ExpFloat64())
				if p.cap > 0 {
					k := rng.IntN(len(caps))
					p = psPhase{amount: p.amount, cap: caps[k], oversub: oversub[k]}
				}
				ph = append(ph, p)
			}
			if j == 0 {
				// The first item has every kind (the items of a Map have the same).
				for k, c := range caps {
					ph = append(ph, psPhase{amount: rng.ExpFloat64(), cap: c, oversub: oversub[k]})
				}
			}
			off = append(off, len(ph))
		}
		net := min(8e7, 1.6e8)
		ib := sumItems(items, net, true, func(buf []psPhase, j int) ([]psPhase, int, float64) {
			return append(buf, ph[off[j]:off[j+1]]...), int(payloadAt[j]), 0
		})
		if ib == nil {
			t.Fatalf("trial %d: no sums of phases %v", trial, ph)
		}
		b := rng.IntN(items)
		e := b + 1 + rng.IntN(items-b)
		slow := 1.0
		if rng.IntN(2) == 0 {
			slow += 3 * rng.Float64()
		}
		phases := make([][]psPhase, e-b)
		for j := b; j < e; j++ {
			phases[j-b] = append([]psPhase(nil), ph[off[j]:off[j+1]]...)
			if x := payloadAt[j]; x >= 0 {
				phases[j-b][x].amount *= slow
			}
		}
		share := 0.25 + 5.75*rng.Float64()
		vcpu := platform.Cores{Share: share, Visible: math.Max(2, math.Ceil(share))}
		contention := []float64{0, 0.03, 0.1}[rng.IntN(3)]
		got, walked := replayAndBound(&ps, &lb, phases, vcpu, contention)
		summed := lb.boundItems(ib, b, e, vcpu, slow)
		if math.Abs(summed-walked) > 1e-12*walked {
			t.Fatalf("trial %d: items [%d, %d) of %v on %+v, payloads %v times slower: bound %v from the sums, %v walking the phases", trial, b, e, ph, vcpu, slow, summed, walked)
		}
		if margin := 1e-6*got + 1e-6; summed > got+margin {
			t.Fatalf("trial %d: items [%d, %d) on %+v: bound %v after the replay's end %v", trial, b, e, vcpu, summed, got)
		}
	}
}

// TestItemBoundsWalkWhenTheyMust: items whose CPU phases have more kinds than maxBoundKinds or
// one the first item with CPU phases had not, or move a payload after computing get no sums
// (their bounds walk the phases); items that spin get them.
func TestItemBoundsWalkWhenTheyMust(t *testing.T) {
	kinds := func(n int) []psPhase {
		var ph []psPhase
		for k := range n {
			ph = append(ph, psPhase{amount: 1, cap: float64(1 + k)})
		}
		return ph
	}
	sums := func(items [][]psPhase, payloadAt int) *itemBounds {
		return sumItems(len(items), 8e7, true, func(buf []psPhase, j int) ([]psPhase, int, float64) {
			return append(buf, items[j]...), payloadAt, 0
		})
	}
	for _, c := range []struct {
		name      string
		items     [][]psPhase
		payloadAt int
	}{
		{"too many kinds", [][]psPhase{kinds(maxBoundKinds + 1)}, -1},
		{"a kind the first had not", [][]psPhase{{{amount: 1}}, kinds(1), kinds(2)}, -1},
		{"payload after computing", [][]psPhase{{{amount: 1, cap: 1}, netPhase(1e6)}}, 1},
	} {
		if sums(c.items, c.payloadAt) != nil {
			t.Errorf("%s: got sums of %v, want none", c.name, c.items)
		}
	}
	if sums([][]psPhase{{{amount: 1}}, kinds(maxBoundKinds), kinds(2)}, -1) == nil {
		t.Errorf("%d kinds: got no sums, want some", maxBoundKinds)
	}
	if ib := sums([][]psPhase{{{amount: 1}, {amount: 2, cap: 4, oversub: 0.5}}}, -1); ib == nil || ib.blocks == nil {
		t.Errorf("spinning: got sums %+v, want them with blocks", ib)
	}
}

// TestSummedBoundsBelowEval: video on the full default platform (its fitted curves do not spin,
// so its bounds come from sums): every option that replays bundles (its bundled Map, and its
// fused groups, with and without spilled items) is bounded from the sums of its items, and the
// bound's cost and every atom are at most the evaluation's, but for rounding (a bundle of one
// item is bounded by its time alone, which is its replay: lazyOption's margin covers it).
// -short: two sizes.
func TestSummedBoundsBelowEval(t *testing.T) {
	a, _ := apps.Get("video")
	pl, grid, wk := boundsPlanner(t, a.Build())
	m := pl.model
	checked, spills := 0, 0
	for i := range m.w.Steps {
		for _, sg := range pl.segmentChoices(i, grid) {
			if !replayed(sg) || testing.Short() && sg.mem != 3008 && sg.mem != 10240 {
				continue
			}
			bound, exact := m.evalSegment(&wk.lb, sg), m.evalSegment(&wk.sc, sg)
			checked++
			if sg.spill != nil {
				spills++
			}
			if bound.cost > exact.cost*(1+1e-12) {
				t.Fatalf("%+v: bound cost %v above the evaluation's %v", sg, bound.cost, exact.cost)
			}
			for k := range exact.lat {
				if bound.lat[k] > exact.lat[k]*(1+1e-12) {
					t.Fatalf("%+v atom %d: bound %v s after the evaluation's %v s", sg, k, bound.lat[k], exact.lat[k])
				}
			}
		}
	}
	if checked == 0 || spills == 0 {
		t.Fatalf("%d options checked, %d of them with spills: want some of each", checked, spills)
	}
	// Every Map's items the bounds read were summed up, spilled and not.
	kinds := map[bool]int{}
	for k, e := range wk.lb.ps.sums.m {
		if e.v == nil {
			t.Errorf("%+v: no sums", k)
		}
		kinds[k.spilled]++
	}
	if kinds[false] == 0 || kinds[true] == 0 {
		t.Errorf("sums of %d Maps' items and %d Maps' spilled items: want some of each", kinds[false], kinds[true])
	}
}

// boundsPlanner profiles w in the simulator and returns a one-worker planner of it on the full
// default platform, its memory grid and an evaluation worker (exact evaluations in sc, bounds in
// lb): what the tests of bounds against evaluations read.
func boundsPlanner(t *testing.T, w *dag.Workflow) (*Planner, []int, *evalWorker) {
	t.Helper()
	p, err := profileInSim(w, ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := NewPlanner(p, PlannerOptions{Model: ModelOptions{Platform: platform.Default()}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	return pl, pl.opts.grid(pl.model.opts.Platform), newEvalPool(1).workers[0]
}
