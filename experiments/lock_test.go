package experiments

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLockRefusesSecondWriter: a results folder locked by a live process is refused with a
// message naming it; a lock left by a process that is gone is taken over.
func TestLockRefusesSecondWriter(t *testing.T) {
	out := t.TempDir()
	lock := filepath.Join(out, ".lock")
	// The parent of this test process is alive: its lock holds.
	os.WriteFile(lock, []byte(fmt.Sprintf("%d 2025-01-01T00:00:00Z\n", os.Getppid())), 0o644)
	err := Run(Config{Out: out, Only: []string{toy.Name}, Workers: 1, Quick: true})
	if err == nil || !strings.Contains(err.Error(), "is being written by another run") || !strings.Contains(err.Error(), lock) {
		t.Fatalf("err = %v, want the second writer refused", err)
	}
	// A pid that cannot exist: a stale lock, taken over.
	os.WriteFile(lock, []byte("2147483646 2025-01-01T00:00:00Z\n"), 0o644)
	if err := Run(Config{Out: out, Only: []string{toy.Name}, Workers: 1, Quick: true}); err != nil {
		t.Fatalf("stale lock: %v", err)
	}
	if _, err := os.Stat(lock); err == nil {
		t.Error("the lock outlived the run")
	}
}

// TestCorruptCellRecomputed: a kept cell whose bytes no longer match its checksum is computed
// again, and the run's table is the same as before.
func TestCorruptCellRecomputed(t *testing.T) {
	out := t.TempDir()
	first := runToy(t, out, 1)
	cells, _ := filepath.Glob(filepath.Join(out, toy.Name, "cells-*", "*.csv"))
	if len(cells) == 0 {
		t.Fatal("no kept cells")
	}
	if err := os.WriteFile(cells[0], []byte("cell,i,x\nc00,0,999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if again := runToy(t, out, 1); again != first {
		t.Errorf("a corrupted cell was reused:\n%s\nwant\n%s", again, first)
	}
}

// TestLockShardsAndUnsharded: the shards of one sweep share a folder at once; an unsharded run
// and a shard, or shards of sweeps of different N, do not: the second gets an error naming the
// first and leaves no lock of its own. A stale lock of another kind is removed.
func TestLockShardsAndUnsharded(t *testing.T) {
	live := fmt.Sprintf("%d 2025-01-01T00:00:00Z %s\n", os.Getppid(), buildID()) // the parent of this test: alive
	for _, tc := range []struct {
		name      string
		held      string // lock file present, held by a live process
		shard, of int
		want      string // "" when the run may go
	}{
		{"shard beside an unsharded run", ".lock", 0, 2, "(an unsharded run, process"},
		{"unsharded beside a shard", ".lock-shard-1-of-2", 0, 1, "(shard 1/2, process"},
		{"shard of another sweep", ".lock-shard-0-of-4", 1, 2, "another shard count"},
		{"the same shard twice", ".lock-shard-1-of-2", 1, 2, "is this shard too"},
		{"another shard of the sweep", ".lock-shard-1-of-2", 0, 2, ""},
		// Another build's shard would delete this build's cell folder as stale, and this one its.
		{"another shard of the sweep from another build", ".lock-shard-1-of-2", 0, 2, "runs another build of wisefuse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			held := filepath.Join(out, tc.held)
			content := live
			if strings.HasSuffix(tc.name, "from another build") {
				content = fmt.Sprintf("%d 2025-01-01T00:00:00Z 0123456789ab\n", os.Getppid())
			}
			os.WriteFile(held, []byte(content), 0o644)
			err := Run(Config{Out: out, Only: []string{toy.Name}, Workers: 1, Quick: true, Shard: tc.shard, Shards: tc.of})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), held)):
				t.Fatalf("err = %v, want a refusal naming %s and containing %q", err, held, tc.want)
			}
			locks, _ := filepath.Glob(filepath.Join(out, ".lock*"))
			if len(locks) != 1 || locks[0] != held {
				t.Errorf("locks left: %v, want only %s", locks, held)
			}
		})
	}
	// A stale shard lock does not stop an unsharded run, and is removed.
	out := t.TempDir()
	stale := filepath.Join(out, ".lock-shard-0-of-3")
	os.WriteFile(stale, []byte("2147483646 2025-01-01T00:00:00Z\n"), 0o644)
	if err := Run(Config{Out: out, Only: []string{toy.Name}, Workers: 1, Quick: true}); err != nil {
		t.Fatalf("stale shard lock: %v", err)
	}
	if locks, _ := filepath.Glob(filepath.Join(out, ".lock*")); len(locks) != 0 {
		t.Errorf("locks left: %v", locks)
	}
}
