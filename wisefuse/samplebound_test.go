package wisefuse

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// TestSampleBound: the search judges a plan against an SLO both on its predicted P95 (less the
// margin) and on the P95's upper 95% confidence bound from the profile's runs, which with 300 runs
// is the 97.07th percentile (0.95 + 1.645 sqrt(0.95 x 0.05 / 300), by hand). Every plan meets
// both; at some SLO the plan judged on the P95 alone breaks the bound (so the bound decides), and
// when only the bound cannot be met the error says so.
func TestSampleBound(t *testing.T) {
	w, fns := chainWorkflow(4)
	p := synthProfile(t, w, fns, []int{1024, 4096, 10240}, 300, 11)
	pl, err := NewPlanner(p, PlannerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	point, err := NewPlanner(p, PlannerOptions{PointPercentile: true})
	if err != nil {
		t.Fatal(err)
	}
	jp := pl.judgedPct(95)
	if math.Abs(jp-97.0699) > 1e-3 {
		t.Fatalf("judged percentile %.4f, want 97.0699", jp)
	}
	if got := point.judgedPct(95); got != 95 {
		t.Fatalf("PointPercentile: judged percentile %v, want 95", got)
	}
	f95 := fastestP95(t, pl)
	decided := 0
	for _, k := range []float64{1.1, 1.2, 1.3, 1.5, 2, 3} {
		slo := k * f95
		r, err := pl.Search(dag.Objective{SLO: slo})
		if err != nil {
			t.Errorf("x%.1f: %v", k, err)
			continue
		}
		if p95, pj := r.Prediction.Percentile(95), r.Prediction.Percentile(jp); p95 > slo*(1-DefaultMargin)*(1+1e-9) || pj > slo*(1+1e-9) {
			t.Errorf("x%.1f: plan's P95 %.4fs (target %.4fs), P%.2f %.4fs (SLO %.4fs)", k, p95, slo*(1-DefaultMargin), jp, pj, slo)
		}
		q, err := point.Search(dag.Objective{SLO: slo})
		if err != nil {
			t.Fatalf("x%.1f point: %v", k, err)
		}
		if q.Prediction.Percentile(jp) > slo {
			decided++
			if r.Prediction.MeanCost < q.Prediction.MeanCost {
				t.Errorf("x%.1f: the bound made the plan cheaper ($%.6g < $%.6g)", k, r.Prediction.MeanCost, q.Prediction.MeanCost)
			}
		}
	}
	if decided == 0 {
		t.Errorf("at no SLO did the plan judged on the P95 alone break the bound: the test does not exercise it")
	}
	// An SLO the fastest plan meets at its P95 less a 1% margin but no plan at the bound: the
	// bound binds.
	tight, err := NewPlanner(p, PlannerOptions{Margin: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	fj, err := tight.Search(dag.Objective{Budget: math.MaxFloat64, Percentile: jp})
	if err != nil {
		t.Fatal(err)
	}
	bj := fj.Prediction.Percentile(jp)
	slo := bj * 0.999
	if f95 > slo*0.99 {
		t.Fatalf("fastest P95 %.4fs and P%.2f %.4fs too close to test the bound binding", f95, jp, bj)
	}
	_, err = tight.Search(dag.Objective{SLO: slo})
	var inf *InfeasibleError
	if !errors.As(err, &inf) || inf.Binds != SLOLimit || inf.JudgedPct != jp || math.Abs(inf.Best-bj) > 1e-9*bj || !strings.Contains(err.Error(), "upper confidence bound") {
		t.Errorf("SLO %.4fs: got %v, want the bound to bind with best %.4fs", slo, err, bj)
	}
	t.Logf("the bound decided %d of 6 SLOs", decided)
}
