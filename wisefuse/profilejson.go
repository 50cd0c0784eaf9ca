// The fast read of a profile file. encoding/json decodes by reflection in several passes; this
// walks the structure once, setting each array of numbers aside (its bytes up to the first ']',
// its slice allocated from a count of its commas), then decodes those arrays, the bulk of a
// profile, on GOMAXPROCS goroutines (video's 5.8 MB profile: 527,000 numbers in 132 arrays).
// Each array fills its own slice, so the result does not depend on the schedule.

package wisefuse

import (
	"bytes"
	"runtime"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/jsonpos"
	"github.com/wisefuse/wisefuse/internal/parallel"
)

// decodeProfileFast decodes a profile file into what jsonpos.Decode (strict) makes of it, or
// reports false when data holds anything it is not sure of: an unknown or repeated key, a key
// not spelled exactly as the field's tag (encoding/json matches keys without case), a string
// with an escape or a byte outside printable ASCII, a null, a number that is not JSON's or does
// not fit its field, data after the object. ReadProfile then decodes with jsonpos, which gives
// such files their errors with line and column; a file WriteProfile wrote never needs it. The
// workflow object, small, is decoded by jsonpos on its own bytes (the same types, options and
// result as in place).
func decodeProfileFast(data []byte) (*Profile, bool) {
	d := &profileDec{data: data}
	var p Profile
	var seen [9]bool
	ok := d.object(func(key string) bool {
		switch key {
		case "workflow":
			if !once(&seen[0]) {
				return false
			}
			raw, ok := d.rawObject()
			if !ok {
				return false
			}
			var w dag.Workflow
			if jsonpos.Decode(raw, &w, jsonpos.Options{Strict: true}) != nil {
				return false
			}
			p.Workflow = &w
			return true
		case "source":
			return once(&seen[1]) && d.str(&p.Source)
		case "origin":
			return once(&seen[2]) && d.str(&p.Origin)
		case "platform":
			return once(&seen[6]) && d.str(&p.Platform)
		case "platform_sha256":
			return once(&seen[7]) && d.str(&p.PlatformSHA256)
		case "profiled_concurrency_limit":
			return once(&seen[8]) && d.int(&p.ProfiledConcurrencyLimit)
		case "sizes":
			return once(&seen[3]) && d.array(func() bool {
				p.Sizes = append(p.Sizes, SizeProfile{})
				return d.size(&p.Sizes[len(p.Sizes)-1])
			}, func() { p.Sizes = []SizeProfile{} })
		case "failed_runs":
			return once(&seen[4]) && d.int(&p.FailedRuns)
		case "lost_sizes":
			return once(&seen[5]) && d.array(func() bool {
				p.Lost = append(p.Lost, LostSize{})
				return d.lost(&p.Lost[len(p.Lost)-1])
			}, func() { p.Lost = []LostSize{} })
		}
		return false
	})
	if !ok || d.space() < len(data) || !decodeNumArrays(d.arrays) {
		return nil, false
	}
	return &p, true
}

// once marks a key seen and reports whether it was not before.
func once(seen *bool) bool {
	if *seen {
		return false
	}
	*seen = true
	return true
}

// profileDec reads data from i on; arrays are the arrays of numbers it set aside.
type profileDec struct {
	data   []byte
	i      int
	arrays []numArray
}

// numArray is an array of numbers set aside: text, what lies between its brackets, is to fill
// exactly one of fs and ns (allocated to the length the commas in text give).
type numArray struct {
	text []byte
	fs   []float64
	ns   []int
}

// space skips white space and returns where it stopped.
func (d *profileDec) space() int {
	d.i = skipSpace(d.data, d.i)
	return d.i
}

// next skips white space and consumes c if it comes next.
func (d *profileDec) next(c byte) bool {
	if d.space() < len(d.data) && d.data[d.i] == c {
		d.i++
		return true
	}
	return false
}

// object reads an object, calling field for each key (which must read the value).
func (d *profileDec) object(field func(key string) bool) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	for {
		var key string
		if !d.str(&key) || !d.next(':') || !field(key) {
			return false
		}
		if d.next('}') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

// array reads an array, calling elem for each element; empty sets the field to an empty slice,
// as encoding/json does for [].
func (d *profileDec) array(elem func() bool, empty func()) bool {
	if !d.next('[') {
		return false
	}
	if d.next(']') {
		empty()
		return true
	}
	for {
		if !elem() {
			return false
		}
		if d.next(']') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

// rawObject returns the bytes of an object whose strings hold no escapes (bracket counting
// would misread an escaped quote).
func (d *profileDec) rawObject() ([]byte, bool) {
	start := d.space()
	depth := 0
	for d.i < len(d.data) {
		c := d.data[d.i]
		d.i++
		switch c {
		case '"':
			for d.i < len(d.data) && d.data[d.i] != '"' {
				if d.data[d.i] == '\\' {
					return nil, false
				}
				d.i++
			}
			d.i++
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				if c != '}' || d.data[start] != '{' {
					return nil, false
				}
				return d.data[start:d.i], true
			}
		}
		if depth == 0 {
			return nil, false // not an object
		}
	}
	return nil, false
}

// str reads a string of printable ASCII without escapes into s.
func (d *profileDec) str(s *string) bool {
	if !d.next('"') {
		return false
	}
	start := d.i
	for d.i < len(d.data) {
		c := d.data[d.i]
		if c == '"' {
			*s = string(d.data[start:d.i])
			d.i++
			return true
		}
		if c == '\\' || c < 0x20 || c > 0x7e {
			return false
		}
		d.i++
	}
	return false
}

// float reads a number into x as encoding/json does (strconv.ParseFloat of its text).
func (d *profileDec) float(x *float64) bool {
	v, end, ok := parseFloat(d.data, d.space())
	d.i = end
	*x = v
	return ok
}

// int reads a number into n as encoding/json does for an int (strconv.ParseInt of its text).
func (d *profileDec) int(n *int) bool {
	v, end, ok := parseInt(d.data, d.space())
	d.i = end
	*n = v
	return ok
}

// floats sets an array of numbers aside for decodeNumArrays to decode into *xs.
func (d *profileDec) floats(xs *[]float64) bool {
	return setAside(d, xs, func(a *numArray, s []float64) { a.fs = s })
}

// ints sets an array of numbers aside for decodeNumArrays to decode into *ns.
func (d *profileDec) ints(ns *[]int) bool {
	return setAside(d, ns, func(a *numArray, s []int) { a.ns = s })
}

// setAside is floats and ints: into sets the slice an array entry decodes into.
func setAside[T int | float64](d *profileDec, xs *[]T, into func(*numArray, []T)) bool {
	text, n, ok := d.arrayText()
	switch {
	case !ok:
		return false
	case n == 0:
		*xs = []T{} // as encoding/json decodes []
	default:
		*xs = make([]T, n)
		a := numArray{text: text}
		into(&a, *xs)
		d.arrays = append(d.arrays, a)
	}
	return true
}

// arrayText skips an array meant to hold numbers only and returns what lies between its
// brackets and how many elements its commas make it. An array of numbers holds no ']', so the
// first one ends it; an array that holds anything else fails decodeNumArrays, and with it the
// whole fast read, whatever the first ']' closed.
func (d *profileDec) arrayText() (text []byte, n int, ok bool) {
	if !d.next('[') {
		return nil, 0, false
	}
	end := bytes.IndexByte(d.data[d.i:], ']')
	if end < 0 {
		return nil, 0, false
	}
	text = d.data[d.i : d.i+end]
	d.i += end + 1
	if skipSpace(text, 0) == len(text) {
		return text, 0, true
	}
	// n numbers take n digits and n-1 commas at least: more commas than that mean an array that
	// is not numbers, not a slice to make (a file of commas would ask for 8 bytes a byte).
	n = bytes.Count(text, []byte{','}) + 1
	return text, n, 2*n-1 <= len(text)
}

// decodeNumArrays decodes every array set aside, on up to GOMAXPROCS goroutines (the caller's
// among them), and reports whether each held exactly its count of numbers, each a JSON number
// that its slice's type holds.
func decodeNumArrays(arrays []numArray) bool {
	return parallel.For(len(arrays), runtime.GOMAXPROCS(0), func(_, k int) bool { return arrays[k].decode() })
}

// decode fills a's slice from its text: numbers separated by commas, white space around each.
// A number written as the one before it has its value, taken without reading it again: profiles
// repeat many values (video's default profile: 71% of its numbers).
func (a *numArray) decode() bool {
	b, i := a.text, 0
	var prev []byte // the text of the number before
	var ok bool
	for k := range max(len(a.fs), len(a.ns)) {
		i = skipSpace(b, i)
		if k > 0 {
			if i == len(b) || b[i] != ',' {
				return false
			}
			i = skipSpace(b, i+1)
		}
		start := i
		switch {
		case k > 0 && repeats(b, i, prev):
			i, ok = i+len(prev), true
			if a.fs != nil {
				a.fs[k] = a.fs[k-1]
			} else {
				a.ns[k] = a.ns[k-1]
			}
		case a.fs != nil:
			a.fs[k], i, ok = parseFloat(b, i)
		default:
			a.ns[k], i, ok = parseInt(b, i)
		}
		if !ok {
			return false
		}
		prev = b[start:i]
	}
	return skipSpace(b, i) == len(b)
}

// repeats reports whether the number at b[i:] is written as prev: the same bytes, and none
// after them that a number could go on with.
func repeats(b []byte, i int, prev []byte) bool {
	j := i + len(prev)
	if j > len(b) || !bytes.Equal(b[i:j], prev) {
		return false
	}
	if j == len(b) {
		return true
	}
	c := b[j]
	return !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')
}

// skipSpace returns where the white space at b[i:] ends.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

func (d *profileDec) strs(ss *[]string) bool {
	return d.array(func() bool {
		*ss = append(*ss, "")
		return d.str(&(*ss)[len(*ss)-1])
	}, func() { *ss = []string{} })
}

func (d *profileDec) size(s *SizeProfile) bool {
	var seen [8]bool
	return d.object(func(key string) bool {
		switch key {
		case "memory_mb":
			return once(&seen[0]) && d.int(&s.MemoryMB)
		case "runs":
			return once(&seen[1]) && d.int(&s.Runs)
		case "e2e_s":
			return once(&seen[2]) && d.floats(&s.E2E)
		case "end_gap_s":
			return once(&seen[3]) && d.floats(&s.EndGap)
		case "stages":
			return once(&seen[4]) && d.array(func() bool {
				s.Stages = append(s.Stages, StageGaps{})
				return d.stage(&s.Stages[len(s.Stages)-1])
			}, func() { s.Stages = []StageGaps{} })
		case "steps":
			return once(&seen[5]) && d.array(func() bool {
				s.Steps = append(s.Steps, StepSamples{})
				return d.step(&s.Steps[len(s.Steps)-1])
			}, func() { s.Steps = []StepSamples{} })
		}
		return false
	})
}

func (d *profileDec) lost(l *LostSize) bool {
	var seen [2]bool
	return d.object(func(key string) bool {
		switch key {
		case "memory_mb":
			return once(&seen[0]) && d.int(&l.MemoryMB)
		case "timed_out_steps":
			return once(&seen[1]) && d.strs(&l.TimedOut)
		}
		return false
	})
}

func (d *profileDec) stage(g *StageGaps) bool {
	var seen [3]bool
	return d.object(func(key string) bool {
		switch key {
		case "step":
			return once(&seen[0]) && d.str(&g.Step)
		case "gap_s":
			return once(&seen[1]) && d.floats(&g.Gap)
		case "timed_out_runs":
			return once(&seen[2]) && d.int(&g.TimedOut)
		}
		return false
	})
}

func (d *profileDec) step(s *StepSamples) bool {
	var seen [13]bool
	return d.object(func(key string) bool {
		switch key {
		case "step":
			return once(&seen[0]) && d.str(&s.Step)
		case "function":
			return once(&seen[1]) && d.str(&s.Function)
		case "run":
			return once(&seen[2]) && d.ints(&s.Run)
		case "item":
			return once(&seen[3]) && d.ints(&s.Item)
		case "outer":
			return once(&seen[4]) && d.strs(&s.Outer)
		case "gap_s":
			return once(&seen[5]) && d.floats(&s.Gap)
		case "init_s":
			return once(&seen[6]) && d.floats(&s.Init)
		case "download_s":
			return once(&seen[7]) && d.floats(&s.Download)
		case "compute_s":
			return once(&seen[8]) && d.floats(&s.Compute)
		case "upload_s":
			return once(&seen[9]) && d.floats(&s.Upload)
		case "in_bytes":
			return once(&seen[10]) && d.float(&s.InBytes)
		case "out_bytes":
			return once(&seen[11]) && d.float(&s.OutBytes)
		case "memory_mb":
			return once(&seen[12]) && d.int(&s.MemoryMB)
		}
		return false
	})
}
