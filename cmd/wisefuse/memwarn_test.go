package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func TestMemoryWarning(t *testing.T) {
	need := int64(20 << 30)
	msg := memoryWarning(need, 1<<30, "10^6 runs x 100", "fewer --runs")
	for _, want := range []string{humanBytes(need), "1.0 GB available", "10^6 runs x 100", "fewer --runs"} {
		if !strings.Contains(msg, want) {
			t.Errorf("warning %q lacks %q", msg, want)
		}
	}
	if msg := memoryWarning(1<<20, 1<<30, "", ""); msg != "" {
		t.Errorf("1 MB of 1 GB: warning %q, want none", msg)
	}
	if msg := memoryWarning(1<<40, 0, "", ""); msg != "" {
		t.Errorf("unknown memory: warning %q, want none", msg)
	}
}

// TestCountLines: the count that sizes the arrival times is every line, with or without a last
// newline, across reads shorter than the file.
func TestCountLines(t *testing.T) {
	long := strings.Repeat("12.5\n", 100_000)
	for _, c := range []struct {
		in   string
		want int64
	}{{"", 0}, {"1", 1}, {"1\n", 1}, {"arrival_s\n1\n2", 3}, {"\n\n", 2}, {long, 100_000}, {long + "7", 100_001}} {
		got, err := countLines(iotest.OneByteReader(strings.NewReader(c.in)))
		if c.want > 100 {
			got, err = countLines(strings.NewReader(c.in))
		}
		if err != nil || got != c.want {
			t.Errorf("countLines(%.20q...) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}

// TestArrivalsCSVPreallocated: reading an arrivals CSV allocates the times once, at the file's
// line count, and the memory estimate is 8 bytes a line times the collector's factor.
func TestArrivalsCSVPreallocated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.csv")
	if err := os.WriteFile(path, []byte("arrival_s\n3\n1\n\n2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	times, err := readArrivalsCSV(path, io.Discard)
	if err != nil || !slices.Equal(times, []float64{1, 2, 3}) || cap(times) != 5 {
		t.Errorf("times %v (cap %d), %v; want [1 2 3] in a slice of the file's 5 lines", times, cap(times), err)
	}
	if got := arrivalsMemory(100_000_000); got != gcFactor*800_000_000 {
		t.Errorf("10^8 arrivals estimated at %d bytes", got)
	}
}

// TestArrivalsCSVColumns: a quoted field may hold commas (`"hello, world",5` read ` world"` as
// the time), and of several time columns the header's arrival_s is taken first, wherever it is
// (`time,arrival_s` took time).
func TestArrivalsCSVColumns(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		csv  string
		want []float64
	}{
		{"note,arrival_s\n\"hello, world\",5\nx,7\n", []float64{5, 7}},
		{"time,arrival_s\n100,5\n200,7\n", []float64{5, 7}},
		{"time_s,time\n3,100\n4,200\n", []float64{3, 4}},
		{"arrival_s,note\n1,he said \"hi\"\n2,x\n", []float64{1, 2}},
	} {
		path := filepath.Join(dir, "a.csv")
		if err := os.WriteFile(path, []byte(c.csv), 0o644); err != nil {
			t.Fatal(err)
		}
		if times, err := readArrivalsCSV(path, io.Discard); err != nil || !slices.Equal(times, c.want) {
			t.Errorf("%q: %v, %v; want %v", c.csv, times, err, c.want)
		}
	}
	// A long header or value is quoted in part (a 900 KB line made a 900 KB message).
	for _, body := range []string{strings.Repeat("x", 100_000) + "\n", "time\n" + strings.Repeat("y", 100_000) + "\n"} {
		path := filepath.Join(dir, "long.csv")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readArrivalsCSV(path, io.Discard); err == nil || len(err.Error()) > 2000 || !strings.Contains(err.Error(), "bytes in all") {
			t.Errorf("a line of 100,000 bytes: a message of %d bytes (%v)", len(fmt.Sprint(err)), err != nil)
		}
	}
}
