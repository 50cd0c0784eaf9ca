// Package atomicfile writes files so that a reader never sees a half-written one: the content goes
// to a temporary file in the same directory, which is synced and renamed over the target only when
// everything was written without error. A symbolic link is followed (its target is written, the
// link stays), and a target that exists but is not a regular file (a device such as /dev/null, a
// named pipe) is written in place: renaming over it would replace the device with a file.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// live holds the temporary files (and other paths given to Track) not yet committed, aborted or
// untracked, for RemoveTemps to remove when the program is stopped by a signal; a value of true
// marks a folder removed with all it holds (a Stage), a []string the folders MakeDir made.
var live sync.Map

// Track registers path for RemoveTemps until the returned function is called.
func Track(path string) (untrack func()) {
	live.Store(path, false)
	return func() { live.Delete(path) }
}

// gate keeps writes from creating or renaming files once RemoveTemps has begun (stopping): one
// that began before it has its temporary file tracked, and removed; one that would begin after
// is refused (errStopping). Without it an interrupted `trace characterize` left figures in its
// stage: a writer created them while RemoveTemps was removing the stage, whose removal then
// failed on a folder no longer empty.
var (
	gate     sync.RWMutex
	stopping bool
)

var errStopping = errors.New("atomicfile: the program is stopping (interrupted)")

// RemoveTemps removes every tracked path (temporary files of writes in flight, lock files, stage
// folders) and returns how many it removed. The CLI calls it on SIGINT and SIGTERM, before
// exiting, so an interrupted write leaves nothing behind. Writes that would begin or commit
// after it are refused.
func RemoveTemps() int {
	gate.Lock()
	stopping = true
	gate.Unlock()
	n := 0
	for _, trees := range []bool{false, true} { // files first, then the stages that held them
		live.Range(func(k, tree any) bool {
			if t, ok := tree.(bool); !ok || t != trees {
				return true
			}
			remove := os.Remove
			if trees {
				remove = os.RemoveAll
			}
			if remove(k.(string)) == nil {
				n++
			}
			live.Delete(k)
			return true
		})
	}
	live.Range(func(k, made any) bool { // last, the folders made for them, if left empty
		if dirs, ok := made.([]string); ok {
			n += removeEmpty(dirs)
			live.Delete(k)
		}
		return true
	})
	return n
}

// CheckDir returns an error when folder dir cannot be made or used because a file stands in its
// way: dir itself, or the nearest of its parents that exists ("afile is a file, want a folder",
// where os.MkdirAll says "mkdir afile: not a directory"). Commands call it on an output folder
// before their work, so that a mistyped one is refused then and not after it.
func CheckDir(dir string) error {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("%s is a file, want a folder", d)
			}
			return nil
		}
		if _, lerr := os.Lstat(d); lerr == nil {
			// A symbolic link that leads nowhere, or round in a loop ("mkdir d: file exists").
			return fmt.Errorf("%s is a symbolic link that cannot be followed (%v), want a folder", d, err)
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}

// MkdirAll is os.MkdirAll, saying which file stands in the way (CheckDir) where one does.
func MkdirAll(dir string) error {
	if err := CheckDir(dir); err != nil {
		return fmt.Errorf("folder %s: %w", dir, err)
	}
	return os.MkdirAll(dir, 0o755)
}

// MadeDirs are the folders MakeDir made.
type MadeDirs struct {
	dirs []string // deepest first; tracked in live under the *MadeDirs while not empty
}

// MakeDir makes folder dir and its missing parents, as os.MkdirAll, and tracks the folders it
// made, so that RemoveTemps removes them if they are still empty: an interrupted run into a new
// folder left the folder behind, empty. Remove or Keep ends the tracking.
func MakeDir(dir string) (*MadeDirs, error) {
	m := &MadeDirs{}
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		m.dirs = append(m.dirs, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := MkdirAll(dir); err != nil {
		return nil, err
	}
	if len(m.dirs) > 0 {
		live.Store(m, m.dirs)
	}
	return m, nil
}

// Remove removes the folders MakeDir made that are empty (an aborted run's), deepest first.
func (m *MadeDirs) Remove() {
	removeEmpty(m.dirs)
	m.Keep()
}

// Keep stops tracking the folders: they hold a committed run's outputs.
func (m *MadeDirs) Keep() { live.Delete(m) }

// removeEmpty removes dirs, deepest first, while they are empty, and returns how many it removed.
func removeEmpty(dirs []string) int {
	for i, d := range dirs {
		if os.Remove(d) != nil {
			return i
		}
	}
	return len(dirs)
}

// Stage is a hidden folder inside an output folder where a command writes a set of files one by
// one; Commit moves them all out into the output folder at the end, so an interrupted run leaves
// none of them (`trace characterize` left 8 to 16 of its 26 files, among an earlier run's). An
// interrupt during Commit's renames waits for them (gate), so only a kill that no handler sees
// can leave a mix. Inside the output folder, the stage is on its file system (a rename across a
// mount point fails) and needs no other folder writable.
type Stage struct {
	dir, tmp  string
	made      *MadeDirs
	committed bool
	untrack   func()
}

// NewStage makes output folder dir, if missing, and its stage.
func NewStage(dir string) (*Stage, error) {
	if err := CheckDir(dir); err != nil {
		return nil, fmt.Errorf("output folder %s: %w", dir, err)
	}
	gate.RLock()
	defer gate.RUnlock()
	if stopping {
		return nil, errStopping
	}
	made, err := MakeDir(dir)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(dir, ".stage-")
	if err != nil {
		made.Remove()
		return nil, err
	}
	live.Store(tmp, true)
	return &Stage{dir: dir, tmp: tmp, made: made, untrack: func() { live.Delete(tmp) }}, nil
}

// Path is the stage folder, where the files go until Commit.
func (s *Stage) Path() string { return s.tmp }

// Commit moves every file of the stage into the output folder (made if missing), replacing files
// of the same names, and removes the stage. It refuses, before moving any, to replace one of
// keep (the command's inputs) or a folder.
func (s *Stage) Commit(keep ...string) error {
	defer s.Abort()
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return err
	}
	for _, e := range entries {
		dst := filepath.Join(s.dir, e.Name())
		st, err := os.Stat(dst)
		if err != nil {
			continue
		}
		if st.IsDir() {
			return fmt.Errorf("%s is a folder, want a file name to write", dst)
		}
		for _, k := range keep {
			if kst, err := os.Stat(k); err == nil && os.SameFile(st, kst) {
				return fmt.Errorf("%s is the input %s: writing it would replace the input; give another output folder", dst, k)
			}
		}
	}
	gate.RLock()
	defer gate.RUnlock()
	if stopping {
		return errStopping
	}
	s.committed = true
	for _, e := range entries {
		if err := os.Rename(filepath.Join(s.tmp, e.Name()), filepath.Join(s.dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// Abort removes the stage and what it holds, and the output folder if NewStage made it and
// nothing was committed; after Commit it removes the empty stage.
func (s *Stage) Abort() {
	os.RemoveAll(s.tmp)
	s.untrack()
	if s.committed {
		s.made.Keep()
	} else {
		s.made.Remove()
	}
}

// File is a temporary file that becomes Path on Commit and disappears on Abort; or, when Path is
// a device or a pipe (inPlace), Path itself, opened for writing.
type File struct {
	*os.File
	Path    string // the target
	done    bool
	inPlace bool
	untrack func()
}

// Create opens a temporary file beside path (creating path's directory if needed), or beside the
// file a symbolic link at path leads to. A path that is a folder is refused up front: the rename
// at Commit would fail only after all the work, with a message naming the hidden temporary file.
// A device or a named pipe is opened and written in place.
func Create(path string) (*File, error) {
	if err := CheckTarget(path); err != nil {
		return nil, err
	}
	path, special, err := Resolve(path)
	if err != nil {
		return nil, err
	}
	if special {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return &File{File: f, Path: path, inPlace: true, untrack: func() {}}, nil
	}
	gate.RLock()
	defer gate.RUnlock()
	if stopping {
		return nil, errStopping
	}
	dir := filepath.Dir(path)
	if err := MkdirAll(dir); err != nil {
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

// maxLinks is how many symbolic links Resolve follows before it gives up (Linux's own limit).
const maxLinks = 40

// Resolve returns the path a write to path lands on: path itself, or where the symbolic links at
// path lead, followed even to a target that does not exist yet (a rename onto the link would
// replace the link and leave its target unwritten); and whether that exists and is neither a
// regular file nor a folder (a device, a named pipe, a socket), which is written in place. A link
// to a file whose folder does not exist is an error: writes make the folders of a path they are
// given, not of one a link names (`--out` a dangling link made /nonexistent/dir at the root).
func Resolve(path string) (string, bool, error) {
	// Stat follows every link, the kernel's own too: /dev/stdout into a pipe, /dev/fd/N and a
	// shell's >(gzip) lead to "pipe:[N]", which is no path to join. What is left is a regular
	// file, a folder or nothing yet, at the end of links followed by hand below.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		return path, true, nil
	}
	given := path
	for range maxLinks {
		st, err := os.Lstat(path)
		if err != nil || st.Mode()&os.ModeSymlink == 0 {
			if path != given {
				if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
					return "", false, fmt.Errorf("%s is a symbolic link to %s, whose folder does not exist", given, path)
				}
			}
			return path, false, nil // not a link (or nothing Lstat can see: Create says)
		}
		to, err := os.Readlink(path)
		if err != nil {
			return "", false, err
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(path), to)
		}
		path = to
	}
	return "", false, fmt.Errorf("%s: more than %d symbolic links in a row", path, maxLinks)
}

// Commit syncs and closes the temporary file and renames it to the target.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("atomicfile: %s already committed or aborted", f.Path)
	}
	f.done = true
	if f.inPlace {
		// A device or a pipe took the bytes as they came; /dev/null cannot be synced.
		if err := f.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", f.Path, err)
		}
		return nil
	}
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = f.rename()
	}
	if err != nil {
		os.Remove(f.Name())
	}
	f.untrack()
	return err
}

// rename moves the temporary file to the target, unless the program is stopping (gate).
func (f *File) rename() error {
	gate.RLock()
	defer gate.RUnlock()
	if stopping {
		return errStopping
	}
	if err := os.Rename(f.Name(), f.Path); err != nil {
		// Name the file the user asked for, not the hidden temporary one.
		return fmt.Errorf("writing %s: %w", f.Path, errors.Unwrap(err))
	}
	return nil
}

// Abort closes and removes the temporary file, leaving the target as it was. It is safe to call
// after Commit (it then does nothing), so `defer f.Abort()` is the usual pattern.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	if !f.inPlace {
		os.Remove(f.Name())
	}
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
