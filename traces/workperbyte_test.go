package traces

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Functions spend WorkPerByte on every byte they read and write: the work of each generated
// function is Work plus that, and a negative WorkPerByte switches it off.
func TestWorkPerByte(t *testing.T) {
	for _, c := range []struct {
		cfg  float64
		want float64
	}{{0, DefaultWorkPerByte}, {1e-6, 1e-6}, {-1, 0}} {
		dags, err := NewPopulation(PopulationConfig{DAGs: 200, Invocations: 10_000, WorkPerByte: c.cfg}, rand.New(rand.NewPCG(3, 1)))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dags {
			if d.WorkPerByte != c.want {
				t.Fatalf("WorkPerByte %v: DAG %s has %v, want %v", c.cfg, d.ID, d.WorkPerByte, c.want)
			}
			w := d.Workflow()
			for _, f := range w.Functions {
				bytes := f.InputBytes.Value + f.OutputBytes.Value
				want := d.Work + c.want*bytes
				if got := f.SerialWork.Value; math.Abs(got-want) > 1e-9*want {
					t.Fatalf("%s/%s: work %v, want %v + %v * %v bytes", d.ID, f.Name, got, d.Work, c.want, bytes)
				}
			}
		}
	}
}
