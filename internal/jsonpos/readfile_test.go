package jsonpos

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadFileLimit: a file up to the limit reads whole; one byte more, or an endless device,
// is refused at once with the file and the limit named.
func TestReadFileLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.json")
	if err := os.WriteFile(path, []byte(`{"a":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := readFileLimit(path, 7); err != nil || string(b) != `{"a":1}` {
		t.Fatalf("at the limit: %q, %v", b, err)
	}
	if _, err := readFileLimit(path, 6); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "larger than 6 bytes") {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := readFileLimit("/dev/zero", 1<<20); err == nil || !strings.Contains(err.Error(), "/dev/zero") {
			t.Fatalf("/dev/zero: %v", err)
		}
	}
	// A stream of no known size (a named pipe) reads in chunks, joined whole; past the limit it
	// is refused.
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	want := strings.Repeat("[1,2,3]", 1000) // 7,000 bytes: chunks of 512, 1024, 2048 and 4096
	for _, c := range []struct {
		limit int64
		ok    bool
	}{{7000, true}, {6999, false}} {
		go func() {
			if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				f.WriteString(want)
				f.Close()
			}
		}()
		b, err := readFileLimit(fifo, c.limit)
		if c.ok && (err != nil || string(b) != want) || !c.ok && (err == nil || !strings.Contains(err.Error(), "larger than 6999 bytes")) {
			t.Fatalf("a pipe of 7,000 bytes, limit %d: %d bytes, %v", c.limit, len(b), err)
		}
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.json")); !os.IsNotExist(err) {
		t.Fatalf("missing file: %v, want a not-exist error", err)
	}
}

// TestReadFileByteOrderMark: a leading UTF-8 byte order mark is dropped, so the file decodes as
// without it; one inside the data stays (and Decode says where it is).
func TestReadFileByteOrderMark(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bom.json")
	if err := os.WriteFile(path, []byte("\ufeff{\"a\": 1}"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ A int }
	if err := Decode(b, &v, Options{Strict: true}); err != nil || v.A != 1 {
		t.Fatalf("decode of a file with a byte order mark: %+v, %v", v, err)
	}
	inside := filepath.Join(dir, "inside.json")
	if err := os.WriteFile(inside, []byte("{\"a\": 1,\n\ufeff\"b\": 2}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err = ReadFile(inside); err != nil {
		t.Fatal(err)
	}
	if err := Decode(b, &v, Options{}); err == nil || !strings.Contains(err.Error(), "line 2, column 1") {
		t.Fatalf("a byte order mark inside the data: %v, want an error at line 2, column 1", err)
	}
}

// TestReadFileFolder: a folder given where a JSON file is wanted (--platform DIR, --workflow DIR)
// says so; it was "read DIR: is a directory".
func TestReadFileFolder(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadFile(dir); err == nil || err.Error() != dir+" is a folder, want a JSON file" {
		t.Errorf("got %v, want an error saying the folder is not a JSON file", err)
	}
}

// TestJoinProblemsClips: a problem quoting a huge value is cut, saying how long it was (an ASL
// "Next" naming a state of 50 MB printed 50 MB).
func TestJoinProblemsClips(t *testing.T) {
	long := "unknown state " + strings.Repeat("N", 10*MaxProblemBytes)
	got := JoinProblems([]string{"short", long})
	if !strings.HasPrefix(got, "short; unknown state NNN") || len(got) > 2*MaxProblemBytes || !strings.Contains(got, fmt.Sprintf("(%d bytes in all)", len(long))) {
		t.Errorf("JoinProblems kept %d bytes: %.80q...", len(got), got)
	}
}

// TestReadFileNotUTF8: a JSON file must be UTF-8; a bad byte is named by line and column
// (encoding/json made each U+FFFD, so two names that differ only there were "given twice").
func TestReadFileNotUTF8(t *testing.T) {
	path := filepath.Join(t.TempDir(), "u.json")
	if err := os.WriteFile(path, []byte("{\"a\": 1,\n \"b\xff\": 2}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), "u.json: line 2, column 4: byte 0xff is not UTF-8") {
		t.Errorf("got %v, want the line and column of the bad byte", err)
	}
}
