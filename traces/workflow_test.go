package traces

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestWorkflowShape(t *testing.T) {
	dags, err := NewPopulation(PopulationConfig{DAGs: 400, Invocations: 100_000}, rand.New(rand.NewPCG(3, 1)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range dags {
		d := &dags[i]
		w := d.Workflow()
		if err := w.Validate(); err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
		if err := d.Plan().Validate(w); err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
		nodes, widest := 0, 0
		for _, s := range w.Steps {
			k := 1
			if s.Map != nil {
				k, _ = s.Map.FixedItems()
			}
			nodes += k
			widest = max(widest, k)
		}
		if len(w.Steps) != d.Depth || widest != d.Width || nodes != d.Nodes {
			t.Fatalf("%s: workflow has %d stages, width %d, %d nodes; want %d, %d, %d", d.ID, len(w.Steps), widest, nodes, d.Depth, d.Width, d.Nodes)
		}
		// The hand-offs add up to the DAG's intermediate data plus the endpoints.
		total := 0.0
		for s, f := range w.Functions {
			total += (f.InputBytes.Value + f.OutputBytes.Value) * float64(d.Stages[s])
		}
		// d+1 hand-offs of D/(d+1): d of them read by a stage, d written by one.
		if want := 2*d.DataBytes*float64(d.Depth)/float64(d.Depth+1) + 2*endpointBytes; math.Abs(total-want) > 1e-6*want {
			t.Fatalf("%s: bytes moved %v, want %v", d.ID, total, want)
		}
	}
}

// The ItemSkew calibration: over many draws of width items, the geometric mean of the max/min
// ratio is the target, and no draw exceeds the bound.
func TestItemSkewCalibration(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, tc := range []struct {
		width int
		skew  float64
	}{{2, 10}, {2, 1000}, {10, 100}, {200, 1000}} {
		d := itemSkew(tc.width, tc.skew, 0)
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		bound := d.Quantiles[len(d.Quantiles)-1] / d.Quantiles[0]
		logs := 0.0
		const trials = 4000
		for range trials {
			lo, hi := math.Inf(1), 0.0
			for range tc.width {
				v := d.Sample(rng)
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
			if hi/lo > bound*(1+1e-9) {
				t.Fatalf("width %d: ratio %v above the bound %v", tc.width, hi/lo, bound)
			}
			logs += math.Log(hi / lo)
		}
		if got := math.Exp(logs / trials); math.Abs(math.Log(got/tc.skew)) > 0.1*math.Log(tc.skew) {
			t.Errorf("width %d: geometric mean max/min %.1f, want about %.0f", tc.width, got, tc.skew)
		}
	}
	if d := itemSkew(2, 1000, 1e4); d.Quantiles[len(d.Quantiles)-1]/d.Quantiles[0] > 1e4*(1+1e-9) {
		t.Errorf("two items at skew 1000 capped at 1e4: bound %v", d.Quantiles[len(d.Quantiles)-1]/d.Quantiles[0])
	}
	if d := itemSkew(1, 100, 0); !d.IsZero() {
		t.Errorf("a width-1 stage has no siblings, want no item skew, got %+v", d)
	}
}
