package traces

import "math"

// Intermediate data models of a generated population (PopulationConfig.DataModel).
const (
	// DataLogNormal (the default) draws a DAG invocation's intermediate data from a log-normal of
	// DataMedianBytes and DataSigma, an assumption (docs/traces.md).
	DataLogNormal = "lognormal"
	// DataBlobTrace draws the size of one payload from the blob sizes of the Azure Functions blob
	// access trace (blobSizeQuantiles) and gives a DAG invocation one such payload per hand-off:
	// DataBytes = (Depth + 1) x payload (into the first stage, between stages, out of the last;
	// Workflow splits a hand-off over a stage's items).
	DataBlobTrace = "blob-trace"
)

// blobSizeQuantiles are the sizes of the blobs Azure Functions applications read and wrote, one
// size per blob (ETag), as quantiles (fraction of blobs, bytes): the Azure Functions Blob Access
// Trace 2020 (44.3 million accesses, November 23 to December 6 2020; Romero et al., "Faa$T: A
// Transparent Auto-Scaling Cache for Serverless Applications", SoCC 2021), percentiles printed by
// the notebook published with it (github.com/Azure/AzurePublicDataset,
// analysis/AzureFunctionsBlobDataset2020-Trace_Analysis.ipynb, commit 6e4951c6, plt_blob_sizes,
// "All" blobs). The 0th percentile (0 bytes) is left out: a payload holds at least the p1's 8
// bytes. The maximum is 1.78 GiB.
//
// How blob accesses map to a DAG's intermediate data (they are not the same thing): a blob is
// whatever an application stores, which includes inputs, outputs and state as well as data one
// function hands to the next, and Durable Functions passes activity inputs and outputs through
// queue messages and, above 45 KB, blobs. DataBlobTrace takes a hand-off's payload to be sized
// like a blob the trace saw, the same for every hand-off of a DAG (the DAG's quantile).
var blobSizeQuantiles = []struct{ p, bytes float64 }{
	{0.01, 8}, {0.05, 8}, {0.10, 46}, {0.20, 482}, {0.25, 542}, {0.50, 5302}, {0.75, 9240},
	{0.80, 12367}, {0.90, 26764}, {0.95, 110611}, {0.99, 1589532}, {1, 1910124864},
}

// BlobSizeQuantile returns the blob size at quantile u of blobSizeQuantiles, interpolating
// log-linearly in bytes between the published percentiles (8 bytes below the 1st).
func BlobSizeQuantile(u float64) float64 {
	q := blobSizeQuantiles
	if u <= q[0].p {
		return q[0].bytes
	}
	for i := 1; i < len(q); i++ {
		if u <= q[i].p {
			f := (u - q[i-1].p) / (q[i].p - q[i-1].p)
			return math.Exp(math.Log(q[i-1].bytes) + f*(math.Log(q[i].bytes)-math.Log(q[i-1].bytes)))
		}
	}
	return q[len(q)-1].bytes
}
