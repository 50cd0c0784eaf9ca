package experiments

import (
	"fmt"
	"math"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/figures"
	"github.com/wisefuse/wisefuse/tables"
)

// dataFanOut is the sweep workflow's fan-out: the producer's output is split over this many
// consumers.
const dataFanOut = 10

func init() {
	sweep{
		name:  "sweep-data",
		title: "P95 latency and cost per policy as the intermediate data grows from 1 KB to 1 GB",
		description: "A produce -> Map of 10 consumers -> merge workflow: the producer writes D bytes, each " +
			"consumer reads D/10 and writes D/10, the merge reads all D. Compute is fixed (1 core-s per function, " +
			"no per-byte processing), so the sweep isolates the cost of moving data: through remote storage unless " +
			"a plan fuses the functions. Memory floors grow with the data a function holds (2x its input or output). " +
			"WiseFuse aims at 1.2x User-Max's P95 at each size.",
		param:       "data",
		keyName:     "bytes",
		points:      []float64{1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9},
		quickPoints: []float64{1e3, 1e6, 1e9},
		workflow:    dataWorkflow,
		column:      tables.Column{Name: "data_bytes", Type: tables.Int64},
		figureTitle: "Data sweep",
		axis:        figures.Axis{Label: "Intermediate data per run (bytes)", Log: true, Bytes: true},
		format:      humanBytes,
	}.register()
}

// dataWorkflow is produce -> Map(dataFanOut consumers) -> merge with bytes of intermediate data
// per hand-off.
func dataWorkflow(bytes float64) *dag.Workflow {
	run := dag.Dist{Kind: dag.LogNormal, Median: 1, Sigma: 0.1}
	fn := func(name string, in, out float64) dag.Function {
		// A function holds its input or output in memory: its floor is twice the larger of the
		// two (plus a 128 MB runtime), as a rule of thumb for deserialised data.
		floor := 128 + int(math.Ceil(2*math.Max(in, out)/(1<<20)))
		floor = min(max(floor, dag.MinMemoryMB), dag.MaxMemoryMB)
		return dag.Function{Name: name, MinMemoryMB: floor, SerialWork: dag.Const(1), Threads: 1,
			InputBytes: dag.Const(in), OutputBytes: dag.Const(out), InitTime: dag.Const(0.5), RunFactor: run}
	}
	share := bytes / dataFanOut
	return &dag.Workflow{
		Name:        fmt.Sprintf("data-%g", bytes),
		Description: fmt.Sprintf("produce -> %d consumers -> merge, %g bytes per hand-off", dataFanOut, bytes),
		Functions:   []dag.Function{fn("produce", 1e3, bytes), fn("consume", share, share), fn("merge", bytes, 1e3)},
		Steps: []dag.Step{
			{Name: "produce", Task: "produce"},
			{Name: "consumers", Map: &dag.Map{Items: dag.Const(dataFanOut), Iterator: []dag.Step{{Name: "consumer", Task: "consume"}}}},
			{Name: "merge", Task: "merge"},
		},
	}
}

// humanBytes prints a power-of-ten byte count as 1 KB, 10 MB, 1 GB.
func humanBytes(b float64) string {
	for _, u := range []struct {
		name  string
		scale float64
	}{{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}} {
		if b >= u.scale {
			return fmt.Sprintf("%g %s", b/u.scale, u.name)
		}
	}
	return fmt.Sprintf("%g B", b)
}
