package traces

import (
	"fmt"
	"math"
	"sync"

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
// computes about Work core-seconds; the DAG's intermediate data is split evenly over its Depth+1
// hand-offs (into the first stage, between stages, out of the last) and, within a stage, evenly
// over its invocations. Map items draw a per-invocation ItemSkew, log-normal with median 1 and
// sigma = ln(TargetSkew) / E[range of Width standard normals], so that the widest stage's
// expected log max/min ratio is ln(TargetSkew): the skew emerges from the simulation, it is not
// written into the trace.
func (d *DAGSpec) Workflow() *dag.Workflow {
	w := &dag.Workflow{Name: d.ID, Description: fmt.Sprintf("generated: width %d, depth %d, nodes %d", d.Width, d.Depth, d.Nodes)}
	handoff := d.DataBytes / float64(d.Depth+1)
	sigma := 0.0
	if d.Width > 1 && d.TargetSkew > 1 {
		sigma = math.Log(d.TargetSkew) / expectedNormalRange(d.Width)
	}
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
			SerialWork:  dag.Const(d.Work),
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
			if sigma > 0 {
				f.ItemSkew = dag.Dist{Kind: dag.LogNormal, Median: 1, Sigma: sigma}
			}
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

var rangeCache sync.Map // int -> float64

// expectedNormalRange returns E[max - min] of n independent standard normals (Tippett's d2):
// the integral of 1 - Phi(x)^n - (1 - Phi(x))^n over x, by the trapezoid rule.
func expectedNormalRange(n int) float64 {
	if n < 2 {
		return 0
	}
	if v, ok := rangeCache.Load(n); ok {
		return v.(float64)
	}
	const lo, hi, steps = -12.0, 12.0, 4800
	h := (hi - lo) / steps
	sum := 0.0
	for i := 0; i <= steps; i++ {
		x := lo + float64(i)*h
		p := normCDF(x)
		f := 1 - math.Exp(float64(n)*math.Log(p)) - math.Exp(float64(n)*math.Log1p(-p))
		if i == 0 || i == steps {
			f /= 2
		}
		sum += f
	}
	r := sum * h
	rangeCache.Store(n, r)
	return r
}
