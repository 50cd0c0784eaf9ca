package experiments

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
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
}

// errStop is returned by a cell hook in tests to simulate a kill between cells.
var errStop = errors.New("experiments: stopped")

// afterCell, when set (tests only), runs after each cell is kept on disk.
var afterCell func() error

// Run executes the selected experiments. Cells already kept under Out from an earlier run with
// the same mode are reused, so an interrupted run resumes where it stopped. Without sharding it
// writes each experiment's table (CSV and Parquet), figure and the report; with sharding, each
// shard writes its part of the tables, which concatenate.
func Run(cfg Config) error {
	exps, err := selected(cfg.Only)
	if err != nil {
		return err
	}
	if cfg.Shards <= 1 {
		cfg.Shard, cfg.Shards = 0, 1
	}
	if cfg.Shard < 0 || cfg.Shard >= cfg.Shards {
		return fmt.Errorf("shard %d/%d: want 0 <= I < N", cfg.Shard, cfg.Shards)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}

	// Plan every experiment's cells first, so the progress bar knows the total.
	type job struct {
		exp   *Experiment
		index int
		cell  Cell
		path  string // where the cell's rows are kept
	}
	var pending []job
	cellsOf := map[string][]Cell{}
	for _, e := range exps {
		if err := removeStaleCells(cfg, e); err != nil {
			return err
		}
		cells := e.Cells(cfg.Quick)
		keys := map[string]bool{}
		for i, c := range cells {
			if keys[c.Key] {
				return fmt.Errorf("experiment %s: duplicate cell key %q", e.Name, c.Key)
			}
			keys[c.Key] = true
			if i%cfg.Shards != cfg.Shard {
				continue
			}
			p := cellPath(cfg, e, c)
			if _, err := os.Stat(p); err == nil && !cfg.Fresh {
				continue
			}
			pending = append(pending, job{e, i, c, p})
		}
		cellsOf[e.Name] = cells
	}

	bar := newBar(cfg.Progress, len(pending))
	jobs := make(chan job)
	errs := make(chan error, len(pending)+1)
	var stop sync.Once
	done := make(chan struct{})
	var wg sync.WaitGroup
	var hookMu sync.Mutex
	for w := 0; w < min(cfg.Workers, max(len(pending), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				rows, err := j.exp.Run(j.cell, Seed(j.exp.Name, j.cell.Key, 0))
				if err == nil {
					err = writeTable(j.path, j.exp.Schema, normalize(rows))
				}
				if err != nil {
					errs <- fmt.Errorf("experiment %s, cell %q: %w", j.exp.Name, j.cell.Key, err)
					stop.Do(func() { close(done) })
					continue
				}
				if bar != nil {
					bar.Add(1)
				}
				if afterCell != nil {
					hookMu.Lock()
					err := afterCell()
					hookMu.Unlock()
					if err != nil {
						errs <- err
						stop.Do(func() { close(done) })
					}
				}
			}
		}()
	}
feed:
	for _, j := range pending {
		select {
		case jobs <- j:
		case <-done:
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(cfg.Progress)
	}
	close(errs)
	if err := <-errs; err != nil {
		return err
	}

	// Assemble each experiment's table from its kept cells, in cell order.
	for _, e := range exps {
		start := time.Now()
		t := &Table{Schema: e.Schema}
		for i, c := range cellsOf[e.Name] {
			if i%cfg.Shards != cfg.Shard {
				continue
			}
			rows, err := readTable(cellPath(cfg, e, c), e.Schema)
			if err != nil {
				return fmt.Errorf("experiment %s: reading kept cell %q: %w", e.Name, c.Key, err)
			}
			t.Rows = append(t.Rows, rows...)
		}
		dir := filepath.Join(cfg.Out, e.Name)
		base := filepath.Join(dir, e.Name)
		if cfg.Shards > 1 {
			base = filepath.Join(dir, fmt.Sprintf("%s.shard-%d-of-%d", e.Name, cfg.Shard, cfg.Shards))
		}
		for _, ext := range []string{".csv", ".parquet"} {
			if err := writeTable(base+ext, e.Schema, t.Rows); err != nil {
				return err
			}
		}
		if cfg.Shards == 1 && e.Figure != nil {
			if err := e.Figure(t, base); err != nil {
				return fmt.Errorf("experiment %s: figure: %w", e.Name, err)
			}
		}
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "%-22s %6d rows  -> %s.{csv,parquet}  (%.1fs)\n", e.Name, len(t.Rows), base, time.Since(start).Seconds())
		}
	}
	if cfg.Shards == 1 {
		return WriteReport(cfg.Out, cfg.Quick)
	}
	return nil
}

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

// cellPath is where a cell's rows are kept: one small CSV per cell, named by a hash of its key,
// in a folder per mode and per build of the program, so quick and full runs never mix and a
// rebuilt program with changed code never reuses cells its predecessor computed.
func cellPath(cfg Config, e *Experiment, c Cell) string {
	mode := "full"
	if cfg.Quick {
		mode = "quick"
	}
	h := fnv.New64a()
	h.Write([]byte(c.Key))
	return filepath.Join(cfg.Out, e.Name, "cells-"+mode+"-"+buildID(), fmt.Sprintf("%016x.csv", h.Sum64()))
}

// removeStaleCells deletes e's cells kept by other builds of the program in cfg's mode: their
// code differs, so they can never be reused, and they would pile up with every rebuild.
func removeStaleCells(cfg Config, e *Experiment) error {
	keep := filepath.Dir(cellPath(cfg, e, Cell{}))
	old, _ := filepath.Glob(strings.TrimSuffix(keep, "-"+buildID()) + "*")
	for _, d := range old {
		if d != keep {
			if err := os.RemoveAll(d); err != nil {
				return fmt.Errorf("experiment %s: removing stale cells: %w", e.Name, err)
			}
		}
	}
	return nil
}

// buildID identifies the running program's code: a hash of its executable. Go builds are
// reproducible, so rebuilding unchanged code keeps the ID (and an interrupted run resumes), while
// any change to the code, its dependencies or the Go version changes it.
var buildID = sync.OnceValue(func() string {
	h := fnv.New64a()
	exe, err := os.Executable()
	if err == nil {
		var f *os.File
		if f, err = os.Open(exe); err == nil {
			_, err = io.Copy(h, f)
			f.Close()
		}
	}
	if err != nil {
		// Without its own executable the program cannot tell builds apart; a fixed ID keeps
		// resuming possible, and --fresh still recomputes.
		return "unknown"
	}
	return fmt.Sprintf("%012x", h.Sum64()&(1<<48-1))
})

// normalize turns int values into int64, so rows computed now equal rows read back from disk.
func normalize(rows []Row) []Row {
	for _, r := range rows {
		for j, v := range r {
			if i, ok := v.(int); ok {
				r[j] = int64(i)
			}
		}
	}
	return rows
}

func newBar(w io.Writer, total int) *progressbar.ProgressBar {
	if w == nil || total == 0 {
		return nil
	}
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("cells"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
	)
}

// IsTerminal reports whether f is a character device (an interactive terminal), where a
// progress bar makes sense.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
