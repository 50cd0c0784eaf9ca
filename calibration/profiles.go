package calibration

import (
	"path/filepath"
	"slices"

	"github.com/wisefuse/wisefuse/internal/shareddata"
	"github.com/wisefuse/wisefuse/internal/stats"
	"github.com/wisefuse/wisefuse/orion"
)

// E2EStage is the name the profile files give the whole workflow's latency.
const E2EStage = orion.E2E

// ProfiledSizes are the memory sizes (MB) of the public AWS Lambda profiles.
var ProfiledSizes = []int{1000, 5000, 10240}

// ProfiledApps names the apps with public profiles, in the folder names of
// shared/data/aws-lambda-profiles.
var ProfiledApps = []string{"video", "ml", "chatbot"}

// Profile is one profile file: about 300 runs of a workflow with every function at MemoryMB.
// Stages maps a stage name (and E2EStage) to its value in each run, in seconds. A parallel
// stage's value is the maximum over its invocations in that run, as the ORION DAG profiler logs it.
type Profile struct {
	App      string
	MemoryMB int
	Path     string
	Stages   map[string][]float64
	// Warnings is what looks wrong in the file without contradicting its format
	// (orion.Log.Warnings), for the command to print.
	Warnings []string
}

// StageNames returns the profile's stage names, sorted, without E2E.
func (p *Profile) StageNames() []string {
	var names []string
	for n := range p.Stages {
		if n != E2EStage {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// Quantile returns the q-th percentile (0..100) of stage in seconds (NaN if absent).
func (p *Profile) Quantile(stage string, q float64) float64 {
	return stats.Percentiles(p.Stages[stage], q)[0]
}

// ProfilePath is the file holding app's runs at mb MB inside the shared data folder dir.
func ProfilePath(dir, app string, mb int) string {
	return filepath.Join(dir, "aws-lambda-profiles", app, orion.FileName(mb))
}

// ReadProfile reads one profile file (format and checks: orion.ReadFile) as app's runs at mb MB.
// Errors name the file, line and field.
func ReadProfile(path, app string, mb int) (*Profile, error) {
	l, err := orion.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &Profile{App: app, MemoryMB: mb, Path: path, Stages: l.Seconds, Warnings: l.Warnings()}, nil
}

// ReadProfiles reads app's profiles at every profiled size from the shared data folder dir.
func ReadProfiles(dir, app string) ([]*Profile, error) {
	var out []*Profile
	for _, mb := range ProfiledSizes {
		p, err := ReadProfile(ProfilePath(dir, app, mb), app, mb)
		if err != nil {
			return nil, shareddata.Explain(dir, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// Drift is a stationarity check of one stage of one profile: the median of the first half of the
// runs (in the file's order, which is the order they ran) against the median of the second half.
// A simulator draws every run from one distribution, so no setting of its parameters can follow
// a measurement whose level moved while it was taken.
type Drift struct {
	App               string
	Stage             string
	MemoryMB          int
	FirstP50, LastP50 float64 // seconds
}

// Change is the second half's median relative to the first half's.
func (d Drift) Change() float64 { return d.LastP50/d.FirstP50 - 1 }

// DriftLimit is the change beyond which a profile counts as non-stationary: in the public
// profiles every stage of every size moves by at most 7% between halves, except chatbot at
// 10,240 MB, whose stages move by 11% to 39%.
const DriftLimit = 0.10

// Drifts returns the stationarity check of every stage (and E2E) of p, stages sorted, E2E last.
func (p *Profile) Drifts() []Drift {
	var out []Drift
	for _, s := range append(p.StageNames(), E2EStage) {
		x := p.Stages[s]
		if len(x) < 4 {
			continue
		}
		h := len(x) / 2
		out = append(out, Drift{App: p.App, Stage: s, MemoryMB: p.MemoryMB,
			FirstP50: stats.Percentiles(x[:h], 50)[0], LastP50: stats.Percentiles(x[h:], 50)[0]})
	}
	return out
}
