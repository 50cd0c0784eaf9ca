package wisefuse

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/testflows"
	"github.com/wisefuse/wisefuse/platform"
)

// randomPhase draws a phase of the given amount: alone, on the network, on one core, or on up to
// 16 threads, half of them spin-waiting.
func randomPhase(rng *rand.Rand, amount float64) psPhase {
	switch rng.IntN(4) {
	case 0:
		return psPhase{amount: amount}
	case 1:
		return netPhase(amount * 1e7)
	case 2:
		return psPhase{amount: amount, cap: 1}
	}
	p := psPhase{amount: amount, cap: float64(1 + rng.IntN(16))}
	if rng.IntN(2) == 0 {
		p.oversub = 0.02 * float64(1+rng.IntN(50))
	}
	return p
}

// TestLowerBoundBelowReplay replays random bundles (1-12 items of up to 8 phases: waits,
// transfers, serial and parallel CPU work with and without oversubscription) on random VMs and
// wants psSim.lowerBound no later than the replay's end, and within the lazy pruning's margin of
// it when one item runs alone on a VM its caps fit (then the bound is the replay).
func TestLowerBoundBelowReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	var ps, lb psSim
	lb.bound = true
	for trial := range 20000 {
		n := 1 + rng.IntN(12)
		phases := make([][]psPhase, n)
		for i := range phases {
			for range rng.IntN(9) {
				phases[i] = append(phases[i], randomPhase(rng, rng.ExpFloat64()))
			}
		}
		share := 0.25 + 5.75*rng.Float64()
		vcpu := platform.Cores{Share: share, Visible: math.Max(2, math.Ceil(share))}
		contention := []float64{0, 0.05, 0.1}[rng.IntN(3)]
		got, bound := replayAndBound(&ps, &lb, phases, vcpu, contention)
		if margin := 1e-6*got + 1e-6; bound > got+margin {
			t.Fatalf("trial %d: %d items on %+v: bound %v after the replay's end %v", trial, n, vcpu, bound, got)
		}
		if n == 1 && math.Abs(bound-got) > 1e-9*got+1e-9 {
			t.Fatalf("trial %d: one item on %+v: bound %v, replay %v", trial, vcpu, bound, got)
		}
	}
}

// replayAndBound replays phases side by side on vcpu with contention, on a network of 80 MB/s a
// connection and 160 MB/s a VM, in ps and bounds them in lb (a psSim with bound set): the
// replay's end and the bound.
func replayAndBound(ps, lb *psSim, phases [][]psPhase, vcpu platform.Cores, contention float64) (got, bound float64) {
	for _, s := range []*psSim{ps, lb} {
		s.phases, s.contention, s.connBps, s.vmBps = phases, contention, 8e7, 1.6e8
	}
	return ps.run(len(phases), vcpu), lb.run(len(phases), vcpu)
}

// TestSharedBoundBelowReplay replays random bundles of up to 40 items whose CPU phases are of
// two kinds (a serial part on one core and a parallel part, say, of the iterator's function;
// spin-waiting in half the trials, which psSim.sharingBound bounds),
// each item with random waits, transfers and CPU phases before its last run of CPU phases and
// waits and transfers after it, some with no CPU work, with contention, and wants the bound
// no later than the replay's end. For identical items of one parallel
// phase, oversubscribed, it must come within 30% of the replay where the bound of the work alone
// (at one item's efficiency, without contention) is under half of it.
func TestSharedBoundBelowReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 1))
	var ps, lb psSim
	lb.bound = true
	cpuPhase := func(kinds []psPhase) psPhase {
		p := kinds[rng.IntN(len(kinds))]
		p.amount = 5 * rng.ExpFloat64()
		return p
	}
	for trial := range 20000 {
		n := 2 + rng.IntN(39)
		kinds := []psPhase{{cap: 1}, {cap: float64(1 + rng.IntN(16))}}
		if rng.IntN(2) == 0 {
			kinds[1].oversub = 0.02 * float64(1+rng.IntN(50))
		}
		kinds = kinds[rng.IntN(2):]
		phases := make([][]psPhase, n)
		for i := range phases {
			for range rng.IntN(4) {
				if p := randomPhase(rng, rng.ExpFloat64()); p.cap <= 0 {
					phases[i] = append(phases[i], p)
				} else {
					phases[i] = append(phases[i], cpuPhase(kinds))
				}
			}
			if rng.IntN(8) > 0 {
				for range 1 + rng.IntN(3) {
					phases[i] = append(phases[i], cpuPhase(kinds))
				}
			}
			for range rng.IntN(3) {
				if p := randomPhase(rng, rng.ExpFloat64()); p.cap <= 0 {
					phases[i] = append(phases[i], p)
				}
			}
		}
		share := 0.25 + 5.75*rng.Float64()
		vcpu := platform.Cores{Share: share, Visible: math.Max(2, math.Ceil(share))}
		contention := []float64{0, 0.03, 0.1}[rng.IntN(3)]
		got, bound := replayAndBound(&ps, &lb, phases, vcpu, contention)
		if margin := 1e-6*got + 1e-6; bound > got+margin {
			t.Fatalf("trial %d: %d items on %+v, contention %v: bound %v after the replay's end %v", trial, n, vcpu, contention, bound, got)
		}
	}
	// Eight identical items of 8.8 core-s on 16 spin-waiting threads (g 0.78) on a 9,024 MB VM
	// (5.1 vCPUs), with 3% contention per co-runner: ml's ParamTune bundled by 8.
	item := []psPhase{{amount: 0.3}, netPhase(2.5e7), {amount: 8.8, cap: 16, oversub: 0.78}, netPhase(2e6)}
	phases := make([][]psPhase, 8)
	for i := range phases {
		phases[i] = item
	}
	vcpu := platform.Default().Cores(9024)
	got, bound := replayAndBound(&ps, &lb, phases, vcpu, 0.03)
	var old psBound
	for _, ph := range phases {
		old.add(&lb, ph, vcpu)
	}
	if work := old.end(&lb, vcpu); bound < 0.7*got || work > 0.5*got {
		t.Errorf("8 identical items: bound %v, work bound %v, replay %v: want the bound within 30%% of the replay, the work bound under half", bound, work, got)
	}
}

// TestLazyOptionsMatchEager: for every built-in app on the full default platform (the one
// `wisefuse plan` plans on: transfers share the network, items contend), for video with its Map
// at most 3 at once (waves: wavesBound), for a fan-out that ends with such a Map and for a Map of
// 3,000 items between two tasks (bundles of up to 46 items, wide up to 46: widemaps.go), the options the
// lazy sweep keeps over all of a segment's options (paretoLazy, as segmentOptions sweeps them)
// are those of evaluating every option and pruning them (paretoOptions), in the same order, with the same cost and atoms to the bit. -short: chatbot
// on the published facts only.
func TestLazyOptionsMatchEager(t *testing.T) {
	type tc struct {
		name string
		w    *dag.Workflow
		full bool
		plat string // profiled and planned on this platform (full model); "": AWS
		p    *Profile
	}
	var cases []tc
	if !testing.Short() {
		p := chainProfile(t, 2, 3000)
		cases = append(cases, tc{name: "wide Map", w: p.Workflow, p: p})
	}
	for _, a := range apps.All() {
		switch {
		case testing.Short() && a.Name == "chatbot":
			cases = append(cases, tc{a.Name, a.Build(), false, "", nil})
		case !testing.Short():
			cases = append(cases, tc{a.Name, a.Build(), true, "", nil})
			if a.Name == "video" {
				cases = append(cases, tc{"video at most 3 at once", withConcurrency(a.Build(), 3), true, "", nil})
			}
		}
	}
	// On the Azure platforms the replays' bounds also go through the shared-instance replay,
	// polling and the final resume (azure.go): every app the platform can plan.
	for _, a := range apps.All() {
		if testing.Short() && a.Name != "chatbot" {
			continue
		}
		for _, name := range []string{platform.AzureDurable, platform.AzureFlex} {
			cases = append(cases, tc{a.Name + " on " + name, a.Build(), true, name, nil})
		}
	}
	if !testing.Short() {
		cases = append([]tc{{"fan-out at most 3 at once", withConcurrency(testflows.FanOut(10, 1<<20, testflows.Fn("Recv", 2, 1769, 0, 1<<20), false), 3), true, "", nil}}, cases...)
	}
	for _, c := range cases {
		o := PlannerOptions{}
		if c.full {
			o.Model.Platform = platform.Default()
		}
		var p *Profile
		var err error
		if c.p != nil {
			p = c.p
		} else if c.plat != "" {
			plat, lerr := platform.Load(c.plat)
			if lerr != nil {
				t.Fatal(lerr)
			}
			o.Model.Platform = plat
			if p, err = ProfileBy(c.w, ProfileOptions{Runs: 100, Sizes: plat.MemoryChoices()}, azureRunner(plat)); err != nil {
				continue // a function no size of the platform holds: nothing to plan (azureAccuracy)
			}
		} else if p, err = profileInSim(c.w, ProfileOptions{}); err != nil {
			t.Fatal(err)
		}
		pl, err := NewPlanner(p, o)
		if err != nil {
			t.Fatal(err)
		}
		sameOptionSets(t, c.name, paretoSets(pl), eagerOptions(pl), [2]string{"kept", "eager"}, func(a, b *option) bool {
			return sameEval(a.eval, b.eval) && a.seg.mem == b.seg.mem
		})
	}
}

// chainProfile is a chain of tasks tasks with a Map of items items in its middle (after
// tasks/2 of them), profiled by the test generator with 5 runs at 1,024 and 4,096 MB (as
// BenchmarkPlanAzureLargest, smaller).
func chainProfile(t testing.TB, tasks, items int) *Profile {
	w := &dag.Workflow{Name: "chain"}
	fns := map[string]synthFn{}
	for i := range tasks + 1 {
		name := fmt.Sprintf("f%02d", i)
		w.Functions = append(w.Functions, dag.Function{Name: name, MinMemoryMB: 256, Threads: 1})
		fns[name] = synthFn{serial: 0.2, parallel: 0.3, threads: 2, down: 0.02, up: 0.02, skew: 0.2, runSigma: 0.1}
		if i == tasks/2 {
			w.Steps = append(w.Steps, dag.Step{Name: "M", Map: &dag.Map{Items: dag.Const(float64(items)), Iterator: []dag.Step{{Name: "s" + name, Task: name}}}})
			continue
		}
		w.Steps = append(w.Steps, dag.Step{Name: "s" + name, Task: name})
	}
	return synthProfile(t, w, fns, []int{1024, 4096}, 5, 5)
}

// TestLazyStepMatchesEager: the search's lazy step (stepLazy, which sorts the atoms only of the
// partial plans that their sums' lower bound does not show dominated) finds the plans, the
// predictions (to the bit), the partial-plan counts and the errors of sorting every partial plan
// (Planner.eagerSteps), under budgets and SLOs from below the fastest plan's percentile to three
// times it: on a chain of 30 tasks around a Map of 300 items without fusion, one of 12 by
// default and without fusion, and the built-in apps by default, Exact and without fusion.
// -short: the chains and chatbot.
func TestLazyStepMatchesEager(t *testing.T) {
	type tc struct {
		name string
		p    *Profile
		opts []PlannerOptions
	}
	all := []PlannerOptions{{}, {Exact: true}, {NoFusion: true}}
	cases := []tc{
		{"chain of 30", chainProfile(t, 30, 300), []PlannerOptions{{NoFusion: true}}},
		{"chain of 12", chainProfile(t, 12, 300), []PlannerOptions{{}, {NoFusion: true}}},
	}
	for _, a := range apps.All() {
		if testing.Short() && a.Name != "chatbot" {
			continue
		}
		p, err := profileInSim(a.Build(), ProfileOptions{Runs: 60})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, tc{a.Name, p, all})
	}
	lazier := 0 // searches where the two differ in how they got there: none should differ in what
	for _, c := range cases {
		for _, o := range c.opts {
			pl, err := NewPlanner(c.p, o)
			if err != nil {
				t.Fatal(err)
			}
			fastest, err := pl.Search(dag.Objective{Budget: math.MaxFloat64})
			if err != nil {
				t.Fatal(err)
			}
			cheapest, err := pl.Search(dag.Objective{SLO: math.MaxFloat64})
			if err != nil {
				t.Fatal(err)
			}
			p95, c0, c1 := fastest.Prediction.Percentile(95), cheapest.Prediction.MeanCost, fastest.Prediction.MeanCost
			objs := []dag.Objective{{Budget: math.MaxFloat64}, {Budget: 0.5 * c0}, {Budget: 1.1 * c0}, {Budget: (c0 + c1) / 2},
				{SLO: 0.9 * p95}, {SLO: 1.05 * p95}, {SLO: 1.5 * p95}, {SLO: 3 * p95}, {SLO: 1.5 * p95, Percentile: 50}}
			for _, obj := range objs {
				pl.eagerSteps = false
				got, gerr := pl.Search(obj)
				pl.eagerSteps = true
				want, werr := pl.Search(obj)
				pl.eagerSteps = false
				what := fmt.Sprintf("%s %+v %+v", c.name, o, obj)
				if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
					t.Fatalf("%s: error %v, eager %v", what, gerr, werr)
				}
				if gerr != nil {
					continue
				}
				if !reflect.DeepEqual(got.Plan, want.Plan) || got.Explored != want.Explored ||
					!sameEval(stageEval{got.Prediction.Latency, got.Prediction.MeanCost}, stageEval{want.Prediction.Latency, want.Prediction.MeanCost}) {
					t.Fatalf("%s: plan %+v (%d partial plans, $%v), eager %+v (%d, $%v)", what, got.Plan, got.Explored, got.Prediction.MeanCost,
						want.Plan, want.Explored, want.Prediction.MeanCost)
				}
				lazier++
			}
		}
	}
	if lazier == 0 {
		t.Fatal("no objective had a plan")
	}
}

// paretoSets is every segment's Pareto set over all its options: segmentOptions' sweep with
// nothing filtered out.
func paretoSets(pl *Planner) [][][]*option {
	pl.Prepare()
	pl.evalMu.Lock()
	defer pl.evalMu.Unlock()
	out := make([][][]*option, len(pl.listed))
	for i, row := range pl.listed {
		out[i] = make([][]*option, len(row))
		for j, os := range row {
			if len(os) > 0 {
				out[i][j] = paretoLazy(os, pl.opts.tolerance(), pl.pool.ahead(), pl.replay, nil, false)
			}
		}
	}
	return out
}

// eagerOptions is every segment's Pareto set without bounds: every option evaluated, then
// paretoOptions.
func eagerOptions(pl *Planner) [][][]*option {
	out := eagerEvaluations(pl)
	for i := range out {
		for j, os := range out[i] {
			if len(os) > 0 {
				out[i][j] = paretoOptions(os, pl.opts.tolerance())
			}
		}
	}
	return out
}

// eagerEvaluations is every option of every segment evaluated, in the order they are listed.
func eagerEvaluations(pl *Planner) [][][]*option {
	m := pl.model
	n := len(m.w.Steps)
	grid := pl.opts.grid(m.opts.Platform)
	out := make([][][]*option, n+1)
	var sc scratch
	for i := range n {
		out[i] = make([][]*option, n+1)
		for _, sg := range pl.segmentChoices(i, grid) {
			e := m.evalSegment(&sc, sg)
			if sg.end == n {
				m.endOf(&e, sg) // the end gap, or the final resume where the orchestrator replays
			}
			out[i][sg.end] = append(out[i][sg.end], &option{seg: sg, eval: e})
		}
	}
	return out
}

func sameEval(a, b stageEval) bool {
	if math.Float64bits(a.cost) != math.Float64bits(b.cost) || len(a.lat) != len(b.lat) {
		return false
	}
	for k := range a.lat {
		if math.Float64bits(a.lat[k]) != math.Float64bits(b.lat[k]) {
			return false
		}
	}
	return true
}

// TestRunAloneMatchesReplay wants the one-item shortcut of psSim.run (runAlone) bit for bit equal
// to the general replay of the same item, forced by an empty second item (done from the start, so
// it changes no rate), over random phases on random VMs.
func TestRunAloneMatchesReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 2))
	var ps psSim
	alone := 0
	for trial := range 20000 {
		var ph []psPhase
		for range rng.IntN(9) {
			ph = append(ph, randomPhase(rng, rng.ExpFloat64()*math.Pow(10, float64(rng.IntN(7)-3))))
		}
		share := 0.25 + 5.75*rng.Float64()
		vcpu := platform.Cores{Share: share, Visible: math.Max(2, math.Ceil(share))}
		ps.contention, ps.connBps, ps.vmBps = []float64{0, 0.1}[rng.IntN(2)], 8e7, []float64{1.6e8, 5e7}[rng.IntN(2)]
		ps.phases = [][]psPhase{ph}
		if _, ok := ps.runAlone(ph, vcpu); ok {
			alone++
		}
		got := ps.run(1, vcpu)
		ps.phases = [][]psPhase{ph, nil}
		want := ps.run(2, vcpu)
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("trial %d: %v on %+v: alone %v, replay %v", trial, ph, vcpu, got, want)
		}
	}
	if alone < 19000 {
		t.Fatalf("the shortcut took %d of 20000 items, want nearly all", alone)
	}
}

// TestRunPairMatchesReplay wants the two-item path of psSim.run (runPair) bit for bit equal to
// the general replay of the same items, forced by an empty third item, over random phases on
// random VMs with and without contention.
func TestRunPairMatchesReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 3))
	var ps psSim
	phase := func() psPhase { return randomPhase(rng, rng.ExpFloat64()*math.Pow(10, float64(rng.IntN(5)-2))) }
	for trial := range 50000 {
		var a, b []psPhase
		for range rng.IntN(9) {
			a = append(a, phase())
		}
		for range rng.IntN(9) {
			b = append(b, phase())
		}
		share := 0.125 + 5.875*rng.Float64()
		vcpu := platform.Cores{Share: share, Visible: math.Max(2, math.Ceil(share))}
		ps.contention, ps.connBps, ps.vmBps = []float64{0, 0.1}[rng.IntN(2)], 8e7, []float64{1.6e8, 5e7}[rng.IntN(2)]
		ps.phases = [][]psPhase{a, b}
		got := ps.run(2, vcpu)
		ps.phases = [][]psPhase{a, b, nil}
		want := ps.run(3, vcpu)
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("trial %d: %v and %v on %+v: pair %v, replay %v", trial, a, b, vcpu, got, want)
		}
	}
}

// TestSearchIgnoresEarlierSearches plans each built-in app under several objectives twice: on
// one planner, one objective after another (so each search finds options replayed by the
// searches before it), and on a fresh planner per objective. A search sweeps the options its
// objective admits (segmentOptions, by bounds and a plan of options evaluated without replays),
// never the ones that happen to be replayed already, so the plans and predictions must match to
// the bit. -short: chatbot.
func TestSearchIgnoresEarlierSearches(t *testing.T) {
	for name, p := range builtinProfiles(t) {
		opts := PlannerOptions{Model: ModelOptions{Platform: platform.Default()}, Workers: 1}
		fresh := func() *Planner {
			pl, err := NewPlanner(p, opts)
			if err != nil {
				t.Fatal(err)
			}
			return pl
		}
		fast, err := fresh().Search(dag.Objective{Budget: math.MaxFloat64})
		if err != nil {
			t.Fatal(err)
		}
		p95 := fast.Prediction.Percentile(95)
		objs := []dag.Objective{{SLO: 3 * p95}, {SLO: 1.2 * p95}, {Budget: 1.5 * fast.Prediction.MeanCost}, {SLO: 1.5 * p95}, {SLO: 2 * p95, Percentile: 99}}
		shared := fresh()
		for _, obj := range objs {
			got, err1 := shared.Search(obj)
			want, err2 := fresh().Search(obj)
			if (err1 == nil) != (err2 == nil) {
				t.Fatalf("%s %+v: error %v after earlier searches, %v on a fresh planner", name, obj, err1, err2)
			}
			if err1 != nil {
				continue
			}
			if !sameResult(got, want) {
				t.Fatalf("%s %+v: plan %+v cost %v after earlier searches, %+v cost %v on a fresh planner", name, obj, got.Plan, got.Prediction.MeanCost, want.Plan, want.Prediction.MeanCost)
			}
		}
	}
}

// TestSegmentOptionsFilterThenPrune: under an SLO (no incumbent), each segment's options a search
// sweeps are those of evaluating every option, keeping the ones that meet the objective, Pareto-
// pruning them and thinning to maxOptions, the same options in the same order: an option that
// misses the SLO drops no feasible one within the tolerance of it. The whole workflow's segment
// keeps only its options of the least cost (paretoLazy's cheapest). SLOs from 1.02 to 2 times the
// fastest plan's P95, with the sampling bound as Search judges them. -short: chatbot.
func TestSegmentOptionsFilterThenPrune(t *testing.T) {
	for name, p := range builtinProfiles(t) {
		pl, p95, eager := eagerPlanner(t, p)
		for _, f := range []float64{1.02, 1.05, 1.2, 2} {
			obj, sb := judgedAt(pl, f*p95)
			got := pl.segmentOptions(obj, sb, nil, nil, true)
			for i := range eager {
				for j, os := range eager[i] {
					var ok []*option
					for _, o := range os {
						if passes(o.eval, obj, sb, 95, pl.around(o.seg, true)) {
							ok = append(ok, o)
						}
					}
					want := paretoOptions(ok, pl.opts.tolerance())
					if i == 0 && j == len(pl.model.w.Steps) && len(want) > 0 {
						want = slices.DeleteFunc(want, func(o *option) bool { return o.eval.cost > want[0].eval.cost })
					}
					if len(want) > maxOptions {
						want = spread(want, maxOptions)
					}
					if len(got[i][j]) != len(want) {
						t.Fatalf("%s SLO %.3f segment [%d,%d): %d options, want %d", name, obj.SLO, i, j, len(got[i][j]), len(want))
					}
					for k, o := range want {
						if g := got[i][j][k]; !sameOption(g, o) {
							t.Fatalf("%s SLO %.3f segment [%d,%d) option %d: %+v cost %v, want %+v cost %v", name, obj.SLO, i, j, k, g.seg, g.eval.cost, o.seg, o.eval.cost)
						}
					}
				}
			}
		}
	}
}

// builtinProfiles yields each built-in app's default simulator profile (chatbot's alone with
// -short).
func builtinProfiles(t *testing.T) iter.Seq2[string, *Profile] {
	return func(yield func(string, *Profile) bool) {
		for _, a := range apps.All() {
			if testing.Short() && a.Name != "chatbot" {
				continue
			}
			p, err := profileInSim(a.Build(), ProfileOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !yield(a.Name, p) {
				return
			}
		}
	}
}

// sameResult reports whether two searches chose the same plan with the same prediction, to the bit.
func sameResult(a, b *Result) bool {
	return reflect.DeepEqual(a.Plan, b.Plan) && sameEval(stageEval{a.Prediction.Latency, a.Prediction.MeanCost}, stageEval{b.Prediction.Latency, b.Prediction.MeanCost})
}

// sameOptionSets fails t unless every segment of a and b holds as many options, pairwise same;
// sides names a's and b's in the messages.
func sameOptionSets(t *testing.T, name string, a, b [][][]*option, sides [2]string, same func(x, y *option) bool) {
	t.Helper()
	for i := range a {
		for j := range a[i] {
			x, y := a[i][j], b[i][j]
			if len(x) != len(y) {
				t.Fatalf("%s segment [%d,%d): %d options %s, %d %s", name, i, j, len(x), sides[0], len(y), sides[1])
			}
			for k := range x {
				if !same(x[k], y[k]) {
					t.Fatalf("%s segment [%d,%d) option %d: cost %v at %d MB (%+v) %s, %v at %d MB (%+v) %s", name, i, j, k,
						x[k].eval.cost, x[k].seg.mem, x[k].seg, sides[0], y[k].eval.cost, y[k].seg.mem, y[k].seg, sides[1])
				}
			}
		}
	}
}

// eagerPlanner returns a one-worker planner of profile p on the default platform, its fastest
// plan's P95 and every option it lists, evaluated (eagerEvaluations).
func eagerPlanner(t *testing.T, p *Profile) (*Planner, float64, [][][]*option) {
	t.Helper()
	pl, err := NewPlanner(p, PlannerOptions{Model: ModelOptions{Platform: platform.Default()}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	return pl, fastestP95(t, pl), eagerEvaluations(pl)
}

// judgedAt returns the objective and the sampling bound Search judges plans by for an SLO of slo
// seconds on the 95th percentile (searchJudged).
func judgedAt(pl *Planner, slo float64) (dag.Objective, sampleBound) {
	return dag.Objective{SLO: slo * (1 - pl.opts.margin())}, sampleBound{pct: pl.judgedPct(95), slo: slo}
}

// sameOption reports whether two options are the same segment configuration with the same
// evaluation, to the bit.
func sameOption(a, b *option) bool {
	return reflect.DeepEqual(a.seg, b.seg) && sameEval(a.eval, b.eval)
}
