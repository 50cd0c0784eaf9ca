package experiments

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/wisefuse/wisefuse/baselines"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/figures"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// compareRow is one policy run on an app, the row the app comparisons (vs-user, vs-baselines,
// vs-baselines-azure) share, each adding its own columns. rule says what WiseFuse was asked (its
// SLO or budget and where it came from); note says why a policy has no numbers. Predicted columns
// are WiseFuse's model (0 for baselines); budgets bound the predicted cost, so a simulated cost a
// little over the budget is the model's cost error.
type compareRow struct {
	App      string  `col:"app"`
	Policy   string  `col:"policy"`
	Rule     string  `col:"rule"`
	SLO      float64 `col:"slo_s,nullzero"`
	Budget   float64 `col:"budget_usd,nullzero"`
	PredP95  float64 `col:"pred_p95_s,nullzero"`
	PredCost float64 `col:"pred_cost_usd,nullzero"`
	SimP95   float64 `col:"sim_p95_s"`
	SimCost  float64 `col:"sim_cost_usd"`
	Plan     string  `col:"plan"`
	Note     string  `col:"note"`
}

// relaxTries bounds how far an infeasible SLO or budget is relaxed (5% a step, about 28% in all).
const relaxTries = 6

// userRow is one row of vs-user: a compareRow and the profiling draw WiseFuse planned from (a
// baseline's row, written once with draw 0, stands for every draw), as in vs-baselines.
type userRow struct {
	compareRow
	Draw int `col:"draw"`
}

var vsUserExp = &Experiment{
	Name:  "vs-user",
	Title: "WiseFuse against untuned users: User-Max (every function at 10,240 MB) and User-Min (the smallest sizes)",
	Description: "Two fair comparisons per app, all policies simulated on the same fresh seeds. Cost: WiseFuse's SLO is " +
		"User-Max's simulated P95 (the same latency, so only the cost differs). Latency: WiseFuse's budget is " +
		"User-Min's simulated mean cost (WiseFuse minimises its P95 within it). When the model finds no plan for " +
		"that SLO or budget, it is relaxed 5% at a time and the table's rule says by how much. WiseFuse plans from " +
		"each of several independent profiling draws, as in vs-baselines (3 in quick mode, 5 in full; draw 0 is " +
		"the seed every other experiment profiles with); headlines give draw 0 and the range over the draws, " +
		"figures draw that range as error bars.",
	Schema:    schemaOf[userRow](),
	Cells:     appCells,
	Run:       runVsUser,
	Figure:    figureVsUser,
	Headlines: headlinesVsUser,
}

func init() {
	Register(vsUserExp)
	Register(vsBaselinesExp)
}

// compareRun is one cell's shared state: the app, its planner and the common evaluation seed.
type compareRun struct {
	p    appParams
	w    *dag.Workflow
	plat *platform.Platform // the app's calibrated platform: every policy plans and runs on it
	pl   *wisefuse.Planner
	// plErr, when set, is why WiseFuse has no planner on this platform: its rows say so instead
	// of failing the cell (vs-baselines-azure; the other experiments fail on it).
	plErr error
	seed  uint64
	runs  int
	rows  []Row
	run   func(plan *dag.Plan) (simOutcome, error)
	// wrap, when set, turns each row into the experiment's own row type (vs-user adds the
	// profiling draw, vs-baselines the modelling choices too); nil keeps the compareRow.
	wrap func(compareRow) any
}

// add appends r to the cell's rows.
func (cr *compareRun) add(r compareRow) {
	if cr.wrap != nil {
		cr.rows = append(cr.rows, rowOf(cr.wrap(r)))
		return
	}
	cr.rows = append(cr.rows, rowOf(r))
}

func newCompareRun(c Cell, seed uint64) (*compareRun, error) {
	p := c.Params.(appParams)
	w, plat, err := appNamed(p.App)
	if err != nil {
		return nil, err
	}
	return newCompareRunOn(p, w, plat, seed)
}

// newCompareRunOn is newCompareRun on the given platform: WiseFuse profiles and every plan runs
// on plat.
func newCompareRunOn(p appParams, w *dag.Workflow, plat *platform.Platform, seed uint64) (*compareRun, error) {
	cr := newEvalRun(p, w, plat, seed)
	if cr.plErr != nil {
		return nil, cr.plErr
	}
	return cr, nil
}

// newEvalRun is newCompareRunOn that keeps WiseFuse's planner error in plErr instead of
// returning it, so the baselines still run and WiseFuse's rows give the reason.
func newEvalRun(p appParams, w *dag.Workflow, plat *platform.Platform, seed uint64) *compareRun {
	cr := &compareRun{p: p, w: w, plat: plat, seed: seed, runs: evalRuns(p.Quick)}
	cr.pl, cr.plErr = newAppPlanner(w, plat, seed, p.Quick)
	evalSeed := subSeed(seed, "eval")
	cr.run = func(plan *dag.Plan) (simOutcome, error) { return simulatePlan(w, plan, cr.runs, plat, evalSeed) }
	return cr
}

// baseline plans and simulates a baseline; a planner or simulator error becomes a row with a note
// (e.g. Faastlane's one VM cannot hold a Map), not a failed cell.
func (cr *compareRun) baseline(name string, planner dag.Planner) (simOutcome, bool) {
	plan, err := planner.Plan(cr.w, dag.Objective{})
	var got simOutcome
	if err == nil {
		got, err = cr.run(plan)
	}
	if err != nil {
		cr.add(compareRow{App: cr.p.App, Policy: name, Rule: "defaults", Note: fmt.Sprintf("not run: %v", err)})
		return simOutcome{}, false
	}
	cr.add(compareRow{App: cr.p.App, Policy: name, Rule: "defaults",
		SimP95: got.P(95), SimCost: got.MeanCost, Plan: planJSON(plan)})
	return got, true
}

// wisefuse searches obj (relaxing it when infeasible), simulates the plan and adds its row.
func (cr *compareRun) wisefuse(name, why string, obj dag.Objective) error {
	if cr.plErr != nil {
		cr.add(compareRow{App: cr.p.App, Policy: name, Rule: why, SLO: obj.SLO, Budget: obj.Budget,
			Note: fmt.Sprintf("not run: %v", cr.plErr)})
		return nil
	}
	r, met, err := relaxedSearch(cr.pl, obj, relaxTries)
	if err != nil {
		cr.add(compareRow{App: cr.p.App, Policy: name, Rule: why, SLO: obj.SLO, Budget: obj.Budget,
			Note: fmt.Sprintf("no plan even relaxed: %v", err)})
		return nil
	}
	rule := why
	if met != obj {
		if obj.SLO > 0 {
			rule += fmt.Sprintf(", relaxed to %.2fx", met.SLO/obj.SLO)
		} else {
			rule += fmt.Sprintf(", relaxed to %.2fx", met.Budget/obj.Budget)
		}
	}
	got, err := cr.run(r.Plan)
	if err != nil {
		return err
	}
	cr.add(compareRow{App: cr.p.App, Policy: name, Rule: rule, SLO: met.SLO, Budget: met.Budget,
		PredP95: r.Prediction.Percentile(95), PredCost: r.Prediction.MeanCost,
		SimP95: got.P(95), SimCost: got.MeanCost, Plan: planJSON(r.Plan)})
	return nil
}

// userMaxSLOFactors are the SLOs WiseFuse is given against User-Max, as multiples of User-Max's
// P95: the same latency (the headline's fair comparison), and two looser targets that show how
// much of the saving depends on how close the target is to the fastest possible.
var userMaxSLOFactors = []float64{1, 1.25, 1.5}

func runVsUser(c Cell, seed uint64) ([]Row, error) {
	cr, err := newCompareRun(c, seed)
	if err != nil {
		return nil, err
	}
	draw := defaultDraw
	cr.wrap = func(r compareRow) any { return userRow{compareRow: r, Draw: draw} }
	planners, err := cr.drawPlanners()
	if err != nil {
		return nil, err
	}
	umax, okMax := cr.baseline("user-max", baselines.UserMax{})
	umin, okMin := cr.baseline("user-min", baselines.UserMin{})
	for k, pl := range planners {
		draw, cr.pl = k, pl
		if okMax {
			for _, f := range userMaxSLOFactors {
				name, why := "wisefuse-slo", "SLO = User-Max's P95"
				if f != 1 {
					name, why = fmt.Sprintf("wisefuse-slo-x%.2f", f), fmt.Sprintf("SLO = %.2f x User-Max's P95", f)
				}
				if err := cr.wisefuse(name, why, dag.Objective{SLO: f * umax.P(95)}); err != nil {
					return nil, err
				}
			}
		}
		if okMin {
			if err := cr.wisefuse("wisefuse-budget", "budget = User-Min's cost", dag.Objective{Budget: umin.MeanCost}); err != nil {
				return nil, err
			}
		}
	}
	return cr.rows, nil
}

// drawPlanners returns WiseFuse's planner of each profiling draw (profileDraws), draw 0 the cell's
// own (cr.pl).
func (cr *compareRun) drawPlanners() ([]*wisefuse.Planner, error) {
	planners := []*wisefuse.Planner{cr.pl}
	for k := 1; k < profileDraws(cr.p.Quick); k++ {
		pl, err := newAppPlanner(cr.w, cr.plat, drawSeed(cr.seed, k), cr.p.Quick)
		if err != nil {
			return nil, err
		}
		planners = append(planners, pl)
	}
	return planners, nil
}

// findCompareRow returns the row of (app, policy) at profiling draw, or nil when absent or not
// run. A baseline's row, written with the default draw, stands for every draw.
func findCompareRow(t *Table, app, policy string, draw int) Row {
	for _, r := range t.Rows {
		if cellStr(t, r, "app") == app && cellStr(t, r, "policy") == policy && cellStr(t, r, "note") == "" &&
			(!strings.HasPrefix(policy, "wisefuse") || int(cellInt(t, r, "draw")) == draw) {
			return r
		}
	}
	return nil
}

// compareRatio is col of policy a over col of policy b on app, at profiling draw, or NaN.
func compareRatio(t *Table, app, a, b, col string, draw int) float64 {
	ra, rb := findCompareRow(t, app, a, draw), findCompareRow(t, app, b, draw)
	if ra == nil || rb == nil {
		return appNaN()
	}
	return cellFloat(t, ra, col) / cellFloat(t, rb, col)
}

// compareRatios is compareRatio at each profiling draw of app's rows that has one, ascending by
// draw.
func compareRatios(t *Table, app, a, b, col string) []float64 {
	var out []float64
	for _, d := range drawsOf(t, app) {
		if r := compareRatio(t, app, a, b, col, d); !appIsNaN(r) {
			out = append(out, r)
		}
	}
	return out
}

// ratioBars draws, per app, WiseFuse's value relative to each reference policy at the default
// profiling draw, with the range over the draws as an error bar; missing comparisons are left
// out of the figure (drawn as 0) and said in the headlines.
func ratioBars(t *Table, title, ylabel, col string, pairs [][2]string, names []string, path string) error {
	f := figures.Bars{Title: title, XLabel: "Application", Categories: t.Strings("app"), Y: figures.Axis{Label: ylabel},
		ValueFormat: "%.2f", Refs: []figures.Ref{{Value: 1}}} // unlabelled: a label would sit on the last bar's value
	for i, pr := range pairs {
		s := figures.BarSeries{Name: names[i]}
		for _, app := range f.Categories {
			v, lo, hi := compareRatio(t, app, pr[0], pr[1], col, defaultDraw), 0.0, 0.0
			if rs := compareRatios(t, app, pr[0], pr[1], col); len(rs) > 0 && !appIsNaN(v) {
				lo, hi = slices.Min(rs), slices.Max(rs)
			}
			if appIsNaN(v) {
				v = 0
			}
			s.Values, s.Low, s.High = append(s.Values, v), append(s.Low, lo), append(s.High, hi)
		}
		f.Series = append(f.Series, s)
	}
	return f.Write(path)
}

func figureVsUser(t *Table, base string) error {
	pairs := [][2]string{{"wisefuse-slo", "user-max"}}
	names := []string{"SLO = User-Max P95" + relaxedNote(t, "wisefuse-slo")}
	for _, k := range userMaxSLOFactors[1:] {
		wf := fmt.Sprintf("wisefuse-slo-x%.2f", k)
		pairs = append(pairs, [2]string{wf, "user-max"})
		names = append(names, fmt.Sprintf("SLO = %.2f x", k)+relaxedNote(t, wf))
	}
	if err := ratioBars(t, "WiseFuse cost relative to User-Max, by SLO", "Mean cost / User-Max's", "sim_cost_usd",
		pairs, names, base+"-cost"); err != nil {
		return err
	}
	return ratioBars(t, "WiseFuse P95 within User-Min's cost, relative to User-Min", "P95 / User-Min's", "sim_p95_s",
		[][2]string{{"wisefuse-budget", "user-min"}}, []string{"WiseFuse (budget = User-Min cost)" + relaxedNote(t, "wisefuse-budget")}, base+"-p95")
}

// relaxedNote says, for a legend, on which apps policy's SLO or budget was relaxed and to what,
// as the table's rule column records it: " (relaxed to 1.05x on chatbot, ml; 1.10x on svd)", or
// "" when it was not.
func relaxedNote(t *Table, policy string) string {
	apps := map[string][]string{}
	var factors []string
	for _, app := range t.Strings("app") {
		r := findCompareRow(t, app, policy, defaultDraw)
		if r == nil {
			continue
		}
		_, f, ok := strings.Cut(cellStr(t, r, "rule"), "relaxed to ")
		if !ok {
			continue
		}
		if apps[f] == nil {
			factors = append(factors, f)
		}
		apps[f] = append(apps[f], app)
	}
	if len(factors) == 0 {
		return ""
	}
	sort.Strings(factors)
	parts := make([]string, len(factors))
	for i, f := range factors {
		parts[i] = f + " on " + strings.Join(apps[f], ", ")
	}
	return " (relaxed to " + strings.Join(parts, "; ") + ")"
}

// reduction is the headline for "WiseFuse's col is x% lower than ref's" on app at the default
// profiling draw, with the range over the draws, against the paper's number (paper < 0: no
// claim). A conclusion is stated when it holds on every draw; otherwise the headline says on how
// many it does.
func reduction(t *Table, app, wf, ref, col, what string, paper float64) Headline {
	h := Headline{Claim: fmt.Sprintf("%s: WiseFuse %s vs %s", app, what, ref), Paper: "-"}
	if paper >= 0 {
		h.Paper = fmt.Sprintf("%.0f%% lower", 100*paper)
	}
	r := compareRatio(t, app, wf, ref, col, defaultDraw)
	if appIsNaN(r) {
		h.Ours = "not measured"
		h.Note = fmt.Sprintf("%s or WiseFuse has no result on %s; the table's note says why", ref, app)
		return h
	}
	red := 1 - r
	h.Ours = change(r)
	if wr := findCompareRow(t, app, wf, defaultDraw); wr != nil {
		h.Ours += " (" + cellStr(t, wr, "rule") + ")"
	}
	rs := compareRatios(t, app, wf, ref, col)
	h.Ours += drawRange("; ", rs)
	lower, near := 0, 0
	for _, x := range rs {
		if 1-x > 0 {
			lower++
			if paper >= 0 && appAbs(1-x-paper) <= 0.10 {
				near++
			}
		}
	}
	switch {
	case paper >= 0 && near == len(rs):
		h.Means = fmt.Sprintf("Reproduces the paper: WiseFuse's %s is lower than %s's by about the paper's margin.", what, ref)
	case paper >= 0 && lower == len(rs):
		h.Means = fmt.Sprintf("Same direction as the paper (WiseFuse's %s is lower than %s's), by a different margin.", what, ref)
	case paper >= 0 && lower == 0:
		h.Means = fmt.Sprintf("Does not reproduce the paper: here WiseFuse's %s is not lower than %s's.", what, ref)
	case paper >= 0:
		h.Means = fmt.Sprintf("Depends on the profiling draw: WiseFuse's %s is lower than %s's on %d of %d draws.", what, ref, lower, len(rs))
	}
	if paper >= 0 {
		h.Diff = fmt.Sprintf("%+.0f points", 100*(red-paper))
		if appAbs(red-paper) > 0.10 {
			h.Note = "differs by more than 10 points: our baselines and apps run on a simulated platform calibrated to public profiles, not the paper's AWS deployment."
		}
	}
	return h
}

// drawRange is "over N draws: lo to hi" (or "x on each of N draws") for the ratios rs of
// WiseFuse to a reference at each profiling draw, written after before, or "" for fewer than two
// draws.
func drawRange(before string, rs []float64) string {
	if len(rs) < 2 {
		return ""
	}
	lo, hi := slices.Max(rs), slices.Min(rs) // the least and the most WiseFuse saves
	if change(lo) == change(hi) {
		return fmt.Sprintf("%s%s on each of %d draws", before, change(lo), len(rs))
	}
	return fmt.Sprintf("%sover %d draws: %s to %s", before, len(rs), change(lo), change(hi))
}

func headlinesVsUser(t *Table) []Headline {
	var hs []Headline
	for _, app := range t.Strings("app") {
		pc, pl := -1.0, -1.0
		if app == "video" {
			pc, pl = 0.63, 0.61
		}
		hc := reduction(t, app, "wisefuse-slo", "user-max", "sim_cost_usd", "cost", pc)
		var looser []string
		for _, k := range userMaxSLOFactors[1:] {
			wf := fmt.Sprintf("wisefuse-slo-x%.2f", k)
			if r := compareRatio(t, app, wf, "user-max", "sim_cost_usd", defaultDraw); !appIsNaN(r) {
				more := drawRange(" (", compareRatios(t, app, wf, "user-max", "sim_cost_usd"))
				if more != "" {
					more += ")"
				}
				looser = append(looser, fmt.Sprintf("%s at %.2fx%s", change(r), k, more))
			}
		}
		if len(looser) > 0 {
			hc.Ours += "; looser SLOs: " + strings.Join(looser, ", ")
		}
		if pc >= 0 && hc.Note != "" {
			for _, k := range userMaxSLOFactors[1:] {
				if r := compareRatio(t, app, fmt.Sprintf("wisefuse-slo-x%.2f", k), "user-max", "sim_cost_usd", defaultDraw); !appIsNaN(r) && appAbs(1-r-pc) <= 0.10 {
					hc.Note = fmt.Sprintf("at exactly User-Max's P95 WiseFuse has little room to use smaller VMs; at %.2fx that P95 the saving is within 10 points of the paper's (draw 0), which does not say how close its SLO was to User-Max's P95", k)
					break
				}
			}
		}
		hs = append(hs, hc, reduction(t, app, "wisefuse-budget", "user-min", "sim_p95_s", "P95", pl))
	}
	return hs
}
