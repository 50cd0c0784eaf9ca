package traces

import (
	"fmt"
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

// BenchmarkReadDAGParquet measures reading and checking one row of a DAG-invocation table of
// 200,000 rows over 2,000 DAGs (ids like a generated trace's), as a replay reads its trace.
func BenchmarkReadDAGParquet(b *testing.B) {
	const n = 200_000
	path := filepath.Join(b.TempDir(), "t.parquet")
	w, err := CreateDAGTable(path)
	if err != nil {
		b.Fatal(err)
	}
	row := sampleInvocations(1)[0]
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range n {
		row.DAG = fmt.Sprintf("dag-%016x", uint64(rng.IntN(2000))*0x9e3779b97f4a7c15)
		row.Invocation, row.Arrival = int64(i), float64(i)*0.1
		if err := w.Write(&row); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		r, err := OpenDAGTable(path)
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
			rows++
		}
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/row")
}
