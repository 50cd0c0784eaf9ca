package traces

import "github.com/wisefuse/wisefuse/dag"

// LatencyGroup names one of the characterization's latency groups: the paper splits DAG
// invocations at 1 MB of intermediate data and at skew 100.
type LatencyGroup int

// The latency groups, in the order of the paper's two comparisons.
const (
	GroupSmallData LatencyGroup = smallData // data < 1 MB
	GroupLargeData LatencyGroup = largeData // data >= 1 MB
	GroupLowSkew   LatencyGroup = lowSkew   // skew < 100
	GroupHighSkew  LatencyGroup = highSkew  // skew >= 100
)

// String is the group's label, e.g. "data >= 1 MB".
func (g LatencyGroup) String() string { return groupNames[g] }

// LatencyQuantile returns the latency (seconds) at probability p of a group, NaN when empty,
// and the group's size.
func (c *Characterization) LatencyQuantile(g LatencyGroup, p float64) (float64, int64) {
	return c.latency[g].quantile(p), c.latency[g].n
}

// ItemSkew is the per-item work factor generated workflows give a Map of width items so that
// the expected slowest / fastest ratio (in log) is skew; see Workflow. Other workloads that want
// a calibrated skew (the experiments' sweeps) use the same law.
func ItemSkew(width int, skew float64) dag.Dist { return itemSkew(width, skew, 0) }
