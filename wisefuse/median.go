// The sample median by linear-time selection (median, selectKth), which fits the CPU curves.

package wisefuse

import "slices"

// median is the sample median. It selects the middle order statistics in linear time instead of
// sorting (a wide Map's function has hundreds of thousands of compute samples); the value is the
// one a sort would give.
func median(xs []float64) float64 {
	return medianInPlace(slices.Clone(xs))
}

// medianInPlace is median, reordering s instead of a copy.
func medianInPlace(s []float64) float64 {
	n := len(s)
	hi := selectKth(s, n/2)
	if n%2 == 1 {
		return hi
	}
	// After selection every element before n/2 is at most s[n/2]: the largest of them is the
	// (n/2-1)-th order statistic.
	return (slices.Max(s[:n/2]) + hi) / 2
}

// selectKth reorders s so that s[k] is the k-th smallest (0-based), everything before it no larger
// and everything after no smaller, and returns s[k] (Hoare's quickselect with a median-of-three
// pivot; deterministic). s must hold no NaN.
func selectKth(s []float64, k int) float64 {
	lo, hi := 0, len(s)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		if s[mid] < s[lo] {
			s[mid], s[lo] = s[lo], s[mid]
		}
		if s[hi] < s[lo] {
			s[hi], s[lo] = s[lo], s[hi]
		}
		if s[hi] < s[mid] {
			s[hi], s[mid] = s[mid], s[hi]
		}
		pivot := s[mid]
		i, j := lo, hi
		for i <= j {
			for s[i] < pivot {
				i++
			}
			for s[j] > pivot {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return s[k]
		}
	}
	return s[k]
}
