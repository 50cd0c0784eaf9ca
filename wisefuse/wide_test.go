package wisefuse

import (
	"fmt"
	"slices"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// wideCandidates skips the scan of all bundles when the bundles of a run's slowest items
// decide the answer; this checks it against the plain scan (the two slowest bundles by time
// alone plus gap, ties to the earlier, at each reference size) on a wide two-task Map: with
// skewed items (the shortcut applies) and with near-identical items (the gaps decide, so the
// full scan runs).
func TestWideCandidatesMatchFullScan(t *testing.T) {
	for _, skew := range []float64{0.3, 0} {
		t.Run(fmt.Sprint("skew=", skew), func(t *testing.T) { checkWideCandidates(t, skew) })
	}
}

func checkWideCandidates(t *testing.T, skew float64) {
	w := &dag.Workflow{Name: "wide", Functions: []dag.Function{
		{Name: "a", MinMemoryMB: 256, Threads: 1}, {Name: "b", MinMemoryMB: 256, Threads: 1},
	}}
	w.Steps = []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(700), Iterator: []dag.Step{{Name: "sa", Task: "a"}, {Name: "sb", Task: "b"}}}}}
	fns := map[string]synthFn{
		"a": {serial: 0.2, parallel: 0.3, threads: 2, down: 0.02, up: 0.02, skew: skew, runSigma: 0.1},
		"b": {serial: 0.1, parallel: 0.1, threads: 1, down: 0.01, up: 0.01, skew: skew / 6, runSigma: 0.1},
	}
	p := synthProfile(t, w, fns, []int{1024, 4096}, 6, 9)
	m, err := NewModel(p, ModelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	names := iteratorTasks(&m.w.Steps[0])
	for si := range m.sizes {
		src := &m.sizes[si]
		items := src.stages[0].items
		nt := items.tasks
		for bsz := 2; bsz <= 10; bsz++ {
			for r := range src.runs {
				lo, hi := items.runStart[r], items.runStart[r+1]
				var want []int
				for _, mb := range wideReferenceMB {
					c := m.opts.Platform.Cores(mb)
					type scored struct {
						start int
						t     float64
					}
					var all []scored
					for b := lo; b < hi; b += bsz {
						lb := 0.0
						for j := b; j < min(b+bsz, hi); j++ {
							tm := items.down[j*nt] + items.up[j*nt+nt-1]
							for k := range nt {
								tm += items.init[j*nt+k] + items.scale[j*nt+k]*m.curves[names[k]].Time(c)
							}
							lb = max(lb, tm)
						}
						all = append(all, scored{b, lb + items.gap[b*nt]})
					}
					slices.SortStableFunc(all, func(x, y scored) int { return cmpDesc(x.t, y.t) })
					for _, s := range all[:wideCandidates] {
						if !slices.Contains(want, s.start) {
							want = append(want, s.start)
						}
					}
				}
				slices.Sort(want)
				got := m.wideCandidates(src, 0, r, names, bsz)
				if !slices.Equal(got, want) {
					t.Fatalf("size %d run %d bundle %d: candidates %v, full scan %v", src.mem, r, bsz, got, want)
				}
			}
		}
	}
}
