// Very wide bundled Maps: a run's slowest bundle is found among a few candidates, ranked by each
// item's time alone at reference sizes, so that the work does not grow with the item count.

package wisefuse

import (
	"fmt"
	"slices"

	"github.com/wisefuse/wisefuse/platform"
)

// A Map with more than wideBundles bundles in a run counts as very wide: its slowest bundle per
// run is found among candidates (widestBundle) and its bundles' mean cost is estimated from about
// wideCostSamples of them over all runs. Narrower Maps, and every Map on a platform of shared
// instances (evalMap), replay every bundle.
const (
	wideBundles     = 64
	wideCostSamples = 128
)

// wideCandidates is how many bundles per run and reference size widestBundle replays.
const wideCandidates = 2

// wideReferenceMB are the VM sizes at which widestBundle ranks a wide Map's bundles (on AWS
// Lambda 0.25, 1, 2 and 5.8 vCPUs).
var wideReferenceMB = []int{442, 1769, 3538, 10240}

// widestBundle returns the latency of the slowest bundle of size bsz among items [lo, hi) of run
// r, replaying only the candidates: the bundles holding the items slowest alone at a few
// reference sizes (an approximation: a bundle's time is driven by its slowest item, but two
// heavy items sharing a VM can beat it).
func (sc *scratch) widestBundle(m *Model, src *sizeData, si, r int, fns []string, bsz int, vcpu platform.Cores) float64 {
	items := src.stages[si].items
	hi := items.runStart[r+1]
	worst := 0.0
	for _, b := range m.wideCandidates(src, si, r, fns, bsz) {
		tm, _ := sc.ps.bundle(m, src, si, fns, b, min(b+bsz, hi), vcpu)
		worst = max(worst, tm)
	}
	return worst
}

// wideCandidates returns (and caches) the candidate bundle starts of run r for widestBundle.
func (m *Model) wideCandidates(src *sizeData, si, r int, fns []string, bsz int) []int {
	key := fmt.Sprint("wide/", src.index, "/", si, "/", bsz)
	m.mu.Lock()
	defer m.mu.Unlock()
	all, ok := m.candidates[key]
	if !ok {
		items := src.stages[si].items
		nt := items.tasks
		alone := m.aloneTimes(src, si, fns)
		all = make([][]int, src.runs)
		for rr := range src.runs {
			lo, hi := items.runStart[rr], items.runStart[rr+1]
			var picks []int
			for ci := range wideReferenceMB {
				times := alone.times[ci]
				type scored struct {
					start int
					t     float64
				}
				bundleTime := func(b int) float64 {
					lb := 0.0
					for _, t := range times[b:min(b+bsz, hi)] {
						lb = max(lb, t)
					}
					return lb + items.gap[b*nt]
				}
				// The answer is the first wideCandidates bundles by time (descending), then
				// start. Usually the bundles holding the run's slowest items decide it: every
				// other bundle is at most the K-th slowest item's time plus the run's largest
				// gap, and if that is below the runner-up among them, the scan of all bundles
				// is not needed (same answer).
				var top []scored
				if ta := alone.top[ci][rr]; len(ta.items) > 0 {
					for _, j := range ta.items {
						b := lo + (j-lo)/bsz*bsz
						if !slices.ContainsFunc(top, func(x scored) bool { return x.start == b }) {
							top = append(top, scored{b, bundleTime(b)})
						}
					}
					slices.SortFunc(top, func(x, y scored) int {
						if c := cmpDesc(x.t, y.t); c != 0 {
							return c
						}
						return x.start - y.start
					})
					if len(top) < wideCandidates || !(max(0, ta.kth)+alone.maxGap[rr] < top[wideCandidates-1].t) {
						top = top[:0]
					} else {
						top = top[:wideCandidates]
					}
				}
				if len(top) == 0 {
					for b := lo; b < hi; b += bsz {
						lb := bundleTime(b)
						if len(top) < wideCandidates || lb > top[len(top)-1].t {
							top = append(top, scored{b, lb})
							slices.SortStableFunc(top, func(x, y scored) int { return cmpDesc(x.t, y.t) })
							top = top[:min(len(top), wideCandidates)]
						}
					}
				}
				for _, sc := range top {
					if !slices.Contains(picks, sc.start) {
						picks = append(picks, sc.start)
					}
				}
			}
			slices.Sort(picks)
			all[rr] = picks
		}
		m.candidates[key] = all
	}
	return all[r]
}

// aloneTimes returns (and caches, per profiled size and Map) each item's time alone at each of
// wideReferenceMB, which wideCandidates ranks bundles by for every bundle size; the caller
// holds m.mu.
func (m *Model) aloneTimes(src *sizeData, si int, fns []string) *aloneTimes {
	key := [2]int{src.index, si}
	if t, ok := m.alone[key]; ok {
		return t
	}
	items := src.stages[si].items
	nt := items.tasks
	n := items.runStart[src.runs]
	at := &aloneTimes{maxGap: make([]float64, src.runs)}
	for r := range src.runs {
		for j := items.runStart[r]; j < items.runStart[r+1]; j++ {
			at.maxGap[r] = max(at.maxGap[r], items.gap[j*nt])
		}
	}
	out := make([][]float64, len(wideReferenceMB))
	ct := make([]float64, nt)
	for ci, mb := range wideReferenceMB {
		c := m.opts.Platform.Cores(mb)
		for k := range nt {
			ct[k] = m.curves[fns[k]].Time(c)
		}
		times := make([]float64, n)
		for j := range n {
			t := items.down[j*nt] + items.up[j*nt+nt-1]
			for k := range nt {
				t += items.init[j*nt+k] + items.scale[j*nt+k]*ct[k]
			}
			times[j] = t
		}
		out[ci] = times
		tops := make([]slowestItems, src.runs)
		for r := range src.runs {
			tops[r] = slowest(times, items.runStart[r], items.runStart[r+1])
		}
		at.top = append(at.top, tops)
	}
	at.times = out
	if m.alone == nil {
		m.alone = map[[2]int]*aloneTimes{}
	}
	m.alone[key] = at
	return at
}

// aloneTimes holds a wide Map's items' times alone at each of wideReferenceMB (times[ref]
// [item]), the slowest items of each run at each (top[ref][run]) and each run's largest gap.
type aloneTimes struct {
	times  [][]float64
	top    [][]slowestItems
	maxGap []float64
}

// slowestItems are the wideSlowest slowest items of a run and kth, the least of their times
// (every other item's time is at most kth); empty when the run has no more items than that.
type slowestItems struct {
	items []int
	kth   float64
}

const wideSlowest = 16

// slowest returns the wideSlowest items of [lo, hi) with the largest times.
func slowest(times []float64, lo, hi int) slowestItems {
	if hi-lo <= wideSlowest {
		return slowestItems{}
	}
	var s slowestItems
	s.items = make([]int, 0, wideSlowest)
	w := 0 // the position of the fastest kept item
	fastest := func() {
		w = 0
		for k := 1; k < len(s.items); k++ {
			if times[s.items[k]] < times[s.items[w]] {
				w = k
			}
		}
	}
	for j := lo; j < hi; j++ {
		switch {
		case len(s.items) < wideSlowest:
			s.items = append(s.items, j)
			if len(s.items) == wideSlowest {
				fastest()
			}
		case times[j] > times[s.items[w]]:
			s.items[w] = j
			fastest()
		}
	}
	s.kth = times[s.items[0]]
	for _, j := range s.items[1:] {
		s.kth = min(s.kth, times[j])
	}
	return s
}
