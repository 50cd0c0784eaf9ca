package sim

// This file holds a VM: its state, the list of invocation slots running in it, and the count of
// live VMs over time.

type vmState uint8

const (
	vmFree vmState = iota
	vmBusy         // acquired by a root frame, or holding output
	vmIdle         // warm, in its template's pool
	// vmStopped: stopped at the function timeout. Its place in the warm pool went to a copy
	// (timeout.go); this index stays, empty, until the frames that ran in it and the handles it
	// holds have let go of it.
	vmStopped
)

type vm struct {
	// What every event of the VM reads comes first, in one cache line (the struct is 176 bytes).
	evSeq uint64 // seq of the VM's one valid pending event, 0 if none
	last  float64
	// The slots running here, oldest first: ids[:nid], or engine.more[more] once they outgrew
	// ids (big; the VM keeps that array when recycled).
	// The passes that sum over slots (the CPU demand, the water-filling) and handle completions
	// run from the newest to the oldest, the order of the linked list the engine used before, so
	// floating-point sums and the order in which simultaneous completions are handled (hence
	// the event sequence numbers) are unchanged.
	ids   [5]int32
	nid   int32
	state vmState
	dirty bool // in engine.dirty: to be rerated at the end of the event
	// changed has bit 1<<r set when the slots on resource r or what their rates depend on
	// changed since the rates were computed: only those rates are recomputed (a timer's is 1).
	changed uint8
	big     bool

	more      int32   // index in engine.more, or -1
	ps        int32   // index in engine.pulls while this VM has lazyPullers pullers or more, else -1
	inst      int32   // the instance it runs on (instances.go), or -1
	cores     float64 // its cores: its template's, or its share of its instance's
	readyAt   float64 // hybrid keep-alive: a pre-warmed VM's init ends then (0 otherwise)
	expireAt  float64 // hybrid keep-alive: an idle VM is reclaimed then
	tmpl      int32
	id        int64 // instance id, unique in the simulation
	acqStart  float64
	idleSince float64
	init      float64
	holds     int32
	run       int32
	acq       int32 // acquisition record (KeepInvocations), or -1
	rt        int32 // 1 + its index in engine.rts while it is a shared runtime (runtime.go), else 0
	pullers   int32 // first slot of the list of slots pulling from this VM (slot.pnext)
	npull     int32
	rootDone  bool
	cold      bool
	freedCon  bool  // its concurrency slot was given back while it only serves direct pulls
	http      bool  // an HTTP execution on its instance (a spill with SpillsHTTP; instances.go)
	billMB    int32 // the memory its acquisition is billed at (Platform.BilledMB)
	// heldAt: when freedCon, the time its function ended; it is billed up to there, not for the
	// time it then serves direct pulls (docs/simulator.md, "Direct passing").
	heldAt float64
	reset  bool   // stopped at the timeout last time: its next invocation initialises again
	tmoSeq uint64 // seq of its acquisition's pending timeout event, 0 if none
}

// active is the slots running in v, oldest first. The slice may point into e.vms: use it only
// where no VM can be created.
func (e *engine) active(v *vm) []int32 {
	if v.big {
		return e.more[v.more]
	}
	return v.ids[:v.nid]
}

// addActive makes slot si the newest of VM vi's running invocations; place then sets its phase.
func (e *engine) addActive(vi, si int32) {
	v := &e.vms[vi]
	s := &e.slots[si]
	s.res, s.rate, s.rem = resTimer, 1, 0
	switch {
	case v.big:
		e.more[v.more] = append(e.more[v.more], si)
	case int(v.nid) < len(v.ids):
		v.ids[v.nid] = si
		v.nid++
	default:
		if v.more < 0 {
			e.more = append(e.more, nil)
			v.more = int32(len(e.more) - 1)
		}
		e.more[v.more] = append(append(e.more[v.more][:0], v.ids[:v.nid]...), si)
		v.big = true
	}
}

func (e *engine) removeActive(vi, si int32) {
	v := &e.vms[vi]
	v.changed |= resBit[e.slots[si].res]
	ids := e.active(v)
	if ids[len(ids)-1] != si { // else it is the newest (or only) slot
		for i, id := range ids {
			if id == si {
				copy(ids[i:], ids[i+1:])
				break
			}
		}
	}
	if v.big {
		e.more[v.more] = ids[:len(ids)-1]
	} else {
		v.nid--
	}
}

func (e *engine) newVM(t int32) int32 {
	var vi int32
	vi = alloc(&e.vms, &e.freeVMs, vm{more: -1, ps: -1, inst: -1})
	v := &e.vms[vi]
	e.nextVM++
	v.id, v.tmpl = e.nextVM, t
	v.nid, v.big, v.changed = 0, false, 0
	v.pullers, v.npull = -1, 0
	v.readyAt, v.reset = 0, false
	e.setLive(e.live + 1)
	return vi
}

func (e *engine) freeVM(vi int32) {
	v := &e.vms[vi]
	v.state = vmFree
	v.evSeq = 0
	e.freeVMs = append(e.freeVMs, vi)
	e.setLive(e.live - 1)
}

// idleChanged adds d idle VMs of template t (d < 0: removes them), integrating the idle count
// and the idle memory over time. It runs once per warm-pool change (a release, a warm
// acquisition, an expiry), never per event.
func (e *engine) idleChanged(d int, t int32) {
	if e.ser != nil {
		e.seriesTo()
	}
	dt := e.now - e.idleT
	e.idleSum += float64(e.idle) * dt
	e.idleGBSum += e.idleGB * dt
	e.idleT = e.now
	e.idle += d
	e.idleGB += float64(d) * e.c.tmpls[t].gb
	if e.idle == 0 {
		e.idleGB = 0 // no rounding drift across idle periods
	}
}

// instanceStats closes the time integrals at the end of a simulation that spanned span seconds.
type instanceStats struct {
	meanRunning, meanIdle, meanLifespan, idleGBS float64
}

func (e *engine) instanceStats(span float64) instanceStats {
	dt := e.now - e.idleT
	e.idleSum += float64(e.idle) * dt
	e.idleGBSum += e.idleGB * dt
	e.idleT = e.now
	var s instanceStats
	if span > 0 {
		s.meanIdle = e.idleSum / span
		s.meanRunning = max(e.liveSum/span-s.meanIdle, 0)
	}
	s.idleGBS = e.idleGBSum
	if e.nextVM > 0 {
		// Every VM lives from its creation to its reclaim or the end: the live VM-seconds over
		// the VMs created (those still live at the end count up to it).
		s.meanLifespan = e.liveSum / float64(e.nextVM)
	}
	return s
}

func (e *engine) setLive(n int) {
	if e.ser != nil {
		e.seriesTo()
	}
	if e.total > e.finished {
		e.liveSum += float64(e.live) * (e.now - e.liveT)
	}
	e.liveT = e.now
	e.live = n
	e.peak = max(e.peak, n)
}
