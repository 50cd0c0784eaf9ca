// Package experiments is the registry of named experiments (one per paper figure or sweep) and
// the runner that executes their cells in parallel with seeds derived from (experiment, cell,
// replicate), placing results by index so output is identical at any worker count, resuming
// interrupted runs, and writing tables and the report.
package experiments
