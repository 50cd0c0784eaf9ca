package traces

import "math"

// logSketch is a histogram with logarithmic buckets 1% wide over [sketchMin, sketchMax], so a
// trace of any length needs a fixed few kilobytes per distribution and quantiles come back within
// 0.5% relative error. Values at or below sketchMin (including 0) land in the first bucket. It
// keeps the least and largest values added, which bound its quantiles (a bucket's middle is not
// a value added: skews of exactly 1 gave a median of 1.0005, above their maximum).
type logSketch struct {
	counts   []int64
	n        int64
	min, max float64
}

const (
	sketchMin    = 1e-6
	sketchMax    = 1e13
	sketchGrowth = 1.01
)

var sketchBuckets = int(math.Ceil(math.Log(sketchMax/sketchMin)/math.Log(sketchGrowth))) + 1

func newLogSketch() *logSketch { return &logSketch{counts: make([]int64, sketchBuckets)} }

func (s *logSketch) add(x float64) {
	i := 0
	if x > sketchMin {
		i = min(int(math.Log(x/sketchMin)/math.Log(sketchGrowth))+1, len(s.counts)-1)
	}
	s.counts[i]++
	if s.n == 0 {
		s.min, s.max = x, x
	}
	s.min, s.max = min(s.min, x), max(s.max, x)
	s.n++
}

// quantile returns the value at fraction p (0..1): the geometric middle of the bucket holding
// the ceil(p n)-th smallest value, within the least and largest values added; NaN when empty.
func (s *logSketch) quantile(p float64) float64 {
	if s.n == 0 {
		return math.NaN()
	}
	rank := max(1, int64(math.Ceil(p*float64(s.n))))
	var cum int64
	v := sketchMax
	for i, c := range s.counts {
		cum += c
		if cum >= rank {
			v = sketchMin
			if i > 0 {
				v *= math.Pow(sketchGrowth, float64(i)-0.5)
			}
			break
		}
	}
	return min(max(v, s.min), s.max)
}
