// Package records holds what a platform logs about a run: one record per function invocation and
// one per DAG invocation. The simulator produces them, the WiseFuse profiler reads them (as it
// would read a real platform's billing logs), and package tables writes and reads them as CSV or
// Parquet. It imports nothing, so every layer may use it.
package records
