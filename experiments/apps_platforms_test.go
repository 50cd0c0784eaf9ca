package experiments

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// TestJudgeByHand pins what "holds" means on hand-made rows: WiseFuse's metric lower and its
// other metric within 5% of the reference's; a reference that did not run gives its reason.
func TestJudgeByHand(t *testing.T) {
	c := conclusions()[0] // cheaper than User-Max at User-Max's P95
	row := func(pol string, p95, cost float64, note string) Row {
		return rowOf(platformsRow{Platform: "p", compareRow: compareRow{App: "a", Policy: pol, SimP95: p95, SimCost: cost, Note: note}})
	}
	for _, tc := range []struct {
		ref, wf Row
		holds   bool
		want    string
	}{
		{row("user-max", 10, 1, ""), row("wisefuse-slo", 10.4, 0.5, ""), true, "holds: cost 50.0% lower"},
		{row("user-max", 10, 1, ""), row("wisefuse-slo", 10.6, 0.5, ""), false, "no: cost 50.0% lower but P95 6.0% higher"},
		{row("user-max", 10, 1, ""), row("wisefuse-slo", 9, 1.2, ""), false, "no: cost 20.0% higher"},
		{row("user-max", 10, 1, ""), row("wisefuse-slo", 9, 1, ""), false, "no: cost the same"},
		{row("user-max", 0, 0, "not run: too big"), row("wisefuse-slo", 9, 1, ""), false, "user-max not run: too big"},
		{row("user-max", 10, 1, ""), row("wisefuse-slo", 0, 0, "no plan even relaxed: x"), false, "WiseFuse no plan even relaxed: x"},
	} {
		tb := &Table{Schema: vsPlatformsExp.Schema, Rows: []Row{tc.ref, tc.wf}}
		o := judge(tb, c, "p", "a")
		if o.holds != tc.holds || o.text != tc.want {
			t.Errorf("judge = %+v, want holds=%v %q", o, tc.holds, tc.want)
		}
	}
}

// TestStorageRangeHeadlineByHand: the range headline gives each cost conclusion's median ratio
// at both ends of the storage range, and names every conclusion whose tally moves, a P95 one too.
func TestStorageRangeHeadlineByHand(t *testing.T) {
	row := func(plat, pol string, p95, cost float64) Row {
		return rowOf(platformsRow{Platform: plat, compareRow: compareRow{App: "a", Policy: pol, SimP95: p95, SimCost: cost}})
	}
	dear := storagePlatform(platform.AzureDurable, platform.AzureGPv2GRS.Name)
	rows := func(sonicP95 float64) []Row {
		var rs []Row
		for _, pl := range []string{platform.AzureDurable, dear} {
			rs = append(rs, row(pl, "user-max", 10, 1), row(pl, "wisefuse-slo", 10, 0.8), row(pl, "sonic", 10, 1),
				row(pl, "wisefuse@sonic", sonicP95, 1))
		}
		return rs
	}
	tb := &Table{Schema: vsPlatformsExp.Schema, Rows: rows(9)}
	h, ok := storageRangeHeadline(tb, platform.AzureDurable)
	if !ok || !strings.Contains(h.Ours, "User-Max 0.80, holds on 1 of 1 -> 0.80, holds on 1 of 1") ||
		!strings.HasPrefix(h.Means, "On how many apps each conclusion holds does not depend") {
		t.Errorf("no change: %+v", h)
	}
	// WiseFuse as slow as Sonic at Sonic's cost on the dear end only.
	tb.Rows = rows(9)
	tb.Rows[len(tb.Rows)-1] = row(dear, "wisefuse@sonic", 10, 1)
	h, _ = storageRangeHeadline(tb, platform.AzureDurable)
	if !strings.Contains(h.Means, "WiseFuse faster (P95) than Sonic at Sonic's cost") || strings.Contains(h.Means, "User-Max") {
		t.Errorf("Sonic's P95 conclusion moves: %q", h.Means)
	}
	if _, ok := storageRangeHeadline(&Table{Schema: vsPlatformsExp.Schema, Rows: rows(9)[:4]}, platform.AzureDurable); ok {
		t.Error("a headline without the dear end's rows")
	}
}

// TestSpillsRangeHeadlineByHand: the spill-reading headline names a conclusion whose tally moves
// from spills as HTTP executions (the built-in platform) to spills refused, and only it: here
// Faastlane runs with HTTP spills (WiseFuse 20% cheaper at its P95) and is not run when spills are
// refused; User-Max's conclusion holds at both readings.
func TestSpillsRangeHeadlineByHand(t *testing.T) {
	row := func(plat, pol string, p95, cost float64, note string) Row {
		return rowOf(platformsRow{Platform: plat, compareRow: compareRow{App: "a", Policy: pol, SimP95: p95, SimCost: cost, Note: note}})
	}
	refused := platform.AzureDurable + "+" + spillsRefused
	var rows []Row
	for _, pl := range []string{platform.AzureDurable, refused} {
		rows = append(rows, row(pl, "user-max", 10, 1, ""), row(pl, "wisefuse-slo", 10, 0.8, ""))
	}
	rows = append(rows, row(platform.AzureDurable, "faastlane", 10, 1, ""), row(platform.AzureDurable, "wisefuse-slo@faastlane", 10, 0.8, ""),
		row(refused, "faastlane", 0, 0, "not run: spills are refused"))
	tb := &Table{Schema: vsPlatformsExp.Schema, Rows: rows}
	h, ok := spillsRangeHeadline(tb, platform.AzureDurable)
	if !ok || !strings.Contains(h.Ours, "WiseFuse cheaper than Faastlane at Faastlane's P95: 0.80, holds on 1 of 1 -> -, holds on 0 of 0 (1 not run)") ||
		!strings.Contains(h.Means, "WiseFuse cheaper than Faastlane at Faastlane's P95") || strings.Contains(h.Means, "User-Max") {
		t.Errorf("Faastlane's cost conclusion moves: %+v", h)
	}
	if _, ok := spillsRangeHeadline(&Table{Schema: vsPlatformsExp.Schema, Rows: rows[:2]}, platform.AzureDurable); ok {
		t.Error("a headline without the refused end's rows")
	}
	if p, err := platformFor("video", refused); err != nil || p.NoSpills() == "" {
		t.Errorf("platform %s: %v, want spills refused", refused, err)
	}
}

// TestFigureVsPlatformsByHand: a bar is the median over the apps where WiseFuse and the reference
// both ran of WiseFuse's metric over the reference's, with their least and largest; a reference
// that did not run leaves its app out, and a platform where none ran gets 0. The figure's files
// are written.
func TestFigureVsPlatformsByHand(t *testing.T) {
	c := conclusions()[0] // cheaper than User-Max at User-Max's P95
	row := func(plat, app, pol string, cost float64, note string) Row {
		return rowOf(platformsRow{Platform: plat, compareRow: compareRow{App: app, Policy: pol, SimP95: 10, SimCost: cost, Note: note}})
	}
	tb := &Table{Schema: vsPlatformsExp.Schema, Rows: []Row{
		row(platform.AWSLambda, "a", "user-max", 1, ""), row(platform.AWSLambda, "a", "wisefuse-slo", 0.5, ""),
		row(platform.AWSLambda, "b", "user-max", 2, ""), row(platform.AWSLambda, "b", "wisefuse-slo", 1.6, ""),
		row(platform.AWSLambda, "c", "user-max", 0, "not run: too big"), row(platform.AWSLambda, "c", "wisefuse-slo", 1, ""),
		row(platform.AzureDurable, "a", "user-max", 0, "not run: too big"),
	}}
	for _, tc := range []struct {
		plat        string
		med, lo, hi float64
	}{{platform.AWSLambda, 0.65, 0.5, 0.8}, {platform.AzureDurable, 0, 0, 0}} {
		med, lo, hi := ratioOverApps(tb, c, tc.plat)
		if math.Abs(med-tc.med) > 1e-12 || lo != tc.lo || hi != tc.hi {
			t.Errorf("%s: ratio %v (%v to %v), want %v (%v to %v)", tc.plat, med, lo, hi, tc.med, tc.lo, tc.hi)
		}
	}
	base := filepath.Join(t.TempDir(), "vs-baselines-azure")
	if err := figureVsPlatforms(tb, base); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"-p95.png", "-p95.svg", "-cost.png", "-cost.svg"} {
		if st, err := os.Stat(base + f); err != nil || st.Size() == 0 {
			t.Errorf("figure %s: %v", f, err)
		}
	}
}

// TestVsBaselinesAzureQuick runs the quick experiment: every reference policy has a row on every
// platform and app, a baseline that cannot run on azure-durable's 1,536 MB says why, every plan
// that ran uses only its platform's sizes, the report has the table by platform, and the table
// does not depend on the worker count.
func TestVsBaselinesAzureQuick(t *testing.T) {
	out1, out2 := t.TempDir(), t.TempDir()
	for i, out := range []string{out1, out2} {
		if err := Run(Config{Out: out, Only: []string{"vs-baselines-azure"}, Quick: true, Workers: 1 + i}); err != nil {
			t.Fatal(err)
		}
	}
	csv := func(out string) []byte {
		b, err := os.ReadFile(filepath.Join(out, "vs-baselines-azure", "vs-baselines-azure.csv"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(csv(out1), csv(out2)) {
		t.Error("the table differs between 1 and 2 workers")
	}
	rows, err := readTable(filepath.Join(out1, "vs-baselines-azure", "vs-baselines-azure.csv"), vsPlatformsExp.Schema)
	if err != nil {
		t.Fatal(err)
	}
	tb := &Table{Schema: vsPlatformsExp.Schema, Rows: rows}
	for _, pn := range platform.Names() {
		plat, _ := platform.Load(pn)
		for _, app := range []string{"chatbot", "ml", "svd", "video"} {
			for _, pol := range append([]string{"user-max", "user-min"}, compareBaselines...) {
				if platformsRowOf(tb, pn, app, pol) == nil {
					t.Errorf("%s/%s: no %s row", pn, app, pol)
				}
			}
			if pn == platform.AzureDurable {
				if r := platformsRowOf(tb, pn, app, "photons"); r != nil && !strings.Contains(cellStr(tb, r, "note"), "1536 MB") {
					t.Errorf("%s/%s: photons' shared runtime needs more than 1,536 MB, but its row's note is %q", pn, app, cellStr(tb, r, "note"))
				}
			}
			sizes := plat.MemoryChoices()
			if len(sizes) == 0 {
				continue
			}
			for _, r := range tb.Rows {
				if cellStr(tb, r, "platform") != pn || cellStr(tb, r, "app") != app || cellStr(tb, r, "note") != "" {
					continue
				}
				var p dag.Plan
				if err := json.Unmarshal([]byte(cellStr(tb, r, "plan")), &p); err != nil {
					t.Fatalf("%s/%s/%s: plan: %v", pn, app, cellStr(tb, r, "policy"), err)
				}
				for fn, mb := range p.Memory {
					if !slices.Contains(sizes, mb) {
						t.Errorf("%s/%s/%s: %s at %d MB, not one of %v", pn, app, cellStr(tb, r, "policy"), fn, mb, sizes)
					}
				}
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(out1, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	report := string(b)
	if !strings.Contains(report, "| conclusion | aws-lambda | azure-durable | azure-flex |") {
		t.Error("REPORT.md has no table of conclusions by platform")
	}
	for _, pn := range platform.Names() {
		if !regexp.MustCompile(`\| WiseFuse's model P95 error over its plans on ` + pn + ` \(median; max\) \| - \| \d+\.\d%; \d+\.\d% over \d+ plans \|`).MatchString(report) {
			t.Errorf("REPORT.md lacks the measured model error on %s", pn)
		}
	}
	for _, c := range conclusions() {
		if !strings.Contains(report, "| "+c.claim+" | **") {
			t.Errorf("REPORT.md's table lacks %q", c.claim)
		}
	}
	// The Azure platforms again on the dearest storage account, with the built-in platform's
	// draws: User-Max's plan is the same, so its P95 is too and its cost higher (every DAG
	// invocation pays its transitions' storage transactions).
	if !strings.Contains(report, "| conclusion | azure-durable (gpv2-lrs) | azure-durable (gpv2-grs) | azure-flex (gpv2-lrs) | azure-flex (gpv2-grs) |") {
		t.Error("REPORT.md has no table of conclusions across the storage account")
	}
	for _, pn := range azurePlatforms() {
		grs := storagePlatform(pn, platform.AzureGPv2GRS.Name)
		for _, app := range []string{"chatbot", "ml", "svd", "video"} {
			lrs, dear := platformsRowOf(tb, pn, app, "user-max"), platformsRowOf(tb, grs, app, "user-max")
			if lrs == nil || dear == nil {
				t.Errorf("%s/%s: no user-max row on %s or %s", pn, app, pn, grs)
				continue
			}
			if cellStr(tb, lrs, "note") != "" {
				continue
			}
			if p, q := cellFloat(tb, lrs, "sim_p95_s"), cellFloat(tb, dear, "sim_p95_s"); p != q {
				t.Errorf("%s/%s: user-max P95 %v on %s, %v on %s: want the same", pn, app, p, pn, q, grs)
			}
			if c, d := cellFloat(tb, lrs, "sim_cost_usd"), cellFloat(tb, dear, "sim_cost_usd"); !(d > c) {
				t.Errorf("%s/%s: user-max cost $%v on %s, $%v on %s: want dearer", pn, app, c, pn, d, grs)
			}
		}
	}
}
