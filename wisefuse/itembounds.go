// Items' phases summed up for the lower bound of their bundles: psBound.add walks every phase
// of every item at every VM size, spill and bundle a preparation bounds (video: 300 runs of 30
// items of about 11 phases, at about 26 sizes and several bundles), yet only the CPU phases'
// times depend on the VM.

package wisefuse

import (
	"math"
	"slices"

	"github.com/wisefuse/wisefuse/platform"
)

// maxBoundKinds is the most kinds of CPU phase (cap, oversub) the items of a Map may have for
// their bounds to come from their sums (itemBounds); with more, bounds walk the phases.
const maxBoundKinds = 4

// itemBounds holds, for each item of a Map (at one profiled size, with given storage flags, or
// spilled), what psBound.add gathers of its phases that does not depend on the VM: its time
// outside CPU phases, before them and after them, and its bytes (itemSum), and its CPU work per
// kind: item j's is work[j*len(kinds):][:len(kinds)]. A spilled item's payload transfer, which a
// slowdown scales (replaySpill), is left out of them: pay[j] holds its bytes, and usd[j] the
// item's storage requests' price (both nil for unspilled items). Alone, an item takes rest plus
// each kind's work at min(cap, share) times the kind's oversubscription efficiency there:
// psBound.add's sum, added in another order (lazyOption's margin covers the rounding). Where a
// kind spins (oversub), blocks and pre hold what sharingBound reads of each item's phases.
//
// Sums are made from the items' phases, built one item at a time: a preparation bounds every
// option that replays bundles and replays none, so it never keeps the phases (video's took
// 50 MB), and the searches keep those of the Maps they replay.
type itemBounds struct {
	net      float64 // the transfers' rate
	kinds    []cpuKind
	sums     []itemSum
	work     []float64
	pay, usd []float64
	// blocks holds each item's last run of CPU phases and what comes before it (itemBlock), pre
	// the CPU work before it per kind (as work); nil unless some kind spins.
	blocks []itemBlock
	pre    []float64
}

// itemBlock is an item's last run of CPU phases: its work and its kinds (bit k for kinds[k]),
// the waits and bytes before it (a spilled item's payload left out, as from itemSum), the least
// cap of the item's CPU phases, and whether one of them spins.
type itemBlock struct {
	work, wait, bytes, minCap float64
	kinds                     uint8
	spins                     bool
}

// itemSum is an item's time outside CPU phases (waits, and transfers at the best rate a transfer
// gets, min(connection, VM)), that time before its first CPU phase (-1: it has none) and after
// its last, and its bytes.
type itemSum struct{ rest, lead, tail, bytes float64 }

// sumsKey names the sums of a Map's items at one profiled size (items): unspilled, with their
// storage flags, or spilled, their input from storage or not (remoteIn).
type sumsKey struct {
	items                        *itemSamples
	remoteIn, remoteOut, spilled bool
}

// mapSums returns the sums of the items of a narrow Map (items, its iterator's tasks fns) run
// side by side with the given storage flags (replay), made once; nil when bounds must walk the
// phases (sumItems) or the Map is too wide to keep.
func (ps *psSim) mapSums(m *Model, items *itemSamples, fns []string, remoteIn, remoteOut bool) *itemBounds {
	k := sumsKey{items: items, remoteIn: remoteIn, remoteOut: remoteOut}
	if k == ps.lastSumsKey { // before making the builder, which is dear for every bound
		return ps.lastSums
	}
	return ps.sumsOf(k, func(n int, net float64) *itemBounds {
		fd := m.fnDataOf(nil, fns)
		return sumItems(n, net, false, func(buf []psPhase, j int) ([]psPhase, int, float64) {
			return m.itemPhases(buf, items, fd, j, remoteIn, remoteOut), -1, 0
		})
	})
}

// spillSums returns the sums of the items of a Map run as spilled chains (replaySpill), made once;
// nil as mapSums.
func (ps *psSim) spillSums(m *Model, items *itemSamples, fns []string, fromStorage bool) *itemBounds {
	k := sumsKey{items: items, remoteIn: fromStorage, spilled: true}
	if k == ps.lastSumsKey { // as in mapSums
		return ps.lastSums
	}
	return ps.sumsOf(k, func(n int, net float64) *itemBounds {
		fd := m.fnDataOf(nil, fns)
		return sumItems(n, net, true, func(buf []psPhase, j int) ([]psPhase, int, float64) {
			ph, usd, x := ps.spillItem(buf, m, items, fns, fd, j, fromStorage, 1)
			return ph, x, usd
		})
	})
}

// sumsOf returns the sums of key k (not the last asked for), made by build (of the key's n
// items, transfers at rate net) if nobody has, and remembers them as the last.
func (ps *psSim) sumsOf(k sumsKey, build func(n int, net float64) *itemBounds) *itemBounds {
	var ib *itemBounds
	if n := k.items.runStart[len(k.items.runStart)-1]; n <= maxCachedItems {
		if ps.sums == nil {
			ps.sums = &onceMap[sumsKey, *itemBounds]{}
		}
		ib = ps.sums.get(k, func() *itemBounds { return build(n, min(ps.connBps, ps.vmBps)) })
	}
	ps.lastSumsKey, ps.lastSums = k, ib
	return ib
}

// sumItems sums up n items for transfers at rate net, item appending item j's phases to buf and
// returning them, the index among them of its payload transfer (-1: none) and, for spilled
// items, its storage requests' price. The kinds are those of the first item with CPU phases (a
// Map's items are chains of the same functions, so they have the same). It returns nil when a
// cap is not positive, when there are more than maxBoundKinds kinds or an item has one the first
// did not, or when a payload transfer comes after a CPU phase.
func sumItems(n int, net float64, spilled bool, item func(buf []psPhase, j int) ([]psPhase, int, float64)) *itemBounds {
	ib := &itemBounds{net: net}
	var buf []psPhase
	for j := 0; j < n && len(ib.kinds) == 0; j++ {
		buf, _, _ = item(buf[:0], j)
		for k := range buf {
			if p := &buf[k]; !p.isNet() && p.cap != 0 {
				if !(p.cap > 0) {
					return nil
				}
				if c := (cpuKind{p.cap, p.oversub}); !slices.Contains(ib.kinds, c) {
					if len(ib.kinds) == maxBoundKinds {
						return nil
					}
					ib.kinds = append(ib.kinds, c)
				}
			}
		}
	}
	nk := len(ib.kinds)
	ib.sums, ib.work = make([]itemSum, n), make([]float64, n*nk)
	if spilled {
		ib.pay, ib.usd = make([]float64, n), make([]float64, n)
	}
	if slices.ContainsFunc(ib.kinds, func(c cpuKind) bool { return c.oversub > 0 }) {
		ib.blocks, ib.pre = make([]itemBlock, n), make([]float64, n*nk)
	}
	for j := range n {
		var pay int
		var usd float64
		buf, pay, usd = item(buf[:0], j)
		if spilled {
			ib.usd[j] = usd
		}
		s, work := &ib.sums[j], ib.work[j*nk:(j+1)*nk]
		t, lead, tailFrom := 0.0, -1.0, 0.0
		for k, p := range buf {
			switch {
			case k == pay && spilled:
				if lead >= 0 {
					return nil
				}
				ib.pay[j] = p.amount
			case p.isNet():
				t += p.amount / net
				s.bytes += p.amount
			case p.cap == 0:
				t += p.amount
			default:
				if lead < 0 {
					lead = t
				}
				x := slices.Index(ib.kinds, cpuKind{p.cap, p.oversub})
				if x < 0 {
					return nil
				}
				work[x] += p.amount
				tailFrom = t
			}
		}
		s.rest, s.lead = t, lead
		if lead >= 0 {
			s.tail = t - tailFrom
			if ib.blocks != nil {
				ib.addBlock(j, buf, pay)
			}
		}
	}
	return ib
}

// addBlock sets item j's itemBlock and pre from its phases ph, which have CPU phases, of ib's
// kinds (its payload transfer, if any, at index pay, left out).
func (ib *itemBounds) addBlock(j int, ph []psPhase, pay int) {
	nk := len(ib.kinds)
	bl, pre := &ib.blocks[j], ib.pre[j*nk:(j+1)*nk]
	bl.minCap = math.Inf(1)
	from := -1
	for k := range ph {
		if p := &ph[k]; p.cap > 0 {
			bl.minCap = min(bl.minCap, p.cap)
			bl.spins = bl.spins || p.oversub > 0
			if from < 0 || k > 0 && ph[k-1].cap <= 0 {
				from = k
			}
		}
	}
	for k, p := range ph[:from] {
		switch {
		case k == pay:
		case p.isNet():
			bl.bytes += p.amount
		case p.cap == 0:
			bl.wait += p.amount
		default:
			pre[slices.Index(ib.kinds, cpuKind{p.cap, p.oversub})] += p.amount
		}
	}
	for _, p := range ph[from:] {
		if !(p.cap > 0) {
			break
		}
		bl.work += p.amount
		bl.kinds |= 1 << slices.Index(ib.kinds, cpuKind{p.cap, p.oversub})
	}
}

// boundItems is lowerBound for items [b, e) of ib on vcpu (ps.bound set): the bound psBound
// makes of them, their payload transfers (spilled items') slow times longer.
func (ps *psSim) boundItems(ib *itemBounds, b, e int, vcpu platform.Cores, slow float64) float64 {
	r := &ps.recip
	if r.of != ib || r.vcpu != vcpu {
		r.set(ps, ib, vcpu)
	}
	per, perNet := &r.per, r.net
	nk := len(ib.kinds)
	alone, work, bytes := 0.0, 0.0, 0.0
	lead, tail, seen := 0.0, 0.0, false
	sums, w := ib.sums[b:e], ib.work[b*nk:e*nk]
	var pay []float64
	if ib.pay != nil {
		pay = ib.pay[b:e]
	}
	for i := range sums {
		s := &sums[i]
		t, l, by := s.rest, s.lead, s.bytes
		if pay != nil {
			a := pay[i] * slow
			t += a * perNet
			by += a
			if l >= 0 {
				l += a * perNet
			}
		}
		// The commonest kinds, one (a function's serial work) and two (serial and parallel work),
		// written out: the loop's overhead was 30% of the bound's instructions.
		switch {
		case ib.blocks != nil:
			// Some kind spins: its work counts 1/efficiency times (psBound.add).
			for k := range nk {
				a := w[i*nk+k]
				t += a * per[k]
				work += a * r.inv[k]
			}
		case nk == 1:
			t += w[i] * per[0]
			work += w[i]
		case nk == 2:
			a0, a1 := w[2*i], w[2*i+1]
			t += a0*per[0] + a1*per[1]
			work += a0 + a1
		default:
			for k := range nk {
				a := w[i*nk+k]
				t += a * per[k]
				work += a
			}
		}
		alone = max(alone, t)
		bytes += by
		switch {
		case l < 0:
		case !seen:
			lead, tail, seen = l, s.tail, true
		default:
			lead, tail = min(lead, l), min(tail, s.tail)
		}
	}
	lb := ps.boundEnd(alone, lead, work, tail, bytes, vcpu)
	if ib.blocks == nil || e-b < 2 || !slices.ContainsFunc(ib.blocks[b:e], func(bl itemBlock) bool { return bl.spins }) {
		return lb
	}
	return max(lb, ps.sharedItems(ib, b, e, vcpu, slow, lb, tail))
}

// sharedItems is sharingBound for items [b, e) of ib, from their blocks (slow as boundItems'; lb
// and tail as sharingBound's).
func (ps *psSim) sharedItems(ib *itemBounds, b, e int, vcpu platform.Cores, slow, lb, tail float64) float64 {
	n := e - b
	r := &ps.recip
	nk := len(ib.kinds)
	// What sharingBound takes a byte and each kind's work at before the block: at the fastest
	// (lead) and, in slowestTime, at the slowest.
	slowNet, slowPer := r.slowest(ps, ib, vcpu, n)
	sh := sharing{w: ps.blocks[:0], minCap: math.Inf(1), first: math.Inf(1)}
	defer func() { ps.blocks = sh.w }()
	for i := b; i < e; i++ {
		if ib.sums[i].lead < 0 {
			continue
		}
		bl := &ib.blocks[i]
		for k, c := range ib.kinds {
			if bl.kinds&(1<<k) != 0 && !sh.kind(c) {
				return 0 // a third kind: sharingBound says nothing either
			}
		}
		sh.minCap = min(sh.minCap, bl.minCap)
		by := bl.bytes
		if ib.pay != nil {
			by += ib.pay[i] * slow
		}
		lead, latest := bl.wait+by*r.net, bl.wait+by*slowNet
		for k, a := range ib.pre[i*nk : (i+1)*nk] {
			lead += a * r.per[k]
			latest += a * slowPer[k]
		}
		sh.item(bl.work, lead, latest)
	}
	return ps.sharingEnd(&sh, vcpu, lb, tail)
}

// boundRecip holds the reciprocals of the rates boundItems takes items' work and bytes at: for
// each kind of of's items, of min(cap, share) times its oversubscription efficiency there (per),
// and of that efficiency (inv), and of its transfers' rate. A division per item and kind was most
// of the bounds' time (divisions queue up; products do not), and a product's rounding is a few
// ulps; the reciprocals are kept while the items and the VM stay the same, as a bound's bundles
// come in long series of both.
type boundRecip struct {
	of       *itemBounds
	vcpu     platform.Cores
	net      float64
	per, inv [maxBoundKinds]float64
	// slow[n] holds, once made (bit n of slowMade), the reciprocals of the least rates a
	// transfer and each kind's work get among n items (slowestTime), which sharedItems reads for
	// every bundle of n items.
	slow     [maxSlowItems + 1]slowRecip
	slowMade uint64
}

// slowRecip is what boundRecip keeps for bundles of one item count: the reciprocal of a
// transfer's least rate and of each kind's.
type slowRecip struct {
	net float64
	per [maxBoundKinds]float64
}

// maxSlowItems is the most items of a bundle whose slowest rates boundRecip keeps.
const maxSlowItems = 63

// set makes r the reciprocals of the rates of ib's kinds on vcpu, and of its transfers'.
func (r *boundRecip) set(ps *psSim, ib *itemBounds, vcpu platform.Cores) {
	r.of, r.vcpu, r.net, r.slowMade = ib, vcpu, 1/ib.net, 0
	for k, c := range ib.kinds {
		x, e := min(c.cap, vcpu.Share), 1.0
		if c.oversub > 0 {
			e = ps.spin.Efficiency(x*vcpu.Visible/vcpu.Share, c.cap, c.oversub)
		}
		r.per[k], r.inv[k] = 1/(x*e), 1/e
	}
}

// slowest returns the reciprocals of the least rates a transfer and each kind of ib's work get
// among n items on vcpu (slowestTime's), kept for n up to maxSlowItems (r is ib's on vcpu).
func (r *boundRecip) slowest(ps *psSim, ib *itemBounds, vcpu platform.Cores, n int) (float64, *[maxBoundKinds]float64) {
	if n <= maxSlowItems && r.slowMade&(1<<n) != 0 {
		return r.slow[n].net, &r.slow[n].per
	}
	var s slowRecip
	s.net = 1 / min(ps.connBps, ps.vmBps/float64(n))
	for k, c := range ib.kinds {
		s.per[k] = (1 + ps.contention*float64(n-1)) / ps.spinRate(c.cap, c.oversub, vcpu.Share/float64(n), vcpu)
	}
	if n > maxSlowItems {
		return s.net, &s.per
	}
	r.slow[n], r.slowMade = s, r.slowMade|1<<n
	return s.net, &r.slow[n].per
}
