// Package sketch keeps a latency distribution in a mergeable quantile sketch (DDSketch, 1%
// relative accuracy): memory is a few KB whatever the number of values, and sketches of parts
// merge exactly into the sketch of the whole, so shards of a run report what one run would.
package sketch

import (
	"encoding/base64"
	"fmt"
	"math"

	"github.com/DataDog/sketches-go/ddsketch"
)

// Accuracy is the relative accuracy of every latency quantile a replay reports: a reported
// quantile q is within 1% of the true value at that rank (DDSketch's guarantee; Masson, Rim and
// Lee, "DDSketch", VLDB 2019). Sketches merge exactly, so shards merged with `trace merge` report
// the same quantiles as one replay of the whole trace.
const Accuracy = 0.01

// Sketch is a mergeable distribution of values >= 0. DDSketch (github.com/DataDog/sketches-go, the
// library Datadog maintains for exactly this) is used instead of a hand-written histogram: it has
// a proven relative-error bound, a compact encoding to carry between shards, and an exact merge.
type Sketch struct{ s *ddsketch.DDSketch }

// New returns an empty sketch.
func New() Sketch {
	s, err := ddsketch.NewDefaultDDSketch(Accuracy)
	if err != nil {
		panic("sketch: " + err.Error()) // only for an accuracy outside (0, 1)
	}
	return Sketch{s}
}

// Add adds one value.
func (k Sketch) Add(x float64) {
	// A latency is finite and >= 0 (the engine checks its clock); zero is a valid latency.
	if err := k.s.Add(x); err != nil {
		panic(fmt.Sprintf("sketch: value %v rejected: %v", x, err))
	}
}

// Merge adds every value of o.
func (k Sketch) Merge(o Sketch) error { return k.s.MergeWith(o.s) }

// Count is the number of values added.
func (k Sketch) Count() int64 { return int64(k.s.GetCount()) }

// Quantile returns the value at q in [0, 1], or NaN for an empty sketch.
func (k Sketch) Quantile(q float64) float64 {
	if k.s.IsEmpty() {
		return math.NaN()
	}
	v, err := k.s.GetValueAtQuantile(q)
	if err != nil {
		return math.NaN()
	}
	return v
}

// Encode returns the sketch as base64 text, for a table cell or JSON.
func (k Sketch) Encode() string {
	var b []byte
	k.s.Encode(&b, false)
	return base64.StdEncoding.EncodeToString(b)
}

// Decode reads a sketch written by Encode.
func Decode(text string) (Sketch, error) {
	b, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return Sketch{}, fmt.Errorf("latency sketch: %w", err)
	}
	k := New()
	if err := k.s.DecodeAndMergeWith(b); err != nil {
		return Sketch{}, fmt.Errorf("latency sketch: %w", err)
	}
	return k, nil
}
