package sim

// This file holds direct passing: a handle is output held in sender VMs until every consumer
// has pulled it, and a pull is a transfer registered with its one sender VM, whose bandwidth the
// sender's pullers share.

import "math"

// handle is output held in sender VMs for direct passing; the VMs stay busy (and billed) until
// every reference is dropped.
type handle struct {
	head, tail int32 // list of holders
	n          int32 // senders
	refs       int32
}

// holder is one sender VM of a handle. Holders live in one pooled array (a VM may be in several
// handles, e.g. a host serving the payloads of two maps' spills), so handles never allocate once
// the pool has grown.
type holder struct {
	vm, next int32
}

func (e *engine) newHandle(vmi int32) int32 {
	h := alloc(&e.handles, &e.freeHandles, handle{})
	k := alloc(&e.holders, &e.freeHolders, holder{})
	e.holders[k] = holder{vm: vmi, next: -1}
	e.handles[h] = handle{head: k, tail: k, n: 1, refs: 1}
	e.vms[vmi].holds++
	return h
}

func (e *engine) share(s src) src {
	if s.h >= 0 {
		e.handles[s.h].refs++
	}
	return s
}

func (e *engine) dropSrc(fi int32) {
	if h := e.frames[fi].src.h; h >= 0 {
		e.frames[fi].src.h = -1
		e.unref(h)
	}
}

func (e *engine) unref(h int32) {
	hd := &e.handles[h]
	hd.refs--
	if hd.refs > 0 {
		return
	}
	if hd.refs < 0 {
		e.fail("handle %d released twice", h)
		return
	}
	e.freeHandles = append(e.freeHandles, h)
	for k := hd.head; k >= 0; k = e.holders[k].next {
		e.freeHolders = append(e.freeHolders, k)
		vmi := e.holders[k].vm
		e.vms[vmi].holds--
		e.tryRelease(vmi)
	}
}

// merge moves the senders of handle h into *dst (one fan-in handle), dropping h.
func (e *engine) merge(dst *int32, h int32) {
	if *dst < 0 {
		*dst = h
		return
	}
	d, hd := &e.handles[*dst], &e.handles[h]
	if hd.refs != 1 {
		panic("sim: merging a shared handle")
	}
	// Splice h's holders onto d's; the VMs' holds move with them.
	e.holders[d.tail].next = hd.head
	d.tail = hd.tail
	d.n += hd.n
	hd.refs = 0
	e.freeHandles = append(e.freeHandles, h)
}

// beginPull adds slot si to its sender's pullers; the other pullers' shares change with it.
func (e *engine) beginPull(si int32) {
	sv := e.slots[si].sender
	if ps := e.vms[sv].ps; ps >= 0 {
		e.advance(&e.pulls[ps])
	}
	v := &e.vms[sv]
	for o := v.pullers; o >= 0; o = e.slots[o].pnext {
		e.touchPuller(e.slots[o].vm)
	}
	e.link(si)
	v.npull++
	switch {
	case v.ps >= 0:
		e.pulls[v.ps].rate = e.plat.VMNetworkBps / float64(v.npull)
		e.touch(sv) // its next puller completion moves
		if e.lazyOK(si) {
			e.toLazy(si)
		}
	case v.npull >= e.lazyK && v.state == vmBusy: // a stopped VM has no events to track pulls by
		e.startLazy(sv)
	}
}

func (e *engine) endPull(si int32) {
	s := &e.slots[si]
	sv := s.sender
	if ps := e.vms[sv].ps; ps >= 0 {
		e.advance(&e.pulls[ps])
	}
	if s.pprev != pullDue {
		e.unlink(si)
	}
	v := &e.vms[sv]
	v.npull--
	e.slots[si].sender = -1
	for o := v.pullers; o >= 0; o = e.slots[o].pnext {
		e.touchPuller(e.slots[o].vm)
	}
	if v.ps >= 0 {
		e.touch(sv)
		if v.npull < e.lazyK {
			e.stopLazy(sv)
		} else {
			e.pulls[v.ps].rate = e.plat.VMNetworkBps / float64(v.npull)
		}
	}
}

// link makes slot si the first of its sender's list of pullers.
func (e *engine) link(si int32) {
	s := &e.slots[si]
	v := &e.vms[s.sender]
	s.pprev, s.pnext = -1, v.pullers
	if v.pullers >= 0 {
		e.slots[v.pullers].pprev = si
	}
	v.pullers = si
}

func (e *engine) unlink(si int32) {
	s := &e.slots[si]
	v := &e.vms[s.sender]
	if s.pprev >= 0 {
		e.slots[s.pprev].pnext = s.pnext
	} else {
		v.pullers = s.pnext
	}
	if s.pnext >= 0 {
		e.slots[s.pnext].pprev = s.pprev
	}
}

// Many pullers of one sender. Every puller's rate depends on its sender's puller count, so with
// the rates kept per puller, each puller that starts or ends rerates (and reschedules) all the
// others: a Map of N items pulling from one sender cost O(N^2) time, and the rescheduled
// completions left O(N^2) stale events in the heap (10,000 items: 24 s and 3.2 GiB). A sender
// with lazyPullers pullers or more therefore tracks the pullers whose rate is its share itself,
// as processor sharing is usually simulated: a virtual clock vt counts the bytes each of them
// has received since the sender switched, a puller (slot.res resPull) holds its finish on that
// clock in slot.rem, and the sender's own event is its next puller's finish. A puller that starts
// or ends then costs O(log N), plus a pass over the pullers still rated one by one (those whose
// own VM or connections limit them below the share).
//
// The share binds a puller, and so its rate is exactly the share VMNetworkBps / npull that
// rateAll would give it, when its other limits are at least VMNetworkBps / lazyPullers: one
// connection (a pull has one sender) at ConnectionBps, and at most lazyPullers transfers in its
// VM. lazyOK checks this on entry and rateAll when the puller's VM gains transfers. Below
// lazyPullers pullers the sender keeps the per-puller rates: the rerating pass is then short,
// and the results are unchanged from the engine before this (floating-point sums in another
// order would change the last bits). The two forms agree within rounding
// (TestLazyPullersMatchEager).
const lazyPullers = 256

// pullState is a sender's virtual clock and its lazily tracked pullers.
type pullState struct {
	vt   float64 // bytes received by each share-bound puller since the sender switched
	rate float64 // the share: VMNetworkBps / npull
	t    float64 // when vt was last brought up to date
	heap []int32 // resPull slots, a binary min-heap on (finish, slot id); slot.pprev is the index
}

// advance brings a sender's virtual clock up to now.
func (e *engine) advance(ps *pullState) {
	ps.vt += ps.rate * (e.now - ps.t)
	ps.t = e.now
}

// startLazy moves sender sv's pullers whose rate is its share to its virtual clock. Its pullers
// were all touched in this event.
func (e *engine) startLazy(sv int32) {
	pi := alloc(&e.pulls, &e.freePulls, pullState{})
	ps := &e.pulls[pi]
	*ps = pullState{rate: e.plat.VMNetworkBps / float64(e.vms[sv].npull), t: e.now, heap: ps.heap[:0]}
	e.vms[sv].ps = pi
	for o := e.vms[sv].pullers; o >= 0; {
		next := e.slots[o].pnext
		if e.lazyOK(o) {
			e.toLazy(o)
		}
		o = next
	}
	e.touch(sv)
}

// stopLazy gives every lazily tracked puller of sender sv its own rate again.
func (e *engine) stopLazy(sv int32) {
	pi := e.vms[sv].ps
	ps := &e.pulls[pi]
	e.advance(ps)
	for len(ps.heap) > 0 {
		e.fromLazy(ps.heap[len(ps.heap)-1], true)
	}
	e.vms[sv].ps = -1
	e.freePulls = append(e.freePulls, pi)
}

// lazyOK says whether puller si (touched in this event) may be tracked by its sender: its share
// binds it whatever the sender's puller count above lazyPullers (see lazyPullers).
func (e *engine) lazyOK(si int32) bool {
	s := &e.slots[si]
	p := e.plat
	if s.res != resNet || s.rem <= 0 || p.ConnectionBps*float64(s.nsend) < p.VMNetworkBps/float64(e.lazyK) {
		return false
	}
	n := int32(0)
	for _, o := range e.active(&e.vms[s.vm]) {
		if r := e.slots[o].res; r == resNet || r == resPull {
			n++
		}
	}
	return n <= e.lazyK
}

// toLazy moves puller si from the sender's list to its heap. Its rate and its VM's other
// transfers' shares are unchanged (it stays one of the VM's transfers), but its VM's next event
// no longer counts it.
func (e *engine) toLazy(si int32) {
	e.unlink(si)
	s := &e.slots[si]
	ps := &e.pulls[e.vms[s.sender].ps]
	s.rem += ps.vt
	s.rate, s.res = 0, resPull
	e.touch(s.vm)
	e.vms[s.vm].changed |= 1 << resNet
	ps.heap = append(ps.heap, si)
	e.pullUp(ps, int32(len(ps.heap)-1))
}

// fromLazy gives lazily tracked puller si its own rate again: back in its sender's list, with its
// remaining bytes. The sender's clock must be up to date. touchVM is false only when its VM is
// being rerated.
func (e *engine) fromLazy(si int32, touchVM bool) {
	sv := e.slots[si].sender
	e.leaveLazy(si, touchVM)
	e.link(si)
	e.touch(sv)
}

// leaveLazy takes slot si off its sender's virtual clock: its pull is rated one by one again
// from now, by its VM's next rerate.
func (e *engine) leaveLazy(si int32, touchVM bool) {
	s := &e.slots[si]
	ps := &e.pulls[e.vms[s.sender].ps]
	e.pullRemove(ps, s.pprev)
	if touchVM {
		e.touch(s.vm)
	}
	s = &e.slots[si]
	s.rem -= ps.vt
	s.rate, s.res = 1, resNet
	e.vms[s.vm].changed |= 1 << resNet
}

// duePulls, at sender vi's event, hands every lazily tracked puller whose pull is complete back
// to its VM, whose event (at this time) then ends the pull.
func (e *engine) duePulls(vi int32) {
	ps := &e.pulls[e.vms[vi].ps]
	e.advance(ps)
	tol := 1e-9 + e.now*1e-15 // as in progress
	for len(ps.heap) > 0 {
		si := ps.heap[0]
		if e.slots[si].rem-ps.vt > ps.rate*tol {
			break
		}
		e.handBack(si)
	}
}

// pullDue in slot.pprev marks a puller handed back complete by duePulls: out of its sender's
// list, so that the other pullers' ends at this instant do not rerate it again.
const pullDue = -2

// handBack is fromLazy for a puller whose pull is complete: its VM's event at this time ends it.
func (e *engine) handBack(si int32) {
	sv := e.slots[si].sender
	e.leaveLazy(si, true)
	s := &e.slots[si]
	s.pprev, s.pnext = pullDue, -1
	e.touch(sv)
}

// nextPull is the time from now to sender v's next lazily tracked puller completion (+Inf if
// none).
func (e *engine) nextPull(v *vm) float64 {
	ps := &e.pulls[v.ps]
	if len(ps.heap) == 0 {
		return math.Inf(1)
	}
	e.advance(ps)
	return (e.slots[ps.heap[0]].rem - ps.vt) / ps.rate
}

func (e *engine) pullLess(a, b int32) bool {
	ra, rb := e.slots[a].rem, e.slots[b].rem
	return ra < rb || ra == rb && a < b
}

func (e *engine) pullSet(ps *pullState, i, si int32) {
	ps.heap[i] = si
	e.slots[si].pprev = i
}

func (e *engine) pullUp(ps *pullState, i int32) {
	si := ps.heap[i]
	for i > 0 {
		p := (i - 1) / 2
		if !e.pullLess(si, ps.heap[p]) {
			break
		}
		e.pullSet(ps, i, ps.heap[p])
		i = p
	}
	e.pullSet(ps, i, si)
}

func (e *engine) pullDown(ps *pullState, i int32) {
	si := ps.heap[i]
	n := int32(len(ps.heap))
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && e.pullLess(ps.heap[c+1], ps.heap[c]) {
			c++
		}
		if !e.pullLess(ps.heap[c], si) {
			break
		}
		e.pullSet(ps, i, ps.heap[c])
		i = c
	}
	e.pullSet(ps, i, si)
}

// pullRemove removes the slot at index i of a sender's heap.
func (e *engine) pullRemove(ps *pullState, i int32) {
	n := int32(len(ps.heap)) - 1
	last := ps.heap[n]
	ps.heap = ps.heap[:n]
	if i == n {
		return
	}
	e.pullSet(ps, i, last)
	e.pullDown(ps, i)
	e.pullUp(ps, e.slots[last].pprev)
}
