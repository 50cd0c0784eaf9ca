package baselines

import (
	"fmt"

	"github.com/wisefuse/wisefuse/dag"
)

const mb = 1 << 20

// fn is a test function: single-threaded work seconds, min memory, data in and out.
func fn(name string, work float64, minMB int, in, out float64) dag.Function {
	return dag.Function{Name: name, MinMemoryMB: minMB, SerialWork: dag.Const(work), Threads: 1,
		InputBytes: dag.Const(in), OutputBytes: dag.Const(out)}
}

// chainWorkflow is n tasks in series, each light.
func chainWorkflow(n int, work float64, minMB int, bytes float64) *dag.Workflow {
	w := &dag.Workflow{Name: fmt.Sprintf("chain%d", n)}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("f%d", i)
		w.Functions = append(w.Functions, fn(name, work, minMB, bytes, bytes))
		w.Steps = append(w.Steps, dag.Step{Name: "S" + name, Task: name})
	}
	return w
}

// fanOutWorkflow is Send -> Map of width items of Recv [-> Combine when combine is set].
func fanOutWorkflow(width int, bytes float64, recv dag.Function, combine bool) *dag.Workflow {
	recv.Name = "Recv"
	recv.InputBytes = dag.Const(bytes)
	w := &dag.Workflow{
		Name:      fmt.Sprintf("fanout%d", width),
		Functions: []dag.Function{fn("Send", 0.5, 512, 0, bytes), recv},
		Steps: []dag.Step{
			{Name: "Send", Task: "Send"},
			{Name: "Fan", Map: &dag.Map{Items: dag.Const(float64(width)), Iterator: []dag.Step{{Name: "Recv", Task: "Recv"}}}},
		},
	}
	if combine {
		w.Functions = append(w.Functions, fn("Combine", 0.2, 512, recv.OutputBytes.Value*float64(width), 0))
		w.Steps = append(w.Steps, dag.Step{Name: "Combine", Task: "Combine"})
	}
	if err := w.Validate(); err != nil {
		panic(err)
	}
	return w
}
