package traces

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The characterization writes its tables and nine figures, and the same trace gives the same
// bytes (PNG and SVG are byte-stable).
func TestCharacterizationOutputs(t *testing.T) {
	c := NewCharacterization()
	rows := sampleInvocations(5000)
	for i := range rows {
		rows[i].DataBytes = int64(i%4) * 700_000
		c.Add(&rows[i])
	}
	var first map[string][]byte
	for run := range 2 {
		dir := t.TempDir()
		if err := c.WriteTables(dir, AzurePublished); err != nil {
			t.Fatal(err)
		}
		if err := c.WriteFigures(dir, AzurePublished); err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, name := range []string{"stats.csv", "popularity.csv", "structure.csv", "latency.csv",
			"popularity.png", "popularity.svg", "width.png", "width.svg", "depth.png", "nodes.svg",
			"width_ccdf.png", "depth_ccdf.svg", "nodes_ccdf.png",
			"latency_data.png", "latency_data.svg", "latency_skew.png", "latency_skew.svg"} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || len(b) < 100 {
				t.Fatalf("%s: %d bytes, %v", name, len(b), err)
			}
			files[name] = b
			if run == 1 && !bytes.Equal(b, first[name]) {
				t.Errorf("%s differs between two renderings of the same trace", name)
			}
		}
		first = files
	}
	// stats.csv carries the popularity and ratio lines the closing note cites.
	for _, want := range []string{"top5pct_share", "ks_width", "median_latency_ratio_data", "median_latency_ratio_skew"} {
		if !bytes.Contains(first["stats.csv"], []byte(want)) {
			t.Errorf("stats.csv lacks %s", want)
		}
	}
}
