// The platform facts the modeler uses, as helpers: a VM's cores and one invocation's cost.

package wisefuse

import (
	"github.com/wisefuse/wisefuse/platform"
)

// Cores of a VM of memMB on p: its CPU share and the cores its guest sees (Curve.Time).
func cores(p *platform.Platform, memMB int) Cores {
	return Cores{Share: p.VCPU(memMB), Visible: float64(p.VisibleCores(memMB))}
}

// vmCost is the USD cost of one VM invocation of memMB that is billed for seconds.
func vmCost(p *platform.Platform, memMB int, seconds float64) float64 {
	return seconds*float64(memMB)/1024*p.GBSecondUSD + p.RequestUSD
}
