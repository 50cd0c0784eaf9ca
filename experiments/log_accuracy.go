package experiments

import (
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/wisefuse/wisefuse/calibration"
	"github.com/wisefuse/wisefuse/internal/shareddata"
	"github.com/wisefuse/wisefuse/internal/stats"
	"github.com/wisefuse/wisefuse/orion"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// logAccuracyBar is the paper's accuracy bar: P95 E2E error <= 13% on real AWS Lambda.
const logAccuracyBar = 0.13

// logAccuracyCases are the sizes the log modeler is fitted to and the size it predicts: between
// them (interpolation) and beyond them (extrapolation), the public logs' three sizes.
var logAccuracyCases = []struct {
	name   string
	fit    []int
	target int
}{{"interpolation", []int{1000, 10240}, 5000}, {"extrapolation", []int{1000, 5000}, 10240}}

var logAccuracyExp = &Experiment{
	Name:  "log-accuracy",
	Title: "The physical log modeler (model and plan --profiles LOGDIR) on sizes its fit did not see, against the public AWS Lambda logs",
	Description: "For each app with public AWS Lambda profiles (ORION logs at 1000, 5000 and 10240 MB), wisefuse.LogModel is " +
		"fitted to two sizes and predicts the E2E latency at the third: 5000 MB from 1000 + 10240 MB (interpolation) and " +
		"10240 MB from 1000 + 5000 MB (extrapolation). Predicted P50 and P95 are compared with the measured ones at that size; " +
		"the paper's bar is a P95 error of at most 13%. No simulation and no randomness: quick and full runs are the same.",
	Schema:      schemaOf[logAccuracyRow](),
	Cells:       logAccuracyCells,
	Run:         runLogAccuracy,
	Headlines:   headlinesLogAccuracy,
	MissingData: missingLogAccuracy,
}

func init() { Register(logAccuracyExp) }

// logAccuracyRow is one row of log-accuracy: percentile q of an app's E2E at target MB,
// predicted from the logs at the fit sizes and measured.
type logAccuracyRow struct {
	App      string  `col:"app"`
	Case     string  `col:"case"`
	Fit      string  `col:"fit_mb"`
	TargetMB int     `col:"target_mb"`
	Q        float64 `col:"q"`
	Pred     float64 `col:"pred_s"`
	Measured float64 `col:"measured_s"`
}

func logAccuracyCells(bool) []Cell {
	var cells []Cell
	for _, app := range calibration.ProfiledApps {
		cells = append(cells, Cell{Key: app, Params: app})
	}
	return cells
}

// logPaths returns app's log files by size, or ok false when the shared data lack one.
func logPaths(app string) (paths map[int]string, ok bool) {
	dir, found := shareddata.Dir()
	if !found {
		return nil, false
	}
	paths = map[int]string{}
	for _, mb := range calibration.ProfiledSizes {
		p := calibration.ProfilePath(dir, app, mb)
		if _, err := os.Stat(p); err != nil {
			return nil, false
		}
		paths[mb] = p
	}
	return paths, true
}

func missingLogAccuracy() []string {
	var missing []string
	for _, app := range calibration.ProfiledApps {
		if _, ok := logPaths(app); !ok {
			missing = append(missing, app)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("the public AWS Lambda logs of %s (at 1000, 5000 and 10240 MB): their accuracy rows are left out", strings.Join(missing, ", "))}
}

func runLogAccuracy(c Cell, _ uint64) ([]Row, error) {
	app := c.Params.(string)
	paths, ok := logPaths(app)
	if !ok {
		return nil, nil // MissingData says so
	}
	logs := map[int]*orion.Log{}
	for mb, p := range paths {
		l, err := orion.ReadFile(p)
		if err != nil {
			return nil, err
		}
		logs[mb] = l
	}
	var rows []Row
	for _, k := range logAccuracyCases {
		var fit []*orion.Log
		for _, mb := range k.fit {
			fit = append(fit, logs[mb])
		}
		m, err := wisefuse.NewLogModel(fit, nil)
		if err != nil {
			return nil, err
		}
		pr := m.Predict(func(string) int { return k.target })
		measured := stats.Percentiles(logs[k.target].Seconds[orion.E2E], 50, 95)
		for i, q := range []float64{50, 95} {
			rows = append(rows, rowOf(logAccuracyRow{App: app, Case: k.name, Fit: fmt.Sprintf("%d+%d", k.fit[0], k.fit[1]),
				TargetMB: k.target, Q: q, Pred: pr.Latency.Percentile(q), Measured: measured[i]}))
		}
	}
	return rows, nil
}

func headlinesLogAccuracy(t *Table) []Headline {
	var hs []Headline
	val := func(app, kase string, q float64, col string) float64 {
		xs := t.Floats(col, func(r Row) bool {
			return r[t.Col("app")] == app && r[t.Col("case")] == kase && r[t.Col("q")] == q
		})
		if len(xs) != 1 {
			return math.NaN()
		}
		return xs[0]
	}
	for _, app := range t.Strings("app") {
		for _, k := range logAccuracyCases {
			p50, m50 := val(app, k.name, 50, "pred_s"), val(app, k.name, 50, "measured_s")
			p95, m95 := val(app, k.name, 95, "pred_s"), val(app, k.name, 95, "measured_s")
			if math.IsNaN(p95) || math.IsNaN(p50) {
				continue
			}
			e50, e95 := p50/m50-1, p95/m95-1
			h := Headline{
				Claim: fmt.Sprintf("%s: log model E2E error, %s (%d MB from %d + %d MB)", app, k.name, k.target, k.fit[0], k.fit[1]),
				Paper: fmt.Sprintf("P95 error <= %.0f%%", 100*logAccuracyBar),
				Ours: fmt.Sprintf("P50 %+.1f%% (%.2f s vs %.2f s), P95 %+.1f%% (%.2f s vs %.2f s)",
					100*e50, p50, m50, 100*e95, p95, m95),
			}
			if math.Abs(e95) <= logAccuracyBar {
				h.Diff = "within the bar"
			} else {
				h.Diff = fmt.Sprintf("%.1f points over the bar", 100*(math.Abs(e95)-logAccuracyBar))
				// Where the logs are slower at the larger size, no curve monotone in memory fits them.
				at5, at10 := val(app, "interpolation", 95, "measured_s"), val(app, "extrapolation", 95, "measured_s")
				if at10 > at5 {
					h.Note = fmt.Sprintf("the logs' E2E P95 is higher at 10240 MB (%.2f s) than at 5000 MB (%.2f s): no curve monotone in memory fits both", at10, at5)
				}
			}
			hs = append(hs, h)
		}
	}
	return hs
}
