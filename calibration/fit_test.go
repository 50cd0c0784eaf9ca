package calibration

import (
	"math"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// The profiled stages must exist in the workflows under the names the profiles use, so that the
// calibration compares like with like.
func TestStagesNamedAsInProfiles(t *testing.T) {
	for _, app := range ProfiledApps {
		w, _ := apps.Lookup(app)
		for _, s := range Specs(app) {
			st := w.Step(s.Stage)
			if st == nil || st.Task != s.Stage {
				t.Errorf("%s: no task step %q", app, s.Stage)
				continue
			}
			n := 1
			w.Walk(func(path []string, x *dag.Step) {
				if x.Name == s.Stage && len(path) > 1 {
					m, _ := w.Step(path[len(path)-2]).Map.FixedItems()
					n = m
				}
			})
			if n != s.Items {
				t.Errorf("%s/%s: runs %d items per run, spec says %d", app, s.Stage, n, s.Items)
			}
		}
	}
}

// Spin-waiting threads: 12 threads on 2, 3 and 6 visible cores with g = 0.8; the fit recovers P
// and g exactly from the three sizes, and without the exponent it cannot.
func TestFitCPUOversubRecoversKnownModel(t *testing.T) {
	cores := []platform.Cores{CoresAt(1000), CoresAt(5000), CoresAt(10240)}
	var targets []float64
	for _, c := range cores {
		targets = append(targets, ComputeTime(0, 20, 12, 0.8, c))
	}
	f, err := FitCPUOversub(cores, targets, []int{12}, false, true)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(f.Parallel-20) > 1e-6 || math.Abs(f.Oversub-0.8) > 1e-9 || f.MaxRelErr() > 1e-9 {
		t.Errorf("fit = %+v, want P 20, g 0.8", f)
	}
	plain, err := FitCPU(cores, targets, []int{12}, false)
	if err != nil {
		t.Fatal(err)
	}
	if plain.MaxRelErr() < 0.1 {
		t.Errorf("without oversubscription the fit is within %.1f%%; the test data do not exercise it", 100*plain.MaxRelErr())
	}
}

func TestFitCPURecoversKnownModel(t *testing.T) {
	cores := []platform.Cores{CoresAt(1000), CoresAt(5000), CoresAt(10240)}
	var targets []float64
	for _, c := range cores {
		targets = append(targets, 0.5+ComputeTime(11, 18, 10, 0, c))
	}
	f, err := FitCPU(cores, targets, []int{10}, true)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(f.Serial-11) > 1e-6 || math.Abs(f.Parallel-18) > 1e-6 || math.Abs(f.Fixed-0.5) > 1e-6 {
		t.Errorf("fit = %+v, want fixed 0.5, S 11, P 18", f)
	}
	// Without an intercept the same data cannot be fitted exactly, and S, P stay non-negative.
	g, err := FitCPU(cores, targets, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if g.Serial < 0 || g.Parallel < 0 || g.MaxRelErr() == 0 {
		t.Errorf("fit without intercept = %+v", g)
	}
	if _, err := FitCPU(cores, []float64{1, -1, 1}, nil, false); err == nil {
		t.Error("a negative target must be an error")
	}
}

func TestStageFactorsGrowWithItemsAndSpread(t *testing.T) {
	one50, one95 := VariabilityModel{Items: 1, RunSigma: 0.2}.StageFactors()
	if math.Abs(one50-1) > 0.01 || math.Abs(one95-math.Exp(0.2*1.645)) > 0.02 {
		t.Errorf("single item: P50 %v P95 %v, want 1 and %v", one50, one95, math.Exp(0.2*1.645))
	}
	// Uniform skew on [0.4, 1]: the max of 30 items is close to 1 and the median falls with width.
	m50, _ := VariabilityModel{Items: 30, SkewWidth: 0.6}.StageFactors()
	if m50 < 0.97 || m50 > 1 {
		t.Errorf("max of 30 uniform[0.4,1]: median %v, want about 1 - 0.6*ln2/30", m50)
	}
	if s := FitRunSigma(VariabilityModel{Items: 1}, math.Exp(0.3*1.645)); math.Abs(s-0.3) > 0.01 {
		t.Errorf("FitRunSigma = %v, want 0.3", s)
	}
}

// The fitted numbers carried in video.go, ml.go and chatbot.go must be what the fit gives today.
func TestCarriedConstantsMatchFit(t *testing.T) {
	for _, app := range ProfiledApps {
		ps := loadProfiles(t, app)
		w, _ := apps.Lookup(app)
		a, _ := apps.Get(app)
		if o := FitOverhead(app, ps); math.Abs(o.Fitted-a.OrchestrationS) > 0.002 {
			t.Errorf("%s: OrchestrationS = %v, fit gives %.3f", app, a.OrchestrationS, o.Fitted)
		}
		for _, s := range Specs(app) {
			f, err := Fit(s, ps, CalibrationStorage)
			if err != nil {
				t.Fatal(err)
			}
			fn := w.Function(s.Stage)
			check := func(what string, got, want float64) {
				if math.Abs(got-want) > 0.002*math.Max(1, math.Abs(want)) {
					t.Errorf("%s/%s: %s = %v in the code, the fit gives %.4g", app, s.Stage, what, got, want)
				}
			}
			check("serial work", fn.SerialWork.Value, f.CPU.Serial)
			check("parallel work", fn.ParallelWork.Value, f.CPU.Parallel)
			check("threads", float64(fn.Threads), float64(f.CPU.Threads))
			check("run sigma", fn.RunFactor.Sigma, f.RunSigma)
			check("input MB", fn.InputBytes.Value/1e6, s.InputBytes/1e6)
			check("output MB", fn.OutputBytes.Value/1e6, s.OutputBytes/1e6)
			check("input requests", float64(dag.Requests(fn.InputRequests)), float64(dag.Requests(s.InputRequests)))
			check("output requests", float64(dag.Requests(fn.OutputRequests)), float64(dag.Requests(s.OutputRequests)))
			check("extra request latency ms", 1000*fn.ExtraRequestLatency, 1000*f.ExtraRequestLatency)
			check("oversubscription", fn.Oversubscription, f.CPU.Oversub)
			if fn.ItemSkewByIndex != s.SkewByIndex {
				t.Errorf("%s/%s: item_skew_by_index = %v in the code, spec says %v", app, s.Stage, fn.ItemSkewByIndex, s.SkewByIndex)
			}
			width := 0.0
			if fn.ItemSkew.Kind == dag.Uniform {
				width = fn.ItemSkew.Max - fn.ItemSkew.Min
			}
			check("item skew width", width, s.SkewWidth)
		}
	}
}
