package wisefuse

import (
	"fmt"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/platform"
)

func TestZZCount(t *testing.T) {
	for _, a := range apps.All() {
		p, _ := profileInSim(a.Build(), ProfileOptions{})
		pl, _ := NewPlanner(p, PlannerOptions{Model: ModelOptions{Platform: platform.Default()}})
		pl.Prepare()
		cnt := map[string]int{}
		mems := map[string]map[int]bool{}
		for i, row := range pl.listed {
			for j, os := range row {
				for _, o := range os {
					sg := o.seg
					k := fmt.Sprintf("[%d,%d) ", i, j)
					switch {
					case sg.fusedStages:
						k += fmt.Sprintf("fs spill %v", sg.spill)
					case sg.fusedMap:
						k += "fm"
					case sg.cfg != nil && sg.cfg.bundle > 1:
						k += fmt.Sprintf("bundle %d", sg.cfg.bundle)
					default:
						k += "plain"
					}
					if o.replays() {
						k += " R"
					}
					cnt[k]++
					if mems[k] == nil {
						mems[k] = map[int]bool{}
					}
					mems[k][sg.mem] = true
				}
			}
		}
		fmt.Println(a.Name)
		for k, v := range cnt {
			fmt.Printf("  %-40s %d (mems %d)\n", k, v, len(mems[k]))
		}
	}
}
