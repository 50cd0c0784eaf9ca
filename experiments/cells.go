package experiments

import (
	"fmt"
	"strings"
)

// planCells lists every selected experiment's cells, keyed by experiment name, before anything
// runs, so the progress bar knows the total. It first deletes each experiment's cells kept by
// other builds of the program, and fails on a duplicate cell key (which would make two cells share
// one kept file).
func planCells(cfg Config, exps []*Experiment) (map[string][]Cell, error) {
	cellsOf := map[string][]Cell{}
	for _, e := range exps {
		if err := removeStaleCells(cfg, e); err != nil {
			return nil, err
		}
		cells := e.Cells(cfg.Quick)
		// Kept per state of the public data, so a cell computed without the data is not reused
		// once it is there (a run after `make data` would report the data present beside rows
		// computed without it), nor the other way round.
		if e.MissingData != nil {
			missing := strings.Join(e.MissingData(), "\n")
			for i := range cells {
				cells[i].data = missing
			}
		}
		keys := map[string]bool{}
		for _, c := range cells {
			if keys[c.Key] {
				return nil, fmt.Errorf("experiment %s: duplicate cell key %q", e.Name, c.Key)
			}
			keys[c.Key] = true
		}
		cellsOf[e.Name] = cells
	}
	return cellsOf, nil
}
