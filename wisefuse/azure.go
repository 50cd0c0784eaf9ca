// The modeler on Azure Durable Functions (docs/wisefuse.md, "On Azure"): what the platform's
// published mechanisms do to a plan, on top of what the profile measured: the orchestrator's
// replays (history, resumes and their billing), control-queue polling and instances shared by
// activities. AWS (no replay, no shared instances) takes none of this path.

package wisefuse

import (
	"cmp"
	"math"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/minheap"
	"github.com/wisefuse/wisefuse/platform"
)

// pollFound returns, for a message enqueued x seconds after the orchestrator's poller last found
// one, how long after that find the poll that finds it comes: the poller checks again after the
// minimum m, then after gaps of m + m x 2^(k-1) (k = 1, 2, ...), each at most the maximum
// (DurableTask.AzureStorage's back-off with its randomisation at its mean, as documented in
// docs/simulator.md, "Control-queue polling back-off"). x <= 0 is found at once.
func pollFound(p *platform.Platform, x float64) float64 {
	if x <= 0 {
		return 0
	}
	m, mx := p.QueuePollingMin, p.QueuePollingMax
	f, gap, k := 0.0, m, 0.0
	for {
		if f+gap >= x {
			return f + gap
		}
		if gap >= mx {
			return f + math.Ceil((x-f)/mx)*mx
		}
		f += gap
		gap = min(m+m*math.Exp2(k), mx)
		k++
	}
}

// replays reports whether the model adds the orchestrator's replays (Platform.OrchestratorReplay)
// to a plan: for a workflow whose top-level steps are tasks and Maps of tasks, whose history the
// model can follow (profiledHistory, recorded). Other shapes keep the profiled gaps as they are.
func (m *Model) replays() bool {
	if !m.opts.Platform.OrchestratorReplay {
		return false
	}
	for i := range m.w.Steps {
		st := &m.w.Steps[i]
		if st.Pass || isNested(st) || (st.Map != nil && passCount(st) > 0) {
			return false
		}
	}
	return true
}

// polls reports whether the model quantizes steps by the control-queue poller: with replays, on
// a platform that polls (the profile's gaps can then be split into the poll's wait and the rest,
// depoll).
func (m *Model) polls() bool {
	return m.replays() && m.opts.Platform.QueuePollingMax > 0
}

// stepLatency is a top-level segment's latency in one run: its orchestration gap and then busy
// seconds of work. With polling (polls), the gap is the part that is not the poll's wait (the
// transitions and the orchestrator's replays, depoll) and the segment lasts until the poll that
// finds its end message. The poller last found a message inside the gap: the segment's start
// (a task or a fusion group: inner = gap), or for a Map its items' or bundles' start after the
// Map's own state (inner = innerGap). So the wait depends on the segment's own duration only,
// which keeps segments independent, as the search needs.
func (m *Model) stepLatency(gap, inner, busy float64) float64 {
	return m.mapLatency(gap, inner, 0, busy)
}

// mapLatency is stepLatency for a Map whose items' later states (an unfused iterator's) were
// entered as their earlier ones ended: the poller last found one of those messages found seconds
// after the poll that found the items' start (lastFind), and backs off from there (the
// simulator's poller, as DurableTask's, backs off from its last find, not from the segment's
// start).
func (m *Model) mapLatency(gap, inner, found, busy float64) float64 {
	if !m.polling {
		return gap + busy
	}
	return gap - inner + found + pollFound(m.opts.Platform, inner+busy-found)
}

// lastFind returns when the poller last found a message, from a find at 0, when messages are
// enqueued at xs (sorted): each one after the last find is found by the next poll of the
// back-off from it (pollFound), which becomes the last find; one before it waits for it.
func lastFind(p *platform.Platform, xs []float64) float64 {
	f := 0.0
	for _, x := range xs {
		if x > f {
			f += pollFound(p, x-f)
		}
	}
	return f
}

// itemFinds returns, per run of unbundled Map si at profiled size src under group, when the
// poller last found a message of its items (lastFind, from the poll that found the items' start,
// which came innerGap before it): the message that starts each group after the first, as the
// profiled plan sent it (itemSamples.sent). Nil when the iterator is one group: the items' start
// is the last find.
func (m *Model) itemFinds(src *sizeData, si int, group []int) []float64 {
	items := src.stages[si].items
	if !m.polling || items.sent == nil || !slices.ContainsFunc(group, func(g int) bool { return g != group[0] }) {
		return nil
	}
	nt := items.tasks
	found := make([]float64, src.runs)
	var xs []float64
	for r := range src.runs {
		inner := m.innerGap(si, src.stages[si].gap[r])
		xs = xs[:0]
		for j := items.runStart[r]; j < items.runStart[r+1]; j++ {
			for t := 1; t < nt; t++ {
				if group[t] != group[t-1] {
					xs = append(xs, inner+items.sent[j*nt+t])
				}
			}
		}
		slices.Sort(xs)
		found[r] = lastFind(m.opts.Platform, xs)
	}
	return found
}

// innerGap is the part of Map si's gap after the poll that found its items' (or bundles')
// start: the orchestrator's resume, which replays the history before the Map (as the profiled
// plan recorded it), and one transition.
func (m *Model) innerGap(si int, gap float64) float64 {
	if !m.polling {
		return 0 // not used
	}
	p := m.opts.Platform
	return min(gap, p.TransitionLatency+resume(p, m.hist[si]))
}

// depoll splits the profiled gaps of sd (the profiled plan: every step unfused and unbundled)
// into the poll's wait and the rest, run by run, by walking each run's steps: a step's start
// message waits for the poll after the previous step's end, counted from the poller's last find
// (the poll that found the previous step's start, or for a Map the last of its items' states,
// lastFind). Each stage's gap becomes the rest (at least the transition and a bare replay, at
// most the profiled gap); endOf models the end and the first step's wait. It also records when
// each Map item's later states were sent (itemSamples.sent).
func (m *Model) depoll(sd *sizeData) {
	p := m.opts.Platform
	bare := p.TransitionLatency + p.ReplayLatency
	stages := make([]stageData, len(sd.stages))
	for si := range sd.stages {
		stages[si] = sd.stages[si]
		stages[si].gap = make([]float64, len(sd.stages[si].gap))
		if it := stages[si].items; it != nil {
			it.sent = make([]float64, len(it.gap))
		}
	}
	// Each Map's iterator tasks' fitted times where they were profiled (profiledItems).
	cts := make([][]float64, len(sd.stages))
	for si := range sd.stages {
		if sd.stages[si].items == nil {
			continue
		}
		for _, fn := range iteratorTasks(&m.w.Steps[si]) {
			cts[si] = append(cts[si], m.curveTime(fn, m.profiledCores(sd, fn)))
		}
	}
	var xs []float64
	for r := range sd.runs {
		elapsed := 0.0 // since the poller's last find
		for si := range stages {
			g := sd.stages[si].gap[r]
			rest := g
			if si == 0 {
				rest = min(g, bare)
			} else {
				wait := pollFound(p, elapsed) - elapsed
				rest = min(g, max(bare, g-wait))
			}
			stages[si].gap[r] = rest
			if stages[si].items == nil {
				elapsed = rest + m.profiledBusy(sd, si, r)
				continue
			}
			inner := m.innerGap(si, rest)
			busy := m.profiledItems(sd, si, r, cts[si])
			items := stages[si].items
			xs = xs[:0]
			for i := items.runStart[r] * items.tasks; i < items.runStart[r+1]*items.tasks; i++ {
				if i%items.tasks > 0 {
					xs = append(xs, inner+items.sent[i])
				}
			}
			slices.Sort(xs)
			elapsed = inner + busy - lastFind(p, xs)
		}
	}
	sd.stages = stages
}

// profiledBusy is task step si's time in run r of the profiled plan, from its start to its end.
func (m *Model) profiledBusy(sd *sizeData, si, r int) float64 {
	ts := sd.stages[si].task
	fn := m.w.Steps[si].Task
	return ts.init[r] + ts.down[r] + ts.scale[r]*m.curveTime(fn, m.profiledCores(sd, fn)) + ts.up[r]
}

// profiledItems is Map step si's time in run r of the profiled plan, from its first item's start
// to its slowest item's end (each iterator task's gap and phases, its compute its scale times
// cts, the task's fitted time where it was profiled), and records when each item's later states
// were sent (itemSamples.sent: as the task before ended).
func (m *Model) profiledItems(sd *sizeData, si, r int, cts []float64) float64 {
	items := sd.stages[si].items
	nt := items.tasks
	worst := 0.0
	for j := items.runStart[r]; j < items.runStart[r+1]; j++ {
		t := 0.0
		for k := range nt {
			i := j*nt + k
			if k > 0 {
				items.sent[i] = t
			}
			t += items.gap[i] + items.init[i] + items.down[i] + items.scale[i]*cts[k] + items.up[i]
		}
		worst = max(worst, t)
	}
	return worst
}

// deshare returns p with the compute samples of every top-level Map's iterator tasks as if each
// activity had had its instance's vCPUs alone (the profile then describes the functions, not the
// profiled plan's crowding). On a platform whose instances run several activities at once
// (Platform.InstanceActivities, azure-durable), the simulator splits an instance's vCPUs equally
// among the activities on it, rerated as they come and go; a profiled compute phase lasting
// [cs, ce) then did the work of the integral of 1/n(t) over it, n(t) the activities on its
// instance, each activity placed as the platform places them (place). In warm runs an activity
// waits to start (its init) only for a new instance to start, and its gap holds any wait for an
// instance slot: that is the plan's scale-out, not the function, so deshare zeroes the init,
// takes the wait out of the gap (place, unwait) and returns, per Map step, the cold start of a
// new instance that sharedEnd adds (the mean over added instances of the wait of the
// activities placed on one as it was added). A profile of another platform is returned as it
// is.
func deshare(p *Profile, plat *platform.Platform) (*Profile, map[string]float64) {
	if plat.InstanceActivities <= 0 {
		return p, nil
	}
	cold := map[string]float64{}
	q := *p
	q.Sizes = slices.Clone(p.Sizes)
	for i := range q.Sizes {
		s := &q.Sizes[i]
		s.Steps = slices.Clone(s.Steps)
		for k := range p.Workflow.Steps {
			st := &p.Workflow.Steps[k]
			if st.Map == nil || isNested(st) {
				continue
			}
			if c := deshareMap(s, st, plat); c > 0 {
				cold[st.Name] = c
			}
		}
	}
	return &q, cold
}

// shareSpan is one activity's time on an instance: from start to end, computing in [cs, ce).
type shareSpan struct {
	inst               int
	start, end, cs, ce float64
	step, sample       int // its samples: s.Steps[step], invocation sample
	// task is its iterator task (0, 1, ...); sent is when its state's message was enqueued (the
	// Map's start for the first task, else the end of the task before); seq is its order of
	// enqueueing among the run's spans of the same time.
	task, seq  int
	sent, init float64
	waited     bool // it waited for an instance slot (place)
}

// deshareMap rewrites the compute, init and gap samples of Map st's iterator tasks in s and
// returns the cold start of an added instance (deshare).
func deshareMap(s *SizeProfile, st *dag.Step, plat *platform.Platform) (cold float64) {
	perInstance := plat.InstanceActivities
	var steps []int
	for _, it := range st.Map.Iterator {
		if it.Task == "" {
			continue
		}
		k := slices.IndexFunc(s.Steps, func(x StepSamples) bool { return x.Step == it.Name })
		if k < 0 {
			return 0
		}
		s.Steps[k].Compute = slices.Clone(s.Steps[k].Compute)
		s.Steps[k].Init = slices.Clone(s.Steps[k].Init)
		s.Steps[k].Gap = slices.Clone(s.Steps[k].Gap)
		steps = append(steps, k)
	}
	if len(steps) == 0 {
		return 0 // an iterator of Passes only: nothing computes
	}
	type key struct{ run, item int }
	at := make([]map[key]int, len(steps))
	for t, k := range steps {
		at[t] = make(map[key]int, s.Steps[k].Len())
		for i := range s.Steps[k].Len() {
			at[t][key{s.Steps[k].Run[i], s.Steps[k].Item[i]}] = i
		}
	}
	// Each run's items in item order, from the first task's samples.
	first := &s.Steps[steps[0]]
	order := first.byRunItem()
	var spans []shareSpan
	colds, n := 0.0, 0
	flush := func() {
		place(spans, perInstance, plat.ScaleOutInterval())
		longest := 0.0
		for _, sp := range spans {
			longest = max(longest, sp.end-sp.start)
		}
		for i, sp := range spans {
			s.Steps[sp.step].Compute[sp.sample] = shareIntegral(spans, i, longest)
		}
		c, k := addedCold(spans)
		colds, n = colds+c, n+k
		unwait(spans, plat.TransitionLatency+plat.ReplayLatency, func(sp *shareSpan, gap float64) {
			s.Steps[sp.step].Gap[sp.sample] = gap
		})
		spans = spans[:0]
	}
	run := -1
	for _, i0 := range order {
		k0 := key{first.Run[i0], first.Item[i0]}
		if k0.run != run {
			flush()
			run = k0.run
		}
		t0 := 0.0
		for t, k := range steps {
			i, ok := at[t][k0]
			if !ok {
				break
			}
			smp := &s.Steps[k]
			start := t0 + smp.Gap[i]
			cs := start + smp.Init[i] + smp.Download[i]
			ce := cs + smp.Compute[i]
			end := ce + smp.Upload[i]
			spans = append(spans, shareSpan{start: start, end: end, cs: cs, ce: ce, step: k, sample: i,
				task: t, seq: len(spans), sent: t0, init: smp.Init[i]})
			t0 = end
		}
	}
	flush()
	for _, k := range steps {
		clear(s.Steps[k].Init)
	}
	if n > 0 {
		cold = colds / float64(n)
	}
	return cold
}

// addedCold returns the sum of the cold starts of the instances added in spans (placed and
// sorted by instance, then start: place), each the longest init of the spans placed on it as it
// was added (they waited for it to be ready), and their count.
func addedCold(spans []shareSpan) (cold float64, added int) {
	for i, sp := range spans {
		if sp.inst == 0 || i > 0 && spans[i-1].inst == sp.inst {
			continue
		}
		c := 0.0
		for _, o := range spans[i:] {
			if o.inst != sp.inst || o.start != sp.start {
				break
			}
			c = max(c, o.init)
		}
		cold += c
		added++
	}
	return cold, added
}

// unwait takes out of the gap of every span that waited for an instance slot (place) that wait,
// which sharedEnd adds for a plan: its state was ready no earlier than those of the same task
// enqueued before it (the orchestrator's messages are found and resumed in order), nor less
// than bare (a transition and a replay) after its message, nor after its start. set receives
// each span's gap after its message.
func unwait(spans []shareSpan, bare float64, set func(sp *shareSpan, gap float64)) {
	slices.SortStableFunc(spans, func(a, b shareSpan) int {
		return cmp.Or(cmp.Compare(a.task, b.task), cmp.Compare(a.sent, b.sent), cmp.Compare(a.seq, b.seq))
	})
	ready := math.Inf(-1)
	for i := range spans {
		sp := &spans[i]
		if i > 0 && spans[i-1].task != sp.task {
			ready = math.Inf(-1)
		}
		if !sp.waited {
			ready = max(ready, sp.start)
			continue
		}
		low := sp.sent
		if sp.task > 0 {
			low += bare
		}
		r := min(sp.start, max(ready, low))
		ready = max(ready, r)
		set(sp, r-sp.sent)
	}
}

// place puts each span on an instance as the platform does: in order of start, on the instance
// with the fewest spans running at that time (the oldest on a tie) while it has fewer than per,
// else on a new one. It sorts spans by instance, then start. It marks the spans that waited for
// an instance slot (shareSpan.waited), as the platform makes an activity wait: every instance
// was full as it came, and it took a slot freed at its start, or one of an instance the scale
// controller added every seconds after the one before.
func place(spans []shareSpan, per int, every float64) {
	const eps = 1e-6 // a start at another span's end, or at an instance's addition
	slices.SortStableFunc(spans, func(a, b shareSpan) int { return cmp.Compare(a.start, b.start) })
	var load []int
	var created []float64 // per instance, its first span's start; the first is the warm one
	var on []int          // spans running at the current start
	for i := range spans {
		s := spans[i].start
		// Slots freed before s; then whether every instance was full until s, and a slot frees at s.
		kept := on[:0]
		for _, j := range on {
			if spans[j].end >= s-eps {
				kept = append(kept, j)
			} else {
				load[spans[j].inst]--
			}
		}
		on = kept
		full := len(load) > 0
		for _, n := range load {
			full = full && n >= per
		}
		freed := false
		kept = on[:0]
		for _, j := range on {
			if spans[j].end > s {
				kept = append(kept, j)
			} else {
				freed = true
				load[spans[j].inst]--
			}
		}
		on = kept
		best := -1
		for k, n := range load {
			if n < per && (best < 0 || n < load[best]) {
				best = k
			}
		}
		if best < 0 {
			best = len(load)
			load = append(load, 0)
			created = append(created, s)
		}
		if best > 0 && math.Abs(s-created[best]) <= eps {
			// On an instance as it was added: at once, or at the controller's interval.
			spans[i].waited = best >= 2 && math.Abs(s-(created[best-1]+every)) <= eps
		} else {
			spans[i].waited = full && freed
		}
		spans[i].inst = best
		load[best]++
		on = append(on, i)
	}
	slices.SortStableFunc(spans, func(a, b shareSpan) int {
		if a.inst != b.inst {
			return a.inst - b.inst
		}
		return cmp.Compare(a.start, b.start)
	})
}

// shareIntegral is the integral of 1/n(t) over the compute phase of spans[i], n(t) the spans on
// its instance at t (itself included); spans are sorted by instance, then start (place), and
// none of them lasts longer than longest.
func shareIntegral(spans []shareSpan, i int, longest float64) float64 {
	sp := spans[i]
	if !(sp.ce > sp.cs) {
		return 0
	}
	// The spans that may overlap it: of its instance, starting after cs - longest and before ce.
	lo, hi := i, i+1
	for lo > 0 && spans[lo-1].inst == sp.inst && spans[lo-1].start > sp.cs-longest {
		lo--
	}
	for hi < len(spans) && spans[hi].inst == sp.inst && spans[hi].start < sp.ce {
		hi++
	}
	near := spans[lo:hi]
	cuts := []float64{sp.cs, sp.ce}
	for _, o := range near {
		for _, x := range [2]float64{o.start, o.end} {
			if x > sp.cs && x < sp.ce {
				cuts = append(cuts, x)
			}
		}
	}
	slices.Sort(cuts)
	w := 0.0
	for j := 0; j+1 < len(cuts); j++ {
		a, b := cuts[j], cuts[j+1]
		if b <= a {
			continue
		}
		mid, n := (a+b)/2, 0
		for _, o := range near {
			if o.start <= mid && mid < o.end {
				n++
			}
		}
		w += (b - a) / float64(max(n, 1))
	}
	return w
}

// shareAct is one activity of a Map under a plan on a platform of shared instances: it starts at
// start (from the Map's start), spends pre seconds before computing, work seconds computing (as
// long as its VM alone would take) and post seconds after. With next > 0, activity next-1 (an
// unfused iterator's next state of the same item) starts its own start seconds after this one
// ends, instead of at a time of its own. An apart activity (the host of HTTP spills, in an
// activity slot beside the instance's HTTP slots) takes the first instance without a slot there
// and shares its vCPUs as the others do; it must start at 0.
type shareAct struct {
	start, pre, work, post float64
	next                   int
	apart                  bool
}

// sharedEnd returns when the last of acts ends and their billed seconds on a platform whose
// instances run several activities at once (Platform.InstanceActivities), as the simulator runs
// an isolated run: one ready instance and a scale-out history long past. In order of start, an
// activity takes the ready instance with the fewest running (the oldest on a tie) that has a
// free slot, else a slot on one still starting (it starts when the instance is ready), else it
// waits, first come first served, for a slot to free or for the scale controller, which adds an
// instance at once or ScaleOutInterval after the last one added (up to MaxInstances), ready cold
// seconds later (the simulator's scaleOut: the instance is not promised to anyone). Each
// instance's vCPUs are split equally among the activities on it, rerated as they come and go; a
// VM alone has the instance's vCPUs (a platform of one fixed size), so an activity among n
// computes at 1/n of its own speed. Waiting for a slot or an instance is not billed. ends, when
// not nil (len(acts)), receives when each activity ends.
func sharedEnd(p *platform.Platform, acts []shareAct, cold float64, ends []float64) (end, billed float64) {
	const (
		starting = iota // on an instance not ready yet
		before
		computing
		after
	)
	type running struct {
		j, inst, phase int
		at             float64 // when the phase ends (not computing)
		rem            float64 // work left (computing)
		placed         float64 // when it started on a ready instance
	}
	per := p.InstanceActivities
	chained := make([]bool, len(acts)) // starts after another ends
	for _, a := range acts {
		if a.next > 0 {
			chained[a.next-1] = true
		}
	}
	order := make([]int, 0, len(acts))
	for i := range acts {
		if !chained[i] {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(acts[a].start, acts[b].start) })
	starts := make([]float64, len(acts))
	for i, a := range acts {
		starts[i] = a.start
	}
	readyAt := []float64{0} // per instance
	load := []int{0}        // activities sharing its vCPUs
	taken := []int{0}       // slots taken (apart activities take none)
	lastAdd := math.Inf(-1)
	var on []running
	next := 0 // order[next] is the first activity not placed yet
	// later holds the chained activities that have arrived or will (their gap after the one
	// before them ended), a min-heap by start, then order of arrival (seq: after the others).
	var later []int
	seq := make([]int, len(acts))
	for k, j := range order {
		seq[j] = k
	}
	nseq := len(order)
	less := func(a, b int) bool { return starts[a] < starts[b] || starts[a] == starts[b] && seq[a] < seq[b] }
	arrival := func() int { // the next activity to place, or -1
		j := -1
		if next < len(order) {
			j = order[next]
		}
		if len(later) > 0 && (j < 0 || less(later[0], j)) {
			j = later[0]
		}
		return j
	}
	t := 0.0
	begin := func(r *running) {
		a := &acts[r.j]
		r.phase, r.at, r.placed = before, t+a.pre, t
		if a.pre == 0 {
			r.phase, r.rem = computing, a.work
		}
	}
	// slotFor returns the instance with a free slot activity j takes at t, or -1: a ready instance
	// before one starting, then the fewest running, then the oldest; an apart activity the ready
	// one, in a slot of its own kind.
	slotFor := func(j int) int {
		if acts[j].apart {
			return 0
		}
		best := -1
		for k, c := range taken {
			if c >= per {
				continue
			}
			if rk, rb := readyAt[k] <= t, best >= 0 && readyAt[best] <= t; best < 0 || rk && !rb || rk == rb && load[k] < load[best] {
				best = k
			}
		}
		return best
	}
	for arrival() >= 0 || len(on) > 0 {
		// Place the arrived activities, in order, while slots are free or can be added.
		for j := arrival(); j >= 0 && starts[j] <= t; j = arrival() {
			best := slotFor(j)
			if best < 0 {
				if len(readyAt) >= p.MaxInstances || t < lastAdd+p.ScaleOutInterval() {
					break // waits for a slot, or for the scale controller's next instance
				}
				lastAdd = t
				readyAt = append(readyAt, t+cold)
				load, taken = append(load, 0), append(taken, 0)
				best = len(load) - 1
			}
			if next < len(order) && order[next] == j {
				next++
			} else {
				minheap.Pop(&later, less)
			}
			load[best]++
			if !acts[j].apart {
				taken[best]++
			}
			r := running{j: j, inst: best, phase: starting, at: readyAt[best]}
			if readyAt[best] <= t {
				begin(&r)
			}
			on = append(on, r)
		}
		tn := math.Inf(1)
		if j := arrival(); j >= 0 && starts[j] > t {
			tn = starts[j]
		} else if j >= 0 && len(readyAt) < p.MaxInstances {
			tn = lastAdd + p.ScaleOutInterval() // work waits: the controller's next instance
		}
		for _, r := range on {
			if r.phase == computing {
				tn = min(tn, t+r.rem*float64(load[r.inst]))
			} else {
				tn = min(tn, r.at)
			}
		}
		if math.IsInf(tn, 1) {
			break // nothing can move: cannot happen with at least one instance
		}
		for k := range on {
			if on[k].phase == computing {
				on[k].rem -= (tn - t) / float64(load[on[k].inst])
			}
		}
		t = tn
		kept := on[:0]
		for _, r := range on {
			a := &acts[r.j]
			if r.phase == starting && r.at <= t {
				begin(&r)
			}
			if r.phase == before && r.at <= t {
				r.phase, r.rem = computing, a.work
			}
			if r.phase == computing && r.rem <= 1e-12*max(1, a.work) {
				r.phase, r.at = after, t+a.post
			}
			if r.phase == after && r.at <= t {
				load[r.inst]--
				if !a.apart {
					taken[r.inst]--
				}
				end = max(end, t)
				if ends != nil {
					ends[r.j] = t
				}
				billed += t - r.placed
				if a.next > 0 {
					// The next state arrives its gap later, in order among those not placed yet.
					n := a.next - 1
					starts[n], seq[n] = t+acts[n].start, nseq
					nseq++
					minheap.Push(&later, n, less)
				}
				continue
			}
			kept = append(kept, r)
		}
		on = kept
	}
	return end, billed
}

// sharedItems returns the latency of run r of unbundled Map si (from the Map's start) and the
// billed seconds instance sharing and waiting for a slot add (sharedEnd): each fusion group of an
// item's iterator is one activity (its tasks on one instance, computing their work at ratio, a
// task's fitted time at its size, in turn), and the next group's state starts its profiled gap
// after it ends (the poll, the orchestrator's resume and the transition; not the wait for an
// instance, which deshare took out and sharedEnd adds). loads is the grouping's iterLoads.
func (m *Model) sharedItems(sc *scratch, src *sizeData, si, r int, ratio []float64, group []int, loads []bool, fns []string) (worst, extra float64) {
	items := src.stages[si].items
	nt := items.tasks
	sc.acts = sc.acts[:0]
	alone := 0.0
	for j := items.runStart[r]; j < items.runStart[r+1]; j++ {
		var a shareAct
		for t := range nt {
			i := j*nt + t
			if t == 0 || group[t] != group[t-1] {
				if t > 0 {
					alone += a.pre + a.work + a.post
					a.next = len(sc.acts) + 2
					sc.acts = append(sc.acts, a)
				}
				a = shareAct{start: items.gap[i]}
			}
			in := 0.0 // the group's VM loads a function once (firstLoads)
			if loads[t] {
				in = items.init[i]
			}
			a.pre += in + items.down[i] + m.groupLocal(fns, group, t)
			a.work += items.scale[i] * ratio[t]
			a.post += items.up[i]
		}
		alone += a.pre + a.work + a.post
		sc.acts = append(sc.acts, a)
	}
	end, billed := sharedEnd(m.opts.Platform, sc.acts, m.cold[m.w.Steps[si].Name], nil)
	return end, billed - alone
}

// sharedSpills is Map step s of a fused group in run r on a platform of shared instances: the
// host, whose items take host seconds in its VM, and the spilled VMs of sp (spilledRuns), which
// the host invokes and which take slots on the app's instances as any activity (sharedEnd: the
// host on the one ready instance, all of its time computing, an upper bound; each spill an
// invoke latency later, its items' compute computing and the rest of its time, its transfers,
// before). It returns when the last ends and the price of the billed seconds sharing adds to
// the spills (the host's are in its own busy time), each at the memory of need MB.
func (m *Model) sharedSpills(sc *scratch, s int, host float64, sp *stepReplays, r, mem, need int) (end, usd float64) {
	p := m.opts.Platform
	// With HTTP spills the host holds an activity slot, not one of the HTTP slots (spillSlots).
	sc.acts = append(sc.acts[:0], shareAct{work: host, apart: p.Spills == platform.SpillsHTTP})
	alone := 0.0
	for k := sp.off[r]; k < sp.off[r+1]; k++ {
		sb, w := sp.busy[k], min(sp.work[k], sp.busy[k])
		sc.acts = append(sc.acts, shareAct{start: p.InvokeLatency, pre: sb - w, work: w})
		alone += sb
	}
	sc.ends = slices.Grow(sc.ends[:0], len(sc.acts))[:len(sc.acts)]
	end, billed := sharedEnd(m.spillSlots, sc.acts, m.cold[m.w.Steps[s].Name], sc.ends)
	extra := billed - sc.ends[0] - alone
	return end, extra * float64(p.BilledMB(mem, need)) / 1024 * p.GBSecondUSD
}

// spillWork is the compute of Map items [b, e) in a VM of c cores: each iterator task's fitted
// time there, scaled by the item's sample.
func (m *Model) spillWork(items *itemSamples, fns []string, b, e int, c platform.Cores) float64 {
	nt := items.tasks
	w := 0.0
	for j := b; j < e; j++ {
		for t := range nt {
			w += items.scale[j*nt+t] * m.curveTime(fns[t], c)
		}
	}
	return w
}

// history is what an orchestration's history holds at some point (Platform.OrchestratorReplay):
// activities completed, and the bytes of activity inputs and outputs recorded, split into those
// kept in table rows and those offloaded to blobs (Platform.OffloadBytes).
type history struct{ acts, rows, blobs float64 }

// add records n payloads of b bytes each.
func (h *history) add(p *platform.Platform, n, b float64) {
	if b <= 0 || n <= 0 {
		return
	}
	if o := p.OffloadBytes; o > 0 && b > o {
		h.blobs += n * b
	} else {
		h.rows += n * b
	}
}

// resume is how long the orchestrator takes to load and replay h, as docs/simulator.md
// ("Orchestration by event sourcing") documents: a fixed latency, a time per activity, history
// rows at the table's rate and offloaded payloads at one connection's rate (when the platform
// states one; Platform.Published leaves it unknown, and then that term out).
func resume(p *platform.Platform, h history) float64 {
	d := p.ReplayLatency + p.ReplayPerStep*h.acts
	if p.ReplayBytesPerS > 0 {
		d += h.rows / p.ReplayBytesPerS
	}
	if p.ConnectionBps > 0 {
		d += h.blobs / p.ConnectionBps
	}
	return d
}

// items is Map step st's item count (the skeleton's, the mean of a drawn count).
func mapItems(st *dag.Step) float64 {
	n, _ := st.Map.FixedItems()
	return float64(n)
}

// profiledHistory returns, per top-level step, the history before it when every step runs
// unfused and unbundled (the profiled plan): each task and each Map item's iterator task is an
// activity that records its input and its output.
func (m *Model) profiledHistory() []history {
	p := m.opts.Platform
	hs := make([]history, len(m.w.Steps)+1)
	var h history
	for i := range m.w.Steps {
		hs[i] = h
		st := &m.w.Steps[i]
		switch {
		case st.Task != "":
			h.acts++
			b := m.dataBytes[st.Task]
			h.add(p, 1, b[0])
			h.add(p, 1, b[1])
		case st.Map != nil:
			n := mapItems(st)
			for _, fn := range iteratorTasks(st) {
				h.acts += n
				b := m.dataBytes[fn]
				h.add(p, n, b[0])
				h.add(p, n, b[1])
			}
		}
	}
	hs[len(m.w.Steps)] = h
	return hs
}

// recorded is what segment sg adds to the history under its plan: its activities, and the
// inputs and outputs they read from and write to remote storage (data passed inside a VM is not
// recorded), and the resumes it makes as it starts: one per state it enters.
func (m *Model) recorded(sg segment) (h history, states float64) {
	p := m.opts.Platform
	steps := m.w.Steps
	in := func(i int) (n float64, fn string) {
		if st := &steps[i]; st.Map != nil {
			return mapItems(st), iteratorTasks(st)[0]
		}
		return 1, steps[i].Task
	}
	out := func(i int) (n float64, fn string) {
		if st := &steps[i]; st.Map != nil {
			fns := iteratorTasks(st)
			return mapItems(st), fns[len(fns)-1]
		}
		return 1, steps[i].Task
	}
	switch {
	case sg.pass || sg.nest != nil:
		return h, 1
	case sg.cfg != nil:
		st := &steps[sg.start]
		n := mapItems(st)
		fns := iteratorTasks(st)
		if sg.cfg.bundle > 1 {
			// Each bundle is one activity, which the orchestrator resumes for as for an item.
			h.acts = math.Ceil(n / float64(sg.cfg.bundle))
			h.add(p, n, m.dataBytes[fns[0]][0])
			h.add(p, n, m.dataBytes[fns[len(fns)-1]][1])
			return h, 1 + h.acts
		}
		for t := range fns {
			if t == 0 || sg.cfg.group[t] != sg.cfg.group[t-1] {
				h.acts += n
				h.add(p, n, m.dataBytes[fns[t]][0])
			}
			if t == len(fns)-1 || sg.cfg.group[t+1] != sg.cfg.group[t] {
				h.add(p, n, m.dataBytes[fns[t]][1])
			}
		}
		return h, 1 + h.acts
	}
	// One activity: a task, a fusion group of tasks, a group with Maps in its VM (spills are
	// not the orchestrator's activities, but a spill's payload that goes through remote storage
	// is recorded as any remote read or write: from the group's first step, or above the
	// payload limit).
	h.acts = 1
	n, fn := in(sg.start)
	h.add(p, n, m.dataBytes[fn][0])
	n, fn = out(sg.end - 1)
	h.add(p, n, m.dataBytes[fn][1])
	for k := sg.start; k < sg.end && sg.spill != nil; k++ {
		st := &steps[k]
		kept := sg.spill[k-sg.start]
		if st.Map == nil || kept <= 0 || float64(kept) >= mapItems(st) {
			continue
		}
		spilled := mapItems(st) - float64(kept)
		fns := iteratorTasks(st)
		if b := m.dataBytes[fns[0]][0]; k == sg.start || b > p.PayloadLimitBytes {
			h.add(p, spilled, b)
		}
		if b := m.dataBytes[fns[len(fns)-1]][1]; b > p.PayloadLimitBytes {
			h.add(p, spilled, b)
		}
	}
	return h, 1
}

// replayCost is the price of the resumes segment sg makes as it starts, one per state it enters,
// each replaying the history before it as the profiled plan recorded it (an upper bound when
// the plan fuses or bundles earlier steps: the profiled gaps hold the same replays).
func (m *Model) replayCost(sg segment) float64 {
	_, states := m.recorded(sg)
	p := m.opts.Platform
	return states * p.ResumeUSD(resume(p, m.hist[sg.start]))
}

// endOf adds to e, the evaluation of the plan's last segment sg, what follows its end: the end
// gap (profiled), or with replays the final resume, which replays the history before sg and what
// sg recorded (latency and price), and with polling the first step's wait for the poller. Runs
// follow one another, as in profiling and in the back-to-back evaluation runs: the next run's
// start message comes as this run's final resume ends, d after the poll that found its last
// message, and is found at pollFound(d). Taking that wait as this run's own (the previous run
// ended the same way) adds the end and the first wait up to pollFound(d).
func (m *Model) endOf(e *stageEval, sg segment) {
	if !m.replaying {
		e.lat = addIndependent(nil, e.lat, m.endGap(sg.mem))
		return
	}
	p := m.opts.Platform
	h, _ := m.recorded(sg)
	h.acts += m.hist[sg.start].acts
	h.rows += m.hist[sg.start].rows
	h.blobs += m.hist[sg.start].blobs
	d := resume(p, h)
	end := d
	if m.polling {
		end = pollFound(p, d)
	}
	for k := range e.lat {
		e.lat[k] += end
	}
	e.cost += p.ResumeUSD(d)
}

// spillSlots returns the platform sharedSpills places a fused group's spills with (sharedEnd):
// plat itself where spills take activity slots (platform.SpillsInvoke), and where they are HTTP
// executions (platform.SpillsHTTP; the simulator's instances.go) a copy whose instances hold
// HTTPInstanceConcurrency of them (the host, apart, holds an activity slot on the first) and
// whose scale controller adds instances for them at the HTTP trigger's rate
// (platform.ScaleOutIntervalOf), sharing the instance's vCPUs as before.
func spillSlots(plat *platform.Platform) *platform.Platform {
	if plat.Spills != platform.SpillsHTTP || plat.InstanceActivities == 0 {
		return plat
	}
	q := *plat
	q.InstanceActivities = plat.HTTPInstanceConcurrency
	q.ScaleTrigger = platform.TriggerHTTP
	return &q
}
