package experiments

import (
	"fmt"
	"io"
)

// Config says what to run and where.
type Config struct {
	Out     string   // output folder; each experiment writes Out/<name>/
	Only    []string // experiment names to run; empty means all
	Quick   bool     // fewer runs per cell, same code path
	Workers int      // cells computed at once; <= 0 means 1
	Shard   int      // this shard's index in [0, Shards)
	Shards  int      // number of shards; <= 1 means no sharding
	Fresh   bool     // ignore cells kept from an earlier run
	// Progress receives the progress bar; nil means quiet.
	Progress io.Writer
	// Log receives one line per finished experiment; nil means quiet.
	Log io.Writer
	// Metadata is the provenance every result table carries (tables.Options.Metadata), to which
	// each table adds its experiment, mode and shard.
	Metadata map[string]string
}

// Run executes the selected experiments. Cells already kept under Out from an earlier run with
// the same mode are reused, so an interrupted run resumes where it stopped. Without sharding it
// writes each experiment's table (CSV and Parquet), figure and the report; with sharding, each
// shard writes its part of the tables, which concatenate.
//
// The steps, each in its own file: plan every experiment's cells (cells.go), keep aside those an
// earlier run already computed (resume.go), compute the rest on a pool of workers (pool.go),
// assemble and write each table and its figure (output.go), and write the report (report.go).
func Run(cfg Config) error {
	exps, err := selected(cfg.Only)
	if err != nil {
		return err
	}
	if cfg, err = cfg.withDefaults(); err != nil {
		return err
	}
	release, err := lockOut(cfg)
	if err != nil {
		return err
	}
	defer release()
	cells, err := planCells(cfg, exps)
	if err != nil {
		return err
	}
	if err := runPool(cfg, pendingCells(cfg, exps, cells)); err != nil {
		return err
	}
	for _, e := range exps {
		if err := writeOutputs(cfg, e, cells[e.Name]); err != nil {
			return err
		}
	}
	if cfg.Shards == 1 {
		return WriteReport(cfg.Out, cfg.Quick)
	}
	return nil
}

// withDefaults fills in the unsharded, one-worker defaults and checks the shard index.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Shards <= 1 {
		cfg.Shard, cfg.Shards = 0, 1
	}
	if cfg.Shard < 0 || cfg.Shard >= cfg.Shards {
		return cfg, fmt.Errorf("shard %d/%d: want 0 <= I < N", cfg.Shard, cfg.Shards)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	return cfg, nil
}

// inShard reports whether the cell at index i of an experiment belongs to cfg's shard.
func (cfg Config) inShard(i int) bool { return i%cfg.Shards == cfg.Shard }

func selected(only []string) ([]*Experiment, error) {
	if len(only) == 0 {
		return All(), nil
	}
	var out []*Experiment
	for _, name := range only {
		e, ok := Lookup(name)
		if !ok {
			var names []string
			for _, e := range All() {
				names = append(names, e.Name)
			}
			return nil, fmt.Errorf("unknown experiment %q (have %v)", name, names)
		}
		out = append(out, e)
	}
	return out, nil
}
