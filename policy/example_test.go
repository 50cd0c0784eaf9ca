package policy_test

import (
	"fmt"
	"log"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/testflows"
	"github.com/wisefuse/wisefuse/policy"
)

// Build the User-Max baseline by name for a three-task chain and plan it: every function at the
// 10,240 MB maximum. Any name of policy.Names builds the same way; WiseFuse also needs an SLO or a
// budget in the objective and profiles the workflow first.
func ExampleNew() {
	w := testflows.Chain(3, 0.5, 256, testflows.MB)
	pl, err := policy.New("user-max", w, policy.Env{})
	if err != nil {
		log.Fatal(err)
	}
	plan, err := pl.Plan(w, dag.Objective{})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range w.Functions {
		fmt.Printf("%s: %d MB\n", f.Name, plan.MemoryOf(f.Name))
	}
	fmt.Println(policy.Names())
	// Output:
	// f0: 10240 MB
	// f1: 10240 MB
	// f2: 10240 MB
	// [user-max user-min sonic photons faastlane faastlane-invm wisefuse]
}
