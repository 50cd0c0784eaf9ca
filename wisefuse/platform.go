// The platform facts the modeler uses, as helpers: one invocation's cost, the function timeout
// that fails it, and a step's need.

package wisefuse

import (
	"math"

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

// acquisition returns what one VM acquisition (a task alone, a fused group, a bundle, a spill),
// busy for busy seconds of which init are its functions' start-up, adds to its run's latency and
// the seconds it is billed: busy and busy, unless it runs past the platform's function timeout.
// The simulator stops an acquisition still busy Platform.FunctionTimeout after its init ends, and
// its DAG invocation fails (sim/timeout.go, docs/simulator.md); so does the model. Such a run has
// no latency: +Inf, which the percentiles count as a run slower than any SLO (a plan whose
// P95 reaches into its failed runs cannot meet a P95 SLO). The VM is billed to the timeout,
// init + FunctionTimeout. Every evaluation path asks this for each VM whose busy time it
// computes; the check is one comparison per VM (docs/wisefuse.md, "The function timeout").
func (m *Model) acquisition(init, busy float64) (lat, billed float64) {
	if m.overTimeout(busy - init) {
		return math.Inf(1), init + m.opts.Platform.FunctionTimeout
	}
	return busy, busy
}

// overTimeout reports whether a VM busy for after seconds past its init runs past the platform's
// function timeout (0: none).
func (m *Model) overTimeout(after float64) bool {
	t := m.opts.Platform.FunctionTimeout
	return t > 0 && after > t
}

// withTimeoutMargin returns plat with its function timeout less a fraction margin, which the
// searches judge VMs against (NewPlanner, LogPlan): plat itself when it has no timeout or there
// is no margin.
func withTimeoutMargin(plat *platform.Platform, margin float64) *platform.Platform {
	if plat.FunctionTimeout <= 0 || margin <= 0 {
		return plat
	}
	q := *plat
	q.FunctionTimeout *= 1 - margin
	return &q
}
