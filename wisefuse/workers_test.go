package wisefuse

import (
	"fmt"
	"math"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/cputime"
	"github.com/wisefuse/wisefuse/platform"
)

// TestWorkersMatch prepares and plans each built-in app on the full default platform (and video
// with its Map at most 3 at once, whose options are not bounded) with one worker and with four
// (PlannerOptions.Workers), and wants the same options for every segment, with the same costs
// and atoms to the bit, and the same plans and predictions under SLOs from the fastest plan's
// P95 to three times it. -short: chatbot.
func TestWorkersMatch(t *testing.T) {
	type tc struct {
		name string
		w    *dag.Workflow
	}
	var cases []tc
	for _, a := range apps.All() {
		if testing.Short() && a.Name != "chatbot" {
			continue
		}
		cases = append(cases, tc{a.Name, a.Build()})
		if a.Name == "video" && !testing.Short() {
			cases = append(cases, tc{"video at most 3 at once", withConcurrency(a.Build(), 3)})
		}
	}
	for _, c := range cases {
		p, err := profileInSim(c.w, ProfileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var pls [3]*Planner
		for k, workers := range []int{1, 4, 1} {
			pl, err := NewPlanner(p, PlannerOptions{Model: ModelOptions{Platform: platform.Default()}, Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			pls[k] = pl
		}
		// The searches come first, on planners that have replayed nothing yet (the fastest plan's
		// P95 comes from a third): each replays what its own sweeps need on its workers.
		one, four := pls[0], pls[1]
		fast, err := pls[2].Search(dag.Objective{Budget: math.MaxFloat64})
		if err != nil {
			t.Fatal(err)
		}
		p95 := fast.Prediction.Percentile(95)
		for _, f := range []float64{1, 1.2, 1.5, 2, 3} {
			obj := dag.Objective{SLO: f * p95}
			r1, err1 := one.Search(obj)
			r4, err4 := four.Search(obj)
			if (err1 == nil) != (err4 == nil) || err1 != nil && err1.Error() != err4.Error() {
				t.Fatalf("%s SLO %v: error %v with 1 worker, %v with 4", c.name, obj.SLO, err1, err4)
			}
			if err1 != nil {
				continue
			}
			if !sameResult(r1, r4) {
				t.Fatalf("%s SLO %v: plan %+v cost %v with 1 worker, %+v cost %v with 4", c.name, obj.SLO, r1.Plan, r1.Prediction.MeanCost, r4.Plan, r4.Prediction.MeanCost)
			}
		}
		sameOptionSets(t, c.name, paretoSets(one), paretoSets(four), [2]string{"with 1 worker", "with 4"}, sameOption)
	}
}

// BenchmarkPrepareWorkers is BenchmarkPrepareBuiltinFull with 1 and with 2 workers
// (PlannerOptions.Workers): CPU ms/op against ns/op shows what the second core buys and what the
// parallel evaluation costs in work.
func BenchmarkPrepareWorkers(b *testing.B) {
	for _, a := range apps.All() {
		p, err := profileInSim(a.Build(), ProfileOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", a.Name, workers), func(b *testing.B) {
				cpu := cputime.Process()
				for b.Loop() {
					pl, err := NewPlanner(p, PlannerOptions{Model: ModelOptions{Platform: platform.Default()}, Workers: workers})
					if err != nil {
						b.Fatal(err)
					}
					pl.Prepare()
				}
				reportCPU(b, cpu)
			})
		}
	}
}

// TestEvalPoolEach: every option is handed to f exactly once whatever the worker count, and a
// panic in a worker is raised again on the caller's goroutine.
func TestEvalPoolEach(t *testing.T) {
	for _, workers := range []int{1, 2, 7} {
		os := make([]*lazyOption, 100)
		for k := range os {
			os[k] = &lazyOption{idx: k}
		}
		p := newEvalPool(workers)
		p.each(os, func(_ *evalWorker, o *lazyOption) { o.mean += float64(o.idx) })
		for k, o := range os {
			if o.mean != float64(k) {
				t.Fatalf("%d workers: option %d got %v, want %d (handed once)", workers, k, o.mean, k)
			}
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%d workers: a worker's panic was not raised on the caller", workers)
				}
			}()
			p.each(os, func(_ *evalWorker, o *lazyOption) {
				if o.idx == 57 {
					panic("option 57")
				}
			})
		}()
	}
}
