package traces

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDAGParquetReader: any bytes given as a trace Parquet file either read as rows or stop with
// an error; never a panic. The seeds are a valid table and corruptions of it.
func FuzzDAGParquetReader(f *testing.F) {
	dir := f.TempDir()
	good := filepath.Join(dir, "good.parquet")
	w, err := CreateDAGTable(good)
	if err != nil {
		f.Fatal(err)
	}
	for i := range 5 {
		if err := w.Write(&DAGInvocation{DAG: "d", Invocation: int64(i), Arrival: float64(i), Width: 1, Depth: 1, Nodes: 1, DataBytes: -1, Skew: 1, Latency: 1}); err != nil {
			f.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(good)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:len(b)/2])
	flipped := append([]byte(nil), b...)
	flipped[len(flipped)/2] ^= 0xff
	f.Add(flipped)
	f.Add([]byte("PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "f.parquet")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := OpenDAGTable(path)
		if err != nil {
			return
		}
		defer r.Close()
		for n := 0; r.Next() && n < 1_000_000; n++ {
		}
	})
}
