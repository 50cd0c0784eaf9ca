package sim

// This file holds the summary of DAG records: latency percentiles, mean cost, cold starts.

import (
	"github.com/wisefuse/wisefuse/internal/sketch"
	"github.com/wisefuse/wisefuse/records"
)

// Summarize computes the latency percentiles and mean (seconds), mean cost, cold-start fraction
// and timed-out count of DAG records, every latency kept (the live-instance figures, event count
// and rejections need the engine and stay zero).
func Summarize(dags []records.DAGRun) Summary { return summarize(dags, ReplayStats{}) }

// summarize is Summarize with a run's engine figures st.
func summarize(dags []records.DAGRun, st ReplayStats) Summary {
	sum := NewSummarizer(len(dags))
	for i := range dags {
		sum.Add(&dags[i])
	}
	return sum.Summary(st)
}

// Summarizer sums DAG invocations up into a Summary as they end: the latencies in a sketch exact
// up to the limit it is made with, then within internal/sketch's 1%, and the rest as sums, so its
// memory does not grow with the runs past that limit. Summarize, sim.Run and `simulate`'s stream
// all summarize through it, so a summary is the same to the last bit whichever way its records
// came.
//
// The latencies are summarized in milliseconds and then divided by 1000, exactly as callers did
// when Summary held milliseconds: a percentile of the seconds themselves can differ in the last
// bit, and that would change every output printed from it.
type Summarizer struct {
	lat            sketch.Sketch
	sumMS, cost    float64
	invs, colds    int64
	runs, timedOut int
}

// NewSummarizer returns an empty Summarizer whose percentiles are exact over up to exact runs.
func NewSummarizer(exact int) *Summarizer { return &Summarizer{lat: sketch.NewExact(exact)} }

// Add adds DAG invocation d.
func (s *Summarizer) Add(d *records.DAGRun) {
	ms := d.Latency * 1000
	s.lat.Add(ms)
	s.sumMS += ms
	s.cost += d.Cost
	s.invs += int64(d.Invocations)
	s.colds += int64(d.ColdStarts)
	s.runs++
	if d.TimedOut {
		s.timedOut++
	}
}

// Summary returns the summary of what was added, with a run's engine figures st (zero values
// for records alone).
func (s *Summarizer) Summary(st ReplayStats) Summary {
	out := Summary{Runs: s.runs, TimedOut: s.timedOut, Events: st.Events, PeakLiveVMs: st.PeakLiveVMs,
		Rejected: int(st.Rejected), Retries: int(st.Retries), MeanLiveVMs: st.MeanLiveVMs,
		MeanRunningVMs: st.MeanRunningVMs, MeanIdleVMs: st.MeanIdleVMs, MeanLifespanS: st.MeanLifespanS, IdleGBS: st.IdleGBS}
	if s.runs == 0 {
		return out
	}
	out.P50S = s.lat.Quantile(0.50) / 1000
	out.P95S = s.lat.Quantile(0.95) / 1000
	out.P99S = s.lat.Quantile(0.99) / 1000
	out.MeanLatencyS = s.sumMS / float64(s.runs) / 1000
	out.MeanCost = s.cost / float64(s.runs)
	if s.invs > 0 {
		out.ColdStartFraction = float64(s.colds) / float64(s.invs)
	}
	return out
}
