package sim

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/records"
)

// one runs a single-task workflow of f at memoryMB, warm, and returns its invocation.
func one(t *testing.T, f dag.Function, memoryMB int) records.Invocation {
	t.Helper()
	w := &dag.Workflow{Name: "one", Functions: []dag.Function{f}, Steps: []dag.Step{task("T", f.Name)}}
	res, err := Run(w, dag.UniformPlan(memoryMB), 1, Options{Platform: testPlatform(), KeepInvocations: true, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	return res.Invocations[0]
}

// TestOversubscriptionByHand: P = 6 core-s on k = 4 spin-waiting threads with exponent g. At
// 1769 MB the VM has c = 1 vCPU of share over n = 2 visible cores, so the part runs at
// 1 x (2/4)^g cores: 6 s for g = 0, 6 x 2 = 12 s for g = 1, 6 x sqrt(2) s for g = 0.5. At 1000 MB
// (c = 1000/1769, still n = 2) the loss is the same factor on a smaller share. At 7076 MB (c = 4,
// n = 4) there is no oversubscription: 1.5 s whatever g. The serial part (1 core-s) never pays it.
func TestOversubscriptionByHand(t *testing.T) {
	c1000 := 1000.0 / 1769
	for _, tc := range []struct {
		g       float64
		mb      int
		compute float64
	}{
		{0, 1769, 1 + 6}, {1, 1769, 1 + 12}, {0.5, 1769, 1 + 6*math.Sqrt2},
		{1, 1000, (1 + 6*2) / c1000}, {1, 7076, 1 + 1.5},
	} {
		f := dag.Function{Name: "F", MinMemoryMB: 128, SerialWork: dag.Const(1), ParallelWork: dag.Const(6),
			Threads: 4, Oversubscription: tc.g}
		inv := one(t, f, tc.mb)
		near(t, fmt.Sprintf("compute (g %v, %d MB)", tc.g, tc.mb), inv.Compute, tc.compute, 1e-9)
	}
}

// TestRequestsByHand: 8 MB read in 3 GETs and 16 MB written in 2 PUTs, 10 ms extra per request:
// download 3 x (0.015 + 0.010) + 8/80 = 0.175 s, upload 2 x (0.025 + 0.010) + 16/80 = 0.270 s.
// Storage requests are billed per request: 3 GETs and 2 PUTs.
func TestRequestsByHand(t *testing.T) {
	base := dag.Function{Name: "F", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1,
		InputBytes: dag.Const(8e6), OutputBytes: dag.Const(16e6)}
	f := base
	f.InputRequests, f.OutputRequests, f.ExtraRequestLatency = 3, 2, 0.010
	inv := one(t, f, 1769)
	near(t, "download", inv.Download, 0.175, 1e-9)
	near(t, "upload", inv.Upload, 0.270, 1e-9)
	p := testPlatform()
	plain := one(t, base, 1769)
	// Same compute; the cost differs by the duration and by 2 GETs and 1 PUT more.
	extraUSD := (inv.End-inv.Start-(plain.End-plain.Start))*1769.0/1024*p.GBSecondUSD + 2*p.GetUSD + p.PutUSD
	near(t, "cost difference", inv.Cost-plain.Cost, extraUSD, 1e-12)
}

// TestItemSkewByIndex: with item_skew_by_index, item i computes SerialWork x
// ItemSkew.Quantile(dag.ItemUniform(name, i)) in every run and for every seed.
func TestItemSkewByIndex(t *testing.T) {
	f := dag.Function{Name: "F", MinMemoryMB: 128, SerialWork: dag.Const(2), Threads: 1,
		ItemSkew: dag.Dist{Kind: dag.Uniform, Min: 0.2, Max: 1}, ItemSkewByIndex: true}
	w := &dag.Workflow{Name: "m", Functions: []dag.Function{f},
		Steps: []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(6), Iterator: []dag.Step{task("T", "F")}}}}}
	distinct := map[float64]bool{}
	for _, seed := range []uint64{1, 2} {
		res, err := Run(w, dag.UniformPlan(1769), 3, Options{Platform: testPlatform(), Seed: seed, KeepInvocations: true, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range res.Invocations {
			want := 2 * f.IndexedSkew(inv.Item)
			near(t, "compute of item", inv.Compute, want, 1e-9)
			distinct[want] = true
		}
	}
	if len(distinct) != 6 {
		t.Errorf("6 items gave %d distinct works, want 6", len(distinct))
	}
}

// TestHugeMapIsAnError: a Map whose items would take more simulator state than the limit stops the
// simulation with an error that names the step, before anything is allocated for its items. A
// fixed count that large is refused when the workflow is validated (dag.MaxItems); a drawn one
// (here a lognormal whose median is within the limit, drawing past it) reaches the engine.
func TestHugeMapIsAnError(t *testing.T) {
	f := dag.Function{Name: "F", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}
	w := &dag.Workflow{Name: "huge", Functions: []dag.Function{f},
		Steps: []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(3e7), Iterator: []dag.Step{task("T", "F")}}}}}
	if _, err := Run(w, dag.UniformPlan(128), 1, Options{Seed: 1}); err == nil || !strings.Contains(err.Error(), "above the limit") {
		t.Fatalf("fixed 3e7 items: err = %v, want the dag.MaxItems limit", err)
	}
	w.Steps[0].Map.Items = dag.Dist{Kind: dag.LogNormal, Median: 3e5, Sigma: 10}
	_, err := Run(w, dag.UniformPlan(128), 1, Options{Seed: 1})
	if err == nil || !strings.Contains(err.Error(), `map step "M" drew `) || !strings.Contains(err.Error(), "items for one DAG invocation") {
		t.Fatalf("err = %v, want the map's drawn item count over the engine's limit", err)
	}
}
