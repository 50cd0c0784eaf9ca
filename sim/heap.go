package sim

// evKind says what an event does when it fires.
type evKind uint8

const (
	evArrival evKind = iota // id: run index (a new DAG invocation)
	evBegin                 // id: frame; an orchestrated state, a spill invoke or a pass begins
	evVM                    // id: VM slot, ver: its version; the VM's next phase completion
	evExpire                // id: VM slot, ver: its version; an idle VM's keep-alive ends
)

// event is ordered by (t, seq): seq is a global counter, so simultaneous events fire in the order
// they were scheduled and the run is deterministic.
type event struct {
	t    float64
	seq  uint64
	id   int32
	ver  uint32
	kind evKind
}

func (a *event) before(b *event) bool {
	return a.t < b.t || (a.t == b.t && a.seq < b.seq)
}

// eventHeap is a binary min-heap on a slice, written out for the event type: no interface
// calls, no allocation once the slice has grown to the run's peak size.
type eventHeap []event

func (h *eventHeap) push(e event) {
	*h = append(*h, e)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !s[i].before(&s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *eventHeap) pop() event {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && s[r].before(&s[l]) {
			m = r
		}
		if !s[m].before(&s[i]) {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}
