package experiments

// Shared helpers of the app-based experiments (profiles, model-accuracy, slo-targets, vs-user,
// vs-baselines): one cell per built-in app, seeds split by purpose from the cell seed, WiseFuse
// profiled in the simulator with a seed the evaluation never uses, and plans judged on fresh
// simulated runs.

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"

	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/policy"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/stats"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// appParams are the parameters of an app cell. Run does not see the mode, so it travels here.
type appParams struct {
	App   string
	Quick bool
}

// appCells is one cell per built-in app, in name order.
func appCells(quick bool) []Cell {
	var cells []Cell
	for _, a := range apps.All() {
		cells = append(cells, Cell{Key: a.Name, Params: appParams{App: a.Name, Quick: quick}})
	}
	return cells
}

// appNamed returns the app's workflow and its simulated platform (the default platform with the
// app's fitted orchestration overhead), used both to profile and to evaluate.
func appNamed(name string) (*dag.Workflow, *platform.Platform, error) {
	w, ok := apps.Lookup(name)
	if !ok {
		return nil, nil, fmt.Errorf("no built-in app %q", name)
	}
	return w, apps.Platform(name, platform.Default()), nil
}

// subSeed derives an independent seed for one purpose ("profile", "eval/...") from a cell seed,
// so profiling never sees the runs a plan is judged on.
func subSeed(seed uint64, purpose string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(purpose))
	return h.Sum64()
}

// profileRuns is how many simulated runs per size WiseFuse profiles (the paper: 300).
func profileRuns(quick bool) int {
	if quick {
		return 100
	}
	return 300
}

// evalRuns is how many fresh simulated runs judge a plan.
func evalRuns(quick bool) int {
	if quick {
		return 100
	}
	return 300
}

// newAppPlanner profiles w in the simulator with a seed derived from the cell seed and returns
// WiseFuse's planner. Quick mode searches a 512 MB grid instead of the paper's 64 MB one: the same
// code path, about eight times fewer sizes.
func newAppPlanner(w *dag.Workflow, plat *platform.Platform, seed uint64, quick bool) (*wisefuse.Planner, error) {
	env := policy.Env{Platform: plat, Seed: subSeed(seed, "profile"), Profiling: wisefuse.ProfileOptions{Runs: profileRuns(quick)}}
	env.WiseFuse.Workers = 1 // the cells already run on every core (runPool)
	if quick {
		env.WiseFuse.MemoryStepMB = 512
	}
	pl, err := policy.NewWiseFuse(w, env)
	if err != nil {
		return nil, fmt.Errorf("wisefuse planner for %s: %w", w.Name, err)
	}
	return pl.Planner, nil // an explicit run count: never adaptive (policy.WiseFusePlanner)
}

// simOutcome is a plan's simulated E2E latencies (seconds, ascending) and mean cost per run.
type simOutcome struct {
	Latency  []float64
	MeanCost float64
}

func (o simOutcome) P(q float64) float64 { return stats.Percentile(o.Latency, q) }

// simulatePlan runs plan for runs independent warm runs.
func simulatePlan(w *dag.Workflow, plan *dag.Plan, runs int, plat *platform.Platform, seed uint64) (simOutcome, error) {
	res, err := sim.Run(w, plan, runs, sim.Options{Platform: plat, Seed: seed})
	if err != nil {
		return simOutcome{}, fmt.Errorf("simulating %s: %w", w.Name, err)
	}
	o := simOutcome{Latency: make([]float64, len(res.DAGs))}
	for i, d := range res.DAGs {
		o.Latency[i] = d.Latency
		o.MeanCost += d.Cost
	}
	o.MeanCost /= float64(max(len(res.DAGs), 1))
	slices.Sort(o.Latency)
	return o, nil
}

// mapSteps returns the top-level Map steps of w, the ones plans bundle.
func mapSteps(w *dag.Workflow) []*dag.Step {
	var out []*dag.Step
	for i := range w.Steps {
		if w.Steps[i].Map != nil {
			out = append(out, &w.Steps[i])
		}
	}
	return out
}

// iteratorFunctions returns the functions a Map's iterator runs, in order, once each.
func iteratorFunctions(st *dag.Step) []string {
	var out []string
	var walk func(steps []dag.Step)
	walk = func(steps []dag.Step) {
		for i := range steps {
			s := &steps[i]
			if s.Task != "" && !slices.Contains(out, s.Task) {
				out = append(out, s.Task)
			}
			for _, b := range s.Parallel {
				walk(b)
			}
			if s.Map != nil {
				walk(s.Map.Iterator)
			}
		}
	}
	walk(st.Map.Iterator)
	return out
}

// fusablePairs lists the pairs of consecutive Task steps WiseFuse may fuse: in the top-level
// sequence or in a top-level Map's iterator.
func fusablePairs(w *dag.Workflow) [][]string {
	var out [][]string
	pairs := func(steps []dag.Step) {
		for i := 0; i+1 < len(steps); i++ {
			if steps[i].Task != "" && steps[i+1].Task != "" {
				out = append(out, []string{steps[i].Name, steps[i+1].Name})
			}
		}
	}
	pairs(w.Steps)
	for _, st := range mapSteps(w) {
		pairs(st.Map.Iterator)
	}
	return out
}

// taskSteps returns the names of w's Task steps in walk order.
func taskSteps(w *dag.Workflow) []string {
	var out []string
	w.Walk(func(_ []string, s *dag.Step) {
		if s.Task != "" {
			out = append(out, s.Name)
		}
	})
	return out
}

// minMemory is the smallest size every function of w runs with.
func minMemory(w *dag.Workflow) int {
	m := dag.MinMemoryMB
	for _, f := range w.Functions {
		m = max(m, f.MinMemoryMB)
	}
	return m
}

// planJSON is a plan on one line, for a table cell.
func planJSON(p *dag.Plan) string {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Sprintf("(unprintable plan: %v)", err)
	}
	return string(b)
}

// relaxedSearch runs a WiseFuse search and, when the objective is infeasible under the model,
// relaxes the constraint that binds (SLO or budget) by 5% at a time, at most tries times. It
// returns the result and the objective that was met, so the table can say exactly what WiseFuse
// was asked. Any other error is returned at once.
func relaxedSearch(pl *wisefuse.Planner, obj dag.Objective, tries int) (*wisefuse.Result, dag.Objective, error) {
	var err error
	for range tries {
		var r *wisefuse.Result
		if r, err = pl.Search(obj); err == nil {
			return r, obj, nil
		}
		var inf *wisefuse.InfeasibleError
		if !errors.As(err, &inf) {
			return nil, obj, err
		}
		if inf.Binds == wisefuse.SLOLimit {
			obj.SLO *= 1.05
		} else {
			obj.Budget *= 1.05
		}
	}
	return nil, obj, err
}

// colString, colFloat and colInt read a row's value by column name.
func cellStr(t *Table, r Row, name string) string    { return r[t.Col(name)].(string) }
func cellFloat(t *Table, r Row, name string) float64 { return num(r[t.Col(name)]) }
func cellInt(t *Table, r Row, name string) int64     { return r[t.Col(name)].(int64) }

// pct formats a fraction as a percentage with one decimal.
func appPct(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

func appNaN() float64          { return math.NaN() }
func appIsNaN(x float64) bool  { return math.IsNaN(x) }
func appAbs(x float64) float64 { return math.Abs(x) }

// percentileGrid is the percentiles 0, 1, ..., 100 that the app experiments keep per series:
// enough to draw a CDF without storing every run.
func percentileGrid() []float64 {
	q := make([]float64, 101)
	for i := range q {
		q[i] = float64(i)
	}
	return q
}
