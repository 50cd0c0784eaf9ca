package experiments

import (
	"crypto/sha256"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/wisefuse/wisefuse/internal/atomicfile"
)

// cellJob is one cell still to compute, and where its rows will be kept.
type cellJob struct {
	exp  *Experiment
	cell Cell
	path string
}

// pendingCells returns the cells of cfg's shard that no earlier run kept (all of them with
// cfg.Fresh), in experiment and cell order.
func pendingCells(cfg Config, exps []*Experiment, cellsOf map[string][]Cell) []cellJob {
	var pending []cellJob
	for _, e := range exps {
		for i, c := range cellsOf[e.Name] {
			if !cfg.inShard(i) {
				continue
			}
			p := cellPath(cfg, e, c)
			if !cfg.Fresh && cellIntact(p, c.Key) {
				continue
			}
			pending = append(pending, cellJob{e, c, p})
		}
	}
	return pending
}

// cellPath is where a cell's rows are kept: one small CSV per cell, named by a hash of its key
// (and of the public data it missed, if any), in a folder per mode and per build of the program,
// so quick and full runs never mix and a rebuilt program with changed code never reuses cells its
// predecessor computed.
func cellPath(cfg Config, e *Experiment, c Cell) string {
	h := fnv.New64a()
	h.Write([]byte(c.Key))
	if c.data != "" {
		h.Write([]byte{0})
		h.Write([]byte(c.data))
	}
	return filepath.Join(cfg.Out, e.Name, "cells-"+cfg.mode()+"-"+buildID(), fmt.Sprintf("%016x.csv", h.Sum64()))
}

// mode names cfg's mode: "quick" or "full".
func (cfg Config) mode() string {
	if cfg.Quick {
		return "quick"
	}
	return "full"
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

// A kept cell's checksum file (the cell's path + ".sum") holds the SHA-256 of the cell's bytes
// and the cell's key. It is written after the cell, so a cell without one (a crash between the
// two), with another key (a hash collision of keys) or whose bytes changed (a corrupted or
// truncated file) is recomputed rather than reused.

// writeCellSum writes the checksum file of the cell kept at path.
func writeCellSum(path, key string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path+".sum", []byte(cellSum(b, key)))
}

// cellIntact reports whether the cell kept at path is whole and is the cell with key.
func cellIntact(path, key string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	sum, err := os.ReadFile(path + ".sum")
	return err == nil && string(sum) == cellSum(b, key)
}

func cellSum(b []byte, key string) string {
	return fmt.Sprintf("sha256 %x\nkey %q\n", sha256.Sum256(b), key)
}
