package sim

// This file holds the instances an app's executions share (Platform.InstanceActivities > 0,
// azure-durable): at most InstanceActivities executions at once on one instance, which split its
// cores equally, and a scale controller that adds an instance at most once per ScaleOutInterval,
// or once per the HTTP trigger's interval while HTTP executions wait (up to MaxInstances per
// app), each new instance with a cold start. An acquisition that finds
// no free slot, or its app at the concurrency limit (per app here), waits for one, first come
// first served, in its app's queue. An app is a workflow (one control queue, as in dagrun.go's
// poll). Spills are not activities of the orchestrator (no resume), but the host invokes them as
// executions of its app, beyond its concurrency limit (acquire): with Platform.Spills
// SpillsInvoke they take slots on its instances like any execution, and can wait when every slot
// of MaxInstances instances is taken; with SpillsHTTP they are HTTP-triggered executions, which
// take one of an instance's HTTPInstanceConcurrency slots instead, wait in a queue of their own
// (so no activity waiting for an activity slot holds them up), and share the instance's cores
// with its activities (docs/simulator.md, "Instances and the scale controller" and "Spills on
// Durable Functions"). The app's orchestrator slots
// (Platform.InstanceOrchestrators on at most PartitionCount of its instances) hold its replays
// (orchWait).

import (
	"cmp"
	"fmt"

	"github.com/wisefuse/wisefuse/internal/minheap"
	"github.com/wisefuse/wisefuse/platform"
)

type instance struct {
	vms       []int32 // the executions running on it
	readyAt   float64 // its cold start ends then
	idleSince float64 // when it last became empty
	app       int32
	http      int  // how many of vms are HTTP executions (spills with SpillsHTTP)
	live      bool // in its app's list; false once retired by a restart (freed when empty)
}

type app struct {
	insts   []int32 // its instances, oldest first
	running int     // activity executions on its instances (HTTP executions aside)
	wait    deque   // root frames waiting for a slot
	// httpWait: spills waiting for an HTTP slot (SpillsHTTP).
	httpWait deque
	// orch is a min-heap of the times its orchestrator slots in use become free (orchWait).
	orch    []float64
	lastAdd float64
	added   bool // lastAdd is set: the next instance waits for ScaleOutInterval after it
	tick    bool // a scale-out event is pending, at tickAt
	tickAt  float64
}

// queue is the app's queue of frames waiting for an HTTP slot (http) or for another slot.
func (a *app) queue(http bool) *deque {
	if http {
		return &a.httpWait
	}
	return &a.wait
}

type instances struct {
	all   []instance
	free  []int32
	apps  []app
	freed []int32 // apps that lost an execution in this event while frames waited
}

// scaleFloor: evExpire ids at or above it (below tmoPump) are apps' scale-out events, app
// tmoPump-1-id; template ids are far below.
const scaleFloor = maxEvtID / 2

func (e *engine) initInstances(apps int) {
	if apps >= tmoPump-scaleFloor {
		e.fail("%d apps, more than the %d the scale controller's events can name", apps, tmoPump-scaleFloor)
		return
	}
	e.inst = &instances{apps: make([]app, apps)}
}

// resetInstances forgets every app's instances (engine.reset).
func (e *engine) resetInstances() {
	in := e.inst
	in.all, in.free, in.freed = in.all[:0], in.free[:0], in.freed[:0]
	for i := range in.apps {
		a := &in.apps[i]
		a.insts, a.wait.buf, a.wait.head, a.orch = a.insts[:0], a.wait.buf[:0], 0, a.orch[:0]
		a.httpWait.buf, a.httpWait.head = a.httpWait.buf[:0], 0
		a.added, a.tick, a.running = false, false, 0
	}
}

// restartApp gives app wf of an isolated run (Run) the instances a run starts with: none when
// the run is cold, else one warm instance whose scale-out history is long past. Instances still
// running executions of the previous run are retired and freed when they empty.
func (e *engine) restartApp(wf int32, cold bool) {
	a := &e.inst.apps[wf]
	for _, ii := range a.insts {
		e.inst.all[ii].live = false
		if len(e.inst.all[ii].vms) == 0 {
			e.inst.free = append(e.inst.free, ii)
		}
	}
	a.insts, a.added, a.tick, a.orch = a.insts[:0], false, false, a.orch[:0]
	a.running = 0 // executions of the previous run still running no longer count
	if !cold {
		e.addInstance(wf, e.now)
		a.added = false
	}
}

// placeOn returns the instance root frame fi runs on, or -1 when it must wait: it then waits in
// its app's queue and the scale controller is asked for an instance.
func (e *engine) placeOn(fi int32) int32 {
	wf := e.runs[e.frames[fi].run].wf
	a := &e.inst.apps[wf]
	k := e.slotKind(fi)
	q := a.queue(k == slotHTTP)
	if q.len() == 0 {
		if ii := e.freeSlot(wf, k); ii >= 0 {
			return ii
		}
	}
	q.pushBack(fi)
	e.scaleOut(wf)
	return -1
}

// The kinds of slot a root frame takes on an instance (slotKind).
const (
	slotActivity = iota // an activity (or any execution), under the app's concurrency limit
	slotSpill           // a spill in an activity slot (SpillsInvoke), over the app's limit (acquire)
	slotHTTP            // a spill as an HTTP execution (SpillsHTTP), in an HTTP slot
)

func (e *engine) slotKind(fi int32) int {
	switch {
	case e.frames[fi].kind != fSpill:
		return slotActivity
	case e.plat.Spills == platform.SpillsHTTP:
		return slotHTTP
	}
	return slotSpill
}

// freeSlot returns app wf's instance with a free slot of kind k that is ready, least loaded and
// oldest, in that order of preference, or -1; -1 too at the app's concurrency limit, unless for a
// spill (acquire). Instances idle for the keep-alive are reclaimed first.
func (e *engine) freeSlot(wf int32, k int) int32 {
	in := e.inst
	a := &in.apps[wf]
	keep := a.insts[:0]
	for _, ii := range a.insts {
		if s := &in.all[ii]; len(s.vms) == 0 && s.idleSince+e.plat.KeepAlive <= e.now {
			in.free = append(in.free, ii)
			continue
		}
		keep = append(keep, ii)
	}
	a.insts = keep
	if e.atAppLimit(a, k) {
		return -1
	}
	best := int32(-1)
	for _, ii := range a.insts {
		s := &in.all[ii]
		if k == slotHTTP && s.http >= e.plat.HTTPInstanceConcurrency || k != slotHTTP && len(s.vms)-s.http >= e.plat.InstanceActivities {
			continue
		}
		if best < 0 {
			best = ii
			continue
		}
		b := &in.all[best]
		sReady, bReady := s.readyAt <= e.now, b.readyAt <= e.now
		if sReady && !bReady || sReady == bReady && len(s.vms) < len(b.vms) {
			best = ii
		}
	}
	return best
}

// atAppLimit reports whether a frame of slot kind k must wait for one of app a's executions to
// end: an activity at the app's concurrency limit (a spill goes over it, acquire).
func (e *engine) atAppLimit(a *app, k int) bool {
	return k == slotActivity && a.running >= e.plat.ConcurrencyLimit
}

// scaleOut adds an instance to app wf now if the scale controller may (fewer than MaxInstances,
// ScaleOutInterval since the last one), else schedules its next chance; either way its waiting
// frames are served.
func (e *engine) scaleOut(wf int32) {
	a := &e.inst.apps[wf]
	if len(a.insts) >= e.plat.MaxInstances {
		return
	}
	fi := int32(-1)
	if a.wait.len() > 0 && !e.atAppLimit(a, e.slotKind(a.wait.buf[a.wait.head])) {
		fi = a.wait.buf[a.wait.head]
	} else if a.httpWait.len() > 0 {
		fi = a.httpWait.buf[a.httpWait.head]
	}
	if fi < 0 {
		return // nothing waits, or an instance would not help: it waits for an execution to end
	}
	every := e.plat.ScaleOutInterval()
	if a.httpWait.len() > 0 {
		// HTTP-triggered executions wait: the controller adds instances for them at the HTTP
		// trigger's rate (platform.ScaleOutIntervalOf), which no app trigger is slower than.
		every = min(every, platform.ScaleOutIntervalOf(platform.TriggerHTTP))
	}
	if a.added && e.now < a.lastAdd+every {
		if !a.tick || a.tickAt > a.lastAdd+every {
			// A pending tick at the app's slower interval goes stale (scaleTick) for this one.
			a.tick, a.tickAt = true, a.lastAdd+every
			e.schedule(a.tickAt, evExpire, tmoPump-1-wf)
		}
		return
	}
	e.addInstance(wf, e.now+e.drawInit(e.tmplOf(fi), e.frames[fi].run))
	e.serveApp(wf)
}

// scaleTick is app wf's scale-out event.
func (e *engine) scaleTick(wf int32) {
	a := &e.inst.apps[wf]
	if !a.tick || e.now != a.tickAt {
		return // stale: the app was restarted since
	}
	a.tick = false
	e.scaleOut(wf)
}

func (e *engine) addInstance(wf int32, readyAt float64) {
	in := e.inst
	var ii int32
	if n := len(in.free); n > 0 {
		ii = in.free[n-1]
		in.free = in.free[:n-1]
	} else {
		in.all = append(in.all, instance{})
		ii = int32(len(in.all) - 1)
	}
	s := &in.all[ii]
	s.vms, s.readyAt, s.idleSince, s.app, s.live, s.http = s.vms[:0], readyAt, e.now, wf, true, 0
	a := &in.apps[wf]
	a.insts = append(a.insts, ii)
	a.lastAdd, a.added = e.now, true
}

// serveApp grants app wf's waiting frames, first come first served in each of its queues, while
// its instances have free slots. A frame of a failed DAG invocation is abandoned in an event of
// its own (acquire).
func (e *engine) serveApp(wf int32) {
	full := e.serveWait(wf, false)
	if e.serveWait(wf, true) || full {
		e.scaleOut(wf)
	}
}

// serveWait serves app wf's queue of spills waiting for HTTP slots (http) or its other queue, and
// reports whether a frame is left waiting for a slot.
func (e *engine) serveWait(wf int32, http bool) bool {
	q := e.inst.apps[wf].queue(http)
	for q.len() > 0 {
		fi := q.buf[q.head]
		spill := e.frames[fi].kind == fSpill
		ii := e.freeSlot(wf, e.slotKind(fi))
		if ii < 0 {
			return true
		}
		q.popFront()
		if spill && e.hostStopped(fi) || !spill && e.runs[e.frames[fi].run].failed {
			// Skipped at once (acquire): a failed run starts nothing more, and a spill whose
			// host was stopped at the timeout is abandoned.
			e.scheduleIn(qNow, e.now, evBegin, fi)
			continue
		}
		e.grantOn(fi, ii) // e.inst.apps is never reallocated: q stays valid
	}
	return false
}

// serveFreed serves the apps that lost an execution in this event (serveQueue).
func (e *engine) serveFreed() {
	in := e.inst
	for len(in.freed) > 0 {
		wf := in.freed[len(in.freed)-1]
		in.freed = in.freed[:len(in.freed)-1]
		e.serveApp(wf)
	}
}

// joinInstance starts execution vi (just acquired) on instance ii.
func (e *engine) joinInstance(ii, vi int32) {
	s := &e.inst.all[ii]
	s.vms = append(s.vms, vi)
	e.vms[vi].inst = ii
	if e.vms[vi].http {
		s.http++
	} else if s.live {
		e.inst.apps[s.app].running++
	}
	e.splitCores(ii)
}

// leaveInstance ends execution vi on its instance, if it has one (bill).
func (e *engine) leaveInstance(vi int32) {
	ii := e.vms[vi].inst
	if ii < 0 {
		return
	}
	e.vms[vi].inst = -1
	in := e.inst
	s := &in.all[ii]
	if e.vms[vi].http {
		s.http--
	} else if s.live {
		in.apps[s.app].running--
	}
	for k, x := range s.vms {
		if x == vi {
			s.vms = append(s.vms[:k], s.vms[k+1:]...)
			break
		}
	}
	if len(s.vms) == 0 {
		s.idleSince = e.now
		if !s.live {
			in.free = append(in.free, ii)
			return
		}
	}
	e.splitCores(ii)
	if a := &in.apps[s.app]; s.live && (a.wait.len() > 0 || a.httpWait.len() > 0) {
		in.freed = append(in.freed, s.app)
	}
}

// splitCores gives each execution on instance ii an equal share of its cores; each shares its
// share among its own invocations as a VM does (sharing.go). An execution keeps its share while
// it only moves data, which makes the split pessimistic for a mix of I/O and compute.
func (e *engine) splitCores(ii int32) {
	s := &e.inst.all[ii]
	n := float64(len(s.vms))
	for _, vi := range s.vms {
		e.touch(vi)
		v := &e.vms[vi]
		v.cores = e.c.tmpls[v.tmpl].vcpu / n
		v.changed |= 1 << resCPU
	}
}

// orchWait returns how long a replay of d seconds that run's orchestrator asks for at t waits
// for one of its app's orchestrator slots (Platform.OrchestratorSlots of its instances): 0 if one
// is free then, else until the first of them frees, first come first served; the replay then
// holds that slot for d. Without orchestrator slots, 0.
func (e *engine) orchWait(run int32, t, d float64) float64 {
	if e.inst == nil || e.plat.InstanceOrchestrators == 0 {
		return 0
	}
	a := &e.inst.apps[e.runs[run].wf]
	slots := e.plat.OrchestratorSlots(len(a.insts))
	start := t
	for len(a.orch) >= slots {
		// Every slot has a replay: take the one that frees first (with fewer slots than before,
		// after instances were reclaimed, the extra ones go too, the latest end counting).
		start = max(start, minheap.Pop(&a.orch, cmp.Less[float64]))
	}
	minheap.Push(&a.orch, start+d, cmp.Less[float64])
	return start - t
}

// spillDeadlock describes the deadlock of an app one of whose spills waits for a slot that can
// never free: the event queue ran dry, so every slot its spills may take, on all the instances
// the scale controller may add (MaxInstances), is held by an execution that waits for spills of
// its own. It returns "" when no spill waits. With SpillsInvoke a spill needs an activity slot,
// which its host holds; with SpillsHTTP an HTTP slot, which only spills hold, so it happens only
// when spills spill again (a Map inside a bundled Map's iterator) and fill every HTTP slot; with
// SpillsRefused nothing spills (Platform.NoSpills). Without instances it is the account's
// concurrency limit, every slot held by a host waiting for its spills (acquire), which only a
// function timeout would end.
func (e *engine) spillDeadlock() string {
	if e.inst == nil {
		if q := &e.spillQueue; q.len() > 0 {
			f := &e.frames[q.buf[q.head]]
			return fmt.Sprintf("deadlock: %d spilled VMs (the first of Map %q) wait at the account's concurrency limit of %d, and every slot is held by a VM waiting for its own spills (a fusion group's, or a bundle's); set function_timeout_s (AWS Lambda stops them at 900 s), raise concurrency_limit or keep more of the Map's items in the VM (bundle)",
				q.len(), e.c.info[f.node].step, e.plat.ConcurrencyLimit)
		}
		return ""
	}
	for wf := range e.inst.apps {
		a := &e.inst.apps[wf]
		for _, q := range []*deque{&a.wait, &a.httpWait} {
			for _, fi := range q.buf[q.head:] {
				if f := &e.frames[fi]; f.kind == fSpill {
					slots := fmt.Sprintf("instance_activities %d", e.plat.InstanceActivities)
					if e.plat.Spills == platform.SpillsHTTP {
						slots = fmt.Sprintf("http_instance_concurrency %d", e.plat.HTTPInstanceConcurrency)
					}
					return fmt.Sprintf("deadlock: spilled items of Map %q (and %d frames in all) wait for a slot on their app's instances, and every slot of its %d instances (max_instances %d, %s, spills %q) is held by an execution waiting for its own spills; give the platform more slots or keep all of the Map's items in the VM (bundle)",
						e.c.info[f.node].step, a.wait.len()+a.httpWait.len(), len(a.insts), e.plat.MaxInstances, slots, e.plat.Spills)
				}
			}
		}
	}
	return ""
}
