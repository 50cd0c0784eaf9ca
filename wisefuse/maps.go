// Evaluation of a Map step under one configuration (iterator sizes, fusion groups, bundle size):
// bundles replay their items' processor sharing (bundle.go; widemaps.go for very wide Maps),
// unbundled items come from their summary (itemsummary.go).

package wisefuse

import (
	"fmt"
	"math"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// mapConfig is how a Map runs: the VM size of each iterator task, the fusion group of each (tasks
// with the same group number run in one VM; groups are consecutive) and the bundle size.
type mapConfig struct {
	mem    []int
	group  []int
	bundle int
}

// evalMap evaluates Map step si under cfg.
func (m *Model) evalMap(sc *scratch, si int, cfg mapConfig) stageEval {
	plat := m.opts.Platform
	st := &m.w.Steps[si]
	nt := len(cfg.mem)
	vmMem := slices.Max(cfg.mem)
	// Each group runs at its largest member's size; a bundle runs everything at the largest.
	gmem := make([]int, nt)
	for t := range nt {
		gm := 0
		for u := range nt {
			if cfg.group[u] == cfg.group[t] {
				gm = max(gm, cfg.mem[u])
			}
		}
		if cfg.bundle > 1 {
			gm = vmMem
		}
		gmem[t] = gm
	}
	src := &m.sizes[m.nearest(vmMem)]
	items := src.stages[si].items
	fns := iteratorTasks(st)
	ratio := make([]float64, nt)
	for t := range nt {
		ratio[t] = m.curveTime(fns[t], plat.Cores(gmem[t]))
	}
	groups := 0
	for t := range nt {
		if t == 0 || cfg.group[t] != cfg.group[t-1] {
			groups++
		}
	}
	states := groups + passCount(st) // state transitions per item (or bundle)
	if cfg.bundle <= 1 {
		return m.evalUnbundled(sc, si, src, cfg, gmem, ratio, states)
	}
	vals := sc.vals[:0]
	cost := 0.0
	nb, widest := 0, 0 // bundles in all runs, in the widest run
	for r := range src.runs {
		k := (items.runStart[r+1] - items.runStart[r] + cfg.bundle - 1) / cfg.bundle
		nb += k
		widest = max(widest, k)
	}
	conc := m.concOf(st.Map.MaxConcurrency)
	// A Map whose MaxConcurrency binds needs every bundle's time, in order (waves); one that only
	// the account's limit binds stays wide, its waves estimated (below).
	// On shared instances every bundle is replayed: how they share the instances the scale
	// controller adds sets the Map's end (sharedEnd), which a few candidates cannot tell.
	capped := st.Map.MaxConcurrency > 0 && widest > st.Map.MaxConcurrency
	wide := widest > wideBundles && !capped && plat.InstanceActivities == 0
	vcpu := plat.Cores(vmMem)
	per := m.needOf(fns...) // one item's need: a bundle's VM uses its items' together
	sampled, sampledBusy := 0, 0.0
	runs := src.runs
	if !wide {
		runs = m.replayRuns(src)
	}
	for r := range runs {
		lo, hi := items.runStart[r], items.runStart[r+1]
		units := (hi - lo + cfg.bundle - 1) / cfg.bundle // the run's bundles
		var worst float64
		lastStart := 0.0 // when the last bundle starts, where a limit binds (failsAtLimit)
		if wide {
			// A very wide Map: the run's slowest bundle is found among a few candidates
			// (widestBundle) and the mean cost comes from an evenly spaced sample of bundles, so
			// the work does not grow with the item count.
			worst = sc.widestBundle(m, src, si, r, fns, cfg.bundle, vcpu)
			perRun := max(1, wideCostSamples/src.runs)
			limited := conc > 0 && units > conc && !sc.ps.bound
			if limited {
				// The bundles' mean time sets the end: a run's own, from enough of its bundles
				// (one of them, with 128 runs or more, put one bundle's noise in every run).
				perRun = max(perRun, min(units, wideWaveSamples))
			}
			step := max(1, units/perRun) * cfg.bundle
			sc.units = sc.units[:0]
			for b := lo; b < hi; b += step {
				tm, busy := sc.ps.bundle(m, src, si, fns, b, min(b+cfg.bundle, hi), vcpu)
				_, billed := m.acquisition(items.initOf(b), busy)
				sampled++
				sampledBusy += billed
				if limited {
					sc.units = append(sc.units, tm)
				}
			}
			if limited {
				// The account's limit binds: the bundles run in waves. A few sampled bundles
				// cannot tell the slowest of the last wave, which sets the end, so the end is
				// taken midway between list scheduling's bounds (Graham): no schedule on conc
				// slots ends before the bundles' time over conc, and none ends more than the
				// slowest bundle's time past that. Against the simulator's P95: Maps of 20,000
				// one-second items in bundles of 5 and 7 on 1,000 slots 7% to 9% short, 400 in
				// bundles of 4 on 50 slots 4.3% over (TestAccountLimitAccuracy), 300 items of
				// sigma 0.8 in bundles of 4 on 20 slots (99 runs) 0.3% short; the waves of the
				// sampled bundles had been 16% short.
				mean := 0.0
				for _, u := range sc.units {
					mean += u
				}
				mean /= float64(len(sc.units))
				lb := float64(units) * mean / float64(conc)
				worst = max(worst, lb+worst*(1-1/float64(conc))/2)
				lastStart = worst - mean
			}
		} else {
			binds := conc > 0 && units > conc
			sc.units = sc.units[:0]
			sc.acts = sc.acts[:0]
			for b := lo; b < hi; b += cfg.bundle {
				e := min(b+cfg.bundle, hi)
				tm, busy := sc.ps.bundle(m, src, si, fns, b, e, vcpu)
				if plat.InstanceActivities > 0 {
					// A bundle's VM shares its instance: all of its time counts as computing.
					sc.acts = append(sc.acts, shareAct{start: tm - busy, work: busy})
				}
				lat, billed := m.acquisition(items.initOf(b), busy)
				if math.IsInf(lat, 1) {
					tm = lat // the run fails
				}
				worst = max(worst, tm)
				if binds {
					sc.units = append(sc.units, tm)
				}
				cost += vmCost(plat, vmMem, (e-b)*per, billed)
			}
			if plat.InstanceActivities > 0 && len(sc.acts) > 1 {
				end, billed := sharedEnd(plat, sc.acts, m.cold[st.Name], nil)
				alone := 0.0
				for _, a := range sc.acts {
					alone += a.work
				}
				worst = max(worst, end)
				cost += (billed - alone) * float64(plat.BilledMB(vmMem, cfg.bundle*per)) / 1024 * plat.GBSecondUSD
			}
			switch {
			case binds && sc.ps.bound:
				worst = wavesBound(sc.units, conc)
			case binds:
				worst, lastStart = wavesStart(sc.units, conc)
			}
		}
		g := src.stages[si].gap[r]
		if m.failsAtLimit(st, units, lastStart) {
			worst = math.Inf(1)
		}
		// Each bundle is an activity: it starts after the poll and the resume, as an item does.
		vals = append(vals, m.stepLatency(g, m.innerGap(si, g), worst))
	}
	if wide {
		cost = float64(nb) * vmCost(plat, vmMem, cfg.bundle*per, sampledBusy/float64(sampled))
	}
	if runs < src.runs {
		// BundleRuns: the replayed runs' VM cost stands for every run's.
		cost *= float64(src.runs) / float64(runs)
	}
	cost += float64(nb)*plat.TransitionUSD + m.storageTotal(src, si)
	return stageEval{
		lat:  m.runsLatency(sc, vals, src, si, si+1),
		cost: cost/float64(src.runs) + plat.TransitionUSD,
	}
}

// storageTotal is the storage request cost of a bundled Map's items (their iterator runs as one
// fused group: one download and one upload per item) summed over all runs.
func (m *Model) storageTotal(src *sizeData, si int) float64 {
	nt := src.stages[si].items.tasks
	s := m.summary(src.index, si, fusedGroups(nt).group)
	fns := iteratorTasks(&m.w.Steps[si])
	return s.gets[0]*m.getUSD(fns[0]) + s.puts[nt-1]*m.putUSD(fns[nt-1])
}

// evalUnbundled evaluates an unbundled Map from its item summary.
func (m *Model) evalUnbundled(sc *scratch, si int, src *sizeData, cfg mapConfig, gmem []int, ratio []float64, states int) stageEval {
	plat := m.opts.Platform
	s := m.summary(src.index, si, cfg.group)
	nt := len(cfg.group)
	vals := sc.vals[:0]
	fns := iteratorTasks(&m.w.Steps[si])
	shared := 0.0  // billed seconds added by instance sharing, over all runs
	overrun := 0.0 // USD the VMs that time out are not billed for, past their timeout
	for r := range src.runs {
		if plat.InstanceActivities > 0 {
			worst, extra := m.sharedItems(sc, src, si, r, ratio, cfg.group, s.loads, fns)
			shared += extra
			g := src.stages[si].gap[r]
			vals = append(vals, m.mapLatency(g, m.innerGap(si, g), s.lastFind(r), worst))
			continue
		}
		worst := 0.0
		// Where a limit binds, the summary kept the run's items, or a sample, in item order for
		// its waves (itemSummary).
		sc.units = sc.units[:0]
		for k := s.runStart[r]; k < s.runStart[r+1]; k++ {
			tm := s.a[k]
			for t := range nt {
				tm += s.b[k*nt+t] * ratio[t]
			}
			worst = max(worst, tm)
			if k < s.waveEnd[r] {
				sc.units = append(sc.units, tm)
			}
		}
		lastStart := 0.0
		if len(sc.units) > 0 {
			var end float64
			end, lastStart = wavesStart(sc.units, s.slots[r])
			worst = max(worst, end)
		}
		if items := src.stages[si].items; m.failsAtLimit(&m.w.Steps[si], items.runStart[r+1]-items.runStart[r], lastStart) {
			worst = math.Inf(1)
		}
		g := src.stages[si].gap[r]
		vals = append(vals, m.mapLatency(g, m.innerGap(si, g), s.lastFind(r), worst))
	}
	for r := range src.runs {
		if failed, usd := m.itemsTimedOut(src, si, s, r, cfg.group, gmem, ratio); failed {
			vals[r] = math.Inf(1)
			overrun += usd
		}
	}
	// Cost: every item runs one VM per group, billed for the group's busy time at the memory
	// the group's tasks need (Platform.BilledMB).
	cost := shared*float64(plat.BilledMB(slices.Max(gmem), m.needOf(fns...)))/1024*plat.GBSecondUSD - overrun
	for t := 0; t < nt; {
		u := groupEnd(cfg.group, t)
		busy := 0.0
		for v := t; v < u; v++ {
			busy += s.init[v] + s.scale[v]*ratio[v] + float64(s.items)*s.local[v]
		}
		busy += s.down[t] + s.up[u-1]
		cost += busy*float64(plat.BilledMB(gmem[t], m.needOf(fns[t:u]...)))/1024*plat.GBSecondUSD + float64(s.items)*plat.RequestUSD +
			s.gets[t]*m.getUSD(fns[t]) + s.puts[u-1]*m.putUSD(fns[u-1])
		t = u
	}
	cost += float64(s.items*states) * plat.TransitionUSD
	return stageEval{
		lat:  m.runsLatency(sc, vals, src, si, si+1),
		cost: cost/float64(src.runs) + plat.TransitionUSD,
	}
}

// itemsTimedOut reports whether an item of run r of unbundled Map si (summary s at profiled size
// src, under fusion groups group at sizes gmem, the tasks' fitted times ratio) keeps a group's VM
// busy past the function timeout (Model.acquisition), and the USD its timed-out VMs' busy
// time, billed in evalUnbundled's sums, exceeds what they are billed (to the timeout). The
// summary's maxima bound every item's busy time from above, so a run far from the timeout costs
// one pass over the groups; only a run that may reach it checks its items one by one.
func (m *Model) itemsTimedOut(src *sizeData, si int, s *itemSummary, r int, group, gmem []int, ratio []float64) (failed bool, usd float64) {
	if s.maxScale == nil {
		return false, 0 // the platform has no timeout
	}
	items := src.stages[si].items
	nt := items.tasks
	near := false
	for t := 0; t < nt && !near; {
		u := groupEnd(group, t)
		after := s.maxIO[r*nt+t]
		for v := t; v < u; v++ {
			after += s.local[v] + s.maxScale[r*nt+v]*ratio[v]
		}
		near = m.overTimeout(after)
		t = u
	}
	if !near {
		return false, 0
	}
	plat := m.opts.Platform
	fns := iteratorTasks(&m.w.Steps[si])
	for j := items.runStart[r]; j < items.runStart[r+1]; j++ {
		for t := 0; t < nt; {
			u := groupEnd(group, t)
			init, busy := 0.0, items.down[j*nt+t]+items.up[j*nt+u-1]
			for v := t; v < u; v++ {
				in := 0.0
				if s.loads[v] {
					in = items.init[j*nt+v]
				}
				init += in
				busy += in + s.local[v] + items.scale[j*nt+v]*ratio[v]
			}
			if lat, billed := m.acquisition(init, busy); math.IsInf(lat, 1) {
				failed = true
				usd += (busy - billed) * float64(plat.BilledMB(gmem[t], m.needOf(fns[t:u]...))) / 1024 * plat.GBSecondUSD
			}
			t = u
		}
	}
	return failed, usd
}

// concOf is how many iterations (items, or bundles of them) of a Map of MaxConcurrency maxConc
// (0: none) run at once, each in a VM of its own: maxConc, or the account's concurrency limit
// where that binds first, the others waiting for a slot as in the simulator (sim/acquire.go;
// under "reject" and "retry" the run may fail instead, failsAtLimit). The profile's runs had neither limit
// (ProfileBy, Profile.ProfiledConcurrencyLimit), so an item's gap holds no queue; a profile that
// had the limit (records, logs, profiles before session 17) keeps its queue in the gaps, and the
// account's limit is not put back (Model.accountLimit). A Map's limit is its own: other Maps
// running beside it (in a Parallel's branches, or nested in another Map's items) do not take
// from it. Shared instances have limits of their own (sharedItems, sharedEnd). 0: no limit.
func (m *Model) concOf(maxConc int) int {
	if l := m.accountLimit; l > 0 && (maxConc <= 0 || l < maxConc) {
		return l
	}
	return maxConc
}

// failsAtLimit reports whether a run of Map st whose iterations take units VMs at once, the last
// of them starting lastStart after the first (waves), fails at the account's limit, as the
// simulator fails that DAG invocation: on a platform that rejects acquisitions past the limit
// ("reject") whenever units pass it; under "retry" when the last iteration waits past the
// platform's retries (Model.retryWindow), taking a slot as soon as one frees (the simulator's
// retries come at set times, so some fail a little earlier). A step's own Retry, which catches
// the throttle whatever the platform says, is not modelled: the run waits (optimistic).
func (m *Model) failsAtLimit(st *dag.Step, units int, lastStart float64) bool {
	if m.accountLimit == 0 || units <= m.accountLimit || st.Map.MaxConcurrency > 0 && st.Map.MaxConcurrency <= m.accountLimit {
		return false
	}
	for i := range st.Map.Iterator {
		if st.Map.Iterator[i].Retry != nil {
			return false
		}
	}
	switch m.opts.Platform.AtConcurrencyLimit {
	case platform.LimitReject:
		return true
	case platform.LimitRetry:
		return lastStart > m.retryWindow
	}
	return false
}

// maxWaveUnits bounds the items an item summary runs in waves for a Map's run (waveSample).
const maxWaveUnits = 1024

// waveSample is how waves stands in for total items on conc slots when there are more than
// maxWaveUnits: slots = conc x maxWaveUnits / total slots (at least 1) and n = total x slots /
// conc items on them, every stride-th, as many waves (a width-35,385 Map under the limit of
// 1,000: 1,026 items on 29 slots; 3,000 items 2 at once: 1,500 on 1). The end of the last wave
// is the longest of the slots' last items, which fewer slots draw fewer of, so the sample may
// run short by part of one item, a share of the Map's time that shrinks as the waves add up:
// unbundled Maps of 20,000 one-second items on 1,000 slots (20 waves) at 1,024 and 3,072 MB
// were predicted 1.2% and 1.7% below the simulator's P95 (20 runs). 2,048 units cost
// BenchmarkPlanAzureLargest a fifth more time for no gain in those. (Rounding n to
// maxWaveUnits instead ran 3,000 items 2 at once as 1,024 on 1 slot, a third short.)
func waveSample(total, conc int) (n, slots int, stride float64) {
	slots = max(1, int(math.Round(float64(conc)*maxWaveUnits/float64(total))))
	n = min(total, max(1, int(math.Round(float64(total)*float64(slots)/float64(conc)))))
	return n, slots, float64(total) / float64(n)
}

// waves returns when the last of a Map's iterations ends when at most c run at once: the first c
// start together and each further one, in order, when a running one ends (list scheduling), as
// Step Functions runs a Map at its MaxConcurrency and the simulator does (sim/mapstep.go). lat[i]
// is iteration i's latency from its start, launch delay included: a queued iteration is launched
// as an unqueued one is, once a slot frees. lat's first c entries are reordered (a min-heap of
// the running iterations' ends).
func waves(lat []float64, c int) float64 {
	end, _ := wavesStart(lat, c)
	return end
}

// wavesStart is waves, and when the last iteration starts (0 when all start at once).
func wavesStart(lat []float64, c int) (end, last float64) {
	if c <= 0 || len(lat) <= c {
		return slices.Max(lat), 0
	}
	h := lat[:c]
	for i := c/2 - 1; i >= 0; i-- {
		siftDown(h, i)
	}
	for _, x := range lat[c:] {
		last = h[0]
		h[0] += x // the earliest end starts the next iteration
		siftDown(h, 0)
	}
	return slices.Max(h), last
}

// wavesBound is a lower bound of waves(lat, c) for any lat at least lat, entry by entry (lower
// bounds of the bundles' times, psSim.lowerBound): no schedule of the iterations on c slots ends
// before its longest iteration, nor before their sum over c. Waves themselves are not monotone
// in the iterations' times (list scheduling), so waves of the bounds would bound nothing.
func wavesBound(lat []float64, c int) float64 {
	sum := 0.0
	for _, x := range lat {
		sum += x
	}
	return max(slices.Max(lat), sum/float64(c))
}

// siftDown restores the min-heap order of h below i.
func siftDown(h []float64, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		if r := l + 1; r < len(h) && h[r] < h[l] {
			l = r
		}
		if h[i] <= h[l] {
			return
		}
		h[i], h[l] = h[l], h[i]
		i = l
	}
}

// groupLocal is the in-memory passing time of iterator task t inside its fusion group (group
// numbers per task): reading its input from the task before it in the group, writing its output to
// the one after.
func (m *Model) groupLocal(fns []string, group []int, t int) float64 {
	l := 0.0
	if t > 0 && group[t] == group[t-1] {
		l += m.localTime(fns[t], true)
	}
	if t < len(group)-1 && group[t+1] == group[t] {
		l += m.localTime(fns[t], false)
	}
	return l
}

// groupEnd returns where the fusion group of iterator task t (group numbers per task) ends: the
// index after its last task.
func groupEnd(group []int, t int) int {
	u := t
	for u < len(group) && group[u] == group[t] {
		u++
	}
	return u
}

// fusedGroups puts n iterator tasks in one group.
func fusedGroups(n int) mapConfig { return mapConfig{group: make([]int, n)} }

func iteratorTasks(st *dag.Step) []string {
	var fns []string
	for _, it := range st.Map.Iterator {
		if it.Task != "" {
			fns = append(fns, it.Task)
		}
	}
	return fns
}

// tasksAdjacent reports whether Map step st's iterator tasks are consecutive steps, no Pass
// between two of them, so that one fusion group can hold them all: a group lists consecutive
// steps (dag.Plan), and the modeler counts a Pass as a state of its own (passCount), as it does
// at the top level, where a Pass ends a fused run of tasks.
func tasksAdjacent(st *dag.Step) bool {
	first, last := -1, -1
	for k, it := range st.Map.Iterator {
		if it.Task != "" {
			if first < 0 {
				first = k
			}
			last = k
		}
	}
	return last-first+1 == len(iteratorTasks(st))
}

func passCount(st *dag.Step) int {
	n := 0
	for _, it := range st.Map.Iterator {
		if it.Pass {
			n++
		}
	}
	return n
}

// LimitWarning says where the account's concurrency limit the model puts back falls short: a
// run that holds more VMs at once than the limit even with each Map held to it (Maps side by
// side in a Parallel's branches, or nested in a Map's items), which the simulator queues, or
// under "reject" and "retry" may fail, and the model does not. "" when there is none, or the
// limit is not put back (Model.accountLimit).
func (m *Model) LimitWarning() string {
	if m.accountLimit == 0 {
		return ""
	}
	if n := PeakVMs(m.w, m.accountLimit); n > m.accountLimit {
		return fmt.Sprintf("a run holds up to %d VMs at once, unfused and unbundled, with each Map held to the account's concurrency limit of %d (Maps side by side or nested): the model holds each Map to the limit alone, so its latency is optimistic there (the simulator queues them, or under at_concurrency_limit reject and retry may fail the runs)",
			n, m.accountLimit)
	}
	return ""
}

// LimitedPeak reports whether the model puts the account's limit back (Model.accountLimit) on a
// workflow whose run holds more VMs at once than it, so that the profile's runs, which had the
// limit lifted, ran otherwise than the platform runs them (model leaves out its comparison).
func (m *Model) LimitedPeak() bool {
	return m.accountLimit > 0 && PeakVMs(m.w, 0) > m.accountLimit
}

// PeakVMs is the most VMs a run of w holds at once, unfused and unbundled: a task one, a
// Parallel its branches' sum, a Map its items (at most its MaxConcurrency and, when capMap > 0,
// capMap) times its iterator's. Items are the workflow's expected counts.
func PeakVMs(w *dag.Workflow, capMap int) int {
	var peak func(seq []dag.Step) int
	peak = func(seq []dag.Step) int {
		most := 0
		for i := range seq {
			st := &seq[i]
			n := 0
			switch {
			case st.Task != "":
				n = 1
			case st.Parallel != nil:
				for _, br := range st.Parallel {
					n += peak(br)
				}
			case st.Map != nil:
				items := dag.ItemCount(st.Map.Items.ExpectedValue())
				if c := st.Map.MaxConcurrency; c > 0 {
					items = min(items, c)
				}
				if capMap > 0 {
					items = min(items, capMap)
				}
				n = items * peak(st.Map.Iterator)
			}
			most = max(most, n)
		}
		return most
	}
	return peak(w.Steps)
}
