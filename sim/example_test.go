package sim_test

import (
	"fmt"
	"log"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/sim"
)

// Run a two-task workflow, Resize then Upload, each at 1,769 MB (one vCPU), ten times warm on the
// default platform, and print what one run took and cost.
func ExampleRun() {
	w := &dag.Workflow{
		Name: "thumbnail",
		Functions: []dag.Function{
			{Name: "Resize", MinMemoryMB: 256, SerialWork: dag.Const(2), Threads: 1, OutputBytes: dag.Const(1e6)},
			{Name: "Upload", MinMemoryMB: 128, SerialWork: dag.Const(0.5), Threads: 1, InputBytes: dag.Const(1e6)},
		},
		Steps: []dag.Step{{Name: "Resize", Task: "Resize"}, {Name: "Upload", Task: "Upload"}},
	}
	res, err := sim.Run(w, dag.UniformPlan(1769), 10, sim.Options{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	r := res.DAGs[0]
	fmt.Printf("%d runs; run 0: %d invocations, %d transitions, %.3f s, %.7f USD\n",
		res.Summary.Runs, r.Invocations, r.Transitions, r.Latency, r.Cost)
	// 2.665 s by hand: 2 s + 0.5 s of work, the 1 MB put (25 ms + 1e6 B / 80 MB/s) and get
	// (15 ms + 12.5 ms) through storage, and two 50 ms state transitions.

	// Output:
	// 10 runs; run 0: 2 invocations, 2 transitions, 2.665 s, 0.0001297 USD
}
