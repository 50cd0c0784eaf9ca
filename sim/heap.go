package sim

// evKind says what an event does when it fires.
type evKind uint8

const (
	evArrival evKind = iota // id: run index (a new DAG invocation)
	evBegin                 // id: frame; an orchestrated state, a spill invoke or a pass begins
	evVM                    // id: VM slot, ver: its version; the VM's next phase completion
	evExpire                // id: template; the keep-alive of the pool's oldest idle VMs may have ended
)

// event is ordered by (t, seq): seq is a global counter, so simultaneous events fire in the order
// they were scheduled and the run is deterministic.
//
// It is 24 bytes: the kind sits in the low 2 bits of vk and a 30-bit version above it (versions
// are compared modulo 2^30, which is safe: a stale event is at most a few versions old).
type event struct {
	t   float64
	seq uint64
	id  int32
	vk  uint32
}

const verMask = 1<<30 - 1

func (e *event) kind() evKind { return evKind(e.vk & 3) }
func (e *event) ver() uint32  { return e.vk >> 2 }

func (a *event) before(b *event) bool {
	return a.t < b.t || (a.t == b.t && a.seq < b.seq)
}

// eventHeap is a 4-ary min-heap on a slice, written out for the event type: no interface calls,
// no allocation once the slice has grown to the run's peak size, and half the levels of a binary
// heap (the children of a node share a cache line or two).
type eventHeap []event

func (h *eventHeap) push(e event) {
	*h = append(*h, e)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !e.before(&s[p]) {
			break
		}
		s[i] = s[p]
		i = p
	}
	s[i] = e
}

func (h *eventHeap) pop() event {
	s := *h
	top := s[0]
	n := len(s) - 1
	last := s[n]
	s = s[:n]
	*h = s
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if s[j].before(&s[m]) {
				m = j
			}
		}
		if !s[m].before(&last) {
			break
		}
		s[i] = s[m]
		i = m
	}
	s[i] = last
	return top
}
