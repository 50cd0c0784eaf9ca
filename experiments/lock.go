package experiments

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/wisefuse/wisefuse/internal/atomicfile"
)

// lockOut takes cfg.Out for this run: a lock file holding the process id, start time and build, created
// exclusively, one per shard (OUT/.lock-shard-I-of-N; OUT/.lock without sharding). The shards of
// one sweep (the same N, run by the same build) run at once; anything else writing the folder at the same time, the same
// shard twice, an unsharded run beside any shard, shards of sweeps of different N, or shards of
// different builds (each deletes the other's cell folders as stale, removeStaleCells), shares its
// kept cells and would duplicate their work or delete them, so the second
// writer gets an error naming the first. A lock left by a process that is gone (killed with
// SIGKILL) is taken over. The returned function releases the lock; SIGINT and SIGTERM release it
// too (atomicfile.RemoveTemps).
//
// The lock is taken first and the others checked after, so of two runs that start together at
// least one sees the other (both may refuse; neither writes beside the other).
func lockOut(cfg Config) (release func(), err error) {
	if err := atomicfile.MkdirAll(cfg.Out); err != nil {
		return nil, err
	}
	name := ".lock"
	if cfg.Shards > 1 {
		name = fmt.Sprintf(".lock-shard-%d-of-%d", cfg.Shard, cfg.Shards)
	}
	path := filepath.Join(cfg.Out, name)
	for attempt := 0; ; attempt++ {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%d %s %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339), buildID())
			f.Close()
			untrack := atomicfile.Track(path)
			release := func() { os.Remove(path); untrack() }
			if err := checkOtherLocks(cfg, path); err != nil {
				release()
				return nil, err
			}
			return release, nil
		}
		if !errors.Is(err, fs.ErrExist) || attempt > 0 {
			return nil, fmt.Errorf("locking %s: %w", cfg.Out, err)
		}
		if err := liveLock(cfg, path); err != nil {
			return nil, err
		}
		os.Remove(path)
	}
}

// checkOtherLocks returns an error naming a live run whose lock in cfg.Out (other than mine)
// cannot go with this run's; stale ones are removed.
func checkOtherLocks(cfg Config, mine string) error {
	others, err := filepath.Glob(filepath.Join(cfg.Out, ".lock*"))
	if err != nil {
		return err
	}
	for _, other := range others {
		if other == mine {
			continue
		}
		var i, n int
		if _, err := fmt.Sscanf(filepath.Base(other), ".lock-shard-%d-of-%d", &i, &n); err == nil && cfg.Shards > 1 && n == cfg.Shards &&
			lockBuild(other) == buildID() {
			continue // another shard of this sweep
		} else if err != nil && filepath.Base(other) != ".lock" {
			continue // not a lock of ours
		}
		if err := liveLock(cfg, other); err != nil {
			return err
		}
		os.Remove(other)
	}
	return nil
}

// liveLock returns an error naming the run that holds the lock file at path when that process is
// alive; nil when the lock is stale (then it logs that it is taken over).
func liveLock(cfg Config, path string) error {
	b, _ := os.ReadFile(path)
	fields := strings.Fields(string(b))
	pid := 0
	if len(fields) > 0 {
		pid, _ = strconv.Atoi(fields[0])
	}
	if pid > 0 && processAlive(pid) {
		started := ""
		if len(fields) > 1 {
			started = ", started " + fields[1]
		}
		return fmt.Errorf("results folder %s is being written by another run (%s, process %d%s), which %s: wait for it to finish, "+
			"or give another --out; if no such run is going, remove %s", cfg.Out, lockHolder(path), pid, started, conflict(cfg, path), path)
	}
	if cfg.Log != nil {
		fmt.Fprintf(cfg.Log, "taking over %s, left by process %d, which is gone\n", path, pid)
	}
	return nil
}

// lockBuild is the build ID in the lock file at path ("" when it holds none).
func lockBuild(path string) string {
	b, _ := os.ReadFile(path)
	if f := strings.Fields(string(b)); len(f) > 2 {
		return f[2]
	}
	return ""
}

// lockHolder says which run a lock file belongs to, from its name.
func lockHolder(path string) string {
	var i, n int
	if _, err := fmt.Sscanf(filepath.Base(path), ".lock-shard-%d-of-%d", &i, &n); err == nil {
		return fmt.Sprintf("shard %d/%d", i, n)
	}
	return "an unsharded run"
}

// conflict says why the run holding the lock at path excludes this one.
func conflict(cfg Config, path string) string {
	other := lockHolder(path)
	switch {
	case cfg.Shards <= 1 && other == "an unsharded run":
		return "is this run too"
	case cfg.Shards <= 1:
		return "keeps cells in the same folders as this unsharded run"
	case other == "an unsharded run":
		return fmt.Sprintf("keeps cells in the same folders as this shard %d/%d", cfg.Shard, cfg.Shards)
	case other == fmt.Sprintf("shard %d/%d", cfg.Shard, cfg.Shards):
		return "is this shard too"
	}
	var i, n int
	if _, err := fmt.Sscanf(filepath.Base(path), ".lock-shard-%d-of-%d", &i, &n); err == nil && n == cfg.Shards {
		return fmt.Sprintf("runs another build of wisefuse (%q, this one is %q): shards of one sweep must run the same program, "+
			"or each deletes the other's cells as stale", lockBuild(path), buildID())
	}
	return fmt.Sprintf("belongs to a sweep of another shard count than this shard %d/%d (only the shards of one sweep share a folder at once)", cfg.Shard, cfg.Shards)
}
