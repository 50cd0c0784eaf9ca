package wisefuse

import "github.com/wisefuse/wisefuse/platform"

// spillSlots returns the platform sharedSpills places a fused group's host and spills with
// (sharedEnd): plat itself where spills take activity slots (platform.SpillsInvoke), and where
// they are HTTP executions (platform.SpillsHTTP; the simulator's instances.go) a copy whose
// instances hold HTTPInstanceConcurrency of them, plus the host's activity slot, sharing the
// instance's vCPUs as before. The one slot more on every instance, not only the host's, is an
// approximation, small beside Azure's 100 HTTP slots.
func spillSlots(plat *platform.Platform) *platform.Platform {
	if plat.Spills != platform.SpillsHTTP || plat.InstanceActivities == 0 {
		return plat
	}
	q := *plat
	q.InstanceActivities = plat.HTTPInstanceConcurrency + 1
	return &q
}
