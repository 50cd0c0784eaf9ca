package wisefuse

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/stats"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
	"github.com/wisefuse/wisefuse/sim"
)

// TestPollFoundByHand: azure-durable's poller (minimum 50 ms, maximum 30 s) checks 0.05, 0.15,
// 0.30, 0.55, 1.00, 1.85, 3.50, 6.75, 13.20, 26.05 and 51.70 s after a find, then every 30 s.
func TestPollFoundByHand(t *testing.T) {
	p := platform.AzureDurableFunctions()
	for _, c := range []struct{ x, want float64 }{
		{0, 0}, {0.01, 0.05}, {0.05, 0.05}, {0.06, 0.15}, {0.5, 0.55}, {1, 1}, {4, 6.75},
		{13.2, 13.2}, {13.21, 26.05}, {26.1, 51.7}, {51.8, 81.7}, {100, 111.7},
	} {
		if got := pollFound(p, c.x); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("pollFound(%v) = %.9f, want %v", c.x, got, c.want)
		}
	}
}

// azureRunner profiles in the simulator on plat.
func azureRunner(plat *platform.Platform) Runner {
	return func(w *dag.Workflow, p *dag.Plan, runs int, seed uint64, sink RunSink) error {
		_, err := sim.Run(w, p, runs, sim.Options{Platform: plat, Seed: seed, OnRun: func(d records.DAGRun, invs []records.Invocation) error {
			return sink(invs, &d)
		}})
		return err
	}
}

// azureAccuracy plans each app that WiseFuse can plan on plat for four objectives (the fastest
// plan, the cheapest, and SLOs of 1.5 and 3 times the fastest plan's predicted P95), adds three
// fixed plans at the platform's largest size (unfused, and every Map bundled by 2 and by 3, where the VM holds them: the
// shared instances' cases), simulates each plan for 300 fresh runs and returns each plan's
// relative P95 error and cost error.
func azureAccuracy(t *testing.T, label string, plat *platform.Platform) (p95Errs, costErrs []float64) {
	t.Helper()
	for _, a := range apps.All() {
		w := a.Build()
		prof, err := ProfileBy(w, ProfileOptions{Runs: 100, Sizes: plat.MemoryChoices()}, azureRunner(plat))
		if err != nil {
			continue // a function no size holds, or work beyond the timeout: nothing to plan
		}
		pl, err := NewPlanner(prof, PlannerOptions{Model: ModelOptions{Platform: plat}})
		if err != nil {
			t.Fatal(err)
		}
		fastest, err := pl.Search(dag.Objective{Budget: 1})
		if err != nil {
			t.Logf("%s %s: %v", label, w.Name, err)
			continue
		}
		f95 := fastest.Prediction.Percentile(95)
		var plans []*Result
		for _, obj := range []dag.Objective{{Budget: 1}, {Budget: 1e-9}, {SLO: 1.5 * f95}, {SLO: 3 * f95}} {
			r, err := pl.Search(obj)
			if err != nil {
				continue // the cheapest plan can be over a budget that small
			}
			plans = append(plans, r)
		}
		sizes := plat.MemoryChoices()
		for _, b := range []int{1, 2, 3} {
			plan := dag.UniformPlan(sizes[len(sizes)-1])
			if b > 1 {
				plan.Bundle = map[string]int{}
				for _, st := range w.Steps {
					if st.Map != nil {
						plan.Bundle[st.Name] = b
					}
				}
			}
			pr, err := pl.Model().Predict(plan)
			if err != nil {
				t.Logf("%s %s: %v", label, w.Name, err)
				continue // a bundle too large for the platform's VM
			}
			plans = append(plans, &Result{Plan: plan, Prediction: pr})
		}
		for _, r := range plans {
			res, err := sim.Run(w, r.Plan, 300, sim.Options{Platform: plat, Seed: evalSeed})
			if err != nil {
				t.Fatal(err)
			}
			lat := make([]float64, len(res.DAGs))
			cost := 0.0
			for i, d := range res.DAGs {
				lat[i] = d.Latency
				cost += d.Cost
			}
			slices.Sort(lat)
			cost /= float64(len(lat))
			p95 := stats.Percentile(lat, 95)
			e, ce := r.Prediction.Percentile(95)/p95-1, r.Prediction.MeanCost/cost-1
			t.Logf("%s %s %s: P95 predicted %.2f s, simulated %.2f s (%+.1f%%); cost %.3g / %.3g USD (%+.1f%%)",
				label, w.Name, planJSON(r.Plan), r.Prediction.Percentile(95), p95, 100*e, r.Prediction.MeanCost, cost, 100*ce)
			p95Errs = append(p95Errs, math.Abs(e))
			costErrs = append(costErrs, math.Abs(ce))
		}
	}
	return p95Errs, costErrs
}

// TestAzureModelAccuracy: on each Azure platform, WiseFuse's P95 and cost errors against the
// simulator over the plans it chooses for the built-in apps stay within bounds
// (docs/wisefuse.md, "On Azure").
//
// The errors depend on the profile's draws. Over ten independent profiles (ProfileSeed + 1000k,
// k = 0..9, each size's runs seeded by sizeSeed), azure-durable's P95 error median was 0.0-3.6%
// and max 2.4-20.1%, its cost error median 0.2-8.1% and max 2.4-13.7% (GPv2 GRS within 0.2 points
// of it): the bounds are those maxima, rounded up. At ProfileSeed chatbot's plans cost 8.1% more
// than simulated, and its bundles by 2 and 3 are predicted a scale-out interval (30 s) slower
// (+19.2%, +15.0%). azure-flex's bounds hold at ProfileSeed but not at three of the ten: P95 max
// 46.0% (k = 3: chatbot's TrainMap bundled by 3 at 4,096 MB, 40.80 s predicted for 27.95 s),
// 10.4% and 6.9%, and the cost median 1.2% at one (P95 median 0.0% at all ten, cost max
// 6.4-7.5%).
func TestAzureModelAccuracy(t *testing.T) {
	const durableGRS = platform.AzureDurable + " (gpv2-grs)" // the dearest storage transactions
	bounds := map[string]struct{ medianP95, maxP95, medianCost, maxCost float64 }{
		platform.AzureDurable: {0.04, 0.21, 0.085, 0.14},
		durableGRS:            {0.04, 0.21, 0.085, 0.14},
		platform.AzureFlex:    {0.02, 0.06, 0.01, 0.08},
	}
	for _, name := range []string{platform.AzureDurable, durableGRS, platform.AzureFlex} {
		base := strings.TrimSuffix(name, " (gpv2-grs)")
		plat, err := platform.Load(base)
		if err != nil {
			t.Fatal(err)
		}
		plat.Base = base
		if name == durableGRS {
			plat.SetAzureStorage(platform.AzureGPv2GRS)
		}
		pe, ce := azureAccuracy(t, name, plat)
		if len(pe) == 0 {
			t.Fatalf("%s: no plan", name)
		}
		slices.Sort(pe)
		slices.Sort(ce)
		b := bounds[name]
		msg := fmt.Sprintf("%s: P95 error median %.1f%%, max %.1f%%; cost error median %.1f%%, max %.1f%% over %d plans",
			name, 100*stats.Percentile(pe, 50), 100*pe[len(pe)-1], 100*stats.Percentile(ce, 50), 100*ce[len(ce)-1], len(pe))
		t.Log(msg)
		if stats.Percentile(pe, 50) > b.medianP95 || pe[len(pe)-1] > b.maxP95 || stats.Percentile(ce, 50) > b.medianCost || ce[len(ce)-1] > b.maxCost {
			t.Errorf("%s, want P95 error median <= %.0f%%, max <= %.0f%%; cost median <= %.0f%%, max <= %.0f%%",
				msg, 100*b.medianP95, 100*b.maxP95, 100*b.medianCost, 100*b.maxCost)
		}
	}
}

// TestAzureWideMapAccuracy: on azure-durable, a Map of 2,000 items of two tasks, which fill the
// instances the scale controller adds one every 30 s, unfused and bundled by 3: the model's P95
// against the simulator's (10 profiling runs, 100 evaluation runs). At a6dfc9d the unfused plan
// was predicted at 6,287.75 s for 545.40 s simulated (the profiled waits for instances counted
// again by sharedEnd) and the bundles at 118.45 s for 238.60 s (a wide Map's bundles did not
// share instances).
func TestAzureWideMapAccuracy(t *testing.T) {
	plat := platform.AzureDurableFunctions()
	skew := dag.Dist{Kind: dag.Uniform, Min: 0.5, Max: 1}
	fn := func(name string, work float64) dag.Function {
		return dag.Function{Name: name, MinMemoryMB: 256, SerialWork: dag.Const(work), Threads: 1, InitTime: dag.Const(0.5),
			InputBytes: dag.Const(1e5), OutputBytes: dag.Const(1e5), ItemSkew: skew}
	}
	w := &dag.Workflow{Name: "wide", Functions: []dag.Function{fn("a", 0.2), fn("b", 0.5)},
		Steps: []dag.Step{{Name: "M", Map: &dag.Map{Items: dag.Const(2000), Iterator: []dag.Step{{Name: "a", Task: "a"}, {Name: "b", Task: "b"}}}}}}
	prof, err := ProfileBy(w, ProfileOptions{Runs: 10, Sizes: plat.MemoryChoices()}, azureRunner(plat))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(prof, ModelOptions{Platform: plat})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []int{1, 3} {
		plan := &dag.Plan{DefaultMemoryMB: 1536, Bundle: map[string]int{"M": b}}
		pr, err := m.Predict(plan)
		if err != nil {
			t.Fatal(err)
		}
		res, err := sim.Run(w, plan, 100, sim.Options{Platform: plat, Seed: evalSeed})
		if err != nil {
			t.Fatal(err)
		}
		lat := make([]float64, len(res.DAGs))
		for i, d := range res.DAGs {
			lat[i] = d.Latency
		}
		slices.Sort(lat)
		p95 := stats.Percentile(lat, 95)
		e := pr.Percentile(95)/p95 - 1
		t.Logf("bundle %d: P95 predicted %.2f s, simulated %.2f s (%+.1f%%)", b, pr.Percentile(95), p95, 100*e)
		if math.Abs(e) > 0.10 {
			t.Errorf("bundle %d: P95 predicted %.2f s, simulated %.2f s (%+.1f%%), want within 10%%", b, pr.Percentile(95), p95, 100*e)
		}
	}
}

func planJSON(p *dag.Plan) string {
	b, err := json.Marshal(p)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// TestSharedEndByHand: on azure-durable (10 activities an instance, the second instance at once,
// ready after the cold start, here 0.5 s), two activities of 1 s of work starting together share
// the warm instance and each ends at 2 s (sim's TestInstanceSharingByHand); twelve fill the warm
// instance with ten, which end at 10 s, and the other two wait for the second instance and end
// at 0.5 + 2 s; only the time on an instance is billed.
func TestSharedEndByHand(t *testing.T) {
	p := platform.AzureDurableFunctions()
	acts := func(n int) []shareAct {
		a := make([]shareAct, n)
		for i := range a {
			a[i] = shareAct{work: 1}
		}
		return a
	}
	for _, c := range []struct {
		n           int
		end, billed float64
	}{{1, 1, 1}, {2, 2, 4}, {12, 10, 10*10 + 2*2}} {
		end, billed := sharedEnd(p, acts(c.n), 0.5, nil)
		if math.Abs(end-c.end) > 1e-9 || math.Abs(billed-c.billed) > 1e-9 {
			t.Errorf("%d activities: end %.9f, billed %.9f s, want %v and %v", c.n, end, billed, c.end, c.billed)
		}
	}
	// A download before computing holds the share too: with one activity downloading for 1 s
	// and another computing 1 s of work, the second does half of it by 1 s and the rest at half
	// speed beside the first, ending at 2 s; the first does 0.5 s of work by then and the rest
	// alone: it ends at 2.5 s. Billed: 2 + 2.5 s.
	end, billed := sharedEnd(p, []shareAct{{pre: 1, work: 1}, {work: 1}}, 0, nil)
	if math.Abs(end-2.5) > 1e-9 || math.Abs(billed-4.5) > 1e-9 {
		t.Errorf("download and compute: end %.9f, billed %.9f s, want 2.5 and 4.5", end, billed)
	}
}

// TestHTTPSpillsScaleOutByHand is the modeler's side of sim's TestHTTPSpillsScaleOutByHand: a
// host of 1 s of work (apart, in its activity slot) and 4 spills of 1 core-s each, on
// azure-durable with one HTTP slot per instance and up to 4 instances, cold start 0.5 s
// (spillSlots). The host and spill 1 share the ready instance and end at 2 s; spill 2 gets an
// instance at once (ready at 0.5 s) and ends at 1.5 s; spill 3 the next one the HTTP trigger's
// 1 s later (ready at 1.5 s) and ends at 2.5 s; spill 4 takes spill 2's slot at 1.5 s and ends
// at 2.5 s: the group ends at 2.5 s, the simulator's 2.55 s less the host's 0.05 s transition,
// billed 2 + 2 + 1 + 1 + 1 s. At the app's 30 s interval (before) spill 4 waited for spill 1's
// slot: 3 s, and the simulator 4.05 s (its host keeps its share while it waits).
func TestHTTPSpillsScaleOutByHand(t *testing.T) {
	p := platform.AzureDurableFunctions()
	p.HTTPInstanceConcurrency, p.MaxInstances = 1, 4
	acts := []shareAct{{work: 1, apart: true}, {work: 1}, {work: 1}, {work: 1}, {work: 1}}
	ends := make([]float64, len(acts))
	end, billed := sharedEnd(spillSlots(p), acts, 0.5, ends)
	if math.Abs(end-2.5) > 1e-9 || math.Abs(billed-7) > 1e-9 {
		t.Errorf("end %.9f s, billed %.9f s, want 2.5 and 7", end, billed)
	}
	for i, want := range []float64{2, 2, 1.5, 2.5, 2.5} {
		if math.Abs(ends[i]-want) > 1e-9 {
			t.Errorf("activity %d ends at %.9f s, want %v", i, ends[i], want)
		}
	}
}

// TestDeshareByHand: two activities computing together on one instance for 2 s did 1 s of work
// each; a third that joined for the second half of one of them (its compute from 1 to 2 s)
// makes the first second 1/2 and the second 1/3 of a vCPU: 0.5 + 0.333 s.
func TestDeshareByHand(t *testing.T) {
	spans := []shareSpan{
		{start: 0, end: 2, cs: 0, ce: 2, sample: 0},
		{start: 0, end: 2, cs: 0, ce: 2, sample: 1},
	}
	place(spans, 10, 30)
	for i := range spans {
		if got := shareIntegral(spans, i, 2); math.Abs(got-1) > 1e-9 {
			t.Errorf("two together: span %d did %.9f s of work, want 1", spans[i].sample, got)
		}
	}
	spans = append(spans, shareSpan{start: 1, end: 2, cs: 1, ce: 2, sample: 2})
	place(spans, 10, 30)
	want := map[int]float64{0: 0.5 + 1.0/3, 1: 0.5 + 1.0/3, 2: 1.0 / 3}
	for i, sp := range spans {
		if got := shareIntegral(spans, i, 2); math.Abs(got-want[sp.sample]) > 1e-9 {
			t.Errorf("three: span %d did %.9f s of work, want %.9f", sp.sample, got, want[sp.sample])
		}
		if sp.inst != 0 {
			t.Errorf("span %d on instance %d, want 0 (the instance has free slots)", sp.sample, sp.inst)
		}
	}
	// At one activity an instance the third needs a new instance, where it is alone.
	place(spans, 2, 30)
	for i, sp := range spans {
		if sp.sample == 2 {
			if got := shareIntegral(spans, i, 2); sp.inst != 1 || math.Abs(got-1) > 1e-9 {
				t.Errorf("third span: instance %d, work %.9f s, want instance 1 and 1 s", sp.inst, got)
			}
		}
	}
}

// TestLastFindByHand: azure-durable's poller (0.05, 0.15, 0.30, 0.55, 1.00, 1.85, 3.50, 6.75 s
// after a find) finds messages sent 0.5 and 0.6 s after its last find at 0.55 and 0.60 s (the
// second 0.05 s after the first find), and one sent at 5 s at 0.60 + 6.75 s. A Map whose last
// item ends 20 s after that first find is then seen 13.20 s after the last find (20 - 7.35 =
// 12.65 s after it), where counting from the first find would take 26.05 s.
func TestLastFindByHand(t *testing.T) {
	p := platform.AzureDurableFunctions()
	f := lastFind(p, []float64{0.5, 0.6, 5})
	if math.Abs(f-7.35) > 1e-9 {
		t.Errorf("lastFind = %.9f, want 7.35", f)
	}
	if got := lastFind(p, nil); got != 0 {
		t.Errorf("lastFind of no message = %v, want 0", got)
	}
	m := &Model{opts: ModelOptions{Platform: p}, polling: true}
	// gap 1 s of which inner 0.5 s after the items' find, busy 19.5 s: the end 20 s after it.
	if got, want := m.mapLatency(1, 0.5, f, 19.5), 0.5+7.35+13.2; math.Abs(got-want) > 1e-9 {
		t.Errorf("mapLatency = %.9f, want %v", got, want)
	}
	if got, want := m.stepLatency(1, 0.5, 19.5), 0.5+26.05; math.Abs(got-want) > 1e-9 {
		t.Errorf("stepLatency = %.9f, want %v", got, want)
	}
}

// TestSharedEndWaitsByHand: work that finds no slot waits for one to free or for the scale
// controller's next instance (30 s after the last), and is not promised that instance: of 21
// activities of 1 s of work at 0 (cold start 0.5 s), ten share the warm instance and end at
// 10 s, ten the instance added at once and end at 10.5 s, and the 21st takes a slot freed at
// 10 s and ends alone at 11 s. A chained activity (an unfused iterator's next state) starts its
// gap after the one before it ends and is not billed for the gap.
func TestSharedEndWaitsByHand(t *testing.T) {
	p := platform.AzureDurableFunctions()
	acts := make([]shareAct, 21)
	for i := range acts {
		acts[i] = shareAct{work: 1}
	}
	ends := make([]float64, len(acts))
	end, billed := sharedEnd(p, acts, 0.5, ends)
	if math.Abs(end-11) > 1e-9 || math.Abs(billed-(10*10+10*10+1)) > 1e-9 {
		t.Errorf("21 activities: end %.9f, billed %.9f s, want 11 and 201", end, billed)
	}
	if math.Abs(ends[20]-11) > 1e-9 {
		t.Errorf("the 21st ends at %.9f, want 11", ends[20])
	}
	// Activity 0 (1 s of work), then activity 1 0.5 s after it ends (1 s of work): end 2.5 s,
	// billed 2 s.
	end, billed = sharedEnd(p, []shareAct{{work: 1, next: 2}, {start: 0.5, work: 1}}, 0, nil)
	if math.Abs(end-2.5) > 1e-9 || math.Abs(billed-2) > 1e-9 {
		t.Errorf("chained: end %.9f, billed %.9f s, want 2.5 and 2", end, billed)
	}
}

// TestWaitsByHand: two slots an instance, a scale-out every 30 s. Spans 0 and 1 fill the warm
// instance; 2 and 3, their messages sent at 0.5 s, fill the instance added at once at 1 s; 4
// takes the slot span 0 frees at 10 s while every instance is full: it waited; 5 gets the
// instance added 30 s after the last (31 s): it waited; 6 comes at 45 s to a free slot. unwait
// makes 4 and 5 ready as 2 and 3 were (1 s: 0.5 s after their messages).
func TestWaitsByHand(t *testing.T) {
	sp := func(seq, task int, sent, start, end float64) shareSpan {
		return shareSpan{start: start, end: end, cs: start, ce: end, sample: seq, seq: seq, task: task, sent: sent}
	}
	spans := []shareSpan{
		sp(0, 0, 0, 0, 10), sp(1, 0, 0, 0, 50), sp(2, 1, 0.5, 1, 50), sp(3, 1, 0.5, 1, 50),
		sp(4, 1, 0.5, 10, 40), sp(5, 1, 0.5, 31, 60), sp(6, 1, 45, 45, 46),
	}
	place(spans, 2, 30)
	want := map[int]bool{4: true, 5: true}
	for _, s := range spans {
		if s.waited != want[s.sample] {
			t.Errorf("span %d (instance %d, start %v): waited %v, want %v", s.sample, s.inst, s.start, s.waited, want[s.sample])
		}
	}
	got := map[int]float64{}
	unwait(spans, 0.12, func(s *shareSpan, gap float64) { got[s.sample] = gap })
	if len(got) != 2 || math.Abs(got[4]-0.5) > 1e-9 || math.Abs(got[5]-0.5) > 1e-9 {
		t.Errorf("unwait gaps %v, want spans 4 and 5 ready at 1 s, 0.5 s after sent", got)
	}
}

// TestStorageTransactionsByHand: on azure-durable with only its storage transactions priced (GPv2
// LRS: queue put and get $4e-7, a state transition $2.472e-6, blob write $5.5e-6 and read
// $4.4e-7; offload above 46,080 bytes), a chain a -> b -> c and a Map M of 3 items of task d; a
// writes and b reads 100 KB (offloaded), each d item writes 100 KB, every other payload 1 KB; c
// writes its output in 4 requests (output_requests).
//   - Unfused: 7 transitions (a, b, c, M and its 3 items), 6 queue gets and 9 puts, 1 blob read
//     (b) and 4 blob writes (a, 3 d items): 7 x 2.472e-6 + 15 x 4e-7 + 4.4e-7 + 4 x 5.5e-6 =
//     $4.5744e-5.
//   - M bundled by 3: 5 transitions (the bundle is one), the same reads and writes: $4.08e-5.
//   - a and b fused: 6 transitions, 5 gets and 8 puts (a's output passes in memory, so neither
//     its blob write nor b's blob read is paid), 3 blob writes: $3.6532e-5.
//
// The modeler's mean cost and the simulator's must both be these.
func TestStorageTransactionsByHand(t *testing.T) {
	plat := platform.AzureDurableFunctions()
	plat.SetAzureStorage(platform.AzureGPv2LRS)
	plat.GBSecondUSD, plat.RequestUSD = 0, 0 // activities and resumes cost nothing
	fn := func(name string, in, out float64) dag.Function {
		return dag.Function{Name: name, MinMemoryMB: 256, SerialWork: dag.Const(0.1), Threads: 1, InitTime: dag.Const(0.1),
			InputBytes: dag.Const(in), OutputBytes: dag.Const(out)}
	}
	c := fn("c", 1e3, 1e3)
	c.OutputRequests = 4
	w := &dag.Workflow{Name: "tx",
		Functions: []dag.Function{fn("a", 1e3, 1e5), fn("b", 1e5, 1e3), c, fn("d", 1e3, 1e5)},
		Steps: []dag.Step{{Name: "a", Task: "a"}, {Name: "b", Task: "b"}, {Name: "c", Task: "c"},
			{Name: "M", Map: &dag.Map{Items: dag.Const(3), Iterator: []dag.Step{{Name: "d", Task: "d"}}}}}}
	prof, err := ProfileBy(w, ProfileOptions{Runs: 5, Sizes: plat.MemoryChoices()}, azureRunner(plat))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(prof, ModelOptions{Platform: plat})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		plan *dag.Plan
		want float64
	}{
		{"unfused", &dag.Plan{DefaultMemoryMB: 1536}, 7*2.472e-6 + 15*4e-7 + 4.4e-7 + 4*5.5e-6},
		{"bundled", &dag.Plan{DefaultMemoryMB: 1536, Bundle: map[string]int{"M": 3}}, 5*2.472e-6 + 15*4e-7 + 4.4e-7 + 4*5.5e-6},
		{"fused", &dag.Plan{DefaultMemoryMB: 1536, Fuse: [][]string{{"a", "b"}}}, 6*2.472e-6 + 13*4e-7 + 3*5.5e-6},
	} {
		pr, err := m.Predict(c.plan)
		if err != nil {
			t.Fatal(err)
		}
		res, err := sim.Run(w, c.plan, 3, sim.Options{Platform: plat, Seed: evalSeed})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.DAGs {
			if math.Abs(d.Cost-c.want) > 1e-12 {
				t.Errorf("%s: simulated run %d costs $%.6g, want $%.6g", c.name, d.Run, d.Cost, c.want)
			}
		}
		if math.Abs(pr.MeanCost-c.want) > 1e-12 {
			t.Errorf("%s: predicted $%.6g, want $%.6g", c.name, pr.MeanCost, c.want)
		}
	}
}

// TestAzureTransactionCost: with only storage transactions priced (activities and orchestrator
// resumes free), the modeler's mean cost of each built-in app's unfused and bundled plans equals
// the simulator's on azure-durable at GPv2 LRS and GRS prices: both count the same state
// transitions, queue requests (output_requests and input_requests included) and blob offloads.
func TestAzureTransactionCost(t *testing.T) {
	for _, acct := range platform.AzureStorageRange() {
		plat := platform.AzureDurableFunctions()
		plat.SetAzureStorage(acct)
		plat.GBSecondUSD, plat.RequestUSD = 0, 0
		plans := 0
		for _, a := range apps.All() {
			w := a.Build()
			prof, err := ProfileBy(w, ProfileOptions{Runs: 20, Sizes: plat.MemoryChoices()}, azureRunner(plat))
			if err != nil {
				continue // a function no size holds (svd)
			}
			m, err := NewModel(prof, ModelOptions{Platform: plat})
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range []int{1, 2} {
				plan := dag.UniformPlan(1536)
				for _, st := range w.Steps {
					if st.Map != nil && b > 1 {
						plan.Bundle = map[string]int{st.Name: b}
					}
				}
				pr, err := m.Predict(plan)
				if err != nil {
					continue // a bundle too large for the VM
				}
				res, err := sim.Run(w, plan, 20, sim.Options{Platform: plat, Seed: evalSeed})
				if err != nil {
					t.Fatal(err)
				}
				cost := 0.0
				for _, d := range res.DAGs {
					cost += d.Cost
				}
				cost /= float64(len(res.DAGs))
				plans++
				if math.Abs(pr.MeanCost/cost-1) > 1e-9 {
					t.Errorf("%s %s %s: transactions predicted $%.6g, simulated $%.6g", acct.Name, w.Name, planJSON(plan), pr.MeanCost, cost)
				}
			}
		}
		if plans < 3 {
			t.Errorf("%s: %d plans compared, want at least 3", acct.Name, plans)
		}
	}
}
