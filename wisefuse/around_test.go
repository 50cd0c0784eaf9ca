package wisefuse

import (
	"slices"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// TestAroundDropsNoFeasibleOption: an option that meets the objective on its own, but not with
// the fastest steps around it (around), is in no complete plan that meets it: every chain of
// options through it, its latency summed in the dynamic program's order, misses the SLO or the
// sampling bound. SLOs of 1.2 and 2 times the fastest plan's P95. -short: chatbot.
func TestAroundDropsNoFeasibleOption(t *testing.T) {
	for name, p := range builtinProfiles(t) {
		pl, p95, eager := eagerPlanner(t, p)
		n := len(pl.model.w.Steps)
		// chains returns every chain of options from step i to step j.
		var chains func(i, j int) [][]*option
		chains = func(i, j int) [][]*option {
			if i == j {
				return [][]*option{nil}
			}
			var out [][]*option
			for k := i + 1; k <= j; k++ {
				for _, o := range eager[i][k] {
					for _, rest := range chains(k, j) {
						out = append(out, append([]*option{o}, rest...))
					}
				}
			}
			return out
		}
		dropped, plans := 0, 0
		for _, f := range []float64{1.2, 2} {
			obj, sb := judgedAt(pl, f*p95)
			for i := range n {
				for j, os := range eager[i] {
					for _, o := range os {
						if !passes(o.eval, obj, sb, 95, 0) || passes(o.eval, obj, sb, 95, pl.around(o.seg, true)) {
							continue
						}
						dropped++
						for _, head := range chains(0, i) {
							for _, tail := range chains(j, n) {
								plan := slices.Concat(head, []*option{o}, tail)
								lat := plan[0].eval.lat
								for _, x := range plan[1:] {
									lat = addIndependent(nil, lat, x.eval.lat)
								}
								plans++
								if lat.Percentile(95) <= obj.SLO && !sb.misses(lat, 0) {
									t.Fatalf("%s SLO %.3f: option %+v of segment [%d,%d) dropped, but a plan through it has P95 %.4f", name, obj.SLO, o.seg, i, j, lat.Percentile(95))
								}
							}
						}
					}
				}
			}
		}
		t.Logf("%s: %d options dropped, %d plans through them checked", name, dropped, plans)
	}
}

// TestSearchAgainOnItsOwn: random workflow u150 at its tightest SLO (22.5617 s on a profile of
// 1,200 runs per size, as the adaptive policy profiles it) has one plan family that meets it;
// judged with the steps around them, the sweeps keep an option that drops it within the Pareto
// tolerance and find no plan. The search made again with each option on its own finds the plan.
func TestSearchAgainOnItsOwn(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: profiles a five-step workflow at four sizes, 1,200 runs each")
	}
	w, err := dag.ReadWorkflow("testdata/u150.workflow.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := profileInSim(w, ProfileOptions{Runs: 1200})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := NewPlanner(p, PlannerOptions{Model: ModelOptions{Platform: platform.Default()}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	obj := dag.Objective{SLO: 22.5617}
	reduced, sb := judgedAt(pl, obj.SLO)
	if r := pl.searchPinned(reduced, sb, nil, true); r != nil {
		t.Logf("the search with the steps around each option found a plan (cost %v): this test no longer covers the second search", r.Prediction.MeanCost)
	}
	r, err := pl.Search(obj)
	if err != nil {
		t.Fatal(err)
	}
	if p := r.Prediction.Percentile(95); p > reduced.SLO*(1+1e-9) || sb.misses(r.Prediction.Latency, 0) {
		t.Fatalf("plan %+v: P95 %v over the SLO less the margin (%v), or its bound over %v", r.Plan, p, reduced.SLO, obj.SLO)
	}
}
