// Package atomicfile writes files so that a reader never sees a half-written one: the content goes
// to a temporary file in the same directory, which is synced and renamed over the target only when
// everything was written without error.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// live holds the temporary files (and other paths given to Track) not yet committed, aborted or
// untracked, for RemoveTemps to remove when the program is stopped by a signal.
var live sync.Map

// Track registers path for RemoveTemps until the returned function is called.
func Track(path string) (untrack func()) {
	live.Store(path, struct{}{})
	return func() { live.Delete(path) }
}

// RemoveTemps removes every tracked path (temporary files of writes in flight, lock files) and
// returns how many it removed. The CLI calls it on SIGINT and SIGTERM, before exiting, so an
// interrupted write leaves nothing behind.
func RemoveTemps() int {
	n := 0
	live.Range(func(k, _ any) bool {
		if os.Remove(k.(string)) == nil {
			n++
		}
		live.Delete(k)
		return true
	})
	return n
}

// File is a temporary file that becomes Path on Commit and disappears on Abort.
type File struct {
	*os.File
	Path    string // the target
	done    bool
	untrack func()
}

// Create opens a temporary file beside path (creating path's directory if needed). A path that
// is a folder is refused up front: the rename at Commit would fail only after all the work, with
// a message naming the hidden temporary file.
func Create(path string) (*File, error) {
	if err := CheckTarget(path); err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	return &File{File: tmp, Path: path, untrack: Track(tmp.Name())}, nil
}

// CheckTarget returns an error when path, a file about to be written, is a folder.
func CheckTarget(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a folder, want a file name to write", path)
	}
	return nil
}

// Commit syncs and closes the temporary file and renames it to the target.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("atomicfile: %s already committed or aborted", f.Path)
	}
	f.done = true
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		if err = os.Rename(f.Name(), f.Path); err != nil {
			// Name the file the user asked for, not the hidden temporary one.
			err = fmt.Errorf("writing %s: %w", f.Path, errors.Unwrap(err))
		}
	}
	if err != nil {
		os.Remove(f.Name())
	}
	f.untrack()
	return err
}

// Abort closes and removes the temporary file, leaving the target as it was. It is safe to call
// after Commit (it then does nothing), so `defer f.Abort()` is the usual pattern.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
	f.untrack()
}

// Write creates path with the content that write produces. On any error, including one returned
// by write, the target is left as it was and the temporary file is removed.
func Write(path string, write func(w io.Writer) error) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := write(f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Commit()
}

// WriteBytes writes b to path atomically.
func WriteBytes(path string, b []byte) error {
	return Write(path, func(w io.Writer) error { _, err := w.Write(b); return err })
}
