// Latency: a distribution as equally likely atoms (series sum, percentiles, dominance), and
// ImpactError and SlowdownError, the error measures of a fusion or bundle's impact.

package wisefuse

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"

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

// latencyFromScratch is latencyFromSamples(nil, vals, q) for samples the caller no longer needs
// (a scratch buffer): it sorts them in place instead of a copy.
func latencyFromScratch(vals []float64, q int) Latency {
	slices.Sort(vals)
	return latencyFromSorted(nil, vals, q)
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
	// stats.Percentile(sorted, 100*(i+0.5)/q) for each atom i, with the places it reads and
	// their weights computed once per (n, q): the planner makes tens of thousands of these.
	for i, sp := range atomSpots(n, q) {
		if sp.alone {
			dst[i] = sorted[sp.at]
		} else {
			dst[i] = between(sorted[sp.at], sorted[sp.at+1], sp.f)
		}
	}
	return dst
}

// atomSpot is where stats.Percentile reads an atom among sorted samples: sorted[at] alone, or
// interpolated a fraction f of the way to sorted[at+1].
type atomSpot struct {
	at    int
	alone bool
	f     float64
}

var (
	atomSpotsMu    sync.Mutex
	atomSpotsCache = map[[2]int][]atomSpot{}
	// atomSpotsLast is the last spots asked for: a planner asks for the same (n, q) in long
	// series, which then skip the lock and the map.
	atomSpotsLast atomic.Pointer[spotsOf]
)

type spotsOf struct {
	n, q  int
	spots []atomSpot
}

// atomSpots returns (and caches) the spots of q atoms among n >= 1 sorted samples, computed as
// stats.Percentile computes them (TestAtomSpotsMatchPercentile).
func atomSpots(n, q int) []atomSpot {
	if l := atomSpotsLast.Load(); l != nil && l.n == n && l.q == q {
		return l.spots
	}
	atomSpotsMu.Lock()
	defer atomSpotsMu.Unlock()
	if sp, ok := atomSpotsCache[[2]int{n, q}]; ok {
		atomSpotsLast.Store(&spotsOf{n, q, sp})
		return sp
	}
	sp := make([]atomSpot, q)
	for i := range sp {
		p := 100 * (float64(i) + 0.5) / float64(q)
		h := (float64(n) - 1) * p / 100
		switch {
		case n == 1 || h <= 0:
			sp[i] = atomSpot{at: 0, alone: true}
		case h >= float64(n-1):
			sp[i] = atomSpot{at: n - 1, alone: true}
		default:
			at := int(h)
			sp[i] = atomSpot{at: at, f: h - float64(at)}
		}
	}
	atomSpotsCache[[2]int{n, q}] = sp
	atomSpotsLast.Store(&spotsOf{n, q, sp})
	return sp
}

// Percentile returns the p-th percentile of the distribution: atom i stands for probability
// (i+0.5)/Q (as latencyFromSorted places it), so the percentile interpolates between the two
// atoms around p/100 at those positions. Reading the atoms as a sample instead (type 7, atom i at
// i/(Q-1), as the simulator's summary reads its runs) put P95 at the distribution's P94.8: on
// orders' heavy-tailed charge-card, 1.2% below its P95.
func (l Latency) Percentile(p float64) float64 {
	if len(l) == 0 {
		return math.NaN()
	}
	i, f := atomPosition(len(l), p)
	if f == 0 {
		return l[i]
	}
	return between(l[i], l[i+1], f)
}

// between interpolates a fraction f of the way from lo to hi >= lo. A run that timed out is a
// +Inf sample (Model.acquisition): anything interpolated towards it is +Inf too (never the NaN
// of Inf - Inf), so a percentile that reaches into the failed runs is +Inf.
func between(lo, hi, f float64) float64 {
	if f == 0 {
		return lo
	}
	if math.IsInf(hi, 1) {
		return hi
	}
	return lo + f*(hi-lo)
}

// atomPosition returns where the p-th percentile falls among q atoms at probabilities (i+0.5)/q:
// between atom i and atom i+1, a fraction f of the way (f = 0 at or outside the ends).
func atomPosition(q int, p float64) (i int, f float64) {
	h := float64(q)*p/100 - 0.5
	if h <= 0 {
		return 0, 0
	}
	if h >= float64(q-1) {
		return q - 1, 0
	}
	i = int(h)
	return i, h - float64(i)
}

// TimedOut returns the fraction of the atoms that are +Inf: the predicted share of runs that
// fail at the platform's function timeout (Model.acquisition). A percentile above 100 less that
// share is +Inf.
func (l Latency) TimedOut() float64 {
	n := 0
	for i := len(l) - 1; i >= 0 && math.IsInf(l[i], 1); i-- {
		n++
	}
	if n == 0 {
		return 0
	}
	return float64(n) / float64(len(l))
}

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
	sortAtoms(dst)
	return dst
}

// sortAtoms sorts s ascending, as slices.Sort does (any correct sort gives the same values), but
// faster on what addIndependent makes (the search sorts one sum per partial plan, tens of
// thousands per search): a counting pass into about n buckets of equal width between the smallest
// and largest value (each value's bucket computed once), then an insertion sort of the nearly
// sorted result, which mostly finds each value already in place. A skewed input that would make
// the insertion sort quadratic falls back to slices.Sort, as do NaNs and infinities.
func sortAtoms(s []float64) {
	n := len(s)
	// maxN bounds the stack buffers (which Go zeroes on every call); the default 256 atoms fit.
	const maxN = 512
	if n < 32 || n > maxN {
		slices.Sort(s)
		return
	}
	// The extremes, in two interleaved halves (shorter dependency chains), with plain
	// comparisons (the built-in min and max spend time on NaN rules); a NaN is caught apart.
	lo, hi, lo2, hi2 := s[0], s[0], s[1], s[1]
	nan := false
	for i := 2; i+1 < n; i += 2 {
		v, w := s[i], s[i+1]
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
		if w < lo2 {
			lo2 = w
		}
		if w > hi2 {
			hi2 = w
		}
		if v != v || w != w {
			nan = true
		}
	}
	v := s[n-1]
	if lo2 < lo {
		lo = lo2
	}
	if hi2 > hi {
		hi = hi2
	}
	if v < lo {
		lo = v
	}
	if v > hi {
		hi = v
	}
	if nan || s[0] != s[0] || s[1] != s[1] || v != v {
		slices.Sort(s)
		return
	}
	sortAtomsWithin(s, lo, hi)
}

// sortAtomsWithin is sortAtoms of s holding no NaN, every value within [lo, hi], when the caller
// knows such bounds (the search's pairSums: the least sum and the sum of the operands' largest
// atoms), which saves sortAtoms' pass for the extremes.
func sortAtomsWithin(s []float64, lo, hi float64) {
	n := len(s)
	const maxN = 512
	if n < 32 || n > maxN || !(hi > lo) || math.IsInf(hi-lo, 0) {
		slices.Sort(s)
		return
	}
	nb := n
	scale := float64(nb) / (hi - lo) * (1 - 1e-9)
	var count [maxN + 1]int32
	var keys [maxN]uint16
	var buf [maxN]float64
	tmp := buf[:n]
	copy(tmp, s)
	for i, v := range tmp {
		k := min(int((v-lo)*scale), nb-1)
		keys[i] = uint16(k)
		count[k+1]++
	}
	for k := 1; k <= nb; k++ {
		count[k] += count[k-1]
	}
	for i, v := range tmp {
		k := keys[i]
		s[count[k]] = v
		count[k]++
	}
	budget := 16 * n // element moves before giving up on the insertion sort
	for i := 1; i < n; i++ {
		v := s[i]
		if s[i-1] <= v {
			continue
		}
		j := i
		for j > 0 && s[j-1] > v {
			s[j] = s[j-1]
			j--
		}
		s[j] = v
		if budget -= i - j; budget < 0 {
			slices.Sort(s)
			return
		}
	}
}

// percentileOfSum returns addIndependent(nil, a, b).Percentile(p) without sorting the sums: it
// selects the one or two order statistics the percentile interpolates between (linear time), so
// the value is the same. scratch is reused when large enough and is returned for the next call.
func percentileOfSum(scratch, a, b Latency, p float64) (float64, Latency) {
	q := len(a)
	if len(b) != q {
		panic("wisefuse: adding latencies with different atom counts")
	}
	if cap(scratch) < q {
		scratch = make(Latency, q)
	}
	s := scratch[:q]
	perm := pairing(q)
	for i := range q {
		s[i] = a[i] + b[perm[i]]
	}
	// Latency.Percentile, on order statistics found by selection.
	i, f := atomPosition(q, p)
	lo := selectKth(s, i)
	if f == 0 {
		return lo, scratch
	}
	hi := slices.Min(s[i+1:])
	return between(lo, hi, f), scratch
}

// pairSums writes into sums the q sums a[i] + b[perm[i]] that addIndependent sorts, unsorted, in
// the order of the operand with the wider range: a's index, or b's through the inverse pairing
// (b[k] + a[i] with perm[i] = k). Both operands are sorted, so each sum lies near its sorted
// place. Into low it writes a lower bound of each atom of the sums sorted: their suffix minima
// (the k-th smallest of the sums is at least the least of sums[k:], as only the k values before
// k can be smaller), within a few atoms' spacing of the sorted values here, so a partial plan
// the bound shows dominated needs no sort. It reports false, and bounds nothing, when a sum is
// NaN (which sorts apart). sortAtoms of sums is addIndependent(nil, a, b), bit for bit. sums
// and low are reused when large enough.
func pairSums(sums, low, a, b Latency) (Latency, Latency, bool) {
	q := len(a)
	if len(b) != q {
		panic("wisefuse: adding latencies with different atom counts")
	}
	if cap(sums) < q {
		sums = make(Latency, q)
	}
	if cap(low) < q {
		low = make(Latency, q)
	}
	sums, low = sums[:q], low[:q]
	// The built-in min has no branch to mispredict, and once it meets a NaN it gives NaN.
	m := math.Inf(1)
	if a[q-1]-a[0] >= b[q-1]-b[0] {
		perm := pairing(q)
		for i := q - 1; i >= 0; i-- {
			v := a[i] + b[perm[i]]
			m = min(m, v)
			sums[i], low[i] = v, m
		}
	} else {
		inv := inversePairing(q)
		for k := q - 1; k >= 0; k-- {
			v := a[inv[k]] + b[k]
			m = min(m, v)
			sums[k], low[k] = v, m
		}
	}
	return sums, low, m == m
}

type pairings struct{ perm, inv []int }

var (
	pairingMu    sync.Mutex
	pairingCache = map[int]pairings{}
)

// pairing returns the fixed permutation of 0..q-1 used by addIndependent.
func pairing(q int) []int { return pairingsOf(q).perm }

// inversePairing returns the inverse of pairing(q).
func inversePairing(q int) []int { return pairingsOf(q).inv }

func pairingsOf(q int) pairings {
	pairingMu.Lock()
	defer pairingMu.Unlock()
	if p, ok := pairingCache[q]; ok {
		return p
	}
	r := rand.New(rand.NewPCG(uint64(q), 0x7a1f5e))
	p := pairings{perm: r.Perm(q), inv: make([]int, q)}
	for i, k := range p.perm {
		p.inv[k] = i
	}
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

// ImpactError is how far a predicted impact pi of a fusion or bundle on a latency percentile (the
// percentile with it over the percentile without it, minus 1) is from the measured impact si, in
// points of impact (0.01 = one percentage point): |pi - si|, the measure of the paper's bounds
// (fusion-impact error <= 3.4%, bundling-impact error <= 7%; impacts in percent of the latency).
func ImpactError(pi, si float64) float64 {
	return math.Abs(pi - si)
}

// SlowdownError is the relative error of the predicted slowdown factor 1 + pi against the
// measured 1 + si. For impacts of tens of percent it equals ImpactError to within a few tenths of
// a point; for several-fold slowdowns (bundling items whose spin-waiting threads crowd one VM's
// cores, +300% to +600%) ImpactError grows with the size of the slowdown (a 5% miss of a 7x
// slowdown is 35 points), and this is the model's error per unit of it.
func SlowdownError(pi, si float64) float64 {
	return math.Abs((1+pi)/(1+si) - 1)
}
