package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// referenceBundle is the obvious computation of when the items of one bundle finish: items
// start together with no data; item i has serial work s[i] (1 core) then parallel work p[i]
// (up to k cores); the VM's c cores go max-min fairly (sorted water-filling), every rate slowed
// by 1 + alpha(n-1). It steps from one phase completion to the next.
func referenceBundle(s, p []float64, k, c, alpha float64) []float64 {
	n := len(s)
	rem := make([][2]float64, n)
	phase := make([]int, n)
	end := make([]float64, n)
	for i := range s {
		rem[i] = [2]float64{s[i], p[i]}
		for phase[i] < 2 && rem[i][phase[i]] == 0 {
			phase[i]++
		}
	}
	t := 0.0
	for {
		var act []int
		for i := range s {
			if phase[i] < 2 {
				act = append(act, i)
			}
		}
		if len(act) == 0 {
			return end
		}
		demand := func(i int) float64 {
			if phase[i] == 0 {
				return 1
			}
			return k
		}
		sorted := slices.Clone(act)
		slices.SortFunc(sorted, func(a, b int) int { return int(math.Copysign(1, demand(a)-demand(b))) })
		rate := make(map[int]float64)
		left := c
		for j, i := range sorted {
			a := math.Min(demand(i), left/float64(len(sorted)-j))
			rate[i] = a / (1 + alpha*float64(len(act)-1))
			left -= a
		}
		dt := math.Inf(1)
		for _, i := range act {
			dt = math.Min(dt, rem[i][phase[i]]/rate[i])
		}
		t += dt
		for _, i := range act {
			rem[i][phase[i]] -= rate[i] * dt
			if rem[i][phase[i]] <= 1e-12*math.Max(1, s[i]+p[i]) {
				phase[i]++
				for phase[i] < 2 && rem[i][phase[i]] == 0 {
					phase[i]++
				}
				if phase[i] == 2 {
					end[i] = t
				}
			}
		}
	}
}

// TestBundleAgainstReference runs random bundles (sizes, works, threads, memory, contention)
// through the engine and through referenceBundle.
func TestBundleAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 200; trial++ {
		b := 1 + r.IntN(8)
		k := float64(1 + r.IntN(8))
		mem := 128 + r.IntN(10240-128)
		mem = max(mem, b*64)
		S, P := r.Float64()*3, r.Float64()*10
		if r.IntN(4) == 0 {
			S = 0
		}
		factors := make([]float64, b)
		for i := range factors {
			factors[i] = 0.2 + 2*r.Float64()
		}
		plat := testPlatform()
		plat.TransitionLatency = 0
		plat.ContentionPerCoRunner = []float64{0, 0.03, 0.1}[r.IntN(3)]
		w := &dag.Workflow{Name: "ref",
			Functions: []dag.Function{{Name: "F", MinMemoryMB: 64, SerialWork: dag.Const(S), ParallelWork: dag.Const(P), Threads: int(k)}},
			Steps:     []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(float64(b)), Iterator: []dag.Step{task("T", "F")}}}},
		}
		p := &dag.Plan{DefaultMemoryMB: mem, Bundle: map[string]int{"M": b}}
		res := runHooked(t, w, p, 1, Options{Platform: plat, KeepInvocations: true, Check: true},
			func(item int32) float64 { return factors[item] })
		s, pp := make([]float64, b), make([]float64, b)
		for i := range factors {
			s[i], pp[i] = S*factors[i], P*factors[i]
		}
		want := referenceBundle(s, pp, k, plat.VCPU(mem), plat.ContentionPerCoRunner)
		for _, inv := range res.Invocations {
			if got := inv.End; math.Abs(got-want[inv.Item]) > 1e-7*math.Max(1, want[inv.Item]) {
				t.Fatalf("trial %d (B=%d k=%v mem=%d S=%.3f P=%.3f alpha=%v): item %d ends at %.9f, reference %.9f",
					trial, b, k, mem, S, P, plat.ContentionPerCoRunner, inv.Item, got, want[inv.Item])
			}
		}
	}
}
