// The bundle replay: the items of a bundle (or of a Map fused with its neighbours) share one VM's
// vCPUs and network by max-min fair processor sharing (psSim).

package wisefuse

import (
	"math"
	"slices"
	"sync"

	"github.com/wisefuse/wisefuse/platform"
)

// psPhase is one phase of a bundled item: a wait (request latency, init or an orchestration gap:
// no shared resource) when cap is 0; a transfer when cap is netCap: bytes that move at most one
// connection's rate and share the VM's network with the other items' transfers; otherwise CPU
// work in core-seconds that can use at most cap vCPUs. (A flag for transfers would make it 32
// bytes, not 24: the phase caches are a planner's largest arrays, and a short process pays for
// every page it touches.)
type psPhase struct {
	amount  float64
	cap     float64
	oversub float64 // the curve's Oversub for a parallel phase: efficiency (rate/cap)^g below cap
}

// netCap is a transfer's cap (psPhase).
const netCap = -1

// netPhase is a transfer of bytes.
func netPhase(bytes float64) psPhase { return psPhase{amount: bytes, cap: netCap} }

// isNet reports whether p is a transfer.
func (p *psPhase) isNet() bool { return p.cap < 0 }

// psSim replays a bundle: B items start together in one VM of c vCPUs; their CPU phases share
// the vCPUs by processor sharing with per-phase caps (max-min fair "water filling"), so when an
// item finishes, the others -- the straggler above all -- get its share at once.
type psSim struct {
	phases [][]psPhase
	// chain and spilled are fused groups' scratch (fusedstages.go): one chain of invocations,
	// and the spilled bundles of a Parallel's Maps.
	chain   []taskRef
	spilled [][]int32
	// loaded and spillLoaded are replayBranches' functions loaded in the group's VM and in a
	// spilled one.
	loaded, spillLoaded []bool
	// spills holds the phases of spilled Map items (spillPhases).
	spills *onceMap[spillKey, *spilledPhases]
	// lastSpillKey and lastSpill are the most recent spills entry: a group's spill replays come
	// in long series with the same key, and hashing the key was 5% of video's preparation.
	lastSpillKey spillKey
	lastSpill    *spilledPhases
	// items are run's items not done yet; order are the computing ones (their places in items)
	// and open water filling's scratch.
	items       []psItem
	order, open []int32
	// contention slows every computing item by 1 + contention*(n-1) with n items computing.
	contention float64
	// connBps and vmBps are one transfer's and the whole VM's network bandwidth (bytes/s).
	connBps, vmBps float64
	// cache holds every item's phases of a narrow Map, built once per profiled size, Map and
	// storage flags (they do not depend on the VM size), in one array.
	cache *onceMap[phaseKey, *itemPhases]
	// lastKey and last are the most recent cache entry: a Map's replays come in long series with
	// the same key, so most skip the map lookup.
	lastKey phaseKey
	last    *itemPhases
	// buf and off hold the phases of a wide Map's bundle (item i's are buf[off[i]:off[i+1]]).
	buf []psPhase
	off []int
	// fd holds the data of the replayed Map's iterator tasks (fnDataOf), branchFD those of a
	// replayed Parallel's functions.
	fd, branchFD []fnData
	// spin is the oversubscription law, remembering recent results: a replay's fair shares take
	// few distinct values.
	spin platform.SpinMemo
	// blocks is sharingBound's scratch (its blocks' work); rates and ratesKey sharedRates' table.
	blocks   []float64
	rates    []float64
	ratesKey ratesKey
	// bound makes run return a lower bound of the replay's end (lowerBound) instead of
	// replaying: what the lazy Pareto pruning of options evaluates first (choices.go). replay
	// and replaySpill bound a Map's items from their sums where they can (itembounds.go).
	bound bool
	// sums holds the items' sums that bounds read instead of their phases (itembounds.go);
	// lastSumsKey and lastSums are its most recent entry, as lastKey and last; recip the
	// reciprocals of the rates of the last bound from sums.
	sums        *onceMap[sumsKey, *itemBounds]
	lastSumsKey sumsKey
	lastSums    *itemBounds
	recip       boundRecip
}

// usePlatform takes the platform's facts a replay uses: co-runner contention and the connection
// and VM network rates.
func (ps *psSim) usePlatform(p *platform.Platform) {
	ps.contention = p.ContentionPerCoRunner
	ps.connBps, ps.vmBps = p.ConnectionBps, p.VMNetworkBps
}

// phaseKey names the phases of one Map's items at one profiled size with given storage flags.
type phaseKey struct {
	size, si            int
	remoteIn, remoteOut bool
}

// onceMap is a map whose values are built once, by the first caller that asks for a key, while
// the others that ask wait for it: a planner's workers share their phase caches through one
// (built per worker, video's took 80 MB twice over, and a short process pays for every page),
// a bundled Map's evaluations (evaluateOptions) and fused groups' step replays (replaysOf). The
// zero value is ready to use and keeps every value. With a budget, it keeps values whose sizes
// add up to at most that: past it, the map is emptied but for the value just built, and what
// was dropped is built again when asked, which costs time, not results (a value is a pure
// function of its key).
type onceMap[K comparable, V any] struct {
	mu     sync.Mutex
	m      map[K]*onceValue[V]
	budget int         // 0: no bound
	size   func(V) int // a value's size, with a budget
	used   int
}

type onceValue[V any] struct {
	once sync.Once
	v    V
}

// get returns k's value, made by build if nobody has.
func (c *onceMap[K, V]) get(k K, build func() V) V {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]*onceValue[V]{}
	}
	e := c.m[k]
	if e == nil {
		e = &onceValue[V]{}
		c.m[k] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		e.v = build()
		if c.budget > 0 {
			n := c.size(e.v)
			c.mu.Lock()
			if c.used += n; c.used > c.budget {
				c.m, c.used = map[K]*onceValue[V]{k: e}, n
			}
			c.mu.Unlock()
		}
	})
	return e.v
}

// itemPhases holds the phases of items: item j's are ph[off[j]:off[j+1]].
type itemPhases struct {
	ph  []psPhase
	off []int
}

// typicalTaskPhases is the phases of an invocation the phase caches reserve room for up front
// (taskPhases makes 2 to 7: init, a transfer's wait and bytes each way, serial and parallel
// work): growing those arrays by appending was 10% of video's preparation.
const typicalTaskPhases = 5

// maxCachedItems bounds the items whose phases psSim keeps: wide Maps replay only a few of their
// bundles (widemaps.go), so their phases are built on the fly.
const maxCachedItems = 1 << 16

// bundle returns the latency of the bundle of items [b, e) from the Map's start and the VM's
// billed seconds: its start-up (its first item's init, itemSamples.initOf), then its items side
// by side.
func (ps *psSim) bundle(m *Model, src *sizeData, si int, fns []string, b, e int, vcpu platform.Cores) (latency, busy float64) {
	items := src.stages[si].items
	busy = items.initOf(b) + ps.replay(m, src, si, fns, b, e, vcpu, true, true)
	return items.gap[b*items.tasks] + busy, busy
}

// replay runs items [b, e) of Map si at profiled size src side by side in one VM of vcpu, once
// the VM has started (itemPhases), and returns when the last one ends. Inside the VM the
// iterator's steps pass data in memory, with no orchestration between them, as in a fusion group. The first step reads its input from remote
// storage when remoteIn, else from memory (the Map is fused after a task in this VM); the last
// step writes to storage when remoteOut, else to memory.
func (ps *psSim) replay(m *Model, src *sizeData, si int, fns []string, b, e int, vcpu platform.Cores, remoteIn, remoteOut bool) float64 {
	items := src.stages[si].items
	ps.usePlatform(m.opts.Platform)
	if ps.bound {
		if ib := ps.mapSums(m, items, fns, remoteIn, remoteOut); ib != nil {
			return ps.boundItems(ib, b, e, vcpu, 1)
		}
	}
	n := e - b
	ps.phases = slices.Grow(ps.phases[:0], n)[:n]
	if total := items.runStart[len(items.runStart)-1]; total <= maxCachedItems {
		k := phaseKey{src.index, si, remoteIn, remoteOut}
		c := ps.last
		if c == nil || k != ps.lastKey {
			if ps.cache == nil {
				ps.cache = &onceMap[phaseKey, *itemPhases]{}
			}
			c = ps.cache.get(k, func() *itemPhases {
				c := &itemPhases{ph: make([]psPhase, 0, total*items.tasks*typicalTaskPhases), off: make([]int, total+1)}
				ps.fd = m.fnDataOf(ps.fd, fns)
				for j := range total {
					c.ph = m.itemPhases(c.ph, items, ps.fd, j, remoteIn, remoteOut)
					c.off[j+1] = len(c.ph)
				}
				return c
			})
		}
		ps.lastKey, ps.last = k, c
		for i := range n {
			lo, hi := c.off[b+i], c.off[b+i+1]
			ps.phases[i] = c.ph[lo:hi:hi]
		}
	} else {
		ps.buf = ps.buf[:0]
		ps.off = append(ps.off[:0], 0)
		ps.fd = m.fnDataOf(ps.fd, fns)
		for i := range n {
			ps.buf = m.itemPhases(ps.buf, items, ps.fd, b+i, remoteIn, remoteOut)
			ps.off = append(ps.off, len(ps.buf))
		}
		for i := range n {
			ps.phases[i] = ps.buf[ps.off[i]:ps.off[i+1]:ps.off[i+1]]
		}
	}
	return ps.run(n, vcpu)
}

// itemPhases appends item j's phases to ph; fd holds the iterator's tasks' data (fnDataOf). They
// leave out the tasks' init: an item runs in a VM with others (a bundle, a fusion group), which
// starts once for them all, before any of them (itemSamples.initOf).
func (m *Model) itemPhases(ph []psPhase, items *itemSamples, fd []fnData, j int, remoteIn, remoteOut bool) []psPhase {
	nt := items.tasks
	for t := range nt {
		k := j*nt + t
		in, out := viaLocal, viaLocal
		if t == 0 && remoteIn {
			in = viaStorage
		}
		if t == nt-1 && remoteOut {
			out = viaStorage
		}
		ph = m.phasesOf(ph, &fd[t], 0, items.down[k], items.scale[k], items.up[k], in, out)
	}
	return ph
}

// fnData is what taskPhases and chainPhases read of a function: its curve, its profiled input and
// output bytes, and the price of its remote read and write (getUSD, putUSD). A replay looks them
// up once for its items, not once per item (the map lookups by name were most of building a wide
// Map's bundles' phases, and a fifth of planning a Map of 10,000 spilled items).
type fnData struct {
	curve Curve
	bytes [2]float64
	usd   [2]float64
}

// fnDataOf writes the data of fns into dst (reusing its array) and returns it.
func (m *Model) fnDataOf(dst []fnData, fns []string) []fnData {
	dst = dst[:0]
	for _, fn := range fns {
		dst = append(dst, fnData{m.curves[fn], m.dataBytes[fn], m.transferUSD(fn)})
	}
	return dst
}

// via is how an invocation in a replay receives its input or passes on its output.
type via uint8

const (
	viaLocal   via = iota // in memory, from or to a step in the same VM
	viaStorage            // remote storage: the profiled transfer
	viaPayload            // a spilled item's invocation payload: the bytes, without the request
)

// taskPhases appends the phases of one invocation of fn to ph: its init, its input, its compute
// (scale times its curve's serial and parallel parts) and its output.
func (m *Model) taskPhases(ph []psPhase, fn string, init, down, scale, up float64, in, out via) []psPhase {
	return m.phasesOf(ph, &fnData{curve: m.curves[fn], bytes: m.dataBytes[fn]}, init, down, scale, up, in, out)
}

// phasesOf is taskPhases for a function of data fd.
func (m *Model) phasesOf(ph []psPhase, fd *fnData, init, down, scale, up float64, in, out via) []psPhase {
	wait := func(w float64) {
		if w > 0 {
			ph = append(ph, psPhase{amount: w})
		}
	}
	pass := func(v via, isIn bool, seconds float64) {
		b := fd.bytes[1]
		if isIn {
			b = fd.bytes[0]
		}
		if v == viaLocal {
			wait(m.localTimeOf(b))
			return
		}
		w, bytes := m.splitTransfer(b, seconds)
		if v == viaStorage || bytes == 0 {
			// A payload of unknown size keeps the whole profiled transfer.
			wait(w)
		}
		if bytes > 0 {
			ph = append(ph, netPhase(bytes))
		}
	}
	wait(init)
	pass(in, true, down)
	curve := &fd.curve
	if curve.Serial > 0 {
		ph = append(ph, psPhase{amount: scale * curve.Serial, cap: 1})
	}
	if curve.Parallel > 0 {
		ph = append(ph, psPhase{amount: scale * curve.Parallel, cap: curve.Threads, oversub: curve.Oversub})
	}
	pass(out, false, up)
	return ph
}

// Phase kinds, one bit each (run gathers the kinds items leave and enter in one mask): what
// decides an item's progress rate in its current phase.
const (
	kindWait uint8 = 1 << iota
	kindNet
	kindCPU
	kindDone
)

func phaseKind(ph []psPhase, cur int) uint8 {
	switch {
	case cur >= len(ph):
		return kindDone
	case ph[cur].isNet():
		return kindNet
	case ph[cur].cap == 0:
		return kindWait
	}
	return kindCPU
}

// run replays n items' phases on vcpu and returns when the last one ends.
//
// Each item progresses at its rate (allocate) until the first phase ends. Rates depend only on
// which items transfer and which compute (and on what), so the transfers' rates are set anew only
// when an item enters or leaves a transfer and the computations' only when one enters or leaves a
// CPU phase: each is a pure function of its set, so this gives the rates allocating anew at every
// phase end would.
func (ps *psSim) run(n int, vcpu platform.Cores) float64 {
	if ps.bound {
		return ps.lowerBound(n, vcpu)
	}
	if n == 1 {
		if t, ok := ps.runAlone(ps.phases[0], vcpu); ok {
			return t
		}
	}
	if n == 2 {
		return ps.runPair(vcpu)
	}
	// The items not done yet, in index order: allocateCPU's water filling subtracts the capped
	// items' rates in that order.
	it := ps.items[:0]
	nNet := 0
	for i := range n {
		var x psItem
		if x.start(ps.phases[i]); x.kind == kindDone {
			continue
		}
		if x.kind == kindNet {
			nNet++
		}
		it = append(it, x)
	}
	now := 0.0
	// changed holds the kinds items left or entered since the last allocation.
	changed := kindNet | kindCPU
	for len(it) > 0 {
		if changed&kindNet != 0 {
			ps.allocateNet(it, nNet)
		}
		if changed&kindCPU != 0 {
			ps.allocateCPU(it, vcpu)
		}
		changed = 0
		dt := math.Inf(1)
		for k := range it {
			if x := &it[k]; x.rate > 0 {
				dt = min(dt, x.left/x.rate)
			}
		}
		if math.IsInf(dt, 1) {
			panic("wisefuse: processor-sharing replay made no progress")
		}
		now += dt
		for k := 0; k < len(it); {
			x := &it[k]
			if x.left -= x.rate * dt; x.left > x.done {
				k++
				continue
			}
			// x.next(), written out (a call is too dear here).
			was := x.kind
			x.cur++
			x.kind = phaseKind(x.ph, x.cur)
			if x.kind != kindDone {
				x.enter()
			}
			changed |= was | x.kind
			nNet += int(x.kind&kindNet)>>1 - int(was&kindNet)>>1
			if x.kind == kindDone {
				copy(it[k:], it[k+1:])
				it = it[:len(it)-1]
				continue
			}
			k++
		}
	}
	ps.items = it
	return now
}

// psItem is one item's state in run and runPair: what is left of its current phase, the rate it
// progresses at, the threshold under which what is left counts as finished, the phase's cap and
// oversub (allocateCPU reads them), the item's phases, the current one and its kind. A finished
// item's rate is 0.
type psItem struct {
	left, rate, done, pcap, pov float64
	ph                          []psPhase
	cur                         int
	kind                        uint8
}

// start sets x at the first of phases ph.
func (x *psItem) start(ph []psPhase) {
	*x = psItem{ph: ph, kind: phaseKind(ph, 0)}
	if x.kind != kindDone {
		x.enter()
	}
}

// next moves x to its next phase and returns the kind of the one it left.
func (x *psItem) next() (was uint8) {
	was = x.kind
	x.cur++
	x.kind = phaseKind(x.ph, x.cur)
	if x.kind == kindDone {
		x.rate = 0
		return was
	}
	x.enter()
	return was
}

// enter takes x's current phase, not a finished one: its cap, oversub, amount and threshold, and
// rate 1, a wait's (allocateNet and allocateCPU set a transfer's or a computation's before it
// is read: the item entered one, so they run).
func (x *psItem) enter() {
	p := &x.ph[x.cur]
	x.pcap, x.pov, x.left = p.cap, p.oversub, p.amount
	x.done = 1e-12 * max(1, p.amount)
	x.rate = 1
}

// runAlone is run for one item, with the same floating-point steps: alone, an item's rate in
// each phase is 1 for a wait, min(connection, VM) for a transfer and min(cap, share) times the
// oversubscription efficiency for CPU work (water filling over one item, no contention), and each
// phase takes one step of left/rate. It reports false (run then replays) if a phase would not
// end in one step, which rounding never causes but a zero rate would. Spilled bundles of one item
// are about half of a fused group's replays.
func (ps *psSim) runAlone(ph []psPhase, vcpu platform.Cores) (float64, bool) {
	now := 0.0
	for k := range ph {
		p := &ph[k]
		var r float64
		switch {
		case p.isNet():
			r = min(ps.connBps, ps.vmBps/1)
		case p.cap == 0:
			r = 1
		default:
			r = vcpu.Share / 1
			if c := p.cap; c <= r {
				r = c
			}
			if g := p.oversub; g > 0 {
				r *= ps.spin.Efficiency(r*vcpu.Visible/vcpu.Share, p.cap, g)
			}
		}
		if !(r > 0) {
			return 0, false
		}
		a := p.amount
		dt := a / r
		if math.IsInf(dt, 1) || a-r*dt > 1e-12*max(1, a) {
			return 0, false
		}
		now += dt
	}
	return now, true
}

// runPair is run for two items, the commonest bundle left after runAlone (video: 429,000 of
// 873,600 replays per preparation), with their state in locals, the loops over the items and the
// water filling of at most two CPU phases written out; every rate, step and sum is computed as
// run computes it, in the same order (TestRunPairMatchesReplay checks bit equality).
func (ps *psSim) runPair(vcpu platform.Cores) float64 {
	var a, b psItem
	a.start(ps.phases[0])
	b.start(ps.phases[1])
	now := 0.0
	changed := kindNet | kindCPU // as in run
	for a.kind != kindDone || b.kind != kindDone {
		if changed&kindNet != 0 {
			k := 0
			if a.kind == kindNet {
				k++
			}
			if b.kind == kindNet {
				k++
			}
			if k > 0 {
				r := min(ps.connBps, ps.vmBps/float64(k))
				if a.kind == kindNet {
					a.rate = r
				}
				if b.kind == kindNet {
					b.rate = r
				}
			}
		}
		if changed&kindCPU != 0 {
			ps.allocatePair(&a, &b, vcpu)
		}
		changed = 0
		// A finished item's rate is 0.
		dt := math.Inf(1)
		if a.rate > 0 {
			dt = min(dt, a.left/a.rate)
		}
		if b.rate > 0 {
			dt = min(dt, b.left/b.rate)
		}
		if math.IsInf(dt, 1) {
			panic("wisefuse: processor-sharing replay made no progress")
		}
		now += dt
		if a.kind != kindDone {
			if a.left -= a.rate * dt; !(a.left > a.done) {
				changed |= a.next() | a.kind
			}
		}
		if b.kind != kindDone {
			if b.left -= b.rate * dt; !(b.left > b.done) {
				changed |= b.next() | b.kind
			}
		}
	}
	return now
}

// allocatePair is allocateCPU for runPair's two items.
func (ps *psSim) allocatePair(a, b *psItem, vcpu platform.Cores) {
	ca, cb := a.kind == kindCPU, b.kind == kindCPU
	switch {
	case ca && cb:
		left := vcpu.Share
		share := left / 2
		openA, openB := true, true
		if a.pcap <= share {
			a.rate, left, openA = a.pcap, left-a.pcap, false
		}
		if b.pcap <= share {
			b.rate, left, openB = b.pcap, left-b.pcap, false
		}
		switch {
		case openA && openB:
			a.rate, b.rate = share, share
		case openA:
			fillOne(a, left)
		case openB:
			fillOne(b, left)
		}
	case ca:
		fillOne(a, vcpu.Share)
	case cb:
		fillOne(b, vcpu.Share)
	default:
		return
	}
	for _, x := range [2]*psItem{a, b} {
		if x.kind == kindCPU {
			if g := x.pov; g > 0 {
				x.rate *= ps.spin.Efficiency(x.rate*vcpu.Visible/vcpu.Share, x.pcap, g)
			}
		}
	}
	if ca && cb && ps.contention > 0 {
		slow := 1 + ps.contention*float64(2-1)
		a.rate /= slow
		b.rate /= slow
	}
}

// fillOne is water filling's last round with one item open and left to share.
func fillOne(x *psItem, left float64) {
	share := left / 1
	if x.pcap <= share {
		x.rate = x.pcap
	} else {
		x.rate = share
	}
}

// lowerBound is a lower bound of run(n, vcpu): one pass over the phases (psBound) and, where items
// spin-wait, the bound of their sharing the vCPUs (sharingBound).
func (ps *psSim) lowerBound(n int, vcpu platform.Cores) float64 {
	b := psBound{net: min(ps.connBps, ps.vmBps), slowNet: min(ps.connBps, ps.vmBps/float64(n)), block: ps.blocks[:0]}
	for _, ph := range ps.phases[:n] {
		b.add(ps, ph, vcpu)
	}
	ps.blocks = b.block
	lb := b.end(ps, vcpu)
	if !b.spin || n < 2 {
		return lb
	}
	if b.oneBlock {
		// Every item's CPU work is one block of one kind, all ahead of it waits and transfers:
		// what sharingBound would gather, gathered by add.
		sh := sharing{w: b.block, kinds: [2]cpuKind{b.kind}, nk: 1, minCap: b.kind.cap, first: b.lead, latest: b.latest}
		return max(lb, ps.sharingEnd(&sh, vcpu, lb, b.tail))
	}
	return max(lb, ps.sharingBound(n, vcpu, lb, b.tail))
}

// psBound accumulates a lower bound of a replay's end over its items: the bundle ends no sooner
// than its slowest item would alone (a wait runs at rate 1, a transfer at most at one
// connection's or the VM's rate, CPU work at most at min(cap, vCPU share) times the
// oversubscription efficiency there: water filling only lowers a rate, the efficiency grows with
// it, contention only divides it), nor before the vCPUs its CPU work takes are given at the VM's
// share, nor all its bytes moved at the VM's network rate. A phase progresses at its share of
// the vCPUs times the efficiency at that share, so a unit of its work takes at least 1/e vCPU
// seconds, e the efficiency at min(cap, share); the shares never add up to more than the VM's.
// The replay's own rounding (and its 1e-12 threshold of a finished phase) is absorbed by
// lazyOption's margin.
//
// The vCPUs are given only while some item computes: no item starts its first CPU phase before
// the phases ahead of it are done (a wait takes its amount, a transfer at least its bytes at the
// fastest rate), nor ends its last one later than leaves time for the phases behind it, so the
// work's vCPU time fits in [lead, end - tail], lead and tail the least of the computing items'
// own (items all start at 0). Items that spin-wait lose more the more of them compute side by
// side (spin: some phase does): sharingBound.
type psBound struct {
	alone, work, bytes float64
	// lead and tail are the least time before an item's first CPU phase and after its last,
	// over the items with one (seen: there is one).
	lead, tail float64
	seen, spin bool
	// oneBlock holds while every item's CPU phases have been one run of phases of one kind: then
	// block holds each one's work, latest the latest it can start (its waits, and its transfers
	// at slowNet, the least rate the VM's network gives one of n items).
	oneBlock bool
	kind     cpuKind
	block    []float64
	latest   float64
	// net is the most rate a transfer gets (one connection's, or the whole VM's), slowNet the
	// least (an equal split of the VM's among n items).
	net, slowNet float64
}

// add adds an item of phases ph.
func (b *psBound) add(ps *psSim, ph []psPhase, vcpu platform.Cores) {
	net, t := b.net, 0.0
	// lead is the time before the first CPU phase, tailFrom the time before what follows the
	// last one; latest is lead at slowNet, work the CPU work, and ended is set once a phase that
	// is not CPU work follows some.
	lead, tailFrom := -1.0, 0.0
	latest, work, ended := 0.0, 0.0, false
	for k := range ph {
		p := &ph[k]
		a := p.amount
		switch {
		case p.isNet():
			t += a / net
			b.bytes += a
			if lead < 0 {
				latest += a / b.slowNet
			}
			ended = lead >= 0
		case p.cap == 0:
			t += a
			if lead < 0 {
				latest += a
			}
			ended = lead >= 0
		default:
			if lead < 0 {
				lead = t
				if !b.seen {
					b.kind, b.oneBlock = cpuKind{p.cap, p.oversub}, true
				}
			}
			if ended || p.cap != b.kind.cap || p.oversub != b.kind.oversub {
				b.oneBlock = false
			}
			work += a
			r := min(p.cap, vcpu.Share)
			e := 1.0
			if p.oversub > 0 {
				e = ps.spin.Efficiency(r*vcpu.Visible/vcpu.Share, p.cap, p.oversub)
				r *= e
				b.spin = true
			}
			t += a / r
			tailFrom = t
			b.work += a / e
		}
	}
	b.alone = max(b.alone, t)
	if lead < 0 {
		return
	}
	if b.oneBlock {
		b.block = append(b.block, work)
		b.latest = max(b.latest, latest)
	}
	if tail := t - tailFrom; !b.seen {
		b.lead, b.tail, b.seen = lead, tail, true
	} else {
		b.lead, b.tail = min(b.lead, lead), min(b.tail, tail)
	}
}

// end is the bound of the items added.
func (b *psBound) end(ps *psSim, vcpu platform.Cores) float64 {
	return ps.boundEnd(b.alone, b.lead, b.work, b.tail, b.bytes, vcpu)
}

// boundEnd is psBound.end of items whose slowest alone takes alone, whose CPU work is work, lead
// and tail the least time before and after their CPU phases, and which move bytes.
func (ps *psSim) boundEnd(alone, lead, work, tail, bytes float64, vcpu platform.Cores) float64 {
	lb := max(alone, lead+work/vcpu.Share+tail)
	if bytes > 0 {
		lb = max(lb, bytes/ps.vmBps)
	}
	return lb
}

// sharingBound bounds the end of a bundle of n items from how they share the vCPUs, where the
// bound psBound makes is lb and tail the least time after an item's last CPU phase. Each item's
// block is its last run of CPU phases with nothing between them, of work w_i; with k items
// computing, none progresses faster than rho[k] (sharedRates), which no k+1 raises. So if R(t)
// is the work an item computing all along could have done by t, an item whose block starts at
// s_i computes while R is below R(s_i) + w_i; and once every block has started (latest, at the
// slowest rates: slowestTime), the items computing are at least those whose R(s_i) + w_i is
// still ahead. R(s_i) + w_i is no less than R(first) + w_i, first the earliest any block can
// start, and R gains at most rho[1] a second: so the last block ends no sooner than latest plus
// the time to take R from rho[1] (latest - first) to the largest w_i through the sorted w_i, with
// K - m of K items still computing past the m-th; then tail follows. It needs at most two kinds
// of CPU phase (cap and oversub) in the blocks, else it says nothing (0), as when R can have
// passed every w_i by latest; it sorts only when the bound can beat lb (it is at most latest,
// plus the time to take R to the largest w_i at rho[K], plus tail).
func (ps *psSim) sharingBound(n int, vcpu platform.Cores, lb, tail float64) float64 {
	net := min(ps.connBps, ps.vmBps)
	sh := sharing{w: ps.blocks[:0], minCap: math.Inf(1), first: math.Inf(1)}
	defer func() { ps.blocks = sh.w }()
	for _, ph := range ps.phases[:n] {
		// The item's block starts at phase from, at least lead after the item's start.
		t, lead, from := 0.0, 0.0, -1
		for k := range ph {
			p := &ph[k]
			switch {
			case p.isNet():
				t += p.amount / net
			case p.cap == 0:
				t += p.amount
			default:
				if from < 0 || k > 0 && ph[k-1].cap <= 0 {
					from, lead = k, t
				}
				sh.minCap = min(sh.minCap, p.cap)
				t += p.amount / ps.spinRate(p.cap, p.oversub, vcpu.Share, vcpu)
			}
		}
		if from < 0 {
			continue
		}
		work := 0.0
		for k := from; k < len(ph) && ph[k].cap > 0; k++ {
			work += ph[k].amount
			if !sh.kind(cpuKind{ph[k].cap, ph[k].oversub}) {
				return 0
			}
		}
		sh.item(work, lead, ps.slowestTime(ph[:from], vcpu, n))
	}
	return ps.sharingEnd(&sh, vcpu, lb, tail)
}

// sharing is what sharingBound reads of a bundle's items: their blocks' work w, at most two kinds
// of CPU phase in the blocks, the least cap of any CPU phase, the earliest any block can start
// and the latest.
type sharing struct {
	w                     []float64
	kinds                 [2]cpuKind
	nk                    int
	minCap, first, latest float64
}

// kind adds a kind of the blocks' CPU phases; false if it is a third.
func (sh *sharing) kind(c cpuKind) bool {
	if slices.Contains(sh.kinds[:sh.nk], c) {
		return true
	}
	if sh.nk == len(sh.kinds) {
		return false
	}
	sh.kinds[sh.nk] = c
	sh.nk++
	return true
}

// item adds an item whose block of work w starts no sooner than lead and no later than latest.
func (sh *sharing) item(w, lead, latest float64) {
	sh.w = append(sh.w, w)
	sh.first, sh.latest = min(sh.first, lead), max(sh.latest, latest)
}

// sharingEnd is sharingBound's end of the items gathered in sh.
func (ps *psSim) sharingEnd(sh *sharing, vcpu platform.Cores, lb, tail float64) float64 {
	w := sh.w
	kn := len(w)
	if kn < 2 {
		return 0
	}
	rho := ps.sharedRates(vcpu, sh.kinds[:sh.nk], sh.minCap, kn)
	prev := rho[1] * max(0, sh.latest-sh.first)
	if top := slices.Max(w); !(top > prev) || !(sh.latest+(top-prev)/rho[kn]+tail > lb) {
		return 0
	}
	slices.Sort(w)
	t := sh.latest
	for m, x := range w {
		if x > prev {
			t += (x - prev) / rho[kn-m]
			prev = x
		}
	}
	return t + tail
}

// cpuKind is what a CPU phase's rate depends on besides the vCPUs: its cap and oversub.
type cpuKind struct{ cap, oversub float64 }

// slowestTime is the most time phases ph can take in a bundle of n items: a wait its amount, a
// transfer its bytes at an equal split of the VM's network (or one connection's rate), CPU work
// at min(cap, share / n), the least water filling gives, at that efficiency and slowed by n - 1
// co-runners.
func (ps *psSim) slowestTime(ph []psPhase, vcpu platform.Cores, n int) float64 {
	t := 0.0
	for k := range ph {
		p := &ph[k]
		switch {
		case p.isNet():
			t += p.amount / min(ps.connBps, ps.vmBps/float64(n))
		case p.cap == 0:
			t += p.amount
		default:
			t += p.amount * (1 + ps.contention*float64(n-1)) / ps.spinRate(p.cap, p.oversub, vcpu.Share/float64(n), vcpu)
		}
	}
	return t
}

// sharedRates returns rho[k], k = 1..n, the most rate an item computing in a phase of one of
// kinds can get with k items computing on vcpu, every CPU phase's cap at least minCap: water
// filling gives each of the others at least min(minCap, share / k), so it gets at most its cap
// and what they leave, at the efficiency there, slowed by k - 1 co-runners. rho never grows
// with k. The table is kept while its inputs stay the same: a bound's bundles come in long
// series on one VM.
func (ps *psSim) sharedRates(vcpu platform.Cores, kinds []cpuKind, minCap float64, n int) []float64 {
	if !ps.ratesKey.names(vcpu, kinds, minCap, ps.contention) {
		key := ratesKey{vcpu: vcpu, minCap: minCap, contention: ps.contention, nkinds: len(kinds)}
		copy(key.kinds[:], kinds)
		ps.ratesKey, ps.rates = key, append(ps.rates[:0], math.Inf(1))
	}
	for len(ps.rates) <= n {
		k := len(ps.rates)
		rho := 0.0
		for _, c := range kinds {
			r := ps.spinRate(c.cap, c.oversub, vcpu.Share-float64(k-1)*min(minCap, vcpu.Share/float64(k)), vcpu)
			rho = max(rho, r/(1+ps.contention*float64(k-1)))
		}
		ps.rates = append(ps.rates, min(rho, ps.rates[k-1]))
	}
	return ps.rates
}

// spinRate is the most rate a CPU phase of cap and oversub gets from a share of vcpu's vCPUs:
// min(cap, share), at the oversubscription efficiency there.
func (ps *psSim) spinRate(cap, oversub, share float64, vcpu platform.Cores) float64 {
	r := min(cap, share)
	if oversub > 0 {
		r *= ps.spin.Efficiency(r*vcpu.Visible/vcpu.Share, cap, oversub)
	}
	return r
}

// ratesKey names the table of sharedRates.
type ratesKey struct {
	vcpu               platform.Cores
	kinds              [2]cpuKind
	nkinds             int
	minCap, contention float64
}

// names reports whether k is the key of these inputs, compared field by field: building the key
// and comparing it whole was 7% of ml's preparation, which asks for every spilled VM's bound.
func (k *ratesKey) names(vcpu platform.Cores, kinds []cpuKind, minCap, contention float64) bool {
	if k.vcpu != vcpu || k.minCap != minCap || k.contention != contention || k.nkinds != len(kinds) {
		return false
	}
	for i, c := range kinds {
		if k.kinds[i] != c {
			return false
		}
	}
	return true
}

// allocateNet sets the transfers' rates, k of them: an equal split of the VM's network, at most
// one connection's rate each.
func (ps *psSim) allocateNet(it []psItem, k int) {
	if k == 0 {
		return
	}
	r := min(ps.connBps, ps.vmBps/float64(k))
	for j := range it {
		if x := &it[j]; x.kind == kindNet {
			x.rate = r
		}
	}
}

// allocateCPU sets the CPU phases' rates: the max-min fair share of vcpu's share under each
// phase's cap (water filling: phases capped below the fair share get their cap, the rest split
// what is left; repeat until no cap binds). A spin-waiting phase then loses (n/cap)^g, n its part
// of the visible cores; with several items computing, each is slowed by contention.
//
// When no cap is at or below the first round's equal share (the least cap says so), water
// filling ends in that round with every phase at the share, which it then gives without the
// rounds' lists.
func (ps *psSim) allocateCPU(it []psItem, vcpu platform.Cores) {
	order := ps.order[:0]
	least := math.Inf(1) // the least cap (a NaN cap, never at or below a share, is left out)
	for j := range it {
		if x := &it[j]; x.kind == kindCPU {
			order = append(order, int32(j))
			if x.pcap < least {
				least = x.pcap
			}
		}
	}
	ps.order = order
	if len(order) == 0 {
		return
	}
	left := vcpu.Share
	share := left / float64(len(order))
	capped := least <= share
	if capped {
		// The first round, at share, caps some phase (the least cap); the phases it leaves open
		// go on to the next rounds. open is filtered in place, so it must not share order's
		// array: the loop below still needs every computing item.
		open := ps.open[:0]
		for _, j := range order {
			if x := &it[j]; x.pcap <= share {
				x.rate = x.pcap
				left -= x.pcap
			} else {
				open = append(open, j)
			}
		}
		for len(open) > 0 {
			share := left / float64(len(open))
			kept := open[:0]
			capped := false
			for _, j := range open {
				if x := &it[j]; x.pcap <= share {
					x.rate = x.pcap
					left -= x.pcap
					capped = true
				} else {
					kept = append(kept, j)
				}
			}
			open = kept
			if !capped {
				for _, j := range open {
					it[j].rate = share
				}
				break
			}
		}
		ps.open = open
	}
	k := len(order)
	slowed := k > 1 && ps.contention > 0
	slow := 1 + ps.contention*float64(k-1)
	// Phases without oversubscription (g = 0, every serial phase: the efficiency is 1) get the
	// share slowed, one quotient for them all.
	plain := share
	if slowed {
		plain = share / slow
	}
	for _, j := range order {
		x := &it[j]
		if !capped && x.pov == 0 {
			x.rate = plain
			continue
		}
		r := share
		if capped {
			r = x.rate
		}
		if g := x.pov; g > 0 {
			r *= ps.spin.Efficiency(r*vcpu.Visible/vcpu.Share, x.pcap, g)
		}
		if slowed {
			r /= slow
		}
		x.rate = r
	}
}

// splitTransfer splits a profiled transfer of b bytes (b <= 0: unknown) taking seconds into a
// wait that does not depend on bandwidth (request latency) and the bytes that moved at one
// connection's rate (the profiled size, Model.dataBytes). Alone in a VM the two take the profiled
// time again; in a bundle the bytes share the VM's network. Without a profiled size or known
// bandwidths the whole transfer stays a wait.
func (m *Model) splitTransfer(b, seconds float64) (wait, bytes float64) {
	// Alone in its VM a transfer moves at one connection's rate, or the VM's if that is lower.
	rate := min(m.opts.Platform.ConnectionBps, m.opts.Platform.VMNetworkBps)
	if b <= 0 || !(rate > 0) {
		return seconds, 0
	}
	t := min(b/rate, seconds)
	return seconds - t, t * rate
}

// localTime is how long fn's input (in) or output takes to pass in memory to or from a step fused
// with it, from its profiled size and the platform's LocalBps; 0 when either is unknown.
func (m *Model) localTime(fn string, in bool) float64 {
	b := m.dataBytes[fn][1]
	if in {
		b = m.dataBytes[fn][0]
	}
	return m.localTimeOf(b)
}

// localTimeOf is localTime for b bytes.
func (m *Model) localTimeOf(b float64) float64 {
	if b <= 0 || m.opts.Platform.LocalBps <= 0 {
		return 0
	}
	return b / m.opts.Platform.LocalBps
}
