package policy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/traces"
)

// The acceptance test of issue 15: on workflows it has not seen, WiseFuse's plan meets its SLO
// when simulated, and its simulated mean cost is at most costSlack above that of any baseline
// whose plan also meets the SLO (on the same evaluation seeds).
const (
	costSlack       = 0.02
	acceptanceRuns  = 1000
	maxJudgeRuns    = 16000    // judgeSLO's most runs for a P95 too close to the SLO to call
	acceptanceSeed  = 20260601 // evaluation seeds; the planners profile on their own seeds
	populationSeed  = 15
	populationDAGs  = 3000
	maxAcceptNodes  = 400 // function invocations a run: keeps the simulation of each DAG short
	parallelMaxWide = 6   // Maps this narrow become Parallel steps of distinct functions
)

// acceptanceBaselines are the baselines WiseFuse is held against (faastlane is the spill variant).
var acceptanceBaselines = []string{"user-max", "user-min", "sonic", "photons", "faastlane"}

// unseenWorkflows draws DAGs from a seeded traces.NewPopulation: chains of 10 or more stages,
// wide Maps (more than 10 items) and, from DAGs whose stages are 2 to 6 wide, workflows whose
// Maps are rewritten as Parallel steps of distinct functions (one per branch, each with the work
// of one quantile of the Map's item skew). It returns chains, wide and parallel in that order,
// n in all.
func unseenWorkflows(t *testing.T, n int) []*dag.Workflow {
	t.Helper()
	dags, err := traces.NewPopulation(traces.PopulationConfig{DAGs: populationDAGs, Invocations: 1e6}, rand.New(rand.NewPCG(populationSeed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var chains, wide, par []*dag.Workflow
	for i := range dags {
		d := &dags[i]
		if d.Nodes > maxAcceptNodes {
			continue
		}
		switch {
		case d.Depth >= 10 && len(chains) < n/5:
			chains = append(chains, d.Workflow())
		case d.Width > 10 && len(wide) < 2*n/5:
			wide = append(wide, d.Workflow())
		case d.Width >= 2 && d.Width <= parallelMaxWide && d.Depth >= 2:
			par = append(par, asParallel(d.Workflow()))
		}
	}
	all := append(append(chains, wide...), par...)
	if len(all) < n {
		t.Fatalf("population seed %d: %d workflows of the shapes wanted, want %d", populationSeed, len(all), n)
	}
	return all[:n]
}

// asParallel rewrites each Map of w of at most parallelMaxWide items as a Parallel step whose
// branches run copies of the iterator's function, branch k with the work of the item skew's
// quantile (k+0.5)/items, so that branches differ as the Map's items did.
func asParallel(w *dag.Workflow) *dag.Workflow {
	out := &dag.Workflow{Name: w.Name + "-par", Description: w.Description + ", Maps as Parallel steps"}
	for _, st := range w.Steps {
		items, fixed := 0, false
		if st.Map != nil {
			items, fixed = st.Map.FixedItems()
		}
		if st.Map == nil || !fixed || items > parallelMaxWide || len(st.Map.Iterator) != 1 {
			if st.Task != "" {
				out.Functions = append(out.Functions, *w.Function(st.Task))
			}
			out.Steps = append(out.Steps, st)
			continue
		}
		f := *w.Function(st.Map.Iterator[0].Task)
		skew := f.ItemSkew
		f.ItemSkew = dag.Dist{}
		p := dag.Step{Name: st.Name}
		for k := range items {
			g := f
			g.Name = fmt.Sprintf("%s-b%d", f.Name, k)
			if skew.Kind != "" {
				g.SerialWork = dag.Const(f.SerialWork.ExpectedValue() * skew.Quantile((float64(k)+0.5)/float64(items)))
			}
			out.Functions = append(out.Functions, g)
			p.Parallel = append(p.Parallel, []dag.Step{{Name: fmt.Sprintf("%s-b%d", st.Name, k), Task: g.Name}})
		}
		out.Steps = append(out.Steps, p)
	}
	return out
}

// seenWorkflows are the built-in apps and the examples in docs/examples.
func seenWorkflows(t *testing.T) []*dag.Workflow {
	t.Helper()
	var ws []*dag.Workflow
	for _, a := range apps.All() {
		ws = append(ws, a.Build())
	}
	thumbs, err := dag.ReadWorkflow("../docs/examples/thumbnails.workflow.json")
	if err != nil {
		t.Fatal(err)
	}
	orders, err := dag.ReadASL("../docs/examples/orders.asl.json", "../docs/examples/orders.functions.json")
	if err != nil {
		t.Fatal(err)
	}
	return append(ws, thumbs, orders)
}

// acceptanceCase is one workflow at one SLO: WiseFuse's simulated result and the cheapest
// baseline that meets the SLO.
type acceptanceCase struct {
	workflow, slo string
	sloS          float64
	wf            sim.Summary
	wfP95         float64 // WiseFuse's P95 judged against the SLO (judgeSLO), and its runs
	wfRuns        int
	best          string // cheapest baseline meeting the SLO, "" if none
	bestCost      float64
	err           error // WiseFuse found no plan
}

func (c acceptanceCase) fails() string {
	switch {
	case c.err != nil:
		return c.err.Error()
	case c.wfP95 > c.sloS:
		return fmt.Sprintf("simulated P95 %.3fs (%d runs) misses the SLO %.3fs", c.wfP95, c.wfRuns, c.sloS)
	case c.best != "" && c.wf.MeanCost > c.bestCost*(1+costSlack):
		return fmt.Sprintf("cost $%.4g is %+.1f%% vs %s's $%.4g", c.wf.MeanCost, 100*(c.wf.MeanCost/c.bestCost-1), c.best, c.bestCost)
	}
	return ""
}

// acceptance plans w with WiseFuse and every baseline and returns the cases of w: SLOs at 1.5 and
// 2.5 times WiseFuse's fastest predicted P95, and at 1.2 times each baseline's simulated P95 (an
// SLO that baseline meets, where it is hardest to beat). Not 1.1: WiseFuse aims at 95% of the
// SLO (wisefuse.DefaultMargin), so at 1.1 times a baseline's P95 a plan as cheap as the
// baseline's is out of its reach whenever the model over-predicts that plan's P95 by 4.5% or
// more (dag000194-par: Faastlane's plan predicted 7.97 s, simulated 7.81 s; WiseFuse then pays
// 7.5% more for a faster VM). With the judged P95 (judgeSLO) 1.1 still fails 5 of 392 cases: cost
// 2.0-3.0% over Faastlane on dag000144-par and dag000398-par, and chatbot's P95 0.15% over.
func acceptance(t *testing.T, w *dag.Workflow, seed uint64) []acceptanceCase {
	t.Helper()
	if err := w.Validate(); err != nil {
		t.Fatalf("%s: %v", w.Name, err)
	}
	simulate := func(p *dag.Plan, runs int) *sim.Result {
		res, err := sim.Run(w, p, runs, sim.Options{Seed: seed})
		if err != nil {
			t.Fatalf("%s: simulating %v", w.Name, err)
		}
		return res
	}
	type evaluated struct {
		plan *dag.Plan
		res  *sim.Result
	}
	// judge is judgeSLO on plan e's runs, simulating more when they cannot call it.
	judge := func(e evaluated, slo float64) (float64, int) {
		return judgeSLO(e.res, slo, func(runs int) *sim.Result { return simulate(e.plan, runs) })
	}
	base := map[string]evaluated{}
	for _, name := range acceptanceBaselines {
		pl, err := New(name, w, Env{})
		if err != nil {
			t.Fatalf("%s on %s: %v", name, w.Name, err)
		}
		p, err := pl.Plan(w, dag.Objective{})
		if err != nil {
			continue // the baseline cannot plan w (e.g. Faastlane's VM does not fit)
		}
		base[name] = evaluated{p, simulate(p, acceptanceRuns)}
	}
	wf, err := NewWiseFuse(w, Env{})
	if err != nil {
		t.Fatalf("wisefuse on %s: %v", w.Name, err)
	}
	fastest, err := wf.Search(dag.Objective{Budget: math.MaxFloat64})
	if err != nil {
		t.Fatalf("wisefuse on %s: %v", w.Name, err)
	}
	type slo struct {
		name string
		s    float64
	}
	f95 := fastest.Prediction.Percentile(95)
	slos := []slo{{"1.5x fastest", 1.5 * f95}, {"2.5x fastest", 2.5 * f95}}
	for _, name := range acceptanceBaselines {
		if e, ok := base[name]; ok {
			slos = append(slos, slo{"1.2x " + name, 1.2 * e.res.Summary.P95S})
		}
	}
	var out []acceptanceCase
	for _, o := range slos {
		c := acceptanceCase{workflow: w.Name, slo: o.name, sloS: o.s}
		for _, name := range acceptanceBaselines {
			e, ok := base[name]
			if !ok || c.best != "" && e.res.Summary.MeanCost >= c.bestCost {
				continue
			}
			if p95, _ := judge(e, o.s); p95 <= o.s {
				c.best, c.bestCost = name, e.res.Summary.MeanCost
			}
		}
		p, err := wf.Plan(w, dag.Objective{SLO: o.s})
		if err != nil {
			c.err = err
		} else {
			e := evaluated{p, simulate(p, acceptanceRuns)}
			c.wf = e.res.Summary
			c.wfP95, c.wfRuns = judge(e, o.s)
		}
		out = append(out, c)
	}
	return out
}

// judgeSLO returns the P95 latency on which a plan is judged against slo, and its runs: that of
// res's runs when a distribution-free 99% confidence interval of the true P95 from them (the
// order statistics at ranks np -+ 2.576 sqrt(np(1-p)), the binomial's normal approximation)
// lies wholly on one side of slo; else that of more runs of the plan (4 times as many, up to
// maxJudgeRuns), the last of which is judged whatever its interval. Why: a 1,000-run P95 of a
// heavy-tailed workflow is itself a noisy draw. On orders, 12 evaluation seeds of one plan gave
// 1,000-run P95s from 1.834 s to 2.028 s around a 40,000-run P95 of 1.872 s, so a plan meeting a
// 1.970 s SLO by 5% failed on one seed; the interval calls that case undecided and 16,000 runs
// decide it (P95 1.871 s).
func judgeSLO(res *sim.Result, slo float64, more func(runs int) *sim.Result) (float64, int) {
	for {
		lat := make([]float64, len(res.DAGs))
		for i, d := range res.DAGs {
			lat[i] = d.Latency
		}
		slices.Sort(lat)
		n := float64(len(lat))
		half := 2.576 * math.Sqrt(n*0.95*0.05)
		lo := lat[max(int(math.Floor(0.95*n-half)), 0)]
		hi := lat[min(int(math.Ceil(0.95*n+half)), len(lat)-1)]
		if slo < lo || slo >= hi || len(lat) >= maxJudgeRuns {
			return res.Summary.P95S, len(lat)
		}
		res = more(min(4*len(lat), maxJudgeRuns))
	}
}

// TestWiseFuseAgainstBaselines is issue 15's acceptance test: on the built-in apps, the examples
// and 50 DAGs drawn from a seeded population (chains of 10+ stages, wide Maps, Parallel steps),
// at every SLO of acceptance, WiseFuse's plan meets the SLO in simulation and costs at most 2%
// more than the cheapest baseline that meets it. Under -short it checks the examples and a few
// drawn DAGs of each shape.
func TestWiseFuseAgainstBaselines(t *testing.T) {
	ws := append(seenWorkflows(t), unseenWorkflows(t, 50)...)
	if testing.Short() {
		// Short: the two examples, the first chain, wide Map and Parallel DAG drawn.
		short := []int{len(ws) - 50 - 2, len(ws) - 50 - 1, len(ws) - 50, len(ws) - 50 + 10, len(ws) - 50 + 30}
		var sub []*dag.Workflow
		for _, i := range short {
			sub = append(sub, ws[i])
		}
		ws = sub
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-22s %-18s %9s %9s %6s %11s %11s %-10s %s\n", "workflow", "SLO", "SLO s", "WF P95", "runs", "WF cost", "best cost", "best", "verdict")
	// Each workflow's cases in a parallel subtest, results placed by index.
	results := make([][]acceptanceCase, len(ws))
	t.Run("workflows", func(t *testing.T) {
		for i, w := range ws {
			t.Run(w.Name, func(t *testing.T) {
				t.Parallel()
				results[i] = acceptance(t, w, acceptanceSeed+uint64(i))
			})
		}
	})
	failed, total, known := 0, 0, map[string]bool{}
	var ratios []float64
	for _, cases := range results {
		for _, c := range cases {
			total++
			verdict := c.fails()
			switch why, listed := knownMisses[c.workflow+"/"+c.slo]; {
			case listed && verdict != "":
				known[c.workflow+"/"+c.slo] = true
				verdict = "known miss (knownMisses): " + verdict + "; " + why
			case listed:
				failed++
				verdict = "ok, but listed in knownMisses: remove it"
			case verdict == "":
				verdict = "ok"
			default:
				failed++
			}
			if c.best != "" && c.err == nil {
				ratios = append(ratios, c.wf.MeanCost/c.bestCost)
			}
			fmt.Fprintf(&b, "%-22s %-18s %9.3f %9.3f %6d %11.4g %11.4g %-10s %s\n", c.workflow, c.slo, c.sloS, c.wfP95, c.wfRuns, c.wf.MeanCost, c.bestCost, c.best, verdict)
		}
	}
	slices.Sort(ratios)
	if len(ratios) > 0 {
		fmt.Fprintf(&b, "%d cases, %d fail, %d known misses; WiseFuse cost / cheapest baseline meeting the SLO: median %.3f, max %.3f\n", total, failed, len(known), ratios[len(ratios)/2], ratios[len(ratios)-1])
	}
	t.Log(b.String())
	if failed > 0 {
		t.Errorf("%d of %d cases fail (see the table)", failed, total)
	}
}

// knownMisses are the cases that fail, each with its measured cause; the test fails when one of
// them passes (remove it then) as when any other case fails.
//
// Two chatbot plans used to miss their SLO (fusing SplitChatBot with TrainMap at 1,536 and 1,792
// MB: P95 12.30 s vs 11.77 s and 10.66 s vs 10.24 s over 16,000 runs), because their samples come
// from a 2,048 MB profile of 300 runs whose tail happened to be light. The search now also judges
// a plan on the P95's upper 95% confidence bound from the profile's runs (wisefuse's judgedPct)
// against the SLO; both meet it. That bound then cost orders 9.0% over Faastlane at 1.5 times its
// fastest P95 (SLO 1.970 s): 300 profiled runs of its heavy-tailed Charge branch could not show
// that a plan as cheap as Faastlane's meets the SLO. Adaptive profiling (WiseFusePlanner: 1,200
// runs per size when the bound decides) now does: +0.4%, P95 1.861 s over 16,000 runs.
//
// thumbnails at 1.2 times Photons' P95 (SLO 11.543 s) depends on the profile's draws. It was a
// known miss: WiseFuse's plan met the SLO at every one of ten independent profile seeds
// (ProfileSeed + 1000k, k = 0..9) but cost more than 2% over Faastlane's $0.001235 at four. Since
// each search sweeps only the options that can meet its objective (wisefuse's segmentOptions), an
// option that misses the SLO no longer drops a feasible one within the Pareto tolerance of it,
// and the incumbent and the filter before pruning find cheaper plans: $0.001242-0.001250 at those
// ten seeds, at most 1.2% over Faastlane's ($0.001243 at ProfileSeed; when only the sweep had
// changed, over the 2% at one seed, +2.3%).
var knownMisses = map[string]string{}
