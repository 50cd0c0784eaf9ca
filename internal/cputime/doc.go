// Package cputime gives the process's CPU time for the benchmarks (imported by _test.go files
// only). The simulator and the planner are single-threaded, so on a shared machine CPU time per
// operation measures their speed better than wall time does.
package cputime
