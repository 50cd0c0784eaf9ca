package sim

// This file is the contract other packages build against: the summary and the result of a run.
// The record types are in package records.
// The implementation lives in the other files of this package.

import "github.com/wisefuse/wisefuse/records"

// Summary aggregates a simulation. Latencies are in seconds, costs in USD. It has no JSON names:
// what a command prints, and in which units, is decided where it prints it.
type Summary struct {
	Runs              int     // DAG invocations
	P50S              float64 // median end-to-end latency of a DAG invocation, seconds
	P95S              float64 // 95th percentile of the end-to-end latency, seconds
	P99S              float64 // 99th percentile of the end-to-end latency, seconds
	MeanLatencyS      float64 // mean end-to-end latency, seconds
	MeanCost          float64 // USD per DAG invocation
	ColdStartFraction float64 // of function invocations
	MeanLiveVMs       float64 // time-average of live (busy or warm) VMs
	PeakLiveVMs       int     // most VMs live at once
	Events            int64   // events the engine handled
	// Rejected counts DAG invocations that failed at the concurrency limit (Platform
	// AtConcurrencyLimit "reject", or "retry" after its last attempt); they stay in the latency
	// and cost figures, ending when the work they had running ended. Retries counts the VM
	// acquisitions retried ("retry").
	Rejected int
	Retries  int
	// TimedOut counts DAG invocations that failed because a VM invocation of theirs was stopped
	// at the function timeout (Platform.FunctionTimeout); they too stay in the latency and cost
	// figures, ending at the failure.
	TimedOut int
	// Instances (arrivals only): the time-averages of running VMs (busy: initialising, computing,
	// or holding output for direct pulls) and of idle warm VMs, which add up to MeanLiveVMs; the
	// mean lifespan of a VM, from creation to reclaim (VMs still live at the end count up to it);
	// and IdleGBS, the memory-time held by idle warm VMs (GB-seconds: the provider's waste).
	MeanRunningVMs float64
	MeanIdleVMs    float64
	MeanLifespanS  float64
	IdleGBS        float64
}

// Result holds a simulation's records and summary. Invocations is filled only when
// Options.KeepInvocations is set.
type Result struct {
	DAGs        []records.DAGRun
	Invocations []records.Invocation
	Summary     Summary
}
