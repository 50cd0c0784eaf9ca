package baselines

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/testflows"
	"github.com/wisefuse/wisefuse/platform"
)

// testSonicModel is a round-number platform for hand-checkable decisions.
var testSonicModel = &platform.Platform{
	StoragePutLatency: 0.03,
	StorageGetLatency: 0.03,
	ConnectionBps:     80 * mb,
	DirectLatency:     0.005,
	VMNetworkBps:      80 * mb,
	LocalBps:          2000 * mb,
	TransitionLatency: 0.05,
	MBPerVCPU:         1769,
	MaxVCPU:           6,
	GBSecondUSD:       0.0000166667,
	RequestUSD:        0.2e-6,
	PutUSD:            0.005e-3,
	GetUSD:            0.0004e-3,
	TransitionUSD:     0.025e-3,
}

// knownCompute profiles a workflow of single-threaded test functions without a simulator: the
// serial work at min(vCPU, 1). It stands in for simulated profiling in model-only tests.
func knownCompute(w *dag.Workflow, p *dag.Plan) (map[string]float64, error) {
	out := map[string]float64{}
	for _, f := range w.Functions {
		c := min(float64(p.MemoryOf(f.Name))/1769, 6)
		out[f.Name] = f.SerialWork.ExpectedValue()/min(c, 1) + f.ParallelWork.ExpectedValue()/min(c, float64(f.Threads))
	}
	return out, nil
}

func testSonic(goal SonicGoal, memMB int) *Sonic {
	plat := *testSonicModel // a copy: tests change it
	return &Sonic{Goal: goal, MemoryMB: memMB, Platform: &plat, Profile: knownCompute}
}

func TestSonicVMStorageForFanOutOneRemoteForFanOutHundred(t *testing.T) {
	// Fan-out 1 with 500 MB: local passing (0.25 s) beats a PUT and a GET (2 x 6.3 s) and a
	// direct pull (6.3 s).
	one := testflows.FanOut(1, 500*mb, testflows.Fn("", 0.5, 512, 0, mb), false)
	d, p, err := testSonic(SonicLatency, 1024).Decide(one)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := d.Method("Fan"); m != VMStorage {
		t.Errorf("fan-out 1, 500 MB: %v, want vm-storage (decision %+v)", m, d)
	}
	if len(p.Fuse) != 1 || p.BundleOf("Fan") != 1 {
		t.Errorf("plan %+v: want Send and Fan fused", p)
	}
	// Fan-out 100 with 50 MB each: 100 receivers of 1,024 MB do not fit one VM, and a direct
	// pull shares the sender's NIC among 100 receivers (62 s) where parallel GETs take 0.66 s.
	hundred := testflows.FanOut(100, 50*mb, testflows.Fn("", 0.5, 512, 0, mb), false)
	d, p, err = testSonic(SonicLatency, 1024).Decide(hundred)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := d.Method("Fan"); m != RemoteStorage {
		t.Errorf("fan-out 100: %v, want remote-storage (decision %+v)", m, d)
	}
	if len(p.Fuse) != 0 || len(p.Passing) != 0 {
		t.Errorf("plan %+v: want nothing fused, remote passing", p)
	}
	// Fan-out 4 at 3,008 MB (12 GB at once: no VM-Storage) with 20 MB each: a direct pull takes
	// 4 x 20 MB over the sender's NIC, 1.0 s; PUT + GET take 2 x (0.03 + 0.25) = 0.56 s here, but
	// 2 x (1.5 + 0.25) = 3.5 s with a store whose requests take 1.5 s, and then direct wins.
	four := testflows.FanOut(4, 20*mb, testflows.Fn("", 0.5, 512, 0, mb), false)
	slow := testSonic(SonicLatency, 3008)
	slow.Platform.StoragePutLatency, slow.Platform.StorageGetLatency = 1.5, 1.5
	d, p, err = slow.Decide(four)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := d.Method("Fan"); m != DirectPassing || p.PassingOf("Fan") != dag.DirectPassing {
		t.Errorf("fan-out 4 with a slow store: %v, want direct-passing (plan %+v)", m, p)
	}
	// The storage variant never passes directly: the same case goes through the slow store.
	slow.Variant = SonicStorage
	d, p, err = slow.Decide(four)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := d.Method("Fan"); m != RemoteStorage || len(p.Passing) != 0 {
		t.Errorf("fan-out 4, storage variant: %v, want remote-storage (plan %+v)", m, p)
	}
	// NAT traversal is part of a direct pull's set-up: at 3 s a pull (4 s) loses to the store.
	slow.Variant = SonicDirect
	slow.Platform.NATTraversal = 3
	if d, _, err = slow.Decide(four); err != nil {
		t.Fatal(err)
	}
	if m, _ := d.Method("Fan"); m != RemoteStorage {
		t.Errorf("fan-out 4, NAT traversal 3 s: %v, want remote-storage", m)
	}
}

func TestSonicPerfPerDollarAvoidsABigIdleVM(t *testing.T) {
	// Send is long (60 s) and Recv x 9 small: fusing them (VM-Storage) holds 9 x 1,024 MB for the
	// whole 60 s of Send. The latency goal accepts that for the saved transfer; performance per
	// dollar does not.
	w := testflows.FanOut(9, 100*mb, testflows.Fn("", 0.5, 512, 0, mb), false)
	w.Functions[0].SerialWork = dag.Const(60)
	lat, _, err := testSonic(SonicLatency, 1024).Decide(w)
	if err != nil {
		t.Fatal(err)
	}
	ppd, _, err := testSonic(SonicPerfPerDollar, 1024).Decide(w)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := lat.Method("Fan"); m != VMStorage {
		t.Errorf("latency goal: %v, want vm-storage", m)
	}
	if m, _ := ppd.Method("Fan"); m == VMStorage {
		t.Errorf("perf-per-dollar goal: vm-storage, want a method that does not bill 9 GB for 60 s")
	}
	if !(ppd.PredictedCost < lat.PredictedCost) {
		t.Errorf("perf-per-dollar cost %g should be below the latency goal's %g", ppd.PredictedCost, lat.PredictedCost)
	}
}

// TestSonicDynamicProgramMatchesExhaustiveSearch checks the DP against every assignment of
// methods to the edges of random chains of tasks and maps, for both goals.
func TestSonicDynamicProgramMatchesExhaustiveSearch(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 1))
	for trial := 0; trial < 200; trial++ {
		w := randomChain(r, trial)
		for _, goal := range []SonicGoal{SonicLatency, SonicPerfPerDollar} {
			s := testSonic(goal, []int{512, 1024, 3008}[r.IntN(3)])
			compute, _ := knownCompute(w, s.UserPlan(w))
			m := &sonicModeler{s: s, w: w, compute: compute, plan: s.UserPlan(w)}
			dp := m.solveSeq(w.Steps)
			got := score(goal, dp.lat, dp.cost)
			if l, c, ok := m.evaluate(w.Steps, dp.methods); !ok || !close(l, dp.lat) || !close(c, dp.cost) {
				t.Fatalf("trial %d %s: DP reports (%g, %g) for %v, evaluation gives (%g, %g, %v)", trial, goal, dp.lat, dp.cost, dp.methods, l, c, ok)
			}
			best, bestMethods := math.Inf(1), []SonicMethod(nil)
			forEachAssignment(len(w.Steps)-1, func(ms []SonicMethod) {
				if l, c, ok := m.evaluate(w.Steps, ms); ok && score(goal, l, c) < best {
					best, bestMethods = score(goal, l, c), append([]SonicMethod(nil), ms...)
				}
			})
			if !close(got, best) {
				t.Fatalf("trial %d %s: DP %v scores %g, exhaustive %v scores %g", trial, goal, dp.methods, got, bestMethods, best)
			}
		}
	}
}

func score(goal SonicGoal, lat, cost float64) float64 {
	if goal == SonicPerfPerDollar {
		return lat * cost
	}
	return lat
}

func close(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func forEachAssignment(n int, fn func([]SonicMethod)) {
	ms := make([]SonicMethod, n)
	var rec func(i int)
	rec = func(i int) {
		if i == n {
			fn(ms)
			return
		}
		for _, m := range []SonicMethod{RemoteStorage, DirectPassing, VMStorage} {
			ms[i] = m
			rec(i + 1)
		}
	}
	rec(0)
}

func randomChain(r *rand.Rand, trial int) *dag.Workflow {
	w := &dag.Workflow{Name: fmt.Sprintf("random%d", trial)}
	n := 2 + r.IntN(5)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("f%d", i)
		f := testflows.Fn(name, 0.1+10*r.Float64(), 128*(1+r.IntN(16)), float64(r.IntN(300))*mb, float64(r.IntN(300))*mb)
		w.Functions = append(w.Functions, f)
		st := dag.Step{Name: "S" + name, Task: name}
		if r.IntN(2) == 0 {
			st = dag.Step{Name: "M" + name, Map: &dag.Map{Items: dag.Const(float64(1 + r.IntN(40))), Iterator: []dag.Step{st}}}
		}
		w.Steps = append(w.Steps, st)
	}
	return w
}

func TestSonicDecidesInsideAMapIterator(t *testing.T) {
	// Split -> Map of 30 x [Extract -> Classify], video-like: 30 x 3,008 MB cannot share the
	// Split's VM, but each item's Extract can hand its 50 MB of frames to Classify in its own VM.
	w := &dag.Workflow{Name: "videoish", Functions: []dag.Function{
		testflows.Fn("Split", 2, 512, 40*mb, 40*mb),
		testflows.Fn("Extract", 3, 1024, 1.3*mb, 50*mb),
		testflows.Fn("Classify", 10, 1500, 50*mb, 0.1*mb),
	}, Steps: []dag.Step{
		{Name: "Split", Task: "Split"},
		{Name: "Chunks", Map: &dag.Map{Items: dag.Const(30), Iterator: []dag.Step{
			{Name: "Extract", Task: "Extract"}, {Name: "Classify", Task: "Classify"},
		}}},
	}}
	d, p, err := testSonic(SonicLatency, 3008).Decide(w)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := d.Method("Classify"); m != VMStorage {
		t.Errorf("Extract -> Classify: %v, want vm-storage", m)
	}
	if m, _ := d.Method("Chunks"); m == VMStorage {
		t.Errorf("Split -> Chunks: vm-storage, but 30 x 3008 MB cannot fit one VM")
	}
	if len(p.Fuse) != 1 || p.FusionGroup("Extract") != p.FusionGroup("Classify") || p.FusionGroup("Extract") < 0 {
		t.Errorf("plan fuse %v: want [Extract Classify]", p.Fuse)
	}
	if p.MemoryOf("Extract") != 3008 || p.MemoryOf("Classify") != 3008 || p.BundleOf("Chunks") != 1 {
		t.Errorf("plan %+v: want the user's 3008 MB and no bundling", p)
	}
	if len(d.Edges) != 2 || d.PredictedLatency <= 0 || d.PredictedCost <= 0 {
		t.Errorf("decision %+v: want 2 edges and a positive prediction", d)
	}
}

// TestSonicNestedOnce: Sonic's model makes each step's information once. A nested stage asks for
// its first and last steps' and its sequences' again, which without a memo took 4^d of them for a
// Parallel nested d deep: `simulate --policy sonic` of one task under 15 nested Parallels ran for
// over 100 s (depth 12: 4 s), and 19 nested Maps reached 1.4 GB.
func TestSonicNestedOnce(t *testing.T) {
	var nest func(d int) []dag.Step
	nest = func(d int) []dag.Step {
		if d == 0 {
			return []dag.Step{{Name: "leaf", Task: "f"}}
		}
		if d%2 == 0 {
			return []dag.Step{{Name: fmt.Sprint("m", d), Map: &dag.Map{Items: dag.Const(1), Iterator: nest(d - 1)}}}
		}
		return []dag.Step{{Name: fmt.Sprint("p", d), Parallel: [][]dag.Step{nest(d - 1)}}}
	}
	const depth = 40
	w := &dag.Workflow{Name: "deep", Functions: []dag.Function{{Name: "f", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}}, Steps: nest(depth)}
	s := testSonic(SonicLatency, 1024)
	compute, _ := knownCompute(w, s.UserPlan(w))
	m := &sonicModeler{s: s, w: w, compute: compute, plan: s.UserPlan(w)}
	if c := m.solveSeq(w.Steps); !(c.lat > 0) {
		t.Fatalf("latency %g", c.lat)
	}
	if m.made != depth+1 {
		t.Errorf("made %d step infos for %d steps", m.made, depth+1)
	}
}
