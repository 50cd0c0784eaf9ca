package dag_test

import (
	"fmt"
	"log"

	"github.com/wisefuse/wisefuse/dag"
)

// Build the video analytics shape in code: Split, then a Map whose items each run Extract and
// then Classify, validate it with a plan, and print it as the JSON the CLI reads.
func Example() {
	w := &dag.Workflow{
		Name: "video",
		Functions: []dag.Function{
			{Name: "Split", MinMemoryMB: 256, SerialWork: dag.Const(1.2), Threads: 1,
				InputBytes: dag.Const(38e6), OutputBytes: dag.Const(38e6), InitTime: dag.Const(0.5)},
			{Name: "Extract", MinMemoryMB: 128, SerialWork: dag.Const(0.3), Threads: 1,
				InputBytes: dag.Const(1.3e6), OutputBytes: dag.Const(0.4e6), InitTime: dag.Const(0.4)},
			{Name: "Classify", MinMemoryMB: 768, SerialWork: dag.Const(10.8), Threads: 10,
				ParallelWork: dag.Dist{Kind: dag.LogNormal, Median: 18.9, Sigma: 0.2},
				ItemSkew:     dag.Dist{Kind: dag.Uniform, Min: 0.4, Max: 1}},
		},
		Steps: []dag.Step{
			{Name: "Split", Task: "Split"},
			{Name: "Chunks", Map: &dag.Map{Items: dag.Const(30), Iterator: []dag.Step{
				{Name: "Extract", Task: "Extract"},
				{Name: "Classify", Task: "Classify"},
			}}},
		},
	}
	if err := w.Validate(); err != nil {
		log.Fatal(err)
	}

	// Classify at 3 GB, five chunks per VM, and each chunk's Extract fused with its Classify.
	plan := &dag.Plan{
		DefaultMemoryMB: 1024,
		Memory:          map[string]int{"Classify": 3072},
		Bundle:          map[string]int{"Chunks": 3},
		Fuse:            [][]string{{"Extract", "Classify"}},
	}
	if err := plan.Validate(w); err != nil {
		log.Fatal(err)
	}
	// Five chunks would need 5 x 768 MB in a 3 GB VM: Validate says so.
	plan.Bundle["Chunks"] = 5
	fmt.Println(plan.Validate(w))

	b, err := dag.MarshalIndent(w.Steps)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))
	// Output:
	// plan for workflow "video": bundle["Chunks"] = 5: VM of 3072 MB is below the 3840 MB that 5 items need
	// [
	//   {
	//     "name": "Split",
	//     "task": "Split"
	//   },
	//   {
	//     "name": "Chunks",
	//     "map": {
	//       "items": 30,
	//       "iterator": [
	//         {
	//           "name": "Extract",
	//           "task": "Extract"
	//         },
	//         {
	//           "name": "Classify",
	//           "task": "Classify"
	//         }
	//       ]
	//     }
	//   }
	// ]
}
