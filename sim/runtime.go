package sim

// This file holds Photons runtimes shared across DAG invocations (dag.Plan.SharedRuntime under
// arrivals; docs/simulator.md, "Shared runtimes across DAG invocations"). Photons (Dukic et al.,
// SoCC 2020) routes concurrent invocations of one function, whatever request they belong to, to
// one runtime, which grows by each invocation's private memory. Here an orchestrated task
// invocation whose function runs in a runtime that is still running its first invocation joins
// it instead of acquiring a VM: no cold start, no concurrency slot, and the runtime's memory,
// and so its vCPUs, become m + (n-1) x p for n invocations (m the plan's memory, p
// dag.Function.PrivateMB(m)). Billing integrates that memory over time: each invocation pays p
// for its own duration, and the owner (the first invocation, then the oldest one left) pays
// m - p more while it owns the runtime.

import (
	"math"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
)

// rtState is a runtime: a VM acquired by an orchestrated task of a template with privMB > 0.
type rtState struct {
	acquirer   int32   // the frame that acquired the VM, -1 once it has ended (then closed)
	owner      int32   // the invocation billed for the base memory now
	parts      int32   // invocations running in it
	ownerSince float64 // when owner began paying for the base memory
	shared     bool    // an invocation joined it: billed by part (billPart), not by release
}

// joinable reports whether frame fi runs in a runtime others may share: an orchestrated task of
// a runtime template under arrivals, without direct passing. e.open is set only on a platform
// without instances, so such a frame's VM never runs on an instance (v.inst is -1).
func (e *engine) joinable(fi int32) bool {
	f := &e.frames[fi]
	if e.open == nil || f.kind != nTask {
		return false
	}
	nd := &e.c.nodes[f.node]
	return e.c.tmpls[nd.tmpl].privMB != 0 && !nd.inDirect && !nd.consumerDirect
}

// openRuntime makes root frame fi's VM vi, whose body starts now, a runtime others may join, if
// it is one (joinable).
func (e *engine) openRuntime(fi, vi int32) {
	if !e.joinable(fi) {
		return
	}
	v := &e.vms[vi]
	start := v.acqStart
	if !e.plat.BillInit {
		start += v.init
	}
	ri := alloc(&e.rts, &e.freeRts, rtState{})
	e.rts[ri] = rtState{acquirer: fi, owner: fi, parts: 1, ownerSince: start}
	e.vms[vi].rt = ri + 1
	e.open[v.tmpl] = append(e.open[v.tmpl], vi)
}

// tryJoin runs orchestrated task frame fi in an open runtime of its template that has room for
// one more invocation (the oldest such), and reports whether it did.
func (e *engine) tryJoin(fi int32) bool {
	if !e.joinable(fi) {
		return false
	}
	f := &e.frames[fi]
	nd := &e.c.nodes[f.node]
	t := &e.c.tmpls[nd.tmpl]
	for _, vi := range e.open[nd.tmpl] {
		rt := &e.rts[e.vms[vi].rt-1]
		if t.memMB+int(rt.parts)*t.privMB > dag.MaxMemoryMB {
			continue
		}
		rt.parts++
		rt.shared = true
		f.vm, f.root = vi, true
		e.resize(vi)
		e.runTask(fi, vi)
		return true
	}
	return false
}

// resize gives runtime VM vi the vCPUs of its memory now, m + (n-1) x p.
func (e *engine) resize(vi int32) {
	e.touch(vi)
	v := &e.vms[vi]
	t := &e.c.tmpls[v.tmpl]
	v.cores = e.plat.VCPU(t.memMB + int(e.rts[v.rt-1].parts-1)*t.privMB)
	v.changed |= 1 << resCPU
}

// closeRuntime takes runtime VM vi out of its template's open list: its first invocation ended
// or it was stopped.
func (e *engine) closeRuntime(vi int32) {
	t := e.vms[vi].tmpl
	if k := slices.Index(e.open[t], vi); k >= 0 {
		e.open[t] = slices.Delete(e.open[t], k, k+1)
	}
}

// guest reports whether frame fi runs in runtime VM vi without having acquired it.
func (e *engine) guest(fi, vi int32) bool {
	v := &e.vms[vi]
	return v.rt > 0 && e.rts[v.rt-1].acquirer != fi
}

// billPart bills the invocation of slot si, ending now in a shared runtime, to its run and
// returns the amount: its private memory over its duration, and the base memory over the time
// it owned the runtime, each rounded up to the billing quantum, plus one request.
func (e *engine) billPart(si int32) float64 {
	s := &e.slots[si]
	fi, vi := s.frame, s.vm
	rt := &e.rts[e.vms[vi].rt-1]
	t := &e.c.tmpls[e.vms[vi].tmpl]
	var own float64
	if fi == rt.owner {
		own = e.plat.BilledSeconds(e.now - rt.ownerSince)
	}
	span := own // the acquirer owns the runtime from its start to its end
	if fi != rt.acquirer {
		span = e.plat.BilledSeconds(e.now - s.start)
	}
	mbs := float64(t.privMB)*span + float64(t.memMB-t.privMB)*own
	usd := mbs/1024*e.plat.GBSecondUSD + e.plat.RequestUSD
	if usd < 0 || math.IsNaN(usd) {
		e.fail("runtime VM %d bills %g", e.vms[vi].id, usd)
	}
	e.runs[e.frames[fi].run].usd += usd
	return usd
}

// leaveRuntime ends invocation frame fi's stay in its runtime VM and reports whether it took
// care of the VM: false for a runtime nobody joined, which is then released as any VM.
func (e *engine) leaveRuntime(fi int32) bool {
	vi := e.frames[fi].vm
	v := &e.vms[vi]
	ri := v.rt - 1
	rt := &e.rts[ri]
	if fi == rt.acquirer {
		rt.acquirer = -1
		if v.state != vmStopped {
			e.closeRuntime(vi) // stop closed it
		}
	}
	rt.parts--
	shared := rt.shared
	if rt.parts > 0 {
		if v.state == vmStopped {
			return true // every invocation in it was billed at the stop
		}
		if fi == rt.owner {
			// The base memory passes to the oldest invocation left.
			rt.owner, rt.ownerSince = e.slots[e.active(v)[0]].frame, e.now
		}
		e.resize(vi)
		return true
	}
	e.rts[ri] = rtState{}
	e.freeRts = append(e.freeRts, ri)
	v.rt = 0
	if !shared || v.state == vmStopped {
		return false
	}
	// The last invocation has left (each was billed its part): back to the pool.
	v.rootDone = true
	v.tmoSeq = 0
	e.busy--
	e.toPool(vi)
	e.serveQueue()
	return true
}
