package wisefuse

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// nestedWorkflows are hand-written workflows with Parallel steps and nested Maps: two and three
// branches, unequal branches, a branch that is a chain (and one that holds a Map), a Parallel
// inside a Map's iterator, a Map inside a Map, and the thumbnails example.
func nestedWorkflows(t *testing.T) []*dag.Workflow {
	mb := func(x float64) dag.Dist { return dag.Const(x * (1 << 20)) }
	ln := func(s float64) dag.Dist { return dag.Dist{Kind: dag.LogNormal, Median: 1, Sigma: s} }
	fn := func(name string, minMB int, serial, par float64, threads int, in, out float64) dag.Function {
		return dag.Function{Name: name, MinMemoryMB: minMB, SerialWork: dag.Const(serial), ParallelWork: dag.Const(par),
			Threads: threads, InputBytes: mb(in), OutputBytes: mb(out), InitTime: dag.Const(0.3), RunFactor: ln(0.15), ItemSkew: ln(0.2)}
	}
	task := func(name string) dag.Step { return dag.Step{Name: name, Task: strings.ToLower(name)} }
	par := func(name string, branches ...[]dag.Step) dag.Step { return dag.Step{Name: name, Parallel: branches} }
	mapOf := func(name string, items float64, it ...dag.Step) dag.Step {
		return dag.Step{Name: name, Map: &dag.Map{Items: dag.Const(items), Iterator: it}}
	}
	ws := []*dag.Workflow{
		{Name: "par2", Functions: []dag.Function{
			fn("a", 256, 0.5, 0, 1, 5, 20), fn("b", 512, 0.5, 4, 2, 20, 5), fn("c", 512, 1, 2, 1, 20, 5), fn("d", 256, 0.4, 0, 1, 10, 1),
		}, Steps: []dag.Step{task("A"), par("P", []dag.Step{task("B")}, []dag.Step{task("C")}), task("D")}},
		{Name: "par3", Functions: []dag.Function{
			fn("a", 256, 0.5, 0, 1, 5, 20), fn("b", 1024, 1, 12, 4, 20, 5), fn("c", 512, 0.8, 1, 2, 20, 5),
			fn("e", 128, 0.2, 0, 1, 20, 1), fn("d", 256, 0.4, 0, 1, 10, 1),
		}, Steps: []dag.Step{task("A"), par("P", []dag.Step{task("B")}, []dag.Step{task("C")}, []dag.Step{task("E")}), task("D")}},
		{Name: "parchain", Functions: []dag.Function{
			fn("a", 256, 0.5, 0, 1, 5, 20), fn("b", 512, 0.5, 3, 2, 20, 10), fn("c", 512, 0.3, 2, 2, 10, 10),
			fn("e", 256, 0.6, 0, 1, 10, 2), fn("f", 1024, 1, 8, 4, 20, 2), fn("m", 256, 0.3, 1, 2, 2, 1), fn("g", 256, 0.4, 0, 1, 5, 1),
		}, Steps: []dag.Step{task("A"), par("P",
			[]dag.Step{task("B"), task("C"), {Name: "Mark", Pass: true}, task("E")},
			[]dag.Step{task("F"), mapOf("Parts", 5, task("M"))}),
			task("G")}},
		{Name: "mappar", Functions: []dag.Function{
			fn("a", 256, 0.5, 0, 1, 5, 30), fn("x", 512, 0.4, 1, 2, 5, 5), fn("y", 512, 0.5, 3, 2, 5, 1),
			fn("z", 256, 0.8, 0, 1, 5, 1), fn("w", 256, 0.4, 0, 1, 6, 1),
		}, Steps: []dag.Step{task("A"), mapOf("Items", 6, task("X"), par("Q", []dag.Step{task("Y")}, []dag.Step{task("Z")})), task("W")}},
		{Name: "mapmap", Functions: []dag.Function{
			fn("a", 256, 0.5, 0, 1, 5, 20), fn("x", 512, 0.4, 1, 2, 5, 3), fn("y", 512, 0.3, 2, 2, 1, 1), fn("w", 256, 0.4, 0, 1, 12, 1),
		}, Steps: []dag.Step{task("A"), mapOf("Outer", 4, task("X"), mapOf("Inner", 3, task("Y"))), task("W")}},
	}
	thumbs, err := dag.ReadWorkflow("../docs/examples/thumbnails.workflow.json")
	if err != nil {
		t.Fatal(err)
	}
	ws = append(ws, thumbs)
	for _, w := range ws {
		if err := w.Validate(); err != nil {
			t.Fatalf("%s: %v", w.Name, err)
		}
		if err := CheckSupported(w); err != nil {
			t.Fatalf("%s: %v", w.Name, err)
		}
	}
	return ws
}

// TestNestedAccuracyAgainstSimulator is TestAccuracyAgainstSimulator for Parallel steps and
// nested Maps: profiled in the simulator, predicted P95 against 300 fresh simulated runs for
// uniform sizes and for plans that size branches differently; the same bounds (median <= 5%,
// max <= 13%).
func TestNestedAccuracyAgainstSimulator(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short: profiles six workflows in the simulator")
	}
	seed := uint64(evalSeed + 9000)
	fusedSeed := uint64(evalSeed + 9500)
	branchSeed := uint64(evalSeed + 9800)
	var errs []float64
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-10s %-40s %9s %9s %7s\n", "workflow", "plan", "pred P95", "sim P95", "error")
	for _, w := range nestedWorkflows(t) {
		p, err := profileInSim(w, ProfileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewModel(p, ModelOptions{Platform: platform.Default()})
		if err != nil {
			t.Fatal(err)
		}
		type planCase struct {
			name string
			plan *dag.Plan
			seed uint64 // 0: the next of seed
		}
		var cases []planCase
		for _, mem := range []int{1536, 3008, 5000, 10240} {
			cases = append(cases, planCase{fmt.Sprintf("%d MB", mem), dag.UniformPlan(mem), 0})
		}
		// Mixed: light functions small, heavy ones large (by their minimum memory).
		for _, small := range []int{512, 1024} {
			pl := dag.UniformPlan(3008)
			pl.Memory = map[string]int{}
			for _, f := range w.Functions {
				if f.MinMemoryMB <= 256 {
					pl.Memory[f.Name] = max(small, f.MinMemoryMB)
				} else if f.MinMemoryMB >= 1024 {
					pl.Memory[f.Name] = 5000
				}
			}
			cases = append(cases, planCase{fmt.Sprintf("light %d MB, heavy 5000, rest 3008", small), pl, 0})
		}
		// Every top-level step fused into one VM, as Faastlane runs a workflow (fusedstages.go):
		// Maps keep 2 items in the VM and spill the rest, 2 per VM, or keep them all; where the
		// modeler takes the shape.
		seen := map[string]bool{}
		for _, mem := range []int{3008, 10240} {
			for _, spill := range []bool{true, false} {
				pl := dag.UniformPlan(mem)
				var all []string
				for _, st := range w.Steps {
					all = append(all, st.Name)
				}
				pl.Fuse = [][]string{all}
				pl.Bundle = map[string]int{}
				w.Walk(func(_ []string, s *dag.Step) {
					if s.Map != nil {
						n, _ := s.Map.FixedItems()
						pl.Bundle[s.Name] = max(n, 1)
						if spill || n == 0 {
							pl.Bundle[s.Name] = 2
						}
					}
				})
				key := fmt.Sprint(mem, pl.Bundle)
				if _, err := m.Predict(pl); err != nil || seen[key] {
					continue
				}
				seen[key] = true
				fusedSeed++ // seeds of their own, so that the other plans keep theirs
				cases = append(cases, planCase{fmt.Sprintf("all fused, %d MB, bundles %v", mem, pl.Bundle), pl, fusedSeed})
			}
		}
		// Runs of tasks fused inside a top-level Parallel's branch (nestEval.fused), every such run
		// of each Parallel fused at once, at two sizes; seeds of their own.
		var groups [][]string
		for _, st := range w.Steps {
			for _, br := range st.Parallel {
				for k := 0; k < len(br); {
					j := k
					for j < len(br) && br[j].Task != "" {
						j++
					}
					if j-k >= 2 {
						var g []string
						for _, x := range br[k:j] {
							g = append(g, x.Name)
						}
						groups = append(groups, g)
					}
					k = j + 1
				}
			}
		}
		if groups != nil {
			for _, mem := range []int{1536, 5000} {
				branchSeed++
				cases = append(cases, planCase{fmt.Sprintf("branch runs fused %v, %d MB", groups, mem), sizedPlan(mem, nil, groups...), fusedSeed})
			}
		}
		for _, c := range cases {
			if c.plan.Validate(w) != nil {
				continue
			}
			s := c.seed
			if s == 0 {
				seed++
				s = seed
			}
			pr, err := m.Predict(c.plan)
			if err != nil {
				t.Fatalf("%s %s: %v", w.Name, c.name, err)
			}
			pred, got := pr.Percentile(95), simP95(t, w, c.plan, s)
			e := math.Abs(pred-got) / got
			errs = append(errs, e)
			fmt.Fprintf(&b, "%-10s %-40s %8.2fs %8.2fs %6.1f%%\n", w.Name, c.name, pred, got, 100*e)
		}
	}
	slices.Sort(errs)
	med, mx := errs[len(errs)/2], errs[len(errs)-1]
	fmt.Fprintf(&b, "%d plans: median P95 error %.1f%%, max %.1f%%\n", len(errs), 100*med, 100*mx)
	t.Log(b.String())
	if med > 0.05 || mx > 0.13 {
		t.Errorf("P95 error median %.1f%% (bound 5%%), max %.1f%% (bound 13%%)", 100*med, 100*mx)
	}
}

// TestNestedPlansMeetSLOInSimulator plans each nested workflow at a tight, a medium and a loose
// P95 target (1.15, 1.5 and 2.5 times the fastest predicted P95) and checks that every plan
// meets its target in 300 simulated runs on seeds the profiler never used.
func TestNestedPlansMeetSLOInSimulator(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short: profiles six workflows in the simulator")
	}
	seed := uint64(evalSeed + 12000)
	for _, w := range nestedWorkflows(t) {
		pl, err := newSimPlanner(w, ProfileOptions{}, PlannerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		f95 := fastestP95(t, pl)
		for _, k := range []float64{1.15, 1.5, 2.5} {
			slo := f95 * k
			r, err := pl.Search(dag.Objective{SLO: slo})
			if err != nil {
				t.Fatalf("%s x%.2f: %v", w.Name, k, err)
			}
			// The DP's prediction is the model's for its plan.
			pr, err := pl.Model().Predict(r.Plan)
			if err != nil {
				t.Fatalf("%s x%.2f: predicting the chosen plan: %v", w.Name, k, err)
			}
			if d := math.Abs(pr.Percentile(95) - r.Prediction.Percentile(95)); d > 1e-9*slo {
				t.Errorf("%s x%.2f: search predicted P95 %.4fs, Predict %.4fs", w.Name, k, r.Prediction.Percentile(95), pr.Percentile(95))
			}
			seed++
			got := simP95(t, w, r.Plan, seed)
			plan, _ := dag.MarshalIndent(r.Plan.Memory)
			t.Logf("%-10s x%.2f SLO %6.2fs: predicted P95 %6.2fs, simulated %6.2fs, cost $%.6f %s", w.Name, k, slo, r.Prediction.Percentile(95), got, r.Prediction.MeanCost, plan)
			if got > slo {
				t.Errorf("%s x%.2f: simulated P95 %.2fs misses the SLO %.2fs", w.Name, k, got, slo)
			}
		}
	}
}

// TestWideParallelUnsupported: a Parallel of more branches than MaxPlannedBranches is refused at
// once, with the step, its width and what to do, before any profiling (20,000 branches planned
// for more than 10 minutes); at the limit it is planned.
func TestWideParallelUnsupported(t *testing.T) {
	wide := func(n int) *dag.Workflow {
		w := &dag.Workflow{Name: "wide", Functions: []dag.Function{{Name: "f", MinMemoryMB: 128, SerialWork: dag.Const(1), Threads: 1}}}
		branches := make([][]dag.Step, n)
		for b := range branches {
			branches[b] = []dag.Step{{Name: fmt.Sprintf("s%d", b), Task: "f"}}
		}
		w.Steps = []dag.Step{{Name: "fan", Parallel: branches}}
		return w
	}
	err := CheckSupported(wide(MaxPlannedBranches + 1))
	var u *UnsupportedError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), `step "fan" is a Parallel of 1001 branches; WiseFuse plans at most 1000`) {
		t.Errorf("%d branches: err = %v, want an UnsupportedError naming the step and the limit", MaxPlannedBranches+1, err)
	}
	if err := CheckSupported(wide(MaxPlannedBranches)); err != nil {
		t.Errorf("%d branches: %v", MaxPlannedBranches, err)
	}
}
