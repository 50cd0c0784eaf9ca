package wisefuse

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/sim"
)

// randomShape draws a workflow of random shape from r: sequences of 1 to 3 steps, each a task, a
// Pass, a Parallel of 2 or 3 branches or a Map of 1 to 3 items (1 or 2 from the third level down; sometimes running 1 at a time),
// nested up to maxDepth levels, each task a new function or (one in four) one that an earlier
// task runs. Every workflow ends with a task,
// so that its last step writes what the run returns. It validates, as the simulator requires.
func randomShape(r *rand.Rand, name string, maxDepth int) *dag.Workflow {
	w := &dag.Workflow{Name: name}
	n := 0
	newTask := func() dag.Step {
		n++
		if len(w.Functions) > 0 && r.IntN(4) == 0 {
			// A function that runs in several steps: the plan gives it one size.
			return dag.Step{Name: fmt.Sprintf("T%d", n), Task: w.Functions[r.IntN(len(w.Functions))].Name}
		}
		f := dag.Function{Name: fmt.Sprintf("f%d", n), MinMemoryMB: 128 << r.IntN(3), SerialWork: dag.Const(0.05 + 0.3*r.Float64()),
			ParallelWork: dag.Const(0.3 * r.Float64()), Threads: 1 + r.IntN(2), InputBytes: dag.Const(1e5), OutputBytes: dag.Const(1e5),
			InitTime: dag.Const(0.2), RunFactor: dag.Dist{Kind: dag.LogNormal, Median: 1, Sigma: 0.2}}
		w.Functions = append(w.Functions, f)
		return dag.Step{Name: fmt.Sprintf("T%d", n), Task: f.Name}
	}
	var seq func(depth int) []dag.Step
	seq = func(depth int) []dag.Step {
		var out []dag.Step
		for range 1 + r.IntN(3) {
			k := r.IntN(4)
			if depth >= maxDepth {
				k = r.IntN(2)
			}
			n++
			id := n // the steps nested in this one take later numbers
			switch k {
			case 0:
				out = append(out, newTask())
			case 1:
				out = append(out, dag.Step{Name: fmt.Sprintf("S%d", id), Pass: true})
			case 2:
				st := dag.Step{Name: fmt.Sprintf("P%d", id)}
				for range 2 + r.IntN(2) {
					st.Parallel = append(st.Parallel, seq(depth+1))
				}
				out = append(out, st)
			case 3:
				items := 1 + r.IntN(3)
				if depth >= 2 {
					items = 1 + r.IntN(2) // deep shapes stay small to simulate
				}
				m := &dag.Map{Items: dag.Const(float64(items)), Iterator: seq(depth + 1)}
				if r.IntN(4) == 0 {
					m.MaxConcurrency = 1
				}
				out = append(out, dag.Step{Name: fmt.Sprintf("M%d", id), Map: m})
			}
		}
		return out
	}
	w.Steps = append(seq(0), newTask())
	return w
}

// TestPlanAcceptsGeneratedShapes walks drawn shapes, nested up to eight levels (Maps in Maps
// through Parallels): every one that simulate accepts (it validates and simulates) passes
// CheckSupported, profiles, plans (functions run in several steps at one size) at its fastest and at twice the fastest predicted P95, and its
// plan simulates; the profile survives its JSON file (the enclosing items of Maps nested in Maps
// included) and gives the same plan. With -short, fewer shapes.
func TestPlanAcceptsGeneratedShapes(t *testing.T) {
	shapes, deepest, reusing := 16, 0, 0
	if testing.Short() {
		shapes = 6
	}
	r := rand.New(rand.NewPCG(15, 5))
	for i := range shapes {
		w := randomShape(r, fmt.Sprintf("shape%02d", i), 2+i%7)
		if err := w.Validate(); err != nil {
			t.Fatalf("%s: drawn shape does not validate: %v", w.Name, err)
		}
		if _, err := sim.Run(w, dag.UniformPlan(1024), 2, sim.Options{Seed: 1}); err != nil {
			t.Fatalf("%s: simulate refuses the drawn shape: %v", w.Name, err)
		}
		deepest = max(deepest, mapDepth(w.Steps))
		if tasks := countTasks(w.Steps); tasks > len(w.Functions) {
			reusing++
		}
		if err := CheckSupported(w); err != nil {
			t.Errorf("%s: %v", w.Name, err)
			continue
		}
		prof, err := profileInSim(w, ProfileOptions{Runs: 10})
		if err != nil {
			t.Errorf("%s: profiling: %v", w.Name, err)
			continue
		}
		plans := map[string]*dag.Plan{}
		for _, from := range []string{"profiled", "read back"} {
			if from == "read back" {
				path := filepath.Join(t.TempDir(), "p.json")
				if err := WriteProfile(path, prof); err != nil {
					t.Fatal(err)
				}
				if prof, err = ReadProfile(path); err != nil {
					t.Errorf("%s: %v", w.Name, err)
					continue
				}
			}
			pl, err := NewPlanner(prof, PlannerOptions{Model: ModelOptions{Platform: platform.Default()}})
			if err != nil {
				t.Errorf("%s: %v", w.Name, err)
				continue
			}
			fastest, err := pl.Search(dag.Objective{Budget: math.MaxFloat64})
			if err != nil {
				t.Errorf("%s (%s): fastest: %v", w.Name, from, err)
				continue
			}
			plan, err := pl.Plan(w, dag.Objective{SLO: 2 * fastest.Prediction.Percentile(95)})
			if err != nil {
				t.Errorf("%s (%s): at twice the fastest P95: %v", w.Name, from, err)
				continue
			}
			if _, err := sim.Run(w, plan, 5, sim.Options{Seed: 2}); err != nil {
				t.Errorf("%s (%s): simulating its plan: %v", w.Name, from, err)
			}
			plans[from] = plan
		}
		if len(plans) == 2 && !reflect.DeepEqual(plans["profiled"], plans["read back"]) {
			t.Errorf("%s: the profile read back from JSON plans %v, the profile itself %v", w.Name, plans["read back"], plans["profiled"])
		}
	}
	t.Logf("%d shapes, Maps nested at most %d deep, %d with a function in several steps", shapes, deepest, reusing)
	if !testing.Short() && deepest < 5 {
		t.Errorf("the drawn shapes nest Maps at most %d deep; want some 5 or more deep", deepest)
	}
	if !testing.Short() && reusing == 0 {
		t.Errorf("no drawn shape runs a function in several steps")
	}
}

// countTasks is the number of task steps in seq, nested ones included.
func countTasks(seq []dag.Step) int {
	n := 0
	dag.WalkTasks(seq, func(string) { n++ })
	return n
}

// mapDepth is how deep Maps nest in seq (through Parallels too).
func mapDepth(seq []dag.Step) int {
	d := 0
	for i := range seq {
		st := &seq[i]
		for _, br := range st.Parallel {
			d = max(d, mapDepth(br))
		}
		if st.Map != nil {
			d = max(d, 1+mapDepth(st.Map.Iterator))
		}
	}
	return d
}
