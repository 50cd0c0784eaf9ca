package wisefuse

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/records"
)

// synthFn is a test function's performance, known only to the record generator below (the
// modeler sees the records it produces, as it would see a simulator's).
type synthFn struct {
	serial, parallel, threads float64
	down, up                  float64 // seconds
	skew, runSigma            float64 // lognormal sigmas: per invocation, per run
}

// synthProfile is FromRecords over synthRecords(w, fns, sizes, runs, seed); it fails tb on an
// error.
func synthProfile(tb testing.TB, w *dag.Workflow, fns map[string]synthFn, sizes []int, runs int, seed uint64) *Profile {
	tb.Helper()
	invs, dags := synthRecords(w, fns, sizes, runs, seed)
	p, err := FromRecords(w, invs, dags)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// synthRecords generates profiling records for w at each size: runs independent runs, every
// function at that size, with a per-function run factor shared by a run's invocations and a
// per-invocation skew. Gaps are small uniform delays.
func synthRecords(w *dag.Workflow, fns map[string]synthFn, sizes []int, runs int, seed uint64) ([]records.Invocation, []records.DAGRun) {
	r := rand.New(rand.NewPCG(seed, 1))
	plat := platform.Default().Published()
	// The invocations are counted first: a wide Map makes over a million, and growing the slice
	// copied them many times.
	perRun := 0
	for _, st := range w.Steps {
		switch {
		case st.Task != "":
			perRun++
		case st.Map != nil:
			n, _ := st.Map.FixedItems()
			perRun += n * len(iteratorTasks(&st))
		}
	}
	invs := make([]records.Invocation, 0, perRun*runs*len(sizes))
	var dags []records.DAGRun
	run := 0
	for _, mem := range sizes {
		c := plat.VCPU(mem)
		for range runs {
			runF := map[string]float64{}
			for _, f := range w.Functions {
				runF[f.Name] = math.Exp(fns[f.Name].runSigma * r.NormFloat64())
			}
			now := 0.0
			invoke := func(step *dag.Step, start float64, item int) float64 {
				f := fns[step.Task]
				f.threads = max(f.threads, 1)
				work := runF[step.Task] * math.Exp(f.skew*r.NormFloat64())
				comp := work * (f.serial/math.Min(c, 1) + f.parallel/math.Min(c, f.threads))
				d := f.down * (0.9 + 0.2*r.Float64())
				u := f.up * (0.9 + 0.2*r.Float64())
				end := start + d + comp + u
				invs = append(invs, records.Invocation{Run: run, Step: step.Name, Function: step.Task, Item: item, Bundle: item,
					MemoryMB: mem, Start: start, Download: d, Compute: comp, Upload: u, End: end})
				return end
			}
			for si := range w.Steps {
				st := &w.Steps[si]
				now += 0.05 + 0.1*r.Float64()
				switch {
				case st.Task != "":
					now = invoke(st, now, 0)
				case st.Map != nil:
					n, _ := st.Map.FixedItems()
					stop := now
					for item := range n {
						t := now + 0.03*r.Float64()
						for k := range st.Map.Iterator {
							it := &st.Map.Iterator[k]
							if k > 0 {
								t += 0.02 + 0.02*r.Float64()
							}
							if it.Task != "" {
								t = invoke(it, t, item)
							}
						}
						stop = math.Max(stop, t)
					}
					now = stop
				}
			}
			end := now + 0.05 + 0.05*r.Float64()
			dags = append(dags, records.DAGRun{Run: run, End: end, Latency: end})
			run++
		}
	}
	return invs, dags
}

// randomWorkflow builds a small random workflow: 1-3 top-level steps, each a task or a map of
// 2-4 items whose iterator has 1 or 2 tasks, and random function performance.
func randomWorkflow(r *rand.Rand) (*dag.Workflow, map[string]synthFn) {
	w := &dag.Workflow{Name: "random"}
	fns := map[string]synthFn{}
	newFn := func() string {
		name := fmt.Sprintf("f%d", len(w.Functions))
		w.Functions = append(w.Functions, dag.Function{Name: name, MinMemoryMB: 128 * (1 + r.IntN(4)), Threads: 1})
		fns[name] = synthFn{
			serial: 0.2 + 2*r.Float64(), parallel: 4 * r.Float64(), threads: float64(1 + r.IntN(6)),
			down: 0.3 * r.Float64(), up: 0.3 * r.Float64(), skew: 0.3 * r.Float64(), runSigma: 0.2 * r.Float64(),
		}
		return name
	}
	steps := 1 + r.IntN(3)
	for i := range steps {
		name := fmt.Sprintf("s%d", i)
		if r.IntN(2) == 0 {
			w.Steps = append(w.Steps, dag.Step{Name: name, Task: newFn()})
			continue
		}
		m := &dag.Map{Items: dag.Const(float64(2 + r.IntN(3)))}
		for k := range 1 + r.IntN(2) {
			m.Iterator = append(m.Iterator, dag.Step{Name: fmt.Sprintf("%s_%d", name, k), Task: newFn()})
		}
		w.Steps = append(w.Steps, dag.Step{Name: name, Map: m})
	}
	return w, fns
}

// chainWorkflow is a hand-made workflow like the paper's apps: split -> map of n items over
// [extract -> classify] -> combine.
func chainWorkflow(n int) (*dag.Workflow, map[string]synthFn) {
	w := &dag.Workflow{
		Name: "chain",
		Functions: []dag.Function{
			{Name: "split", MinMemoryMB: 256, Threads: 1},
			{Name: "extract", MinMemoryMB: 512, Threads: 1},
			{Name: "classify", MinMemoryMB: 1024, Threads: 1},
			{Name: "combine", MinMemoryMB: 128, Threads: 1},
		},
		Steps: []dag.Step{
			{Name: "Split", Task: "split"},
			{Name: "Chunks", Map: &dag.Map{Items: dag.Const(float64(n)), Iterator: []dag.Step{
				{Name: "Extract", Task: "extract"},
				{Name: "Classify", Task: "classify"},
			}}},
			{Name: "Combine", Task: "combine"},
		},
	}
	fns := map[string]synthFn{
		"split":    {serial: 2, down: 0.5, up: 0.8, skew: 0.05, runSigma: 0.05},
		"extract":  {serial: 0.4, parallel: 0.3, threads: 2, down: 0.2, up: 0.3, skew: 0.2, runSigma: 0.1},
		"classify": {serial: 5, parallel: 15, threads: 6, down: 0.3, up: 0.05, skew: 0.25, runSigma: 0.15},
		"combine":  {serial: 0.3, down: 0.1, up: 0.05, skew: 0.1, runSigma: 0.05},
	}
	return w, fns
}
