package traces

import (
	"fmt"
	"math"

	"github.com/wisefuse/wisefuse/dag"
)

// Performance constants of generated workflows. Azure Functions gives a consumption-plan
// instance about one vCPU, so the plan uses 1,769 MB (one vCPU under the Lambda CPU model) and a
// function's work in core-seconds is its compute time.
const (
	GeneratedMemoryMB = 1769
	endpointBytes     = 1e3  // the workflow's own input and final output
	generatedInit     = 0.25 // cold-start initialisation, seconds
	runSpread         = 0.1  // sigma of the per-run factor shared by a run's invocations
)

// Workflow turns a DAG of the population into a workflow the simulator can run: Depth stages in
// sequence, each a Task (width 1) or a Map of its width's items over one function. Every function
// computes about Work core-seconds plus WorkPerByte for every byte it reads and writes; the DAG's intermediate data is split evenly over its Depth+1
// hand-offs (into the first stage, between stages, out of the last) and, within a stage, evenly
// over its invocations. Map items draw a per-invocation ItemSkew (see itemSkew) calibrated so that
// the widest stage's expected log max/min ratio is ln(TargetSkew): the skew emerges from the
// simulation, it is not written into the trace.
func (d *DAGSpec) Workflow() *dag.Workflow {
	w := &dag.Workflow{Name: d.ID, Description: fmt.Sprintf("generated: width %d, depth %d, nodes %d", d.Width, d.Depth, d.Nodes)}
	handoff := d.DataBytes / float64(d.Depth+1)
	skew := itemSkew(d.Width, d.TargetSkew, d.MaxSkew)
	for s, width := range d.Stages {
		in := handoff / float64(width)
		if s == 0 {
			in += endpointBytes / float64(width)
		}
		out := handoff / float64(width)
		if s == d.Depth-1 {
			out += endpointBytes / float64(width)
		}
		f := dag.Function{
			Name:        fmt.Sprintf("f%d", s),
			MinMemoryMB: 128,
			SerialWork:  dag.Const(d.Work + d.WorkPerByte*(in+out)),
			Threads:     1,
			InputBytes:  dag.Const(in),
			OutputBytes: dag.Const(out),
			InitTime:    dag.Const(generatedInit),
			RunFactor:   dag.Dist{Kind: dag.LogNormal, Median: 1, Sigma: runSpread},
		}
		step := dag.Step{Name: fmt.Sprintf("stage%d", s)}
		if width == 1 {
			step.Task = f.Name
		} else {
			f.ItemSkew = skew
			step.Map = &dag.Map{Items: dag.Const(float64(width)), Iterator: []dag.Step{{Name: fmt.Sprintf("stage%d-item", s), Task: f.Name}}}
		}
		w.Functions = append(w.Functions, f)
		w.Steps = append(w.Steps, step)
	}
	return w
}

// Plan is the plan generated workflows run under: every function at GeneratedMemoryMB,
// unfused, unbundled, data through remote storage (how Durable Functions passes it).
func (d *DAGSpec) Plan() *dag.Plan { return dag.UniformPlan(GeneratedMemoryMB) }

// itemSkew is the per-item work factor of a stage of width items calibrated so that the expected
// log of the slowest / fastest ratio is ln(skew): log-uniform on [-a, a] with
// a = ln(skew) (width+1) / (2 (width-1)), since the expected range of width uniforms on [0, 1] is
// (width-1)/(width+1). Unlike a log-normal, it is bounded (the largest ratio is e^(2a)), so a
// two-item stage with skew 1,000 does not occasionally draw a straggler a million times slower.
// Bounded is not enough, though: the bound e^(2a) is skew^((width+1)/(width-1)), skew^3 for two
// items, so a two-item stage calibrated to 10^4 could draw 10^12 (a generated trace had a skew of
// 9.8e9 among rows whose target was at most 10^4). maxRatio > 0 caps e^(2a) at maxRatio, which
// lowers the expected ratio of the narrow stages it binds (two items: above a target of 21.5,
// for a cap of 10^4) but keeps every row within the population's published-scale cap.
// It is an Empirical Dist through 65 quantiles of the log-uniform.
func itemSkew(width int, skew, maxRatio float64) dag.Dist {
	if width < 2 || skew <= 1 {
		return dag.Dist{}
	}
	a := math.Log(skew) * float64(width+1) / (2 * float64(width-1))
	if maxRatio > 1 {
		a = math.Min(a, math.Log(maxRatio)/2)
	}
	q := make([]float64, 65)
	for i := range q {
		q[i] = math.Exp(-a + 2*a*float64(i)/float64(len(q)-1))
	}
	return dag.Dist{Kind: dag.Empirical, Quantiles: q}
}
