package sim

// This file holds the function timeout (Platform.FunctionTimeout). AWS Lambda stops an
// invocation that runs longer than its timeout, and a Step Functions Task without a Retry for
// the error then fails the execution (States.Timeout). A VM invocation (an acquisition: a task, a
// bundle, a fusion group, a spill) that is still busy FunctionTimeout after its init ends is
// stopped there:
//
//   - every invocation running in it ends at that moment, its phases cut short and its record
//     marked (records.Invocation.TimedOut); the frames that ran in it start nothing more;
//   - the VM is billed up to the timeout (plus its init when BillInit) and gives back its
//     concurrency slot;
//   - its DAG invocation fails as one rejected at the concurrency limit does (acquire.go): it
//     starts nothing more, what it has running elsewhere runs to its end, and it ends then;
//   - the execution environment goes back to the warm pool reset: "If the Lambda function
//     crashes or times out during the Invoke phase, Lambda resets the execution environment
//     [...] If another Invoke event results in this execution environment being reused, Lambda
//     initializes the runtime and extensions as part of the next invocation" (AWS Lambda
//     Developer Guide, "Understanding the Lambda execution environment lifecycle", Failures
//     during the invoke phase: the "suppressed init"). Its next invocation is a cold start.
//
// Output the VM holds for direct pulls, or as its spills' payload, stays readable after it is
// stopped (a simplification: the pulls under way, and those of invocations already running,
// complete as if it were still there). A spill its frames had not invoked yet, or that waits for
// a slot at the concurrency limit, is abandoned.
//
// The index of the stopped VM stays, empty and in state vmStopped, until its frames and its held
// output let go of it (freeStopped); the warm pool gets a copy under the same instance id.

// The timeouts are not events of their own: the queue would hold one per acquisition of the
// last FunctionTimeout seconds (a heap of tens of thousands instead of hundreds). Each
// acquisition appends its timeout, at now + FunctionTimeout, to engine.tmo, which that constant
// delay keeps in time order; one event (kind evExpire, id tmoPump) stands in the queue for the
// earliest live one, and when it fires it handles those due and stands in for the next live
// one. A timeout is identified by its sequence number, which its VM keeps (vm.tmoSeq) while
// that acquisition lasts: one whose acquisition has ended is dropped. The event carries the
// time and sequence number of the timeout it stands for, so it fires exactly where that timeout
// would as an event of its own, whenever it was queued. It has a FIFO of its own (qTimeout), so
// the loop pays one more head to compare per event.

// tmoPump is the evExpire id of the timeouts' event (pool expiries use template ids, far below).
const tmoPump = maxEvtID

// armTimeout queues the timeout of VM vi's acquisition, which begins now.
func (e *engine) armTimeout(vi int32) {
	e.seq++
	if e.seq > maxSeq {
		e.overflow(vi)
		return
	}
	ev := makeEvent(e.now+e.plat.FunctionTimeout, e.seq, vi, evVM)
	e.tmo.push(ev)
	e.vms[vi].tmoSeq = e.seq
	if !e.tmoPending {
		e.pump(ev)
		e.tmoPending = true
	}
}

// pump queues the timeouts' event for timeout ev: at its time and under its sequence number, so
// that it fires where the timeout would as an event of its own, scheduled when its acquisition
// began, whenever the pump is queued.
func (e *engine) pump(ev event) {
	e.evq.fifos[qTimeout].push(makeEvent(ev.time(), ev.seq(), tmoPump, evExpire))
}

// timeouts handles the timeouts due now and queues the event for the next live one. A timeout
// whose acquisition has ended stays dead (a VM's next acquisition gets a new sequence number),
// so those ahead are dropped here, in one pass, instead of each costing an event: nearly every
// acquisition ends long before its timeout (BenchmarkReplayTrace: 9% of the events popped were
// the timeouts' event finding its acquisition ended).
func (e *engine) timeouts() {
	q := &e.tmo
	for q.head < len(q.buf) {
		ev := q.buf[q.head]
		vi := ev.id()
		live := e.vms[vi].tmoSeq == ev.seq()
		if live && ev.time() > e.now {
			e.pump(ev)
			return
		}
		q.head++
		if live {
			e.timeout(vi)
		}
	}
	q.buf, q.head = q.buf[:0], 0
	e.tmoPending = false
}

// timeout handles VM vi's timeout, its acquisition's: the deadline is FunctionTimeout after its
// init, so a VM that had an init waits that much longer (an event of its own, in the heap).
func (e *engine) timeout(vi int32) {
	v := &e.vms[vi]
	if end := v.acqStart + v.init + e.plat.FunctionTimeout; end > e.now {
		e.schedule(end, evVM, vi)
		e.vms[vi].tmoSeq = e.seq
		return
	}
	e.events++
	e.stop(vi)
}

// stop stops busy VM vi at its timeout.
func (e *engine) stop(vi int32) {
	v := &e.vms[vi]
	shared := false
	if v.rt > 0 {
		e.closeRuntime(vi)
		shared = e.rts[v.rt-1].shared
	}
	if shared {
		// A runtime others joined: every invocation in it fails, and each is billed its part
		// as it ends (runtime.go); the runtime gives back its one concurrency slot.
		for _, si := range e.active(v) {
			r := &e.runs[e.frames[e.slots[si].frame].run]
			r.failed, r.timedOut = true, true
		}
		e.busy--
	} else {
		r := &e.runs[v.run]
		r.failed, r.timedOut = true, true
		e.bill(vi, v.init+e.plat.FunctionTimeout)
	}
	v = &e.vms[vi]
	v.state, v.evSeq, v.tmoSeq = vmStopped, 0, 0
	if v.ps >= 0 {
		e.stopLazy(vi) // its pullers are rated one by one again: it has no more events
	}

	// The copy that goes back to the pool: the same instance, reset.
	nv := alloc(&e.vms, &e.freeVMs, vm{more: -1, ps: -1, inst: -1})
	v, w := &e.vms[vi], &e.vms[nv]
	w.id, w.tmpl, w.run = v.id, v.tmpl, v.run
	w.nid, w.big, w.changed, w.dirty = 0, false, 0, false
	w.pullers, w.npull, w.readyAt, w.holds = -1, 0, 0, 0
	w.reset, w.evSeq, w.tmoSeq = true, 0, 0
	e.toPool(nv)

	// End what runs in it, newest first. Ending the last of a frame's children ends the frame;
	// frames of this VM start nothing more (childDone), and ending the root frame frees the
	// index unless spills or held output still refer to it.
	e.cut = append(e.cut[:0], e.active(&e.vms[vi])...)
	for i := len(e.cut) - 1; i >= 0; i-- {
		si := e.cut[i]
		s := &e.slots[si]
		if s.phase == phInit {
			// Cannot happen with a positive timeout (the deadline follows the init), but a
			// root stopped before its body began simply ends.
			fi := s.frame
			s.live = false
			e.removeActive(vi, si)
			e.freeLater = append(e.freeLater, si)
			e.abandon(fi)
			continue
		}
		e.cutShort(si)
	}
	e.serveQueue()
}

// cutShort ends invocation slot si now, wherever it is in its phases.
func (e *engine) cutShort(si int32) {
	s := &e.slots[si]
	if s.phase == phIn && s.sender >= 0 {
		if s.res == resPull {
			e.advance(&e.pulls[e.vms[s.sender].ps])
			e.fromLazy(si, true)
		}
		e.endPull(si)
		s = &e.slots[si]
	}
	if s.phase < phSerial {
		s.tIn = e.now
	}
	if s.phase < phOutLat {
		s.tComp = e.now
	}
	s.stopped = true
	e.dropSrc(s.frame)
	e.finishTask(si)
}

// freeStopped frees the index of stopped VM vi once nothing refers to it. Its instance lives on
// in the pool (stop), so the live count does not change.
func (e *engine) freeStopped(vi int32) {
	v := &e.vms[vi]
	v.state, v.evSeq = vmFree, 0
	e.freeVMs = append(e.freeVMs, vi)
}
