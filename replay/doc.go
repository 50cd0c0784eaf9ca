// Package replay replays a whole Azure-style trace through one shared simulated platform: every
// DAG invocation of the trace, in arrival order, under one policy's plans. It is what `wisefuse
// trace replay` runs and what the trace-replay experiment measures.
//
// The pipeline: read the trace's catalog (traces.ReadCatalog: what each DAG runs), plan each
// distinct DAG once under the policy (policy.New, in parallel, cached by DAG; with
// Config.ColdAware from runs cold as often as the trace's arrivals leave it cold), then stream the
// trace's rows (traces.DAGReader) into the simulator's multi-workflow replay (sim.Replay), which
// shares warm pools, keep-alive, the account's concurrency limit, storage and billing across all
// DAGs, and stream one output row per DAG invocation as it finishes. Memory is bounded by the
// DAG invocations in flight and the number of DAGs, never by the trace's length: per-DAG and
// overall latency distributions are kept in mergeable quantile sketches (DDSketch, 1% relative
// accuracy), which also let `wisefuse trace merge` combine the outputs of shards (Config.Shard)
// replayed on several machines. The trace is decoded and the output rows are written on their
// own goroutines, beside the simulation, in batches through bounded channels (pipe.go); the
// outputs and errors are those of one goroutine doing everything.
//
// Files: config.go (what a replay is asked), plan.go (planning each DAG), source.go (the trace as
// a checked stream of arrivals, and each DAG's cold share), output.go (tables and summary; quantiles in internal/sketch),
// merge.go (shards), pipe.go (the three goroutines), replay.go (Run).
package replay
