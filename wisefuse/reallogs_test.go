package wisefuse

import (
	"math"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/shareddata/sharedtest"
	"github.com/wisefuse/wisefuse/internal/stats"
)

// realLogDir returns the real profiling logs of app, skipping (or failing under CI) when the
// shared data folder is absent.
func realLogDir(t *testing.T, app string) string {
	t.Helper()
	return sharedtest.Require(t, "aws-lambda-profiles", app)
}

// onlySizes returns a copy of p with just the given sizes.
func onlySizes(p *Profile, mems ...int) *Profile {
	q := &Profile{Workflow: p.Workflow, Source: p.Source}
	for _, s := range p.Sizes {
		for _, m := range mems {
			if s.MemoryMB == m {
				q.Sizes = append(q.Sizes, s)
			}
		}
	}
	return q
}

// TestRealLogs predicts E2E P95 on the real AWS Lambda logs: at each profiled size from that
// size's stage profiles alone, and at 5,000 MB from the 1,000 and 10,240 MB profiles.
func TestRealLogs(t *testing.T) {
	for _, app := range []string{"video", "ml", "chatbot"} {
		p, err := ReadLogs(realLogDir(t, app))
		if err != nil {
			t.Fatal(err)
		}
		measured := func(mem int) float64 {
			return stats.Percentiles(p.Size(mem).E2E, 95)[0]
		}
		predict := func(prof *Profile, mem int) float64 {
			m, err := NewModel(prof, ModelOptions{})
			if err != nil {
				t.Fatal(err)
			}
			pr, err := m.Predict(dag.UniformPlan(mem))
			if err != nil {
				t.Fatal(err)
			}
			return pr.Percentile(95)
		}
		for _, mem := range []int{1000, 5000, 10240} {
			got, want := predict(onlySizes(p, mem), mem), measured(mem)
			e := math.Abs(got-want) / want
			t.Logf("%s %5d MB own profile:       predicted P95 %6.2fs measured %6.2fs error %5.1f%%", app, mem, got, want, 100*e)
			if e > 0.13 {
				t.Errorf("%s at %d MB: P95 error %.1f%% > 13%%", app, mem, 100*e)
			}
		}
		got, want := predict(onlySizes(p, 1000, 10240), 5000), measured(5000)
		e := math.Abs(got-want) / want
		t.Logf("%s  5000 MB from 1000+10240: predicted P95 %6.2fs measured %6.2fs error %5.1f%%", app, got, want, 100*e)
		if e > 0.35 {
			t.Errorf("%s at 5000 MB interpolated: P95 error %.1f%% > 35%%", app, 100*e)
		}
	}
}
