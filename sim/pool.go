package sim

// This file holds the warm pools: one deque of idle VMs per template, reused most recently used
// first, and keep-alive expiry from the least recently used end. The same deque is the queue of
// acquisitions waiting for the concurrency limit.

type poolMode uint8

const (
	modeShared   poolMode = iota // arrivals share warm pools
	modeIsolated                 // isolated runs: every VM pre-warmed, or cold in a cold run (runState.cold)
)

// deque is a warm pool: released VMs are pushed at the back, reuse pops the back (most recently
// used, as AWS does) and keep-alive expiry pops the front (the least recently used, whose TTL ends
// first because every VM gets the same TTL). So a pool needs at most one pending expiry event:
// when it fires it reclaims the VMs whose keep-alive has ended and schedules itself for the new
// front. (Invalidating it instead whenever the pool empties would leave one stale event per
// empty-to-busy cycle in the queue for a whole keep-alive, thousands under steady arrivals.)
type deque struct {
	buf     []int32
	head    int
	pending bool // an expiry event for this pool is in the queue
}

func (d *deque) pushBack(v int32) {
	if d.head > 64 && d.head > len(d.buf)/2 {
		n := copy(d.buf, d.buf[d.head:])
		d.buf, d.head = d.buf[:n], 0
	}
	d.buf = append(d.buf, v)
}

func (d *deque) popBack() int32 {
	if len(d.buf) == d.head {
		return -1
	}
	v := d.buf[len(d.buf)-1]
	d.buf = d.buf[:len(d.buf)-1]
	return v
}

func (d *deque) len() int { return len(d.buf) - d.head }

// popFront takes out the front element; the deque must not be empty.
func (d *deque) popFront() int32 {
	v := d.buf[d.head]
	d.head++
	if d.head == len(d.buf) {
		d.buf, d.head = d.buf[:0], 0
	}
	return v
}

// remove takes out the element at position i (from the front), keeping the others in order.
func (d *deque) remove(i int) int32 {
	j := d.head + i
	v := d.buf[j]
	copy(d.buf[j:], d.buf[j+1:])
	d.buf = d.buf[:len(d.buf)-1]
	return v
}

// takeWarm takes an idle VM of template t for reuse (Platform.WarmReuse), or returns -1. The
// default pops the most recently released one; the others search the pool (O(idle VMs)) and
// take the VM out of the middle, which keeps the rest in release order, so expiry from the
// front stays right.
func (e *engine) takeWarm(t int32) int32 {
	d := &e.pools[t]
	if d.len() == 0 {
		return -1
	}
	e.idleChanged(-1, t)
	if e.reuse == reuseMostRecent {
		return d.popBack()
	}
	idle := d.buf[d.head:]
	k := 0
	switch e.reuse {
	case reuseNewest:
		for i, vi := range idle {
			if e.vms[vi].id > e.vms[idle[k]].id {
				k = i
			}
		}
	case reuseOldest:
		for i, vi := range idle {
			if e.vms[vi].id < e.vms[idle[k]].id {
				k = i
			}
		}
	case reuseRandom:
		k = e.ownRng.IntN(len(idle))
	}
	return d.remove(k)
}

// expire ends the keep-alive of template t's least recently used idle VMs and schedules the
// pool's next expiry.
func (e *engine) expire(t int32) {
	if e.hyb != nil {
		e.hybridTick(t)
		return
	}
	d := &e.pools[t]
	for d.len() > 0 {
		end := e.vms[d.buf[d.head]].idleSince + e.plat.KeepAlive
		if end > e.now {
			e.schedule(end, evExpire, t)
			d.pending = true
			return
		}
		vi := d.popFront()
		e.idleChanged(-1, t)
		e.freeVM(vi)
	}
}
