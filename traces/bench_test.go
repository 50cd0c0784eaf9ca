package traces

import (
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// BenchmarkArrivalStream measures one arrival (order statistic, diurnal inversion and Fenwick
// draw) over a 5,000-DAG population.
func BenchmarkArrivalStream(b *testing.B) {
	counts, err := popularityCounts(PopulationConfig{DAGs: 5000, Invocations: 1 << 40, TopFraction: 0.05, TopShare: 0.95, TopZipf: 0.5, TailZipf: 1})
	if err != nil {
		b.Fatal(err)
	}
	s := newArrivalStream(counts, 1, DefaultDiurnal, rand.New(rand.NewPCG(1, 1)))
	b.ReportAllocs()
	for b.Loop() {
		s.next()
	}
}

// BenchmarkWriteDAGParquet measures writing one DAG-invocation row to Parquet.
func BenchmarkWriteDAGParquet(b *testing.B) {
	w, err := CreateDAGTable(filepath.Join(b.TempDir(), "bench.parquet"))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Abort()
	row := sampleInvocations(1)[0]
	b.ReportAllocs()
	for b.Loop() {
		row.Invocation++
		if err := w.Write(&row); err != nil {
			b.Fatal(err)
		}
	}
}
