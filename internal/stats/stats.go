// Package stats holds the few order statistics every package needs, defined once so that a P95
// means the same thing in the simulator's summary, the modeler and the experiments.
package stats

import (
	"math"
	"slices"
)

// Percentile returns the p-th percentile (0 <= p <= 100) of sorted data by linear interpolation
// between closest ranks (the "type 7" definition of R and NumPy's default). It returns NaN for no
// data. sorted must be in increasing order.
func Percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	if n == 1 {
		return sorted[0]
	}
	h := (float64(n) - 1) * p / 100
	if h <= 0 {
		return sorted[0]
	}
	if h >= float64(n-1) {
		return sorted[n-1]
	}
	i := int(h)
	return sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
}

// Percentiles sorts a copy of data and returns the percentiles ps of it.
func Percentiles(data []float64, ps ...float64) []float64 {
	s := slices.Clone(data)
	slices.Sort(s)
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = Percentile(s, p)
	}
	return out
}

// Mean returns the arithmetic mean of data (NaN for none).
func Mean(data []float64) float64 {
	if len(data) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, v := range data {
		s += v
	}
	return s / float64(len(data))
}

// KS returns the Kolmogorov-Smirnov distance sup |F(x) - G(x)| between two step CDFs given as
// points (x ascending, cumulative fraction): each is a right-continuous step function.
func KS(xa, fa, xb, fb []float64) float64 {
	at := func(xs, fs []float64, x float64) float64 {
		i, found := slices.BinarySearch(xs, x)
		if found {
			return fs[i]
		}
		if i == 0 {
			return 0
		}
		return fs[i-1]
	}
	d := 0.0
	for _, x := range xa {
		d = math.Max(d, math.Abs(at(xa, fa, x)-at(xb, fb, x)))
	}
	for _, x := range xb {
		d = math.Max(d, math.Abs(at(xa, fa, x)-at(xb, fb, x)))
	}
	return d
}
