// Items' phases summed up for the lower bound of their bundles: psBound.add walks every phase
// of every item at every VM size, spill and bundle a preparation bounds (video: 300 runs of 30
// items of about 11 phases, at about 26 sizes and several bundles), yet only the CPU phases'
// times depend on the VM.

package wisefuse

import (
	"slices"
	"sync"

	"github.com/wisefuse/wisefuse/platform"
)

// maxBoundKinds is the most kinds of CPU phase (cap, oversub) the items of a phase cache may have
// for their bounds to come from their sums (itemBounds); with more, bounds walk the phases.
const maxBoundKinds = 4

// itemBounds holds, for each item of a phase cache, what psBound.add gathers of it that does
// not depend on the VM: its time outside CPU phases (waits, and transfers at the best rate a
// transfer gets, min(connection, VM)), that time before its first CPU phase (-1: it has none)
// and after its last, its bytes, and its CPU work per kind. Item j's are v[j*stride:][:stride]:
// rest, lead, tail, bytes, then the work of each of kinds. A spilled item's payload transfer,
// which a slowdown scales (replaySpill), is left out of them: pay[j] holds its bytes (nil: no
// item has one), which the bound adds. Alone, an item takes rest plus each kind's work at
// min(cap, share): psBound.add's sum, added in another order (lazyOption's margin covers the
// rounding).
type itemBounds struct {
	kinds  []cpuKind
	stride int
	v      []float64
	pay    []float64
}

// boundSums makes a phase cache's itemBounds once, on the first bound that asks.
type boundSums struct {
	once sync.Once
	ib   *itemBounds
}

// get returns the sums of the items whose phases are ph[off[j]:off[j+1]], item j's payload
// transfer at index payloadAt[j] among them (-1: none; nil: no item has one), for transfers at
// rate net; nil when bounds must walk the phases (sumPhases).
func (s *boundSums) get(ph []psPhase, off []int, payloadAt []int32, net float64) *itemBounds {
	s.once.Do(func() { s.ib = sumPhases(ph, off, payloadAt, net) })
	return s.ib
}

// sumPhases sums up the items of ph (boundSums.get). The kinds are those of the first item with
// CPU phases (a Map's items are chains of the same functions). It returns nil when a CPU phase
// spins (oversub: its rate then depends on the VM beyond min(cap, share), and the bound of how
// items share the vCPUs, sharingBound, walks the phases), when an item has a kind the first did
// not or there are more than maxBoundKinds, or when a payload transfer comes after a CPU phase.
func sumPhases(ph []psPhase, off []int, payloadAt []int32, net float64) *itemBounds {
	items := len(off) - 1
	ib := &itemBounds{}
	for k := range ph {
		if p := &ph[k]; !p.isNet() && p.cap != 0 {
			if p.oversub != 0 || !(p.cap > 0) {
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
	ib.stride = 4 + len(ib.kinds)
	ib.v = make([]float64, items*ib.stride)
	if payloadAt != nil {
		ib.pay = make([]float64, items)
	}
	for j := range items {
		pay := -1
		if payloadAt != nil {
			pay = int(payloadAt[j])
		}
		v := ib.v[j*ib.stride : (j+1)*ib.stride]
		t, lead, tailFrom := 0.0, -1.0, 0.0
		for k, p := range ph[off[j]:off[j+1]] {
			switch {
			case k == pay:
				if lead >= 0 {
					return nil
				}
				ib.pay[j] = p.amount
			case p.isNet():
				t += p.amount / net
				v[3] += p.amount
			case p.cap == 0:
				t += p.amount
			default:
				if lead < 0 {
					lead = t
				}
				x := 0
				for ib.kinds[x] != (cpuKind{p.cap, p.oversub}) {
					x++
				}
				v[4+x] += p.amount
				tailFrom = t
			}
		}
		v[0], v[1] = t, lead
		if lead >= 0 {
			v[2] = t - tailFrom
		}
	}
	return ib
}

// boundItems is lowerBound for items [b, e) of ib on vcpu (ps.bound set): the bound psBound
// makes of them, their payload transfers (spilled items') slow times longer.
func (ps *psSim) boundItems(ib *itemBounds, b, e int, vcpu platform.Cores, slow float64) float64 {
	// Reciprocals of the rates: a division per item and kind was most of the time (divisions
	// queue up; products do not), and the product's rounding is another few ulps.
	perNet := 1 / min(ps.connBps, ps.vmBps)
	var per [maxBoundKinds]float64
	for k, c := range ib.kinds {
		per[k] = 1 / min(c.cap, vcpu.Share)
	}
	nk, stride := len(ib.kinds), ib.stride
	alone, work, bytes := 0.0, 0.0, 0.0
	lead, tail, seen := 0.0, 0.0, false
	v := ib.v[b*stride : e*stride]
	for j := b; j < e; j, v = j+1, v[stride:] {
		t, l, by := v[0], v[1], v[3]
		if ib.pay != nil {
			a := ib.pay[j] * slow
			t += a * perNet
			by += a
			if l >= 0 {
				l += a * perNet
			}
		}
		for k, a := range v[4 : 4+nk] {
			t += a * per[k]
			work += a
		}
		alone = max(alone, t)
		bytes += by
		switch {
		case l < 0:
		case !seen:
			lead, tail, seen = l, v[2], true
		default:
			lead, tail = min(lead, l), min(tail, v[2])
		}
	}
	return ps.boundEnd(alone, lead, work, tail, bytes, vcpu)
}
