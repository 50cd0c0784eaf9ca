package sim

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/tables"

	"github.com/wisefuse/wisefuse/dag"
)

// videoLike is a workflow with every kind of variability: Split -> Map (8..16 items) of
// [Extract -> Classify] -> a Parallel of Combine and Report -> Done (a pass).
func videoLike() *dag.Workflow {
	logn := func(m, s float64) dag.Dist { return dag.Dist{Kind: dag.LogNormal, Median: m, Sigma: s} }
	return &dag.Workflow{Name: "videolike",
		Functions: []dag.Function{
			{Name: "Split", MinMemoryMB: 256, SerialWork: logn(2, 0.2), Threads: 1, InputBytes: dag.Const(20e6),
				OutputBytes: dag.Const(20e6), InitTime: logn(0.5, 0.3), RunFactor: logn(1, 0.1)},
			{Name: "Extract", MinMemoryMB: 256, SerialWork: logn(0.3, 0.3), Threads: 1, InputBytes: dag.Const(1.5e6),
				OutputBytes: logn(3e6, 0.5), InitTime: logn(0.3, 0.3), ItemSkew: logn(1, 0.3)},
			{Name: "Classify", MinMemoryMB: 600, SerialWork: dag.Const(1), ParallelWork: logn(20, 0.3), Threads: 10,
				InputBytes: logn(3e6, 0.5), OutputBytes: dag.Const(1e4), InitTime: logn(2, 0.3),
				ItemSkew: logn(1, 0.4), RunFactor: logn(1, 0.2)},
			{Name: "Combine", MinMemoryMB: 128, SerialWork: dag.Const(0.2), Threads: 1, InputBytes: dag.Const(3e5),
				OutputBytes: dag.Const(1e3), InitTime: dag.Const(0.2)},
			{Name: "Report", MinMemoryMB: 128, SerialWork: dag.Const(0.1), Threads: 1, InputBytes: dag.Const(3e5),
				InitTime: dag.Const(0.2)},
		},
		Steps: []dag.Step{task("Split", "Split"),
			{Name: "Chunks", Map: &dag.Map{Items: dag.Dist{Kind: dag.Uniform, Min: 8, Max: 16},
				Iterator: []dag.Step{task("Extract", "Extract"), task("Classify", "Classify")}}},
			{Name: "Finish", Parallel: [][]dag.Step{{task("Combine", "Combine")}, {task("Report", "Report")}}},
			{Name: "Done", Pass: true},
		},
	}
}

// plans covers every execution mechanism: plain, bundled, fused, fused with spill, direct
// passing in and out of maps, bundles with direct passing.
func plans() map[string]*dag.Plan {
	return map[string]*dag.Plan{
		"uniform":  dag.UniformPlan(2048),
		"bundled":  {DefaultMemoryMB: 4096, Bundle: map[string]int{"Chunks": 4}},
		"fusedIt":  {DefaultMemoryMB: 3008, Fuse: [][]string{{"Extract", "Classify"}}},
		"spill":    {DefaultMemoryMB: 10240, Fuse: [][]string{{"Split", "Chunks"}}, Bundle: map[string]int{"Chunks": 3}},
		"allfused": {DefaultMemoryMB: 10240, Fuse: [][]string{{"Split", "Chunks", "Finish", "Done"}}, Bundle: map[string]int{"Chunks": 8}},
		"direct": {DefaultMemoryMB: 2048, Passing: map[string]dag.Passing{"Chunks": dag.DirectPassing,
			"Finish": dag.DirectPassing, "Classify": dag.DirectPassing}},
		"bundledDirect": {DefaultMemoryMB: 6144, Bundle: map[string]int{"Chunks": 5},
			Passing: map[string]dag.Passing{"Chunks": dag.DirectPassing, "Combine": dag.DirectPassing}},
	}
}

// checkRecords asserts the invariants visible in the records: every invocation starts before it
// ends, its phases add up, costs are non-negative, each DAG ends after all its invocations and
// holds as many as the records say.
func checkRecords(t *testing.T, name string, res *Result) {
	t.Helper()
	perRun := map[int]int{}
	for _, inv := range res.Invocations {
		d := res.DAGs[inv.Run]
		if inv.Start < d.Arrival || inv.End > d.End+1e-9 || inv.Start > inv.End {
			t.Fatalf("%s: invocation %+v outside its DAG %+v", name, inv, d)
		}
		if phases := inv.Download + inv.Compute + inv.Upload; phases > inv.End-inv.Start+1e-9 || phases < 0 {
			t.Fatalf("%s: phases %.9g exceed the invocation's %.9g s", name, phases, inv.End-inv.Start)
		}
		if inv.Cost < 0 {
			t.Fatalf("%s: negative cost %+v", name, inv)
		}
		perRun[inv.Run]++
	}
	for _, d := range res.DAGs {
		if d.Cost < 0 || d.Latency <= 0 || d.End < d.Arrival {
			t.Fatalf("%s: bad DAG record %+v", name, d)
		}
		if res.Invocations != nil && perRun[d.Run] != d.Invocations {
			t.Fatalf("%s: run %d has %d invocation records, DAG says %d", name, d.Run, perRun[d.Run], d.Invocations)
		}
	}
}

// TestInvariantsEveryPlan runs every plan as warm and cold independent runs and under arrivals
// with a small concurrency limit (so queueing happens), with all checks on.
func TestInvariantsEveryPlan(t *testing.T) {
	w := videoLike()
	arr := PoissonArrivals(2, 30, 3)
	for name, p := range plans() {
		if err := p.Validate(w); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, cold := range []bool{false, true} {
			res, err := Run(w, p, 20, Options{Seed: 5, Cold: cold, KeepInvocations: true, Check: true})
			if err != nil {
				t.Fatalf("%s cold=%v: %v", name, cold, err)
			}
			checkRecords(t, name, res)
		}
		plat := platform.Default()
		plat.ConcurrencyLimit = 12
		plat.KeepAlive = 5
		res, err := RunArrivals(w, p, arr, Options{Platform: plat, Seed: 5, KeepInvocations: true, Check: true})
		if err != nil {
			t.Fatalf("%s arrivals: %v", name, err)
		}
		checkRecords(t, name+" arrivals", res)
		if s := res.Summary; s.ColdStartFraction <= 0 || s.ColdStartFraction >= 1 || s.PeakLiveVMs < 1 || s.MeanLiveVMs <= 0 {
			t.Errorf("%s arrivals: implausible summary %+v", name, s)
		}
	}
}

// TestFirstRunsIndependentOfN: run i draws from its own stream, so the first runs of a longer
// simulation are the same runs.
func TestFirstRunsIndependentOfN(t *testing.T) {
	w := videoLike()
	a, err := Run(w, plans()["bundled"], 5, Options{Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(w, plans()["bundled"], 12, Options{Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.DAGs {
		if a.DAGs[i] != b.DAGs[i] {
			t.Errorf("run %d: %+v vs %+v", i, a.DAGs[i], b.DAGs[i])
		}
	}
}

// TestDeterministicFiles: the same seed writes byte-identical CSV and Parquet files; another seed
// writes different ones. Records also round-trip through both formats.
func TestDeterministicFiles(t *testing.T) {
	w := videoLike()
	dir := t.TempDir()
	write := func(seed uint64, tag string) map[string][]byte {
		res, err := RunArrivals(w, plans()["spill"], PoissonArrivals(1, 20, 1), Options{Seed: seed, KeepInvocations: true})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]byte{}
		for _, ext := range []string{".csv", ".parquet"} {
			ip, dp := filepath.Join(dir, tag+"-inv"+ext), filepath.Join(dir, tag+"-dag"+ext)
			if err := tables.WriteInvocations(ip, res.Invocations); err != nil {
				t.Fatal(err)
			}
			if err := tables.WriteDAGRuns(dp, res.DAGs); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{ip, dp} {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				out[strings.TrimPrefix(filepath.Base(p), tag)] = b
			}
			invs, err := tables.ReadInvocations(ip, nil)
			if err != nil {
				t.Fatal(err)
			}
			dags, err := tables.ReadDAGRuns(dp)
			if err != nil {
				t.Fatal(err)
			}
			if len(invs) != len(res.Invocations) || len(dags) != len(res.DAGs) {
				t.Fatalf("%s: read %d/%d rows, wrote %d/%d", ext, len(invs), len(dags), len(res.Invocations), len(res.DAGs))
			}
			for i := range invs {
				// Byte counts are whole bytes on disk; the simulator's are float64.
				want := res.Invocations[i]
				want.InBytes, want.OutBytes = math.Round(want.InBytes), math.Round(want.OutBytes)
				if invs[i] != want {
					t.Fatalf("%s: invocation %d reads back as %+v, wrote %+v", ext, i, invs[i], res.Invocations[i])
				}
			}
			for i := range dags {
				if dags[i] != res.DAGs[i] {
					t.Fatalf("%s: DAG %d reads back as %+v, wrote %+v", ext, i, dags[i], res.DAGs[i])
				}
			}
		}
		return out
	}
	a, b, c := write(1, "a"), write(1, "b"), write(2, "c")
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
		if bytes.Equal(a[name], c[name]) {
			t.Errorf("%s is the same for seeds 1 and 2", name)
		}
	}
}

func TestBadInput(t *testing.T) {
	w := videoLike()
	for name, f := range map[string]func() error{
		"zero runs": func() error { _, err := Run(w, dag.UniformPlan(1024), 0, Options{}); return err },
		"nil plan":  func() error { _, err := Run(w, nil, 1, Options{}); return err },
		"bundle a task": func() error {
			_, err := Run(w, &dag.Plan{DefaultMemoryMB: 1024, Bundle: map[string]int{"Split": 2}}, 1, Options{})
			return err
		},
		"memory 0": func() error { _, err := Run(w, &dag.Plan{}, 1, Options{}); return err },
		"bad workflow": func() error {
			_, err := Run(&dag.Workflow{Name: "x"}, dag.UniformPlan(1024), 1, Options{})
			return err
		},
		"no arrivals": func() error { _, err := RunArrivals(w, dag.UniformPlan(1024), nil, Options{}); return err },
		"unsorted arrivals": func() error {
			_, err := RunArrivals(w, dag.UniformPlan(1024), []float64{1, 0.5}, Options{})
			return err
		},
		"negative arrival": func() error {
			_, err := RunArrivals(w, dag.UniformPlan(1024), []float64{-1}, Options{})
			return err
		},
		"bad platform": func() error {
			p := platform.Default()
			p.ConnectionBps = 0
			_, err := Run(w, dag.UniformPlan(1024), 1, Options{Platform: p})
			return err
		},
	} {
		if err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
