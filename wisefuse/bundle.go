package wisefuse

import (
	"math"
	"slices"
)

// psPhase is one phase of a bundled item: a wait (a transfer or an orchestration gap, which uses
// no CPU) when cap is 0, otherwise CPU work in core-seconds that can use at most cap vCPUs.
type psPhase struct {
	amount float64
	cap    float64
}

// psSim replays a bundle: B items start together in one VM of c vCPUs; their CPU phases share
// the vCPUs by processor sharing with per-phase caps (max-min fair "water filling"), so when an
// item finishes, the others -- the straggler above all -- get its share at once.
type psSim struct {
	phases [][]psPhase
	cur    []int     // current phase of each item
	left   []float64 // what is left of the current phase
	rate   []float64
	order  []int
}

// bundle returns the latency of the bundle of items [b, e) from the Map's start and the VM's
// billed seconds.
func (ps *psSim) bundle(m *Model, items *itemSamples, fns []string, b, e int, cfg mapConfig, vcpu float64) (latency, busy float64) {
	nt := items.tasks
	n := e - b
	ps.phases = slices.Grow(ps.phases[:0], n)[:n]
	for i := range n {
		j := b + i
		ph := ps.phases[i][:0]
		for t := range nt {
			k := j*nt + t
			head := t == 0 || cfg.group[t] != cfg.group[t-1]
			tail := t == nt-1 || cfg.group[t+1] != cfg.group[t]
			w := items.init[k]
			if head {
				if t > 0 {
					w += items.gap[k]
				}
				w += items.down[k]
			}
			if w > 0 {
				ph = append(ph, psPhase{amount: w})
			}
			curve := m.curves[fns[t]]
			s := items.scale[k]
			if curve.Serial > 0 {
				ph = append(ph, psPhase{amount: s * curve.Serial, cap: 1})
			}
			if curve.Parallel > 0 {
				ph = append(ph, psPhase{amount: s * curve.Parallel, cap: curve.Threads})
			}
			if tail && items.up[k] > 0 {
				ph = append(ph, psPhase{amount: items.up[k]})
			}
		}
		ps.phases[i] = ph
	}
	busy = ps.run(n, vcpu)
	return items.gap[b*nt] + busy, busy
}

// run replays n items' phases on vcpu vCPUs and returns when the last one ends.
func (ps *psSim) run(n int, vcpu float64) float64 {
	ps.cur = slices.Grow(ps.cur[:0], n)[:n]
	ps.left = slices.Grow(ps.left[:0], n)[:n]
	ps.rate = slices.Grow(ps.rate[:0], n)[:n]
	active := 0
	for i := range n {
		ps.cur[i] = 0
		if len(ps.phases[i]) > 0 {
			ps.left[i] = ps.phases[i][0].amount
			active++
		}
	}
	now := 0.0
	for active > 0 {
		ps.allocate(n, vcpu)
		dt := math.Inf(1)
		for i := range n {
			if ps.cur[i] < len(ps.phases[i]) && ps.rate[i] > 0 {
				dt = math.Min(dt, ps.left[i]/ps.rate[i])
			}
		}
		if math.IsInf(dt, 1) {
			panic("wisefuse: processor-sharing replay made no progress")
		}
		now += dt
		for i := range n {
			if ps.cur[i] >= len(ps.phases[i]) {
				continue
			}
			ps.left[i] -= ps.rate[i] * dt
			if ps.left[i] <= 1e-12*math.Max(1, ps.phases[i][ps.cur[i]].amount) {
				ps.cur[i]++
				if ps.cur[i] < len(ps.phases[i]) {
					ps.left[i] = ps.phases[i][ps.cur[i]].amount
				} else {
					active--
				}
			}
		}
	}
	return now
}

// allocate sets each item's progress rate: 1 for a wait, and for CPU phases the max-min fair
// share of vcpu under each phase's cap.
func (ps *psSim) allocate(n int, vcpu float64) {
	ps.order = ps.order[:0]
	for i := range n {
		ps.rate[i] = 0
		if ps.cur[i] >= len(ps.phases[i]) {
			continue
		}
		if ph := ps.phases[i][ps.cur[i]]; ph.cap == 0 {
			ps.rate[i] = 1
		} else {
			ps.order = append(ps.order, i)
		}
	}
	slices.SortFunc(ps.order, func(a, b int) int {
		ca, cb := ps.phases[a][ps.cur[a]].cap, ps.phases[b][ps.cur[b]].cap
		switch {
		case ca < cb:
			return -1
		case ca > cb:
			return 1
		}
		return a - b
	})
	left, k := vcpu, len(ps.order)
	for idx, i := range ps.order {
		share := left / float64(k-idx)
		r := math.Min(ps.phases[i][ps.cur[i]].cap, share)
		ps.rate[i] = r
		left -= r
	}
}
