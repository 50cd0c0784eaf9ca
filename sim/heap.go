package sim

// evKind says what an event does when it fires.
type evKind uint8

const (
	evArrival evKind = iota // id: run index (a new DAG invocation)
	evBegin                 // id: frame; an orchestrated state, a spill invoke or a pass begins
	evVM                    // id: VM slot; the VM's next phase completion (valid if it is the VM's evSeq)
	evExpire                // id: template; the keep-alive of the pool's oldest idle VMs may have ended
)

// event is ordered by (t, seq): seq is a global counter, so simultaneous events fire in the order
// they were scheduled and the run is deterministic. It is 16 bytes, four to a cache line: key
// packs seq (high 36 bits, so comparing keys compares seqs), id (26 bits) and kind (2 bits). A VM
// event is stale when the VM's evSeq no longer names it.
type event struct {
	t   float64
	key uint64
}

const (
	seqBits  = 36
	idBits   = 26
	maxSeq   = 1<<seqBits - 1
	maxEvtID = 1<<idBits - 1
)

func makeEvent(t float64, seq uint64, id int32, kind evKind) event {
	return event{t: t, key: seq<<(idBits+2) | uint64(id)<<2 | uint64(kind)}
}

func (e *event) kind() evKind { return evKind(e.key & 3) }
func (e *event) id() int32    { return int32(e.key >> 2 & maxEvtID) }
func (e *event) seq() uint64  { return e.key >> (idBits + 2) }

func (a *event) before(b *event) bool {
	return a.t < b.t || (a.t == b.t && a.key < b.key)
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
