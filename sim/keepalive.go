package sim

// This file holds the hybrid histogram keep-alive policy (Platform.KeepAlivePolicy "hybrid";
// Shahrad et al., "Serverless in the Wild", ATC 2020, section 4.2). An application is a warm pool
// (one workflow's function group at one size). Its idle time (IT) is the time from the moment its
// last busy VM is released to its next acquisition. Each release sets the VM's windows from the
// histogram of the application's ITs so far: a pre-warm window pw and a keep-alive window ka.
// With pw = 0 the VM stays idle for ka; with pw > 0 it is unloaded at once and a new VM is loaded
// (its cold start paid then, not by an invocation) pw later and kept for ka. An acquisition of
// the application cancels its pending pre-warms: the windows restart from its next release.

import "math"

// hybridApp is one application's histogram and state.
type hybridApp struct {
	bins        []uint32 // ITs in [k bin, (k+1) bin)
	in, oob     int      // ITs inside and beyond the range
	lastIT      float64
	pw, ka      float64 // the current windows
	busy        int32   // its VMs acquired and not released
	seen        bool    // it has been idle once (lastIdle is set)
	lastIdle    float64 // when its last busy VM was released
	prewarms    []prewarm
	nextPending float64 // time of its earliest pending pool event, when pools[t].pending
}

type prewarm struct{ at, ka float64 }

// hybridAcquire records an acquisition of template t: an IT when the application was idle.
func (e *engine) hybridAcquire(t int32) {
	h := &e.hyb[t]
	if h.busy == 0 && h.seen {
		e.observeIT(h, e.now-h.lastIdle)
	}
	h.busy++
	h.prewarms = h.prewarms[:0]
}

// hybridRelease keeps released VM vi idle for its keep-alive window, or unloads it and
// schedules a pre-warm.
func (e *engine) hybridRelease(vi int32) {
	v := &e.vms[vi]
	t := v.tmpl
	h := &e.hyb[t]
	h.busy--
	if h.busy == 0 {
		h.seen, h.lastIdle = true, e.now
	}
	if h.pw > 0 {
		e.freeVM(vi)
		h.prewarms = append(h.prewarms, prewarm{at: e.now + h.pw, ka: h.ka})
	} else {
		v.state, v.evSeq = vmIdle, 0
		v.idleSince, v.expireAt = e.now, e.now+h.ka
		e.pools[t].pushBack(vi)
		e.idleChanged(1, t)
	}
	e.hybridSchedule(t)
}

// hybridTick is template t's pool event: it reclaims the idle VMs whose window has ended and
// loads the pre-warms that are due.
func (e *engine) hybridTick(t int32) {
	d := &e.pools[t]
	for i := 0; i < d.len(); {
		vi := d.buf[d.head+i]
		if e.vms[vi].expireAt <= e.now {
			d.remove(i)
			e.idleChanged(-1, t)
			e.freeVM(vi)
			continue
		}
		i++
	}
	h := &e.hyb[t]
	keep := h.prewarms[:0]
	for _, p := range h.prewarms {
		if p.at > e.now {
			keep = append(keep, p)
			continue
		}
		// A pre-warmed VM pays its cold start now, before any invocation: no DAG invocation is
		// billed for it (the provider's cost, as Azure bills only executions); its memory-time
		// counts as idle. An invocation that takes it before its init ends waits the rest.
		vi := e.newVM(t)
		v := &e.vms[vi]
		init := 0.0
		for _, fn := range e.c.tmpls[t].fns {
			init += e.c.fnInfo[fn].init.sample(e.ownRng, e.c.quant)
		}
		v.state, v.evSeq, v.readyAt = vmIdle, 0, e.now+init
		v.idleSince, v.expireAt = e.now, e.now+p.ka
		d.pushBack(vi)
		e.idleChanged(1, t)
		e.prewarmed++
	}
	h.prewarms = keep
	e.hybridSchedule(t)
}

// hybridSchedule makes sure template t's pool has an event at its next deadline. Events it no
// longer needs stay queued and find nothing to do.
func (e *engine) hybridSchedule(t int32) {
	d := &e.pools[t]
	h := &e.hyb[t]
	next := math.Inf(1)
	for _, vi := range d.buf[d.head:] {
		next = min(next, e.vms[vi].expireAt)
	}
	for _, p := range h.prewarms {
		next = min(next, p.at)
	}
	if math.IsInf(next, 1) || (d.pending && h.nextPending <= next) {
		return
	}
	e.schedule(next, evExpire, t)
	d.pending, h.nextPending = true, next
}

// prewarmWait is what an invocation taking idle VM vi waits for a pre-warm's init still running.
func (e *engine) prewarmWait(vi int32) (cold bool, init float64) {
	if r := e.vms[vi].readyAt; r > e.now {
		return true, r - e.now
	}
	return false, 0
}

// observeIT adds an idle time to h and recomputes its windows (ATC 2020, section 4.2):
//   - fewer than HybridMinSamples ITs, or a histogram whose bin counts have a coefficient of
//     variation below HybridCV (not representative): pw = 0, ka = the range;
//   - more ITs beyond the range than inside it: the last IT is the forecast (the paper fits
//     ARIMA; this is the random-walk forecast, a simplification): pw = IT (1 - margin),
//     ka = IT (1 + margin) - pw;
//   - otherwise head = the lower edge of the bin holding the HybridHead-th percentile, tail = the
//     upper edge of the bin holding the HybridTail-th: pw = head (1 - margin),
//     ka = tail (1 + margin) - pw.
func (e *engine) observeIT(h *hybridApp, it float64) {
	p := e.plat
	nb := len(h.bins)
	if k := int(it / p.HybridBin); it < p.HybridRange && k < nb {
		h.bins[k]++
		h.in++
	} else {
		h.oob++
	}
	h.lastIT = it
	m := p.HybridMargin
	switch {
	case h.in+h.oob < p.HybridMinSamples:
		h.pw, h.ka = 0, p.HybridRange
	case h.oob > h.in:
		h.pw = h.lastIT * (1 - m)
		h.ka = h.lastIT*(1+m) - h.pw
	case binCV(h.bins, h.in) < p.HybridCV:
		h.pw, h.ka = 0, p.HybridRange
	default:
		head := float64(binAt(h.bins, h.in, p.HybridHead)) * p.HybridBin
		tail := float64(binAt(h.bins, h.in, p.HybridTail)+1) * p.HybridBin
		h.pw = head * (1 - m)
		h.ka = tail*(1+m) - h.pw
	}
}

// binCV is the coefficient of variation (population) of the bin counts, which add up to n.
func binCV(bins []uint32, n int) float64 {
	mean := float64(n) / float64(len(bins))
	if mean == 0 {
		return 0
	}
	var ss float64
	for _, c := range bins {
		d := float64(c) - mean
		ss += d * d
	}
	return math.Sqrt(ss/float64(len(bins))) / mean
}

// binAt is the bin holding the pct-th percentile of n counts: the first whose cumulative count
// reaches pct/100 of n (at least one).
func binAt(bins []uint32, n int, pct float64) int {
	want := max(math.Ceil(pct/100*float64(n)), 1)
	cum := 0.0
	for k, c := range bins {
		cum += float64(c)
		if cum >= want {
			return k
		}
	}
	return len(bins) - 1
}
