package sim

// This file holds an invocation's life: the work of each phase drawn when it starts, its phases
// stepped through as the VM's events report them complete, and its end, which writes its
// records.Invocation and finishes its frame.

import (
	"strconv"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/records"
)

// runTask starts the invocation of frame fi's function in VM vi.
func (e *engine) runTask(fi, vi int32) {
	f := &e.frames[fi]
	run := &e.runs[f.run]
	fn := &e.c.fns[e.c.nodes[f.node].fn]
	r := run.rng
	p := e.plat
	si := e.newSlot()
	s := &e.slots[si]
	*s = slot{frame: fi, vm: vi, phase: -1, sender: -1, nsend: 1, t0: e.now, start: e.now, live: true}
	var skew float64
	if fn.skewByIndex {
		skew = 1
		if !fn.skew.unset {
			info := &e.c.fnInfo[e.c.nodes[f.node].fn]
			skew = info.skewDist.Quantile(dag.ItemUniform(info.name, int(f.item)))
		}
	} else {
		skew = fn.skew.factor(r, e.c.quant)
	}
	if e.skewHook != nil {
		skew = e.skewHook(f.item)
	}
	factor := skew * run.factors[e.c.nodes[f.node].fn-run.fnBase]
	s.amt[phSerial] = fn.serial.sample(r, e.c.quant) * factor
	s.amt[phParallel] = fn.parallel.sample(r, e.c.quant) * factor
	in := fn.in.sample(r, e.c.quant)
	s.in, s.out = in, fn.out.sample(r, e.c.quant)
	kind := f.src.kind
	if kind == srcPayload && in > p.PayloadLimitBytes {
		kind = srcRemote
	}
	if in > 0 {
		switch kind {
		case srcRemote:
			s.amt[phInLat], s.amt[phIn], s.inRes = (p.StorageGetLatency+fn.extraLat)*fn.inReq, in, resNet
			s.usd += p.GetUSD * fn.inReq
			if e.replay {
				e.record(f.run, in) // the activity's input, recorded in the orchestrator's history
			}
			if o := p.OffloadBytes; o > 0 && in > o {
				// Too large for a queue message: the input is read from a blob as well.
				s.amt[phInLat] += p.BlobGetLatency
				s.usd += p.BlobGetUSD
			}
		case srcLocal:
			s.amt[phIn], s.inRes = in/p.LocalBps, resTimer
		case srcDirect, srcPayload:
			hd := &e.handles[f.src.h]
			s.amt[phIn], s.inRes, s.nsend = in, resNet, hd.n
			if kind == srcDirect {
				s.amt[phInLat] = p.DirectSetup()
			}
			if hd.n == 1 {
				s.sender = e.holders[hd.head].vm
			}
		}
	}
	v := &e.vms[vi]
	if e.coldVM == vi {
		s.cold, s.init, s.start = true, v.init, v.acqStart
	}
	if e.keep && v.acq >= 0 && !e.guest(fi, vi) {
		e.acqs[v.acq].n++
	}
	e.touch(vi)
	e.addActive(vi, si)
	e.nextPhase(si, true)
}

// nextPhase moves slot si to its next phase with work to do, running each phase's entry hook on
// the way. With sync set (the invocation is being started) it never finishes the slot: an empty
// invocation waits in a zero-length timer, so its completion comes from an event.
func (e *engine) nextPhase(si int32, sync bool) {
	s := &e.slots[si]
	if s.phase == phIn && s.sender >= 0 {
		e.endPull(si)
		s = &e.slots[si]
	}
	for {
		s.phase++
		switch s.phase {
		case phSerial:
			s.tIn = e.now
			e.dropSrc(s.frame)
			s = &e.slots[si]
		case phOutLat:
			s.tComp = e.now
			e.planOutput(si)
			s = &e.slots[si]
		case phDone:
			if sync {
				s.phase = phOut
				e.place(si, resTimer, 0, 0, 0)
				return
			}
			e.finishTask(si)
			return
		}
		amt := s.amt[s.phase]
		if amt <= 0 {
			continue
		}
		switch s.phase {
		case phInLat, phOutLat:
			e.place(si, resTimer, amt, 0, 0)
		case phIn:
			e.place(si, s.inRes, amt, 0, 0)
			if e.slots[si].sender >= 0 {
				e.beginPull(si)
			}
		case phSerial:
			e.place(si, resCPU, amt, 1, 0)
		case phParallel:
			fn := &e.c.fns[e.c.nodes[e.frames[s.frame].node].fn]
			e.place(si, resCPU, amt, fn.threads, fn.oversub)
		case phOut:
			e.place(si, s.outRes, amt, 0, 0)
		}
		return
	}
}

// progress handles VM vi's event: every slot whose phase is complete moves on.
func (e *engine) progress(vi int32) {
	// touch and the search for completed phases in one pass over the VM's entries, newest first.
	v := &e.vms[vi]
	if v.ps >= 0 {
		e.duePulls(vi)
		v = &e.vms[vi]
	}
	dt := e.now - v.last
	v.last = e.now
	if !v.dirty {
		v.dirty = true
		e.dirty = append(e.dirty, vi)
	}
	tol := 1e-9 + e.now*1e-15 // seconds of remaining time that count as done (rounding)
	e.scratch = e.scratch[:0]
	ids := e.active(v)
	for i := len(ids) - 1; i >= 0; i-- {
		s := &e.slots[ids[i]]
		s.rem -= s.rate * dt
		if s.rem <= s.rate*tol {
			e.scratch = append(e.scratch, ids[i])
		}
	}
	for i := 0; i < len(e.scratch); i++ {
		si := e.scratch[i]
		s := &e.slots[si]
		if !s.live || s.vm != vi {
			continue
		}
		if s.phase == phInit {
			fi := s.frame
			s.live = false
			e.removeActive(vi, si)
			e.freeLater = append(e.freeLater, si)
			e.bodyAfterInit(fi, vi, true)
			continue
		}
		e.nextPhase(si, false)
	}
}

func (e *engine) finishTask(si int32) {
	s := &e.slots[si]
	if !s.live {
		e.fail("invocation slot %d ended twice", si)
		return
	}
	s.live = false
	fi, vi := s.frame, s.vm
	f := &e.frames[fi]
	r := &e.runs[f.run]
	v := &e.vms[vi]
	r.invs++
	if s.cold {
		r.colds++
	}
	r.usd += s.usd
	r.lastEnd = max(r.lastEnd, e.now)
	part, acq := 0.0, v.acq
	if v.rt > 0 && e.rts[v.rt-1].shared {
		// Billed now, by its part of the runtime (runtime.go); a guest has no acquisition.
		if e.guest(fi, vi) {
			acq = -1
		}
		part = e.billPart(si)
		v = &e.vms[vi]
	}
	if e.keep {
		nd := &e.c.nodes[f.node]
		invs, invAcq := &e.invs, &e.invAcq
		if e.onRun != nil {
			invs, invAcq = &r.recs, &r.recAcq
		}
		*invs = append(*invs, records.Invocation{Run: int(r.index), Step: e.c.info[f.node].step, Function: e.c.fnInfo[nd.fn].name,
			Item: int(f.item), Outer: e.outerItem(fi), Bundle: int(f.bundle), VM: int(v.id), MemoryMB: e.c.tmpls[v.tmpl].memMB,
			Cold: s.cold, Start: s.start, Init: s.init, Download: s.tIn - s.t0, Compute: s.tComp - s.tIn,
			Upload: e.now - s.tComp, InBytes: s.in, OutBytes: s.out, End: e.now, Cost: s.usd + part, TimedOut: s.stopped})
		*invAcq = append(*invAcq, acq)
	}
	e.touch(vi)
	e.removeActive(vi, si)
	e.freeLater = append(e.freeLater, si)
	e.done(fi)
}

// outerItem is Invocation.Outer for frame fi: the items of the Maps enclosing its own Map,
// outermost first, separated by records.OuterSep ("" when there is none). Each map frame
// inherited the item of the Map iteration it runs in; the outermost Map's frame runs in none, so
// its item is not one of them. Only invocations in Maps nested in Maps allocate their text.
func (e *engine) outerItem(fi int32) string {
	items := e.outerItems[:0]
	for p := e.frames[fi].parent; p >= 0; p = e.frames[p].parent {
		if e.frames[p].kind == nMap {
			items = append(items, e.frames[p].item)
		}
	}
	e.outerItems = items
	if len(items) < 2 {
		return ""
	}
	buf := e.outerBuf[:0]
	for k := len(items) - 2; k >= 0; k-- {
		if k < len(items)-2 {
			buf = append(buf, records.OuterSep)
		}
		buf = strconv.AppendInt(buf, int64(items[k]), 10)
	}
	e.outerBuf = buf
	return string(buf)
}
