// Package traces owns Azure Durable Functions style DAG traces: the schema of DAG and function
// invocation tables, streaming CSV and Parquet readers and writers, a synthetic generator
// calibrated to the published Azure statistics, importers for the public Azure Functions traces
// (2019 and 2021), and the workload characterization (popularity, width/depth/node CDFs, latency
// by data size and skew).
package traces
