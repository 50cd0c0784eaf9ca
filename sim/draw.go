package sim

import (
	"math"
	"math/rand/v2"

	"github.com/wisefuse/wisefuse/dag"
)

// draw is a dag.Dist compiled for the event loop: the same draws, bit for bit, from 24 bytes
// with the kind as a small integer and an empirical distribution's quantiles in a table beside
// (compiled.quant). A dag.Dist is 96 bytes (seven parameters, the quantiles and the kind as a
// string, compared as strings on every draw), and a function invocation draws from five of them:
// in a trace replay each DAG's functions run a few minutes apart, so these were cold loads, ten
// cache lines per invocation, now three for the whole function (compile.go). TestDrawMatchesDist
// holds it to dag.Dist's Sample and Factor (values and the random numbers consumed), kind by kind.
type draw struct {
	a, b  float64 // fixed: a; uniform: [a, b]; exponential: mean a; normal: mean a, stddev b; lognormal: median a, sigma b
	q     int32   // empirical: its quantiles are quant[q]
	kind  drawKind
	unset bool // the zero Dist: Factor gives 1
}

type drawKind uint8

const (
	drawFixed drawKind = iota
	drawUniform
	drawExponential
	drawNormal
	drawLogNormal
	drawEmpirical
	drawInvalid // not produced by a valid Dist (compile runs after validation)
)

// compileDraw compiles d, appending an empirical distribution's quantiles to quant.
func compileDraw(d dag.Dist, quant *[][]float64) draw {
	w := draw{unset: d.IsZero()}
	switch d.Kind {
	case "", dag.Fixed:
		w.kind, w.a = drawFixed, d.Value
	case dag.Uniform:
		w.kind, w.a, w.b = drawUniform, d.Min, d.Max
	case dag.Exponential:
		w.kind, w.a = drawExponential, d.Mean
	case dag.Normal:
		w.kind, w.a, w.b = drawNormal, d.Mean, d.StdDev
	case dag.LogNormal:
		w.kind, w.a, w.b = drawLogNormal, d.Median, d.Sigma
	case dag.Empirical:
		w.kind, w.q = drawEmpirical, int32(len(*quant))
		*quant = append(*quant, d.Quantiles)
	default:
		w.kind = drawInvalid
	}
	return w
}

// sample is dag.Dist.Sample; quant is the table compileDraw appended to.
func (d *draw) sample(r *rand.Rand, quant [][]float64) float64 {
	switch d.kind {
	case drawFixed:
		return d.a
	case drawUniform:
		return d.a + (d.b-d.a)*r.Float64()
	case drawExponential:
		return d.a * r.ExpFloat64()
	case drawNormal:
		return math.Max(0, d.a+d.b*r.NormFloat64())
	case drawLogNormal:
		return d.a * math.Exp(d.b*r.NormFloat64())
	case drawEmpirical:
		return dag.Dist{Kind: dag.Empirical, Quantiles: quant[d.q]}.Quantile(r.Float64())
	}
	panic("sim: draw from an invalid distribution")
}

// factor is dag.Dist.Factor.
func (d *draw) factor(r *rand.Rand, quant [][]float64) float64 {
	if d.unset {
		return 1
	}
	return d.sample(r, quant)
}
