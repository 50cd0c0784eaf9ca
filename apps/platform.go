package apps

import (
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// Platform returns base adapted to app: the per-transition orchestration latency is set so that
// the transitions on the app's critical path add up to its fitted orchestration overhead
// (App.OrchestrationS). The simulator charges one transition per state entered outside a VM,
// including each Map iteration's states, and the iterations of a Map wait theirs concurrently,
// so the critical path holds one per task step plus, per Map, one for the Map and one per state
// of its iterator. Apps without a fitted overhead get base unchanged. base is not modified.
func Platform(app string, base *platform.Platform) *platform.Platform {
	p := *base
	a, ok := registry[app]
	if !ok || a.OrchestrationS == 0 {
		return &p
	}
	p.TransitionLatency = a.OrchestrationS / float64(criticalTransitions(a.Build().Steps))
	return &p
}

// criticalTransitions counts the state transitions on the longest chain of seq.
func criticalTransitions(seq []dag.Step) int {
	n := 0
	for i := range seq {
		s := &seq[i]
		switch s.Kind() {
		case dag.MapStep:
			n += 1 + criticalTransitions(s.Map.Iterator)
		case dag.ParallelStep:
			m := 0
			for _, br := range s.Parallel {
				m = max(m, criticalTransitions(br))
			}
			n += 1 + m
		default:
			n++
		}
	}
	return n
}
