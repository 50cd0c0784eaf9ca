package main

import (
	"flag"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

var invalidValue = regexp.MustCompile(`^invalid value "(.*)" for flag -([^:]+): `)

// flagHint rewrites a flag error the user can fix with one more character: a duration flag given
// a bare number (--slo 30) answers with the fix (--slo 30s). Other errors pass unchanged.
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
	if _, isDur := g.Get().(time.Duration); !isDur {
		return err
	}
	if _, perr := strconv.ParseFloat(m[1], 64); perr != nil {
		return fmt.Errorf("--%s %q: not a duration; durations take a unit (s, m, h, ms), e.g. --%s 30s", m[2], m[1], m[2])
	}
	return fmt.Errorf("--%s %s: a duration needs a unit: --%s %ss (or m, h, ms)", m[2], m[1], m[2], m[1])
}
