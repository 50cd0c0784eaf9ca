package tables_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/wisefuse/wisefuse/tables"
)

// Create streams rows to CSV or Parquet (by extension) and moves the file into place on Close;
// Open reads it back row by row, checking the columns.
func ExampleCreate() {
	dir, _ := os.MkdirTemp("", "tables")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "runs.parquet")
	schema := tables.Schema{{Name: "run", Type: tables.Int64}, {Name: "latency_s", Type: tables.Float64}}
	w, err := tables.Create(path, schema)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, lat := range []float64{1.5, 2.25} {
		w.Int(int64(i))
		w.Float(lat)
		if err := w.EndRow(); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
		return
	}
	r, err := tables.Open(path, schema)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for r.Next() {
		fmt.Println(r.Int(0), r.Float(1))
	}
	fmt.Println(r.Err())
	// Output:
	// 0 1.5
	// 1 2.25
	// <nil>
}
