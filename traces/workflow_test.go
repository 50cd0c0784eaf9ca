package traces

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

func TestExpectedNormalRange(t *testing.T) {
	// Tippett's tabulated d2 constants.
	for n, want := range map[int]float64{2: 1.128, 3: 1.693, 5: 2.326, 10: 3.078, 25: 3.931} {
		if got := expectedNormalRange(n); math.Abs(got-want) > 0.002 {
			t.Errorf("d2(%d) = %.4f, want %.3f", n, got, want)
		}
	}
}

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

// The ItemSkew calibration: over many draws of width items, the median max/min ratio is close
// to the target.
func TestItemSkewCalibration(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, tc := range []struct {
		width int
		skew  float64
	}{{2, 10}, {10, 100}, {200, 1000}} {
		sigma := math.Log(tc.skew) / expectedNormalRange(tc.width)
		d := dag.Dist{Kind: dag.LogNormal, Median: 1, Sigma: sigma}
		logs := 0.0
		const trials = 2000
		for range trials {
			lo, hi := math.Inf(1), 0.0
			for range tc.width {
				v := d.Sample(rng)
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
			logs += math.Log(hi / lo)
		}
		if got := math.Exp(logs / trials); math.Abs(math.Log(got/tc.skew)) > 0.1 {
			t.Errorf("width %d: geometric mean max/min %.1f, want about %.0f", tc.width, got, tc.skew)
		}
	}
}
