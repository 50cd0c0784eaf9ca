package traces

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestArrivalStreamExactCountsSortedDiurnal(t *testing.T) {
	counts := []int64{5000, 3000, 1500, 400, 100, 1}
	const days = 2
	s := newArrivalStream(counts, days, DefaultDiurnal, rand.New(rand.NewPCG(7, 1)))
	got := make([]int64, len(counts))
	var hourly [24]int
	prev := -1.0
	n := 0
	for {
		i, at, ok := s.next()
		if !ok {
			break
		}
		if at < prev {
			t.Fatalf("arrival %d at %v before the previous one at %v", n, at, prev)
		}
		if at < 0 || at > days*day {
			t.Fatalf("arrival at %v outside [0, %v]", at, days*day)
		}
		prev = at
		got[i]++
		hourly[int(math.Mod(at, day)/3600)]++
		n++
	}
	for i := range counts {
		if got[i] != counts[i] {
			t.Errorf("DAG %d got %d arrivals, want exactly %d", i, got[i], counts[i])
		}
	}
	// A 50% swing peaking at 14:00: the 13-15 h hours see about 3x the 01-03 h hours.
	peak, trough := hourly[13]+hourly[14], hourly[1]+hourly[2]
	if ratio := float64(peak) / float64(trough); ratio < 2.3 || ratio > 3.7 {
		t.Errorf("peak/trough arrival ratio %.2f (hourly %v), want about 3", ratio, hourly)
	}
}

func TestDiurnalInvert(t *testing.T) {
	d := DefaultDiurnal
	for _, x := range []float64{0, 1, 3600, 50000, 86399, 172800} {
		if got := d.invert(d.cumulative(x), 0); math.Abs(got-x) > 1e-6 {
			t.Errorf("invert(cumulative(%v)) = %v", x, got)
		}
	}
}

// TestArrivalsSortedAtAnyScale: arrivals closer together than the diurnal inversion's tolerance
// (100,000 in 1e-8 days, 8.6 ns apart) still come out in time order. They did not, and `trace
// replay` refused the trace `trace gen --days 1e-8` had written.
func TestArrivalsSortedAtAnyScale(t *testing.T) {
	for _, days := range []float64{1e-8, 1e-300} {
		s := newArrivalStream([]int64{60000, 40000}, days, DefaultDiurnal, rand.New(rand.NewPCG(7, 1)))
		prev := 0.0
		for k := 0; ; k++ {
			_, at, ok := s.next()
			if !ok {
				break
			}
			if at < prev {
				t.Fatalf("days %g: arrival %d at %v s, before the previous one's %v", days, k, at, prev)
			}
			prev = at
		}
	}
}
