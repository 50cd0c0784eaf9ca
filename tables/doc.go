// Package tables writes and reads typed row tables as CSV or Parquet (apache arrow go v15),
// streaming, with the format chosen by file extension. It is the only package that imports Arrow:
// sim records, traces and experiment results all go through it.
//
// Files appear atomically: a Writer writes to a temporary file and renames it on Close, so an
// interrupted write never leaves a partial file. Readers stream row by row in bounded memory and
// name the file, line or row, and column of any malformed value; a CSV row must have as many
// fields as the header line, and a Parquet page arrow's decoder panics on is a corrupt file, not
// a crash. ReadInvocations and ReadDAGRuns also refuse a record no run can have logged.
//
// A Nullable column holds null for a value that does not exist (an empty CSV field, a Parquet
// null); an Optional column may be missing from a file read, which then reads as its zero value
// in every row (a column added after files were written without it: the records' timed_out and
// rejected); and a Plain column is stored in Parquet without a dictionary (for mostly distinct
// values). Options.Metadata is a table's provenance: Parquet key-value metadata, or for CSV a
// FILE.meta.json sidecar committed with the table; ReadMetadata reads either.
package tables
