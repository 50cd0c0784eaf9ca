package sim

// This file holds direct passing: a handle is output held in sender VMs until every consumer
// has pulled it, and a pull is a transfer registered with its one sender VM, whose bandwidth the
// sender's pullers share.

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
	v := &e.vms[sv]
	for o := v.pullers; o >= 0; o = e.slots[o].pnext {
		e.touchPuller(e.slots[o].vm)
	}
	s := &e.slots[si]
	s.pprev, s.pnext = -1, v.pullers
	if v.pullers >= 0 {
		e.slots[v.pullers].pprev = si
	}
	v.pullers = si
	v.npull++
}

func (e *engine) endPull(si int32) {
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
	v.npull--
	s.sender = -1
	for o := v.pullers; o >= 0; o = e.slots[o].pnext {
		e.touchPuller(e.slots[o].vm)
	}
}
