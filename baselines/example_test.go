package baselines_test

import (
	"fmt"

	"github.com/wisefuse/wisefuse/baselines"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/testflows"
)

// A baseline is a dag.Planner: User-Max gives every function the largest VM, whatever the
// objective (policy.New builds any baseline by name, on a platform).
func ExampleUserMax() {
	w := testflows.Chain(2, 1, 512, testflows.MB)
	p, err := baselines.UserMax{}.Plan(w, dag.Objective{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.MemoryOf("f0"), p.MemoryOf("f1"), len(p.Fuse), len(p.Bundle))
	// Output: 10240 10240 0 0
}
