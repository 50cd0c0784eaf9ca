package experiments

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMotivationFusionQuick runs the quick variant of a real experiment end to end: table in both
// formats, both figure formats, and a report headline with our number.
func TestMotivationFusionQuick(t *testing.T) {
	out := t.TempDir()
	if err := Run(Config{Out: out, Only: []string{"motivation-fusion"}, Quick: true, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"motivation-fusion.csv", "motivation-fusion.parquet", "motivation-fusion.png", "motivation-fusion.svg"} {
		if st, err := os.Stat(filepath.Join(out, "motivation-fusion", f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	rows, err := readTable(filepath.Join(out, "motivation-fusion", "motivation-fusion.csv"), registry["motivation-fusion"].Schema)
	if err != nil {
		t.Fatal(err)
	}
	tab := &Table{Schema: registry["motivation-fusion"].Schema, Rows: rows}
	sep := tab.Floats("p95_s", tab.Where("mode", "separate"))
	fus := tab.Floats("p95_s", tab.Where("mode", "fused"))
	if len(sep) != 7 || len(fus) != 7 {
		t.Fatalf("want 7 sizes per mode, got %d and %d", len(sep), len(fus))
	}
	// The physics the experiment exists to show: remote passing costs more the more data moves,
	// and fusion removes most of it.
	if !(sep[6] > 3*fus[6] && sep[6] > sep[0]) {
		t.Errorf("1 GB: separate %.2f s vs fused %.2f s; want separate > 3x fused and growing with size", sep[6], fus[6])
	}
	report, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil || !strings.Contains(string(report), "100 MB: P95") {
		t.Errorf("report lacks the fusion headline: %v", err)
	}
}
