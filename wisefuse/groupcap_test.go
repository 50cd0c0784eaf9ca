package wisefuse

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
)

// TestGroupCap: a long chain of tasks lists at most maxListed options, its fusion groups capped
// at the longest that keeps them so (GroupWarning says how long), and its plan holds no longer
// group. The options of a run of fusable steps grow with the square of its length: a chain of
// 400 tasks listed 2.1 million of them, 8.3 GB in 62 s (now 0.8 GB in 3 s, groups of at most 25),
// and a chain of 100 Maps took 5 minutes and 3.85 GB. A chain short enough lists every group.
func TestGroupCap(t *testing.T) {
	chain := func(n int) *dag.Workflow {
		w := &dag.Workflow{Name: fmt.Sprint("chain", n), Functions: []dag.Function{{Name: "f", MinMemoryMB: 128, SerialWork: dag.Const(0.01), Threads: 1}}}
		for i := range n {
			w.Steps = append(w.Steps, dag.Step{Name: fmt.Sprint("s", i), Task: "f"})
		}
		return w
	}
	for _, c := range []struct {
		steps  int
		capped bool
	}{{40, false}, {160, true}} {
		p, err := profileInSim(chain(c.steps), ProfileOptions{Runs: 5})
		if err != nil {
			t.Fatal(err)
		}
		pl, err := NewPlanner(p, PlannerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		r, err := pl.Search(dag.Objective{SLO: 1e6})
		if err != nil {
			t.Fatal(err)
		}
		listed, longest := 0, 0
		for i := range pl.listed {
			for j, os := range pl.listed[i] {
				listed += len(os)
				if len(os) > 0 {
					longest = max(longest, j-i)
				}
			}
		}
		warn := pl.GroupWarning()
		switch {
		case !c.capped && (warn != "" || longest != c.steps):
			t.Errorf("%d steps: groups up to %d long listed, warning %q; want every length, no warning", c.steps, longest, warn)
		case c.capped && (listed > maxListed || longest != pl.maxGroup || !strings.Contains(warn, fmt.Sprintf("at most %d of the workflow's %d steps", pl.maxGroup, c.steps))):
			t.Errorf("%d steps: %d options listed (at most %d), groups up to %d long under a cap of %d; warning %q", c.steps, listed, maxListed, longest, pl.maxGroup, warn)
		}
		for _, g := range r.Plan.Fuse {
			if c.capped && len(g) > pl.maxGroup {
				t.Errorf("%d steps: the plan fuses %d steps, over the cap of %d", c.steps, len(g), pl.maxGroup)
			}
		}
		if c.capped {
			// The cap is the longest that fits: one step more lists too many.
			pl.maxGroup++
			n := 0
			for i := range c.steps {
				n += len(pl.segmentChoices(i, pl.opts.grid(pl.model.opts.Platform)))
			}
			if n <= maxListed {
				t.Errorf("%d steps: a cap of %d would list %d options, within %d: the cap is not the longest", c.steps, pl.maxGroup, n, maxListed)
			}
		}
	}
}
