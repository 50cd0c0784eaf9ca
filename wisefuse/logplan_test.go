package wisefuse

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/orion"
)

// TestLogPlanAgainstExhaustive: on each app's real logs and a grid of 6 sizes, the log planner's
// plan meets the SLO under the model and costs at most 1% (its pruning tolerance) more than the
// cheapest plan an exhaustive enumeration of every size per stage finds; with a budget alone its
// percentile is at most 1% above the enumeration's lowest within the budget.
func TestLogPlanAgainstExhaustive(t *testing.T) {
	grid := []int{512, 1024, 2048, 3008, 5120, 10240}
	opts := PlannerOptions{Memories: grid, Extrapolate: true} // 512 MB is below the profiled sizes
	for _, app := range []string{"video", "ml", "chatbot"} {
		logs, err := orion.ReadDir(realLogDir(t, app))
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewLogModel(logs, nil)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := apps.Lookup(app)
		items, err := LogStageItems(w, m.Stages)
		if err != nil {
			t.Fatal(err)
		}
		// Every assignment of grid sizes to stages (at least each function's minimum).
		type point struct{ p95, cost float64 }
		var all []point
		sizes := make([]int, len(m.Stages))
		var enum func(s int)
		enum = func(s int) {
			if s == len(sizes) {
				memOf := func(st string) int {
					for i, n := range m.Stages {
						if n == st {
							return sizes[i]
						}
					}
					return 0
				}
				pr := m.Predict(memOf)
				all = append(all, point{pr.Latency.Percentile(95), m.Cost(pr, memOf, items)})
				return
			}
			for _, mb := range grid {
				if mb < w.Function(m.Stages[s]).MinMemoryMB {
					continue
				}
				sizes[s] = mb
				enum(s + 1)
			}
		}
		enum(0)
		fastest, cheapest := math.Inf(1), math.Inf(1)
		for _, p := range all {
			fastest = math.Min(fastest, p.p95)
			cheapest = math.Min(cheapest, p.cost)
		}
		// An SLO halfway between the fastest plan and the cheapest plan's P95.
		slo := 0.0
		for _, p := range all {
			if p.cost == cheapest {
				slo = (fastest + p.p95) / 2 / (1 - DefaultMargin)
			}
		}
		obj := dag.Objective{SLO: slo, Percentile: 95}
		r, err := m.LogPlan(w, obj, opts)
		if err != nil {
			t.Fatalf("%s: %v", app, err)
		}
		best := math.Inf(1)
		for _, p := range all {
			if p.p95 <= slo*(1-DefaultMargin) {
				best = math.Min(best, p.cost)
			}
		}
		if got := r.Prediction.Latency.Percentile(95); got > slo*(1-DefaultMargin) {
			t.Errorf("%s: P95 %.3fs over the target %.3fs", app, got, slo*(1-DefaultMargin))
		}
		if r.MeanCost > best*1.01 {
			t.Errorf("%s: cost $%.6f, the enumeration's cheapest within the SLO $%.6f", app, r.MeanCost, best)
		}
		// A budget alone: the median of the enumeration's costs.
		budget := (cheapest + r.MeanCost) / 2
		rb, err := m.LogPlan(w, dag.Objective{Budget: budget, Percentile: 95}, opts)
		if err != nil {
			t.Fatalf("%s budget: %v", app, err)
		}
		low := math.Inf(1)
		for _, p := range all {
			if p.cost <= budget {
				low = math.Min(low, p.p95)
			}
		}
		if rb.MeanCost > budget || rb.Prediction.Latency.Percentile(95) > low*1.01 {
			t.Errorf("%s budget $%.6f: cost $%.6f, P95 %.3fs, the enumeration's lowest %.3fs", app, budget, rb.MeanCost, rb.Prediction.Latency.Percentile(95), low)
		}
		t.Logf("%s: SLO %.2fs -> P95 %.2fs at $%.6f (enumeration $%.6f); budget $%.6f -> P95 %.2fs (enumeration %.2fs)",
			app, slo, r.Prediction.Latency.Percentile(95), r.MeanCost, best, budget, rb.Prediction.Latency.Percentile(95), low)
		// Infeasible: below the fastest plan the error names the SLO and the best P95.
		_, err = m.LogPlan(w, dag.Objective{SLO: fastest * 0.9, Percentile: 95}, opts)
		var inf *InfeasibleError
		if !errors.As(err, &inf) || inf.Binds != SLOLimit || math.Abs(inf.Best-fastest) > 0.01*fastest {
			t.Errorf("%s: an SLO below the fastest plan: %v, want an SLO InfeasibleError with best %.3fs", app, err, fastest)
		}
	}
}

// TestLogPlanWrongWorkflow: a workflow whose functions are not the logs' stages is an error.
func TestLogPlanWrongWorkflow(t *testing.T) {
	logs, err := orion.ReadDir(realLogDir(t, "video"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewLogModel(logs, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := apps.Lookup("ml")
	_, err = m.LogPlan(w, dag.Objective{SLO: 60, Percentile: 95}, PlannerOptions{})
	if err == nil || !strings.Contains(err.Error(), `workflow "ml" does not match the logs`) {
		t.Errorf("got %v", err)
	}
}

// TestLogPlanProfiledRange: on logs of a stage whose time is all serial (so the cheapest size is
// the smallest), LogPlan keeps within the profiled 1,000-10,240 MB by default, taking 1,000 MB
// itself (off the 64 MB grid), with no extrapolation warning; with Extrapolate it goes below and
// warns; a function that needs more than the largest profiled size is an error naming it.
func TestLogPlanProfiledRange(t *testing.T) {
	var logs []*orion.Log
	for _, mb := range []int{1000, 10240} {
		l := &orion.Log{MemoryMB: mb, Stages: []string{"A"}, Seconds: map[string][]float64{}}
		for run := range 50 {
			a := 2 + 0.01*float64(run) // serial: the same at every size above one vCPU's worth
			l.Seconds["A"] = append(l.Seconds["A"], a)
			l.Seconds[orion.E2E] = append(l.Seconds[orion.E2E], a+0.1)
		}
		logs = append(logs, l)
	}
	m, err := NewLogModel(logs, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &dag.Workflow{Name: "one", Functions: []dag.Function{{Name: "A", MinMemoryMB: 128}}, Steps: []dag.Step{{Name: "A", Task: "A"}}}
	obj := dag.Objective{SLO: 1000, Percentile: 95}
	r, err := m.LogPlan(w, obj, PlannerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Plan.MemoryOf("A"); got != 1000 || len(r.Prediction.Extrapolated) > 0 {
		t.Errorf("default: A at %d MB, warnings %q; want 1000 MB, the smallest profiled size, and none", got, r.Prediction.Extrapolated)
	}
	r, err = m.LogPlan(w, obj, PlannerOptions{Extrapolate: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Plan.MemoryOf("A"); got >= 1000 || len(r.Prediction.Extrapolated) == 0 {
		t.Errorf("Extrapolate: A at %d MB, warnings %q; want below 1000 MB and a warning", got, r.Prediction.Extrapolated)
	}
	w.Functions[0].MinMemoryMB = 10300
	_, err = m.LogPlan(w, obj, PlannerOptions{})
	if err == nil || !strings.Contains(err.Error(), `function "A": no size of the grid is at least 10300 MB`) || !strings.Contains(err.Error(), "1000-10240 MB") {
		t.Errorf("min_memory_mb above the profiled range: %v", err)
	}
}
