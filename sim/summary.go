package sim

// This file holds the summary of DAG records: latency percentiles, mean cost, cold starts.

import (
	"slices"

	"github.com/wisefuse/wisefuse/internal/stats"
	"github.com/wisefuse/wisefuse/records"
)

// Summarize computes the latency percentiles, mean cost and cold-start fraction of DAG records
// (the live-instance figures and event count need the engine and stay zero).
func Summarize(dags []records.DAGRun) Summary {
	s := Summary{Runs: len(dags)}
	if len(dags) == 0 {
		return s
	}
	lat := make([]float64, len(dags))
	var cost, sum float64
	var invs, colds int
	for i, d := range dags {
		lat[i] = d.Latency * 1000
		sum += lat[i]
		cost += d.Cost
		invs += d.Invocations
		colds += d.ColdStarts
	}
	slices.Sort(lat)
	s.P50 = stats.Percentile(lat, 50)
	s.P95 = stats.Percentile(lat, 95)
	s.P99 = stats.Percentile(lat, 99)
	s.MeanLatency = sum / float64(len(dags))
	s.MeanCost = cost / float64(len(dags))
	if invs > 0 {
		s.ColdStartFraction = float64(colds) / float64(invs)
	}
	return s
}
