package traces

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// CDF is a step CDF over integer values: Cum[i] is the fraction of observations <= Values[i].
// Values ascend strictly, Cum is non-decreasing and ends at 1.
//
// Between two listed values more than 1 apart, Quantile interpolates the value log-linearly, so a
// compact table of a few dozen knots reproduces a heavy tail (the Azure width CDF has 2,538 steps)
// to within the largest Cum gap between knots.
type CDF struct {
	Values []float64
	Cum    []float64
}

// At returns the fraction of observations <= x under the step CDF.
func (c CDF) At(x float64) float64 {
	i, found := slices.BinarySearch(c.Values, x)
	if found {
		return c.Cum[i]
	}
	if i == 0 {
		return 0
	}
	return c.Cum[i-1]
}

// Quantile returns the smallest integer value whose cumulative fraction reaches u (0 <= u <= 1),
// interpolating log-linearly between knots that are more than 1 apart.
func (c CDF) Quantile(u float64) int {
	i := sort01(c.Cum, u)
	if i == 0 {
		return int(c.Values[0])
	}
	lo, hi := c.Values[i-1], c.Values[i]
	if hi-lo <= 1 {
		return int(hi)
	}
	// u falls in (Cum[i-1], Cum[i]]: spread the mass over (lo, hi] log-uniformly.
	f := (u - c.Cum[i-1]) / (c.Cum[i] - c.Cum[i-1])
	v := math.Ceil(lo * math.Exp(f*math.Log(hi/lo)))
	return int(math.Min(math.Max(v, lo+1), hi))
}

// Smooth returns the CDF that Quantile realizes at integer x: Cum at knots and, between knots
// more than 1 apart, the log-linear interpolation Quantile draws from.
func (c CDF) Smooth(x int) float64 {
	xf := float64(x)
	i, found := slices.BinarySearch(c.Values, xf)
	switch {
	case found:
		return c.Cum[i]
	case i == 0:
		return 0
	case i == len(c.Values):
		return 1
	}
	lo, hi := c.Values[i-1], c.Values[i]
	return c.Cum[i-1] + (c.Cum[i]-c.Cum[i-1])*math.Log(xf/lo)/math.Log(hi/lo)
}

// sort01 returns the first index whose cum >= u (the last index if none).
func sort01(cum []float64, u float64) int {
	i, _ := slices.BinarySearch(cum, u)
	if i >= len(cum) {
		return len(cum) - 1
	}
	return i
}

// ReadCDF reads a published CDF file in the Orion Public_Dataset layout: a header line
// ("width,cdf"), then "value,cumulative fraction" rows (CSV: fields may be quoted) with values
// non-decreasing, ending at fraction 1. A repeated value keeps its last fraction (the files open
// with the first value at fraction ~0 and then at its real fraction). The header is checked: a
// file without one lost its first row silently, and a CDF cut short (never reaching 1) was read.
func ReadCDF(path string) (CDF, error) {
	f, err := os.Open(path)
	if err != nil {
		return CDF{}, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	var c CDF
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return CDF{}, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != 2 {
			return CDF{}, fmt.Errorf("%s:%d: %d fields, want \"value,cdf\"", path, line, len(rec))
		}
		v, p := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if line == 1 {
			if _, err := strconv.ParseFloat(v, 64); err == nil || !strings.EqualFold(p, "cdf") {
				return CDF{}, fmt.Errorf("%s:1: want a header such as \"width,cdf\" (a value's name, then cdf), got %q", path, strings.Join(rec, ","))
			}
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return CDF{}, fmt.Errorf("%s:%d: column 1 (value): want a number, got %q", path, line, v)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return CDF{}, fmt.Errorf("%s:%d: column 1 (value): want a finite number, got %q", path, line, v)
		}
		// Written so that NaN fails too: it passed a q < 0 || q > 1 check and reached the figures.
		q, err := strconv.ParseFloat(p, 64)
		if err != nil || !(q >= 0 && q <= 1) {
			return CDF{}, fmt.Errorf("%s:%d: column 2 (cdf): want a fraction in [0, 1], got %q", path, line, p)
		}
		n := len(c.Values)
		switch {
		case n > 0 && x == c.Values[n-1]:
			c.Cum[n-1] = q
		case n > 0 && (x < c.Values[n-1] || q < c.Cum[n-1]):
			return CDF{}, fmt.Errorf("%s:%d: values and fractions must not decrease", path, line)
		default:
			c.Values = append(c.Values, x)
			c.Cum = append(c.Cum, q)
		}
	}
	if len(c.Values) == 0 {
		return CDF{}, fmt.Errorf("%s: no rows", path)
	}
	if last := c.Cum[len(c.Cum)-1]; math.Abs(last-1) > 1e-9 {
		return CDF{}, fmt.Errorf("%s: the last fraction is %v, want 1: a CDF ends at 1 (is the file cut short?)", path, last)
	}
	return c, nil
}

// KSDistance returns sup |F(x) - G(x)| between two step CDFs over integer values.
func KSDistance(a, b CDF) float64 {
	d := 0.0
	for _, x := range a.Values {
		d = math.Max(d, math.Abs(a.At(x)-b.At(x)))
	}
	for _, x := range b.Values {
		d = math.Max(d, math.Abs(a.At(x)-b.At(x)))
	}
	return d
}

// Compact keeps every value up to keepBelow and, above it, only knots at which the cumulative
// fraction has risen by at least step since the previous knot, or the tail fraction 1 - Cum has
// halved (so the extreme tail keeps its shape), and the last value. Quantile on the result stays
// within step of the original CDF.
func (c CDF) Compact(keepBelow, step float64) CDF {
	var out CDF
	for i, x := range c.Values {
		last := i == len(c.Values)-1
		prev := 0.0
		if len(out.Cum) > 0 {
			prev = out.Cum[len(out.Cum)-1]
		}
		if x <= keepBelow || last || c.Cum[i]-prev >= step || 1-c.Cum[i] <= (1-prev)/2 {
			out.Values = append(out.Values, x)
			out.Cum = append(out.Cum, c.Cum[i])
		}
	}
	return out
}

// Knobs for the compact published tables (see azure_tables_test.go).
const (
	compactKeepBelow = 40
	compactStep      = 0.0005
)

// cdfFromCounts turns value counts into a step CDF.
func cdfFromCounts(counts map[int]int) CDF {
	keys := make([]int, 0, len(counts))
	total := 0
	for k, n := range counts {
		keys = append(keys, k)
		total += n
	}
	slices.Sort(keys)
	var c CDF
	cum := 0
	for _, k := range keys {
		cum += counts[k]
		c.Values = append(c.Values, float64(k))
		c.Cum = append(c.Cum, float64(cum)/float64(total))
	}
	return c
}
