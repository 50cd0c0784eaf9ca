package wisefuse

import (
	"fmt"
	"math"
	"path/filepath"

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
// becomes the run's end gap.
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
	p := &Profile{Workflow: w, Source: "real logs " + dir}
	for _, l := range logs {
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
