package experiments

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/policy"
)

// TestAppExperimentsQuickEndToEnd runs the quick variants of model-accuracy and vs-user through
// the runner and checks that each writes its table, its figures as PNG and SVG, and headlines
// with a measured number in REPORT.md.
func TestAppExperimentsQuickEndToEnd(t *testing.T) {
	out := t.TempDir()
	if err := Run(Config{Out: out, Only: []string{"model-accuracy", "vs-user"}, Quick: true, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"model-accuracy", "vs-user"} {
		e, _ := Lookup(name)
		rows, err := readTable(filepath.Join(out, name, name+".csv"), e.Schema)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			t.Errorf("%s: empty table", name)
		}
		pngs, _ := filepath.Glob(filepath.Join(out, name, "*.png"))
		if len(pngs) == 0 {
			t.Errorf("%s: no figure", name)
		}
		for _, p := range pngs {
			if _, err := os.Stat(strings.TrimSuffix(p, ".png") + ".svg"); err != nil {
				t.Errorf("%s: %s has no SVG twin", name, p)
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	report := string(b)
	// The accuracy headline carries a measured percentage; the video cost headline a reduction.
	if !regexp.MustCompile(`\| model P95 error over \d+ plans of 4 apps \(max; median\) \| <= 13% \| \d+\.\d%; \d+\.\d% \|`).MatchString(report) {
		t.Errorf("report lacks the measured model-error headline:\n%s", report)
	}
	if !regexp.MustCompile(`\| video: WiseFuse cost vs user-max \| 63% lower \| \d+% (lower|higher)`).MatchString(report) {
		t.Errorf("report lacks the measured video cost headline:\n%s", report)
	}
}

func TestFusablePairsAndMaps(t *testing.T) {
	w := &dag.Workflow{Steps: []dag.Step{
		{Name: "A", Task: "a"}, {Name: "B", Task: "b"},
		{Name: "M", Map: &dag.Map{Items: dag.Const(4), Iterator: []dag.Step{{Name: "X", Task: "x"}, {Name: "Y", Task: "y"}, {Name: "Z", Task: "x"}}}},
		{Name: "C", Task: "c"},
	}}
	got := fusablePairs(w)
	want := [][]string{{"A", "B"}, {"X", "Y"}, {"Y", "Z"}}
	if len(got) != len(want) {
		t.Fatalf("fusablePairs = %v, want %v", got, want)
	}
	for i := range want {
		if got[i][0] != want[i][0] || got[i][1] != want[i][1] {
			t.Errorf("pair %d = %v, want %v", i, got[i], want[i])
		}
	}
	ms := mapSteps(w)
	if len(ms) != 1 || ms[0].Name != "M" {
		t.Fatalf("mapSteps = %v", ms)
	}
	if fns := iteratorFunctions(ms[0]); strings.Join(fns, ",") != "x,y" {
		t.Errorf("iteratorFunctions = %v, want x,y (each once)", fns)
	}
}

// TestSubSeedSeparatesPurposes checks subSeed against FNV-1a written out by hand (a change of the
// derivation would silently change every app experiment's numbers) and that, for every app cell,
// the purposes the experiments use get distinct seeds: two purposes sharing a seed would let
// profiling see the runs a plan is judged on.
func TestSubSeedSeparatesPurposes(t *testing.T) {
	fnv1a := func(seed uint64, purpose string) uint64 {
		h := uint64(14695981039346656037)
		b := []byte{byte(seed), byte(seed >> 8), byte(seed >> 16), byte(seed >> 24),
			byte(seed >> 32), byte(seed >> 40), byte(seed >> 48), byte(seed >> 56)}
		for _, c := range append(b, purpose...) {
			h ^= uint64(c)
			h *= 1099511628211
		}
		return h
	}
	purposes := []string{"profile", "eval"}
	for _, name := range policy.Names() {
		purposes = append(purposes, "baseline/"+name)
	}
	for i := range 4 {
		purposes = append(purposes, fmt.Sprint("size/", i))
	}
	for _, k := range sloTargets {
		purposes = append(purposes, "eval/"+k.name)
	}
	for _, c := range appCells(false) {
		w, _, err := appNamed(c.Key)
		if err != nil {
			t.Fatal(err)
		}
		cellPurposes := slices.Clone(purposes)
		for _, quick := range []bool{false, true} {
			for _, k := range accuracyCases(w, quick) {
				cellPurposes = append(cellPurposes, "eval/"+k.name)
			}
		}
		for _, exp := range []string{"profiles", "model-accuracy", "slo-targets", "vs-user", "vs-baselines"} {
			seed := Seed(exp, c.Key, 0)
			owner := map[uint64]string{}
			for _, p := range cellPurposes {
				got := subSeed(seed, p)
				if want := fnv1a(seed, p); got != want {
					t.Fatalf("subSeed(%d, %q) = %d, want FNV-1a %d", seed, p, got, want)
				}
				if o, dup := owner[got]; dup && o != p {
					t.Errorf("%s cell %s: purposes %q and %q share seed %d", exp, c.Key, o, p, got)
				}
				owner[got] = p
			}
		}
	}
	if subSeed(1, "profile") == subSeed(2, "profile") {
		t.Error("sub-seeds of two cell seeds collide")
	}
}

// TestReductionHeadline checks the comparison arithmetic on a hand-made table: WiseFuse at 40 s
// against a baseline at 100 s is 60% lower, 1 point from a paper claim of 61%; with two more
// profiling draws at 30 s and 110 s the headline gives the range and states no conclusion that
// a draw contradicts.
func TestReductionHeadline(t *testing.T) {
	vsUser := &Table{Schema: vsUserExp.Schema}
	add := func(pol string, draw int, p95 float64) {
		vsUser.Rows = append(vsUser.Rows, rowOf(userRow{compareRow: compareRow{App: "video", Policy: pol, Rule: "r",
			SimP95: p95, SimCost: 1, Plan: "{}"}, Draw: draw}))
	}
	add("user-min", 0, 100)
	add("wisefuse-budget", 0, 40)
	h := reduction(vsUser, "video", "wisefuse-budget", "user-min", "sim_p95_s", "P95", 0.61)
	if h.Ours != "60% lower (r)" || h.Diff != "-1 points" || h.Note != "" || !strings.HasPrefix(h.Means, "Reproduces") {
		t.Errorf("one draw: headline = %+v", h)
	}
	add("wisefuse-budget", 1, 30)
	add("wisefuse-budget", 2, 110)
	h = reduction(vsUser, "video", "wisefuse-budget", "user-min", "sim_p95_s", "P95", 0.61)
	if h.Ours != "60% lower (r); over 3 draws: 10% higher to 70% lower" || h.Diff != "-1 points" ||
		h.Means != "Depends on the profiling draw: WiseFuse's P95 is lower than user-min's on 2 of 3 draws." {
		t.Errorf("three draws: headline = %+v", h)
	}
	missing := reduction(vsUser, "video", "wisefuse-slo", "user-max", "sim_cost_usd", "cost", 0.63)
	if missing.Ours != "not measured" || missing.Note == "" {
		t.Errorf("missing comparison headline = %+v", missing)
	}
}

// TestBaselineHeadlineRange checks the range arithmetic of vs-baselines on a hand-made table: a
// baseline at 100 s and $1 under every reading, WiseFuse at 40 s (default reading), 20 s, 110 s and
// 70 s (Sonic's storage variant) at equal cost: 60% lower by default, from 80% lower to 10%
// higher, and the paper's 47% inside.
func TestBaselineHeadlineRange(t *testing.T) {
	tb := &Table{Schema: baselinesSchema}
	add := func(ov string, mb int, variant, pol string, p95 float64) {
		tb.Rows = append(tb.Rows, rowOf(baselinesRow{App: "video", Overhead: ov, BaselineMB: mb, Variant: variant, Policy: pol, Rule: "r",
			SimP95: p95, SimCost: 1, Plan: "{}"}))
	}
	for _, c := range []struct {
		ov      string
		mb      int
		variant string
		p95     float64
	}{{"per-transition", 3008, "direct", 40}, {"per-transition", 1769, "direct", 20}, {"per-execution", 3008, "direct", 110},
		{"per-transition", 3008, "storage", 70}} {
		add(c.ov, c.mb, c.variant, "sonic", 100)
		add(c.ov, c.mb, c.variant, "wisefuse@sonic", c.p95)
	}
	h := baselineHeadline(tb, "video", "sonic")
	for _, want := range []string{"P95 60% lower (per-transition, 3,008 MB, direct, draw 0); range ",
		"80% lower (per-transition, 1,769 MB, direct, draw 0) to 10% higher (per-execution, 3,008 MB, direct, draw 0) over 4 of 4 readings"} {
		if !strings.Contains(h.Ours, want) {
			t.Errorf("ours = %q, want it to contain %q", h.Ours, want)
		}
	}
	if h.Diff != "+13 points" || !strings.Contains(h.Note, "depends on the reading") || !strings.Contains(h.Note, "inside our range") ||
		!strings.Contains(h.Note, "baseline memory moves it 20 points") || !strings.Contains(h.Note, "attribution 70 points") ||
		!strings.Contains(h.Note, "Sonic's variant 30 points (3,008 MB: direct 60% lower, storage 30% lower)") {
		t.Errorf("headline = %+v", h)
	}
}

// TestBaselineMeans checks that the vs-baselines sentence states only what holds under every
// reading: a ratio range wholly below or above 1 is a conclusion, one that crosses 1 is not, and a
// WiseFuse plan that overspent its budget under some reading voids "faster at equal cost".
func TestBaselineMeans(t *testing.T) {
	sp := func(lo, hi float64) spread { return spread{lo: lo, hi: hi, measured: 4, of: 4} }
	none := spread{lo: math.NaN(), hi: math.NaN(), of: 4}
	for _, c := range []struct {
		p95, cost  spread
		overBudget int
		want       string
	}{
		{sp(0.4, 0.9), sp(0.5, 0.8), 0, "beats sonic under every reading, faster at its cost and cheaper"},
		{sp(0.4, 0.9), sp(1.1, 1.3), 0, "faster than sonic at its cost under every reading but costs more"},
		{sp(0.4, 0.9), sp(0.8, 1.2), 0, "whether it is also cheaper at equal P95 depends"},
		{sp(0.4, 0.9), none, 0, "faster than sonic at its cost under every reading."},
		{sp(0.4, 0.9), sp(0.8, 1.2), 1, "no conclusion against sonic"},
		{sp(1.1, 1.5), sp(1.2, 1.4), 0, "sonic beats WiseFuse under every reading, on P95 and on cost"},
		{sp(1.1, 1.5), sp(0.9, 1.4), 0, "sonic is faster than WiseFuse at equal cost"},
		{sp(0.8, 1.2), sp(0.5, 0.9), 0, "WiseFuse is cheaper than sonic at equal P95 under every reading"},
		{sp(0.8, 1.2), sp(1.1, 1.2), 0, "costs more than sonic at equal P95"},
		{sp(0.8, 1.2), sp(0.9, 1.1), 0, "no conclusion against sonic holds under every reading"},
		{spread{lo: 0.4, hi: 0.9, measured: 3, of: 4}, none, 0, "under every measured reading."},
	} {
		if got := baselineMeans("video", "sonic", c.p95, c.cost, c.overBudget); !strings.Contains(got, c.want) {
			t.Errorf("baselineMeans(p95 %v-%v, cost %v-%v, over budget %d) = %q, want it to contain %q",
				c.p95.lo, c.p95.hi, c.cost.lo, c.cost.hi, c.overBudget, got, c.want)
		}
	}
}

// TestBaselineHeadlineDraws checks the profiling-draw dimension of vs-baselines on a hand-made
// table: photons at 100 s and $1 at 3,008 and 1,769 MB (its rows written once, with draw 0, stand
// for every draw), WiseFuse at its cost under three draws at 40/80 s (draw 0, faster under both
// memories), 120/90 s (draw 1, mixed) and 110/130 s (draw 2, slower under both); at its P95,
// WiseFuse costs $0.5 except $0.9 under draw 2 at 1,769 MB, cheaper everywhere. The P95 conclusion
// holds on one draw only, so no P95 conclusion may be stated; the cost one holds on every draw.
func TestBaselineHeadlineDraws(t *testing.T) {
	tb := &Table{Schema: baselinesSchema}
	add := func(mb, draw int, pol string, p95, cost float64) {
		tb.Rows = append(tb.Rows, rowOf(baselinesRow{App: "video", Overhead: "per-transition", BaselineMB: mb, Draw: draw, Policy: pol,
			Rule: "r", SimP95: p95, SimCost: cost, Plan: "{}"}))
	}
	wfP95 := map[int][2]float64{0: {40, 80}, 1: {120, 90}, 2: {110, 130}} // draw: 3,008 MB, 1,769 MB
	for i, mb := range []int{3008, 1769} {
		add(mb, 0, "photons", 100, 1)
		for d := range 3 {
			add(mb, d, "wisefuse@photons", wfP95[d][i], 1)
			cost := 0.5
			if d == 2 && mb == 1769 {
				cost = 0.9
			}
			add(mb, d, "wisefuse-slo@photons", 100, cost)
		}
	}
	p95 := spreadOf(tb, "video", "wisefuse@photons", "photons", "sim_p95_s")
	if lower, higher, n := p95.drawsHolding(); lower != 1 || higher != 1 || n != 3 {
		t.Errorf("P95 holds lower on %d, higher on %d of %d draws, want 1, 1 of 3", lower, higher, n)
	}
	cost := spreadOf(tb, "video", "wisefuse-slo@photons", "photons", "sim_cost_usd")
	if lower, higher, n := cost.drawsHolding(); lower != 3 || higher != 0 || n != 3 {
		t.Errorf("cost holds lower on %d, higher on %d of %d draws, want 3, 0 of 3", lower, higher, n)
	}
	h := baselineHeadline(tb, "video", "photons")
	for _, want := range []string{
		"P95 60% lower (per-transition, 3,008 MB, draw 0); over the profiling draws at the default choices 60% lower (draw 0) to 20% higher (draw 1); " +
			"range 60% lower (per-transition, 3,008 MB, draw 0) to 30% higher (per-transition, 1,769 MB, draw 2) over 6 of 6 readings; " +
			"lower under every modelling choice on 1 of 3 profiling draws (higher under every one on 1)",
		"Cost at equal P95: 50% lower; over the profiling draws at the default choices 50% lower on all 3; range 50% lower (per-transition, 3,008 MB, draw 0) " +
			"to 10% lower (per-transition, 1,769 MB, draw 2) over 6 of 6 readings; lower under every modelling choice on 3 of 3 profiling draws",
	} {
		if !strings.Contains(h.Ours, want) {
			t.Errorf("ours = %q, want it to contain %q", h.Ours, want)
		}
	}
	for _, want := range []string{
		"Which side has the lower P95 at equal cost depends on the reading or the profiling draw: WiseFuse's is lower under every modelling choice on 1 of 3",
		"WiseFuse's cost at equal P95 is lower under every reading and profiling draw (by 10% to 50%).",
		"WiseFuse's profiling draw 80 points (3,008 MB: draw 0 60% lower, draw 1 20% higher, draw 2 10% higher)",
	} {
		if !strings.Contains(h.Note, want) {
			t.Errorf("note = %q, want it to contain %q", h.Note, want)
		}
	}
	if want := "WiseFuse is cheaper than photons at equal P95 under every reading and profiling draw, but which is faster at equal cost depends"; !strings.Contains(h.Means, want) {
		t.Errorf("means = %q, want it to contain %q", h.Means, want)
	}
	// Draw 0 alone would have concluded "faster": the sentence must not, with draw 2 slower throughout.
	if strings.Contains(h.Means, "faster than photons") || strings.Contains(h.Means, "beats") {
		t.Errorf("means = %q states a P95 conclusion that fails on two draws", h.Means)
	}
}

// TestDrawSeeds: draw 0 profiles with the cell seed as every app experiment does (its rows stay
// those of the other experiments' profiling), and the other draws profile on seeds distinct from
// it and from every evaluation or baseline seed of the cell.
func TestDrawSeeds(t *testing.T) {
	for _, c := range appCells(false) {
		cell := Seed("vs-baselines", c.Key, 0)
		if drawSeed(cell, 0) != cell {
			t.Fatalf("draw 0 of %s does not profile with the cell seed", c.Key)
		}
		owner := map[uint64]string{subSeed(cell, "eval"): "eval"}
		for _, name := range policy.Names() {
			owner[subSeed(cell, "baseline/"+name)] = "baseline/" + name
		}
		for k := range profileDraws(false) {
			s := subSeed(drawSeed(cell, k), "profile")
			if o, dup := owner[s]; dup {
				t.Errorf("%s: draw %d's profiling seed is %s's", c.Key, k, o)
			}
			owner[s] = fmt.Sprint("draw ", k)
		}
	}
}
