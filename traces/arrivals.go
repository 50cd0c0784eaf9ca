package traces

import (
	"math"
	"math/rand/v2"
)

// Diurnal is a daily arrival-rate pattern: rate(t) is proportional to
// 1 + Amplitude * cos(2 pi (t - PeakHour h) / 24 h). Azure Functions invocations follow the
// working day (Shahrad et al., ATC 2020, Fig. 4), hence the defaults of a 50% swing peaking at
// 14:00.
type Diurnal struct {
	Amplitude float64 // in [0, 1); 0 means a constant rate
	PeakHour  float64 // hour of day of the highest rate
}

// DefaultDiurnal is the pattern the generator uses unless told otherwise.
var DefaultDiurnal = Diurnal{Amplitude: 0.5, PeakHour: 14}

const day = 86400.0

// cumulative returns the integrated rate over [0, t] (in units where the mean rate is 1).
func (d Diurnal) cumulative(t float64) float64 {
	w := 2 * math.Pi / day
	phi := w * d.PeakHour * 3600
	return t + d.Amplitude/w*(math.Sin(w*t-phi)+math.Sin(phi))
}

func (d Diurnal) rate(t float64) float64 {
	return 1 + d.Amplitude*math.Cos(2*math.Pi*(t-d.PeakHour*3600)/day)
}

// invert returns t with cumulative(t) = target by Newton's method from guess (monotone, since
// the rate is positive for Amplitude < 1).
func (d Diurnal) invert(target, guess float64) float64 {
	t := guess
	for range 50 {
		step := (d.cumulative(t) - target) / d.rate(t)
		t -= step
		if math.Abs(step) < 1e-9*math.Max(1, t) {
			break
		}
	}
	return t
}

// arrivalStream yields the arrivals of a trace in time order without holding them: the times
// are the order statistics of total independent draws from the diurnal density over the trace's
// days, generated one after another, and each arrival goes to a DAG drawn without replacement
// from the remaining invocation counts, so every DAG gets exactly its count.
type arrivalStream struct {
	rng      *rand.Rand
	pattern  Diurnal
	horizon  float64 // seconds
	total    int64
	done     int64
	u        float64 // the last order statistic, in [0, 1)
	t        float64
	fenwick  []int64 // remaining counts, 1-based Fenwick tree
	top      int     // highest power of two <= len
	remained int64
}

func newArrivalStream(counts []int64, days float64, pattern Diurnal, rng *rand.Rand) *arrivalStream {
	s := &arrivalStream{rng: rng, pattern: pattern, horizon: days * day, fenwick: make([]int64, len(counts)+1)}
	for i, c := range counts {
		s.total += c
		for j := i + 1; j < len(s.fenwick); j += j & -j {
			s.fenwick[j] += c
		}
	}
	s.remained = s.total
	for s.top = 1; s.top*2 < len(s.fenwick); s.top *= 2 {
	}
	return s
}

// next returns the next arrival's DAG index and time; ok is false after the last.
func (s *arrivalStream) next() (dagIndex int, t float64, ok bool) {
	if s.done == s.total {
		return 0, 0, false
	}
	// The minimum of the m = total-done remaining uniforms on (u, 1) is u + (1-u)(1 - V^(1/m)).
	m := float64(s.total - s.done)
	s.u += (1 - s.u) * -math.Expm1(math.Log(1-s.rng.Float64())/m)
	// The inversion stops within 1e-9 s (relative past one second) of the time, which arrivals
	// closer than that (--days 1e-8) crossed: the trace came out unsorted, and its own reader
	// refused it. The order statistics increase, so the time may not go back.
	s.t = max(s.t, s.pattern.invert(s.u*s.pattern.cumulative(s.horizon), s.t))
	s.done++

	// Find the DAG holding the r-th remaining invocation and take it.
	r := s.rng.Int64N(s.remained)
	pos := 0
	for step := s.top; step > 0; step /= 2 {
		if next := pos + step; next < len(s.fenwick) && s.fenwick[next] <= r {
			pos = next
			r -= s.fenwick[next]
		}
	}
	for j := pos + 1; j < len(s.fenwick); j += j & -j {
		s.fenwick[j]--
	}
	s.remained--
	return pos, math.Min(math.Max(s.t, 0), s.horizon), true
}
