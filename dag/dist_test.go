package dag

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// Each kind's draws stay in its range and their mean matches ExpectedValue.
func TestDistSample(t *testing.T) {
	for _, tc := range []struct {
		name     string
		d        Dist
		lo, hi   float64 // every draw must fall in [lo, hi]
		mean     float64
		tol      float64 // relative tolerance on the sample mean
		quantile [2]float64
	}{
		{"zero", Dist{}, 0, 0, 0, 0, [2]float64{0.5, 0}},
		{"fixed", Const(2.5), 2.5, 2.5, 2.5, 0, [2]float64{0.9, 2.5}},
		{"uniform", Dist{Kind: Uniform, Min: 1, Max: 3}, 1, 3, 2, 0.01, [2]float64{0.25, 1.5}},
		{"exponential", Dist{Kind: Exponential, Mean: 2}, 0, math.Inf(1), 2, 0.02, [2]float64{0.5, 2 * math.Ln2}},
		{"normal", Dist{Kind: Normal, Mean: 10, StdDev: 2}, 0, math.Inf(1), 10, 0.01, [2]float64{0.5, 10}},
		// Truncated at zero: the mean of max(0, X) is above the untruncated mean of 0.
		{"normal clamped", Dist{Kind: Normal, Mean: 0, StdDev: 1}, 0, math.Inf(1), 1 / math.Sqrt(2*math.Pi), 0.02, [2]float64{0.25, 0}},
		{"lognormal", Dist{Kind: LogNormal, Median: 3, Sigma: 0.5}, 0, math.Inf(1), 3 * math.Exp(0.125), 0.02, [2]float64{0.5, 3}},
		{"empirical", Dist{Kind: Empirical, Quantiles: []float64{1, 2, 4, 10}}, 1, 10, (1.5 + 3 + 7) / 3, 0.02, [2]float64{0.5, 3}},
		{"empirical single", Dist{Kind: Empirical, Quantiles: []float64{7}}, 7, 7, 7, 0, [2]float64{0.3, 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.d.Validate(); err != nil {
				t.Fatal(err)
			}
			// 1e-6: the normal's truncation at 0 moves its mean by 1e-7 even 5 sigma away.
			if got := tc.d.ExpectedValue(); math.Abs(got-tc.mean) > 1e-6*math.Max(1, tc.mean) {
				t.Errorf("ExpectedValue = %v, want %v", got, tc.mean)
			}
			r := rand.New(rand.NewPCG(1, 2))
			const n = 200000
			sum := 0.0
			for range n {
				x := tc.d.Sample(r)
				if x < tc.lo || x > tc.hi || math.IsNaN(x) {
					t.Fatalf("draw %v outside [%v, %v]", x, tc.lo, tc.hi)
				}
				sum += x
			}
			if got := sum / n; math.Abs(got-tc.mean) > tc.tol*tc.mean+1e-12 {
				t.Errorf("sample mean %v, want %v within %v%%", got, tc.mean, 100*tc.tol)
			}
			p, want := tc.quantile[0], tc.quantile[1]
			if got := tc.d.Quantile(p); math.Abs(got-want) > 1e-9*math.Max(1, want) {
				t.Errorf("Quantile(%v) = %v, want %v", p, got, want)
			}
		})
	}
}

func TestDistQuantileEdges(t *testing.T) {
	e := Dist{Kind: Exponential, Mean: 1}
	if !math.IsInf(e.Quantile(1), 1) || e.Quantile(0) != 0 {
		t.Errorf("exponential quantiles at 0 and 1: %v %v, want 0 and +Inf", e.Quantile(0), e.Quantile(1))
	}
	u := Dist{Kind: Uniform, Min: 2, Max: 4}
	if u.Quantile(-1) != 2 || u.Quantile(2) != 4 {
		t.Errorf("probabilities outside [0, 1] must clamp: %v %v", u.Quantile(-1), u.Quantile(2))
	}
	emp := Dist{Kind: Empirical, Quantiles: []float64{0, 10, 20}}
	for p, want := range map[float64]float64{0: 0, 0.25: 5, 0.5: 10, 0.75: 15, 1: 20} {
		if got := emp.Quantile(p); got != want {
			t.Errorf("empirical Quantile(%v) = %v, want %v", p, got, want)
		}
	}
	// Quantile is the inverse of the sampling: the fraction of draws below Quantile(p) is p.
	ln := Dist{Kind: LogNormal, Median: 2, Sigma: 0.8}
	r := rand.New(rand.NewPCG(3, 4))
	q90, below := ln.Quantile(0.9), 0
	for range 100000 {
		if ln.Sample(r) < q90 {
			below++
		}
	}
	if f := float64(below) / 100000; math.Abs(f-0.9) > 0.005 {
		t.Errorf("fraction of lognormal draws below Quantile(0.9) = %v, want 0.9", f)
	}
}

func TestDistFactor(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	if (Dist{}).Factor(r) != 1 || (Dist{}).MeanFactor() != 1 {
		t.Error("an unset factor must be 1")
	}
	if Const(0).Factor(r) != 0 {
		t.Error("Const(0) is an explicit fixed 0 (Kind set), so Factor must return 0, not the unset default 1")
	}
}

func TestDistJSONRoundTrip(t *testing.T) {
	for _, d := range []Dist{
		Const(0), Const(3.25), Const(1e9),
		{Kind: Uniform, Min: 0.5, Max: 2},
		{Kind: Exponential, Mean: 4},
		{Kind: Normal, Mean: 1, StdDev: 0.1},
		{Kind: LogNormal, Median: 3, Sigma: 0.4},
		{Kind: Empirical, Quantiles: []float64{1, 1, 2, 8}},
	} {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back Dist
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		b2, _ := json.Marshal(back)
		if string(b) != string(b2) || back.ExpectedValue() != d.ExpectedValue() {
			t.Errorf("round trip of %+v: %s -> %+v", d, b, back)
		}
		if d.Kind == Fixed && strings.HasPrefix(string(b), "{") {
			t.Errorf("a fixed Dist must be a bare number, got %s", b)
		}
	}
	var d Dist
	if err := json.Unmarshal([]byte(`{"kind":"fixed","value":2}`), &d); err != nil || d.Value != 2 {
		t.Errorf("object form of fixed: %+v %v", d, err)
	}
	for in, want := range map[string]string{
		`"fast"`:                   `want a number or a distribution object, got the string "fast"`,
		`{"min":1}`:                `needs a "kind"`,
		`{"kind":"uniform","x":1}`: `unknown field "x"`,
	} {
		if err := json.Unmarshal([]byte(in), &d); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", in, err, want)
		}
	}
}

// Each invalid distribution is refused with an error that names its kind, the offending field
// and the value given.
func TestDistValidate(t *testing.T) {
	for _, tc := range []struct {
		d    Dist
		want []string // phrases the error must contain
	}{
		{Const(-1), []string{"fixed distribution", "value", "got -1"}},
		{Const(math.NaN()), []string{"fixed distribution", "value", "got NaN"}},
		{Const(math.Inf(1)), []string{"fixed distribution", "value", "got +Inf"}},
		{Dist{Kind: Uniform, Min: -1, Max: 1}, []string{"uniform distribution", "min -1 max 1"}},
		{Dist{Kind: Uniform, Min: 2, Max: 1}, []string{"uniform distribution", "min <= max", "min 2 max 1"}},
		{Dist{Kind: Exponential, Mean: -1}, []string{"exponential distribution", "mean", "got -1"}},
		{Dist{Kind: Normal, Mean: 1, StdDev: -1}, []string{"normal distribution", "stddev >= 0", "stddev -1"}},
		{Dist{Kind: Normal, Mean: math.NaN()}, []string{"normal distribution", "finite mean", "mean NaN"}},
		{Dist{Kind: LogNormal, Median: -1}, []string{"lognormal distribution", "median >= 0", "median -1"}},
		{Dist{Kind: LogNormal, Median: 1, Sigma: -1}, []string{"lognormal distribution", "sigma >= 0", "sigma -1"}},
		{Dist{Kind: Empirical}, []string{"empirical distribution", "quantiles", "at least one value"}},
		{Dist{Kind: Empirical, Quantiles: []float64{2, 1}}, []string{"empirical distribution", "non-decreasing", "quantiles[1] = 1 < quantiles[0] = 2"}},
		{Dist{Kind: Empirical, Quantiles: []float64{-1}}, []string{"empirical distribution", "quantiles[0] = -1"}},
		{Dist{Kind: "weibull"}, []string{`unknown distribution kind "weibull"`}},
	} {
		err := tc.d.Validate()
		if err == nil {
			t.Errorf("%+v validated, want an error", tc.d)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %q does not say %q", tc.d, err, w)
			}
		}
	}
}
