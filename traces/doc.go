// Package traces is the workload side of the pipeline: it produces and reads Azure Durable
// Functions style DAG traces, and characterizes them, for the trace experiments and the trace
// commands of the CLI.
//
//   - Schema and I/O (schema.go): the DAG-invocation and function-invocation tables, streamed
//     batch by batch as CSV or Parquet, so memory does not grow with a trace's length; every row
//     read is checked against the facts of a DAG invocation and the limits MaxWidth, MaxDepth,
//     MaxDataBytes and MaxSkew (the catalog's rows too, catalog.go).
//   - Generation (population.go, arrivals.go, gen.go): a synthetic DAG population calibrated to
//     the published Azure statistics (popularity, width/depth/node CDFs, data and skew), arrivals
//     over days, and every invocation's latency from simulating its DAG's workflow (workflow.go)
//     in package sim.
//   - Import (azure.go): the public Azure Functions traces (2019 and 2021) as DAG traces.
//   - Characterization (characterize.go, figures.go): one streaming pass with fixed-size sketches
//     gives popularity, structure CDFs against the published ones (KS distance) and latency by
//     intermediate data and skew; FigureData.Draw is the one drawing of its figures, used by
//     trace characterize and the characterization experiment.
//
// It imports dag, platform, sim, tables, figures and internal/stats; experiments and the CLI
// import it. The entry points are Generate, CreateDAGTable, ReadAzure2019/ReadAzure2021,
// CharacterizeFile and Characterization.WriteTables/WriteFigures.
package traces
