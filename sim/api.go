package sim

// This file is the contract other packages build against: the summary and the result of a run.
// The record types are in package records.
// The implementation lives in the other files of this package.

import "github.com/wisefuse/wisefuse/records"

// Summary aggregates a simulation. Latencies are in milliseconds, as their JSON names say.
type Summary struct {
	Runs              int     `json:"runs"`
	P50               float64 `json:"p50_ms"`
	P95               float64 `json:"p95_ms"`
	P99               float64 `json:"p99_ms"`
	MeanLatency       float64 `json:"mean_ms"`
	MeanCost          float64 `json:"mean_cost_usd"`
	ColdStartFraction float64 `json:"cold_start_fraction"`
	MeanLiveVMs       float64 `json:"mean_live_instances"` // time-average of live (busy or warm) VMs
	PeakLiveVMs       int     `json:"peak_live_instances"`
	Events            int64   `json:"events"`
}

// Result holds a simulation's records and summary. Invocations is filled only when
// Options.KeepInvocations is set.
type Result struct {
	DAGs        []records.DAGRun
	Invocations []records.Invocation
	Summary     Summary
}
