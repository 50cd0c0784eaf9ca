package wisefuse

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// ModelOptions tune the modeler. The zero value means the defaults.
type ModelOptions struct {
	// Platform holds the public facts the modeler may use (vCPU per MB, visible cores, prices, and
	// the bandwidths and contention an operator measures once per platform); nil means
	// platform.Default().Published(): AWS Lambda as AWS documents it, with the measured facts unknown.
	Platform *platform.Platform
	// Atoms is the number of equally likely atoms a latency distribution keeps (default 256).
	Atoms int
}

func (o ModelOptions) withDefaults() ModelOptions {
	if o.Platform == nil {
		o.Platform = platform.Default().Published()
	}
	if o.Atoms <= 0 {
		o.Atoms = 256
	}
	return o
}

// Model predicts the end-to-end latency distribution and the mean cost of any plan of one
// workflow from its profile alone.
//
// The choices, each with its reason (docs/wisefuse.md has the long form):
//   - Series steps add as independent random variables (addIndependent). The simulator draws each
//     function's run factor independently, and on the real logs the stages of a run are nearly
//     uncorrelated; independence is what lets a step's distribution be computed once and reused.
//   - A Map stage is resampled jointly by run: for each profiled run, its items' times are
//     recomputed under the plan and the stage takes their maximum (or, with bundles, the maximum
//     over bundles of a processor-sharing replay). The items of one run keep whatever they shared
//     in that run -- the per-run factor that makes parallel siblings correlated -- so the maximum
//     is neither the too-optimistic max of independent items nor the too-pessimistic comonotone one.
//   - VM sizes between profiled ones: each sample comes from the profiled size nearest in vCPUs
//     (on a log scale), and its compute is scaled by the function's fitted Curve from that size's
//     vCPUs to the target's. The fitted curve carries the speed-up; the nearest sample carries the
//     shape of the variability. Transfers and orchestration gaps are taken as measured.
//   - Fusion removes the upload of every fused step but the last, the download of every one but
//     the first and the orchestration gap between them, and runs all of them at the group's size.
//   - Bundles: a bundle's VM runs its items' iterator steps back to back in memory (as a fusion
//     group: one download, one upload, one transition per bundle), and B items share c(m) vCPUs
//     by processor sharing, each item's compute split into its
//     serial part (at most one vCPU) and parallel part (at most Threads vCPUs) in the proportions of
//     the fitted curve; a finished item frees its share for the stragglers.
type Model struct {
	opts   ModelOptions
	w      *dag.Workflow // skeleton
	curves map[string]Curve
	sizes  []sizeData
	// dataBytes is each function's mean input and output size in bytes, as profiled (zero when
	// the profile has none, e.g. real logs): splitTransfer and localTime use it.
	dataBytes map[string][2]float64

	mu         sync.Mutex
	summaries  map[string]*itemSummary // by profiled size, Map and fusion grouping
	candidates map[string][][]int      // wideCandidates, by profiled size, Map and bundle size
	alone      map[[2]int]*aloneTimes  // aloneTimes, by profiled size and Map
}

// sizeData is one profiled size, rearranged for fast evaluation.
type sizeData struct {
	index  int // in Model.sizes
	mem    int
	vcpu   float64
	runs   int
	endGap []float64
	stages []stageData // per top-level step
}

// stageData holds one top-level step's samples at one size.
type stageData struct {
	gap []float64 // per run
	// A Task step: one sample per run (index = run).
	task *taskSamples
	// A Map step: items grouped by run.
	items *itemSamples
}

type taskSamples struct {
	init, down, scale, up []float64 // scale = compute / curve time at the profiled size
}

// itemSamples: item j of run r is j in [runStart[r], runStart[r+1]); its iterator task t is at
// index j*tasks+t of the component arrays.
type itemSamples struct {
	tasks                      int
	runStart                   []int
	gap, init, down, scale, up []float64
}

// NewModel prepares a model from a profile.
func NewModel(p *Profile, opts ModelOptions) (*Model, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("wisefuse: profile: %w", err)
	}
	m := &Model{opts: opts.withDefaults(), w: p.Workflow, curves: map[string]Curve{}, summaries: map[string]*itemSummary{}, candidates: map[string][][]int{}}
	plat := m.opts.Platform
	// Fit each function's CPU curve to its median compute time at every profiled size.
	for _, f := range m.w.Functions {
		var cs []Cores
		var ys []float64
		for i := range p.Sizes {
			var comp []float64
			for j := range p.Sizes[i].Steps {
				st := &p.Sizes[i].Steps[j]
				if st.Function == f.Name {
					comp = append(comp, st.Compute...)
				}
			}
			if len(comp) == 0 {
				continue
			}
			med := median(comp)
			if med <= 0 {
				continue
			}
			cs = append(cs, cores(plat, p.Sizes[i].MemoryMB))
			ys = append(ys, med)
		}
		m.curves[f.Name] = fitCurve(cs, ys, plat.MaxVCPU)
	}
	m.dataBytes = map[string][2]float64{}
	for i := range p.Sizes {
		for _, st := range p.Sizes[i].Steps {
			if _, ok := m.dataBytes[st.Function]; !ok && (st.InBytes > 0 || st.OutBytes > 0) {
				m.dataBytes[st.Function] = [2]float64{st.InBytes, st.OutBytes}
			}
		}
	}
	for i := range p.Sizes {
		sd, err := m.prepareSize(&p.Sizes[i])
		if err != nil {
			return nil, fmt.Errorf("wisefuse: profile at %d MB: %w", p.Sizes[i].MemoryMB, err)
		}
		sd.index = len(m.sizes)
		m.sizes = append(m.sizes, sd)
	}
	return m, nil
}

// itemsAlwaysFixed reports whether Map step k had its skeleton's item count in every profiled
// run. The skeleton rounds a drawn count to its mean, so only this tells a truly fixed Map, whose
// items can all be planned into one VM, from one that sometimes has more (and would spill).
func (m *Model) itemsAlwaysFixed(k int) bool {
	n, _ := m.w.Steps[k].Map.FixedItems()
	for _, sd := range m.sizes {
		items := sd.stages[k].items
		for r := range sd.runs {
			if items.runStart[r+1]-items.runStart[r] != n {
				return false
			}
		}
	}
	return true
}

// median is the sample median. It selects the middle order statistics in linear time instead of
// sorting (a wide Map's function has hundreds of thousands of compute samples); the value is the
// one a sort would give.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	n := len(s)
	hi := selectKth(s, n/2)
	if n%2 == 1 {
		return hi
	}
	// After selection every element before n/2 is at most s[n/2]: the largest of them is the
	// (n/2-1)-th order statistic.
	return (slices.Max(s[:n/2]) + hi) / 2
}

// selectKth reorders s so that s[k] is the k-th smallest (0-based), everything before it no larger
// and everything after no smaller, and returns s[k] (Hoare's quickselect with a median-of-three
// pivot; deterministic). s must hold no NaN.
func selectKth(s []float64, k int) float64 {
	lo, hi := 0, len(s)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		if s[mid] < s[lo] {
			s[mid], s[lo] = s[lo], s[mid]
		}
		if s[hi] < s[lo] {
			s[hi], s[lo] = s[lo], s[hi]
		}
		if s[hi] < s[mid] {
			s[hi], s[mid] = s[mid], s[hi]
		}
		pivot := s[mid]
		i, j := lo, hi
		for i <= j {
			for s[i] < pivot {
				i++
			}
			for s[j] > pivot {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return s[k]
		}
	}
	return s[k]
}

// curveTime is the fitted compute time of fn on c vCPUs; a function with no compute (curve zero)
// gets 1 so that scales stay finite (its samples are all zero anyway).
func (m *Model) curveTime(fn string, c Cores) float64 {
	t := m.curves[fn].Time(c)
	if t <= 0 || math.IsNaN(t) {
		return 1
	}
	return t
}

func (m *Model) prepareSize(s *SizeProfile) (sizeData, error) {
	c := cores(m.opts.Platform, s.MemoryMB)
	sd := sizeData{mem: s.MemoryMB, vcpu: c.Share, runs: s.Runs, endGap: s.EndGap}
	for si, st := range m.w.Steps {
		stg := stageData{gap: s.Stages[si].Gap}
		switch {
		case st.Task != "":
			smp := s.Step(st.Name)
			if smp == nil {
				return sd, fmt.Errorf("step %q has no samples", st.Name)
			}
			ts := &taskSamples{
				init: make([]float64, s.Runs), down: make([]float64, s.Runs),
				scale: make([]float64, s.Runs), up: make([]float64, s.Runs),
			}
			seen := make([]bool, s.Runs)
			ct := m.curveTime(st.Task, c)
			for i := range smp.Len() {
				r := smp.Run[i]
				seen[r] = true
				ts.init[r], ts.down[r], ts.up[r] = smp.Init[i], smp.Download[i], smp.Upload[i]
				ts.scale[r] = smp.Compute[i] / ct
			}
			for r, ok := range seen {
				if !ok {
					return sd, fmt.Errorf("step %q has no invocation in run %d", st.Name, r)
				}
			}
			stg.task = ts
		case st.Map != nil:
			items, err := m.prepareItems(s, st, c)
			if err != nil {
				return sd, err
			}
			stg.items = items
		}
		sd.stages = append(sd.stages, stg)
	}
	return sd, nil
}

// prepareItems joins the iterator tasks' samples by (run, item). Items that miss a task in a run
// (a failed invocation) are dropped.
func (m *Model) prepareItems(s *SizeProfile, st dag.Step, c Cores) (*itemSamples, error) {
	var tasks []*StepSamples
	var fns []string
	for _, it := range st.Map.Iterator {
		if it.Task != "" {
			smp := s.Step(it.Name)
			if smp == nil {
				return nil, fmt.Errorf("map %q: iterator step %q has no samples", st.Name, it.Name)
			}
			tasks = append(tasks, smp)
			fns = append(fns, it.Task)
		}
	}
	type key struct{ run, item int }
	// With one iterator task an item is its sample: no join needed (and wide Maps have many).
	index := make([]map[key]int, len(tasks))
	for t, smp := range tasks {
		if len(tasks) == 1 {
			break
		}
		index[t] = make(map[key]int, smp.Len())
		for i := range smp.Len() {
			index[t][key{smp.Run[i], smp.Item[i]}] = i
		}
	}
	// Items in the order of the first task's samples, grouped by run.
	first := tasks[0]
	order := make([]int, first.Len())
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if first.Run[a] != first.Run[b] {
			return first.Run[a] - first.Run[b]
		}
		return first.Item[a] - first.Item[b]
	})
	is := &itemSamples{tasks: len(tasks), runStart: make([]int, s.Runs+1)}
	size := first.Len() * len(tasks)
	is.gap, is.init, is.down = make([]float64, 0, size), make([]float64, 0, size), make([]float64, 0, size)
	is.scale, is.up = make([]float64, 0, size), make([]float64, 0, size)
	cts := make([]float64, len(tasks))
	for t, fn := range fns {
		cts[t] = m.curveTime(fn, c)
	}
	n := 0
	r := 0
	idx := make([]int, len(tasks))
	for _, i0 := range order {
		k := key{first.Run[i0], first.Item[i0]}
		ok := true
		for t := range tasks {
			if len(tasks) == 1 {
				idx[t] = i0
				break
			}
			if idx[t], ok = index[t][k]; !ok {
				break
			}
		}
		if !ok {
			continue
		}
		for r < k.run {
			r++
			is.runStart[r] = n
		}
		for t, smp := range tasks {
			i := idx[t]
			is.gap = append(is.gap, smp.Gap[i])
			is.init = append(is.init, smp.Init[i])
			is.down = append(is.down, smp.Download[i])
			is.scale = append(is.scale, smp.Compute[i]/cts[t])
			is.up = append(is.up, smp.Upload[i])
		}
		n++
	}
	for r < s.Runs {
		r++
		is.runStart[r] = n
	}
	for r := range s.Runs {
		if is.runStart[r+1] == is.runStart[r] {
			return nil, fmt.Errorf("map %q has no complete item in run %d", st.Name, r)
		}
	}
	return is, nil
}

// nearest returns the index of the profiled size whose vCPU count is nearest to memMB's on a log
// scale.
func (m *Model) nearest(memMB int) int {
	c := math.Log(m.opts.Platform.VCPU(memMB))
	best, bestD := 0, math.Inf(1)
	for i, s := range m.sizes {
		if d := math.Abs(math.Log(s.vcpu) - c); d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// Curve returns the fitted CPU curve of function fn.
func (m *Model) Curve(fn string) Curve { return m.curves[fn] }

// Workflow returns the structure the model was built for.
func (m *Model) Workflow() *dag.Workflow { return m.w }

// Prediction is a plan's predicted end-to-end latency distribution and mean cost per run.
type Prediction struct {
	Latency  Latency
	MeanCost float64 // USD per run
}

// Percentile is shorthand for p.Latency.Percentile.
func (p *Prediction) Percentile(pct float64) float64 { return p.Latency.Percentile(pct) }

// stageEval is a step's (or a fused group's) predicted latency atoms and mean cost.
type stageEval struct {
	lat  Latency
	cost float64
}

// scratch holds buffers reused across evaluations.
type scratch struct {
	vals  []float64
	bound []float64
	ps    psSim
}

// evalTasks evaluates top-level task steps [i, j) fused into one VM of mem MB (j = i+1: a lone
// task). Per profiled run: the gap before step i, then init of each, download of the first,
// compute of each at mem, data in memory between them, upload of the last.
func (m *Model) evalTasks(sc *scratch, i, j, mem int) stageEval {
	plat := m.opts.Platform
	src := &m.sizes[m.nearest(mem)]
	c := cores(plat, mem)
	vals := sc.vals[:0]
	cost := 0.0
	ratios, local := m.groupTasks(i, j, -1, c)
	for r := range src.runs {
		first, last := src.stages[i].task, src.stages[j-1].task
		busy := first.down[r] + last.up[r] + local
		for k := i; k < j; k++ {
			ts := src.stages[k].task
			busy += ts.init[r] + ts.scale[r]*ratios[k-i]
		}
		vals = append(vals, src.stages[i].gap[r]+busy)
		cost += vmCost(plat, mem, busy) + storageCost(plat, first.down[r], last.up[r])
	}
	sc.vals = vals
	return stageEval{
		lat:  latencyFromSamples(nil, vals, m.opts.Atoms),
		cost: cost/float64(src.runs) + plat.TransitionUSD,
	}
}

// groupTasks returns, for the tasks of a fusion group of top-level steps [i, j) (all but step
// skip, a Map, or -1), each one's fitted compute time on c (at its offset from i) and the time
// their data takes to pass in memory inside the group, the same in every run.
func (m *Model) groupTasks(i, j, skip int, c Cores) (ratios []float64, local float64) {
	ratios = make([]float64, j-i)
	for s := i; s < j; s++ {
		if s == skip {
			continue
		}
		fn := m.w.Steps[s].Task
		ratios[s-i] = m.curveTime(fn, c)
		if s > i {
			local += m.localTime(fn, true)
		}
		if s < j-1 {
			local += m.localTime(fn, false)
		}
	}
	return ratios, local
}

// evalFusedMap evaluates top-level steps [i, j) fused into one VM of mem MB, step k of them a Map
// whose items all run in that VM (Bundle = items; Faastlane's whole-workflow VM), the others
// tasks. Per profiled run: the gap before step i; the tasks before the Map in series; the Map's
// items side by side, sharing the VM's cores and network (the bundle replay); the tasks after it;
// data in memory between them. Only the group's first step reads from storage (all the items, when
// the Map is first) and only its last writes to it.
func (m *Model) evalFusedMap(sc *scratch, i, j, k, mem int) stageEval {
	plat := m.opts.Platform
	src := &m.sizes[m.nearest(mem)]
	c := cores(plat, mem)
	fns := iteratorTasks(&m.w.Steps[k])
	items := src.stages[k].items
	nt := items.tasks
	ratios, local := m.groupTasks(i, j, k, c)
	vals := sc.vals[:0]
	cost := 0.0
	for r := range src.runs {
		busy := local
		for s := i; s < j; s++ {
			if s == k {
				continue
			}
			ts := src.stages[s].task
			busy += ts.init[r] + ts.scale[r]*ratios[s-i]
			if s == i {
				busy += ts.down[r]
				cost += storageCost(plat, ts.down[r], 0)
			}
			if s == j-1 {
				busy += ts.up[r]
				cost += storageCost(plat, 0, ts.up[r])
			}
		}
		lo, hi := items.runStart[r], items.runStart[r+1]
		busy += sc.ps.replay(m, items, fns, lo, hi, c, k == i, k == j-1)
		for it := lo; it < hi; it++ {
			if k == i {
				cost += storageCost(plat, items.down[it*nt], 0)
			}
			if k == j-1 {
				cost += storageCost(plat, 0, items.up[it*nt+nt-1])
			}
		}
		vals = append(vals, src.stages[i].gap[r]+busy)
		cost += vmCost(plat, mem, busy)
	}
	sc.vals = vals
	return stageEval{
		lat:  latencyFromSamples(nil, vals, m.opts.Atoms),
		cost: cost/float64(src.runs) + plat.TransitionUSD,
	}
}

func storageCost(p *platform.Platform, down, up float64) float64 {
	c := 0.0
	if down > 0 {
		c += p.GetUSD
	}
	if up > 0 {
		c += p.PutUSD
	}
	return c
}

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
		ratio[t] = m.curveTime(fns[t], cores(plat, gmem[t]))
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
	wide := widest > wideBundles
	vcpu := cores(plat, vmMem)
	sampled, sampledBusy := 0, 0.0
	for r := range src.runs {
		lo, hi := items.runStart[r], items.runStart[r+1]
		var worst float64
		if wide {
			// A very wide Map: the run's slowest bundle is found among a few candidates
			// (widestBundle) and the mean cost comes from an evenly spaced sample of bundles, so
			// the work does not grow with the item count.
			worst = sc.widestBundle(m, src, si, r, fns, cfg.bundle, vcpu)
			perRun := max(1, wideCostSamples/src.runs)
			step := max(1, (hi-lo+cfg.bundle-1)/cfg.bundle/perRun) * cfg.bundle
			for b := lo; b < hi; b += step {
				_, busy := sc.ps.bundle(m, items, fns, b, min(b+cfg.bundle, hi), vcpu)
				sampled++
				sampledBusy += busy
			}
		} else {
			for b := lo; b < hi; b += cfg.bundle {
				e := min(b+cfg.bundle, hi)
				tm, busy := sc.ps.bundle(m, items, fns, b, e, vcpu)
				worst = max(worst, tm)
				cost += vmCost(plat, vmMem, busy)
			}
		}
		vals = append(vals, src.stages[si].gap[r]+worst)
	}
	if wide {
		cost = float64(nb) * vmCost(plat, vmMem, sampledBusy/float64(sampled))
	}
	cost += float64(nb)*plat.TransitionUSD + m.storageTotal(src, si)
	sc.vals = vals
	return stageEval{
		lat:  latencyFromSamples(nil, vals, m.opts.Atoms),
		cost: cost/float64(src.runs) + plat.TransitionUSD,
	}
}

// A Map with more than wideBundles bundles in a run counts as very wide: its slowest bundle per
// run is found among candidates (widestBundle) and its bundles' mean cost is estimated from about
// wideCostSamples of them over all runs. Narrower Maps replay every bundle.
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
func (sc *scratch) widestBundle(m *Model, src *sizeData, si, r int, fns []string, bsz int, vcpu Cores) float64 {
	items := src.stages[si].items
	hi := items.runStart[r+1]
	worst := 0.0
	for _, b := range m.wideCandidates(src, si, r, fns, bsz) {
		tm, _ := sc.ps.bundle(m, items, fns, b, min(b+bsz, hi), vcpu)
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
		c := cores(m.opts.Platform, mb)
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

// storageTotal is the storage request cost of a bundled Map's items (their iterator runs as one
// fused group: one download and one upload per item) summed over all runs.
func (m *Model) storageTotal(src *sizeData, si int) float64 {
	nt := src.stages[si].items.tasks
	s := m.summary(src.index, si, fusedGroups(nt).group)
	p := m.opts.Platform
	return s.gets[0]*p.GetUSD + s.puts[nt-1]*p.PutUSD
}

// itemSummary is a Map's unbundled items under one fusion grouping, reduced for fast evaluation
// at any VM size. Item j's latency is A_j + sum_t B_jt ratio_t, where ratio_t >= 0 is task t's
// fitted compute time at the plan's size: A holds the gaps, inits and transfers the grouping
// keeps, B the compute scales. An item whose A and every B are no larger than another item's of
// the same run is never that run's maximum, at any size, so only the others are kept (for a wide
// Map a handful of 35,000). Costs are linear in the same terms, so sums over all items suffice.
type itemSummary struct {
	runStart []int     // kept items of run r: [runStart[r], runStart[r+1])
	a        []float64 // per kept item
	b        []float64 // per kept item x task
	// Sums over all items of all runs, per task.
	init, scale, down, up []float64
	gets, puts            []float64 // transfers that happened (count), per task
	items                 int
}

func groupKey(si int, group []int) string {
	k := fmt.Sprint(si, group)
	return k
}

// summary returns (and caches) the item summary of Map si at profiled size src under group.
func (m *Model) summary(srcIdx, si int, group []int) *itemSummary {
	key := fmt.Sprint(srcIdx, "/", groupKey(si, group))
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.summaries[key]; ok {
		return s
	}
	src := &m.sizes[srcIdx]
	items := src.stages[si].items
	nt := items.tasks
	n := items.runStart[src.runs]
	s := &itemSummary{
		runStart: make([]int, src.runs+1),
		init:     make([]float64, nt), scale: make([]float64, nt), down: make([]float64, nt),
		up: make([]float64, nt), gets: make([]float64, nt), puts: make([]float64, nt), items: n,
	}
	fns := iteratorTasks(&m.w.Steps[si])
	a := make([]float64, n)
	for j := range n {
		for t := range nt {
			k := j*nt + t
			head := t == 0 || group[t] != group[t-1]
			tail := t == nt-1 || group[t+1] != group[t]
			a[j] += items.init[k] + m.groupLocal(fns, group, t)
			s.init[t] += items.init[k]
			s.scale[t] += items.scale[k]
			if head {
				a[j] += items.gap[k] + items.down[k]
				s.down[t] += items.down[k]
				if items.down[k] > 0 {
					s.gets[t]++
				}
			}
			if tail {
				a[j] += items.up[k]
				s.up[t] += items.up[k]
				if items.up[k] > 0 {
					s.puts[t]++
				}
			}
		}
	}
	var order []int
	sums := make([]float64, n)
	for r := range src.runs {
		lo, hi := items.runStart[r], items.runStart[r+1]
		// A dominator's sum of terms is at least its victim's, so it is seen first.
		for j := lo; j < hi; j++ {
			sums[j] = a[j]
			for t := range nt {
				sums[j] += items.scale[j*nt+t]
			}
		}
		// The order is by sum descending, then index. An item is dropped exactly when an item
		// before it in that order dominates it (a dropped dominator is itself dominated by a
		// kept one before it). So the first remaining item in the order is always kept, and
		// removing what it dominates (all of it later in the order) leaves the same problem:
		// a few linear passes find a run's handful of kept items, in the same order, without
		// sorting a wide Map's thousands. Many rounds (many kept items) fall back to sorting
		// the rest and the one-by-one pass.
		precedes := func(x, y int) bool { return sums[x] > sums[y] || (sums[x] == sums[y] && x < y) }
		order = order[:0]
		for j := lo; j < hi; j++ {
			order = append(order, j)
		}
		first := len(s.a)
		for rounds := 0; len(order) > 0 && rounds < summaryRounds; rounds++ {
			x := order[0]
			for _, j := range order[1:] {
				if precedes(j, x) {
					x = j
				}
			}
			s.a = append(s.a, a[x])
			s.b = append(s.b, items.scale[x*nt:x*nt+nt]...)
			rest := order[:0]
			for _, j := range order {
				if j != x && !dominatesItem(a[x], items.scale[x*nt:x*nt+nt], a[j], items.scale[j*nt:j*nt+nt]) {
					rest = append(rest, j)
				}
			}
			order = rest
		}
		slices.SortFunc(order, func(x, y int) int {
			if c := cmpDesc(sums[x], sums[y]); c != 0 {
				return c
			}
			return x - y
		})
		for _, j := range order {
			dominated := false
			for k := first; k < len(s.a) && !dominated; k++ {
				dominated = dominatesItem(s.a[k], s.b[k*nt:k*nt+nt], a[j], items.scale[j*nt:j*nt+nt])
			}
			if !dominated {
				s.a = append(s.a, a[j])
				s.b = append(s.b, items.scale[j*nt:j*nt+nt]...)
			}
		}
		s.runStart[r+1] = len(s.a)
	}
	m.summaries[key] = s
	return s
}

// summaryRounds caps the selection rounds of summary per run before it sorts the rest.
const summaryRounds = 64

// dominatesItem reports whether an item with terms (a, b) is never faster than one with (a2, b2):
// A and every B at least as large.
func dominatesItem(a float64, b []float64, a2 float64, b2 []float64) bool {
	if a < a2 {
		return false
	}
	for t, v := range b {
		if v < b2[t] {
			return false
		}
	}
	return true
}

func cmpDesc(x, y float64) int {
	switch {
	case x > y:
		return -1
	case x < y:
		return 1
	}
	return 0
}

// evalUnbundled evaluates an unbundled Map from its item summary.
func (m *Model) evalUnbundled(sc *scratch, si int, src *sizeData, cfg mapConfig, gmem []int, ratio []float64, states int) stageEval {
	plat := m.opts.Platform
	s := m.summary(src.index, si, cfg.group)
	nt := len(cfg.group)
	vals := sc.vals[:0]
	for r := range src.runs {
		worst := 0.0
		for k := s.runStart[r]; k < s.runStart[r+1]; k++ {
			tm := s.a[k]
			for t := range nt {
				tm += s.b[k*nt+t] * ratio[t]
			}
			worst = max(worst, tm)
		}
		vals = append(vals, src.stages[si].gap[r]+worst)
	}
	// Cost: every item runs one VM per group, billed for the group's busy time.
	fns := iteratorTasks(&m.w.Steps[si])
	cost := 0.0
	for t := 0; t < nt; {
		u := t
		busy := 0.0
		for ; u < nt && cfg.group[u] == cfg.group[t]; u++ {
			busy += s.init[u] + s.scale[u]*ratio[u] + float64(s.items)*m.groupLocal(fns, cfg.group, u)
		}
		busy += s.down[t] + s.up[u-1]
		cost += busy*float64(gmem[t])/1024*plat.GBSecondUSD + float64(s.items)*plat.RequestUSD +
			s.gets[t]*plat.GetUSD + s.puts[u-1]*plat.PutUSD
		t = u
	}
	cost += float64(s.items*states) * plat.TransitionUSD
	sc.vals = vals
	return stageEval{
		lat:  latencyFromSamples(nil, vals, m.opts.Atoms),
		cost: cost/float64(src.runs) + plat.TransitionUSD,
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

func passCount(st *dag.Step) int {
	n := 0
	for _, it := range st.Map.Iterator {
		if it.Pass {
			n++
		}
	}
	return n
}

// endGap is the distribution of the gap after the last step, from the size nearest mem.
func (m *Model) endGap(mem int) Latency {
	return latencyFromSamples(nil, m.sizes[m.nearest(mem)].endGap, m.opts.Atoms)
}

// passStage is a top-level Pass step: its orchestration time is absorbed in the next step's gap,
// so it adds only a transition's price.
func (m *Model) passStage() stageEval {
	return stageEval{lat: make(Latency, m.opts.Atoms), cost: m.opts.Platform.TransitionUSD}
}

// Predict returns the plan's predicted latency distribution and mean cost. The plan must be
// valid for the workflow; fusion groups may join consecutive top-level tasks or consecutive
// iterator tasks, bundles apply to Maps; direct passing and shared runtimes are not modelled.
func (m *Model) Predict(plan *dag.Plan) (*Prediction, error) {
	if err := plan.Validate(m.w); err != nil {
		return nil, err
	}
	if len(plan.Passing) > 0 || plan.SharedRuntime {
		return nil, fmt.Errorf("wisefuse: the modeler does not model direct passing or shared runtimes")
	}
	segs, err := m.segmentsOf(plan)
	if err != nil {
		return nil, err
	}
	// The same composition, in the same order, as the transformer's search: the end gap joins the
	// last segment first, then segments add left to right.
	var sc scratch
	var acc Latency
	cost := 0.0
	for k, sg := range segs {
		e := m.evalSegment(&sc, sg)
		if k == len(segs)-1 {
			e.lat = addIndependent(nil, e.lat, m.endGap(sg.mem))
		}
		if acc == nil {
			acc = slices.Clone(e.lat)
		} else {
			acc = addIndependent(nil, acc, e.lat)
		}
		cost += e.cost
	}
	return &Prediction{Latency: acc, MeanCost: cost}, nil
}

// segment is a run of top-level steps [start, end) that the plan executes as one unit: a lone
// step or a fused group of tasks; a Map segment carries its configuration.
type segment struct {
	start, end int
	mem        int // VM size for tasks (the group's); the largest iterator size for a Map
	cfg        *mapConfig
	pass       bool
	// fusedMap marks a group of tasks and one Map, all its items in the group's VM
	// (evalFusedMap); mapAt is the Map's index.
	fusedMap bool
	mapAt    int
}

func (m *Model) evalSegment(sc *scratch, sg segment) stageEval {
	switch {
	case sg.pass:
		return m.passStage()
	case sg.fusedMap:
		return m.evalFusedMap(sc, sg.start, sg.end, sg.mapAt, sg.mem)
	case sg.cfg != nil:
		return m.evalMap(sc, sg.start, *sg.cfg)
	default:
		return m.evalTasks(sc, sg.start, sg.end, sg.mem)
	}
}

// segmentsOf splits the top-level sequence by the plan's fusion groups.
func (m *Model) segmentsOf(plan *dag.Plan) ([]segment, error) {
	var segs []segment
	steps := m.w.Steps
	for i := 0; i < len(steps); {
		st := &steps[i]
		g := plan.FusionGroup(st.Name)
		switch {
		case st.Pass:
			if g >= 0 {
				return nil, fmt.Errorf("wisefuse: fusing pass step %q is not modelled", st.Name)
			}
			segs = append(segs, segment{start: i, end: i + 1, pass: true})
			i++
		case g >= 0 && m.groupHasMap(plan, i, g):
			sg, err := m.fusedMapSegment(plan, i, g)
			if err != nil {
				return nil, err
			}
			segs = append(segs, sg)
			i = sg.end
		case st.Map != nil:
			cfg := mapConfig{bundle: plan.BundleOf(st.Name)}
			grp := 0
			prevG := -2
			for _, it := range st.Map.Iterator {
				if it.Task == "" {
					continue
				}
				ig := plan.FusionGroup(it.Name)
				if ig < 0 || ig != prevG {
					grp++
				}
				prevG = ig
				cfg.mem = append(cfg.mem, plan.MemoryOf(it.Task))
				cfg.group = append(cfg.group, grp)
			}
			segs = append(segs, segment{start: i, end: i + 1, mem: slices.Max(cfg.mem), cfg: &cfg})
			i++
		default:
			j := i + 1
			mem := plan.MemoryOf(st.Task)
			if g >= 0 {
				for j < len(steps) && plan.FusionGroup(steps[j].Name) == g {
					if steps[j].Task == "" {
						return nil, fmt.Errorf("wisefuse: fusion group %d mixes task %q with %s step %q; only tasks are fused at the top level", g, st.Name, steps[j].Kind(), steps[j].Name)
					}
					mem = max(mem, plan.MemoryOf(steps[j].Task))
					j++
				}
			}
			segs = append(segs, segment{start: i, end: j, mem: mem})
			i = j
		}
	}
	return segs, nil
}

// groupHasMap reports whether fusion group g, which starts at top-level step i, holds a Map.
func (m *Model) groupHasMap(plan *dag.Plan, i, g int) bool {
	for j := i; j < len(m.w.Steps) && plan.FusionGroup(m.w.Steps[j].Name) == g; j++ {
		if m.w.Steps[j].Map != nil {
			return true
		}
	}
	return false
}

// fusedMapSegment is fusion group g from top-level step i when it holds a Map: tasks and exactly
// one Map, all of whose items stay in the group's VM.
func (m *Model) fusedMapSegment(plan *dag.Plan, i, g int) (segment, error) {
	steps := m.w.Steps
	sg := segment{start: i, end: i, fusedMap: true, mapAt: -1}
	for ; sg.end < len(steps) && plan.FusionGroup(steps[sg.end].Name) == g; sg.end++ {
		st := &steps[sg.end]
		switch {
		case st.Task != "":
			sg.mem = max(sg.mem, plan.MemoryOf(st.Task))
		case st.Map != nil && sg.mapAt < 0:
			sg.mapAt = sg.end
			items, _ := st.Map.FixedItems()
			if !m.itemsAlwaysFixed(sg.end) {
				return sg, fmt.Errorf("wisefuse: map %q is fused with its neighbours but its item count varied between profiled runs; items beyond the bundle would spill, which is not modelled", st.Name)
			}
			if b := plan.BundleOf(st.Name); b < items {
				return sg, fmt.Errorf("wisefuse: map %q is fused with its neighbours with bundle %d of its %d items; the modeler handles only all items in the fused VM (bundle %d), not spilled ones", st.Name, b, items, items)
			}
			for _, fn := range iteratorTasks(st) {
				sg.mem = max(sg.mem, plan.MemoryOf(fn))
			}
		default:
			return sg, fmt.Errorf("wisefuse: fusion group %d holds %s step %q; a group may hold tasks and one map", g, st.Kind(), st.Name)
		}
	}
	return sg, nil
}
