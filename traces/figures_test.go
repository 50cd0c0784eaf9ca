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

// TestStatsWithinValuesAndNull: a quantile of the log-binned sketches stays within the values
// added (skews of exactly 1 had a median of 1.0005, above their maximum of 1, in every generated
// trace), and a statistic that does not exist (the median latency of a group without
// invocations, the data sizes of a trace that knows none) is null in stats.csv, not NaN.
func TestStatsWithinValuesAndNull(t *testing.T) {
	c := NewCharacterization()
	for i := range 3 {
		c.Add(&DAGInvocation{DAG: "d", Invocation: int64(i), Width: 1, Depth: 1, Nodes: 1, DataBytes: -1, Skew: 1, Latency: 2})
	}
	stat := map[string]float64{}
	for _, s := range c.Stats(AzurePublished) {
		stat[s.Name] = s.Value
	}
	for _, name := range []string{"skew_p50", "skew_p99"} {
		if stat[name] != 1 {
			t.Errorf("%s %v, want 1 (every skew is 1)", name, stat[name])
		}
	}
	for _, name := range []string{"latency_p50_s", "latency_p99_s"} {
		if stat[name] != 2 {
			t.Errorf("%s %v, want 2 (every latency is 2)", name, stat[name])
		}
	}
	dir := t.TempDir()
	if err := c.WriteTables(dir, AzurePublished); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "stats.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(bytes.ToLower(b), []byte("nan")) || bytes.Contains(bytes.ToLower(b), []byte("inf")) {
		t.Errorf("stats.csv holds NaN or Inf:\n%s", b)
	}
	for _, want := range []string{"\ndata_bytes_p50,,", "\nlatency_p50_s_large_data,,"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("stats.csv lacks %q:\n%s", want, b)
		}
	}
}
