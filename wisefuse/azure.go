// The modeler on Azure Durable Functions (docs/wisefuse.md, "On Azure"): what the platform's
// published mechanisms do to a plan, on top of what the profile measured. Control-queue polling
// (Platform.QueuePollingMin/Max) is here; AWS (no polling) takes none of this path.

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

// polls reports whether the model quantizes steps by the control-queue poller: on a platform
// with polling, for a workflow whose top-level steps are tasks and Maps of tasks (the profile's
// gaps can then be split into the poll's wait and the rest, depoll). Other shapes keep the
// profiled gaps as they are.
func (m *Model) polls() bool {
	p := m.opts.Platform
	if !(p.QueuePollingMax > 0) || !p.OrchestratorReplay {
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

// stepLatency is a top-level segment's latency in one run: its orchestration gap and then busy
// seconds of work. With polling (polls), the gap is the part that is not the poll's wait (the
// transitions and the orchestrator's replays, depoll) and the segment lasts until the poll that
// finds its end message. The poller last found a message inside the gap: the segment's start
// (a task or a fusion group, inner = gap), or for a Map its items' or bundles' start after the
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
// bare replay, at most the profiled gap), and the end gap becomes the first step's wait plus the
// final replay: the parts that do not depend on the plan's durations.
func (m *Model) depoll(sd *sizeData) {
	p := m.opts.Platform
	c := cores(p, sd.mem)
	bare := p.TransitionLatency + p.ReplayLatency
	stages := make([]stageData, len(sd.stages))
	for si := range sd.stages {
		stages[si] = sd.stages[si]
		stages[si].gap = make([]float64, len(sd.stages[si].gap))
	}
	end := make([]float64, len(sd.endGap))
	for r := range sd.runs {
		first := 0.0
		elapsed := 0.0 // since the poll that found the current step's start
		for si := range stages {
			g := sd.stages[si].gap[r]
			rest := g
			if si == 0 {
				rest = min(g, bare)
				first = g - rest
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
		wait := pollFound(p, elapsed) - elapsed
		end[r] = first + max(0, sd.endGap[r]-wait)
	}
	sd.stages, sd.endGap = stages, end
}

// profiledBusy is step si's time in run r of the profiled plan, from its start to its end: a
// task's phases, or a Map's slowest item (its launch delay, and each iterator task's gap and
// phases).
func (m *Model) profiledBusy(sd *sizeData, si, r int, c Cores) float64 {
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
// instance. Activities are placed as the platform places a fan-out: in item order, up to
// InstanceActivities per instance (instanceOf); each item's iterator tasks stay on its instance.
// A profile of another platform is returned as it is.
func deshare(p *Profile, plat *platform.Platform) *Profile {
	if plat.InstanceActivities <= 0 {
		return p
	}
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
			deshareMap(s, st, plat.InstanceActivities)
		}
	}
	return &q
}

// shareSpan is one activity's time on an instance: from start to end, computing in [cs, ce).
type shareSpan struct {
	inst               int
	start, end, cs, ce float64
	step, sample       int // its samples: s.Steps[step], invocation sample
}

// deshareMap rewrites the compute samples of Map st's iterator tasks in s (deshare).
func deshareMap(s *SizeProfile, st *dag.Step, perInstance int) {
	var steps []int
	for _, it := range st.Map.Iterator {
		if it.Task == "" {
			continue
		}
		k := slices.IndexFunc(s.Steps, func(x StepSamples) bool { return x.Step == it.Name })
		if k < 0 {
			return
		}
		s.Steps[k].Compute = slices.Clone(s.Steps[k].Compute)
		steps = append(steps, k)
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
	var spans []shareSpan
	flush := func() {
		place(spans, perInstance)
		for _, sp := range spans {
			s.Steps[sp.step].Compute[sp.sample] = shareIntegral(spans, sp)
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
}

// place puts each span on an instance as the platform does: in order of start, on the instance
// with the fewest spans running at that time (the oldest on a tie) while it has fewer than per,
// else on a new one.
func place(spans []shareSpan, per int) {
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(spans[a].start, spans[b].start) })
	insts := 0
	load := []int{}
	for _, i := range order {
		load = load[:0]
		for range insts {
			load = append(load, 0)
		}
		for _, j := range order {
			if j == i {
				break
			}
			if o := spans[j]; o.start <= spans[i].start && spans[i].start < o.end {
				load[o.inst]++
			}
		}
		best := -1
		for k, n := range load {
			if n < per && (best < 0 || n < load[best]) {
				best = k
			}
		}
		if best < 0 {
			best = insts
			insts++
		}
		spans[i].inst = best
	}
}

// shareIntegral is the integral of 1/n(t) over sp's compute phase, n(t) the spans on its
// instance at t (sp included).
func shareIntegral(spans []shareSpan, sp shareSpan) float64 {
	if !(sp.ce > sp.cs) {
		return 0
	}
	cuts := []float64{sp.cs, sp.ce}
	for _, o := range spans {
		if o.inst != sp.inst {
			continue
		}
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
		for _, o := range spans {
			if o.inst == sp.inst && o.start <= mid && mid < o.end {
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
// a fan-out of isolated runs: one ready instance, a second added at once and one more every
// ScaleOutInterval (up to MaxInstances); in order of start, an activity goes to the instance
// with the fewest running (the oldest on a tie) while it has a free slot, else waits for one.
// Each instance's vCPUs are split equally among the activities on it, rerated as they come and
// go; a VM alone has the instance's vCPUs (a platform of one fixed size), so an activity among n
// computes at 1/n of its own speed.
func sharedEnd(p *platform.Platform, acts []shareAct) (end, billed float64) {
	const (
		waiting = iota
		before
		computing
		after
		done
	)
	per := p.InstanceActivities
	n := len(acts)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(acts[a].start, acts[b].start) })
	phase := make([]int, n)
	inst := make([]int, n)
	at := make([]float64, n) // when the current phase ends (not computing)
	rem := make([]float64, n)
	ready := func(k int) float64 { return float64(max(0, k-1)) * p.ScaleOutInterval }
	var load []int
	t := 0.0
	for left := n; left > 0; {
		// Place the activities that have arrived, in order, while slots are free.
		insts := 0
		for insts < p.MaxInstances && ready(insts) <= t {
			insts++
		}
		load = load[:0]
		for range insts {
			load = append(load, 0)
		}
		for j := range n {
			if phase[j] > waiting && phase[j] < done {
				load[inst[j]]++
			}
		}
		queued := false
		for _, j := range order {
			if phase[j] != waiting || acts[j].start > t {
				continue
			}
			best := -1
			for k, c := range load {
				if c < per && (best < 0 || c < load[best]) {
					best = k
				}
			}
			if best < 0 {
				queued = true
				break
			}
			load[best]++
			phase[j], inst[j], at[j] = before, best, t+acts[j].pre
			if acts[j].pre == 0 {
				phase[j], rem[j] = computing, acts[j].work
			}
		}
		next := math.Inf(1)
		if queued && insts < p.MaxInstances {
			next = ready(insts)
		}
		for j := range n {
			switch phase[j] {
			case waiting:
				if acts[j].start > t {
					next = min(next, acts[j].start)
				}
			case before, after:
				next = min(next, at[j])
			case computing:
				next = min(next, t+rem[j]*float64(load[inst[j]]))
			}
		}
		if math.IsInf(next, 1) {
			break // nothing can move: cannot happen with at least one instance
		}
		for j := range n {
			if phase[j] == computing {
				rem[j] -= (next - t) / float64(load[inst[j]])
			}
		}
		t = next
		for j := range n {
			for moved := true; moved; {
				moved = false
				switch {
				case phase[j] == before && at[j] <= t:
					phase[j], rem[j], moved = computing, acts[j].work, true
				case phase[j] == computing && rem[j] <= 1e-12*max(1, acts[j].work):
					phase[j], at[j], moved = after, t+acts[j].post, true
				case phase[j] == after && at[j] <= t:
					phase[j] = done
					left--
					end = max(end, t)
					billed += t - acts[j].start
				}
			}
		}
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
	end, billed := sharedEnd(m.opts.Platform, sc.acts)
	return end, billed - alone
}
