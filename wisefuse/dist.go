package wisefuse

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/wisefuse/wisefuse/internal/stats"
)

// Latency is a latency distribution (seconds) as Q equally likely atoms in increasing order.
//
// Why atoms: every operation the modeler and the transformer need -- a series sum of independent
// latencies, a maximum, a percentile, a dominance test -- is then a pass over Q numbers, and each
// is monotone: if a <= b atom by atom then a+x <= b+x and max(a,x) <= max(b,x) atom by atom. That
// makes the transformer's Pareto pruning by first-order stochastic dominance exact under the
// model (see Dominates).
type Latency []float64

// latencyFromSamples turns samples (any order; dst is reused when large enough) into q atoms at
// probabilities (i+0.5)/q by linear interpolation between order statistics.
func latencyFromSamples(dst Latency, samples []float64, q int) Latency {
	s := slices.Clone(samples)
	slices.Sort(s)
	return latencyFromSorted(dst, s, q)
}

func latencyFromSorted(dst Latency, sorted []float64, q int) Latency {
	if cap(dst) < q {
		dst = make(Latency, q)
	}
	dst = dst[:q]
	n := len(sorted)
	if n == 0 {
		clear(dst)
		return dst
	}
	for i := range dst {
		dst[i] = stats.Percentile(sorted, 100*(float64(i)+0.5)/float64(q))
	}
	return dst
}

// Percentile returns the p-th percentile of the distribution (the same type-7 definition the
// simulator's summary uses, applied to the atoms).
func (l Latency) Percentile(p float64) float64 { return stats.Percentile(l, p) }

// Mean returns the mean of the atoms.
func (l Latency) Mean() float64 { return stats.Mean(l) }

// Dominates reports whether l is stochastically no larger than m within a relative tolerance:
// every atom of l is at most (1+tol) times the matching atom of m. With tol = 0 this is
// first-order stochastic dominance between the two atom sets.
func (l Latency) Dominates(m Latency, tol float64) bool {
	f := 1 + tol
	for i, v := range l {
		if v > m[i]*f {
			return false
		}
	}
	return true
}

// addIndependent returns the distribution of X+Y for independent X ~ a and Y ~ b (both with q
// atoms), written into dst. It pairs atom i of a with atom perm[i] of b, a fixed pseudo-random
// permutation (Latin hypercube sampling of the product space), and sorts the q sums. The pairing
// is fixed, so the operation is deterministic and monotone in a: a <= a' atom by atom gives
// a+b <= a'+b atom by atom after sorting, which keeps dominance pruning exact. Its error against
// the exact convolution is that of a q-point Latin hypercube, far below the sampling error of the
// 300 profiled runs behind each atom set.
func addIndependent(dst, a, b Latency) Latency {
	q := len(a)
	if len(b) != q {
		panic("wisefuse: adding latencies with different atom counts")
	}
	if cap(dst) < q {
		dst = make(Latency, q)
	}
	dst = dst[:q]
	perm := pairing(q)
	for i := range q {
		dst[i] = a[i] + b[perm[i]]
	}
	slices.Sort(dst)
	return dst
}

var (
	pairingMu    sync.Mutex
	pairingCache = map[int][]int{}
)

// pairing returns the fixed permutation of 0..q-1 used by addIndependent.
func pairing(q int) []int {
	pairingMu.Lock()
	defer pairingMu.Unlock()
	if p, ok := pairingCache[q]; ok {
		return p
	}
	r := rand.New(rand.NewPCG(uint64(q), 0x7a1f5e))
	p := r.Perm(q)
	pairingCache[q] = p
	return p
}

// finite reports whether every atom is a finite number.
func (l Latency) finite() bool {
	for _, v := range l {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
