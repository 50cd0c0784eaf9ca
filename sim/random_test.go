package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// randomCase builds a random nested workflow (tasks, parallels, maps, passes up to depth 3) and
// a random plan over it (memory, bundles, fusion of adjacent steps, direct passing).
func randomCase(r *rand.Rand) (*dag.Workflow, *dag.Plan) {
	w := &dag.Workflow{Name: "random"}
	for i := 0; i < 3; i++ {
		w.Functions = append(w.Functions, dag.Function{
			Name: fmt.Sprintf("f%d", i), MinMemoryMB: 64, Threads: 1 + r.IntN(4),
			SerialWork:   dag.Dist{Kind: dag.Uniform, Min: 0, Max: r.Float64()},
			ParallelWork: dag.Dist{Kind: dag.Exponential, Mean: r.Float64() * 2},
			InputBytes:   dag.Dist{Kind: dag.Uniform, Min: 0, Max: 1e7 * r.Float64()},
			OutputBytes:  dag.Dist{Kind: dag.Uniform, Min: 0, Max: 1e7 * r.Float64()},
			InitTime:     dag.Const(r.Float64()),
			ItemSkew:     dag.Dist{Kind: dag.LogNormal, Median: 1, Sigma: 0.5},
		})
	}
	n := 0
	name := func() string { n++; return fmt.Sprintf("s%d", n) }
	var seqs [][]dag.Step // every sequence, for picking fusion groups
	var gen func(depth int) []dag.Step
	gen = func(depth int) []dag.Step {
		var seq []dag.Step
		for k := 1 + r.IntN(3); k > 0; k-- {
			s := dag.Step{Name: name()}
			switch c := r.IntN(6); {
			case c == 0 && depth < 3:
				s.Parallel = [][]dag.Step{gen(depth + 1), gen(depth + 1)}
			case c == 1 && depth < 3:
				s.Map = &dag.Map{Items: dag.Dist{Kind: dag.Uniform, Min: 1, Max: 5}, Iterator: gen(depth + 1)}
			case c == 2:
				s.Pass = true
			default:
				s.Task = fmt.Sprintf("f%d", r.IntN(3))
			}
			seq = append(seq, s)
		}
		seqs = append(seqs, seq)
		return seq
	}
	w.Steps = gen(0)
	p := &dag.Plan{DefaultMemoryMB: 512 + r.IntN(4096), Memory: map[string]int{"f0": 128 + r.IntN(10000)},
		Bundle: map[string]int{}, Passing: map[string]dag.Passing{}}
	w.Walk(func(_ []string, s *dag.Step) {
		if s.Map != nil && r.IntN(2) == 0 {
			p.Bundle[s.Name] = 1 + r.IntN(3)
		}
		if r.IntN(4) == 0 {
			p.Passing[s.Name] = dag.DirectPassing
		}
	})
	used := map[string]bool{}
	for _, seq := range seqs {
		if len(seq) >= 2 && r.IntN(2) == 0 {
			i := r.IntN(len(seq) - 1)
			j := i + 2 + r.IntN(len(seq)-i-1)
			var g []string
			for _, s := range seq[i:j] {
				if used[s.Name] {
					g = nil
					break
				}
				g = append(g, s.Name)
			}
			if len(g) >= 2 {
				for _, s := range g {
					used[s] = true
				}
				p.Fuse = append(p.Fuse, g)
			}
		}
	}
	return w, p
}

// sharedRuntimes sets p.SharedRuntime on odd trials where p stays valid, so that arrivals share
// Photons runtimes across DAG invocations (runtime.go) among everything else randomCase draws.
// It draws nothing, so the trials' random streams stay those of the cases.
func sharedRuntimes(w *dag.Workflow, p *dag.Plan, trial int) {
	if trial%2 == 1 {
		p.SharedRuntime = true
		if p.Validate(w) != nil {
			p.SharedRuntime = false
		}
	}
}

// TestRandomWorkflows runs random workflows and plans, as independent cold runs and as arrivals
// with a tiny concurrency limit and keep-alive, with every check on. It looks for crashes,
// deadlocks and broken invariants in combinations the hand-written scenarios do not reach.
func TestRandomWorkflows(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	ran := 0
	for trial := 0; trial < 400; trial++ {
		w, p := randomCase(r)
		if w.Validate() != nil || p.Validate(w) != nil {
			continue // e.g. a fused map whose items need more memory than one VM has
		}
		ran++
		res, err := Run(w, p, 3, Options{Seed: uint64(trial), Cold: trial%2 == 0, KeepInvocations: true, Check: true})
		if err != nil {
			t.Fatalf("trial %d: %v\nworkflow %+v\nplan %+v", trial, err, w.Steps, p)
		}
		checkRecords(t, fmt.Sprint("trial ", trial), res)
		plat := platform.Default()
		plat.ConcurrencyLimit = 1 + r.IntN(4)
		plat.KeepAlive = r.Float64() * 5
		sharedRuntimes(w, p, trial)
		res, err = RunArrivals(w, p, PoissonArrivals(2, 5, uint64(trial)+1), Options{Platform: plat, Seed: uint64(trial), KeepInvocations: true, Check: true})
		if err != nil && err.Error() != "sim: no arrivals" {
			t.Fatalf("trial %d arrivals: %v\nworkflow %+v\nplan %+v", trial, err, w.Steps, p)
		}
		if err == nil {
			checkRecords(t, fmt.Sprint("trial ", trial, " arrivals"), res)
		}
	}
	t.Logf("%d of 400 random cases valid", ran)
	if ran < 100 {
		t.Fatalf("only %d of 400 random cases were valid", ran)
	}
}
