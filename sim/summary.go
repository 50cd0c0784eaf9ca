package sim

// This file holds the summary of DAG records: latency percentiles, mean cost, cold starts.

import (
	"slices"

	"github.com/wisefuse/wisefuse/internal/stats"
	"github.com/wisefuse/wisefuse/records"
)

// Summarize computes the latency percentiles and mean (seconds), mean cost, cold-start fraction
// and timed-out count of DAG records (the live-instance figures, event count and rejections need
// the engine and stay zero).
//
// The latencies are summarized in milliseconds and then divided by 1000, exactly as callers did
// when Summary held milliseconds: a percentile of the seconds themselves can differ in the last
// bit, and that would change every output printed from it.
func Summarize(dags []records.DAGRun) Summary {
	s := Summary{Runs: len(dags)}
	if len(dags) == 0 {
		return s
	}
	ms := make([]float64, len(dags))
	var cost, sum float64
	var invs, colds int
	for i, d := range dags {
		ms[i] = d.Latency * 1000
		sum += ms[i]
		cost += d.Cost
		invs += d.Invocations
		colds += d.ColdStarts
		if d.TimedOut {
			s.TimedOut++
		}
	}
	slices.Sort(ms)
	s.P50S = stats.Percentile(ms, 50) / 1000
	s.P95S = stats.Percentile(ms, 95) / 1000
	s.P99S = stats.Percentile(ms, 99) / 1000
	s.MeanLatencyS = sum / float64(len(dags)) / 1000
	s.MeanCost = cost / float64(len(dags))
	if invs > 0 {
		s.ColdStartFraction = float64(colds) / float64(invs)
	}
	return s
}
