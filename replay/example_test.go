package replay_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/wisefuse/wisefuse/replay"
	"github.com/wisefuse/wisefuse/traces"
)

// Run replays a trace written with its catalog (as `wisefuse trace gen` writes it) through one
// shared platform under a policy, and writes invocations.parquet, dags.parquet and summary.json.
func ExampleRun() {
	dir, _ := os.MkdirTemp("", "replay")
	defer os.RemoveAll(dir)
	trace := filepath.Join(dir, "trace.parquet")
	w, _ := traces.CreateDAGTable(trace)
	sum, err := traces.Generate(traces.GenConfig{Population: traces.PopulationConfig{DAGs: 20, Invocations: 2000},
		Days: 1, Seed: 1, RunsPerDAG: 4}, w, nil)
	if err == nil {
		err = traces.WriteCatalog(trace, sum.Population)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := replay.Run(replay.Config{Trace: trace, Policy: "user-max", Out: filepath.Join(dir, "out")})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.DAGInvocations, "DAG invocations of", s.DAGsInvoked, "DAGs,", s.FunctionInvocations, "function invocations")
	fmt.Printf("P50 %.2f s, P95 %.2f s, cost $%.4f\n", s.P50, s.P95, s.TotalCost)
	// Output:
	// 2000 DAG invocations of 20 DAGs, 5213 function invocations
	// P50 0.69 s, P95 0.78 s, cost $3.0672
}
