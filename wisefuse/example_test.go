package wisefuse_test

import (
	"errors"
	"fmt"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/records"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// thumbnails is a two-step workflow, Resize then Store, and what a platform logged of 20 runs at
// 1024 MB and 20 at 4096 MB: Resize computes 6 s on 1024 MB and 2 s on 4096 MB, Store 0.5 s on
// either, each run up to 8% slower than the fastest.
func thumbnails() (*dag.Workflow, []records.Invocation) {
	w := &dag.Workflow{
		Name: "thumbnails",
		Functions: []dag.Function{
			{Name: "resize", MinMemoryMB: 256, Threads: 1},
			{Name: "store", MinMemoryMB: 128, Threads: 1},
		},
		Steps: []dag.Step{{Name: "Resize", Task: "resize"}, {Name: "Store", Task: "store"}},
	}
	compute := map[int][2]float64{1024: {6, 0.5}, 4096: {2, 0.5}}
	var invs []records.Invocation
	run := 0
	for _, mem := range []int{1024, 4096} {
		for r := range 20 {
			slow := 1 + 0.02*float64(r%5)
			t := 0.0
			for i, st := range w.Steps {
				in := records.Invocation{Run: run, Step: st.Name, Function: st.Task, MemoryMB: mem, Start: t,
					Download: 0.2, Compute: compute[mem][i] * slow, Upload: 0.1}
				in.End = in.Start + in.Download + in.Compute + in.Upload
				invs = append(invs, in)
				t = in.End + 0.05
			}
			run++
		}
	}
	return w, invs
}

// A planner from records alone: profile, model, plan the cheapest configuration whose predicted
// P95 is at most 6 s.
func ExampleNewPlanner() {
	w, invs := thumbnails()
	prof, err := wisefuse.FromRecords(w, invs, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	pl, err := wisefuse.NewPlanner(prof, wisefuse.PlannerOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := pl.Search(dag.Objective{SLO: 6})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("memory:", r.Plan.Memory, "fused:", r.Plan.Fuse)
	fmt.Printf("predicted P95 %.2f s, mean cost $%.6f per run\n", r.Prediction.Percentile(95), r.Prediction.MeanCost)
	// Output:
	// memory: map[resize:1344 store:1344] fused: [[Resize Store]]
	// predicted P95 5.65 s, mean cost $0.000150 per run
}

// An objective no plan meets: the error names the constraint that binds and the best any plan
// achieves on it.
func ExampleInfeasibleError() {
	w, invs := thumbnails()
	prof, err := wisefuse.FromRecords(w, invs, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	pl, err := wisefuse.NewPlanner(prof, wisefuse.PlannerOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = pl.Search(dag.Objective{SLO: 1})
	var inf *wisefuse.InfeasibleError
	if errors.As(err, &inf) {
		fmt.Printf("the %v binds: the fastest plan's P95 is %.2f s\n", inf.Binds, inf.Best)
	}
	// Output:
	// the SLO binds: the fastest plan's P95 is 2.28 s
}
