package wisefuse

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// TestItemSummaryByHand checks Model.summary against its definition, item by item: every item's
// A (gaps, inits, transfers and in-memory passing its grouping keeps, added task by task), the
// sums over all items, and per run the items no item before it in the order (sum of terms
// descending, then index) dominates, in that order; bit for bit, on a Map of one iterator task
// and on one of two (unfused and fused), with the profile's samples in their recorded order and
// shuffled (the items are then joined in run and item order).
func TestItemSummaryByHand(t *testing.T) {
	one := chainProfile(t, 2, 400)
	w := &dag.Workflow{Name: "two", Functions: []dag.Function{
		{Name: "a", MinMemoryMB: 256, Threads: 1}, {Name: "b", MinMemoryMB: 256, Threads: 1},
	}, Steps: []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(300), Iterator: []dag.Step{{Name: "sa", Task: "a"}, {Name: "sb", Task: "b"}}}}}}
	two := synthProfile(t, w, map[string]synthFn{
		"a": {serial: 0.2, parallel: 0.3, threads: 2, down: 0.02, up: 0.02, skew: 0.3, runSigma: 0.1},
		"b": {serial: 0.1, parallel: 0.1, threads: 1, down: 0.01, up: 0.01, skew: 0.05, runSigma: 0.1},
	}, []int{1024, 4096}, 6, 9)
	for _, c := range []struct {
		name   string
		p      *Profile
		groups [][]int
	}{{"one task", one, [][]int{{0}}}, {"two tasks", two, [][]int{{0, 1}, {0, 0}}}} {
		var inOrder *Model
		for _, shuffled := range []bool{false, true} {
			p := c.p
			if shuffled {
				p = shuffleSamples(c.p, 3)
			}
			m, err := NewModel(p, ModelOptions{})
			if err != nil {
				t.Fatal(err)
			}
			si := slices.IndexFunc(m.w.Steps, func(s dag.Step) bool { return s.Map != nil })
			if !shuffled {
				inOrder = m
			}
			for idx := range m.sizes {
				x, y := m.sizes[idx].stages[si].items, inOrder.sizes[idx].stages[si].items
				for k, col := range [][2][]float64{{x.gap, y.gap}, {x.init, y.init}, {x.down, y.down}, {x.scale, y.scale}, {x.up, y.up}} {
					if !slices.Equal(col[0], col[1]) || !slices.Equal(x.runStart, y.runStart) {
						t.Fatalf("%s size %d: item column %d differs once the samples are shuffled", c.name, idx, k)
					}
				}
			}
			for _, group := range c.groups {
				for idx := range m.sizes {
					what := fmt.Sprintf("%s (shuffled %v) group %v size %d", c.name, shuffled, group, idx)
					checkSummary(t, what, m, idx, si, group)
				}
			}
		}
	}
}

func checkSummary(t *testing.T, what string, m *Model, idx, si int, group []int) {
	got := m.summary(idx, si, group)
	src := &m.sizes[idx]
	items := src.stages[si].items
	nt := items.tasks
	fns := iteratorTasks(&m.w.Steps[si])
	n := items.runStart[src.runs]
	a := make([]float64, n)
	var init, scale, down, up, gets, puts []float64 = make([]float64, nt), make([]float64, nt), make([]float64, nt), make([]float64, nt), make([]float64, nt), make([]float64, nt)
	for j := range n {
		for k := range nt {
			x := j*nt + k
			a[j] += items.init[x] + m.groupLocal(fns, group, k)
			init[k] += items.init[x]
			scale[k] += items.scale[x]
			if k == 0 || group[k] != group[k-1] {
				a[j] += items.gap[x] + items.down[x]
				down[k] += items.down[x]
				if items.down[x] > 0 {
					gets[k]++
				}
			}
			if k == nt-1 || group[k+1] != group[k] {
				a[j] += items.up[x]
				up[k] += items.up[x]
				if items.up[x] > 0 {
					puts[k]++
				}
			}
		}
	}
	for k, want := range [][]float64{init, scale, down, up, gets, puts} {
		have := [][]float64{got.init, got.scale, got.down, got.up, got.gets, got.puts}[k]
		if !slices.Equal(have, want) {
			t.Fatalf("%s: sums %d: %v, want %v", what, k, have, want)
		}
	}
	if got.items != n {
		t.Fatalf("%s: %d items, want %d", what, got.items, n)
	}
	kept := 0
	for r := range src.runs {
		lo, hi := items.runStart[r], items.runStart[r+1]
		order := make([]int, 0, hi-lo)
		sum := make([]float64, n)
		for j := lo; j < hi; j++ {
			order = append(order, j)
			sum[j] = a[j]
			for k := range nt {
				sum[j] += items.scale[j*nt+k]
			}
		}
		slices.SortStableFunc(order, func(x, y int) int { return cmpDesc(sum[x], sum[y]) })
		var want []int
		for i, j := range order {
			dominated := false
			for _, x := range order[:i] {
				dominated = dominated || dominatesItem(a[x], items.scale[x*nt:x*nt+nt], a[j], items.scale[j*nt:j*nt+nt])
			}
			if !dominated {
				want = append(want, j)
			}
		}
		if g := got.runStart[r+1] - got.runStart[r]; g != len(want) {
			t.Fatalf("%s run %d: %d items kept, want %d", what, r, g, len(want))
		}
		for i, j := range want {
			k := got.runStart[r] + i
			if math.Float64bits(got.a[k]) != math.Float64bits(a[j]) || !slices.Equal(got.b[k*nt:k*nt+nt], items.scale[j*nt:j*nt+nt]) {
				t.Fatalf("%s run %d: kept item %d is not item %d", what, r, i, j)
			}
		}
		kept += len(want)
	}
	if kept >= n/2 {
		t.Fatalf("%s: %d of %d items kept: too few dominated to test the rounds", what, kept, n)
	}
}

// shuffleSamples returns a copy of p whose step samples are in a random order.
func shuffleSamples(p *Profile, seed uint64) *Profile {
	r := rand.New(rand.NewPCG(seed, 1))
	q := *p
	q.Sizes = slices.Clone(p.Sizes)
	for i := range q.Sizes {
		q.Sizes[i].Steps = slices.Clone(q.Sizes[i].Steps)
		for k := range q.Sizes[i].Steps {
			s := q.Sizes[i].Steps[k]
			perm := r.Perm(s.Len())
			pick := func(xs []float64) []float64 {
				out := make([]float64, len(xs))
				for i, j := range perm {
					out[i] = xs[j]
				}
				return out
			}
			pickInt := func(xs []int) []int {
				out := make([]int, len(xs))
				for i, j := range perm {
					out[i] = xs[j]
				}
				return out
			}
			s.Run, s.Item = pickInt(s.Run), pickInt(s.Item)
			s.Gap, s.Init, s.Download, s.Compute, s.Upload = pick(s.Gap), pick(s.Init), pick(s.Download), pick(s.Compute), pick(s.Upload)
			q.Sizes[i].Steps[k] = s
		}
	}
	return &q
}
