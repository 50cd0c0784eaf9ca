package experiments

import (
	"fmt"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/figures"
	"github.com/wisefuse/wisefuse/tables"
	"github.com/wisefuse/wisefuse/traces"
)

// skewMapWidth is the width of the sweep's Map: 30 items, as the video app's 30 chunks.
const skewMapWidth = 30

func init() {
	sweep{
		name:  "sweep-skew",
		title: "P95 latency and cost per policy as the skew between parallel invocations grows from 1 to 1,000",
		description: "A split -> Map of 30 items -> combine workflow whose items' work (median 2 core-s, 80% of it parallel over up to 4 threads) is spread " +
			"log-uniformly so that the expected slowest / fastest ratio is the skew (the generated traces' law, " +
			"traces.ItemSkew). Every policy plans at each skew and is measured over isolated warm runs; WiseFuse " +
			"aims at 1.2x User-Max's P95 at that skew.",
		param:       "skew",
		keyName:     "skew",
		points:      []float64{1, 3, 10, 30, 100, 300, 1000},
		quickPoints: []float64{1, 30, 1000},
		workflow:    skewWorkflow,
		column:      tables.Column{Name: "skew", Type: tables.Float64},
		figureTitle: "Skew sweep",
		axis:        figures.Axis{Label: "Skew (slowest / fastest item)", Log: true},
		format:      func(x float64) string { return fmt.Sprintf("%g", x) },
	}.register()
}

// skewWorkflow is split -> Map(skewMapWidth items, work spread by skew) -> combine.
func skewWorkflow(skew float64) *dag.Workflow {
	const item = 100e3 // bytes per item in and out
	run := dag.Dist{Kind: dag.LogNormal, Median: 1, Sigma: 0.1}
	fn := func(name string, work, in, out float64) dag.Function {
		return dag.Function{Name: name, MinMemoryMB: 256, SerialWork: dag.Const(work), Threads: 1,
			InputBytes: dag.Const(in), OutputBytes: dag.Const(out), InitTime: dag.Const(0.5), RunFactor: run}
	}
	// Like the video app's Classify (up to 10 processes), an item's work is mostly parallel, so
	// a straggler can use the CPU its bundle-mates free when they finish.
	work := fn("work", 0.4, item, item)
	work.ParallelWork, work.Threads = dag.Const(1.6), 4
	work.ItemSkew = traces.ItemSkew(skewMapWidth, skew)
	return &dag.Workflow{
		Name:        fmt.Sprintf("skew-%g", skew),
		Description: fmt.Sprintf("split -> %d items with skew %g -> combine", skewMapWidth, skew),
		Functions:   []dag.Function{fn("split", 0.2, 1e3, skewMapWidth*item), work, fn("combine", 0.2, skewMapWidth*item, 1e3)},
		Steps: []dag.Step{
			{Name: "split", Task: "split"},
			{Name: "items", Map: &dag.Map{Items: dag.Const(skewMapWidth), Iterator: []dag.Step{{Name: "item", Task: "work"}}}},
			{Name: "combine", Task: "combine"},
		},
	}
}
