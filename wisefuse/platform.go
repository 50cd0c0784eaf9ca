// The platform facts the modeler uses, as helpers: a VM's cores and one invocation's cost.

package wisefuse

import (
	"math"

	"github.com/wisefuse/wisefuse/platform"
)

// Cores of a VM of memMB on p: its CPU share and the cores its guest sees (Curve.Time).
func cores(p *platform.Platform, memMB int) Cores {
	return Cores{Share: p.VCPU(memMB), Visible: float64(p.VisibleCores(memMB))}
}

// vmCost is the USD cost of one VM invocation of memMB that is billed for seconds. On a platform
// with a billing minimum (Azure: 100 ms, 1 s on Flex) the duration is rounded up to the billing
// quantum and to the minimum, as the platform bills it; without one (AWS Lambda) it is not
// rounded: 1 ms per invocation is below what the model resolves.
func vmCost(p *platform.Platform, memMB int, seconds float64) float64 {
	if p.BillingMinimum > 0 {
		seconds = max(math.Ceil(seconds/p.BillingQuantum-1e-9)*p.BillingQuantum, p.BillingMinimum)
	}
	return seconds*float64(memMB)/1024*p.GBSecondUSD + p.RequestUSD
}
