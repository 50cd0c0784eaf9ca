package experiments

import (
	"fmt"
	"maps"
	"path/filepath"
	"time"

	"github.com/wisefuse/wisefuse/tables"
)

// writeOutputs assembles e's table from its kept cells (cfg's shard only, in cell order), writes
// it as CSV and Parquet and, without sharding, draws its figure.
func writeOutputs(cfg Config, e *Experiment, cells []Cell) error {
	start := time.Now()
	t, err := assembleTable(cfg, e, cells)
	if err != nil {
		return err
	}
	base := outputBase(cfg, e)
	meta := maps.Clone(cfg.Metadata)
	if meta == nil {
		meta = map[string]string{}
	}
	meta["experiment"] = e.Name
	meta["mode"] = cfg.mode()
	if cfg.Shards > 1 {
		meta["shard"] = fmt.Sprintf("%d/%d", cfg.Shard, cfg.Shards)
	}
	for _, ext := range []string{".csv", ".parquet"} {
		if err := writeTable(base+ext, e.Schema, t.Rows, tables.Options{Metadata: meta}); err != nil {
			return err
		}
	}
	if cfg.Shards == 1 && e.Figure != nil {
		if err := e.Figure(t, base); err != nil {
			return fmt.Errorf("experiment %s: figure: %w", e.Name, err)
		}
	}
	if cfg.Log != nil {
		fmt.Fprintf(cfg.Log, "%-22s %6d rows  -> %s.{csv,parquet}  (written in %.1fs)\n", e.Name, len(t.Rows), base, time.Since(start).Seconds())
		if e.MissingData != nil {
			for _, m := range e.MissingData() {
				fmt.Fprintf(cfg.Log, "%-22s data absent: %s (run 'wisefuse data fetch'; some files are copied by hand: docs/data.md)\n", e.Name, m)
			}
		}
	}
	return nil
}

// assembleTable reads back the kept rows of cfg's shard of cells, in cell order.
func assembleTable(cfg Config, e *Experiment, cells []Cell) (*Table, error) {
	t := &Table{Schema: e.Schema}
	for i, c := range cells {
		if !cfg.inShard(i) {
			continue
		}
		rows, err := readTable(cellPath(cfg, e, c), e.Schema)
		if err != nil {
			return nil, fmt.Errorf("experiment %s: reading kept cell %q: %w", e.Name, c.Key, err)
		}
		t.Rows = append(t.Rows, rows...)
	}
	return t, nil
}

// outputBase is the path of e's table and figure without extension: Out/<name>/<name>, or a
// per-shard name when sharded.
func outputBase(cfg Config, e *Experiment) string {
	dir := filepath.Join(cfg.Out, e.Name)
	if cfg.Shards > 1 {
		return filepath.Join(dir, fmt.Sprintf("%s.shard-%d-of-%d", e.Name, cfg.Shard, cfg.Shards))
	}
	return filepath.Join(dir, e.Name)
}
