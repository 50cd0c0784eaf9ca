package experiments

// vs-baselines: WiseFuse against Sonic, Photons and Faastlane, over the modelling choices the
// public data leave open (issue 15): how the orchestration overhead is attributed
// (platform.Platform.OrchestrationOverhead), the memory the baselines run at, and for Sonic
// whether it may pass data directly (with NAT traversal) or through storage only; and which of
// K independent profiling draws WiseFuse planned from (profiling 300 runs is itself a sample: the
// draw alone can move a comparison across 1). Each result is reported as the value under the
// default choices and the range over all of them.

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/baselines"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/figures"
	"github.com/wisefuse/wisefuse/internal/seed"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/policy"
)

// baselinesRow is one row of vs-baselines: a compareRow under one reading (overhead attribution,
// baseline memory, Sonic's variant: empty for the other baselines; WiseFuse's profiling draw).
// A baseline does not profile, so its row is written once, with draw 0, and stands for every draw.
type baselinesRow struct {
	App        string  `col:"app"`
	Overhead   string  `col:"overhead"`
	BaselineMB int     `col:"baseline_mb"`
	Variant    string  `col:"variant"`
	Draw       int     `col:"draw"`
	Policy     string  `col:"policy"`
	Rule       string  `col:"rule"`
	SLO        float64 `col:"slo_s,nullzero"`
	Budget     float64 `col:"budget_usd,nullzero"`
	PredP95    float64 `col:"pred_p95_s,nullzero"`
	PredCost   float64 `col:"pred_cost_usd,nullzero"`
	SimP95     float64 `col:"sim_p95_s"`
	SimCost    float64 `col:"sim_cost_usd"`
	Plan       string  `col:"plan"`
	Note       string  `col:"note"`
}

var baselinesSchema = schemaOf[baselinesRow]()

// compareBaselines are the baselines of vs-baselines, in the paper's order.
var compareBaselines = []string{"sonic", "photons", "faastlane"}

// baselineMemories are the memory sizes the baselines run at (Options.MemoryMB for Sonic and
// Photons, FaastlaneMemoryMB for Faastlane's VM): one vCPU, the Lambda maximum when the three
// baseline papers were written (the default, docs/baselines.md), and today's maximum.
var baselineMemories = []int{1769, 3008, 10240}

// The default reading: the headline's point value.
const (
	defaultBaselineMB = 3008
	defaultOverhead   = platform.OverheadPerTransition
	defaultDraw       = 0 // the profiling seed every other app experiment uses
)

// profileDraws is how many independent profiling draws WiseFuse plans from in vs-baselines: draw 0
// profiles as every app experiment does (subSeed(cell seed, "profile")); draw k > 0 as if the cell
// seed were drawSeed(cell seed, k). The draws are the only thing that differs: baselines and the
// evaluation runs are shared. Each draw costs one more profiling and planning of the app per
// overhead reading (docs/baselines.md, "Profiling draws", gives the time).
func profileDraws(quick bool) int {
	if quick {
		return 3
	}
	return 5
}

// drawSeed is the cell seed draw k of WiseFuse's profiling derives its profiling seed from.
func drawSeed(cell uint64, k int) uint64 {
	if k == defaultDraw {
		return cell
	}
	return seed.Mix(cell, uint64(k))
}

// variantsOf are baseline b's variants (baselines.Options.SonicVariant for Sonic, the default
// first); the other baselines have one, named "".
func variantsOf(b string) []string {
	if b == "sonic" {
		return []string{string(baselines.SonicDirect), string(baselines.SonicStorage)}
	}
	return []string{""}
}

// overheadReadings are the attributions of app's orchestration overhead: both when the app has a
// fitted overhead, else per-transition only (there is nothing to attribute).
func overheadReadings(app string) []string {
	if a, ok := apps.Get(app); ok && a.OrchestrationS > 0 {
		return []string{platform.OverheadPerTransition, platform.OverheadPerExecution}
	}
	return []string{platform.OverheadPerTransition}
}

var vsBaselinesExp = &Experiment{
	Name:  "vs-baselines",
	Title: "WiseFuse against Sonic, Photons and Faastlane: P95 and cost per app, over the modelling choices",
	Description: "Each baseline plans with its defaults (Faastlane as released: two branches per container, the rest " +
		"spilled; Sonic in two variants, direct passing with NAT traversal, the default, and storage only) " +
		"at each baseline memory (1,769, 3,008 and 10,240 MB; 3,008 is the default) and runs on fresh " +
		"simulated seeds, under each attribution of the app's measured orchestration overhead (per-transition, the " +
		"default, and per-execution; docs/baselines.md, \"Orchestration overhead attribution\"; apps without a " +
		"fitted overhead have one reading). WiseFuse profiles and plans on the same platform, from each of several " +
		"independent profiling draws (3 in quick mode, 5 in full; draw 0 is the seed every other experiment profiles " +
		"with), since which runs it happened to profile can decide a comparison. For each baseline, " +
		"WiseFuse gets that baseline's simulated mean cost as its budget and minimises its P95 within it (P95 at " +
		"equal or lower predicted cost, as the paper compares), and the baseline's simulated P95 as its SLO (cost " +
		"at equal latency). All policies share the evaluation seeds. Headlines give the default reading (draw 0), the " +
		"range over the draws at that reading, the range over all readings and draws and on how many draws each " +
		"conclusion holds under every reading; a conclusion is stated only when it holds on every reading and draw. " +
		"Figures draw the range as error bars.",
	Schema:    baselinesSchema,
	Cells:     appCells,
	Run:       runVsBaselines,
	Figure:    figureVsBaselines,
	Headlines: headlinesVsBaselines,
}

// vsBaselinesExp is registered beside vs-user (apps_compare.go), in the report's order.

func runVsBaselines(c Cell, seed uint64) ([]Row, error) {
	p := c.Params.(appParams)
	var rows []Row
	for _, ov := range overheadReadings(p.App) {
		w, ok := apps.Lookup(p.App)
		if !ok {
			return nil, fmt.Errorf("no built-in app %q", p.App)
		}
		base := platform.Default()
		base.OrchestrationOverhead = ov
		plat := apps.Platform(p.App, base)
		cr, err := newCompareRunOn(p, w, plat, seed)
		if err != nil {
			return nil, err
		}
		planners, err := cr.drawPlanners()
		if err != nil {
			return nil, err
		}
		for _, mb := range baselineMemories {
			for _, name := range compareBaselines {
				for _, variant := range variantsOf(name) {
					draw := defaultDraw
					cr.wrap = func(r compareRow) any {
						return baselinesRow{App: r.App, Overhead: ov, BaselineMB: mb, Variant: variant, Draw: draw, Policy: r.Policy, Rule: r.Rule,
							SLO: r.SLO, Budget: r.Budget, PredP95: r.PredP95, PredCost: r.PredCost, SimP95: r.SimP95,
							SimCost: r.SimCost, Plan: r.Plan, Note: r.Note}
					}
					env := policy.Env{Platform: plat, Seed: subSeed(seed, "baseline/"+name),
						Baselines: baselines.Options{MemoryMB: mb, FaastlaneMemoryMB: mb, SonicVariant: baselines.SonicVariant(variant)}}
					planner, err := policy.New(name, cr.w, env)
					if err != nil {
						return nil, err
					}
					got, ok := cr.baseline(name, planner)
					if !ok {
						continue
					}
					for k, pl := range planners {
						draw, cr.pl = k, pl
						if err := cr.wisefuse("wisefuse@"+name, fmt.Sprintf("budget = %s's cost", name), dag.Objective{Budget: got.MeanCost}); err != nil {
							return nil, err
						}
						if err := cr.wisefuse("wisefuse-slo@"+name, fmt.Sprintf("SLO = %s's P95", name), dag.Objective{SLO: got.P(95)}); err != nil {
							return nil, err
						}
					}
				}
			}
		}
		rows = append(rows, cr.rows...)
	}
	return rows, nil
}

// reading is one choice of the modelling options and one of WiseFuse's profiling draws.
type reading struct {
	overhead string
	mb       int
	variant  string // Sonic's; "" for the other baselines
	draw     int
}

func (r reading) String() string {
	if r.variant != "" {
		return fmt.Sprintf("%s, %s MB, %s, draw %d", r.overhead, thousands(r.mb), r.variant, r.draw)
	}
	return fmt.Sprintf("%s, %s MB, draw %d", r.overhead, thousands(r.mb), r.draw)
}

// thousands formats n with a comma every three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// readingsOf lists the readings of baseline b on app in the table: each of b's rows (table order)
// under each profiling draw of app's rows (ascending).
func readingsOf(t *Table, app, b string) []reading {
	var out []reading
	seen := map[reading]bool{}
	draws := drawsOf(t, app)
	for _, r := range t.Rows {
		if cellStr(t, r, "app") != app || cellStr(t, r, "policy") != b {
			continue
		}
		rd := reading{cellStr(t, r, "overhead"), int(cellInt(t, r, "baseline_mb")), cellStr(t, r, "variant"), defaultDraw}
		if seen[rd] {
			continue
		}
		seen[rd] = true
		for _, d := range draws {
			rd.draw = d
			out = append(out, rd)
		}
	}
	return out
}

// drawsOf lists the profiling draws of app's rows, ascending.
func drawsOf(t *Table, app string) []int { return drawsWhere(t, t.Where("app", app)) }

// drawsWhere lists the profiling draws of the rows keep accepts, ascending.
func drawsWhere(t *Table, keep func(Row) bool) []int {
	var out []int
	dc := t.Col("draw")
	for _, r := range t.Rows {
		if d := int(r[dc].(int64)); keep(r) && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

// findBaselinesRow returns the row of (app, reading, policy), or nil when absent or not run.
func findBaselinesRow(t *Table, app string, rd reading, pol string) Row {
	for _, r := range t.Rows {
		if cellStr(t, r, "app") == app && cellStr(t, r, "overhead") == rd.overhead && int(cellInt(t, r, "baseline_mb")) == rd.mb &&
			cellStr(t, r, "variant") == rd.variant && int(cellInt(t, r, "draw")) == rd.draw && cellStr(t, r, "policy") == pol &&
			cellStr(t, r, "note") == "" {
			return r
		}
	}
	return nil
}

// readingRatio is col of WiseFuse policy a over col of baseline b on app under rd, or NaN. The
// baseline's row is its draw-0 row under every draw: it does not profile.
func readingRatio(t *Table, app string, rd reading, a, b, col string) float64 {
	brd := rd
	brd.draw = defaultDraw
	ra, rb := findBaselinesRow(t, app, rd, a), findBaselinesRow(t, app, brd, b)
	if ra == nil || rb == nil {
		return math.NaN()
	}
	return cellFloat(t, ra, col) / cellFloat(t, rb, col)
}

// spread is a ratio under the default reading and its range over every reading of an app, each
// modelling choice under each profiling draw.
type spread struct {
	def            float64 // NaN when not measured under the default reading
	lo, hi         float64 // NaN when measured under no reading
	loAt, hiAt     reading
	measured, of   int
	byMB           map[int]float64 // at the default attribution, variant and draw
	byOverhead     map[string]float64
	byVariant      map[string]float64 // at the default attribution, memory and draw
	byDraw         map[int]float64    // at the default attribution, memory and variant
	draws          []int              // every draw, ascending
	drawLo, drawHi map[int]float64    // the range over the modelling choices under each draw
	defaultReading reading
}

func spreadOf(t *Table, app, a, b, col string) spread {
	s := spread{def: math.NaN(), lo: math.NaN(), hi: math.NaN(), byMB: map[int]float64{}, byOverhead: map[string]float64{},
		byVariant: map[string]float64{}, byDraw: map[int]float64{}, draws: drawsOf(t, app),
		drawLo: map[int]float64{}, drawHi: map[int]float64{},
		defaultReading: reading{defaultOverhead, defaultBaselineMB, variantsOf(b)[0], defaultDraw}}
	for _, rd := range readingsOf(t, app, b) {
		s.of++
		v := readingRatio(t, app, rd, a, b, col)
		if math.IsNaN(v) {
			continue
		}
		s.measured++
		if rd == s.defaultReading {
			s.def = v
		}
		def := s.defaultReading
		if rd.overhead == def.overhead && rd.variant == def.variant && rd.draw == def.draw {
			s.byMB[rd.mb] = v
		}
		if rd.mb == def.mb && rd.variant == def.variant && rd.draw == def.draw {
			s.byOverhead[rd.overhead] = v
		}
		if rd.overhead == def.overhead && rd.mb == def.mb && rd.draw == def.draw {
			s.byVariant[rd.variant] = v
		}
		if rd.overhead == def.overhead && rd.mb == def.mb && rd.variant == def.variant {
			s.byDraw[rd.draw] = v
		}
		if lo, ok := s.drawLo[rd.draw]; !ok || v < lo {
			s.drawLo[rd.draw] = v
		}
		if hi, ok := s.drawHi[rd.draw]; !ok || v > hi {
			s.drawHi[rd.draw] = v
		}
		if math.IsNaN(s.lo) || v < s.lo {
			s.lo, s.loAt = v, rd
		}
		if math.IsNaN(s.hi) || v > s.hi {
			s.hi, s.hiAt = v, rd
		}
	}
	return s
}

// drawsHolding counts the draws under which the ratio is below 1 under every measured modelling
// choice (lower) and above 1 under every one (higher), of the draws measured at all.
func (s spread) drawsHolding() (lower, higher, measured int) {
	for _, d := range s.draws {
		lo, ok := s.drawLo[d]
		if !ok {
			continue
		}
		measured++
		if s.drawHi[d] < 1 {
			lower++
		}
		if lo > 1 {
			higher++
		}
	}
	return lower, higher, measured
}

// drawsText is "lower under every modelling choice on 2 of 3 profiling draws (higher on 1)", or ""
// with one draw.
func (s spread) drawsText() string {
	lower, higher, n := s.drawsHolding()
	if len(s.draws) <= 1 {
		return ""
	}
	out := fmt.Sprintf("lower under every modelling choice on %d of %d profiling draws", lower, n)
	if higher > 0 {
		out += fmt.Sprintf(" (higher under every one on %d)", higher)
	}
	return out
}

// drawRangeText is the range over the profiling draws at the default modelling choices: "14% lower
// (draw 1) to 57% higher (draw 0)".
func (s spread) drawRangeText() string {
	if len(s.byDraw) <= 1 {
		return "one draw"
	}
	lo, hi := -1, -1
	for _, d := range s.draws {
		v, ok := s.byDraw[d]
		if !ok {
			continue
		}
		if lo < 0 || v < s.byDraw[lo] {
			lo = d
		}
		if hi < 0 || v > s.byDraw[hi] {
			hi = d
		}
	}
	if change(s.byDraw[lo]) == change(s.byDraw[hi]) {
		return fmt.Sprintf("%s on all %d", change(s.byDraw[lo]), len(s.byDraw))
	}
	return fmt.Sprintf("%s (draw %d) to %s (draw %d)", change(s.byDraw[lo]), lo, change(s.byDraw[hi]), hi)
}

// change formats ratio r as a change: "20% lower" or "5% higher".
func change(r float64) string {
	if r <= 1 {
		return fmt.Sprintf("%.0f%% lower", 100*(1-r))
	}
	return fmt.Sprintf("%.0f%% higher", 100*(r-1))
}

// rangeText is "35% lower (per-transition, 1,769 MB, draw 1) to 5% higher (per-execution,
// 10,240 MB, draw 0) over 12 of 12 readings".
func (s spread) rangeText() string {
	if s.measured <= 1 {
		return "one reading"
	}
	return fmt.Sprintf("%s (%s) to %s (%s) over %d of %d readings", change(s.lo), s.loAt, change(s.hi), s.hiAt, s.measured, s.of)
}

// rangesText is the range over the profiling draws at the default modelling choices, the range
// over every reading and draw, and on how many draws WiseFuse is lower under every modelling
// choice; with one draw, only the range.
func (s spread) rangesText() string {
	if len(s.draws) <= 1 {
		return "range " + s.rangeText()
	}
	return fmt.Sprintf("over the profiling draws at the default choices %s; range %s; %s", s.drawRangeText(), s.rangeText(), s.drawsText())
}

// everyReading is "every reading", and with several profiling draws "every reading and draw".
func (s spread) everyReading() string {
	if len(s.draws) > 1 {
		return "every reading and profiling draw"
	}
	return "every reading"
}

// verdict says whether WiseFuse is lower (ratio < 1) under every reading and draw, and with several
// draws on how many each side wins under every modelling choice.
func (s spread) verdict(what string) string {
	switch {
	case s.measured == 0:
		return ""
	case s.hi < 1:
		return fmt.Sprintf("WiseFuse's %s is lower under %s (by %.0f%% to %.0f%%).", what, s.everyReading(), 100*(1-s.hi), 100*(1-s.lo))
	case s.lo > 1:
		return fmt.Sprintf("WiseFuse's %s is higher under %s (by %.0f%% to %.0f%%).", what, s.everyReading(), 100*(s.lo-1), 100*(s.hi-1))
	}
	if len(s.draws) > 1 {
		return fmt.Sprintf("Which side has the lower %s depends on the reading or the profiling draw: WiseFuse's is %s.", what, s.drawsText())
	}
	return fmt.Sprintf("Which side has the lower %s depends on the reading.", what)
}

// driver says which modelling choice moves the ratio most.
func (s spread) driver() string {
	var parts []string
	if lo, hi, ok := extremes(s.byMB); ok {
		parts = append(parts, fmt.Sprintf("baseline memory moves it %.0f points (%s)", 100*(hi-lo), byKey(s.byMB)))
	}
	if lo, hi, ok := extremes(s.byOverhead); ok {
		parts = append(parts, fmt.Sprintf("the overhead attribution %.0f points (%s MB: per-transition %s, per-execution %s)",
			100*(hi-lo), thousands(defaultBaselineMB), change(s.byOverhead[platform.OverheadPerTransition]), change(s.byOverhead[platform.OverheadPerExecution])))
	}
	if lo, hi, ok := extremes(s.byVariant); ok {
		var vs []string
		for _, v := range []baselines.SonicVariant{baselines.SonicDirect, baselines.SonicStorage} {
			vs = append(vs, fmt.Sprintf("%s %s", v, change(s.byVariant[string(v)])))
		}
		parts = append(parts, fmt.Sprintf("Sonic's variant %.0f points (%s MB: %s)", 100*(hi-lo), thousands(defaultBaselineMB), strings.Join(vs, ", ")))
	}
	if lo, hi, ok := extremes(s.byDraw); ok {
		var ds []string
		for _, d := range s.draws {
			if v, ok := s.byDraw[d]; ok {
				ds = append(ds, fmt.Sprintf("draw %d %s", d, change(v)))
			}
		}
		parts = append(parts, fmt.Sprintf("WiseFuse's profiling draw %.0f points (%s MB: %s)", 100*(hi-lo), thousands(defaultBaselineMB), strings.Join(ds, ", ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Of the choices, " + strings.Join(parts, "; ") + "."
}

func extremes[K comparable](m map[K]float64) (lo, hi float64, ok bool) {
	if len(m) < 2 {
		return 0, 0, false
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range m {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi, true
}

func byKey(m map[int]float64) string {
	var parts []string
	for _, mb := range baselineMemories {
		if v, ok := m[mb]; ok {
			parts = append(parts, fmt.Sprintf("%s MB: %s", thousands(mb), change(v)))
		}
	}
	return strings.Join(parts, ", ")
}

// rangeBars draws, per app, WiseFuse's col relative to each baseline's under the default reading,
// with the range over every reading as an error bar; missing comparisons are drawn as 0.
func rangeBars(t *Table, title, ylabel, col, wfPrefix, path string) error {
	f := figures.Bars{Title: title, XLabel: "Application", Categories: t.Strings("app"), Y: figures.Axis{Label: ylabel},
		ValueFormat: "%.2f", Refs: []figures.Ref{{Value: 1}}}
	for _, b := range compareBaselines {
		s := figures.BarSeries{Name: "vs " + b}
		for _, app := range f.Categories {
			sp := spreadOf(t, app, wfPrefix+b, b, col)
			v, lo, hi := sp.def, sp.lo, sp.hi
			if math.IsNaN(v) {
				v = 0
			}
			if math.IsNaN(lo) {
				lo, hi = v, v
			}
			s.Values, s.Low, s.High = append(s.Values, v), append(s.Low, lo), append(s.High, hi)
		}
		f.Series = append(f.Series, s)
	}
	return f.Write(path)
}

func figureVsBaselines(t *Table, base string) error {
	if err := rangeBars(t, "WiseFuse P95 at each baseline's cost (range: all readings and draws)",
		"WiseFuse P95 / baseline P95", "sim_p95_s", "wisefuse@", base+"-p95"); err != nil {
		return err
	}
	return rangeBars(t, "WiseFuse cost at each baseline's P95 (range: all readings and draws)",
		"WiseFuse cost / baseline cost", "sim_cost_usd", "wisefuse-slo@", base+"-cost")
}

// baselineMechanism is what each baseline does that WiseFuse's plans cannot (docs/wisefuse.md,
// "Not modelled"); a baseline absent here plans only shapes WiseFuse's search also weighs.
var baselineMechanism = map[string]string{
	"sonic":   "direct VM-to-VM passing",
	"photons": "a shared runtime (co-located invocations need less memory)",
}

// searchSpace is what WiseFuse's search weighs (docs/wisefuse.md, "Transformer").
const searchSpace = "VM sizes, bundles (1 to 10 items, and larger ones that split a wide Map evenly into fewer VMs), fusion of consecutive steps into one VM " +
	"whose Maps keep all their items or B = 1, 2, 4 or 8 and spill the rest B per VM, data through remote storage between VMs"

// whyFaster says why baseline b can be faster than WiseFuse at its cost.
func whyFaster(b string) string {
	if m, ok := baselineMechanism[b]; ok {
		return fmt.Sprintf("%s uses %s, outside WiseFuse's search space (%s).", b, m, searchSpace)
	}
	// Faastlane's whole-instance VM with spill is a fused group WiseFuse weighs (issue 15).
	return fmt.Sprintf("%s's plan has a shape WiseFuse's search also weighs (%s), so the gap is WiseFuse's "+
		"choice, made on its model's predicted cost and P95, not a mechanism it lacks.", b, searchSpace)
}

// paperVsBaselines is the paper's P95 reduction of WiseFuse over each baseline.
var paperVsBaselines = map[string]map[string]float64{
	"video": {"sonic": 0.47, "photons": 0.62, "faastlane": 0.39},
	"ml":    {"photons": 0.67, "faastlane": 0.39, "sonic": 0.90},
}

func headlinesVsBaselines(t *Table) []Headline {
	var hs []Headline
	for _, app := range t.Strings("app") {
		for _, b := range compareBaselines {
			hs = append(hs, baselineHeadline(t, app, b))
		}
	}
	return hs
}

// baselineHeadline is WiseFuse's P95 at b's cost and its cost at b's P95 on app: the default
// reading, the range over all readings, the paper's number and what moves ours.
func baselineHeadline(t *Table, app, b string) Headline {
	h := Headline{Claim: fmt.Sprintf("%s: WiseFuse P95 vs %s at equal cost", app, b), Paper: "-"}
	paper, hasPaper := paperVsBaselines[app][b]
	if hasPaper {
		h.Paper = fmt.Sprintf("%.0f%% lower", 100*paper)
	}
	p95 := spreadOf(t, app, "wisefuse@"+b, b, "sim_p95_s")
	if p95.measured == 0 {
		h.Ours = "not measured"
		h.Note = fmt.Sprintf("%s or WiseFuse has no result on %s under any reading; the table's note says why.", b, app)
		return h
	}
	def := "not measured at the default reading"
	if !math.IsNaN(p95.def) {
		def = change(p95.def) + " (" + p95.defaultReading.String() + ")"
	}
	h.Ours = fmt.Sprintf("P95 %s; %s", def, p95.rangesText())
	cost := spreadOf(t, app, "wisefuse-slo@"+b, b, "sim_cost_usd")
	if cost.measured > 0 {
		cdef := "-"
		if !math.IsNaN(cost.def) {
			cdef = change(cost.def)
		}
		h.Ours += fmt.Sprintf(". Cost at equal P95: %s; %s", cdef, cost.rangesText())
	}
	var notes []string
	notes = append(notes, p95.verdict("P95 at equal cost"))
	if cost.measured > 0 {
		notes = append(notes, cost.verdict("cost at equal P95"))
	}
	if hasPaper {
		lo, hi := 1-p95.hi, 1-p95.lo // reductions
		if !math.IsNaN(p95.def) {
			h.Diff = fmt.Sprintf("%+.0f points", 100*((1-p95.def)-paper))
		}
		if paper >= lo && paper <= hi {
			notes = append(notes, "The paper's number is inside our range.")
		} else {
			h.Diff = strings.TrimSpace(h.Diff + fmt.Sprintf(" (range %+.0f to %+.0f)", 100*(lo-paper), 100*(hi-paper)))
			where := "No reading reaches the paper's reduction"
			if lo > paper {
				where = "Our reduction exceeds the paper's under every reading"
			}
			notes = append(notes, where+": our baselines and apps run on a simulated platform calibrated to public profiles, not the paper's AWS deployment.")
		}
	}
	notes = append(notes, p95.driver())
	if p95.hi > 1 {
		notes = append(notes, "Where WiseFuse is slower, "+whyFaster(b))
	}
	n := overBudget(t, app, b)
	if n > 0 {
		notes = append(notes, fmt.Sprintf("Under %d reading(s) WiseFuse's plan met the budget in its model but cost over 5%% more than %s in simulation, so that P95 is not at equal cost.", n, b))
	}
	h.Note = strings.Join(nonEmpty(notes), " ")
	h.Means = baselineMeans(app, b, p95, cost, n)
	return h
}

// baselineMeans is the headline's one sentence: only what holds under every measured reading and
// profiling draw (ratios of WiseFuse over b: below 1, WiseFuse is faster or cheaper), so a
// conclusion that one modelling choice or one profiling draw would overturn is never stated as a
// result.
func baselineMeans(app, b string, p95, cost spread, overBudget int) string {
	// What else can decide who wins: the modelling choices, and WiseFuse's profiling draw when
	// there are several.
	orDraw, choices := "", "the modelling choices"
	if len(p95.draws) > 1 {
		orDraw, choices = " or a profiling draw", "the modelling choices and WiseFuse's profiling draw"
	}
	faster := p95.hi < 1 && overBudget == 0
	slower := p95.lo > 1
	cheaper := cost.measured > 0 && cost.hi < 1
	dearer := cost.measured > 0 && cost.lo > 1
	every := p95.everyReading()
	if p95.measured < p95.of || (cost.measured > 0 && cost.measured < cost.of) {
		every = "every measured " + strings.TrimPrefix(every, "every ")
	}
	switch {
	case faster && cheaper:
		return fmt.Sprintf("On %[1]s WiseFuse beats %[2]s under %[3]s, faster at its cost and cheaper at its P95, so the conclusion does not rest on a modelling choice%[4]s.", app, b, every, orDraw)
	case faster && dearer:
		return fmt.Sprintf("On %[1]s WiseFuse is faster than %[2]s at its cost under %[3]s but costs more at its P95: it wins on latency, not on money.", app, b, every)
	case faster && cost.measured == 0:
		return fmt.Sprintf("On %[1]s WiseFuse is faster than %[2]s at its cost under %[3]s.", app, b, every)
	case faster:
		return fmt.Sprintf("On %[1]s WiseFuse is faster than %[2]s at its cost under %[3]s; whether it is also cheaper at equal P95 depends on the modelling choice%[4]s.", app, b, every, orDraw)
	case slower && dearer:
		return fmt.Sprintf("On %[1]s %[2]s beats WiseFuse under %[3]s, on P95 and on cost (the note says why).", app, b, every)
	case slower:
		return fmt.Sprintf("On %[1]s %[2]s is faster than WiseFuse at equal cost under %[3]s (the note says why).", app, b, every)
	case cheaper:
		return fmt.Sprintf("On %[1]s WiseFuse is cheaper than %[2]s at equal P95 under %[3]s, but which is faster at equal cost depends on the modelling choice%[4]s.", app, b, every, orDraw)
	case dearer:
		return fmt.Sprintf("On %[1]s WiseFuse costs more than %[2]s at equal P95 under %[3]s, and which is faster at equal cost depends on the modelling choice%[4]s.", app, b, every, orDraw)
	}
	return fmt.Sprintf("On %[1]s no conclusion against %[2]s holds under %[3]s: %[4]s named in the note decide who wins.", app, b, every, choices)
}

// overBudget counts the readings (each modelling choice under each draw) where WiseFuse at b's cost simulated more than 5% above it.
func overBudget(t *Table, app, b string) int {
	n := 0
	for _, rd := range readingsOf(t, app, b) {
		if c := readingRatio(t, app, rd, "wisefuse@"+b, b, "sim_cost_usd"); c > 1.05 {
			n++
		}
	}
	return n
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
