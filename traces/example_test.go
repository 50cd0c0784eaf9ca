package traces_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/wisefuse/wisefuse/traces"
)

// Generate a tiny synthetic trace (50 DAGs, 2,000 invocations over one day, every latency from
// simulating its DAG), write it as Parquet, then characterize it in one streaming pass.
func Example() {
	dir, err := os.MkdirTemp("", "traces-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "trace.parquet")

	out, err := traces.CreateDAGTable(path)
	if err != nil {
		log.Fatal(err)
	}
	cfg := traces.GenConfig{Population: traces.PopulationConfig{DAGs: 50, Invocations: 2000}, Days: 1, Seed: 1}
	sum, err := traces.Generate(cfg, out, nil)
	if err != nil {
		out.Abort()
		log.Fatal(err)
	}
	if err := out.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("generated %d invocations of %d DAGs\n", sum.Invocations, sum.DAGs)

	c, err := traces.CharacterizeFile(path)
	if err != nil {
		log.Fatal(err)
	}
	share, _ := c.TopShare(0.05)
	fmt.Printf("read back %d invocations; the top 5%% of DAGs make %.0f%% of them\n", c.Invocations, 100*share)
	// c.WriteTables and c.WriteFigures write the tables and figures that trace characterize does.

	// Output:
	// generated 2000 invocations of 50 DAGs
	// read back 2000 invocations; the top 5% of DAGs make 95% of them
}
