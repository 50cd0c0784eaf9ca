package main

import (
	"fmt"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/sim"
)

// overloadRuns is how many isolated runs estimate a plan's VM-seconds per DAG invocation: a few
// suffice, the warning is about orders of magnitude.
const overloadRuns = 5

// overloadWarning estimates the offered load of arrivals at rate per second under plan p (Little's law: arrival rate
// x mean busy VM-seconds per DAG invocation = mean VMs busy at once) and, when it passes the
// platform's concurrency limit, says so before the user waits hours for a queue that only grows.
// It returns "" when the platform can keep up (or has no limit).
func overloadWarning(w *dag.Workflow, p *dag.Plan, plat *platform.Platform, rate float64) (string, error) {
	if plat == nil || plat.ConcurrencyLimit <= 0 || !(rate > 0) {
		return "", nil
	}
	// The isolated runs measure each DAG invocation's busy time, which the limit must not cut
	// short: a run wider than the limit would fail or wait there under "reject" or "retry".
	alone := *plat
	alone.ConcurrencyLimit = platform.MaxCount
	res, err := sim.Run(w, p, overloadRuns, sim.Options{Platform: &alone, Seed: 1, KeepInvocations: true})
	if err != nil {
		return "", err
	}
	busy := meanBusyVMSeconds(res)
	if busy <= 0 {
		return "", nil
	}
	load, limit := rate*busy, float64(plat.ConcurrencyLimit)
	if load <= limit {
		return "", nil
	}
	return fmt.Sprintf("%.3g DAG invocations/s x %.3g busy VM-seconds each (mean of %d isolated runs) = %.0f VMs busy at once, "+
		"beyond the platform's concurrency limit of %d: %s "+
		"(the platform serves at most about %.3g/s of this plan; lower the rate, raise concurrency_limit in --platform, or pick a cheaper plan)",
		rate, busy, overloadRuns, load, plat.ConcurrencyLimit, beyondLimit(plat), limit/busy), nil
}

// beyondLimit says what becomes of the arrivals a platform cannot serve (AtConcurrencyLimit).
func beyondLimit(plat *platform.Platform) string {
	switch plat.AtConcurrencyLimit {
	case platform.LimitReject:
		return "DAG invocations will fail at the limit (at_concurrency_limit \"reject\")"
	case platform.LimitRetry:
		return "DAG invocations will retry at the limit and fail when their retries run out (at_concurrency_limit \"retry\")"
	}
	return "arrivals will queue and latency grow with the run's length"
}

// meanBusyVMSeconds is the mean, over res's DAG runs, of the sum over the run's VMs of the time
// each was held (first invocation start to last invocation end on it).
func meanBusyVMSeconds(res *sim.Result) float64 {
	type key struct{ run, vm int }
	first, last := map[key]float64{}, map[key]float64{}
	for _, inv := range res.Invocations {
		k := key{inv.Run, inv.VM}
		if s, ok := first[k]; !ok || inv.Start < s {
			first[k] = inv.Start
		}
		if e, ok := last[k]; !ok || inv.End > e {
			last[k] = inv.End
		}
	}
	runs := len(res.DAGs)
	if runs == 0 {
		return 0
	}
	total := 0.0
	for k, s := range first {
		total += last[k] - s
	}
	return total / float64(runs)
}
