package wisefuse

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/sim"
)

// The function timeout (Model.acquisition): a predicted run in which a VM is busy past
// Platform.FunctionTimeout after its init fails, as the simulator fails it. Each test below plans
// a workflow profiled in the simulator twice: on the platform as it is (900 s), and blind to the
// timeout (FunctionTimeout 0, what the planner did before it knew of it). The blind plan,
// simulated, times out (so the test bites); the plan that knows the timeout does not.

// timeoutPlans profiles w in the simulator and returns the plans that meet obj with and without
// the timeout known to the planner.
func timeoutPlans(t *testing.T, w *dag.Workflow, on *platform.Platform, sizes []int, obj dag.Objective) (knows, blind *Result) {
	t.Helper()
	p, err := ProfileBy(w, ProfileOptions{Runs: 40, Sizes: sizes}, simRunnerOn(on))
	if err != nil {
		t.Fatal(err)
	}
	plan := func(timeout float64) *Result {
		plat := *on
		plat.FunctionTimeout = timeout
		pl, err := NewPlanner(p, PlannerOptions{Model: ModelOptions{Platform: &plat}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := pl.Search(obj)
		if err != nil {
			t.Fatalf("timeout %gs: %v", timeout, err)
		}
		return r
	}
	return plan(on.FunctionTimeout), plan(0)
}

// timedOutRuns simulates plan on platform on and returns how many of its runs timed out.
func timedOutRuns(t *testing.T, w *dag.Workflow, on *platform.Platform, plan *dag.Plan, runs int) int {
	t.Helper()
	res, err := sim.Run(w, plan, runs, sim.Options{Platform: on, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	return res.Summary.TimedOut
}

// checkTimeoutPlans checks that the blind plan times out in the simulator and the planner's plan
// does not, and that the planner's prediction is finite at its percentile.
func checkTimeoutPlans(t *testing.T, w *dag.Workflow, on *platform.Platform, knows, blind *Result) {
	t.Helper()
	const runs = 60
	if n := timedOutRuns(t, w, on, blind.Plan, runs); n == 0 {
		t.Errorf("the plan blind to the timeout (%+v) times out in no run: the test does not test", blind.Plan)
	}
	if n := timedOutRuns(t, w, on, knows.Plan, runs); n != 0 {
		t.Errorf("plan %+v, predicted P95 %.1fs: %d of %d simulated runs timed out", knows.Plan, knows.Prediction.Percentile(95), n, runs)
	}
	if p := knows.Prediction.Percentile(95); math.IsInf(p, 0) || math.IsNaN(p) {
		t.Errorf("plan %+v meets its SLO with a predicted P95 of %v", knows.Plan, p)
	}
}

// TestTimeoutNoFusionPastIt (1): two tasks of about 500 s each at every size above one vCPU.
// Fused, their VM is busy 1,000 s, past the 900 s timeout; the planner fuses them only when blind.
func TestTimeoutNoFusionPastIt(t *testing.T) {
	w := &dag.Workflow{Name: "two-long-tasks",
		Functions: []dag.Function{
			{Name: "a", MinMemoryMB: 128, SerialWork: dag.Dist{Kind: dag.Uniform, Min: 480, Max: 520}, Threads: 1, OutputBytes: dag.Const(50e6)},
			{Name: "b", MinMemoryMB: 128, SerialWork: dag.Dist{Kind: dag.Uniform, Min: 480, Max: 520}, Threads: 1, InputBytes: dag.Const(50e6)},
		},
		Steps: []dag.Step{{Name: "A", Task: "a"}, {Name: "B", Task: "b"}},
	}
	knows, blind := timeoutPlans(t, w, platform.Default(), []int{2048, 4096}, dag.Objective{SLO: 3000})
	if len(blind.Plan.Fuse) == 0 {
		t.Fatalf("the blind plan %+v does not fuse: the test does not test", blind.Plan)
	}
	if len(knows.Plan.Fuse) != 0 {
		t.Errorf("plan %+v fuses two 500 s tasks into one VM", knows.Plan)
	}
	checkTimeoutPlans(t, w, platform.Default(), knows, blind)
}

// TestTimeoutBundlesSmallEnough (2): 24 items of 300 core-s of one thread each, on a platform
// without co-runner contention, where a bundle's GB-seconds are its items' and a bundle saves
// their per-VM overheads. A bundle of B items on c < B vCPUs takes about 300 B / c s: the blind
// planner packs them past 900 s; the planner keeps each bundle's VM under the timeout.
func TestTimeoutBundlesSmallEnough(t *testing.T) {
	w := &dag.Workflow{Name: "long-items",
		Functions: []dag.Function{
			{Name: "item", MinMemoryMB: 128, SerialWork: dag.Dist{Kind: dag.Uniform, Min: 290, Max: 310}, Threads: 1, InputBytes: dag.Const(20e6), OutputBytes: dag.Const(20e6)},
		},
		Steps: []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(24), Iterator: []dag.Step{{Name: "I", Task: "item"}}}}},
	}
	plat := platform.Default()
	plat.ContentionPerCoRunner = 0
	knows, blind := timeoutPlans(t, w, plat, []int{2048, 10240}, dag.Objective{SLO: 3000})
	if b := blind.Plan.BundleOf("M"); b < 2 {
		t.Fatalf("the blind plan %+v bundles %d items per VM: the test does not test", blind.Plan, b)
	}
	checkTimeoutPlans(t, w, plat, knows, blind)
}

// TestTimeoutLargerVM (3): 100 core-s serial and 1,500 core-s on six threads. At 1,024 MB (0.58
// vCPU) it takes 2,760 s, at 1,769 MB 1,600 s, at 4,096 MB 750 s, at 10,240 MB 360 s; GB-seconds
// grow with the size, so the blind planner takes a small VM that times out.
func TestTimeoutLargerVM(t *testing.T) {
	w := &dag.Workflow{Name: "slow-when-small",
		Functions: []dag.Function{
			{Name: "f", MinMemoryMB: 128, SerialWork: dag.Const(100), ParallelWork: dag.Dist{Kind: dag.Uniform, Min: 1450, Max: 1550}, Threads: 6},
		},
		Steps: []dag.Step{{Name: "F", Task: "f"}},
	}
	knows, blind := timeoutPlans(t, w, platform.Default(), []int{4096, 10240}, dag.Objective{SLO: 5000})
	if m := knows.Plan.MemoryOf("f"); m < 3000 {
		t.Errorf("plan %+v runs f at %d MB, where it takes over 900 s", knows.Plan, m)
	}
	checkTimeoutPlans(t, w, platform.Default(), knows, blind)
}

// TestTimeoutEveryOption (4): a task of 3,000 core-s on one thread takes at least 3,000 s at any
// size: every plan times out, and the error says so, naming the step and the timeout.
func TestTimeoutEveryOption(t *testing.T) {
	w, fns := chainWorkflow(2)
	s := fns["split"]
	s.serial = 3000
	fns["split"] = s
	p := synthProfile(t, w, fns, []int{1024, 4096, 10240}, 40, 7)
	pl, err := NewPlanner(p, PlannerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range []dag.Objective{{SLO: 10000}, {Budget: 1}, {SLO: 10000, Budget: 1}} {
		_, err := pl.Search(obj)
		var inf *InfeasibleError
		if !errors.As(err, &inf) {
			t.Fatalf("%+v: got %v, want an *InfeasibleError", obj, err)
		}
		if inf.Timeout != 900 || !strings.Contains(inf.TimedOut, `"Split"`) || !math.IsInf(inf.Best, 1) ||
			!strings.Contains(err.Error(), "function timeout of 900s") || !strings.Contains(err.Error(), `"Split"`) {
			t.Errorf("%+v: got %v (timed out %q, timeout %v, best %v), want the timeout of 900 s and step Split named", obj, err, inf.TimedOut, inf.Timeout, inf.Best)
		}
	}
}

// TestPredictTimedOut (5): Predict of a plan whose every run times out has a P95 of +Inf (no
// NaN anywhere), and its cost bills the timed-out VM to the timeout: init + 900 s.
func TestPredictTimedOut(t *testing.T) {
	w := &dag.Workflow{Name: "one-long-task",
		Functions: []dag.Function{{Name: "f", MinMemoryMB: 128, SerialWork: dag.Const(1000), Threads: 1}},
		Steps:     []dag.Step{{Name: "F", Task: "f"}},
	}
	p, err := profileInSim(w, ProfileOptions{Runs: 20, Sizes: []int{2048}})
	if err == nil {
		t.Fatalf("profiled %s, whose every run times out: got a profile of %d runs", w.Name, p.Sizes[0].Runs)
	}
	// The records as a platform without the timeout logs them (the simulator at 0).
	plat := platform.Default()
	plat.FunctionTimeout = 0
	p, err = ProfileBy(w, ProfileOptions{Runs: 20, Sizes: []int{2048}}, simRunnerOn(plat))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(p, ModelOptions{Platform: platform.Default()})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := m.Predict(dag.UniformPlan(2048))
	if err != nil {
		t.Fatal(err)
	}
	if p95 := pr.Percentile(95); !math.IsInf(p95, 1) || pr.Latency.TimedOut() != 1 {
		t.Errorf("P95 %v, timed out %v: want +Inf and every run", p95, pr.Latency.TimedOut())
	}
	for _, v := range pr.Latency {
		if math.IsNaN(v) {
			t.Fatal("a NaN atom")
		}
	}
	// What the simulator bills a run stopped at the timeout: its VM to init + 900 s, its
	// download's storage request and its transition.
	res, err := sim.Run(w, dag.UniformPlan(2048), 20, sim.Options{Seed: 3, Cold: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.TimedOut != 20 {
		t.Fatalf("%d of 20 simulated runs timed out, want all", res.Summary.TimedOut)
	}
	if got, want := pr.MeanCost, res.Summary.MeanCost; math.Abs(got-want) > 0.02*want {
		t.Errorf("predicted mean cost $%.6f, simulated $%.6f: want within 2%%", got, want)
	}
	// Blind to the timeout, the model bills the whole 1,000 s.
	blind, err := NewModel(p, ModelOptions{Platform: plat})
	if err != nil {
		t.Fatal(err)
	}
	bp, err := blind.Predict(dag.UniformPlan(2048))
	if err != nil {
		t.Fatal(err)
	}
	if bp.MeanCost < 1.05*pr.MeanCost || math.IsInf(bp.Percentile(95), 0) {
		t.Errorf("blind: cost $%.6f, P95 %v; want over 1,000/900 of $%.6f and finite", bp.MeanCost, bp.Percentile(95), pr.MeanCost)
	}
}
