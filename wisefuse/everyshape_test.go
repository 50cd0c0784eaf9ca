package wisefuse

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// everyShapeWorkflows are valid workflows of shapes the planner refused before or that combine
// its stages in ways nestedWorkflows does not: Maps nested three and four deep (directly and
// through Parallels), Parallel branches mixing tasks, Maps and Passes, a Parallel inside a
// Parallel, a branch of Passes only, a Map whose iterator is a Parallel alone, and Maps of one
// item, and functions that run in several steps. Each validates, as the simulator requires.
func everyShapeWorkflows(t *testing.T) []*dag.Workflow {
	mb := func(x float64) dag.Dist { return dag.Const(x * (1 << 20)) }
	ln := func(s float64) dag.Dist { return dag.Dist{Kind: dag.LogNormal, Median: 1, Sigma: s} }
	fn := func(name string, minMB int, serial, par float64, threads int, in, out float64) dag.Function {
		return dag.Function{Name: name, MinMemoryMB: minMB, SerialWork: dag.Const(serial), ParallelWork: dag.Const(par),
			Threads: threads, InputBytes: mb(in), OutputBytes: mb(out), InitTime: dag.Const(0.3), RunFactor: ln(0.15), ItemSkew: ln(0.2)}
	}
	task := func(name string) dag.Step { return dag.Step{Name: name, Task: strings.ToLower(name)} }
	use := func(name, fn string) dag.Step { return dag.Step{Name: name, Task: fn} } // a reused function
	pass := func(name string) dag.Step { return dag.Step{Name: name, Pass: true} }
	par := func(name string, branches ...[]dag.Step) dag.Step { return dag.Step{Name: name, Parallel: branches} }
	mapOf := func(name string, items float64, it ...dag.Step) dag.Step {
		return dag.Step{Name: name, Map: &dag.Map{Items: dag.Const(items), Iterator: it}}
	}
	fns := func(names ...string) []dag.Function {
		var out []dag.Function
		for i, n := range names {
			out = append(out, fn(n, 256<<(i%3), 0.3+0.1*float64(i%4), float64(i%3), 1+i%2, 5, 2))
		}
		return out
	}
	ws := []*dag.Workflow{
		{Name: "map3", Functions: fns("a", "x", "y", "z", "w"), Steps: []dag.Step{task("A"),
			mapOf("M1", 3, task("X"), mapOf("M2", 2, task("Y"), mapOf("M3", 3, task("Z")))), task("W")}},
		{Name: "map4", Functions: fns("a", "x", "y", "z", "v", "w"), Steps: []dag.Step{task("A"),
			mapOf("M1", 2, task("X"), mapOf("M2", 2, mapOf("M3", 2, task("Y"), mapOf("M4", 3, task("Z"), task("V"))))), task("W")}},
		{Name: "mapparmap", Functions: fns("a", "x", "y", "z", "w"), Steps: []dag.Step{task("A"),
			mapOf("M1", 3, par("P", []dag.Step{task("X")}, []dag.Step{mapOf("M2", 2, mapOf("M3", 2, task("Y")))}), task("Z")), task("W")}},
		{Name: "parmixed", Functions: fns("a", "b", "c", "x", "y", "w"), Steps: []dag.Step{task("A"),
			par("P", []dag.Step{task("B"), mapOf("M", 4, task("X")), task("C")}, []dag.Step{pass("Skip")},
				[]dag.Step{mapOf("N", 3, task("Y"), pass("Mark"))}), task("W")}},
		{Name: "parpar", Functions: fns("a", "b", "c", "d", "w"), Steps: []dag.Step{task("A"),
			par("P", []dag.Step{task("B"), par("Q", []dag.Step{task("C")}, []dag.Step{task("D")})}, []dag.Step{mapOf("M", 2, par("R", []dag.Step{task("W")}, []dag.Step{pass("Nop")}))})}},
		{Name: "onepar", Functions: fns("x", "y"), Steps: []dag.Step{mapOf("M", 1, mapOf("N", 1, mapOf("O", 2, par("P", []dag.Step{task("X")}, []dag.Step{task("Y")}))))}},
		// Five Maps deep (refused before: the records' Outer held three enclosing items), and
		// seven deep through a Parallel, with a task at every level of the second.
		{Name: "map5", Functions: fns("a", "x", "y", "w"), Steps: []dag.Step{task("A"),
			mapOf("M1", 2, mapOf("M2", 2, mapOf("M3", 1, mapOf("M4", 2, mapOf("M5", 3, task("X"), task("Y")))))), task("W")}},
		{Name: "map7", Functions: fns("a", "b", "c", "d", "e", "f", "g", "h", "w"), Steps: []dag.Step{task("A"),
			mapOf("M1", 2, task("B"), mapOf("M2", 1, task("C"), par("P", []dag.Step{task("D")}, []dag.Step{mapOf("M3", 2, mapOf("M4", 1,
				task("E"), mapOf("M5", 2, mapOf("M6", 1, task("F"), mapOf("M7", 2, task("G"), task("H"))))))}))), task("W")}},
	}
	// Functions that run in several steps (refused before: a plan sizes functions): x at the
	// top, twice in a Map's iterator and twice in a row; x in two Parallel branches and a Map
	// nested in one; x before and after a Map whose iterator runs it too. x is the function that
	// scales past one vCPU (2 threads), so its best size differs between its steps.
	ws = append(ws,
		&dag.Workflow{Name: "reuse", Functions: fns("a", "x", "b"), Steps: []dag.Step{use("X1", "x"),
			mapOf("M", 3, task("X"), use("X2", "x"), task("A")), task("B"), use("X3", "x"), use("X4", "x")}},
		&dag.Workflow{Name: "reusepar", Functions: fns("a", "x", "w"), Steps: []dag.Step{task("A"),
			par("P", []dag.Step{task("X")}, []dag.Step{use("X2", "x"), mapOf("N", 2, use("X3", "x"))}), task("W")}},
		&dag.Workflow{Name: "reusemap", Functions: fns("b", "x"), Steps: []dag.Step{use("X1", "x"),
			mapOf("M", 4, task("B"), use("X2", "x")), use("X3", "x")}},
	)
	// Step Functions' limits and drawn item counts: a Map of 1 to ~8 items running 2 at a time,
	// around a Distributed Map, and a task with a retrier.
	lim := &dag.Workflow{Name: "limits", Functions: fns("a", "x", "y", "w"), Steps: []dag.Step{task("A"),
		mapOf("M", 0, task("X"), mapOf("D", 3, task("Y"))), task("W")}}
	lim.Steps[1].Map.Items = dag.Dist{Kind: dag.LogNormal, Median: 3, Sigma: 0.5}
	lim.Steps[1].Map.MaxConcurrency = 2
	lim.Steps[1].Map.Iterator[1].Map.Distributed = true
	lim.Steps[2].Retry = &dag.Retry{Interval: 1, BackoffRate: 2, MaxAttempts: 3}
	ws = append(ws, lim)
	for _, w := range ws {
		if err := w.Validate(); err != nil {
			t.Fatalf("%s: %v", w.Name, err)
		}
	}
	return ws
}

// TestPlanAcceptsEveryShape: every workflow of everyShapeWorkflows passes CheckSupported, is
// profiled in the simulator and planned at a loose and a tight SLO (2 and 1.15 times the fastest
// plan's P95 as the search judges it); the plan's predicted P95 is
// within 13% of 300 simulated runs (the bound of TestNestedAccuracyAgainstSimulator) and meets
// its SLO when simulated.
func TestPlanAcceptsEveryShape(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short: profiles seven workflows in the simulator")
	}
	seed := uint64(evalSeed + 15000)
	var errs []float64
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-10s %-6s %9s %9s %9s %7s\n", "workflow", "SLO", "SLO s", "pred P95", "sim P95", "error")
	for _, w := range everyShapeWorkflows(t) {
		if err := CheckSupported(w); err != nil {
			t.Errorf("%s: %v", w.Name, err)
			continue
		}
		pl, err := newSimPlanner(w, ProfileOptions{}, PlannerOptions{})
		if err != nil {
			t.Errorf("%s: %v", w.Name, err)
			continue
		}
		// SLOs relative to the fastest plan's P95 as the search judges it (its upper confidence
		// bound from the profiled runs), which some plan meets.
		jp := pl.judgedPct(95)
		fastest, err := pl.Search(dag.Objective{Budget: math.MaxFloat64, Percentile: jp})
		if err != nil {
			t.Errorf("%s: fastest: %v", w.Name, err)
			continue
		}
		f95 := fastest.Prediction.Percentile(jp)
		for _, k := range []float64{1.15, 2} {
			slo := f95 * k
			r, err := pl.Search(dag.Objective{SLO: slo})
			if err != nil {
				t.Errorf("%s x%.2f: %v", w.Name, k, err)
				continue
			}
			seed++
			pred, got := r.Prediction.Percentile(95), simP95(t, w, r.Plan, seed)
			e := math.Abs(pred-got) / got
			errs = append(errs, e)
			fmt.Fprintf(&b, "%-10s x%-5.2f %8.2fs %8.2fs %8.2fs %6.1f%%\n", w.Name, k, slo, pred, got, 100*e)
			if got > slo {
				t.Errorf("%s x%.2f: simulated P95 %.2fs misses the SLO %.2fs", w.Name, k, got, slo)
			}
		}
	}
	if len(errs) == 0 {
		t.Fatal("no plan evaluated")
	}
	slices.Sort(errs)
	mx := errs[len(errs)-1]
	fmt.Fprintf(&b, "%d plans: median P95 error %.1f%%, max %.1f%%\n", len(errs), 100*errs[len(errs)/2], 100*mx)
	t.Log(b.String())
	if mx > 0.13 {
		t.Errorf("P95 error max %.1f%% (bound 13%%)", 100*mx)
	}
}
