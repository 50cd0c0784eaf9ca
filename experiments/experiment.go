package experiments

import (
	"fmt"
	"hash/fnv"
	"sort"

	"github.com/wisefuse/wisefuse/tables"
)

// Experiment is one named experiment: a grid of independent cells, each producing rows of one
// table, a figure drawn from the whole table, and headline rows for the report.
type Experiment struct {
	Name        string // directory name under the output folder and --only key
	Title       string // a sentence for the report
	Description string // what it shows and how, for the report
	Schema      tables.Schema

	// Cells lists the cells; quick asks for fewer runs per cell through the same code path.
	Cells func(quick bool) []Cell
	// Run computes one cell. seed is derived from (experiment, cell index) and is the only
	// source of randomness a cell may use; rows must follow Schema.
	Run func(c Cell, seed uint64) ([]Row, error)
	// Figure draws the figure(s) from the full table; base is the output path without extension.
	Figure func(t *Table, base string) error
	// Headlines compares the result with the paper's claims for the report.
	Headlines func(t *Table) []Headline
	// Summary, when set, is markdown the report places after the section's findings: what a
	// headline row cannot hold, such as a table of conclusions by platform.
	Summary func(t *Table) string
	// MissingData, when set, names the public data (shared data folder) the experiment would use
	// and cannot find, one sentence each; the run's log and the report say so.
	MissingData func() []string
}

// Cell is one unit of work of an experiment. Key identifies it (stable across runs, so a resumed
// run reuses exactly the cells it already computed); Params carries what Run needs.
type Cell struct {
	Key    string
	Params any

	// data is what the experiment's MissingData said when the run planned the cell: a kept cell
	// is reused only by a run that finds the same public data (planCells).
	data string
}

// Row is one table row, values in Schema order: int64, float64, string or bool.
type Row []any

// Headline is one row of the report's headline table.
type Headline struct {
	Claim string // what the paper says, in words
	Paper string // the paper's number, e.g. "63% lower cost"
	Ours  string // our number, measured
	Diff  string // difference, or "" where not comparable
	Note  string // a sentence where they differ
	// Means is one sentence a reader takes away: what the result says about the claim (derived
	// from the numbers, so it never contradicts them); "" leaves the Note to speak.
	Means string
	// Detail keeps the headline in its experiment's section only, out of the report's summary
	// table, where an experiment's detailed rows would bury the claims of the others.
	Detail bool
}

var registry = map[string]*Experiment{}

// Register adds an experiment to the registry; names must be unique.
func Register(e *Experiment) {
	if _, dup := registry[e.Name]; dup {
		panic("experiments: duplicate experiment " + e.Name)
	}
	registry[e.Name] = e
}

// All returns the registered experiments in name order.
func All() []*Experiment {
	out := make([]*Experiment, 0, len(registry))
	for _, e := range registry {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the experiment named name.
func Lookup(name string) (*Experiment, bool) {
	e, ok := registry[name]
	return e, ok
}

// Seed derives a cell's seed from the experiment name, cell key and replicate, so that a cell's
// result depends on nothing else: not on worker count, shard, order or which cells ran before.
func Seed(experiment, cellKey string, replicate int) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%d", experiment, cellKey, replicate)
	return h.Sum64()
}
