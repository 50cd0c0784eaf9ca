// Package minheap keeps a slice a binary min-heap under a caller's less: the simulator's
// orchestrator slots (sim) and the Durable Functions model's chained activities (wisefuse) share
// it. Unlike container/heap, a pushed value is not boxed in an interface, so nothing allocates
// once the slice has grown.
package minheap

// Push adds x to the min-heap h.
func Push[T any](h *[]T, x T, less func(a, b T) bool) {
	*h = append(*h, x)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !less(s[i], s[p]) {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

// Pop removes and returns the least element of the non-empty min-heap h.
func Pop[T any](h *[]T, less func(a, b T) bool) T {
	s := *h
	top, n := s[0], len(s)-1
	s[0] = s[n]
	s = s[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && less(s[l], s[m]) {
			m = l
		}
		if l+1 < n && less(s[l+1], s[m]) {
			m = l + 1
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}
