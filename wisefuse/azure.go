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
	if !m.polling {
		return gap + busy
	}
	return gap - inner + pollFound(m.opts.Platform, inner+busy)
}

// innerGap is the part of a Map's gap after the poll that found its items' (or bundles') start:
// one transition and a replay.
func (m *Model) innerGap(gap float64) float64 {
	p := m.opts.Platform
	return min(gap, p.TransitionLatency+p.ReplayLatency)
}

// depoll splits the profiled gaps of sd (the profiled plan: every step unfused and unbundled)
// into the poll's wait and the rest, run by run, by walking each run's steps: a step's start
// message waits for the poll after the previous step's end, counted from the poll that found
// the previous step's start. Each stage's gap becomes the rest (at least the transition and a
// bare replay, at most the profiled gap); endOf models the end and the first step's wait.
func (m *Model) depoll(sd *sizeData) {
	p := m.opts.Platform
	c := p.Cores(sd.mem)
	bare := p.TransitionLatency + p.ReplayLatency
	stages := make([]stageData, len(sd.stages))
	for si := range sd.stages {
		stages[si] = sd.stages[si]
		stages[si].gap = make([]float64, len(sd.stages[si].gap))
	}
	for r := range sd.runs {
		elapsed := 0.0 // since the poll that found the current step's start
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
			inner := rest
			if sd.stages[si].items != nil {
				inner = m.innerGap(rest)
			}
			elapsed = inner + m.profiledBusy(sd, si, r, c)
		}
	}
	sd.stages = stages
}

// profiledBusy is step si's time in run r of the profiled plan, from its start to its end: a
// task's phases, or a Map's slowest item (its launch delay, and each iterator task's gap and
// phases).
func (m *Model) profiledBusy(sd *sizeData, si, r int, c platform.Cores) float64 {
	st := &m.w.Steps[si]
	stg := &sd.stages[si]
	if ts := stg.task; ts != nil {
		return ts.init[r] + ts.down[r] + ts.scale[r]*m.curveTime(st.Task, c) + ts.up[r]
	}
	items := stg.items
	fns := iteratorTasks(st)
	nt := items.tasks
	worst := 0.0
	for j := items.runStart[r]; j < items.runStart[r+1]; j++ {
		t := 0.0
		for k := range nt {
			i := j*nt + k
			t += items.gap[i] + items.init[i] + items.down[i] + items.scale[i]*m.curveTime(fns[k], c) + items.up[i]
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
// waits to start (its init) only for a new instance to start: that is the plan's scale-out, not
// the function, so deshare zeroes it and returns, per Map step, the mean of those waits, the
// cold start of a new instance that sharedEnd adds. A profile of another platform is returned
// as it is.
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
			if c := deshareMap(s, st, plat.InstanceActivities); c > 0 {
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
}

// deshareMap rewrites the compute and init samples of Map st's iterator tasks in s and returns
// the mean of the nonzero inits (deshare).
func deshareMap(s *SizeProfile, st *dag.Step, perInstance int) (cold float64) {
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
	flush := func() {
		place(spans, perInstance)
		longest := 0.0
		for _, sp := range spans {
			longest = max(longest, sp.end-sp.start)
		}
		for i, sp := range spans {
			s.Steps[sp.step].Compute[sp.sample] = shareIntegral(spans, i, longest)
		}
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
			spans = append(spans, shareSpan{start: start, end: end, cs: cs, ce: ce, step: k, sample: i})
			t0 = end
		}
	}
	flush()
	n := 0
	for _, k := range steps {
		for i, x := range s.Steps[k].Init {
			if x > 0 {
				cold += x
				n++
				s.Steps[k].Init[i] = 0
			}
		}
	}
	if n > 0 {
		cold /= float64(n)
	}
	return cold
}

// place puts each span on an instance as the platform does: in order of start, on the instance
// with the fewest spans running at that time (the oldest on a tie) while it has fewer than per,
// else on a new one. It sorts spans by instance, then start.
func place(spans []shareSpan, per int) {
	slices.SortStableFunc(spans, func(a, b shareSpan) int { return cmp.Compare(a.start, b.start) })
	var load []int
	var on []int // spans running at the current start
	for i := range spans {
		kept := on[:0]
		for _, j := range on {
			if spans[j].end > spans[i].start {
				kept = append(kept, j)
			} else {
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
// long as its VM alone would take) and post seconds after.
type shareAct struct{ start, pre, work, post float64 }

// sharedEnd returns when the last of acts ends and their billed seconds on a platform whose
// instances run several activities at once (Platform.InstanceActivities), as the simulator runs
// an isolated run: one ready instance and a scale-out history long past. In order of start, an
// activity takes the ready instance with the fewest running (the oldest on a tie) that has a
// free slot, else a slot on one still starting (it starts when the instance is ready), else it
// waits; when work waits, the scale controller adds an instance at once, or ScaleOutInterval
// after the last one added (up to MaxInstances), which is ready cold seconds later. Each
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
	order := make([]int, len(acts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(acts[a].start, acts[b].start) })
	readyAt := []float64{0} // per instance
	load := []int{0}
	lastAdd := math.Inf(-1)
	var on []running
	next := 0 // order[next] is the first activity not placed yet
	t := 0.0
	begin := func(r *running) {
		a := &acts[r.j]
		r.phase, r.at, r.placed = before, t+a.pre, t
		if a.pre == 0 {
			r.phase, r.rem = computing, a.work
		}
	}
	for next < len(order) || len(on) > 0 {
		// Place the arrived activities, in order, while slots are free or can be added.
		for next < len(order) && acts[order[next]].start <= t {
			best := -1
			for k, c := range load {
				if c >= per {
					continue
				}
				// A ready instance before one starting, then the fewest running, then the oldest.
				if rk, rb := readyAt[k] <= t, best >= 0 && readyAt[best] <= t; best < 0 || rk && !rb || rk == rb && c < load[best] {
					best = k
				}
			}
			if best < 0 {
				if len(readyAt) >= p.MaxInstances {
					break // waits for a slot
				}
				added := max(t, lastAdd+p.ScaleOutInterval())
				lastAdd = added
				readyAt = append(readyAt, added+cold)
				load = append(load, 0)
				best = len(load) - 1
			}
			j := order[next]
			next++
			load[best]++
			r := running{j: j, inst: best, phase: starting, at: readyAt[best]}
			if readyAt[best] <= t {
				begin(&r)
			}
			on = append(on, r)
		}
		tn := math.Inf(1)
		if next < len(order) && acts[order[next]].start > t {
			tn = acts[order[next]].start
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
				end = max(end, t)
				if ends != nil {
					ends[r.j] = t
				}
				billed += t - r.placed
				continue
			}
			kept = append(kept, r)
		}
		on = kept
	}
	return end, billed
}

// sharedItems returns the latency of run r of unbundled Map si (from the Map's start) and the
// billed seconds instance sharing and waiting for a slot add (sharedEnd):
// each item is one activity (its iterator's tasks on one instance), computing its tasks' work at
// ratio (a task's fitted time at its size) in turn.
func (m *Model) sharedItems(sc *scratch, src *sizeData, si, r int, ratio []float64, group []int, fns []string) (worst, extra float64) {
	items := src.stages[si].items
	nt := items.tasks
	sc.acts = sc.acts[:0]
	alone := 0.0
	for j := items.runStart[r]; j < items.runStart[r+1]; j++ {
		a := shareAct{start: items.gap[j*nt]}
		for t := range nt {
			i := j*nt + t
			if t > 0 {
				a.pre += items.gap[i]
			}
			a.pre += items.init[i] + items.down[i] + m.groupLocal(fns, group, t)
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
// host on the one ready instance, each spill an invoke latency later, all of their time
// computing, an upper bound). It returns when the last ends and the price of the billed seconds
// sharing adds to the spills (the host's are in its own busy time), each at the memory of need MB.
func (m *Model) sharedSpills(sc *scratch, s int, host float64, sp *stepReplays, r, mem, need int) (end, usd float64) {
	p := m.opts.Platform
	sc.acts = append(sc.acts[:0], shareAct{work: host})
	alone := 0.0
	for _, sb := range sp.busy[sp.off[r]:sp.off[r+1]] {
		sc.acts = append(sc.acts, shareAct{start: p.InvokeLatency, work: sb})
		alone += sb
	}
	sc.ends = slices.Grow(sc.ends[:0], len(sc.acts))[:len(sc.acts)]
	end, billed := sharedEnd(m.spillSlots, sc.acts, m.cold[m.w.Steps[s].Name], sc.ends)
	extra := billed - sc.ends[0] - alone
	return end, extra * float64(p.BilledMB(mem, need)) / 1024 * p.GBSecondUSD
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

// resumeCost is the price of one orchestrator execution of d seconds: a request, and its
// duration rounded up to the billing quantum, at least the billing minimum, at ReplayBilledMB.
func resumeCost(p *platform.Platform, d float64) float64 {
	return p.BilledSeconds(d)*float64(p.ReplayBilledMB)/1024*p.GBSecondUSD + p.RequestUSD
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
	return states * resumeCost(p, resume(p, m.hist[sg.start]))
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
	e.cost += resumeCost(p, d)
}
