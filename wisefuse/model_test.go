package wisefuse

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/stats"
	"github.com/wisefuse/wisefuse/platform"
)

// TestProcessorSharing replays the hand-computed bundle of the simulator's issue: 3
// single-threaded items of 1, 2 and 3 core-seconds in one VM of 2 vCPUs. Each gets 2/3 vCPU until
// the first finishes at 1.5 s (1 / (2/3)); then two share 2 vCPUs but run at most 1 each, so the
// second finishes its remaining 1 core-s at 2.5 s and the third its remaining 1 at 3.5 s.
func TestProcessorSharing(t *testing.T) {
	var ps psSim
	ps.phases = [][]psPhase{{{amount: 1, cap: 1}}, {{amount: 2, cap: 1}}, {{amount: 3, cap: 1}}}
	if got := ps.run(3, platform.Cores{Share: 2, Visible: 2}); math.Abs(got-3.5) > 1e-9 {
		t.Fatalf("bundle ends at %v, want 3.5", got)
	}
	// A wait (transfer) uses no CPU: an item that downloads for 1 s before 1 core-s of work,
	// beside one that computes 2 core-s at once, on 1 vCPU: the second runs alone for 1 s, then
	// they share: at 1 s the second has 1 left, each gets 0.5 vCPU, both end at 3 s.
	ps.phases = [][]psPhase{{{amount: 1}, {amount: 1, cap: 1}}, {{amount: 2, cap: 1}}}
	if got := ps.run(2, platform.Cores{Share: 1, Visible: 2}); math.Abs(got-3) > 1e-9 {
		t.Fatalf("bundle ends at %v, want 3", got)
	}
	// A parallel phase capped at 4 threads on 6 vCPUs beside a serial one: 4 + 1 = 5 <= 6, so
	// neither is slowed: 8 core-s / 4 = 2 s and 1 core-s / 1 = 1 s.
	ps.phases = [][]psPhase{{{amount: 8, cap: 4}}, {{amount: 1, cap: 1}}}
	if got := ps.run(2, platform.Cores{Share: 6, Visible: 6}); math.Abs(got-2) > 1e-9 {
		t.Fatalf("bundle ends at %v, want 2", got)
	}
}

// TestProcessorSharingContentionWithCaps: a serial item (1 core-s, cap 1) beside a parallel one
// (4 core-s, cap 4) on 2 vCPUs with 10% contention per co-runner. Both get 1 vCPU, slowed to
// 1/1.1: the serial one ends at 1.1 s, when the parallel one has done 1 core-s; alone it then
// runs on 2 vCPUs, with no contention, for 1.5 s: 2.6 s. (A cap binding in the water filling
// once made the contention divide one item twice and the other not at all.)
func TestProcessorSharingContentionWithCaps(t *testing.T) {
	ps := psSim{contention: 0.1}
	ps.phases = [][]psPhase{{{amount: 1, cap: 1}}, {{amount: 4, cap: 4}}}
	if got := ps.run(2, platform.Cores{Share: 2, Visible: 2}); math.Abs(got-2.6) > 1e-9 {
		t.Fatalf("bundle ends at %v, want 2.6", got)
	}
}

// TestBundleNetworkSharing: transfers share the VM's network: two items each moving 160 MB on a
// VM of 160 MB/s with 80 MB/s per connection run at 80 MB/s each (2 s); four at 40 MB/s (4 s).
// A wait beside them is not slowed.
func TestBundleNetworkSharing(t *testing.T) {
	ps := psSim{connBps: 80e6, vmBps: 160e6}
	for _, n := range []int{2, 4} {
		ps.phases = ps.phases[:0]
		for range n {
			ps.phases = append(ps.phases, []psPhase{netPhase(160e6)})
		}
		ps.phases = append(ps.phases, []psPhase{{amount: 1}})
		if got, want := ps.run(n+1, platform.Cores{Share: 1, Visible: 2}), 160e6/min(80e6, 160e6/float64(n)); math.Abs(got-want) > 1e-9 {
			t.Errorf("%d transfers end at %v, want %v", n, got, want)
		}
	}
}

// TestCurveFit recovers a curve from exact points and breaks two-point ties toward more threads.
func TestCurveFit(t *testing.T) {
	want := Curve{Serial: 2, Parallel: 9, Threads: 3}
	var cs []platform.Cores
	var ys []float64
	for _, mem := range []int{1024, 2048, 4096, 10240} {
		c := platform.Default().Cores(mem)
		cs, ys = append(cs, c), append(ys, want.Time(c))
	}
	got := fitCurve(cs, ys, 6)
	if got.Threads != 3 || math.Abs(got.Serial-2) > 1e-6 || math.Abs(got.Parallel-9) > 1e-6 {
		t.Fatalf("fit %+v, want %+v", got, want)
	}
	// Video Classify's real medians at 1,000 and 10,240 MB: the curve should interpolate the
	// 5,000 MB median (17.5 s) within 5%.
	plat := platform.Default().Published()
	k := fitCurve([]platform.Cores{plat.Cores(1000), plat.Cores(10240)}, []float64{52.46, 14.27}, 6)
	if got := k.Time(plat.Cores(5000)); math.Abs(got-17.51)/17.51 > 0.05 {
		t.Fatalf("Classify at 5000 MB: %v s from %+v, want about 17.5", got, k)
	}
}

// TestCurveFitOversubTwoSizes: ml's ParamTune (17.2 core-s over 12 spin-waiting threads,
// g = 0.795) needs more than Flex's 512 MB, so only 2,048 and 4,096 MB profile it, and it speeds
// up 3.47-fold for twice the vCPUs (2 x 2^0.795), which no curve without oversubscription gives.
// The fit must find the exponent from those two sizes, and with it the time of an item in a bundle
// of 2 or 3 at 4,096 MB (1 or 2/3 of a vCPU and as much of the visible cores), relative to the
// profiled 4,096 MB time; before, it fitted a plain parallel part and predicted those bundles
// 35% and 52% too fast (TestAzureModelAccuracy).
func TestCurveFitOversubTwoSizes(t *testing.T) {
	plat := platform.AzureFlexConsumption()
	want := Curve{Parallel: 17.204, Threads: 12, Oversub: 0.795}
	var cs []platform.Cores
	var ys []float64
	for _, mem := range []int{2048, 4096} {
		c := plat.Cores(mem)
		cs, ys = append(cs, c), append(ys, want.Time(c))
	}
	got := fitCurve(cs, ys, plat.MaxVCPU)
	if got.Serial != 0 || math.Abs(got.Oversub-want.Oversub) > 0.011 {
		t.Fatalf("fit %+v, want no serial part and an exponent within 0.01 of %v", got, want.Oversub)
	}
	for _, b := range []float64{2, 3} {
		item := platform.Cores{Share: 2 / b, Visible: 2 / b}
		g, w := got.Time(item)/got.Time(cs[1]), want.Time(item)/want.Time(cs[1])
		if math.Abs(g/w-1) > 0.01 {
			t.Errorf("bundle of %v at 4096 MB: an item takes %.3f x the unbundled time, want %.3f", b, g, w)
		}
	}
}

// TestCurveFitOversubKeepsNoSerialNoise: the medians of ParamTune in a 100-run profile on AWS
// Lambda (1,024 to 10,240 MB, 2 to 6 visible cores) scatter by a few percent around its curve
// (each median is of 1,600 items of skew uniform in 0.25..1 and of run factors). A serial part
// fitted beside the exponent trades against it on that noise: the factors below (the medians of
// profile seed 1 over the true curve's times) gave S = 0.43 core-s and g = 0.92 for a true 0 and
// 0.795, and an item of 3 bundled in 5,307 MB (one visible core each) 6.19 times the profiled
// 4,096 MB time for a true 5.55 (+12%). The serial part must pay for itself as the exponent does
// (cut the squared error 4-fold), so here it is left out: g = 0.80 and 5.58 (+0.5%).
func TestCurveFitOversubKeepsNoSerialNoise(t *testing.T) {
	plat := platform.Default()
	want := Curve{Parallel: 17.204, Threads: 12, Oversub: 0.795}
	var cs []platform.Cores
	var ys []float64
	for i, mem := range []int{1024, 2048, 4096, 10240} {
		c := plat.Cores(mem)
		cs, ys = append(cs, c), append(ys, want.Time(c)*[]float64{0.6047, 0.6391, 0.6036, 0.6182}[i])
	}
	got := fitCurve(cs, ys, plat.MaxVCPU)
	item := platform.Cores{Share: 1, Visible: 1}
	g, w := got.Time(item)/got.Time(cs[2]), want.Time(item)/want.Time(cs[2])
	if got.Serial != 0 || math.Abs(g/w-1) > 0.03 {
		t.Errorf("fit %+v: an item of 3 in 5,307 MB takes %.3f x the 4,096 MB time, want no serial part and %.3f within 3%%", got, g, w)
	}
}

// TestModelReproducesProfiledSize: at a profiled size, an unfused, unbundled plan is predicted
// from that size's own runs, so the predicted P95 must match the profiled runs' P95 closely.
func TestModelReproducesProfiledSize(t *testing.T) {
	w, fns := chainWorkflow(8)
	p := synthProfile(t, w, fns, []int{1024, 3008, 10240}, 300, 1)
	m, err := NewModel(p, ModelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, mem := range []int{1024, 3008, 10240} {
		pr, err := m.Predict(dag.UniformPlan(mem))
		if err != nil {
			t.Fatal(err)
		}
		want := stats.Percentiles(p.Size(mem).E2E, 95)[0]
		if e := math.Abs(pr.Percentile(95)-want) / want; e > 0.05 {
			t.Errorf("%d MB: predicted P95 %.3f, profiled %.3f (error %.1f%%)", mem, pr.Percentile(95), want, 100*e)
		}
	}
}

// TestModelAgainstGenerator checks predictions of plans the profile never ran -- other sizes,
// fusion, bundles -- against fresh runs of the generator, whose parameters the model never sees.
func TestModelAgainstGenerator(t *testing.T) {
	w, fns := chainWorkflow(8)
	p := synthProfile(t, w, fns, []int{1024, 2048, 4096, 10240}, 300, 2)
	m, err := NewModel(p, ModelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, mem := range []int{1536, 3008, 6000} {
		// Fresh runs at an unprofiled size: the generator's truth.
		truthInv, truthDag := synthRecords(w, fns, []int{mem}, 300, 99)
		_ = truthInv
		var e2e []float64
		for _, d := range truthDag {
			e2e = append(e2e, d.Latency)
		}
		want := stats.Percentiles(e2e, 95)[0]
		pr, err := m.Predict(dag.UniformPlan(mem))
		if err != nil {
			t.Fatal(err)
		}
		if e := math.Abs(pr.Percentile(95)-want) / want; e > 0.08 {
			t.Errorf("%d MB: predicted P95 %.3f, generator %.3f (error %.1f%%)", mem, pr.Percentile(95), want, 100*e)
		}
	}
	// Fusion removes transfers and gaps: the fused iterator must be predicted faster.
	base, _ := m.Predict(dag.UniformPlan(4096))
	fused := dag.UniformPlan(4096)
	fused.Fuse = [][]string{{"Extract", "Classify"}}
	fp, err := m.Predict(fused)
	if err != nil {
		t.Fatal(err)
	}
	if !(fp.Percentile(95) < base.Percentile(95)) {
		t.Errorf("fused P95 %.3f not below unfused %.3f", fp.Percentile(95), base.Percentile(95))
	}
	// Bundling 2 items in a VM twice the size: the straggler gets freed CPU, and it costs about
	// the same, so the P95 should not grow by more than the transfers' share.
	bundled := dag.UniformPlan(8192)
	bundled.Bundle = map[string]int{"Chunks": 2}
	bp, err := m.Predict(bundled)
	if err != nil {
		t.Fatal(err)
	}
	if bp.Percentile(95) > 1.2*base.Percentile(95) {
		t.Errorf("bundle of 2 at 8192 MB: P95 %.3f, unbundled at 4096 MB %.3f", bp.Percentile(95), base.Percentile(95))
	}
}

// TestDeterministic: the same profile gives byte-identical predictions and plans.
func TestDeterministic(t *testing.T) {
	w, fns := chainWorkflow(6)
	invs, dags := synthRecords(w, fns, []int{1024, 4096, 10240}, 100, 3)
	var first *Result
	for range 2 {
		p, err := FromRecords(w, invs, dags)
		if err != nil {
			t.Fatal(err)
		}
		pl, err := NewPlanner(p, PlannerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		r, err := pl.Search(dag.Objective{SLO: 25})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = r
			continue
		}
		a, _ := dag.MarshalIndent(first.Plan)
		b, _ := dag.MarshalIndent(r.Plan)
		if string(a) != string(b) || first.Prediction.MeanCost != r.Prediction.MeanCost {
			t.Fatalf("two searches differ:\n%s\n%s", a, b)
		}
	}
}

// maxDefaultLoss bounds how much more than the optimum the default (tolerance) search may pay.
const maxDefaultLoss = 0.03

// TestOptimality is the property test: over random small workflows, the dynamic program's plan
// costs no more than the cheapest plan exhaustive search finds over the same choices, both meet
// the SLO under the model, and the DP's prediction is exactly the model's prediction of its plan.
func TestOptimality(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 7))
	grid := []int{512, 1024, 2048, 4096, 8192}
	worstLoss := 0.0
	defer func() { t.Logf("default search: worst cost above the optimum %.2f%%", 100*worstLoss) }()
	for trial := range 25 {
		w, fns := randomWorkflow(r)
		p := synthProfile(t, w, fns, []int{1024, 4096, 10240}, 40, uint64(trial))
		pl, err := NewPlanner(p, PlannerOptions{Memories: grid, Exact: true, Margin: -1, PointPercentile: true, MaxBundle: 100, Model: ModelOptions{Atoms: 32}})
		if err != nil {
			t.Fatal(err)
		}
		// The default search (1% tolerance, option and state caps) on the same choices: it must
		// meet the SLO, and its loss against the optimum is measured.
		approx, err := NewPlanner(p, PlannerOptions{Memories: grid, Margin: -1, PointPercentile: true, MaxBundle: 100, Model: ModelOptions{Atoms: 32}})
		if err != nil {
			t.Fatal(err)
		}
		plans := exhaustivePlans(t, pl, grid)
		type scored struct {
			plan *dag.Plan
			pr   *Prediction
		}
		var all []scored
		lo, hi := math.Inf(1), 0.0
		for _, pp := range plans {
			pr, err := pl.Model().Predict(pp)
			if err != nil {
				t.Fatalf("trial %d: exhaustive plan %v: %v", trial, pp, err)
			}
			all = append(all, scored{pp, pr})
			lo, hi = math.Min(lo, pr.Percentile(95)), math.Max(hi, pr.Percentile(95))
		}
		for _, frac := range []float64{0.05, 0.3, 0.8} {
			slo := lo + frac*(hi-lo)
			var best *scored
			for i := range all {
				s := &all[i]
				if s.pr.Percentile(95) <= slo && (best == nil || s.pr.MeanCost < best.pr.MeanCost) {
					best = s
				}
			}
			res, err := pl.Search(dag.Objective{SLO: slo})
			if best == nil {
				if err == nil {
					t.Fatalf("trial %d slo %.3f: exhaustive finds no plan, DP returned %v", trial, slo, res.Plan)
				}
				continue
			}
			if err != nil {
				t.Fatalf("trial %d slo %.3f: DP failed (%v) but exhaustive found cost %g", trial, slo, err, best.pr.MeanCost)
			}
			if res.Prediction.MeanCost > best.pr.MeanCost*(1+1e-9) {
				t.Errorf("trial %d slo %.3f: DP cost %.9g > exhaustive %.9g\nDP: %+v\nexhaustive: %+v", trial, slo, res.Prediction.MeanCost, best.pr.MeanCost, res.Plan, best.plan)
			}
			if res.Prediction.Percentile(95) > slo || best.pr.Percentile(95) > slo {
				t.Errorf("trial %d: a plan misses the SLO", trial)
			}
			ar, err := approx.Search(dag.Objective{SLO: slo})
			if err != nil {
				t.Fatalf("trial %d slo %.3f: default search failed (%v) but exhaustive found cost %g", trial, slo, err, best.pr.MeanCost)
			}
			if ar.Prediction.Percentile(95) > slo {
				t.Errorf("trial %d slo %.3f: default search's plan misses the SLO", trial, slo)
			}
			loss := ar.Prediction.MeanCost/best.pr.MeanCost - 1
			worstLoss = math.Max(worstLoss, loss)
			if loss > maxDefaultLoss {
				t.Errorf("trial %d slo %.3f: default search's plan costs %.2f%% more than the optimum (bound %.0f%%)", trial, slo, 100*loss, 100*maxDefaultLoss)
			}
			again, err := pl.Model().Predict(res.Plan)
			if err != nil {
				t.Fatalf("trial %d: DP plan does not predict: %v", trial, err)
			}
			if again.Percentile(95) != res.Prediction.Percentile(95) || math.Abs(again.MeanCost-res.Prediction.MeanCost) > 1e-15 {
				t.Errorf("trial %d: DP says P95 %v cost %v, the model says %v %v", trial, res.Prediction.Percentile(95), res.Prediction.MeanCost, again.Percentile(95), again.MeanCost)
			}
		}
	}
}

// exhaustivePlans enumerates every plan in the transformer's choice set: each maximal run of
// top-level tasks split into fusion groups in every way, each group at every grid size, and each
// Map at every grid size, bundle and iterator fusion.
func exhaustivePlans(t *testing.T, pl *Planner, grid []int) []*dag.Plan {
	t.Helper()
	w := pl.Model().Workflow()
	n := len(w.Steps)
	var out []*dag.Plan
	var rec func(i int, segs []segment)
	rec = func(i int, segs []segment) {
		if i == n {
			c := &cand{}
			for k := range segs {
				c = &cand{opt: &option{seg: segs[k]}, prev: c}
			}
			p := pl.planOf(c)
			if err := p.Validate(w); err != nil {
				t.Fatalf("exhaustive plan invalid: %v", err)
			}
			out = append(out, p)
			return
		}
		for _, sg := range pl.segmentChoices(i, grid) {
			rec(sg.end, append(segs[:len(segs):len(segs)], sg))
		}
	}
	rec(0, nil)
	return out
}

// TestCurveTimeFlatPastVCPUs: on every VM size from the first whose vCPUs reach Curve.vcpus on,
// a curve's Time is the same (random curves: serial work alone, parallel work alone, both, with
// and without oversubscription, on the default platform and a flex one), which is why the
// planner skips those sizes.
func TestCurveTimeFlatPastVCPUs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	flex, err := platform.Load("azure-flex")
	if err != nil {
		t.Fatal(err)
	}
	for pi, plat := range []*platform.Platform{platform.Default(), flex} {
		sizes := plat.MemoryChoices()
		if len(sizes) == 0 {
			for mem := 128; mem <= dag.MaxMemoryMB; mem += 64 {
				sizes = append(sizes, mem)
			}
		}
		for trial := range 2000 {
			k := Curve{Threads: float64(1 + rng.IntN(16))}
			switch rng.IntN(3) {
			case 0:
				k.Serial = rng.ExpFloat64()
			case 1:
				k.Parallel = rng.ExpFloat64()
			default:
				k.Serial, k.Parallel = rng.ExpFloat64(), rng.ExpFloat64()
			}
			if k.Parallel > 0 && rng.IntN(2) == 0 {
				k.Oversub = 0.02 * float64(1+rng.IntN(50))
			}
			flat := math.NaN()
			for _, mem := range sizes {
				got := k.Time(plat.Cores(mem))
				if !math.IsNaN(flat) && math.Abs(got-flat) > 1e-12*flat {
					t.Fatalf("platform %d trial %d: %+v takes %v at %d MB, %v at the first size with %v vCPUs", pi, trial, k, got, mem, flat, k.vcpus())
				}
				if math.IsNaN(flat) && plat.VCPU(mem) >= k.vcpus() {
					flat = got
				}
			}
		}
	}
}

// TestItemJoinByPlace: a Map's iterator tasks' samples are joined by (run, item). As the profiler
// records them they sit at the same places and are joined by place; in another order, or with a
// sample missing, by key: the same items either way, and an item that misses a task is dropped.
func TestItemJoinByPlace(t *testing.T) {
	a, _ := apps.Get("video")
	p, err := profileInSim(a.Build(), ProfileOptions{Runs: 6, Sizes: []int{2048}})
	if err != nil {
		t.Fatal(err)
	}
	items := func(p *Profile) *itemSamples {
		m, err := NewModel(p, ModelOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range m.sizes[0].stages {
			if st.items != nil {
				return st.items
			}
		}
		t.Fatal("no Map")
		return nil
	}
	want := items(p)
	classify := p.Sizes[0].Step("Classify")
	if _, strict := classify.runItemOrder(); !strict || items(p).tasks != 2 {
		t.Fatalf("the profiler's samples are not in (run, item) order, or the iterator has not 2 tasks")
	}
	// The second task's samples reversed: joined by key, the same items.
	rev := func(s []int) { slices.Reverse(s) }
	revF := func(s []float64) { slices.Reverse(s) }
	rev(classify.Run)
	rev(classify.Item)
	for _, c := range [][]float64{classify.Gap, classify.Init, classify.Download, classify.Compute, classify.Upload} {
		revF(c)
	}
	if got := items(p); !reflect.DeepEqual(got, want) {
		t.Errorf("joined by key: %d items, want the %d joined by place", got.runStart[len(got.runStart)-1], want.runStart[len(want.runStart)-1])
	}
	// One sample of the second task gone: its item is dropped, the others kept.
	drop := func(s []float64) []float64 { return s[1:] }
	classify.Run, classify.Item = classify.Run[1:], classify.Item[1:]
	classify.Gap, classify.Init, classify.Download = drop(classify.Gap), drop(classify.Init), drop(classify.Download)
	classify.Compute, classify.Upload = drop(classify.Compute), drop(classify.Upload)
	if got := items(p); got.runStart[len(got.runStart)-1] != want.runStart[len(want.runStart)-1]-1 {
		t.Errorf("a sample gone: %d items, want %d", got.runStart[len(got.runStart)-1], want.runStart[len(want.runStart)-1]-1)
	}
}
