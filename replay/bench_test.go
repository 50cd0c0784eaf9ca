package replay

import (
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
)

// BenchmarkReplayMemory replays traces of one population of 500 DAGs at the same arrival rate
// (20,000 DAG invocations a day) over 1 and 10 days, and reports
// the peak live heap, sampled as outcomes stream out, and that peak per DAG invocation: the peak
// stays put while the trace grows tenfold (it is bounded by the DAGs and what is in flight), so
// the bytes per invocation fall tenfold.
func BenchmarkReplayMemory(b *testing.B) {
	dir := b.TempDir()
	for _, n := range []int64{20_000, 200_000} {
		trace := genTraceDays(b, dir, fmt.Sprintf("t%d.parquet", n), 500, n, float64(n)/20_000)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var peak uint64
			var ms runtime.MemStats
			sample := func(stage string, done, total, events int64) {
				if stage == "replay" && done%(16<<10) == 0 {
					runtime.GC() // the live heap, not garbage awaiting collection
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
			}
			for b.Loop() {
				runtime.GC()
				if _, err := Run(Config{Trace: trace, Out: filepath.Join(dir, "out"), Progress: sample}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(peak), "peak-heap-bytes")
			b.ReportMetric(float64(peak)/float64(n), "peak-heap-bytes/DAGinvocation")
			b.ReportMetric(float64(n)/(b.Elapsed().Seconds()/float64(b.N)), "DAGinvocations/s")
		})
	}
}
