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
