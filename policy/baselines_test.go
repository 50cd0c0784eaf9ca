package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/baselines"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/testflows"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/wisefuse"
)

const simRuns = 200

// simulate plans w with policy and simulates it; it fails the test on any error.
func simulate(t *testing.T, w *dag.Workflow, policy string) sim.Summary {
	t.Helper()
	pl, err := New(policy, w, Env{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	p, err := pl.Plan(w, dag.Objective{})
	if err != nil {
		t.Fatalf("%s on %s: %v", policy, w.Name, err)
	}
	return simulatePlan(t, w, p)
}

func simulatePlan(t *testing.T, w *dag.Workflow, p *dag.Plan) sim.Summary {
	t.Helper()
	res, err := sim.Run(w, p, simRuns, sim.Options{Seed: 42})
	if err != nil {
		t.Fatalf("simulating %s: %v", w.Name, err)
	}
	return res.Summary
}

func TestSimSonicChoicesPayOff(t *testing.T) {
	// Fan-out 1, 500 MB: Sonic's VM-Storage must beat the remote-storage plan it started from.
	one := testflows.FanOut(1, 500*testflows.MB, testflows.Fn("", 0.5, 512, 0, testflows.MB), false)
	pl, err := New("sonic", testflows.FanOut(1, 1, testflows.Fn("", 1, 512, 0, 1), false), Env{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := pl.(*baselines.Sonic)
	d, p, err := s.Decide(one)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := d.Method("Fan"); m != baselines.VMStorage {
		t.Fatalf("fan-out 1, 500 MB: %v, want vm-storage", m)
	}
	chosen, remote := simulatePlan(t, one, p), simulatePlan(t, one, s.UserPlan(one))
	if !(chosen.P95S < remote.P95S) {
		t.Errorf("fan-out 1: vm-storage P95 %.2f s, remote %.2f s: the choice should be faster", chosen.P95S, remote.P95S)
	}
	// Fan-out 100, 50 MB each: remote storage, and in the simulator forcing direct passing is
	// slower (100 pulls share the sender's NIC).
	hundred := testflows.FanOut(100, 50*testflows.MB, testflows.Fn("", 0.5, 512, 0, testflows.MB), false)
	d, p, err = s.Decide(hundred)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := d.Method("Fan"); m != baselines.RemoteStorage {
		t.Fatalf("fan-out 100: %v, want remote-storage", m)
	}
	direct := p.Clone()
	direct.Passing = map[string]dag.Passing{"Fan": dag.DirectPassing}
	chosen, forced := simulatePlan(t, hundred, p), simulatePlan(t, hundred, direct)
	if !(chosen.P95S < forced.P95S) {
		t.Errorf("fan-out 100: remote P95 %.2f s, direct %.2f s: the choice should be faster", chosen.P95S, forced.P95S)
	}
}

func TestSimFaastlaneFastestOnAChainSlowestOnAWideCPUStage(t *testing.T) {
	policies := []string{"user-max", "user-min", "sonic", "photons", "faastlane"}
	// Five light functions in series passing 2 MB: Faastlane's one VM saves every transfer and
	// transition. Sonic may fuse the same chain by VM-Storage, so it may tie, never win.
	chain := testflows.Chain(5, 0.05, 256, 2*testflows.MB)
	p95 := map[string]float64{}
	for _, pol := range policies {
		p95[pol] = simulate(t, chain, pol).P95S
	}
	for _, pol := range policies {
		if p95["faastlane"] > p95[pol] {
			t.Errorf("chain: faastlane P95 %.2f s > %s %.2f s (all: %v)", p95["faastlane"], pol, p95[pol], p95)
		}
	}
	// 100 parallel invocations of 8 core-s over 4 threads. In one VM (faastlane-invm) they are
	// 100 processes on at most 6 vCPUs; every other policy gives each its own CPU share.
	wide := testflows.FanOut(100, 0.1*testflows.MB, dag.Function{MinMemoryMB: 96, ParallelWork: dag.Const(8), Threads: 4,
		OutputBytes: dag.Const(0.01 * testflows.MB)}, false)
	others := []string{"user-max", "user-min", "sonic", "photons"}
	for _, pol := range append(others, "faastlane-invm") {
		p95[pol] = simulate(t, wide, pol).P95S
	}
	for _, pol := range others {
		if p95["faastlane-invm"] <= p95[pol] {
			t.Errorf("wide CPU stage: faastlane-invm P95 %.2f s <= %s %.2f s (all: %v)", p95["faastlane-invm"], pol, p95[pol], p95)
		}
	}
	// The released code runs 2 branches per 3,008 MB container (0.85 vCPU each): slower than
	// User-Max, Sonic and Photons, which run each at 3,008 MB or more. (User-Min, at 128 MB, is
	// slower still: that is its own weakness, not Faastlane's strength.) The function needs
	// 30 MB so that dag.Plan.Validate, which counts every item of a fused Map rather than the
	// bundle that stays in the host VM, accepts the spill plan.
	wide.Functions[1].MinMemoryMB = 30
	for _, pol := range policies {
		p95[pol] = simulate(t, wide, pol).P95S
	}
	for _, pol := range []string{"user-max", "sonic", "photons"} {
		if p95["faastlane"] <= p95[pol] {
			t.Errorf("wide CPU stage: faastlane P95 %.2f s <= %s %.2f s (all: %v)", p95["faastlane"], pol, p95[pol], p95)
		}
	}
}

func TestSimPhotonsCheaperThanUserMaxAtTheSameLatency(t *testing.T) {
	// 100 single-threaded 1 core-s invocations of a 1,024 MB function, a quarter of it shared
	// (the paper's lowest saving, 25%). At the default 3,008 MB each extra invocation needs
	// 2,256 MB, so 4 share a 9,776 MB runtime (5.5 vCPU): each still gets more than the one vCPU
	// it can use, at well under half of User-Max's 100 x 10,240 MB.
	recv := testflows.Fn("", 1, 1024, 0, 0.01*testflows.MB)
	recv.SharedMemoryMB = 256
	w := testflows.FanOut(100, 0.1*testflows.MB, recv, false)
	ph, um := simulate(t, w, "photons"), simulate(t, w, "user-max")
	if !(ph.MeanCost < um.MeanCost/2) {
		t.Errorf("photons mean cost %g USD, user-max %g: want less than half", ph.MeanCost, um.MeanCost)
	}
	if ph.P95S > 1.15*um.P95S {
		t.Errorf("photons P95 %.2f s, user-max %.2f s: want within 15%%", ph.P95S, um.P95S)
	}
}

// builtInRefusals are the (app, policy) pairs that must refuse to plan, with a phrase their
// error must carry. Faastlane's in-VM variant puts every parallel branch in one VM, and the Maps
// of video (30,000 MB), ml (16,000 MB) and chatbot (11,264 MB) need more than the 10,240 MB cap.
var builtInRefusals = map[[2]string]string{
	{"video", "faastlane-invm"}:   "parallel branches do not fit in one 10240 MB VM",
	{"ml", "faastlane-invm"}:      "parallel branches do not fit in one 10240 MB VM",
	{"chatbot", "faastlane-invm"}: "parallel branches do not fit in one 10240 MB VM",
}

// TestBuiltInApps runs every baseline on every built-in app: each must plan and simulate with a
// positive P95 and cost, except the refusals listed in builtInRefusals, which must fail with their
// reason. WiseFuse is left out: it needs an SLO or a budget and profiling runs, and its tests are
// in package wisefuse and the experiments. With -v it logs the table of P95 and cost
// (go test -run BuiltInApps -v ./policy/).
func TestBuiltInApps(t *testing.T) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n| app | policy | P95 (s) | mean cost (USD) |\n| --- | --- | ---: | ---: |\n")
	for _, app := range []string{"video", "ml", "chatbot", "svd"} {
		w, ok := apps.Lookup(app)
		if !ok {
			t.Errorf("app %q is not registered", app)
			continue
		}
		for _, pol := range Names() {
			if pol == WiseFuse {
				continue
			}
			pl, err := New(pol, w, Env{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			p, err := pl.Plan(w, dag.Objective{})
			want, refuses := builtInRefusals[[2]string{app, pol}]
			switch {
			case refuses && err == nil:
				t.Errorf("%s on %s planned; want the listed refusal %q (update builtInRefusals if it now fits)", pol, app, want)
				continue
			case refuses && !strings.Contains(err.Error(), want):
				t.Errorf("%s on %s: error %q, want one saying %q", pol, app, err, want)
				continue
			case refuses:
				fmt.Fprintf(&b, "| %s | %s | refused (expected): %v | |\n", app, pol, err)
				continue
			case err != nil:
				t.Errorf("%s on %s: %v", pol, app, err)
				continue
			}
			s := simulatePlan(t, w, p)
			if s.P95S <= 0 || s.MeanCost <= 0 {
				t.Errorf("%s %s: P95 %g s, cost %g USD: want positive", app, pol, s.P95S, s.MeanCost)
			}
			fmt.Fprintf(&b, "| %s | %s | %.2f | %.6f |\n", app, pol, s.P95S, s.MeanCost)
		}
	}
	t.Log(b.String())
}

func TestNewKnowsEveryPolicy(t *testing.T) {
	w := testflows.Chain(2, 1, 512, testflows.MB)
	for _, name := range append(Names(), "faastlane-spill", "USER-MAX") {
		p, err := New(name, w, Env{Profiling: wisefuse.ProfileOptions{Runs: 5, Sizes: []int{1024}}})
		if err != nil || p == nil {
			t.Errorf("New(%q) = %v, %v", name, p, err)
		}
	}
	var unknown *UnknownError
	if _, err := New("wisefus", w, Env{}); !errors.As(err, &unknown) || !strings.Contains(err.Error(), "user-max") {
		t.Errorf("unknown policy: error %v should be an *UnknownError that lists the known ones", err)
	}
	if _, err := New("sonic", w, Env{Baselines: baselines.Options{SonicGoal: "fast"}}); err == nil {
		t.Error("sonic with an unknown goal: want an error")
	}
}

// TestPhotonsRuntimes pins Photons' two rules in the simulator (docs/baselines.md, "Photons"):
// a runtime (one VM acquisition) never holds invocations of two different functions, and a
// shared runtime's VM is as large as the first invocation's user memory plus each other
// invocation's private part, m + (B-1) x ceil(m x (MinMemoryMB - SharedMemoryMB) / MinMemoryMB).
// Under arrivals, where runtimes also take other DAG invocations' invocations, no VM runs two
// different functions either.
func TestPhotonsRuntimes(t *testing.T) {
	two := testflows.FanOut(12, testflows.MB, testflows.Fn("", 1, 1000, 0, testflows.MB), true)
	// Make the Map's iterator two functions, as video's Extract -> Classify.
	second := testflows.Fn("Second", 2, 2000, testflows.MB, testflows.MB)
	second.SharedMemoryMB = 1500
	two.Functions = append(two.Functions, second)
	it := &two.Step("Fan").Map.Iterator
	*it = append(*it, dag.Step{Name: "SecondStep", Task: "Second"})
	two.Function("Recv").SharedMemoryMB = 500
	if err := two.Validate(); err != nil {
		t.Fatal(err)
	}
	wfs := []*dag.Workflow{two}
	for _, app := range []string{"video", "ml", "chatbot", "svd"} {
		w, _ := apps.Lookup(app)
		wfs = append(wfs, w)
	}
	shared := 0
	for _, w := range wfs {
		pl, err := New("photons", w, Env{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		p, err := pl.Plan(w, dag.Objective{})
		if err != nil {
			t.Fatalf("photons on %s: %v", w.Name, err)
		}
		res, err := sim.Run(w, p, 5, sim.Options{Seed: 42, KeepInvocations: true})
		if err != nil {
			t.Fatalf("simulating photons on %s: %v", w.Name, err)
		}
		// The bundle size each task step runs under: that of the Map whose iterator holds it.
		bundleOf := map[string]int{}
		w.Walk(func(_ []string, s *dag.Step) {
			if s.Map != nil {
				for _, it := range s.Map.Iterator {
					bundleOf[it.Name] = p.BundleOf(s.Name)
				}
			}
		})
		type acq struct{ run, vm int }
		fnOf := map[acq]string{}
		perVM := map[acq]int{}
		bundled := false
		for _, r := range res.Invocations {
			k := acq{r.Run, r.VM}
			if f, ok := fnOf[k]; ok && f != r.Function {
				t.Errorf("%s: VM %d of run %d runs %s and %s: Photons co-locates one function only", w.Name, r.VM, r.Run, f, r.Function)
			}
			fnOf[k] = r.Function
			perVM[k]++
			f := w.Function(r.Function)
			m := max(baselines.DefaultUserMemoryMB, f.MinMemoryMB)
			private := (m*(f.MinMemoryMB-f.SharedMemoryMB) + f.MinMemoryMB - 1) / f.MinMemoryMB
			if b := max(bundleOf[r.Step], 1); b > 1 || perVM[k] > 1 {
				bundled = true
				if want := m + (b-1)*private; r.MemoryMB != want {
					t.Errorf("%s: %s's runtime of %d invocations has %d MB, want %d + %d x %d = %d MB",
						w.Name, r.Function, b, r.MemoryMB, m, b-1, private, want)
				}
			} else if r.MemoryMB != m {
				t.Errorf("%s: %s alone has %d MB, want the user's %d MB", w.Name, r.Function, r.MemoryMB, m)
			}
		}
		if w == two && !bundled {
			t.Errorf("%s: no runtime held more than one invocation; the test checks nothing", w.Name)
		}
		// Under arrivals invocations of other DAG invocations join running runtimes (sim's
		// runtime.go): still one function per VM, whichever DAG invocation each came from.
		arr, err := sim.RunArrivals(w, p, sim.PoissonArrivals(0.5, 600, 3), sim.Options{Seed: 42, KeepInvocations: true})
		if err != nil {
			t.Fatalf("photons on %s under arrivals: %v", w.Name, err)
		}
		fnOfVM := map[int]string{}
		for i, r := range arr.Invocations {
			if f, ok := fnOfVM[r.VM]; ok && f != r.Function {
				t.Errorf("%s under arrivals: VM %d runs %s and %s", w.Name, r.VM, f, r.Function)
			}
			fnOfVM[r.VM] = r.Function
			for _, o := range arr.Invocations[i+1:] {
				if o.VM == r.VM && o.Run != r.Run && o.Start < r.End && r.Start < o.End {
					shared++
				}
			}
		}
	}
	if shared == 0 {
		t.Error("under arrivals no runtime held two DAG invocations' invocations at once; the test checks nothing there")
	}
	t.Logf("%d pairs of invocations of different DAG invocations overlapped in one runtime", shared)
}
