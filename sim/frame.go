package sim

// This file holds the frame tree: a frame is one step instance (a task, a sequence, a parallel, a
// map, a fusion group, or a bundle or spill of map items). It is started, begun (after a state
// transition when orchestrated) and done, and reports to its parent.

// Frame kinds beyond the node kinds.
const (
	fBundle nodeKind = 100 + iota // B items of a map in a VM of their own (orchestrated map)
	fSpill                        // B items spilled from a fusion group's host VM
	fExec                         // a DAG invocation's fixed orchestration overhead (per-execution)
	fFinal                        // a DAG invocation's last orchestrator replay (orchestrator_replay)
)

type frame struct {
	node    int32
	kind    nodeKind
	root    bool  // this frame acquired vm and releases it when done
	run     int32 // run slot
	parent  int32
	vm      int32 // -1: orchestrated
	idx     int32 // nSeq: current child
	pending int32 // children still running
	item    int32
	bundle  int32
	first   int32 // fBundle, fSpill: first item
	count   int32 // fBundle, fSpill: items
	src     src
	out     int32 // handle of the output held for a direct consumer, or -1
	tries   int32 // retries of its VM acquisition so far (at_concurrency_limit "retry")
}

func (e *engine) newFrame() int32 {
	return alloc(&e.frames, &e.freeFrames, frame{})
}

// start creates a frame for node and begins it, after a state transition when orchestrated. s is
// moved into the frame.
func (e *engine) start(node, parent, run, vmi int32, s src, item, bundle int32) {
	fi := e.newFrame()
	nd := &e.c.nodes[node]
	e.frames[fi] = frame{node: node, kind: nd.kind, run: run, parent: parent, vm: vmi, item: item, bundle: bundle, src: s, out: -1}
	switch {
	case vmi < 0 && nd.kind != nSeq:
		e.enterState(fi)
	case nd.kind == nPass:
		e.scheduleIn(qNow, e.now, evBegin, fi)
	default:
		e.begin(fi)
	}
}

// enterState begins orchestrated frame fi after a state transition.
func (e *engine) enterState(fi int32) {
	run := e.frames[fi].run
	if e.runs[run].failed {
		// A failed execution enters no more states: the frame is skipped (acquire abandons
		// it) in an event of its own, at once.
		e.scheduleIn(qNow, e.now, evBegin, fi)
		return
	}
	e.transition(run)
	if e.replay {
		// A delay that varies, so the event goes to the heap, not the constant-delay FIFO.
		e.schedule(e.now+e.plat.TransitionLatency+e.orchestrate(run), evBegin, fi)
		return
	}
	e.scheduleIn(qTransition, e.now+e.plat.TransitionLatency, evBegin, fi)
}

// orchestrate returns how long a state run enters now waits for its orchestrator
// (Platform.OrchestratorReplay): the poller finds the message, and the orchestrator resumes and
// replays its history on one of its app's orchestrator slots (billed by resume); the state's work
// item then takes the transition.
func (e *engine) orchestrate(run int32) float64 {
	p, d := e.poll(run), e.resume(run)
	return p + e.orchWait(run, e.now+p, d) + d
}

func (e *engine) begin(fi int32) {
	f := &e.frames[fi]
	nd := &e.c.nodes[f.node]
	switch f.kind {
	case nPass:
		e.dropSrc(fi)
		e.done(fi)
	case nSeq:
		s := f.src
		f.src = noSrc
		f.idx = 0
		e.start(e.c.kids[nd.kid], fi, f.run, f.vm, s, f.item, f.bundle)
	case nTask:
		if f.vm < 0 {
			e.acquire(fi)
		} else {
			e.runTask(fi, f.vm)
		}
	case nFused:
		if f.vm < 0 {
			e.acquire(fi)
		} else {
			e.startFusedBody(fi)
		}
	case nPar:
		if f.vm < 0 && e.runs[f.run].failed {
			e.abandon(fi)
			return
		}
		f.pending = nd.nkids
		run, vmi, item, bundle := f.run, f.vm, f.item, f.bundle
		for _, k := range e.c.kidsOf(nd) {
			e.start(k, fi, run, vmi, e.share(e.frames[fi].src), item, bundle)
		}
		e.dropSrc(fi)
	case nMap:
		if f.vm < 0 && e.runs[f.run].failed {
			e.abandon(fi)
			return
		}
		e.beginMap(fi)
	case fBundle, fSpill:
		e.acquire(fi)
	case fFinal:
		// The orchestrator has replayed its history once more after the last activity: the DAG
		// invocation completes.
		run := f.run
		e.freeFrames = append(e.freeFrames, fi)
		e.dagDone(run)
	case fExec:
		// The execution overhead is over: the workflow's first state starts now.
		root, run := f.node, f.run
		e.freeFrames = append(e.freeFrames, fi)
		e.start(root, -1, run, -1, noSrc, 0, 0)
	default:
		panic("sim: frame of unknown kind")
	}
}

func (e *engine) startFusedBody(fi int32) {
	f := &e.frames[fi]
	s := f.src
	f.src = noSrc
	f.pending = 1
	e.start(e.c.kids[e.c.nodes[f.node].kid], fi, f.run, f.vm, s, f.item, f.bundle)
}

// startBody starts a root frame's work once its VM is ready.
func (e *engine) startBody(fi int32) {
	f := &e.frames[fi]
	switch f.kind {
	case nTask:
		e.runTask(fi, f.vm)
	case nFused:
		e.startFusedBody(fi)
	case fBundle, fSpill:
		f.pending = f.count
		run, vmi, first, count, bundle := f.run, f.vm, f.first, f.count, f.bundle
		nd := &e.c.nodes[f.node]
		it := e.c.kids[nd.kid]
		if f.kind == fBundle && e.c.info[f.node].phases != nil {
			it = e.c.kids[e.c.nodes[it].kid+f.idx] // this runtime's step of the iterator
		}
		for i := int32(0); i < count; i++ {
			e.start(it, fi, run, vmi, e.share(e.frames[fi].src), first+i, bundle)
		}
		e.dropSrc(fi)
	}
}

// done finishes frame fi: a root releases its VM (or holds it for direct pulls) and the parent
// hears of it.
func (e *engine) done(fi int32) {
	f := &e.frames[fi]
	if f.root && f.kind == fBundle && int(f.idx)+1 < len(e.c.info[f.node].phases) && e.vms[f.vm].state != vmStopped {
		e.nextRuntime(fi)
		return
	}
	if f.root && e.vms[f.vm].state == vmStopped {
		// Stopped at the timeout: no output, and its VM was billed and its slot freed then.
		if e.vms[f.vm].rt == 0 || !e.leaveRuntime(fi) {
			e.vms[f.vm].rootDone = true
			e.tryRelease(f.vm)
		}
	} else if f.root && e.vms[f.vm].rt > 0 && e.leaveRuntime(fi) {
		// A runtime others joined: it bills by invocation and is released by its last.
	} else if f.root {
		if f.kind != fSpill && e.c.nodes[f.node].consumerDirect {
			e.merge(&e.frames[fi].out, e.newHandle(f.vm))
		}
		f = &e.frames[fi]
		v := &e.vms[f.vm]
		v.rootDone = true
		if v.holds > 0 {
			// Its function has ended and it only serves direct pulls: it stays billed but gives
			// back its concurrency slot, or receivers queued behind the limit could wait forever
			// for senders that wait for them.
			v.freedCon, v.heldAt = true, e.now
			e.busy--
			e.serveQueue()
		}
		e.tryRelease(f.vm)
	}
	f = &e.frames[fi]
	if e.replay && f.root && f.kind != fSpill {
		e.runs[f.run].hist++ // an activity completed: one more step in the history
	}
	if f.parent < 0 {
		if f.out >= 0 {
			e.unref(f.out)
		}
		if run := f.run; e.replay && !e.runs[run].failed {
			// The last activity's completion resumes the orchestrator once more, which then
			// completes the orchestration.
			gi := e.newFrame()
			e.frames[gi] = frame{kind: fFinal, run: run, parent: -1, vm: -1, out: -1}
			e.schedule(e.now+e.orchestrate(run), evBegin, gi)
		} else {
			e.dagDone(run)
		}
	} else {
		e.childDone(f.parent, fi)
	}
	e.freeFrames = append(e.freeFrames, fi)
}

// nextRuntime ends bundle frame fi's runtime for one step of the iterator (dag.Plan.RuntimePerStep):
// its VM is released (the items' outputs went to remote storage) and the frame enters the next
// step's state, to acquire that step's runtime.
func (e *engine) nextRuntime(fi int32) {
	f := &e.frames[fi]
	vi := f.vm
	e.vms[vi].rootDone = true
	if e.replay {
		e.runs[f.run].hist++ // an activity completed
	}
	// The next step reads the items' outputs from storage, whatever reached the first directly.
	f.root, f.vm, f.pending, f.src = false, -1, 0, noSrc
	f.idx++
	e.tryRelease(vi)
	e.enterState(fi)
}

func (e *engine) childDone(pi, ci int32) {
	out := e.frames[ci].out
	e.frames[ci].out = -1
	p := &e.frames[pi]
	if p.kind == nSeq {
		nd := &e.c.nodes[p.node]
		// A sequence inside a VM stopped at the timeout starts no more steps.
		if p.idx+1 < nd.nkids && (p.vm < 0 || e.vms[p.vm].state != vmStopped) {
			p.idx++
			s := noSrc
			switch {
			case p.vm >= 0:
				s = src{srcLocal, -1}
				if out >= 0 {
					e.unref(out)
				}
			case out >= 0:
				s = src{srcDirect, out}
			}
			p = &e.frames[pi]
			e.start(e.c.kids[nd.kid+p.idx], pi, p.run, p.vm, s, p.item, p.bundle)
			return
		}
		if out >= 0 {
			e.merge(&p.out, out)
		}
		e.done(pi)
		return
	}
	if out >= 0 {
		e.merge(&e.frames[pi].out, out)
	}
	p = &e.frames[pi]
	p.pending--
	if p.pending == 0 {
		e.done(pi)
	} else if p.kind == nMap && p.first < p.count {
		e.startMapUnit(pi) // a map at its MaxConcurrency: the next item takes the ended one's place
	}
}
