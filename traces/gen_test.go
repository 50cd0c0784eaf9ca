package traces

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/records"
	"github.com/wisefuse/wisefuse/sim"
)

// stageSimulate is a test double for the simulator, used only to test the generator's plumbing
// (streaming, exact counts, determinism, atomicity) independently of the sim package: each stage
// lasts as long as its slowest item's work plus a transfer at 50 MB/s. The latency results the
// project reports come from the real simulator (TestGenerateWithSimulator).
func stageSimulate(w *dag.Workflow, p *dag.Plan, runs int, seed uint64, keep bool) (*sim.Result, error) {
	rng := rand.New(rand.NewPCG(seed, 9))
	res := &sim.Result{}
	for r := range runs {
		t := 0.0
		for s, step := range w.Steps {
			f := &w.Functions[s]
			items := 1
			if step.Map != nil {
				items, _ = step.Map.FixedItems()
			}
			slowest := 0.0
			for i := range items {
				c := f.SerialWork.Sample(rng) * f.ItemSkew.Factor(rng)
				d := c + (f.InputBytes.Value+f.OutputBytes.Value)/50e6
				slowest = math.Max(slowest, d)
				if keep {
					res.Invocations = append(res.Invocations, records.Invocation{Run: r, Function: f.Name, Item: i, Start: t, Compute: c, End: t + d})
				}
			}
			t += slowest
		}
		res.DAGs = append(res.DAGs, records.DAGRun{Run: r, Latency: t, End: t})
	}
	return res, nil
}

func generateFile(t *testing.T, path string, cfg GenConfig) *GenSummary {
	t.Helper()
	out, err := CreateDAGTable(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Abort()
	sum, err := Generate(cfg, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestGenerateStreamsExactPopulation(t *testing.T) {
	dir := t.TempDir()
	cfg := GenConfig{Population: PopulationConfig{DAGs: 5000, Invocations: 200_000}, Days: 1, Seed: 11, Simulate: stageSimulate, RunsPerDAG: 4, Workers: 1}
	sum := generateFile(t, filepath.Join(dir, "a.parquet"), cfg)
	c, err := CharacterizeFile(filepath.Join(dir, "a.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Invocations != 200_000 {
		t.Fatalf("trace has %d invocations, want 200000", c.Invocations)
	}
	for _, d := range sum.Population {
		if got := c.perDAG[d.ID]; got != d.Count {
			t.Fatalf("%s: %d invocations in the trace, want %d", d.ID, got, d.Count)
		}
	}
	for _, m := range []struct {
		name string
		ref  CDF
	}{{"width", AzureWidth}, {"depth", AzureDepth}, {"nodes", AzureNodes}} {
		if ks := KSDistance(c.Structure(m.name), m.ref); ks > 0.02 {
			t.Errorf("KS(%s) = %.4f, want <= 0.02", m.name, ks)
		}
	}
	share, _ := c.TopShare(0.05)
	if math.Abs(share-0.95) > 0.02 {
		t.Errorf("top 5%% share %.4f, want 0.95 +- 0.02", share)
	}
	if c.Days() < 0.99 || c.Days() > 1 {
		t.Errorf("arrivals span %.3f days, want about 1", c.Days())
	}

	// Same seed, another worker count and format: the same rows (CSV bytes compared).
	cfg.Workers = 3
	generateFile(t, filepath.Join(dir, "b.csv"), cfg)
	cfg.Workers = 1
	generateFile(t, filepath.Join(dir, "c.csv"), cfg)
	b, _ := os.ReadFile(filepath.Join(dir, "b.csv"))
	cc, _ := os.ReadFile(filepath.Join(dir, "c.csv"))
	if !bytes.Equal(b, cc) || len(b) == 0 {
		t.Error("the same seed with 3 and 1 workers gave different traces")
	}
}

// An interrupted generation (here a panic in the middle of writing, as a crash would be) leaves
// neither the target nor a temporary file behind.
func TestGenerateInterruptedLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "trace.parquet")
	func() {
		defer func() { recover() }()
		out, err := CreateDAGTable(path)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Abort()
		cfg := GenConfig{Population: PopulationConfig{DAGs: 100, Invocations: 300_000}, Days: 1, Seed: 1, Simulate: stageSimulate, RunsPerDAG: 4,
			Progress: func(stage string, done, total int64) {
				if stage == "write" && done > 100_000 {
					panic("interrupted")
				}
			}}
		Generate(cfg, out, nil)
		t.Fatal("generation was not interrupted")
	}()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("interrupted write left %v", entries)
	}

	failing := func(w *dag.Workflow, p *dag.Plan, runs int, seed uint64, keep bool) (*sim.Result, error) {
		return nil, errors.New("boom")
	}
	out, err := CreateDAGTable(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(GenConfig{Population: PopulationConfig{DAGs: 10, Invocations: 1000}, Days: 1, Simulate: failing}, out, nil); err == nil {
		t.Fatal("Generate hid a simulator error")
	}
	out.Abort()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("failed generation left %v", entries)
	}
}

// With the real simulator, the two mechanisms show: DAGs with >= 1 MB of intermediate data are
// slower (remote storage transfers) and DAGs with skew >= 100 much slower (the straggler sets the
// stage). The sizes of the effects are reported, not tuned (docs/traces.md).
func TestGenerateWithSimulator(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sim.parquet")
	sum := generateFile(t, path, GenConfig{Population: PopulationConfig{DAGs: 5000, Invocations: 200_000}, Days: 1, Seed: 1, RunsPerDAG: 8})
	c, err := CharacterizeFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if sum.SimulatedRuns < 5000*4 {
		t.Fatalf("only %d runs simulated", sum.SimulatedRuns)
	}
	small, _ := c.MedianLatency(smallData)
	large, _ := c.MedianLatency(largeData)
	low, _ := c.MedianLatency(lowSkew)
	high, nHigh := c.MedianLatency(highSkew)
	t.Logf("median latency: data < 1 MB %.3f s, >= 1 MB %.3f s (x%.2f); skew < 100 %.3f s, >= 100 %.3f s (x%.1f, %d invocations)",
		small, large, large/small, low, high, high/low, nHigh)
	if !(large > small) {
		t.Errorf("large-data DAGs are not slower: %.3f s vs %.3f s", large, small)
	}
	if !(high > 4*low) {
		t.Errorf("high-skew DAGs are not much slower: %.3f s vs %.3f s", high, low)
	}
	// The simulated skew follows the target: about 2% of invocations at >= 100 (10% of the 21%
	// that have siblings).
	if f := float64(nHigh) / float64(c.Invocations); f < 0.01 || f > 0.04 {
		t.Errorf("%.3f of invocations have simulated skew >= 100, want about 0.02", f)
	}
	// The tails stay within the population's skew cap (10^4) and, each function being a short
	// computation at one vCPU, within an hour end to end (docs/traces.md, "Tails").
	t.Logf("max skew %.4g, max latency %.1f s", c.skewSketch.max, c.all.max)
	if c.skewSketch.max > 1e4*1.01 {
		t.Errorf("max skew %.4g, above the cap of 1e4", c.skewSketch.max)
	}
	if c.all.max > 3600 {
		t.Errorf("max latency %.0f s, want under an hour", c.all.max)
	}
}

// TestGenerateKeptFunctions: the count Generate announces before simulating, for a caller's
// memory warning, is the number of function records its simulated runs then hold (each DAG's
// runs x its nodes), with a budget small enough that large DAGs get fewer runs.
func TestGenerateKeptFunctions(t *testing.T) {
	dir := t.TempDir()
	out, err := CreateDAGTable(filepath.Join(dir, "t.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Abort()
	fnOut, err := CreateFunctionTable(filepath.Join(dir, "f.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer fnOut.Abort()
	var kept, each int64
	cfg := GenConfig{Population: PopulationConfig{DAGs: 300, Invocations: 10_000}, Days: 1, Seed: 4, RunsPerDAG: 8, SimBudget: 64,
		Simulate: simulateOn(nil), Workers: 2, KeptFunctions: func(n, b int64) { kept, each = n, b }}
	sum, err := Generate(cfg, out, fnOut)
	if err != nil {
		t.Fatal(err)
	}
	runs, _, err := simulateAll(sum.Population, cfg, true, func(string, int64, int64) {})
	if err != nil {
		t.Fatal(err)
	}
	var held int64
	fewer := false
	for i, r := range runs {
		fewer = fewer || len(r) < cfg.RunsPerDAG
		for _, o := range r {
			held += int64(len(o.fns))
		}
		if len(r) != runsOf(&sum.Population[i], cfg) {
			t.Fatalf("%s: %d runs, runsOf says %d", sum.Population[i].ID, len(r), runsOf(&sum.Population[i], cfg))
		}
	}
	if kept != held || each <= 0 || !fewer {
		t.Errorf("announced %d records of %d bytes, the runs hold %d (some DAG with fewer runs: %v)", kept, each, held, fewer)
	}
}
