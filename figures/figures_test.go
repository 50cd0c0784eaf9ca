package figures

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

var regen = flag.Bool("regen", false, "rewrite the golden figures in testdata/ (look at them before committing)")

// figure is anything the package renders.
type figure interface{ Write(path string) error }

// goldenFigures are the renderers' golden cases: realistic data of the kind the experiments
// plot, drawn from a fixed seed.
func goldenFigures() map[string]figure {
	r := rand.New(rand.NewPCG(8, 2022))
	lognormal := func(n int, median, sigma float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = median * math.Exp(sigma*r.NormFloat64())
		}
		return v
	}
	sizes := []float64{1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}
	remote, fused := make([]float64, len(sizes)), make([]float64, len(sizes))
	for i, s := range sizes {
		remote[i] = 0.05 + s/80e6 + 0.02
		fused[i] = 0.002 + s/2e9
	}
	fused[0] = 0 // a log axis cannot show it: dropped, not a panic
	predicted, simulated := []float64{}, []float64{}
	for range 12 {
		s := 10 + 30*r.Float64()
		simulated = append(simulated, s)
		predicted = append(predicted, s*(1+0.08*r.NormFloat64()))
	}
	return map[string]figure{
		"cdf": CDF{
			Title: "E2E latency, video analytics",
			X:     Axis{Label: "E2E latency (s)"},
			Series: []Sample{
				{Name: "WiseFuse", Values: lognormal(100000, 22, 0.08)},
				{Name: "User-Max", Values: lognormal(100000, 20, 0.06)},
				{Name: "User-Min", Values: lognormal(100000, 48, 0.15)},
				{Name: "Faastlane (12 runs)", Values: lognormal(12, 30, 0.1)},
			},
			Refs: []Ref{{"SLO 30 s", 30}},
		},
		"cdf_log": CDF{
			Title:  "Intermediate data per DAG invocation",
			X:      Axis{Label: "Intermediate data (bytes)", Log: true},
			YLabel: "Fraction of DAG invocations",
			Series: []Sample{
				{Name: "Azure (synthetic)", Values: append(lognormal(5000, 2e5, 2.5), 0, 0, 0)},
				{Name: "Generated trace", Values: lognormal(5000, 1e5, 2)},
			},
		},
		"lines": Lines{
			Title: "Stage latency vs bundle size",
			X:     Axis{Label: "Bundle size (invocations per VM)"},
			Y:     Axis{Label: "P95 stage latency (s)", Min: 0, Max: 40},
			Series: []XY{
				{"Measured on AWS", []float64{1, 2, 5, 10}, []float64{34.2, 26.5, 24.5, 36.4}},
				{"Simulated", []float64{1, 2, 5, 10}, []float64{33.0, 27.1, 23.9, 35.2}},
			},
			Refs: []Ref{{"10,240 MB cap", 6.9}},
		},
		"lines_loglog": Lines{
			Title: "Two functions in series",
			X:     Axis{Label: "Data passed (bytes)", Log: true},
			Y:     Axis{Label: "Transfer latency (s)", Log: true},
			Series: []XY{
				{"Separate VMs (via S3)", sizes, remote},
				{"Fused (in memory)", sizes, fused},
			},
		},
		"bars": Bars{
			Title:      "P95 latency by policy",
			XLabel:     "Application",
			Categories: []string{"Video", "ML pipeline", "Chatbot"},
			Y:          Axis{Label: "P95 E2E latency (s)"},
			Series: []BarSeries{
				{Name: "WiseFuse", Values: []float64{13.1, 40.2, 9.8}},
				{Name: "Sonic", Values: []float64{24.7, 402, 15.2}},
				{Name: "Photons", Values: []float64{34.5, 121.8, 12.1}},
				{Name: "Faastlane", Values: []float64{21.5, 65.9, 11.0}},
			},
			ValueFormat: "%.0f",
		},
		"bars_range": Bars{
			Title:      "WiseFuse P95 relative to each baseline",
			Categories: []string{"Video", "ML pipeline"},
			Y:          Axis{Label: "WiseFuse P95 / baseline P95"},
			Series: []BarSeries{
				{Name: "vs Sonic", Values: []float64{0.8, 0.25}, Low: []float64{0.7, 0.2}, High: []float64{1.05, 0.99}},
				{Name: "vs Faastlane", Values: []float64{1.1, 0.1}, Low: []float64{0.9, 0.08}, High: []float64{1.2, 0.3}},
			},
			ValueFormat: "%.2f",
			Refs:        []Ref{{Value: 1}},
		},
		"bars_log": Bars{
			Title:      "Cost per run by policy",
			Categories: []string{"Video", "ML pipeline", "Chatbot", "A longer category name"},
			Y:          Axis{Label: "Cost per run (USD)", Log: true},
			Series: []BarSeries{
				{Name: "User-Max", Values: []float64{0.012, 0.21, 0.004, 0.0009}},
				{Name: "User-Min", Values: []float64{0.0035, 0.04, 0.0011, 0}},
				{Name: "WiseFuse", Values: []float64{0.0044, 0.05, 0.0013, 0.0002}},
			},
			Refs: []Ref{{"budget", 0.1}},
		},
		"scatter": Scatter{
			Title:    "Model accuracy",
			X:        Axis{Label: "Simulated P95 (s)"},
			Y:        Axis{Label: "Predicted P95 (s)"},
			Series:   []XY{{"Video plans", simulated[:6], predicted[:6]}, {"ML plans", simulated[6:], predicted[6:]}},
			Diagonal: true,
		},
		"cdf_paired": CDF{
			Title: "Classify latency by memory size",
			X:     Axis{Label: "Classify latency (s)", Log: true},
			Series: []Sample{
				{Name: "1000 MB AWS", Values: lognormal(300, 52, 0.04), Look: &Look{Color: 0}},
				{Name: "1000 MB sim", Values: lognormal(300, 52, 0.05), Look: &Look{Color: 0, Dashed: true}},
				{Name: "10240 MB AWS", Values: lognormal(300, 14, 0.03), Look: &Look{Color: 1}},
				{Name: "10240 MB sim", Values: lognormal(300, 14, 0.04), Look: &Look{Color: 1, Dashed: true}},
			},
		},
	}
}

// TestGolden renders every golden case and compares the PNG and SVG bytes with testdata/.
// Regenerate with `go test ./figures -run TestGolden -regen` and look at the images.
func TestGolden(t *testing.T) {
	for name, fig := range goldenFigures() {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := fig.Write(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
			for _, ext := range []string{".png", ".svg"} {
				got, err := os.ReadFile(filepath.Join(dir, name+ext))
				if err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", name+ext)
				if *regen {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -regen to create it)", err)
				}
				if !bytes.Equal(got, want) {
					kept := filepath.Join(os.TempDir(), "figures-"+name+ext)
					os.WriteFile(kept, got, 0o644)
					t.Errorf("%s differs from %s; the new one is kept in %s (run with -regen if the change is intended)", name+ext, golden, kept)
				}
			}
		})
	}
}

// Rendering is deterministic: the same figure twice gives the same bytes.
func TestDeterministic(t *testing.T) {
	dir := t.TempDir()
	fig := goldenFigures()["cdf"]
	var outs [2][]byte
	for i := range outs {
		path := filepath.Join(dir, "fig")
		if err := fig.Write(path); err != nil {
			t.Fatal(err)
		}
		png, _ := os.ReadFile(path + ".png")
		svg, _ := os.ReadFile(path + ".svg")
		outs[i] = append(png, svg...)
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Error("two renderings of one figure differ")
	}
}

func TestBadInput(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		fig  figure
		path string
		want string
	}{
		{"cdf NaN", CDF{Title: "t", Series: []Sample{{Name: "a", Values: []float64{1, nan}}}}, "f", `figures: "t": series "a": Values[1] = NaN, want a finite number`},
		{"cdf Inf", CDF{Title: "t", Series: []Sample{{Name: "a", Values: []float64{math.Inf(1)}}}}, "f", `Values[0] = +Inf`},
		{"cdf empty series", CDF{Title: "t", Series: []Sample{{Name: "a", Values: nil}}}, "f", `series "a" has no values`},
		{"cdf no series", CDF{Title: "t"}, "f", `"t": no series`},
		{"lines length mismatch", Lines{Title: "t", Series: []XY{{"a", []float64{1, 2}, []float64{1}}}}, "f", `series "a": 2 X values but 1 Y values`},
		{"lines NaN", Lines{Title: "t", Series: []XY{{"a", []float64{1}, []float64{nan}}}}, "f", `Y[0] = NaN`},
		{"lines log min", Lines{Title: "t", X: Axis{Label: "x", Log: true, Min: 0, Max: 10}, Series: []XY{{"a", []float64{1}, []float64{1}}}}, "f", `axis "x": a log axis needs Min > 0`},
		{"bars mismatch", Bars{Title: "t", Categories: []string{"a", "b"}, Series: []BarSeries{{Name: "s", Values: []float64{1}}}}, "f", `series "s" has 1 values for 2 categories`},
		{"bars empty", Bars{Title: "t"}, "f", `needs categories and series`},
		{"scatter mixed diagonal", Scatter{Title: "t", X: Axis{Log: true}, Diagonal: true, Series: []XY{{"a", []float64{1}, []float64{1}}}}, "f", "both axes linear or both log"},
		{"ref NaN", Lines{Title: "t", Refs: []Ref{{"r", nan}}, Series: []XY{{"a", []float64{1}, []float64{1}}}}, "f", `reference "r" = NaN`},
		{"extension", Lines{Title: "t", Series: []XY{{"a", []float64{1}, []float64{1}}}}, "f.png", "must not have an extension"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			err := tc.fig.Write(filepath.Join(dir, tc.path))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("a failed figure left files behind: %v", entries)
			}
		})
	}
}

// Values a log axis cannot show are dropped rather than crashing the renderer, including the
// case where nothing is left to draw.
func TestLogAxisDropsNonPositive(t *testing.T) {
	dir := t.TempDir()
	for i, fig := range []figure{
		Lines{Title: "t", X: Axis{Log: true}, Y: Axis{Log: true}, Series: []XY{{"a", []float64{0, -1, 10}, []float64{1, 1, 0}}}},
		CDF{Title: "t", X: Axis{Log: true}, Series: []Sample{{Name: "a", Values: []float64{0, -3}}}},
		Bars{Title: "t", Categories: []string{"x"}, Y: Axis{Log: true}, Series: []BarSeries{{Name: "a", Values: []float64{0}}}},
		Scatter{Title: "t", X: Axis{Log: true}, Y: Axis{Log: true}, Diagonal: true, Series: []XY{{"a", []float64{-1}, []float64{2}}}},
	} {
		if err := fig.Write(filepath.Join(dir, "f")); err != nil {
			t.Errorf("case %d: %v", i, err)
		}
	}
}

func TestCDFPoints(t *testing.T) {
	// A small sample is drawn exactly: a staircase through every value.
	got := cdfPoints([]float64{3, 1, 2}, 300, false)
	want := [][2]float64{{1, 0}, {1, 1.0 / 3}, {2, 1.0 / 3}, {2, 2.0 / 3}, {3, 2.0 / 3}, {3, 1}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].X != want[i][0] || math.Abs(got[i].Y-want[i][1]) > 1e-12 {
			t.Errorf("point %d = %v, want %v", i, got[i], want[i])
		}
	}
	// A large one is reduced to n+1 quantiles, each the nearest-rank value.
	v := make([]float64, 100000)
	for i := range v {
		v[i] = float64(len(v) - i) // 100000 .. 1
	}
	q := cdfPoints(v, 200, false)
	if len(q) != 201 {
		t.Fatalf("%d points, want 201", len(q))
	}
	for _, pt := range q[1:] {
		if want := math.Ceil(pt.Y * 100000); pt.X != want {
			t.Errorf("at F = %v: x = %v, want %v", pt.Y, pt.X, want)
		}
	}
	// On a log axis, values <= 0 are dropped but still count in the fractions.
	l := cdfPoints([]float64{0, 0, 5, 10}, 300, true)
	if l[0].X != 5 || l[0].Y != 0.5 {
		t.Errorf("log CDF starts at %v, want (5, 0.5)", l[0])
	}
}

func TestFormatTick(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 0.05: "0.05", 2: "2", 1500: "1500", 1e6: "1e6", 2.5e-5: "2.5e-5", 1e9: "1e9", 0.001: "0.001"} {
		if got := formatTick(v); got != want {
			t.Errorf("formatTick(%v) = %q, want %q", v, got, want)
		}
	}
}

// A custom figure built with NewPlot and Save gets the house layout: a golden file as well.
func TestCustomGolden(t *testing.T) {
	p := NewPlot("Custom: stage latency over time", Axis{Label: "Time (s)"}, Axis{Label: "Latency (s)"})
	var entries []LegendEntry
	for i, name := range []string{"Extract", "Classify"} {
		xys := make(plotter.XYs, 50)
		for k := range xys {
			xys[k] = plotter.XY{X: float64(k), Y: float64(i+1) * (1 + math.Sin(float64(k)/5))}
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			t.Fatal(err)
		}
		l.LineStyle = SeriesLine(i)
		p.Add(l)
		entries = append(entries, LegendEntry{Name: name, Thumbs: []plot.Thumbnailer{l}})
	}
	dir := t.TempDir()
	if err := Save(p, filepath.Join(dir, "custom"), entries...); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{".png", ".svg"} {
		got, _ := os.ReadFile(filepath.Join(dir, "custom"+ext))
		golden := filepath.Join("testdata", "custom"+ext)
		if *regen {
			os.WriteFile(golden, got, 0o644)
			continue
		}
		if want, err := os.ReadFile(golden); err != nil || !bytes.Equal(got, want) {
			t.Errorf("custom%s differs from %s (err %v); run with -regen if intended", ext, golden, err)
		}
	}
}

func TestLinearTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   string // the labelled ticks
	}{
		{0, 434, "0 100 200 300 400"},
		{0.2, 4, "1 2 3 4"},
		{0, 1, "0 0.2 0.4 0.6 0.8 1"},
		{-3, 3, "-3 -2 -1 0 1 2 3"},
		{13, 40.2, "15 20 25 30 35 40"},
		{5, 5, "5"},
	} {
		var labels []string
		for _, tk := range (linearTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != tc.want {
			t.Errorf("ticks on [%v, %v]: %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}

// CDFGrid keeps its own look; a golden file pins it, as for the other renderers.
func TestCDFGridGolden(t *testing.T) {
	sample := func(scale float64) []float64 {
		x := make([]float64, 300)
		for i := range x {
			x[i] = scale * (1 + math.Sin(float64(i)*0.37) + float64(i)/300)
		}
		return x
	}
	var g CDFGrid
	for _, stage := range []string{"Split", "E2E"} {
		var row []CDFPanel
		for j, mb := range []int{1000, 5000} {
			s := float64(j + 1)
			row = append(row, CDFPanel{Title: fmt.Sprintf("video %s, %d MB", stage, mb), XLabel: "seconds",
				Series: []Sample{{Name: "measured", Values: sample(s)}, {Name: "simulated", Values: sample(1.1 * s)}}})
		}
		g.Panels = append(g.Panels, row)
	}
	path := filepath.Join(t.TempDir(), "grid.png")
	if err := g.WritePNG(path); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	golden := filepath.Join("testdata", "cdfgrid.png")
	if *regen {
		os.WriteFile(golden, got, 0o644)
		return
	}
	if want, err := os.ReadFile(golden); err != nil || !bytes.Equal(got, want) {
		t.Errorf("grid.png differs from %s (err %v); run with -regen if intended", golden, err)
	}

	for name, bad := range map[string]CDFGrid{
		"no panels":   {},
		"ragged rows": {Panels: [][]CDFPanel{g.Panels[0], g.Panels[1][:1]}},
		"empty":       {Panels: [][]CDFPanel{{{Title: "t", Series: []Sample{{Name: "a"}}}}}},
		"NaN":         {Panels: [][]CDFPanel{{{Title: "t", Series: []Sample{{Name: "a", Values: []float64{1, math.NaN()}}}}}}},
		"3 series":    {Panels: [][]CDFPanel{{{Title: "t", Series: []Sample{{Name: "a", Values: []float64{1}}, {Name: "b", Values: []float64{1}}, {Name: "c", Values: []float64{1}}}}}}},
	} {
		if err := bad.WritePNG(filepath.Join(t.TempDir(), "bad.png")); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

// A log bar chart's floor lies strictly below its smallest bar, so a bar of exactly a power of
// ten still has a height.
func TestLogBarsFloor(t *testing.T) {
	for _, c := range []struct{ smallest, floor float64 }{{1, 0.1}, {0.1, 0.01}, {0.012, 0.01}, {3, 1}, {1000, 100}} {
		p, _, err := Bars{Title: "floor", Categories: []string{"a", "b"}, Y: Axis{Label: "v", Log: true},
			Series: []BarSeries{{Name: "s", Values: []float64{c.smallest, 5e4}}}}.plot()
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(p.Y.Min/c.floor-1) > 1e-9 {
			t.Errorf("smallest bar %g: floor %g, want %g", c.smallest, p.Y.Min, c.floor)
		}
	}
}
