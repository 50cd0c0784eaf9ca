package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFolderTarget: writing a file over a folder is refused before any work, with a message
// naming the folder; it used to fail only at the rename, naming the hidden temporary file.
func TestFolderTarget(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out.json")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteBytes(dir, []byte("{}"))
	if err == nil || err.Error() != dir+" is a folder, want a file name to write" {
		t.Errorf("err = %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Errorf("the folder changed: %v", err)
	}
	// A rename that fails anyway names the target, not the temporary file.
	f, err := Create(filepath.Join(t.TempDir(), "x"))
	if err != nil {
		t.Fatal(err)
	}
	f.Path = dir // became a folder after Create
	if err := f.Commit(); err == nil || strings.Contains(err.Error(), ".tmp-") || !strings.Contains(err.Error(), "writing "+dir) {
		t.Errorf("commit onto a folder: %v", err)
	}
}

// TestSpecialTargets: a write through a symbolic link lands on the link's target (the link
// stays), and a device is written in place, never replaced by a regular file (`plan --out
// /dev/null` used to turn /dev/null into one).
func TestSpecialTargets(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "sub", "target.json")
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(filepath.Join("sub", "target.json"), link); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The target does not exist yet: the link is followed all the same.
	for _, content := range []string{"first", "second"} {
		if err := WriteBytes(link, []byte(content)); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("the link was replaced: %v %v", st.Mode(), err)
		}
		if b, err := os.ReadFile(target); err != nil || string(b) != content {
			t.Fatalf("target holds %q (%v), want %q", b, err, content)
		}
	}
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink("loop", loop); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(loop, []byte("x")); err == nil || !strings.Contains(err.Error(), "symbolic links") {
		t.Errorf("a link to itself: %v", err)
	}

	st, err := os.Stat(os.DevNull)
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is not a character device before the write (%v): the test needs one", os.DevNull, err)
	}
	if err := WriteBytes(os.DevNull, []byte("discarded")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(os.DevNull); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a device: %v %v", os.DevNull, st.Mode(), err)
	}
	// A pipe behind a link of the kernel's (/dev/fd/N -> "pipe:[N]", as /dev/stdout into a
	// pipe or a shell's >(gzip)): written in place.
	r, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string)
	go func() { b, _ := io.ReadAll(r); got <- string(b) }()
	if err := WriteBytes(fmt.Sprintf("/dev/fd/%d", pw.Fd()), []byte("through the pipe")); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if s := <-got; s != "through the pipe" {
		t.Errorf("the pipe got %q", s)
	}
	if _, err := os.Stat("/dev/full"); err == nil {
		// A device that refuses the bytes: the error comes back, nothing is replaced.
		if err := WriteBytes("/dev/full", []byte("x")); err == nil || !strings.Contains(err.Error(), "/dev/full") {
			t.Errorf("writing /dev/full: %v", err)
		}
		if st, err := os.Stat("/dev/full"); err != nil || st.Mode()&os.ModeCharDevice == 0 {
			t.Fatalf("/dev/full is no longer a device: %v", err)
		}
	}
}

// TestStage: files written into a stage reach the output folder only at Commit, replacing files
// of the same names; Commit refuses to replace an input; an interrupt (RemoveTemps) or Abort
// removes the stage and all it holds.
func TestStage(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	write := func(s *Stage, name, content string) {
		if err := WriteBytes(filepath.Join(s.Path(), name), []byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	s, err := NewStage(out)
	if err != nil {
		t.Fatal(err)
	}
	write(s, "a.csv", "new a")
	write(s, "b.csv", "new b")
	if _, err := os.Stat(filepath.Join(out, "a.csv")); err == nil {
		t.Fatal("a.csv is in the output folder before Commit")
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"a.csv": "new a", "b.csv": "new b"} {
		if b, err := os.ReadFile(filepath.Join(out, name)); err != nil || string(b) != want {
			t.Errorf("%s: %q, %v", name, b, err)
		}
	}
	// An input among the outputs' names is kept, and nothing moves.
	s, err = NewStage(out)
	if err != nil {
		t.Fatal(err)
	}
	write(s, "a.csv", "newer a")
	write(s, "b.csv", "newer b")
	in := filepath.Join(out, "b.csv")
	if err := s.Commit(in); err == nil || !strings.Contains(err.Error(), "is the input") {
		t.Errorf("commit over an input: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "a.csv")); string(b) != "new a" {
		t.Errorf("a.csv moved although the commit was refused: %q", b)
	}
	// Interrupted: the stage goes, with what it holds.
	s, err = NewStage(out)
	if err != nil {
		t.Fatal(err)
	}
	write(s, "c.csv", "c")
	RemoveTemps()
	stopping = false // as for a program that goes on: the CLI exits after RemoveTemps
	if left, _ := filepath.Glob(filepath.Join(out, ".stage-*")); len(left) != 0 {
		t.Errorf("stages left: %v", left)
	}
	s.Abort() // after RemoveTemps: nothing left to do

	// Into a new folder (two levels new): an interrupt or an Abort removes the folders it made,
	// which were left behind empty; a committed run's folder stays, and so does a folder that
	// held something before.
	for _, stop := range []func(*Stage){func(*Stage) { RemoveTemps(); stopping = false }, (*Stage).Abort} {
		fresh := filepath.Join(dir, "new", "out")
		s, err := NewStage(fresh)
		if err != nil {
			t.Fatal(err)
		}
		write(s, "d.csv", "d")
		stop(s)
		if _, err := os.Stat(filepath.Join(dir, "new")); !os.IsNotExist(err) {
			t.Errorf("the folders made for an interrupted or aborted stage stay: %v", err)
		}
	}
	s, err = NewStage(filepath.Join(dir, "new", "out"))
	if err != nil {
		t.Fatal(err)
	}
	write(s, "e.csv", "e")
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	RemoveTemps()
	stopping = false
	if _, err := os.Stat(filepath.Join(dir, "new", "out", "e.csv")); err != nil {
		t.Errorf("a committed stage's output: %v", err)
	}
	s, err = NewStage(out) // out existed
	if err != nil {
		t.Fatal(err)
	}
	s.Abort()
	if _, err := os.Stat(out); err != nil {
		t.Errorf("an existing output folder after an aborted stage: %v", err)
	}
}

// TestStoppingRefusesWrites: once RemoveTemps has begun (stopping), a write can neither create a
// file, commit one, make a stage nor commit a stage, so nothing appears in a stage being removed
// (an interrupted `trace characterize` left figures a writer made while its stage was removed);
// and RemoveTemps removes what was in flight, the temporary files before their stage.
func TestStoppingRefusesWrites(t *testing.T) {
	defer func() { stopping = false }()
	dir := t.TempDir()
	st, err := NewStage(dir)
	if err != nil {
		t.Fatal(err)
	}
	staged := filepath.Join(st.Path(), "s.txt")
	if err := os.WriteFile(staged, []byte("s"), 0o644); err != nil {
		t.Fatal(err)
	}
	inFlight, err := Create(filepath.Join(dir, "a.txt"))
	if err != nil {
		t.Fatal(err)
	}
	stopping = true // as RemoveTemps begins, before it removes anything
	if err := inFlight.Commit(); !errors.Is(err, errStopping) {
		t.Errorf("File.Commit while stopping: %v, want errStopping", err)
	}
	if err := st.Commit(); !errors.Is(err, errStopping) {
		t.Errorf("Stage.Commit while stopping: %v, want errStopping", err)
	}
	if _, err := Create(filepath.Join(dir, "b.txt")); !errors.Is(err, errStopping) {
		t.Errorf("Create while stopping: %v, want errStopping", err)
	}
	if _, err := NewStage(dir); !errors.Is(err, errStopping) {
		t.Errorf("NewStage while stopping: %v, want errStopping", err)
	}
	for _, name := range []string{"a.txt", "s.txt", "b.txt"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s is in the output folder", name)
		}
	}
	// RemoveTemps itself: a write in flight in a stage is removed, then its stage.
	stopping = false
	st2, err := NewStage(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Create(filepath.Join(st2.Path(), "c.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if n := RemoveTemps(); n != 2 {
		t.Errorf("RemoveTemps removed %d paths, want 2 (the temporary file, then its stage)", n)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left %d entries in the output folder", len(ents))
	}
}

// TestCheckDir: a folder that a file stands in the way of (itself, or its nearest existing
// parent) is named with the file, where os.MkdirAll said only "mkdir F: not a directory"; MkdirAll
// and Create say the same, and leave nothing.
func TestCheckDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, filepath.Join(dir, "new", "deeper"), "."} {
		if err := CheckDir(d); err != nil {
			t.Errorf("CheckDir(%s): %v", d, err)
		}
	}
	want := file + " is a file, want a folder"
	for _, d := range []string{file, filepath.Join(file, "sub"), filepath.Join(file, "a", "b")} {
		if err := CheckDir(d); err == nil || err.Error() != want {
			t.Errorf("CheckDir(%s): %v, want %q", d, err, want)
		}
		if err := MkdirAll(d); err == nil || err.Error() != "folder "+d+": "+want {
			t.Errorf("MkdirAll(%s): %v, want %q", d, err, want)
		}
	}
	if _, err := Create(filepath.Join(file, "sub", "x.csv")); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Create under a file: %v, want %q", err, want)
	}
	if _, err := NewStage(filepath.Join(file, "sub")); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("NewStage under a file: %v, want %q", err, want)
	}
	if err := MkdirAll(filepath.Join(dir, "new", "deeper")); err != nil {
		t.Errorf("MkdirAll of a new folder: %v", err)
	}
	// A link in a loop said "mkdir l1: file exists".
	l1, l2 := filepath.Join(dir, "l1"), filepath.Join(dir, "l2")
	if err := os.Symlink(l2, l1); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(l1, l2); err != nil {
		t.Fatal(err)
	}
	if err := CheckDir(filepath.Join(l1, "sub")); err == nil || !strings.Contains(err.Error(), l1+" is a symbolic link that cannot be followed") {
		t.Errorf("CheckDir under a link loop: %v", err)
	}
}

// TestLinkToMissingFolder: a write through a symbolic link whose target's folder does not exist
// is refused, naming both, and makes no folder: `simulate --out` a link to /nonexistent/dir/x.csv
// made /nonexistent/dir at the root. A link to a new file in an existing folder is written.
func TestLinkToMissingFolder(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "x.csv")
	dangling := filepath.Join(dir, "dangling.csv")
	if err := os.Symlink(missing, dangling); err != nil {
		t.Fatal(err)
	}
	want := dangling + " is a symbolic link to " + missing + ", whose folder does not exist"
	if err := WriteBytes(dangling, []byte("x")); err == nil || err.Error() != want {
		t.Errorf("write through a link to a missing folder: %v, want %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "no")); err == nil {
		t.Error("the link's target folder was made")
	}
	fresh := filepath.Join(dir, "fresh.csv")
	if err := os.Symlink("new.csv", fresh); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(fresh, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "new.csv")); err != nil || string(b) != "x" {
		t.Errorf("the link's new target: %q, %v", b, err)
	}
}
