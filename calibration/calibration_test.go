package calibration

import (
	"bytes"
	"fmt"
	"math"
	"testing"

	"github.com/wisefuse/wisefuse/platform"
)

// knownGaps are the cells the platform's model cannot reach (docs/calibration.md, "Known gaps"),
// each with the largest relative P50/P95 error accepted today, so that the gap stays visible and a
// regression beyond it still fails. Everything else must be within Cell.Tolerance.
//
//   - chatbot TrainIntentClassifier: faster at 5000 MB than at 10240 MB in the data (P50 2.60 vs
//     3.87 s), which no model whose speed grows with memory can follow, and the 10240 MB profile
//     drifted while it was measured (TestOnlyChatbot10240Moved); chatbot E2E inherits its heavy
//     10240 MB tail; SplitChatBot's P95 at 5000 MB is above both neighbours.
var knownGaps = map[string]float64{
	"chatbot/TrainIntentClassifier/1000": 0.40, "chatbot/TrainIntentClassifier/5000": 0.25,
	"chatbot/TrainIntentClassifier/10240": 0.50,
	"chatbot/E2E/1000":                    0.20, "chatbot/E2E/10240": 0.30,
	"chatbot/SplitChatBot/5000": 0.15,
}

func TestCalibrationMatchesProfiles(t *testing.T) {
	var all []Comparison
	for _, app := range ProfiledApps {
		cmps, err := Compare(app, loadProfiles(t, app), 1, platform.Default())
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, cmps...)
	}
	for _, c := range all {
		for _, x := range c.Cells {
			key := fmt.Sprintf("%s/%s/%d", x.App, x.Stage, x.MemoryMB)
			bound, gap := knownGaps[key]
			switch {
			case x.OK() && gap:
				t.Logf("%s is listed as a known gap but is now within tolerance: remove it from knownGaps", key)
			case x.OK():
			case gap:
				e := math.Max(math.Abs(x.SimP50/x.MeasP50-1), math.Abs(x.SimP95/x.MeasP95-1))
				if e > bound {
					t.Errorf("%s (known gap): error %.1f%% exceeds its bound %.0f%%", key, 100*e, 100*bound)
				}
			default:
				t.Errorf("%s: simulated P50 %.3f / P95 %.3f s vs measured %.3f / %.3f s: outside tolerance", key, x.SimP50, x.SimP95, x.MeasP50, x.MeasP95)
			}
		}
	}
	if testing.Verbose() {
		var b bytes.Buffer
		WriteCellTable(&b, all)
		t.Log("\n" + b.String())
	}
}

// The measured bundling shape (shared/data/README.md): P95 falls from B=1 to B=2 and B=5, and
// B=10 is slower than B=5 because 10 items share the 10,240 MB / 6 vCPU cap.
func TestBundlingShape(t *testing.T) {
	pts, err := SimulateBundling(100, 1, platform.Default())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	WriteBundlingTable(&b, pts)
	if !BundlingShapeHolds(pts) {
		t.Errorf("simulated bundling does not have the measured shape:\n%s", b.String())
	}
	if testing.Verbose() {
		t.Log("\n" + b.String())
	}
}

// TestDrift: the halves of a profile are compared by their medians, in run order.
func TestDrift(t *testing.T) {
	p := &Profile{App: "a", MemoryMB: 1000, Stages: map[string][]float64{
		"S": {1, 1, 1, 2, 2, 2}, E2EStage: {3, 3, 3, 3, 3, 3}}}
	d := p.Drifts()
	if len(d) != 2 || d[0].Stage != "S" || d[0].Change() != 1 || d[1].Stage != E2EStage || d[1].Change() != 0 {
		t.Errorf("drifts = %+v, want S +100%% then E2E 0%%", d)
	}
}

// TestOnlyChatbot10240Moved: the public profiles are stationary (each stage's median moves by
// at most DriftLimit between the halves of its runs) except chatbot at 10,240 MB, whose medians
// rose while it was measured (TrainIntentClassifier +39%, SplitChatBot +11%, E2E +15%); knownGaps
// rests on this.
func TestOnlyChatbot10240Moved(t *testing.T) {
	for _, app := range ProfiledApps {
		for _, p := range loadProfiles(t, app) {
			for _, d := range p.Drifts() {
				moved := math.Abs(d.Change()) > DriftLimit
				want := app == "chatbot" && p.MemoryMB == 10240
				if moved != want {
					t.Errorf("%s/%s at %d MB: median %.3f -> %.3f s (%+.1f%%), moved = %v, want %v",
						app, d.Stage, p.MemoryMB, d.FirstP50, d.LastP50, 100*d.Change(), moved, want)
				}
			}
		}
	}
}
