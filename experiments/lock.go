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

// lockOut takes cfg.Out for this run (one lock per shard, so the shards of one sweep run at once,
// but one shard, or the unsharded run, never twice): a file holding the process id and start
// time, created exclusively. A second writer gets an error naming the first; a lock left by a
// process that is gone (killed with SIGKILL) is taken over. The returned function releases it;
// SIGINT and SIGTERM release it too (atomicfile.RemoveTemps).
func lockOut(cfg Config) (release func(), err error) {
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
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
			fmt.Fprintf(f, "%d %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
			f.Close()
			untrack := atomicfile.Track(path)
			return func() { os.Remove(path); untrack() }, nil
		}
		if !errors.Is(err, fs.ErrExist) || attempt > 0 {
			return nil, fmt.Errorf("locking %s: %w", cfg.Out, err)
		}
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
			return nil, fmt.Errorf("results folder %s is being written by another run (process %d%s): wait for it to finish, "+
				"or give another --out; if no such run is going, remove %s", cfg.Out, pid, started, path)
		}
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "taking over %s, left by process %d, which is gone\n", path, pid)
		}
		os.Remove(path)
	}
}
