// The modeler's state: Model and its options, and how NewModel prepares a profile for fast
// evaluation (each function's fitted CPU curve, each profiled size's samples rearranged per
// top-level step). Evaluation is in predict.go and the files it names.

package wisefuse

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
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
	// BundleRuns, when positive and below the profiled runs, makes the options that replay
	// bundles -- a bundled Map, a Map fused with its neighbours, a fused group with its spilled
	// bundles -- take their latency and cost from the first BundleRuns profiled runs only (a
	// bundled Map's storage and transition costs still count every run). An approximation that
	// trades accuracy for planning time, which the replays dominate; 0 (the default) replays
	// every run.
	BundleRuns int
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
	w      *dag.Workflow // skeleton, taskless top-level Maps and Parallels as Passes (tasklessAsPasses)
	curves map[string]Curve
	// minMB is each function's min_memory_mb (needOf asks for it tens of thousands of times).
	minMB map[string]int
	// reused are the functions that two or more task steps of the workflow invoke, sorted (the
	// planner pins each to one size; without any, every VM loads each of its functions once
	// without asking: groupLoads).
	reused []string
	sizes  []sizeData
	// floorMB is, per top-level step, the least VM size the planner may run it on (0: none): a
	// profiled size whose every run failed, the function timeout stopping some in this step
	// (Profile.Lost), or at which the timeout stopped at least half the runs in this step, tells
	// that the step's typical run fails there, and the samples that are left (the runs that
	// finished: the fastest) cannot say how far below the next profiled size it still finishes;
	// so it starts at that size (just above the failing one when no larger size was profiled).
	floorMB []int
	// dataBytes is each function's mean input and output size in bytes, as profiled (zero when
	// the profile has none, e.g. real logs): splitTransfer and localTime use it.
	dataBytes map[string][2]float64
	// xferUSD caches each function's getUSD and putUSD (transferUSD).
	xferUSD map[string][2]float64
	// replaying: the orchestrator's replays are the plan's (azure.go, replays), hist the
	// profiled plan's history before each top-level step; polling: segments end at the
	// control-queue poll that finds them (polls).
	replaying, polling bool
	hist               []history
	// cold is, per Map step, a new instance's start-up (deshare); nil without shared instances.
	cold map[string]float64
	// spillSlots is the platform sharedEnd places a fused group's spills with (spillSlots, azure.go).
	spillSlots *platform.Platform
	// accountLimit is the account's concurrency limit the model puts back on a Map's iterations
	// (concOf): the platform's, when the profile's runs had a higher one; 0 otherwise, as the
	// profile's gaps then hold the queue of the limit they ran under.
	accountLimit int
	// retryWindow is how long after its first attempt an acquisition past accountLimit is last
	// retried under "retry" (the platform's retries' delays added up; failsAtLimit).
	retryWindow float64

	mu         sync.Mutex
	summaries  map[string]*itemSummary // by profiled size, Map and fusion grouping
	candidates map[[3]int][][]int      // wideCandidates, by profiled size, Map and bundle size
	alone      map[[2]int]*aloneTimes  // aloneTimes, by profiled size and Map
}

// sizeData is one profiled size, rearranged for fast evaluation.
type sizeData struct {
	index int // in Model.sizes
	mem   int
	// above holds the functions that ran above mem in these runs, at their need
	// (StepSamples.MemoryMB); nil when none did.
	above  map[string]int
	vcpu   float64
	runs   int
	endGap []float64
	stages []stageData // per top-level step
}

// stageData holds one top-level step's samples at one size.
type stageData struct {
	gap []float64 // per run
	// timedOut is the profiling runs the function timeout stopped in this step, left out of
	// the samples (StageGaps.TimedOut).
	timedOut int
	// A Task step: one sample per run (index = run).
	task *taskSamples
	// A Map step: items grouped by run.
	items *itemSamples
	// A nested stage (a Parallel, or a Map holding a Parallel or a Map): per-run trees.
	nested *nestedSamples
}

type taskSamples struct {
	init, down, scale, up []float64 // scale = compute / curve time at the profiled size
}

// itemSamples: item j of run r is j in [runStart[r], runStart[r+1]); its iterator task t is at
// index j*tasks+t of the component arrays.
type itemSamples struct {
	tasks int
	// loads says which iterator tasks' inits a VM that holds whole items pays: each function's
	// first (firstLoads); a function the iterator invokes twice is loaded once.
	loads                      []bool
	runStart                   []int
	gap, init, down, scale, up []float64
	// sent, with polling (depoll), is when the profiled plan enqueued the message that starts
	// task t's state (t > 0: as task t-1 ended), from the first item's start; 0 for t = 0.
	sent []float64
}

// initOf is item j's start-up: its iterator tasks' inits added up, as the simulator draws one
// for a VM that loads them all (sim drawInit: a VM's init is the sum over the functions it
// loads, paid once at its start). A VM holding several items (a bundle, a spill, a fusion
// group's Map) takes its first item's for its own, before any item runs: the items' replays
// leave their own inits out (itemPhases, chainPhases), as the simulator runs them warm in it.
// (Each item waiting its own init side by side put a fusion group's Map's init beside its
// spilled VMs' instead of before them: from cold profiles, a group keeping 1 of 4 items was
// predicted 2 s short of the simulator's 7.07 s.)
func (is *itemSamples) initOf(j int) float64 { return is.initWith(j, is.loads) }

// initWith is initOf for a VM that loads the iterator tasks of loads only (the others' functions
// it has loaded for an earlier step of its fusion group: groupLoads); nil loads is initOf.
func (is *itemSamples) initWith(j int, loads []bool) float64 {
	if loads == nil {
		loads = is.loads
	}
	init := 0.0
	for t, ok := range loads {
		if ok {
			init += is.init[j*is.tasks+t]
		}
	}
	return init
}

// groupLoads is firstLoads over top-level steps [i, j) in one VM (a fusion group), each step's
// functions in the order the VM invokes them: task[s-i] is whether the VM pays task step s's
// init, iter[s-i] which of Map step s's iterator tasks' (itemSamples.initWith), and par[s-i]
// which functions of Parallel step s's stage (nestedSamples.fns) the steps before it loaded
// (replayBranches pays the others' once), pre[s-i] naming them for the replays' cache (preKey).
type groupLoads struct {
	task []bool
	iter [][]bool
	par  [][]bool
	pre  []string
}

// paysTask reports whether the group's VM pays the init of its x-th step, a task.
func (g *groupLoads) paysTask(x int) bool { return g.task == nil || g.task[x] }

// iterAt is the loads of the group's x-th step's iterator, a Map's (nil: itemSamples.loads).
func (g *groupLoads) iterAt(x int) []bool {
	if g.iter == nil {
		return nil
	}
	return g.iter[x]
}

// parAt is the functions of the group's x-th step, a Parallel, loaded before it, and their key.
func (g *groupLoads) parAt(x int) ([]bool, string) {
	if g.par == nil {
		return nil, ""
	}
	return g.par[x], g.pre[x]
}

// groupLoads returns the loads of fusion group [i, j) at profiled size src; the zero value (every
// init paid: task and iter nil, itemSamples.initOf) when the workflow invokes no function twice.
func (m *Model) groupLoads(src *sizeData, i, j int) groupLoads {
	if len(m.reused) == 0 {
		return groupLoads{}
	}
	g := groupLoads{task: make([]bool, j-i), iter: make([][]bool, j-i), par: make([][]bool, j-i), pre: make([]string, j-i)}
	var loaded []string
	for s := i; s < j; s++ {
		st := &m.w.Steps[s]
		switch {
		case st.Task != "":
			g.task[s-i] = !slices.Contains(loaded, st.Task)
			loaded = append(loaded, st.Task)
		case st.Map != nil && !isNested(st):
			fns := iteratorTasks(st)
			g.iter[s-i] = firstLoads(loaded, fns)
			loaded = append(loaded, fns...)
		case st.Parallel != nil:
			fns := src.stages[s].nested.fns
			g.par[s-i] = make([]bool, len(fns))
			for f, fn := range fns {
				g.par[s-i][f] = slices.Contains(loaded, fn)
			}
			g.pre[s-i] = preKey(g.par[s-i])
			loaded = append(loaded, fns...)
		}
	}
	return g
}

// preKey names a set of a nested stage's functions (loaded: by index): their indices, each
// followed by a comma; "" for none, as in every group that loads no function twice.
func preKey(loaded []bool) string {
	var b []byte
	for f, ok := range loaded {
		if ok {
			b = append(strconv.AppendInt(b, int64(f), 10), ',')
		}
	}
	return string(b)
}

// iterLoads is firstLoads within each VM of an unbundled Map's items: iterator tasks fns, a run of
// equal group labels in one VM (groupEnd). It says whether each task's init is paid.
func iterLoads(fns []string, group []int) []bool {
	loads := make([]bool, len(fns))
	for t, fn := range fns {
		from := t
		for from > 0 && group[from-1] == group[t] {
			from--
		}
		loads[t] = !slices.Contains(fns[from:t], fn)
	}
	return loads
}

// firstLoads returns, for functions fns invoked in this order in one VM that has loaded those of
// pre already, whether the VM loads each: the simulator loads a function once per VM, drawing
// one init for it (sim drawInit), so of the profiled invocations of one function, each from a
// VM of its own, the VM pays the first one's init only.
func firstLoads(pre, fns []string) []bool {
	loads := make([]bool, len(fns))
	for t, fn := range fns {
		loads[t] = !slices.Contains(pre, fn) && !slices.Contains(fns[:t], fn)
	}
	return loads
}

// NewModel prepares a model from a profile.
func NewModel(p *Profile, opts ModelOptions) (*Model, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("wisefuse: profile: %w", err)
	}
	m := &Model{opts: opts.withDefaults(), w: tasklessAsPasses(p.Workflow), curves: map[string]Curve{}, summaries: map[string]*itemSummary{}, candidates: map[[3]int][][]int{}}
	m.minMB = make(map[string]int, len(m.w.Functions))
	for _, f := range m.w.Functions {
		m.minMB[f.Name] = f.MinMemoryMB
	}
	uses := map[string]int{}
	m.w.Walk(func(_ []string, s *dag.Step) {
		if s.Task != "" {
			if uses[s.Task]++; uses[s.Task] == 2 {
				m.reused = append(m.reused, s.Task)
			}
		}
	})
	slices.Sort(m.reused)
	plat := m.opts.Platform
	profiled := p // its samples time the profiled plan, as depoll needs
	p, m.cold = deshare(p, plat)
	m.spillSlots = spillSlots(plat)
	if l := plat.ConcurrencyLimit; plat.InstanceActivities == 0 && p.ProfiledConcurrencyLimit > l {
		m.accountLimit = l
		// As the simulator's retrier of "retry" (sim/engine.go; platform may not import dag).
		r := dag.Retry{Interval: plat.RetryInterval, BackoffRate: plat.RetryBackoffRate, MaxAttempts: plat.RetryMaxAttempts}
		for k := 1; k <= r.MaxAttempts; k++ {
			m.retryWindow += r.Delay(k)
		}
	}
	// Fit each function's CPU curve to its median compute time at every memory it was profiled
	// at: each size's, or its need where that is more (StepSamples.MemoryMB), the sizes that ran
	// it at its need pooled into one point.
	for _, f := range m.w.Functions {
		comp := map[int][]float64{}
		for i := range p.Sizes {
			for j := range p.Sizes[i].Steps {
				st := &p.Sizes[i].Steps[j]
				if st.Function == f.Name {
					mem := st.memoryAt(&p.Sizes[i])
					comp[mem] = append(comp[mem], st.Compute...)
				}
			}
		}
		var cs []platform.Cores
		var ys []float64
		for _, mem := range slices.Sorted(maps.Keys(comp)) {
			med := medianInPlace(comp[mem]) // a copy
			if med <= 0 {
				continue
			}
			cs = append(cs, plat.Cores(mem))
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
	m.xferUSD = make(map[string][2]float64, len(m.w.Functions))
	for _, f := range m.w.Functions {
		m.xferUSD[f.Name] = m.priceTransfer(f.Name)
	}
	m.replaying, m.polling = m.replays(), m.polls()
	if m.replaying {
		m.hist = m.profiledHistory()
	}
	for i := range p.Sizes {
		sd, err := m.prepareSize(&p.Sizes[i])
		if err != nil {
			return nil, fmt.Errorf("wisefuse: profile at %d MB: %w", p.Sizes[i].MemoryMB, err)
		}
		if m.polling {
			raw := sd
			if profiled != p {
				if raw, err = m.prepareSize(&profiled.Sizes[i]); err != nil {
					return nil, fmt.Errorf("wisefuse: profile at %d MB: %w", p.Sizes[i].MemoryMB, err)
				}
			}
			m.depoll(&raw)
			for si := range sd.stages {
				sd.stages[si].gap = raw.stages[si].gap
				if it := sd.stages[si].items; it != nil {
					it.sent = raw.stages[si].items.sent
				}
			}

		}
		sd.index = len(m.sizes)
		m.sizes = append(m.sizes, sd)
	}
	m.floorMB = m.floors(p.Lost)
	return m, nil
}

// floors returns Model.floorMB from the profiled sizes and the lost ones.
func (m *Model) floors(lost []LostSize) []int {
	floor := make([]int, len(m.w.Steps))
	fails := func(k, mem int) { // step k's typical run fails at mem
		at := mem + 1
		for _, sd := range m.sizes {
			if sd.mem > mem {
				at = sd.mem
				break
			}
		}
		floor[k] = max(floor[k], at)
	}
	for _, l := range lost {
		for k, st := range m.w.Steps {
			if slices.Contains(l.TimedOut, st.Name) {
				fails(k, l.MemoryMB)
			}
		}
	}
	for _, sd := range m.sizes {
		runs := sd.profiledRuns()
		for k, st := range sd.stages {
			if 2*st.timedOut >= runs {
				fails(k, sd.mem)
			}
		}
	}
	return floor
}

// profiledRuns is how many runs were profiled at sd: those that completed and those the function
// timeout stopped.
func (sd *sizeData) profiledRuns() int {
	n := sd.runs
	for _, st := range sd.stages {
		n += st.timedOut
	}
	return n
}

// withTimedOut appends to vals, the per-run latencies of a segment of top-level steps [i, j)
// from profiled size src, a +Inf for each profiling run at src that the function timeout stopped
// in one of those steps. The profile leaves those runs out (their later steps have no samples),
// so without them the samples are the runs that finished: a workflow whose work sometimes runs
// past the timeout at every size (a heavy-tailed item skew) would look as if it never did. A
// plan whose VMs run at least as long fails them too; one on larger VMs than src may not, which
// this counts as failing all the same (a conservative reading of the profile). Their cost is not
// added: the segment's mean cost stays that of the runs that finished.
func (m *Model) withTimedOut(vals []float64, src *sizeData, i, j int) []float64 {
	if m.opts.Platform.FunctionTimeout <= 0 {
		return vals
	}
	for k := i; k < j; k++ {
		for range src.stages[k].timedOut {
			vals = append(vals, math.Inf(1))
		}
	}
	return vals
}

// runsLatency is the latency atoms of a segment of top-level steps [i, j) from vals, its
// per-run latencies at profiled size src, with the runs the function timeout stopped there while
// profiling added back as failed (withTimedOut); vals stays in sc for the next evaluation.
func (m *Model) runsLatency(sc *scratch, vals []float64, src *sizeData, i, j int) Latency {
	vals = m.withTimedOut(vals, src, i, j)
	sc.vals = vals
	return latencyFromScratch(vals, m.opts.Atoms)
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

// profiledCores is the vCPUs function fn ran on in the profiled runs of sd: the size's, or its
// need's where it needed more (sizeData.above). A sample's scale is its compute over the fitted
// time there.
func (m *Model) profiledCores(sd *sizeData, fn string) platform.Cores {
	mem := sd.mem
	if a, ok := sd.above[fn]; ok {
		mem = a
	}
	return m.opts.Platform.Cores(mem)
}

// curveTime is the fitted compute time of fn on c vCPUs; a function with no compute (curve zero)
// gets 1 so that scales stay finite (its samples are all zero anyway).
func (m *Model) curveTime(fn string, c platform.Cores) float64 {
	t := m.curves[fn].Time(c)
	if t <= 0 || math.IsNaN(t) {
		return 1
	}
	return t
}

func (m *Model) prepareSize(s *SizeProfile) (sizeData, error) {
	c := m.opts.Platform.Cores(s.MemoryMB)
	sd := sizeData{mem: s.MemoryMB, vcpu: c.Share, runs: s.Runs, endGap: s.EndGap}
	for _, st := range s.Steps {
		if st.MemoryMB > 0 {
			if sd.above == nil {
				sd.above = map[string]int{}
			}
			sd.above[st.Function] = st.MemoryMB
		}
	}
	for si, st := range m.w.Steps {
		stg := stageData{gap: s.Stages[si].Gap, timedOut: s.Stages[si].TimedOut}
		switch {
		case isNested(&st):
			ns, err := m.prepareNested(s, &st, &sd)
			if err != nil {
				return sd, err
			}
			stg.nested = ns
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
			ct := m.curveTime(st.Task, m.profiledCores(&sd, st.Task))
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
			items, err := m.prepareItems(s, st, &sd)
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
func (m *Model) prepareItems(s *SizeProfile, st dag.Step, sd *sizeData) (*itemSamples, error) {
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
	// Items in the order of the first task's samples, grouped by run.
	first := tasks[0]
	is := &itemSamples{tasks: len(tasks), loads: firstLoads(nil, fns), runStart: make([]int, s.Runs+1)}
	cts := make([]float64, len(tasks))
	for t, fn := range fns {
		cts[t] = m.curveTime(fn, m.profiledCores(sd, fn))
	}
	if len(tasks) == 1 {
		// An item is its sample: no join (a wide Map has hundreds of thousands).
		n := first.Len()
		is.scale = make([]float64, n)
		var run []int // each item's run
		if first.inRunItemOrder() {
			// As the profiler records them. A profile's samples are not written once it is
			// built (deshare rewrites clones), so the other columns are the samples themselves.
			is.gap, is.init, is.down, is.up = first.Gap, first.Init, first.Download, first.Upload
			for k, v := range first.Compute {
				is.scale[k] = v / cts[0]
			}
			run = first.Run
		} else {
			is.gap, is.init, is.down, is.up = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
			run = make([]int, n)
			for k, i := range first.byRunItem() {
				is.gap[k], is.init[k], is.down[k], is.up[k] = first.Gap[i], first.Init[i], first.Download[i], first.Upload[i]
				is.scale[k] = first.Compute[i] / cts[0]
				run[k] = first.Run[i]
			}
		}
		r := 0
		for k, rk := range run {
			for r < rk {
				r++
				is.runStart[r] = k
			}
		}
		for r < s.Runs {
			r++
			is.runStart[r] = n
		}
		return is.complete(st, s.Runs)
	}
	order := first.byRunItem()
	type key struct{ run, item int }
	// As the profiler records them, every task's samples hold the same (run, item) at the same
	// place, each once: the join is by place, without the maps (a third of video's model build).
	_, byPlace := first.runItemOrder()
	for _, smp := range tasks[1:] {
		byPlace = byPlace && slices.Equal(smp.Run, first.Run) && slices.Equal(smp.Item, first.Item)
	}
	var index []map[key]int
	if !byPlace {
		index = make([]map[key]int, len(tasks))
		for t, smp := range tasks {
			index[t] = make(map[key]int, smp.Len())
			for i := range smp.Len() {
				index[t][key{smp.Run[i], smp.Item[i]}] = i
			}
		}
	}
	size := first.Len() * len(tasks)
	is.gap, is.init, is.down = make([]float64, 0, size), make([]float64, 0, size), make([]float64, 0, size)
	is.scale, is.up = make([]float64, 0, size), make([]float64, 0, size)
	n := 0
	r := 0
	idx := make([]int, len(tasks))
	for _, i0 := range order {
		k := key{first.Run[i0], first.Item[i0]}
		ok := true
		for t := range tasks {
			if byPlace {
				idx[t] = i0
				continue
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
	return is.complete(st, s.Runs)
}

// complete returns is, or an error when some run of Map st has no complete item.
func (is *itemSamples) complete(st dag.Step, runs int) (*itemSamples, error) {
	for r := range runs {
		if is.runStart[r+1] == is.runStart[r] {
			return nil, fmt.Errorf("map %q has no complete item in run %d", st.Name, r)
		}
	}
	return is, nil
}

// replayRuns is how many of src's runs an option that replays bundles evaluates: the first
// BundleRuns when that is positive and below the profiled runs, else all.
func (m *Model) replayRuns(src *sizeData) int {
	if k := m.opts.BundleRuns; k > 0 && k < src.runs {
		return k
	}
	return src.runs
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
