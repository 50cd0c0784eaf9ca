// Package experiments reproduces the paper's results: it is the last step of the pipeline before
// the CLI, where workflows (apps, traces), planners (policy: WiseFuse and the baselines) and the
// simulator (sim) meet, and where tables, figures and the report come out.
//
// Each experiment (one per paper figure or sweep) is an Experiment registered by name: a grid of
// independent cells, a table schema, a figure drawn from the whole table, headlines that set
// our numbers beside the paper's and, where those cannot hold it, a summary in markdown (a
// table). A cell's only randomness is a seed derived from (experiment, cell key, replicate), so a
// result does not depend on worker count, shard or order. A table's row
// is a struct with one tagged field per column (rows.go).
//
// Run executes experiments in steps, one file each: plan every cell (cells.go), skip the cells an
// earlier run of the same build kept on disk so an interrupted run resumes (resume.go; a cell
// that missed public data is not reused once the data is there), compute the rest on a pool
// of workers that keeps each cell's rows as soon as it is done (pool.go), assemble each table as
// CSV and Parquet and draw its figure (output.go), and write REPORT.md (report.go). With shards,
// each shard writes its part of the tables, which concatenate.
//
// It imports the models and libraries below it (apps, dag, platform, policy, sim, traces,
// wisefuse, tables, figures); only the CLI imports it. The experiment files are grouped by
// prefix: apps_* (built-in apps: profiles, model accuracy, SLO targets, comparisons, and
// apps_platforms: the comparisons on each built-in platform, AWS and Azure), motivation,
// sweeps_* and traces_* (characterization and replay of Azure-style traces), peer_simfaas and
// keepalive (checks against SimFaaS and Serverless in the Wild, docs/peers.md), and log_accuracy
// (the physical log modeler against the public AWS Lambda logs).
package experiments
