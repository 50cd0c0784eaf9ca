package sim

// This file holds a VM's acquisition by a root frame, under the account's concurrency limit
// (queued FIFO beyond it), warm or with a cold start, and its release: billing, back to the warm
// pool, and the next queued acquisition served.

import (
	"fmt"
	"math"

	"github.com/wisefuse/wisefuse/dag"
)

type acqRecord struct {
	usd float64
	n   int32
}

func (e *engine) tmplOf(fi int32) int32 {
	f := &e.frames[fi]
	if f.kind == fBundle && e.c.info[f.node].phases != nil {
		return e.c.info[f.node].phases[f.idx] // a shared runtime per iterator step
	}
	return e.c.nodes[f.node].tmpl
}

// acquire gets a VM for root frame fi, or, while the account's concurrency limit is reached,
// queues it (FIFO), retries it later or rejects it (Platform.AtConcurrencyLimit). A spill waits
// for a slot whatever the setting, as its host retries its throttled invoke until served (the
// fused code waits for every item), and in a queue of its own that is served first: a freed
// slot goes to a running host's spill before new work, so hosts that wait on their spills hold
// every slot only when they took them all before any of their spills came (a deadlock AWS has
// too, which the function timeout ends; without a timeout the simulation stops with an error,
// spillDeadlock). On a platform whose executions share instances the limit is per app, and its
// app's queue holds the acquisition (instances.go); a spill waits there for a slot on an
// instance (over the app's limit).
func (e *engine) acquire(fi int32) {
	if f := &e.frames[fi]; f.kind != fSpill {
		if e.runs[f.run].failed {
			// Step Functions starts nothing more of a failed execution.
			e.abandon(fi)
			return
		}
		if e.tryJoin(fi) {
			return // a running runtime of its function took it (runtime.go)
		}
		// On instances the limit is the app's, and placeOn waits for it.
		if e.inst == nil {
			if e.atLimit != limitQueue {
				if e.throttle(fi) {
					return
				}
			} else if e.busy >= e.plat.ConcurrencyLimit {
				e.waitIn(&e.queue, fi)
				e.runs[e.frames[fi].run].throttled++
				return
			}
		}
	} else if e.hostStopped(fi) {
		// Its host was stopped at the function timeout before it could invoke the spill.
		e.abandon(fi)
		return
	} else if e.inst == nil && e.busy >= e.plat.ConcurrencyLimit {
		e.waitIn(&e.spillQueue, fi)
		e.runs[e.frames[fi].run].throttled++
		return
	}
	e.grant(fi)
}

// hostStopped reports whether spill fi's host VM was stopped at the function timeout (its index
// stays while the spill, which its Map frame waits for, is pending).
func (e *engine) hostStopped(fi int32) bool {
	return e.vms[e.frames[e.frames[fi].parent].vm].state == vmStopped
}

// throttle applies "reject" and "retry" to root frame fi and reports whether it took the frame
// (no VM is granted now). A frame of a DAG invocation that has already failed is abandoned:
// Step Functions starts nothing more of a failed execution.
func (e *engine) throttle(fi int32) bool {
	f := &e.frames[fi]
	r := &e.runs[f.run]
	switch {
	case r.failed:
	case e.busy < e.plat.ConcurrencyLimit:
		return false
	default:
		rt := e.retryOf(f.node)
		if rt != nil && int(f.tries) < rt.MaxAttempts {
			// Retry k (k = 1, 2, ...) waits min(IntervalSeconds x BackoffRate^(k-1),
			// MaxDelaySeconds) after the failure (drawn below it under FULL jitter) and re-enters
			// the Task state, one more state transition (Step Functions pricing counts retries
			// as transitions).
			f.tries++
			delay := rt.Delay(int(f.tries))
			if rt.Jitter == dag.JitterFull {
				delay *= r.rng.Float64()
			}
			r.retries++
			e.retries++
			e.transition(f.run)
			e.schedule(e.now+delay, evBegin, fi)
			return true
		}
		if rt == nil && e.atLimit == limitQueueSteps {
			e.waitIn(&e.queue, fi)
			r.throttled++
			return true
		}
		r.failed, r.rejected = true, true
		e.rejected++
	}
	e.abandon(fi)
	return true
}

// retryOf is the retry of a throttled acquisition of node: the step's own (dag.Step.Retry),
// which applies whatever at_concurrency_limit says (a Task invokes Lambda synchronously, so a
// throttle is an error its Retry catches), else the platform's under "retry", else none.
func (e *engine) retryOf(node int32) *dag.Retry {
	if i := e.c.nodes[node].retry; i >= 0 {
		return &e.c.retries[i]
	}
	if e.atLimit == limitRetry {
		return &e.platRetry
	}
	return nil
}

// abandon ends frame fi (a root, or an orchestrated Parallel or Map) of a failed DAG invocation
// without running it: it lets go of its input (a direct-passing sender may be waiting for it)
// and reports to its parent as done, so the DAG invocation ends once the work it already had
// running ends. It runs in the frame's own begin event, so ending the frame here is as safe as a
// Pass state's.
func (e *engine) abandon(fi int32) {
	e.dropSrc(fi)
	e.done(fi)
}

// grant acquires a VM for root frame fi now, or, on a platform whose executions share instances,
// when one of its app's instances has a free slot (instances.go): spills too, which the host
// invokes as any function execution of the app.
func (e *engine) grant(fi int32) {
	inst := int32(-1)
	if e.inst != nil {
		if inst = e.placeOn(fi); inst < 0 {
			return
		}
	}
	e.grantOn(fi, inst)
}

// grantOn acquires a VM for root frame fi, on instance inst (-1: none, a VM of its own).
func (e *engine) grantOn(fi, inst int32) {
	t := e.tmplOf(fi)
	run := e.frames[fi].run
	e.busy++
	vi := int32(-1)
	cold := false
	initDur := 0.0
	if e.mode == modeShared {
		if e.hyb != nil {
			e.hybridAcquire(t)
		}
		vi = e.takeWarm(t)
		if vi >= 0 && e.hyb != nil {
			cold, initDur = e.prewarmWait(vi)
		}
	}
	switch {
	case inst >= 0:
		// The instance decides: warm once it has started, cold until then.
		if vi < 0 {
			vi = e.newVM(t)
		}
		cold, initDur = false, 0
		if r := e.inst.all[inst].readyAt; r > e.now {
			cold, initDur = true, r-e.now
		} else if e.vms[vi].reset {
			cold, initDur = true, e.drawInit(t, run)
		}
	case vi < 0:
		vi = e.newVM(t)
		if e.mode == modeShared || e.runs[run].cold {
			cold, initDur = true, e.drawInit(t, run)
		}
	case e.vms[vi].reset:
		// An execution environment reset after a timeout initialises again (timeout.go).
		cold, initDur = true, e.drawInit(t, run)
	}
	v := &e.vms[vi]
	v.state, v.rootDone, v.cold, v.holds, v.freedCon, v.reset = vmBusy, false, cold, 0, false, false
	v.billMB = int32(e.plat.BilledMB(e.c.tmpls[t].memMB, e.needOf(fi)))
	v.evSeq = 0
	v.run, v.acqStart, v.init, v.last = run, e.now, initDur, e.now
	v.acq, v.rt = -1, 0
	v.cores, v.inst = e.c.tmpls[t].vcpu, -1
	v.http = inst >= 0 && e.slotKind(fi) == slotHTTP
	if inst >= 0 {
		e.joinInstance(inst, vi)
		v = &e.vms[vi]
	}
	if e.plat.FunctionTimeout > 0 {
		e.armTimeout(vi)
	}
	if e.keep {
		if n := len(e.freeAcqs); n > 0 {
			v.acq = e.freeAcqs[n-1]
			e.freeAcqs = e.freeAcqs[:n-1]
			e.acqs[v.acq] = acqRecord{}
		} else {
			e.acqs = append(e.acqs, acqRecord{})
			v.acq = int32(len(e.acqs) - 1)
		}
		if e.onRun != nil {
			r := &e.runs[run]
			r.acqs = append(r.acqs, v.acq)
		}
	}
	f := &e.frames[fi]
	f.vm, f.root = vi, true
	if initDur > 0 {
		si := e.newSlot()
		e.slots[si] = slot{frame: fi, vm: vi, phase: phInit, sender: -1, live: true}
		e.touch(vi)
		e.addActive(vi, si)
		e.place(si, resTimer, initDur, 0, 0)
		return
	}
	e.bodyAfterInit(fi, vi, cold)
}

// needOf is the memory root frame fi's acquisition uses (node.needMB): a bundle's or a spill's
// items add up, less what they share.
func (e *engine) needOf(fi int32) int {
	f := &e.frames[fi]
	nd := &e.c.nodes[f.node]
	if f.kind == fBundle || f.kind == fSpill {
		return int(f.count)*int(nd.needMB) - int(f.count-1)*int(nd.sharedMB)
	}
	return int(nd.needMB)
}

// drawInit draws the init time of a VM of template t, from run's stream: the sum over the
// functions it loads.
func (e *engine) drawInit(t, run int32) float64 {
	r := e.runs[run].rng
	d := 0.0
	for _, fn := range e.c.tmpls[t].fns {
		d += e.c.fnInfo[fn].init.sample(r, e.c.quant)
	}
	return d
}

func (e *engine) bodyAfterInit(fi, vi int32, cold bool) {
	if cold {
		e.coldVM = vi
	}
	e.openRuntime(fi, vi)
	e.startBody(fi)
	e.coldVM = -1
}

func (e *engine) tryRelease(vi int32) {
	v := &e.vms[vi]
	if v.rootDone && v.holds == 0 {
		switch v.state {
		case vmBusy:
			e.release(vi)
		case vmStopped:
			e.freeStopped(vi)
		}
	}
}

// release ends a VM's invocation: bill it, return it to the warm pool (or discard it in isolated
// runs) and let a queued acquisition take the freed concurrency.
func (e *engine) release(vi int32) {
	v := &e.vms[vi]
	if n := len(e.active(v)); n != 0 || v.npull != 0 {
		e.fail("VM %d released with %d active invocations and %d pullers", v.id, n, v.npull)
	}
	v.tmoSeq = 0 // its timeout, if still queued, is stale
	end := e.now
	if v.freedCon {
		// Sonic's Direct-Passing keeps the output in the sender VM's local storage once the
		// function returns: the function's billed duration ends there, not at the last pull.
		end = v.heldAt
	}
	e.bill(vi, end-v.acqStart)
	e.toPool(vi)
	e.serveQueue()
}

// bill bills VM vi's invocation of dur seconds (from its acquisition, init included) to its run
// and gives back its concurrency slot.
func (e *engine) bill(vi int32, dur float64) {
	v := &e.vms[vi]
	if !e.plat.BillInit {
		dur -= v.init
	}
	usd := e.plat.BilledSeconds(dur)*(float64(v.billMB)/1024)*e.plat.GBSecondUSD + e.plat.RequestUSD
	if usd < 0 || math.IsNaN(usd) {
		e.fail("VM %d has cost %g", v.id, usd)
	}
	r := &e.runs[v.run]
	if !r.live {
		e.fail("VM %d released after its run %d ended", v.id, r.index)
	}
	r.usd += usd
	if v.acq >= 0 {
		e.acqs[v.acq].usd = usd
	}
	if !v.freedCon {
		e.busy--
	}
	if e.inst != nil {
		e.leaveInstance(vi)
	}
}

// toPool returns released VM vi to its warm pool (or discards it in isolated runs).
func (e *engine) toPool(vi int32) {
	v := &e.vms[vi]
	if e.hyb != nil {
		e.hybridRelease(vi)
	} else if e.mode == modeShared {
		v.state = vmIdle
		v.evSeq = 0
		v.idleSince = e.now
		d := &e.pools[v.tmpl]
		d.pushBack(vi)
		e.idleChanged(1, v.tmpl)
		if !d.pending {
			e.schedule(e.now+e.plat.KeepAlive, evExpire, v.tmpl)
			d.pending = true
		}
	} else {
		e.freeVM(vi)
	}
}

// serveQueue grants queued acquisitions while concurrency allows: waiting spills first, then the
// others, each first come first served.
func (e *engine) serveQueue() {
	if e.inst != nil {
		e.serveFreed()
	}
	for e.busy < e.plat.ConcurrencyLimit && e.spillQueue.len() > 0 {
		fi := e.spillQueue.popFront()
		if e.hostStopped(fi) {
			// Its host was stopped at the timeout while it waited: abandoned in an event of
			// its own (acquire), as below.
			e.scheduleIn(qNow, e.now, evBegin, fi)
			continue
		}
		e.grant(fi)
	}
	for e.busy < e.plat.ConcurrencyLimit && len(e.queue.buf) > e.queue.head {
		fi := e.queue.popFront()
		if e.runs[e.frames[fi].run].failed {
			// Its DAG invocation failed while it waited: it is abandoned in an event of its own
			// (acquire), as ending it here could finish frames the caller is still working on.
			e.scheduleIn(qNow, e.now, evBegin, fi)
			continue
		}
		e.grant(fi)
	}
}

// maxWaiting bounds the frames waiting at the concurrency limit. Each holds its frame and its DAG
// invocation's state, about 0.6 to 1.2 KB: a burst of 2,000,000 arrivals at once of a workflow
// with a Map grew past 8 GB, and Poisson arrivals of chatbot at 10^6/s to 22 GB, until the kernel
// stopped them; at this bound they stop with this error at 2.5 and 4.9 GB, while a burst of
// 200,000 (1.3 GB) still runs. Past it the arrivals outpace what the platform serves. The
// at-the-limit BenchmarkReplay keeps about 75,000 waiting.
var maxWaiting = 1 << 22 // a variable for TestOverloadStops

// waitIn queues frame fi in q (queue or spillQueue) at the concurrency limit, or stops the
// simulation when maxWaiting wait.
func (e *engine) waitIn(q *deque, fi int32) {
	n := e.queue.len() + e.spillQueue.len()
	if n < maxWaiting {
		q.pushBack(fi)
		return
	}
	if e.err == nil {
		e.err = fmt.Errorf("sim: overloaded at t=%.6g s: %d invocations wait at the concurrency limit of %d (each holds memory): the arrivals outpace what the platform serves; raise concurrency_limit, or give fewer or later arrivals",
			e.now, n, e.plat.ConcurrencyLimit)
	}
}
