package main

import (
	"flag"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var invalidValue = regexp.MustCompile(`^invalid value "(.*)" for flag -([^:]+): `)

// flagHint rewrites a flag error the user can fix with one more character: a duration flag given
// a bare number (--slo 30) answers with the fix (--slo 30s). A number flag given what does not
// parse as its type says which numbers it takes (the flag package's own message, `invalid value
// "-1" for flag -seed: parse error`, did not). Other errors pass unchanged.
func flagHint(fs *flag.FlagSet, err error) error {
	m := invalidValue.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	f := fs.Lookup(m[2])
	if f == nil {
		return err
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return err
	}
	switch g.Get().(type) {
	case time.Duration:
	case uint64, uint:
		return fmt.Errorf("--%s %q: want a whole number from 0 to %d", m[2], m[1], uint64(math.MaxUint64))
	case int, int64:
		return fmt.Errorf("--%s %q: want an integer (without a fraction or an exponent)", m[2], m[1])
	case float64:
		return fmt.Errorf("--%s %q: want a number, e.g. 2, 0.5 or 1e3", m[2], m[1])
	default:
		return err
	}
	if _, perr := strconv.ParseFloat(m[1], 64); perr != nil {
		if overflowsDuration(m[1]) {
			return fmt.Errorf("--%s %s: at most %.0fh, the longest duration there is", m[2], m[1], math.Floor(time.Duration(math.MaxInt64).Hours()))
		}
		return fmt.Errorf("--%s %q: not a duration; durations take a unit (s, m, h, ms), e.g. --%s 30s", m[2], m[1], m[2])
	}
	return fmt.Errorf("--%s %s: a duration needs a unit: --%s %ss (or m, h, ms)", m[2], m[1], m[2], m[1])
}

// overflowsDuration reports whether s is a number and a unit that time.ParseDuration refuses for
// its size alone ("300000000h": a duration holds about 2,562,047 hours), which the hint above
// called "not a duration".
func overflowsDuration(s string) bool {
	for _, u := range []struct {
		suffix string
		d      time.Duration
	}{{"ns", time.Nanosecond}, {"us", time.Microsecond}, {"µs", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}} {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(num, 64)
			return err == nil && v*float64(u.d) > math.MaxInt64
		}
	}
	return false
}
