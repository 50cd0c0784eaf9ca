// Very wide bundled Maps: a run's slowest bundle is found among a few candidates, ranked by each
// item's time alone at reference sizes, so that the work does not grow with the item count.

package wisefuse

import (
	"math"
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
	wideWaveSamples = 16 // per run, where the account's limit binds (evalMap)
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
		tm, busy := sc.ps.bundle(m, src, si, fns, b, min(b+bsz, hi), vcpu)
		if lat, _ := m.acquisition(items.initOf(b), busy); math.IsInf(lat, 1) {
			return lat // the run fails
		}
		worst = max(worst, tm)
	}
	return worst
}

// wideCandidates returns (and caches) the candidate bundle starts of run r for widestBundle.
func (m *Model) wideCandidates(src *sizeData, si, r int, fns []string, bsz int) []int {
	key := [3]int{src.index, si, bsz}
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
				type scored struct {
					start int
					t     float64
				}
				bundleTime := func(b int) float64 {
					lb := 0.0
					for j := b; j < min(b+bsz, hi); j++ {
						lb = max(lb, alone.time(items, ci, j))
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

// aloneTimes returns (and caches, per profiled size and Map) what wideCandidates ranks a wide
// Map's bundles by for every bundle size: the slowest items of each run alone at each of
// wideReferenceMB, and each run's largest gap; the caller holds m.mu. One pass over the items
// computes every reference size's times; they are not kept (an item's is recomputed when a
// candidate bundle needs it), so a Map of 35,385 items profiled in 20 runs does not hold 2.8
// million of them per size.
func (m *Model) aloneTimes(src *sizeData, si int, fns []string) *aloneTimes {
	key := [2]int{src.index, si}
	if t, ok := m.alone[key]; ok {
		return t
	}
	items := src.stages[si].items
	nt := items.tasks
	nr := len(wideReferenceMB)
	at := &aloneTimes{maxGap: make([]float64, src.runs), ct: make([][]float64, nr), top: make([][]slowestItems, nr)}
	for ci, mb := range wideReferenceMB {
		c := m.opts.Platform.Cores(mb)
		at.ct[ci] = make([]float64, nt)
		for k := range nt {
			at.ct[ci][k] = m.curves[fns[k]].Time(c)
		}
		at.top[ci] = make([]slowestItems, src.runs)
	}
	tr := make([]slowTracker, nr)
	for r := range src.runs {
		lo, hi := items.runStart[r], items.runStart[r+1]
		for ci := range tr {
			tr[ci].reset()
		}
		for j := lo; j < hi; j++ {
			at.maxGap[r] = max(at.maxGap[r], items.gap[j*nt])
			for ci := range tr {
				t := at.time(items, ci, j)
				if tc := &tr[ci]; len(tc.items) < wideSlowest || t > tc.times[tc.w] {
					tc.add(j, t)
				}
			}
		}
		if hi-lo > wideSlowest {
			for ci := range tr {
				at.top[ci][r] = tr[ci].result()
			}
		}
	}
	if m.alone == nil {
		m.alone = map[[2]int]*aloneTimes{}
	}
	m.alone[key] = at
	return at
}

// aloneTimes holds, for a wide Map at one profiled size, each task's fitted compute time at
// each of wideReferenceMB (ct[ref][task]), the slowest items of each run at each (top[ref][run])
// and each run's largest gap.
type aloneTimes struct {
	ct     [][]float64
	top    [][]slowestItems
	maxGap []float64
}

// time returns item j's time alone at reference size ref: its transfers, inits and compute.
func (at *aloneTimes) time(items *itemSamples, ref, j int) float64 {
	nt := items.tasks
	t := items.down[j*nt] + items.up[j*nt+nt-1]
	for k, ct := range at.ct[ref] {
		in := 0.0 // its VM loads a function once (itemSamples.loads)
		if items.loads[k] {
			in = items.init[j*nt+k]
		}
		t += in + items.scale[j*nt+k]*ct
	}
	return t
}

// slowestItems are the wideSlowest slowest items of a run and kth, the least of their times
// (every other item's time is at most kth); empty when the run has no more items than that.
type slowestItems struct {
	items []int
	kth   float64
}

const wideSlowest = 16

// slowTracker finds the wideSlowest items with the largest times among items added in index
// order: the first wideSlowest, then each one slower than the fastest kept replaces it (the
// first of equal fastest ones).
type slowTracker struct {
	items []int
	times []float64
	w     int // the position of the fastest kept item
}

func (s *slowTracker) reset() { s.items, s.times = s.items[:0], s.times[:0] }

func (s *slowTracker) add(j int, t float64) {
	switch {
	case len(s.items) < wideSlowest:
		s.items = append(s.items, j)
		s.times = append(s.times, t)
		if len(s.items) == wideSlowest {
			s.fastest()
		}
	case t > s.times[s.w]:
		s.items[s.w], s.times[s.w] = j, t
		s.fastest()
	}
}

func (s *slowTracker) fastest() {
	s.w = 0
	for k := 1; k < len(s.times); k++ {
		if s.times[k] < s.times[s.w] {
			s.w = k
		}
	}
}

// result returns the kept items (a copy) and the least of their times.
func (s *slowTracker) result() slowestItems {
	out := slowestItems{items: slices.Clone(s.items), kth: s.times[0]}
	for _, t := range s.times[1:] {
		out.kth = min(out.kth, t)
	}
	return out
}
