package experiments

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/internal/shareddata"
	"github.com/wisefuse/wisefuse/internal/shareddata/sharedtest"
	"github.com/wisefuse/wisefuse/internal/stats"
	"github.com/wisefuse/wisefuse/orion"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// TestLogAccuracyReport: with the public logs, log-accuracy writes the 12 rows (3 apps x 2 cases x
// P50, P95), each the log modeler's prediction and the measured percentile computed here
// independently, and REPORT.md gets a headline per app and case against the 13% bar; without
// them, no rows and "Data absent" in the report.
func TestLogAccuracyReport(t *testing.T) {
	dir := filepath.Dir(sharedtest.Require(t, "aws-lambda-profiles", "video"))
	out := t.TempDir()
	if err := Run(Config{Out: out, Only: []string{"log-accuracy"}, Quick: true, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	e, _ := Lookup("log-accuracy")
	base := out
	rows, err := readTable(filepath.Join(base, "log-accuracy", "log-accuracy.csv"), e.Schema)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 12 {
		t.Fatalf("%d rows, want 12", len(rows))
	}
	for _, r := range rows {
		app, kase, q, pred, meas := r[0].(string), r[1].(string), r[4].(float64), r[5].(float64), r[6].(float64)
		fit, target := []int{1000, 10240}, 5000
		if kase == "extrapolation" {
			fit, target = []int{1000, 5000}, 10240
		}
		var logs []*orion.Log
		for _, mb := range fit {
			l, err := orion.ReadFile(filepath.Join(dir, app, orion.FileName(mb)))
			if err != nil {
				t.Fatal(err)
			}
			logs = append(logs, l)
		}
		m, err := wisefuse.NewLogModel(logs, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := m.Predict(func(string) int { return target }).Latency.Percentile(q)
		l, err := orion.ReadFile(filepath.Join(dir, app, orion.FileName(target)))
		if err != nil {
			t.Fatal(err)
		}
		wantMeas := stats.Percentiles(l.Seconds[orion.E2E], q)[0]
		if math.Abs(pred-want) > 1e-9*want || math.Abs(meas-wantMeas) > 1e-9*wantMeas {
			t.Errorf("%s %s P%g: row %.6f / %.6f, want %.6f / %.6f", app, kase, q, pred, meas, want, wantMeas)
		}
	}
	rep, err := os.ReadFile(filepath.Join(base, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## log-accuracy:", "| video: log model E2E error, interpolation (5000 MB from 1000 + 10240 MB) | P95 error <= 13% | P50 ",
		"| chatbot: log model E2E error, extrapolation (10240 MB from 1000 + 5000 MB) |"} {
		if !strings.Contains(string(rep), want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}

	// Without the data.
	t.Setenv(shareddata.EnvVar, t.TempDir())
	out = t.TempDir()
	if err := Run(Config{Out: out, Only: []string{"log-accuracy"}, Quick: true, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	rows, err = readTable(filepath.Join(out, "log-accuracy", "log-accuracy.csv"), e.Schema)
	if err != nil || len(rows) != 0 {
		t.Errorf("without the data: %d rows (err %v), want none", len(rows), err)
	}
	rep, _ = os.ReadFile(filepath.Join(out, "REPORT.md"))
	if !strings.Contains(string(rep), "**Data absent:** the public AWS Lambda logs of video, ml, chatbot") || strings.Contains(string(rep), "log model E2E error") {
		t.Errorf("without the data, REPORT.md says:\n%s", rep)
	}
}
