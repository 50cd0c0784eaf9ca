package main

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzArrivalsCSV: any --arrivals file either gives sorted, finite, non-negative times, or an
// error; never a panic.
func FuzzArrivalsCSV(f *testing.F) {
	f.Add("0\n1.5\n3\n")
	f.Add("arrival_s,x\n2,a\n1,b\n")
	f.Add("time\nNaN\n")
	f.Add("a,b\n1\n")
	f.Add("\n\n1e400\n")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body string) {
		path := filepath.Join(dir, "a.csv")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		times, err := readArrivalsCSV(path, io.Discard)
		if err != nil {
			return
		}
		if len(times) == 0 || !slices.IsSorted(times) {
			t.Fatalf("times %v: want some, sorted", times)
		}
		for _, v := range times {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("time %v accepted", v)
			}
		}
	})
}
