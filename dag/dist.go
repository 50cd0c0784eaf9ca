package dag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/wisefuse/wisefuse/internal/jsonpos"
)

// DistKind names a family of probability distributions.
type DistKind string

// The distribution families a Dist can take.
const (
	Fixed       DistKind = "fixed"       // always Value
	Uniform     DistKind = "uniform"     // uniform on [Min, Max]
	Exponential DistKind = "exponential" // exponential with mean Mean
	Normal      DistKind = "normal"      // normal(Mean, StdDev), truncated at 0
	LogNormal   DistKind = "lognormal"   // exp(N(ln Median, Sigma^2))
	Empirical   DistKind = "empirical"   // piecewise-linear inverse CDF through Quantiles
)

// Dist is a non-negative random quantity (seconds, core-seconds, bytes, a factor or a count).
//
// The zero Dist is "fixed 0". In JSON a bare number means a fixed value, so simple workflows stay
// readable; every other kind is an object with a "kind" field.
type Dist struct {
	Kind   DistKind `json:"kind"`
	Value  float64  `json:"value,omitempty"`  // Fixed
	Min    float64  `json:"min,omitempty"`    // Uniform
	Max    float64  `json:"max,omitempty"`    // Uniform
	Mean   float64  `json:"mean,omitempty"`   // Exponential, Normal
	StdDev float64  `json:"stddev,omitempty"` // Normal
	Median float64  `json:"median,omitempty"` // LogNormal
	Sigma  float64  `json:"sigma,omitempty"`  // LogNormal: standard deviation of ln X
	// Quantiles are the values at evenly spaced probabilities 0, 1/(n-1), ..., 1 (Empirical);
	// they must be non-decreasing.
	Quantiles []float64 `json:"quantiles,omitempty"`
}

// Const returns the fixed distribution at v.
func Const(v float64) Dist { return Dist{Kind: Fixed, Value: v} }

// IsZero reports whether d is the zero Dist (no kind set).
func (d Dist) IsZero() bool { return d.Kind == "" && d.Value == 0 }

// Sample draws one value from d using r. It never allocates and never returns a negative value:
// a normal draw below zero is clamped to zero, because every quantity a Dist models (time, work,
// bytes) is non-negative.
func (d Dist) Sample(r *rand.Rand) float64 {
	switch d.Kind {
	case "", Fixed:
		return d.Value
	case Uniform:
		return d.Min + (d.Max-d.Min)*r.Float64()
	case Exponential:
		return d.Mean * r.ExpFloat64()
	case Normal:
		return math.Max(0, d.Mean+d.StdDev*r.NormFloat64())
	case LogNormal:
		return d.Median * math.Exp(d.Sigma*r.NormFloat64())
	case Empirical:
		return d.Quantile(r.Float64())
	}
	panic("dag: Sample on invalid Dist kind " + string(d.Kind))
}

// Factor samples d as a multiplicative factor: an unset Dist means 1 (no variability).
func (d Dist) Factor(r *rand.Rand) float64 {
	if d.IsZero() {
		return 1
	}
	return d.Sample(r)
}

// ExpectedValue returns the mean of d (exact for every kind; for Empirical, the mean of the
// piecewise-linear distribution). For a factor, an unset Dist has mean 1 only through Factor's
// convention, so callers that mean a factor use MeanFactor.
func (d Dist) ExpectedValue() float64 {
	switch d.Kind {
	case "", Fixed:
		return d.Value
	case Uniform:
		return (d.Min + d.Max) / 2
	case Exponential:
		return d.Mean
	case Normal:
		// Mean of max(0, X) for X ~ N(mu, s^2).
		if d.StdDev == 0 {
			return math.Max(0, d.Mean)
		}
		z := d.Mean / d.StdDev
		return d.Mean*stdNormalCDF(z) + d.StdDev*math.Exp(-z*z/2)/math.Sqrt(2*math.Pi)
	case LogNormal:
		return d.Median * math.Exp(d.Sigma*d.Sigma/2)
	case Empirical:
		q := d.Quantiles
		if len(q) == 1 {
			return q[0]
		}
		s := 0.0
		for i := 1; i < len(q); i++ {
			s += (q[i] + q[i-1]) / 2
		}
		return s / float64(len(q)-1)
	}
	return math.NaN()
}

// ExpectedItems returns the mean item count of a Map whose items follow d, as a run draws them:
// ItemCount of a draw (rounded, and at least 1). It differs from ExpectedValue where d has mass
// below 1 or between integers: exponential items of mean 2 run 2.20 on average. It is
// ExpectedValue plus the mean of ItemCount(x) - x, which is bounded (within [-0.5, 1], so the two
// are never more than an item apart) and so integrates well over d's quantiles (midpoints of
// expectedItemsSteps probabilities); the mean of a heavy tail stays ExpectedValue's exact one.
// Validate's item limits and the planners' item counts (Plan.NeedMB, a profile's skeleton,
// Photons) keep ExpectedValue, which is cheap and within that item.
func (d Dist) ExpectedItems() float64 {
	if d.Kind == "" || d.Kind == Fixed {
		return float64(ItemCount(d.Value))
	}
	c := 0.0
	for k := range expectedItemsSteps {
		x := d.Quantile((float64(k) + 0.5) / expectedItemsSteps)
		if x < math.MaxInt32 {
			c += float64(ItemCount(x)) - x
		}
	}
	return d.ExpectedValue() + c/expectedItemsSteps
}

// expectedItemsSteps is how many quantiles ExpectedItems takes. Its correction's error is about
// 1/4096 where d spans few integers; where it spans more than 4,096 the midpoints can alias with
// the rounding, by up to 0.5 (uniform items from 0.25 to 4,096.25: 2,048.50, not 2,048.25), which
// is tiny against such a mean.
const expectedItemsSteps = 4096

// MeanFactor is ExpectedValue for a Dist used as a factor (unset means 1).
func (d Dist) MeanFactor() float64 {
	if d.IsZero() {
		return 1
	}
	return d.ExpectedValue()
}

// Quantile returns the value at probability p in [0, 1] for Fixed, Uniform, Exponential and
// Empirical distributions, and for Normal and LogNormal by the inverse normal CDF.
func (d Dist) Quantile(p float64) float64 {
	p = math.Min(1, math.Max(0, p))
	switch d.Kind {
	case "", Fixed:
		return d.Value
	case Uniform:
		return d.Min + (d.Max-d.Min)*p
	case Exponential:
		if p >= 1 {
			return math.Inf(1)
		}
		return -d.Mean * math.Log1p(-p)
	case Normal:
		return math.Max(0, d.Mean+d.StdDev*stdNormalQuantile(p))
	case LogNormal:
		return d.Median * math.Exp(d.Sigma*stdNormalQuantile(p))
	case Empirical:
		q := d.Quantiles
		if len(q) == 1 {
			return q[0]
		}
		x := p * float64(len(q)-1)
		i := int(x)
		if i >= len(q)-1 {
			return q[len(q)-1]
		}
		f := x - float64(i)
		return q[i] + f*(q[i+1]-q[i])
	}
	panic("dag: Quantile on invalid Dist kind " + string(d.Kind))
}

// Validate reports whether d's parameters make a non-negative distribution of its kind.
func (d Dist) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s distribution: "+format, append([]any{d.Kind}, a...)...)
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch d.Kind {
	case "", Fixed:
		if !finite(d.Value) || d.Value < 0 {
			return bad("value must be a finite number >= 0, got %v", d.Value)
		}
	case Uniform:
		if !finite(d.Min) || !finite(d.Max) || d.Min < 0 || d.Max < d.Min {
			return bad("need 0 <= min <= max, got min %v max %v", d.Min, d.Max)
		}
	case Exponential:
		if !finite(d.Mean) || d.Mean < 0 {
			return bad("mean must be >= 0, got %v", d.Mean)
		}
	case Normal:
		if !finite(d.Mean) || !finite(d.StdDev) || d.StdDev < 0 {
			return bad("need a finite mean and stddev >= 0, got mean %v stddev %v", d.Mean, d.StdDev)
		}
	case LogNormal:
		if !finite(d.Median) || !finite(d.Sigma) || d.Median < 0 || d.Sigma < 0 {
			return bad("need median >= 0 and sigma >= 0, got median %v sigma %v", d.Median, d.Sigma)
		}
		if d.Sigma > MaxSigma {
			return bad("sigma %v is above the limit %v (a draw of 4 sigma would be e^%.0f times the median)", d.Sigma, MaxSigma, 4*d.Sigma)
		}
	case Empirical:
		if len(d.Quantiles) == 0 {
			return bad("quantiles must hold at least one value")
		}
		for i, q := range d.Quantiles {
			if !finite(q) || q < 0 {
				return bad("quantiles[%d] = %v, want a finite number >= 0", i, q)
			}
			if i > 0 && q < d.Quantiles[i-1] {
				return bad("quantiles must be non-decreasing, but quantiles[%d] = %v < quantiles[%d] = %v", i, q, i-1, d.Quantiles[i-1])
			}
		}
	default:
		return fmt.Errorf("unknown distribution kind %q (want fixed, uniform, exponential, normal, lognormal or empirical)", d.Kind)
	}
	return nil
}

// ValidateMax is Validate, then checks that each of d's parameters that scales its values (value,
// min, max, mean, stddev, median, quantiles) is at most limit; what names the quantity and the
// limit's reason for the message (e.g. "core-seconds of work").
func (d Dist) ValidateMax(limit float64, what string) error {
	if err := d.Validate(); err != nil {
		return err
	}
	check := func(name string, v float64) error {
		if v > limit {
			return fmt.Errorf("%s distribution: %s %v is above the limit %g (%s)", kindOr(d.Kind), name, v, limit, what)
		}
		return nil
	}
	var err error
	for _, p := range []struct {
		name string
		v    float64
	}{{"value", d.Value}, {"min", d.Min}, {"max", d.Max}, {"mean", d.Mean}, {"stddev", d.StdDev}, {"median", d.Median}} {
		if err == nil {
			err = check(p.name, p.v)
		}
	}
	for i, q := range d.Quantiles {
		if err == nil && q > limit { // the name is built only for the error
			err = check(fmt.Sprintf("quantiles[%d]", i), q)
		}
	}
	return err
}

func kindOr(k DistKind) DistKind {
	if k == "" {
		return Fixed
	}
	return k
}

// distFields is Dist without its JSON methods: the object form of a Dist in JSON.
type distFields Dist

// kindFields lists the JSON fields each kind takes, all of them required in the object form, in
// the order they are written.
var kindFields = map[DistKind][]string{
	Fixed:       {"value"},
	Uniform:     {"min", "max"},
	Exponential: {"mean"},
	Normal:      {"mean", "stddev"},
	LogNormal:   {"median", "sigma"},
	Empirical:   {"quantiles"},
}

// MarshalJSON writes a fixed Dist as a bare number and every other kind as an object with its
// kind's fields, each written even when 0 (UnmarshalJSON requires them all).
func (d Dist) MarshalJSON() ([]byte, error) {
	if d.Kind == "" || d.Kind == Fixed {
		if math.IsNaN(d.Value) || math.IsInf(d.Value, 0) {
			return nil, fmt.Errorf("dag: fixed distribution: value %v is not a finite number", d.Value)
		}
		return []byte(strconv.FormatFloat(d.Value, 'g', -1, 64)), nil
	}
	names, ok := kindFields[d.Kind]
	if !ok {
		return json.Marshal(distFields(d))
	}
	values := map[string]any{"value": d.Value, "min": d.Min, "max": d.Max, "mean": d.Mean, "stddev": d.StdDev,
		"median": d.Median, "sigma": d.Sigma, "quantiles": d.Quantiles}
	var b bytes.Buffer
	b.WriteString(`{"kind":`)
	k, _ := json.Marshal(d.Kind)
	b.Write(k)
	for _, n := range names {
		v, err := json.Marshal(values[n])
		if err != nil {
			return nil, fmt.Errorf("dag: %s distribution: %s: %w", d.Kind, n, err)
		}
		fmt.Fprintf(&b, `,%q:%s`, n, v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON accepts a bare number (a fixed value) or an object with a "kind". It checks the
// form only; Validate checks the parameters.
func (d *Dist) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil // encoding/json's convention: null leaves the value as it was
	}
	if len(b) > 0 && b[0] != '{' {
		var v float64
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("want a number or a distribution object, got %s", jsonpos.DescribeJSON(b))
		}
		*d = Const(v)
		return nil
	}
	var p distFields
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("distribution object: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	if p.Kind == "" {
		return fmt.Errorf("distribution object needs a \"kind\" (fixed, uniform, exponential, normal, lognormal or empirical)")
	}
	// Every field of the kind is required (no silent 0), and a field of another kind is an
	// error (it would be ignored: "sigma" on a uniform).
	if want, ok := kindFields[p.Kind]; ok {
		var present map[string]json.RawMessage
		if err := json.Unmarshal(b, &present); err != nil {
			return fmt.Errorf("distribution object: %v", strings.TrimPrefix(err.Error(), "json: "))
		}
		for _, key := range slices.Sorted(maps.Keys(present)) { // sorted: the same message every time
			k := strings.ToLower(key)
			if k != "kind" && !slices.Contains(want, k) {
				return fmt.Errorf("%s distribution: field %q does not apply (a %s takes %s)", p.Kind, key, p.Kind, strings.Join(want, " and "))
			}
		}
		for _, f := range want {
			found := false
			for key := range present {
				found = found || strings.EqualFold(key, f)
			}
			if !found {
				return fmt.Errorf("%s distribution: %q is missing (a %s takes %s)", p.Kind, f, p.Kind, strings.Join(want, " and "))
			}
		}
	}
	*d = Dist(p)
	return nil
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

func stdNormalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// stdNormalQuantile is the inverse of the standard normal CDF.
func stdNormalQuantile(p float64) float64 {
	if p <= 0 {
		return math.Inf(-1)
	}
	if p >= 1 {
		return math.Inf(1)
	}
	return -math.Sqrt2 * math.Erfcinv(2*p)
}
