package wisefuse

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/orion"
	"github.com/wisefuse/wisefuse/records"
)

// ReadLogs builds a profile from a folder of real profiling logs in the format of
// ../shared/data/aws-lambda-profiles/<app>: one file per memory size, rsc_<M>_<M>_<M>.txt, one
// run a line, `E2E:<ms> <Stage>:<ms> ...` (package orion reads them).
//
// A log gives one value per stage and run (for a parallel stage, the maximum over its
// invocations), not per invocation, and does not split download, compute and upload. So each
// stage becomes a Task step whose whole time is compute (it is what scales with the VM size), the
// workflow becomes the chain of stages in name order (a series sum does not depend on order), and
// E2E minus the sum of the stages -- Step Functions' orchestration and invocation overhead --
// becomes the run's end gap. What looks wrong in the logs without contradicting their format is
// kept for LogWarnings.
func ReadLogs(dir string) (*Profile, error) {
	logs, err := orion.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("wisefuse: %w", err)
	}
	stageNames := logs[0].Stages // orion.ReadDir checks that every log has the same, sorted
	w := &dag.Workflow{Name: filepath.Base(filepath.Clean(dir))}
	for _, n := range stageNames {
		w.Functions = append(w.Functions, dag.Function{Name: n, MinMemoryMB: dag.MinMemoryMB, Threads: 1})
		w.Steps = append(w.Steps, dag.Step{Name: n, Task: n})
	}
	p := &Profile{Workflow: w, Source: logsSource + dir, Origin: OriginLogs, logWarnings: []string{}}
	for _, l := range logs {
		p.logWarnings = append(p.logWarnings, l.Warnings()...)
		sp := newSizeProfile(w, l.MemoryMB)
		e2e := l.Seconds[orion.E2E]
		for run := range l.Runs() {
			sum := 0.0
			for si, n := range stageNames {
				v := l.Seconds[n][run]
				sum += v
				sp.Stages[si].Gap = append(sp.Stages[si].Gap, 0)
				sp.Steps[si].add(sp.Runs, 0, 0, &records.Invocation{Compute: v})
			}
			sp.E2E = append(sp.E2E, e2e[run])
			// Orchestration overhead; a run whose stages overlap a little reads as no overhead.
			sp.EndGap = append(sp.EndGap, math.Max(0, e2e[run]-sum))
			sp.Runs++
		}
		p.Sizes = append(p.Sizes, sp)
	}
	return p, nil
}

// OriginLogs is Profile.Origin for a profile read from real logs.
const OriginLogs = "logs"

// logsSource begins the Source of a profile read from real logs; it marks one written before
// Origin existed.
const logsSource = "real logs "

// FromLogs reports whether p was read from real logs (ReadLogs), directly or through a profile
// file 'wisefuse profile LOGDIR' wrote: such a profile is predicted and planned on a LogModel
// (Logs), so a folder and a profile file made from it give the same answers.
func (p *Profile) FromLogs() bool {
	return p.Origin == OriginLogs || p.Origin == "" && strings.HasPrefix(p.Source, logsSource)
}

// LogWarnings returns what looks wrong in the real logs p was made from without contradicting their
// format (orion.Log.Warnings: few runs, values that may be seconds, stages that overlap), for a
// command to print; none for a profile not made from logs. A profile ReadLogs read names each
// file (and line); one read from the file 'wisefuse profile LOGDIR' wrote names the folder it was
// made from and the size (Logs).
func (p *Profile) LogWarnings() []string {
	if p.logWarnings != nil || !p.FromLogs() {
		return p.logWarnings
	}
	logs, err := p.Logs()
	if err != nil {
		return nil // the model says what is wrong with the profile
	}
	var out []string
	for _, l := range logs {
		out = append(out, l.Warnings()...)
	}
	return out
}

// Logs returns the real logs a profile from logs (FromLogs) holds, one per size, as orion.ReadDir
// would return them: each function's compute samples are its stage's times, the E2E the run's.
// It is an error, naming the size and stage, when the profile does not have that shape.
func (p *Profile) Logs() ([]*orion.Log, error) {
	if !p.FromLogs() {
		return nil, fmt.Errorf("wisefuse: profile of %q (%s) was not made from real logs", p.Workflow.Name, p.Source)
	}
	var stages []string
	for _, f := range p.Workflow.Functions {
		stages = append(stages, f.Name)
	}
	slices.Sort(stages) // as orion.ReadDir gives them
	var logs []*orion.Log
	for i := range p.Sizes {
		sp := &p.Sizes[i]
		l := &orion.Log{Path: fmt.Sprintf("%s, %d MB", p.Source, sp.MemoryMB), MemoryMB: sp.MemoryMB, Stages: stages,
			Seconds: map[string][]float64{orion.E2E: sp.E2E}}
		for _, n := range stages {
			st := sp.Step(n)
			if st == nil || st.Len() != sp.Runs {
				return nil, fmt.Errorf("wisefuse: profile from real logs (%s), %d MB: stage %q needs one time per run (%d runs): the profile was not written by 'wisefuse profile LOGDIR'", p.Source, sp.MemoryMB, n, sp.Runs)
			}
			l.Seconds[n] = st.Compute
		}
		logs = append(logs, l)
	}
	return logs, nil
}
