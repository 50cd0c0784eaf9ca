package experiments

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/wisefuse/wisefuse/calibration"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/figures"
	"github.com/wisefuse/wisefuse/internal/shareddata"
	"github.com/wisefuse/wisefuse/internal/stats"
	"github.com/wisefuse/wisefuse/sim"
)

// profileSizes are the memory sizes profiled: the three of the public AWS profiles (so the two can
// be laid side by side) and 2048 MB, just above one vCPU, where single-threaded stages stop
// speeding up.
var profileSizes = []int{1000, 2048, 5000, 10240}

var profilesExp = &Experiment{
	Name:  "profiles",
	Title: "Per-function latency CDFs of the built-in apps at several memory sizes (simulated profiling runs)",
	Description: "Each app runs warm with every function at one size (1000, 2048, 5000 and 10240 MB), as the paper's " +
		"profiler does; a stage's value in a run is its longest invocation (what the ORION profiler logs). " +
		"Where the public AWS Lambda profiles exist (video, ml, chatbot at 1000, 5000, 10240 MB) they are " +
		"drawn beside the simulated ones. Quick mode: 50 runs per size; full: 300.",
	Schema: schemaOf[profileRow](),
	Cells:  appCells,
	Run:    runProfiles,
	Figure: figureProfiles,
	Headlines: func(t *Table) []Headline {
		return headlinesProfiles(t)
	},
	MissingData: missingProfiles,
}

// missingProfiles lists the public AWS profiles the experiment compares with and cannot find.
func missingProfiles() []string {
	dir, ok := shareddata.Dir()
	if !ok {
		return []string{"the public AWS Lambda profiles (shared data folder not found): the AWS comparison is left out"}
	}
	var missing []string
	for _, app := range calibration.ProfiledApps {
		for _, mb := range calibration.ProfiledSizes {
			if _, err := os.Stat(calibration.ProfilePath(dir, app, mb)); err != nil {
				missing = append(missing, fmt.Sprintf("%s at %d MB", app, mb))
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("public AWS Lambda profiles absent from %s: %s; those comparisons are left out", dir, strings.Join(missing, ", "))}
}

func init() { Register(profilesExp) }

// profileRow is one row of profiles: percentile q of a stage's latency at one memory size.
type profileRow struct {
	App      string  `col:"app"`
	Stage    string  `col:"stage"`  // a task, or E2E
	Source   string  `col:"source"` // simulated, or the public AWS profile
	MemoryMB int     `col:"memory_mb"`
	Q        float64 `col:"q"`
	Latency  float64 `col:"latency_s"`
}

func runProfiles(c Cell, seed uint64) ([]Row, error) {
	p := c.Params.(appParams)
	w, plat, err := appNamed(p.App)
	if err != nil {
		return nil, err
	}
	runs := 300
	if p.Quick {
		runs = 50
	}
	stages := taskSteps(w)
	qs := percentileGrid()
	var rows []Row
	emit := func(stage, source string, mem int, vals []float64) {
		sorted := slices.Clone(vals)
		slices.Sort(sorted)
		for _, q := range qs {
			rows = append(rows, rowOf(profileRow{App: p.App, Stage: stage, Source: source, MemoryMB: mem,
				Q: q, Latency: stats.Percentile(sorted, q)}))
		}
	}
	// The public profiles of the app, where present (missingProfiles says which are not); a file
	// that is present but unreadable is an error, not a silent omission.
	real := map[int]*calibration.Profile{}
	if dir, ok := shareddata.Dir(); ok && slices.Contains(calibration.ProfiledApps, p.App) {
		for _, mb := range calibration.ProfiledSizes {
			path := calibration.ProfilePath(dir, p.App, mb)
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				continue
			}
			pr, err := calibration.ReadProfile(path, p.App, mb)
			if err != nil {
				return nil, fmt.Errorf("public profile of %s: %w", p.App, err)
			}
			real[mb] = pr
		}
	}
	need := minMemory(w)
	for i, mem := range profileSizes {
		m := min(max(mem, need), dag.MaxMemoryMB)
		res, err := sim.Run(w, dag.UniformPlan(m), runs, sim.Options{Platform: plat, Seed: subSeed(seed, fmt.Sprint("size/", i)), KeepInvocations: true})
		if err != nil {
			return nil, fmt.Errorf("profiling %s at %d MB: %w", p.App, m, err)
		}
		samples := calibration.StageSamples(stages, res)
		for _, s := range append(slices.Clone(stages), calibration.E2EStage) {
			emit(s, "simulated", m, samples[s])
			if pr := real[mem]; pr != nil && len(pr.Stages[s]) > 0 {
				emit(s, "aws", mem, pr.Stages[s])
			}
		}
	}
	return rows, nil
}

// figureProfiles draws one CDF per (app, stage): the simulated stage latency at each size, and the
// AWS measurement where there is one.
func figureProfiles(t *Table, base string) error {
	for _, app := range t.Strings("app") {
		inApp := t.Where("app", app)
		var stages []string
		for _, r := range t.Rows {
			if inApp(r) && !slices.Contains(stages, cellStr(t, r, "stage")) {
				stages = append(stages, cellStr(t, r, "stage"))
			}
		}
		for _, stage := range stages {
			f := figures.CDF{
				Title: fmt.Sprintf("%s: %s latency by memory size", app, stage),
				X:     figures.Axis{Label: fmt.Sprintf("%s latency (s)", stage), Log: true},
			}
			// One colour per size; the AWS measurement solid, the simulation dashed beside it.
			sizes := profileSizesIn(t, app, stage, "simulated")
			for _, mem := range sizes {
				for _, source := range []string{"aws", "simulated"} {
					if !slices.Contains(profileSizesIn(t, app, stage, source), mem) {
						continue
					}
					vals := t.Floats("latency_s", func(r Row) bool {
						return inApp(r) && cellStr(t, r, "stage") == stage && cellStr(t, r, "source") == source && cellInt(t, r, "memory_mb") == int64(mem)
					})
					look := &figures.Look{Color: slices.Index(sizes, mem), Dashed: source == "simulated"}
					name := fmt.Sprintf("%d MB sim", mem)
					if source == "aws" {
						name = fmt.Sprintf("%d MB AWS", mem)
					}
					f.Series = append(f.Series, figures.Sample{Name: name, Values: vals, Look: look})
				}
			}
			if err := f.Write(fmt.Sprintf("%s-%s-%s", base, app, stage)); err != nil {
				return fmt.Errorf("%s %s: %w", app, stage, err)
			}
		}
	}
	return nil
}

func profileSizesIn(t *Table, app, stage, source string) []int {
	var out []int
	for _, r := range t.Rows {
		if cellStr(t, r, "app") == app && cellStr(t, r, "stage") == stage && cellStr(t, r, "source") == source {
			if m := int(cellInt(t, r, "memory_mb")); !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	slices.Sort(out)
	return out
}

// profileValue is the q-th percentile of (app, stage, source) at mem, or NaN.
func profileValue(t *Table, app, stage, source string, mem int, q float64) float64 {
	for _, r := range t.Rows {
		if cellStr(t, r, "app") == app && cellStr(t, r, "stage") == stage && cellStr(t, r, "source") == source &&
			cellInt(t, r, "memory_mb") == int64(mem) && cellFloat(t, r, "q") == q {
			return cellFloat(t, r, "latency_s")
		}
	}
	return appNaN()
}

// headlinesProfiles compares, per app with public profiles, the E2E median at 1000 and 10240 MB
// and the speed-up between them with the AWS measurement.
func headlinesProfiles(t *Table) []Headline {
	var hs []Headline
	for _, app := range t.Strings("app") {
		s1, s2 := profileValue(t, app, calibration.E2EStage, "simulated", 1000, 50), profileValue(t, app, calibration.E2EStage, "simulated", 10240, 50)
		a1, a2 := profileValue(t, app, calibration.E2EStage, "aws", 1000, 50), profileValue(t, app, calibration.E2EStage, "aws", 10240, 50)
		if appIsNaN(s1) || appIsNaN(s2) {
			continue
		}
		h := Headline{
			Claim: fmt.Sprintf("%s: E2E median at 1000 MB -> 10240 MB (profiles)", app),
			Ours:  fmt.Sprintf("%.1f s -> %.1f s (%.2fx)", s1, s2, s1/s2),
		}
		if appIsNaN(a1) || appIsNaN(a2) {
			h.Paper = "-"
			h.Note = "no public AWS profile for this app (or shared data not found)"
		} else {
			h.Paper = fmt.Sprintf("AWS logs: %.1f s -> %.1f s (%.2fx)", a1, a2, a1/a2)
			d1, d2 := s1/a1-1, s2/a2-1
			h.Diff = fmt.Sprintf("%+.1f%% / %+.1f%%", 100*d1, 100*d2)
			if appAbs(d1) > 0.10 || appAbs(d2) > 0.10 {
				h.Note = "the simulated median is more than 10% off the measured one at one size; docs/calibration.md has the per-stage fit"
			}
		}
		hs = append(hs, h)
	}
	return hs
}
