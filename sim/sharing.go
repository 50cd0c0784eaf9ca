package sim

// This file holds how a VM's invocations share it: bringing their remaining work up to the clock,
// and their rates, CPU by max-min fair processor sharing (with contention and oversubscription)
// and network by equal shares of the VM's bandwidth, from which the VM's next event follows.

import (
	"math"
)

// touch brings a VM's slots up to now before something changes its rates, and marks it for
// rerating at the end of the event.
func (e *engine) touch(vi int32) {
	v := &e.vms[vi]
	if dt := e.now - v.last; dt > 0 {
		for _, si := range e.active(v) {
			s := &e.slots[si]
			s.rem -= s.rate * dt
		}
	}
	v.last = e.now
	if !v.dirty {
		v.dirty = true
		e.dirty = append(e.dirty, vi)
	}
}

// touchPuller touches VM vi, one of whose transfers pulls from a sender that just gained or lost a
// puller: its network shares change.
func (e *engine) touchPuller(vi int32) {
	e.touch(vi)
	e.vms[vi].changed |= 1 << resNet
}

func (e *engine) flushDirty() {
	// By index: rerating a VM may touch a sender (a lazily tracked puller leaving its heap).
	for i := 0; i < len(e.dirty); i++ {
		vi := e.dirty[i]
		v := &e.vms[vi]
		v.dirty = false
		if v.state == vmBusy {
			e.rerate(vi)
		}
	}
	e.dirty = e.dirty[:0]
	e.freeSlots = append(e.freeSlots, e.freeLater...)
	e.freeLater = e.freeLater[:0]
}

// rerate gives every slot of VM vi its rate and schedules the VM's next completion.
//
// CPU: the VM's cores (c(m), or its share of a shared instance's: instances.go) are shared max-min fairly (water-filling) among computing slots, each
// demanding 1 core in its serial phase and Threads cores in its parallel phase; every rate is then
// divided by 1 + ContentionPerCoRunner*(n-1) for n computing slots. Network: each transfer gets
// min(ConnectionBps x connections, VMNetworkBps / transfers in this VM, and for a pull from one
// sender VMNetworkBps / that sender's pullers).
//
// Rates are recomputed only for the resources whose entries changed (v.changed). The soonest
// completion is taken with the built-in min, which compiles without a branch to mispredict; it
// differs from a scan with < only by preferring -0 to +0, and no rem / rate is -0 (rem starts at a
// positive amount or +0 and decreases by positive amounts, so it is never -0, and a negative rem
// too small for the quotient to be representable would need work amounts below 1e-300).
func (e *engine) rerate(vi int32) {
	v := &e.vms[vi]
	v.evSeq = 0
	ids := e.active(v)
	var tmin float64
	switch {
	case len(ids) == 0:
		if v.ps < 0 {
			return
		}
		tmin = math.Inf(1)
	case v.changed&(1<<resCPU|1<<resNet) == 0:
		// The rates still hold: only the soonest completion is new.
		tmin = math.Inf(1)
		for _, si := range ids {
			s := &e.slots[si]
			tmin = min(tmin, s.rem/s.rate)
		}
	case len(ids) == 1:
		tmin = e.rateOne(v, &e.slots[ids[0]])
	default:
		tmin = e.rateAll(v, ids)
	}
	v.changed = 0
	if v.ps >= 0 {
		tmin = min(tmin, e.nextPull(v))
	}
	if tmin < 0 {
		tmin = 0
	}
	if tmin == math.Inf(1) {
		return // only lazily tracked pulls: their senders' events end them
	}
	t := e.now + tmin
	if t > MaxTime && v.tmoSeq != 0 && e.now+e.plat.FunctionTimeout < MaxTime {
		// The VM's live timeout (at most FunctionTimeout from now) stops it first, so the
		// phase's end past the clock's limit never comes: work of 10^9 s on a thousandth of a
		// vCPU failed the simulation ("time out of range") instead of timing out. An event at
		// the limit stands in; the timeout makes it stale (evSeq) before it is due.
		t = MaxTime
	}
	e.schedule(t, evVM, vi)
	v.evSeq = e.seq
}

// rateOne is rateAll for a VM running one invocation, a single computation. (The water-filling of
// one slot gives it min(demand, cores), with no contention; one transfer gets the VM's bandwidth.)
func (e *engine) rateOne(v *vm, s *slot) float64 {
	p := e.plat
	switch s.res {
	case resCPU:
		t := &e.c.tmpls[v.tmpl]
		share := min(s.demand, v.cores)
		s.rate = share
		if s.oversub > 0 {
			s.rate *= e.spin.Efficiency(share*t.visPerCore, s.demand, s.oversub)
		}
		if e.deep && share > v.cores*(1+1e-9) {
			e.fail("VM %d allocates %g of its %g cores", v.id, share, v.cores)
		}
	case resNet:
		r := min(p.ConnectionBps*float64(s.nsend), p.VMNetworkBps)
		if s.phase == phIn && s.sender >= 0 {
			r = min(r, p.VMNetworkBps/float64(e.vms[s.sender].npull))
		}
		s.rate = r
	}
	return s.rem / s.rate
}

// rateAll recomputes the rates of VM v's computing slots and of its transfers (ids), each only if
// something they depend on changed, in one pass that also finds the soonest completion.
func (e *engine) rateAll(v *vm, ids []int32) float64 {
	p := e.plat
	t := &e.c.tmpls[v.tmpl]
	cores, visPerCore := v.cores, t.visPerCore
	cpuChanged, netChanged := v.changed&(1<<resCPU) != 0, v.changed&(1<<resNet) != 0
	// Newest first, the order of every sum over the slots (see vm.ids).
	ncpu, nnet, need := 0, 0, 0.0
	for i := len(ids) - 1; i >= 0; i-- {
		switch s := &e.slots[ids[i]]; s.res {
		case resCPU:
			ncpu++
			need += s.demand
		case resNet, resPull:
			nnet++
		}
	}
	if nnet > int(e.lazyK) {
		// Too many transfers here for a sender's share to bind its lazily tracked pullers, if any.
		for _, si := range ids {
			if e.slots[si].res == resPull {
				e.advance(&e.pulls[e.vms[e.slots[si].sender].ps])
				e.fromLazy(si, false)
			}
		}
		netChanged = true
	}
	level, slow := math.Inf(1), 1.0
	if ncpu > 1 {
		slow = 1 / (1 + p.ContentionPerCoRunner*float64(ncpu-1))
	}
	if need > cores {
		level = e.waterLevel(ids, cores, ncpu)
	}
	netShare := p.VMNetworkBps / float64(max(nnet, 1))
	tmin, used := math.Inf(1), 0.0
	for i := len(ids) - 1; i >= 0; i-- {
		s := &e.slots[ids[i]]
		switch s.res {
		case resCPU:
			if !cpuChanged {
				break
			}
			share := min(s.demand, level)
			s.rate = share * slow
			if s.oversub > 0 {
				// Spin-waiting threads on fewer visible cores than threads: efficiency (n/k)^g,
				// n the slot's share of the visible cores (platform.SpinEfficiency).
				s.rate *= e.spin.Efficiency(share*visPerCore, s.demand, s.oversub)
			}
			used += share
		case resNet:
			if !netChanged {
				break
			}
			r := min(p.ConnectionBps*float64(s.nsend), netShare)
			if s.phase == phIn && s.sender >= 0 {
				r = min(r, p.VMNetworkBps/float64(e.vms[s.sender].npull))
			}
			s.rate = r
		}
		tmin = min(tmin, s.rem/s.rate)
	}
	if e.deep && cpuChanged && used > cores*(1+1e-9) {
		e.fail("VM %d allocates %g of its %g cores", v.id, used, cores)
	}
	return tmin
}

// waterLevel is the max-min fair level of n computing slots among ids sharing cores, when their
// demands exceed the cores: each gets min(its demand, level).
func (e *engine) waterLevel(ids []int32, cores float64, n int) float64 {
	level := cores / float64(n)
	if level <= 1 {
		// Every demand is at least 1 core, so none is below the level and the loop below would
		// stop at once with this very level.
		return level
	}
	for {
		left, k := cores, n
		for i := len(ids) - 1; i >= 0; i-- {
			if s := &e.slots[ids[i]]; s.res == resCPU && s.demand < level {
				left -= s.demand
				k--
			}
		}
		next := left / float64(k)
		if next <= level {
			return level
		}
		level = next
	}
}
