package sim

import (
	"math"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// FuzzExtremeParameters: a workflow and plan that validate, with parameters anywhere up to the
// stated limits (dag.MaxWork, MaxBytes, MaxItems, ...), either simulate to a finite summary or
// stop with an error; never a panic, a hang or a NaN. Items are kept small so a case stays fast;
// the limits on items are TestTooManyMapItems' and TestBundleLimit's.
func FuzzExtremeParameters(f *testing.F) {
	f.Add(1.0, 0.0, 1e6, 1e6, 0.5, 3.0, 0.3, 2, 4, 1, 1024)
	f.Add(dag.MaxWork, dag.MaxWork, dag.MaxBytes, dag.MaxBytes, dag.MaxSeconds, 8.0, float64(dag.MaxSigma), 100000, 8, 8, 128)
	f.Add(0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1, 1, 1, 10240)
	f.Fuzz(func(t *testing.T, serial, parallel, in, out, init, items, sigma float64, threads, bundle, conc, mb int) {
		items = math.Mod(math.Abs(items), 64)
		fn := dag.Function{Name: "F", MinMemoryMB: 128, Threads: threads,
			SerialWork: dag.Const(serial), ParallelWork: dag.Const(parallel), InputBytes: dag.Const(in), OutputBytes: dag.Const(out),
			InitTime: dag.Const(init), RunFactor: dag.Dist{Kind: dag.LogNormal, Median: 1, Sigma: sigma}}
		w := &dag.Workflow{Name: "x", Functions: []dag.Function{fn, {Name: "G", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}},
			Steps: []dag.Step{{Name: "A", Task: "G"}, {Name: "M", Map: &dag.Map{Items: dag.Const(items), MaxConcurrency: conc,
				Iterator: []dag.Step{{Name: "T", Task: "F"}}}}}}
		if w.Validate() != nil {
			return
		}
		p := dag.UniformPlan(mb)
		p.Bundle = map[string]int{"M": bundle}
		if p.Validate(w) != nil {
			return
		}
		res, err := Run(w, p, 2, Options{Platform: testPlatform(), Seed: 1})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sim: ") {
				t.Fatalf("error without the package: %v", err)
			}
			return
		}
		s := res.Summary
		for _, v := range []float64{s.P50S, s.P95S, s.P99S, s.MeanLatencyS, s.MeanCost, s.MeanLiveVMs} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("summary has %v: %+v", v, s)
			}
		}
	})
}
