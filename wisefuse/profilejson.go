// The fast read of a profile file: one pass over the bytes for the bulk of a profile (its
// per-invocation arrays), which encoding/json decodes by reflection in several passes (video's
// 5.8 MB profile: about 0.1 s of a 0.85 s `plan`, a fifth of it after this read).

package wisefuse

import (
	"strconv"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/jsonpos"
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
	var seen [5]bool
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
		case "sizes":
			return once(&seen[3]) && d.array(func() bool {
				p.Sizes = append(p.Sizes, SizeProfile{})
				return d.size(&p.Sizes[len(p.Sizes)-1])
			}, func() { p.Sizes = []SizeProfile{} })
		case "failed_runs":
			return once(&seen[4]) && d.int(&p.FailedRuns)
		}
		return false
	})
	if !ok || d.space() < len(data) {
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

// profileDec reads data from i on.
type profileDec struct {
	data []byte
	i    int
}

// space skips white space and returns where it stopped.
func (d *profileDec) space() int {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\r', '\n':
			d.i++
			continue
		}
		break
	}
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

// number returns the text of a JSON number (RFC 8259 grammar) at d.i.
func (d *profileDec) number() ([]byte, bool) {
	b := d.data
	start := d.space()
	i := start
	digits := func() bool {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return nil, false
		}
	}
	d.i = i
	return b[start:i], true
}

// float reads a number into x as encoding/json does (strconv.ParseFloat of its text).
func (d *profileDec) float(x *float64) bool {
	t, ok := d.number()
	if !ok {
		return false
	}
	v, err := strconv.ParseFloat(string(t), 64)
	if err != nil {
		return false
	}
	*x = v
	return true
}

// int reads a number into n as encoding/json does for an int (strconv.ParseInt of its text).
func (d *profileDec) int(n *int) bool {
	t, ok := d.number()
	if !ok {
		return false
	}
	v, err := strconv.ParseInt(string(t), 10, 64)
	if err != nil {
		return false
	}
	*n = int(v)
	return true
}

func (d *profileDec) floats(xs *[]float64) bool {
	return d.array(func() bool {
		*xs = append(*xs, 0)
		return d.float(&(*xs)[len(*xs)-1])
	}, func() { *xs = []float64{} })
}

func (d *profileDec) ints(ns *[]int) bool {
	return d.array(func() bool {
		*ns = append(*ns, 0)
		return d.int(&(*ns)[len(*ns)-1])
	}, func() { *ns = []int{} })
}

func (d *profileDec) strs(ss *[]string) bool {
	return d.array(func() bool {
		*ss = append(*ss, "")
		return d.str(&(*ss)[len(*ss)-1])
	}, func() { *ss = []string{} })
}

func (d *profileDec) size(s *SizeProfile) bool {
	var seen [6]bool
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

func (d *profileDec) stage(g *StageGaps) bool {
	var seen [2]bool
	return d.object(func(key string) bool {
		switch key {
		case "step":
			return once(&seen[0]) && d.str(&g.Step)
		case "gap_s":
			return once(&seen[1]) && d.floats(&g.Gap)
		}
		return false
	})
}

func (d *profileDec) step(s *StepSamples) bool {
	var seen [12]bool
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
		}
		return false
	})
}
