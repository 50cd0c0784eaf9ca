package figures_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/wisefuse/wisefuse/figures"
)

// A CDF of two policies' latencies with a latency target, written as fig.png and fig.svg.
func ExampleCDF() {
	dir, err := os.MkdirTemp("", "figures")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	fig := figures.CDF{
		Title: "E2E latency, video analytics",
		X:     figures.Axis{Label: "E2E latency (s)"},
		Series: []figures.Sample{
			{Name: "WiseFuse", Values: []float64{21, 22, 22.5, 23, 24, 26}},
			{Name: "User-Min", Values: []float64{40, 44, 47, 52, 58, 71}},
		},
		Refs: []figures.Ref{{Label: "SLO", Value: 30}},
	}
	if err := fig.Write(filepath.Join(dir, "fig")); err != nil {
		log.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	// Output:
	// fig.png
	// fig.svg
}
