package platform

import "math"

// Cores is what a VM computes on: a CPU share of Share vCPUs (VCPU), enforced as a quota over the
// Visible cores its guest sees (VisibleCores).
type Cores struct{ Share, Visible float64 }

// Cores returns the Cores of a VM of memoryMB.
func (p *Platform) Cores(memoryMB int) Cores {
	return Cores{Share: p.VCPU(memoryMB), Visible: float64(p.VisibleCores(memoryMB))}
}

// SpinEfficiency is the law of spin-waiting threads (dag.Function.Oversubscription,
// docs/simulator.md "Visible cores and thread oversubscription"), the one the simulator applies
// and the modeler predicts with: a parallel phase of threads threads with exponent g that runs on
// visible cores turns (visible/threads)^g of its CPU share into progress when visible < threads,
// all of it otherwise. visible is the phase's part of its VM's visible cores: a phase given a of
// the VM's Cores c runs on a x c.Visible / c.Share of them, since the quota throttles every core
// alike; so B items bundled in one VM each see 1/B of its cores, and lose more than processor
// sharing alone costs them.
func SpinEfficiency(visible, threads, g float64) float64 {
	if g > 0 && visible < threads {
		return math.Pow(visible/threads, g)
	}
	return 1
}

// SpinMemo is SpinEfficiency with recent results remembered in a small direct-mapped table: the
// shares that reach it take few values (a VM's cores over its computing invocations), and
// math.Pow took a fifth of the time of a bundled ml workflow in the simulator. The same inputs
// give the same result, so it changes no value. The zero value is ready to use.
type SpinMemo struct{ e [64]spinEntry }

type spinEntry struct{ x, g, y float64 }

// Efficiency is SpinEfficiency(visible, threads, g).
func (m *SpinMemo) Efficiency(visible, threads, g float64) float64 {
	if !(g > 0 && visible < threads) {
		return 1
	}
	x := visible / threads
	h := (math.Float64bits(x) ^ math.Float64bits(g)>>1) * 0x9E3779B97F4A7C15
	e := &m.e[h>>(64-6)]
	if e.x != x || e.g != g { // an empty entry has g = 0, which never matches
		*e = spinEntry{x, g, math.Pow(x, g)}
	}
	return e.y
}
