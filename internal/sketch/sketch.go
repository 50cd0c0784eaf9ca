// Package sketch keeps a latency distribution in bounded memory: its first Exact values as they
// are, and past them a mergeable quantile sketch (DDSketch, 1% relative accuracy), so memory is a
// few KB whatever the number of values, and sketches of parts merge exactly into the sketch of the
// whole: shards of a run report what one run would.
package sketch

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/DataDog/sketches-go/ddsketch"

	"github.com/wisefuse/wisefuse/internal/stats"
)

// Accuracy is the relative accuracy of every latency quantile a replay reports past Exact values:
// a reported quantile q is within 1% of the true value at that rank (DDSketch's guarantee;
// Masson, Rim and Lee, "DDSketch", VLDB 2019). Sketches merge exactly, so shards merged with
// `trace merge` report the same quantiles as one replay of the whole trace.
const Accuracy = 0.01

// Exact is how many values a sketch keeps as they are. Up to it a quantile is exact, by the
// linear interpolation every other percentile of the project uses (stats.Percentile). DDSketch
// takes the value at rank q(n-1) rounded down, so with few values its P99 was the second largest
// or less: the P99 of two latencies, 20.82 and 22.71 s, was 20.70 s (the smaller one's bucket),
// below both and below their mean. 256 values take 2 KB, about what a DDSketch takes.
const Exact = 256

// Sketch is a distribution of values >= 0: exact up to Exact values, then a DDSketch
// (github.com/DataDog/sketches-go, the library Datadog maintains for exactly this) rather than a
// hand-written histogram: it has a proven relative-error bound, a compact encoding to carry
// between shards, and an exact merge. A Sketch is a handle: copies share the values.
type Sketch struct{ st *state }

// state holds a sketch's values: exact (up to limit of them) while dd is nil, else dd alone.
type state struct {
	exact []float64
	limit int
	dd    *ddsketch.DDSketch
}

// New returns an empty sketch, exact up to Exact values.
func New() Sketch { return Sketch{&state{limit: Exact}} }

// NewExact returns an empty sketch exact up to limit values (8 bytes each), for one distribution
// whose exact percentiles are worth more memory than a replay's thousands of sketches can take.
// It merges and encodes as any sketch; Decode gives back a sketch exact up to Exact.
func NewExact(limit int) Sketch { return Sketch{&state{limit: max(limit, 0)}} }

func newDD() *ddsketch.DDSketch {
	s, err := ddsketch.NewDefaultDDSketch(Accuracy)
	if err != nil {
		panic("sketch: " + err.Error()) // only for an accuracy outside (0, 1)
	}
	return s
}

// Add adds one value.
func (k Sketch) Add(x float64) {
	// A latency is finite and >= 0 (the engine checks its clock); zero is a valid latency. The
	// exact values are checked as DDSketch checks its own (and as Decode reads them back).
	if !(x >= 0) || math.IsInf(x, 0) {
		panic(fmt.Sprintf("sketch: value %v rejected: want a latency >= 0", x))
	}
	st := k.st
	if st.dd == nil {
		if len(st.exact) < st.limit {
			st.exact = append(st.exact, x)
			return
		}
		k.toDD()
	}
	if err := st.dd.Add(x); err != nil {
		panic(fmt.Sprintf("sketch: value %v rejected: %v", x, err))
	}
}

// toDD moves the exact values into a DDSketch, as the values past Exact go.
func (k Sketch) toDD() {
	st := k.st
	st.dd = newDD()
	for _, x := range st.exact {
		if err := st.dd.Add(x); err != nil {
			panic(fmt.Sprintf("sketch: value %v rejected: %v", x, err))
		}
	}
	st.exact = nil
}

// Merge adds every value of o.
func (k Sketch) Merge(o Sketch) error {
	if o.st.dd == nil {
		for _, x := range o.st.exact {
			k.Add(x)
		}
		return nil
	}
	if k.st.dd == nil {
		k.toDD()
	}
	return k.st.dd.MergeWith(o.st.dd)
}

// Count is the number of values added.
func (k Sketch) Count() int64 {
	if k.st.dd == nil {
		return int64(len(k.st.exact))
	}
	return int64(k.st.dd.GetCount())
}

// Quantile returns the value at q in [0, 1], or NaN for an empty sketch.
func (k Sketch) Quantile(q float64) float64 {
	st := k.st
	if st.dd == nil {
		slices.Sort(st.exact) // the order of the values means nothing
		return stats.Percentile(st.exact, 100*q)
	}
	if st.dd.IsEmpty() {
		return math.NaN()
	}
	v, err := st.dd.GetValueAtQuantile(q)
	if err != nil {
		return math.NaN()
	}
	return v
}

// exactPrefix begins the encoding of a sketch that holds its values exactly; ':' is not in
// base64's alphabet, so no DDSketch encoding begins with it.
const exactPrefix = "exact:"

// Encode returns the sketch as text, for a table cell or JSON: exactPrefix and the values' bits
// in increasing order of value (so sketches of the same values encode alike), base64; or a
// DDSketch's encoding, base64.
func (k Sketch) Encode() string {
	st := k.st
	if st.dd == nil {
		slices.Sort(st.exact)
		b := make([]byte, 0, 8*len(st.exact))
		for _, x := range st.exact {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		}
		return exactPrefix + base64.StdEncoding.EncodeToString(b)
	}
	var b []byte
	st.dd.Encode(&b, false)
	return base64.StdEncoding.EncodeToString(b)
}

// Decode reads a sketch written by Encode.
func Decode(text string) (Sketch, error) {
	k := New()
	if rest, ok := strings.CutPrefix(text, exactPrefix); ok {
		b, err := base64.StdEncoding.DecodeString(rest)
		if err != nil || len(b)%8 != 0 {
			return Sketch{}, fmt.Errorf("latency sketch: not %s and 8-byte values in base64", exactPrefix)
		}
		for ; len(b) > 0; b = b[8:] {
			x := math.Float64frombits(binary.LittleEndian.Uint64(b))
			if !(x >= 0) || math.IsInf(x, 0) {
				return Sketch{}, fmt.Errorf("latency sketch: value %v, want a latency >= 0", x)
			}
			k.Add(x)
		}
		return k, nil
	}
	b, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return Sketch{}, fmt.Errorf("latency sketch: %w", err)
	}
	k.st.dd = newDD()
	if err := k.st.dd.DecodeAndMergeWith(b); err != nil {
		return Sketch{}, fmt.Errorf("latency sketch: %w", err)
	}
	return k, nil
}
