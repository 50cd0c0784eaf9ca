package replay

import (
	"encoding/base64"
	"fmt"
	"math"

	"github.com/DataDog/sketches-go/ddsketch"
)

// SketchAccuracy is the relative accuracy of every latency quantile a replay reports: a reported
// quantile q is within 1% of the true value at that rank (DDSketch's guarantee; Masson, Rim and
// Lee, "DDSketch", VLDB 2019). Sketches merge exactly, so shards merged with `trace merge` report
// the same quantiles as one replay of the whole trace.
const SketchAccuracy = 0.01

// sketch is a mergeable latency distribution. DDSketch (github.com/DataDog/sketches-go, the
// library Datadog maintains for exactly this) is used instead of a hand-written histogram: it has
// a proven relative-error bound, a compact encoding to carry between shards, and an exact merge.
type sketch struct{ s *ddsketch.DDSketch }

func newSketch() sketch {
	s, err := ddsketch.NewDefaultDDSketch(SketchAccuracy)
	if err != nil {
		panic("replay: " + err.Error()) // only for an accuracy outside (0, 1)
	}
	return sketch{s}
}

func (k sketch) add(x float64) {
	// A latency is finite and >= 0 (the engine checks its clock); zero is a valid latency.
	if err := k.s.Add(x); err != nil {
		panic(fmt.Sprintf("replay: latency %v rejected by the sketch: %v", x, err))
	}
}

func (k sketch) merge(o sketch) error { return k.s.MergeWith(o.s) }

func (k sketch) count() int64 { return int64(k.s.GetCount()) }

// quantile returns the value at q in [0, 1], or NaN for an empty sketch.
func (k sketch) quantile(q float64) float64 {
	if k.s.IsEmpty() {
		return math.NaN()
	}
	v, err := k.s.GetValueAtQuantile(q)
	if err != nil {
		return math.NaN()
	}
	return v
}

// encode returns the sketch as base64 text, for a table cell or JSON.
func (k sketch) encode() string {
	var b []byte
	k.s.Encode(&b, false)
	return base64.StdEncoding.EncodeToString(b)
}

func decodeSketch(text string) (sketch, error) {
	b, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return sketch{}, fmt.Errorf("latency sketch: %w", err)
	}
	k := newSketch()
	if err := k.s.DecodeAndMergeWith(b); err != nil {
		return sketch{}, fmt.Errorf("latency sketch: %w", err)
	}
	return k, nil
}
