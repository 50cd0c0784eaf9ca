package policy

import (
	"math"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// FuzzPlanners: every policy, built by name through New, on a workflow and objective with
// parameters anywhere up to the stated limits (dag.MaxWork, MaxBytes, MaxSeconds, MaxSigma; any
// finite SLO, budget and percentile the CLI accepts), either returns a plan that validates
// against the workflow and simulates to a finite summary or stops with an error; never a panic, a
// hang or a NaN. Items and profiling runs are kept small, and WiseFuse searches a coarse memory
// grid, so a case stays fast.
func FuzzPlanners(f *testing.F) {
	f.Add(uint8(6), 1.0, 0.5, 1e6, 1e6, 0.5, 4.0, 0.3, 2, 30.0, 0.0, 95.0)
	f.Add(uint8(6), dag.MaxWork, dag.MaxWork, dag.MaxBytes, dag.MaxBytes, dag.MaxSeconds, 16.0, float64(dag.MaxSigma), 100000, 1e-9, 1e-12, 100.0)
	f.Add(uint8(6), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1, 1e12, 1e9, 1e-9)
	f.Add(uint8(2), dag.MaxWork, 0.0, dag.MaxBytes, 0.0, dag.MaxSeconds, 16.0, float64(dag.MaxSigma), 1, 0.0, 0.0, 0.0)
	f.Add(uint8(4), 1e-300, 1e-300, 1.0, 1.0, 1e-300, 1.0, 1e-300, 100000, 0.0, 0.0, 0.0)
	f.Fuzz(func(t *testing.T, which uint8, serial, parallel, in, out, init, items, sigma float64, threads int, slo, budget, pct float64) {
		names := Names()
		name := names[int(which)%len(names)]
		items = math.Mod(math.Abs(items), 16)
		for _, v := range []float64{slo, budget, pct} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return // the CLI refuses these (a usage error)
			}
		}
		if pct > 100 {
			return
		}
		fn := dag.Function{Name: "F", MinMemoryMB: 128, Threads: threads,
			SerialWork: dag.Const(serial), ParallelWork: dag.Const(parallel), InputBytes: dag.Const(in), OutputBytes: dag.Const(out),
			InitTime: dag.Const(init), RunFactor: dag.Dist{Kind: dag.LogNormal, Median: 1, Sigma: sigma}}
		h := fn
		h.Name = "H"
		w := &dag.Workflow{Name: "x", Functions: []dag.Function{fn, h, {Name: "G", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}},
			Steps: []dag.Step{{Name: "A", Task: "G"}, {Name: "B", Task: "F"}, {Name: "M", Map: &dag.Map{Items: dag.Const(items),
				Iterator: []dag.Step{{Name: "T", Task: "H"}}}}}}
		if w.Validate() != nil {
			return
		}
		env := Env{Seed: 1,
			Profiling: wisefuse.ProfileOptions{Runs: 8, Sizes: []int{128, 1024, 4096, 10240}},
			WiseFuse:  wisefuse.PlannerOptions{Memories: []int{128, 1024, 2048, 4096, 10240}, MaxBundle: 4}}
		env.Baselines.SonicProfileRuns = 4
		pl, err := New(name, w, env)
		if err != nil {
			return
		}
		p, err := pl.Plan(w, dag.Objective{SLO: slo, Budget: budget, Percentile: pct})
		if err != nil {
			return
		}
		if err := p.Validate(w); err != nil {
			t.Fatalf("%s: plan does not validate: %v\n%+v", name, err, p)
		}
		res, err := sim.Run(w, p, 2, sim.Options{Platform: env.platform(), Seed: 7})
		if err != nil {
			return // the engine's own refusals (a time past sim.MaxTime) are FuzzExtremeParameters'
		}
		s := res.Summary
		for _, v := range []float64{s.P50S, s.P95S, s.P99S, s.MeanLatencyS, s.MeanCost} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s: summary has %v: %+v", name, v, s)
			}
		}
	})
}

// TestWiseFuseEveryProfilingRunTimedOut: a workflow whose work outlasts the platform's function
// timeout in every profiling run is refused with that reason (it said "no invocations to
// profile", found by FuzzPlanners).
func TestWiseFuseEveryProfilingRunTimedOut(t *testing.T) {
	w := &dag.Workflow{Name: "x", Functions: []dag.Function{{Name: "F", MinMemoryMB: 128, Threads: 1, SerialWork: dag.Const(dag.MaxWork)}},
		Steps: []dag.Step{{Name: "A", Task: "F"}}}
	_, err := New(WiseFuse, w, Env{Profiling: wisefuse.ProfileOptions{Runs: 2, Sizes: []int{1024}}})
	if err == nil || !strings.Contains(err.Error(), "all 2 profiling runs stopped at the platform's function timeout") {
		t.Errorf("err = %v, want the timeout named", err)
	}
}

// TestSonicFunctionNoRunReached: when every profiling run times out before a function, Sonic's
// error says so (it said "profiling gave no compute time for function", on 171 of 900 Sonic runs
// of random unseen workflows, naming no cause).
func TestSonicFunctionNoRunReached(t *testing.T) {
	w := &dag.Workflow{Name: "x", Functions: []dag.Function{{Name: "F", MinMemoryMB: 128, Threads: 1, SerialWork: dag.Const(5000)},
		{Name: "G", MinMemoryMB: 128, Threads: 1, SerialWork: dag.Const(1)}},
		Steps: []dag.Step{{Name: "A", Task: "F"}, {Name: "B", Task: "G"}}}
	pl, err := New("sonic", w, Env{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = pl.Plan(w, dag.Objective{})
	if err == nil || !strings.Contains(err.Error(), `no profiling run reached function "G"`) || !strings.Contains(err.Error(), "stopped at the platform's function timeout") {
		t.Errorf("err = %v, want function G and the timeout named", err)
	}
}
