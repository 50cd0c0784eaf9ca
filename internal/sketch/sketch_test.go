package sketch

import (
	"math"
	"slices"
	"testing"

	"github.com/wisefuse/wisefuse/internal/stats"
)

// TestExactThenSketch: up to Exact values the quantiles are exact (stats.Percentile, never below
// the smallest value or past the largest: DDSketch's P99 of 20.82 and 22.71 was 20.70); past it
// they are DDSketch's, within Accuracy; either way encoding, decoding and merging give the
// sketch of all the values, whatever the order of the parts.
func TestExactThenSketch(t *testing.T) {
	two := New()
	two.Add(22.71)
	two.Add(20.82)
	if got, want := two.Quantile(0.99), stats.Percentile([]float64{20.82, 22.71}, 99); got != want {
		t.Errorf("P99 of two values: %v, want %v", got, want)
	}
	for _, n := range []int{0, 1, Exact, Exact + 1, 10 * Exact} {
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = 1 + math.Mod(float64(i)*7.31, 97)
		}
		whole, a, b := New(), New(), New()
		for i, x := range vals {
			whole.Add(x)
			if i%3 == 0 {
				a.Add(x)
			} else {
				b.Add(x)
			}
		}
		for name, parts := range map[string][2]Sketch{"a+b": {a, b}, "b+a": {b, a}} {
			m := New()
			for _, p := range parts {
				d, err := Decode(p.Encode())
				if err != nil {
					t.Fatalf("n=%d: %v", n, err)
				}
				if err := m.Merge(d); err != nil {
					t.Fatal(err)
				}
			}
			if m.Count() != int64(n) || m.Encode() != whole.Encode() {
				t.Errorf("n=%d %s: merged count %d, encoding differs from the whole's: %v", n, name, m.Count(), m.Encode() != whole.Encode())
			}
		}
		exact := stats.Percentiles(vals, 50, 95, 99)
		for i, q := range []float64{0.5, 0.95, 0.99} {
			got := whole.Quantile(q)
			switch {
			case n == 0:
				if !math.IsNaN(got) {
					t.Errorf("empty: quantile %v, want NaN", got)
				}
			case n <= Exact && got != exact[i]:
				t.Errorf("n=%d: quantile %v = %v, want exactly %v", n, q, got, exact[i])
			case n > Exact && math.Abs(got-exact[i]) > 0.02*exact[i]+1: // DDSketch's rank rounds down: within a value's spacing
				t.Errorf("n=%d: quantile %v = %v, exact %v", n, q, got, exact[i])
			}
		}
	}
	for _, bad := range []string{exactPrefix + "AAAA", exactPrefix + "!!", exactPrefix + "AAAAAAAA+H8="} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%q): no error", bad)
		}
	}
}

// TestNewExact: a sketch made with NewExact(n) stays exact for n values, past Exact, and turns
// into a DDSketch at the next one.
func TestNewExact(t *testing.T) {
	const n = 4 * Exact
	k := NewExact(n)
	vals := make([]float64, 0, n)
	for i := range n {
		x := float64((i*7919)%n) + 0.5
		k.Add(x)
		vals = append(vals, x)
	}
	sorted := append([]float64(nil), vals...)
	slices.Sort(sorted)
	for _, q := range []float64{0.5, 0.95, 0.99} {
		if got, want := k.Quantile(q), stats.Percentile(sorted, 100*q); got != want {
			t.Errorf("%d values, exact up to %d: quantile %v = %v, want %v", n, n, q, got, want)
		}
	}
	k.Add(1)
	if k.st.dd == nil || k.Count() != n+1 {
		t.Errorf("value %d of a sketch exact up to %d: still exact (%v) or count %d", n+1, n, k.st.dd == nil, k.Count())
	}
}
