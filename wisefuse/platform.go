// The platform facts the modeler uses, as helpers: one invocation's cost and a step's need.

package wisefuse

import (
	"github.com/wisefuse/wisefuse/platform"
)

// vmCost is the USD cost of one VM invocation of memMB, whose invocations need needMB at once,
// that is billed for seconds. The memory billed is Platform.BilledMB's, as the simulator bills it:
// the VM's size, or on a platform that bills memory used (Azure Functions Consumption) the need
// rounded up to its quantum (dag.Plan.NeedMB: a task's min_memory_mb, a fusion group's largest, a
// bundle's items added up). On a platform
// with a billing minimum (Azure: 100 ms, 1 s on Flex) the duration is rounded up to the billing
// quantum and to the minimum, as the platform bills it; without one (AWS Lambda) it is not
// rounded: 1 ms per invocation is below what the model resolves.
func vmCost(p *platform.Platform, memMB, needMB int, seconds float64) float64 {
	if p.BillingMinimum > 0 {
		seconds = p.BilledSeconds(seconds)
	}
	return seconds*float64(p.BilledMB(memMB, needMB))/1024*p.GBSecondUSD + p.RequestUSD
}

// needOf is the memory functions fns need when they run one after another in one VM (dag.Plan.NeedMB
// of a sequence of tasks): the largest of their min_memory_mb.
func (m *Model) needOf(fns ...string) int {
	n := 0
	for _, fn := range fns {
		n = max(n, m.minMB[fn])
	}
	return n
}
