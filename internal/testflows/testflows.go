// Package testflows builds small workflows for tests across packages (a chain, a fan-out) whose
// latency and cost can be worked out by hand. Only tests import it.
package testflows

import (
	"fmt"

	"github.com/wisefuse/wisefuse/dag"
)

// MB is a megabyte (2^20 bytes), the unit of the builders' data sizes.
const MB = 1 << 20

// Fn is a test function: single-threaded work seconds, min memory, data in and out.
func Fn(name string, work float64, minMB int, in, out float64) dag.Function {
	return dag.Function{Name: name, MinMemoryMB: minMB, SerialWork: dag.Const(work), Threads: 1,
		InputBytes: dag.Const(in), OutputBytes: dag.Const(out)}
}

// Chain is n tasks in series, each light.
func Chain(n int, work float64, minMB int, bytes float64) *dag.Workflow {
	w := &dag.Workflow{Name: fmt.Sprintf("chain%d", n)}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("f%d", i)
		w.Functions = append(w.Functions, Fn(name, work, minMB, bytes, bytes))
		w.Steps = append(w.Steps, dag.Step{Name: "S" + name, Task: name})
	}
	return w
}

// FanOut is Send -> Map of width items of Recv [-> Combine when combine is set].
func FanOut(width int, bytes float64, recv dag.Function, combine bool) *dag.Workflow {
	recv.Name = "Recv"
	recv.InputBytes = dag.Const(bytes)
	w := &dag.Workflow{
		Name:      fmt.Sprintf("fanout%d", width),
		Functions: []dag.Function{Fn("Send", 0.5, 512, 0, bytes), recv},
		Steps: []dag.Step{
			{Name: "Send", Task: "Send"},
			{Name: "Fan", Map: &dag.Map{Items: dag.Const(float64(width)), Iterator: []dag.Step{{Name: "Recv", Task: "Recv"}}}},
		},
	}
	if combine {
		w.Functions = append(w.Functions, Fn("Combine", 0.2, 512, recv.OutputBytes.Value*float64(width), 0))
		w.Steps = append(w.Steps, dag.Step{Name: "Combine", Task: "Combine"})
	}
	if err := w.Validate(); err != nil {
		panic(err)
	}
	return w
}
