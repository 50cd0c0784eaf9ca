// Package wisefuse is the system of the paper: a Profiler that turns run records or real profiling
// logs into per-function, per-memory empirical distributions (keeping joint per-run samples), a
// Modeler that predicts a plan's end-to-end latency distribution from profiles alone, and a
// Transformer that searches fusion, bundling and VM sizes by dynamic programming for the cheapest
// plan whose latency percentile meets a target.
package wisefuse
