// Package sim is a deterministic discrete-event simulator of an AWS-Lambda-like serverless
// platform: VM sizes and CPU share, processor sharing inside a VM, cold starts and keep-alive
// warm pools, remote storage, orchestration transitions and billing.
//
// It executes a (dag.Workflow, dag.Plan) either as N independent runs, as a profiler does, or
// under a stream of DAG arrivals that share warm pools. The core is single-threaded: time moves
// only through the event queue and every random draw comes from a *rand.Rand derived from
// (seed, stream), so the same inputs give byte-identical records.
//
// sim knows nothing about planners; it runs whatever plan it is given. The platform's constants,
// each with its source, are in package platform; the exact execution semantics are in
// docs/simulator.md. engine.go explains the engine's structure and lists the file that holds
// each of its concepts; run.go holds the entry points, api.go the result types.
package sim
