package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wisefuse/wisefuse/experiments"
)

func init() {
	register(&command{
		name:    "experiments",
		summary: "Run the paper's experiments and sweeps; write tables, figures and results/REPORT.md.",
		usage:   "[--list] [--only NAME[,NAME]] [--quick] [--out DIR] [--workers N] [--shard I/N] [--fresh]",
		run:     runExperiments,
	})
}

func runExperiments(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	list := fs.Bool("list", false, "list the experiments and exit")
	var only stringList
	fs.Var(&only, "only", "run only these experiments (repeatable or comma-separated)")
	quick := fs.Bool("quick", false, "fewer runs per cell, same code path; results go to DIR/quick (a folder of their own), or to DIR when it is already named quick")
	out := fs.String("out", "results", "output `dir`")
	workers := fs.Int("workers", runtime.NumCPU(), "cells computed in parallel")
	shard := fs.String("shard", "", "run shard `I/N` of every experiment's cells (0 <= I < N); shard tables concatenate")
	fresh := fs.Bool("fresh", false, "recompute cells kept from an earlier run")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	meta := provenance(fs).Metadata // the flags as given, before --out is redirected for --quick
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	cfg := experiments.Config{Quick: *quick, Workers: *workers, Fresh: *fresh, Log: stderr, Metadata: meta}
	for _, o := range only {
		for _, n := range strings.Split(o, ",") {
			if n = strings.TrimSpace(n); n != "" {
				if _, ok := experiments.Lookup(n); !ok {
					return usagef("--only %q: unknown experiment (see --list)", n)
				}
				if !slices.Contains(cfg.Only, n) { // named twice, it ran twice
					cfg.Only = append(cfg.Only, n)
				}
			}
		}
	}
	if len(only) > 0 && len(cfg.Only) == 0 {
		return usagef("--only %q: names no experiment (see --list)", strings.Join(only, ","))
	}
	if *list { // with --only, the experiments it names
		for _, e := range experiments.All() {
			if len(cfg.Only) == 0 || slices.Contains(cfg.Only, e.Name) {
				fmt.Fprintf(stdout, "%-22s %s\n", e.Name, e.Title)
			}
		}
		return nil
	}
	if *quick {
		*out = quickDir(*out)
	}
	cfg.Out = *out
	if *shard != "" {
		i, n, ok := strings.Cut(*shard, "/")
		si, err1 := strconv.Atoi(i)
		sn, err2 := strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || sn < 1 || si < 0 || si >= sn {
			return usagef("--shard %q: want I/N with 0 <= I < N, e.g. 0/4", *shard)
		}
		cfg.Shard, cfg.Shards = si, sn
	}
	if err := wantInt("workers", *workers, 1, maxWorkers, "more goroutines than this only add memory"); err != nil {
		return err
	}
	if experiments.IsTerminal(os.Stderr) {
		cfg.Progress = os.Stderr
	}
	start := time.Now()
	if err := experiments.Run(cfg); err != nil {
		return err
	}
	if cfg.Shards > 1 {
		// A shard writes only its own tables: figures and the report need every cell, so they
		// come from a later run without --shard, which finds the shards' kept cells.
		fmt.Fprintf(stderr, "done in %.1fs; shard %d/%d only: run again without --shard (same --out) for figures and %s/REPORT.md\n",
			time.Since(start).Seconds(), cfg.Shard, cfg.Shards, *out)
		return nil
	}
	fmt.Fprintf(stderr, "done in %.1fs; report: %s/REPORT.md\n", time.Since(start).Seconds(), *out)
	return nil
}

// quickDir is where a quick run writes: a folder named quick inside out (out itself when it is
// already one), so that quick results never mix with, or overwrite the report of, full ones.
func quickDir(out string) string {
	if filepath.Base(filepath.Clean(out)) == "quick" {
		return out
	}
	return filepath.Join(out, "quick")
}
