package orion

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// E2E is the field name the logs give the whole workflow's latency.
const E2E = "E2E"

// Log is one log file: the runs of a workflow with every function at MemoryMB, in file order
// (the order they ran).
type Log struct {
	Path string
	// MemoryMB is every function's memory size, from the file name (0 when the name is not
	// rsc_<M>_..._<M>.txt with one M).
	MemoryMB int
	// Stages are the stage names, sorted, without E2E. Every run has every stage.
	Stages []string
	// Seconds maps every stage and E2E to its value in each run, in seconds. A parallel stage's
	// value is the maximum over its invocations in that run, as the profiler logs it.
	Seconds map[string][]float64
	// lines holds the file line of each run, for Warnings; nil for a Log not read from a file.
	lines []int
}

// Runs is the number of runs in the log.
func (l *Log) Runs() int { return len(l.Seconds[E2E]) }

// FileName is the name of the log of a run with every function at mb MB, as in the public
// profiles: rsc_<mb>_<mb>_<mb>.txt.
func FileName(mb int) string { return fmt.Sprintf("rsc_%d_%d_%d.txt", mb, mb, mb) }

// Limits of a log's values. The logs are AWS Lambda's, where a function has 128 to 10,240 MB
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html; dag.MinMemoryMB and
// dag.MaxMemoryMB, which this package cannot import). A time past MaxMillis, 10^9 s (dag.MaxWork,
// 31.7 years), is a corrupt or mistyped value: a stage of 1e308 ms was read and gave a mean cost
// of $3.6e300 per run (exit 0), one of 1e21 ms $3.6e10.
const (
	MinMemoryMB = 128
	MaxMemoryMB = 10240
	MaxMillis   = 1e12
)

// fileName matches log file names: rsc_<M>_<M>_..._<M>.txt, one M per function.
var fileName = regexp.MustCompile(`^rsc_(\d+(?:_\d+)*)\.txt$`)

// sizeOf returns the memory sizes a log file name gives its functions (ok false when name is not
// a log file name).
func sizeOf(name string) (sizes []string, ok bool) {
	m := fileName.FindStringSubmatch(name)
	if m == nil {
		return nil, false
	}
	return strings.Split(m[1], "_"), true
}

// maxLine is the longest line ReadFile accepts.
const maxLine = 1 << 20

// MaxValues bounds the values (a run's fields, E2E included) the logs of one folder, or one log
// file, may hold: a profile of them keeps each as an invocation sample (about 200 bytes in a
// planner), and profiling in the simulator keeps at most as many (wisefuse.maxProfileSamples).
// The public logs hold about 10^4; a generated log of 6 x 10^6 runs of 6 fields ran out of
// memory at 4 GB, as Go's runtime crash, before this bound.
const MaxValues = 10_000_000

var maxValues = MaxValues // a variable for TestMaxValues

// ReadFile parses one log file. Each non-blank line is a run: space-separated `Name:<ms>` fields
// with a finite, non-negative number of milliseconds. A name may repeat within a line (E2E often
// appears twice) only with the same value. Every run must have an E2E field and the same stage
// names as the first, and its E2E must be at least its slowest stage (spanCheck). Errors name the
// file and line (and the field). What is implausible without being a contradiction is left to
// Log.Warnings.
func ReadFile(path string) (*Log, error) { return readFile(path, maxValues) }

// readFile is ReadFile of a file that may hold at most budget values (MaxValues less what the
// folder's other logs hold).
func readFile(path string, budget int) (*Log, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("orion: %w", err)
	}
	defer f.Close()
	l := &Log{Path: path, Seconds: map[string][]float64{}}
	if sizes, ok := sizeOf(filepath.Base(path)); ok {
		if mb, err := strconv.Atoi(sizes[0]); err == nil && uniform(sizes) {
			l.MemoryMB = mb
		}
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	line := 0
	var want []string // field names of the first run, sorted, E2E included
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			// A UTF-8 byte order mark (a log saved by some editors) became part of the first
			// field's name: "stages differ from the first run's [... \ufeffE2E]".
			text = strings.TrimPrefix(text, "\ufeff")
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		run := map[string]float64{}
		var span spanCheck
		for i, field := range fields {
			name, val, ok := strings.Cut(field, ":")
			if !ok || name == "" {
				return nil, fmt.Errorf("orion: %s:%d: field %d %q: want Name:<milliseconds>", path, line, i+1, field)
			}
			ms, err := strconv.ParseFloat(val, 64)
			// ParseFloat also reads hexadecimal ("0x1p4", 16) and digits with underscores; a
			// log writes decimal milliseconds.
			if err != nil || !(ms >= 0) || math.IsInf(ms, 0) || strings.ContainsAny(val, "xX_") {
				return nil, fmt.Errorf("orion: %s:%d: field %d %q: want a finite, non-negative number of milliseconds", path, line, i+1, field)
			}
			if ms > MaxMillis {
				return nil, fmt.Errorf("orion: %s:%d: field %d %q: at most %g ms (10^9 s: a corrupt or mistyped time)", path, line, i+1, field, MaxMillis)
			}
			prev, dup := run[name]
			if dup && prev != ms/1000 {
				return nil, fmt.Errorf("orion: %s:%d: %s appears twice with different values (%v and %v ms)", path, line, name, prev*1000, ms)
			}
			if !dup {
				span.add(name, ms, i+1, field)
			}
			run[name] = ms / 1000
		}
		if _, ok := run[E2E]; !ok {
			return nil, fmt.Errorf("orion: %s:%d: no %s field", path, line, E2E)
		}
		if err := span.check(); err != nil {
			return nil, fmt.Errorf("orion: %s:%d: %w", path, line, err)
		}
		names := make([]string, 0, len(run))
		for n := range run {
			names = append(names, n)
		}
		slices.Sort(names)
		if want == nil {
			want = names
		} else if !slices.Equal(want, names) {
			return nil, fmt.Errorf("orion: %s:%d: stages %v differ from the first run's %v (%s)", path, line, names, want, stageDiff(want, names))
		}
		if budget -= len(names); budget < 0 {
			return nil, fmt.Errorf("orion: %s:%d: the logs hold more than %d values (runs x fields, orion.MaxValues) by this line: a profile keeps each as a sample; use fewer runs", path, line, maxValues)
		}
		for _, n := range names {
			l.Seconds[n] = append(l.Seconds[n], run[n])
		}
		l.lines = append(l.lines, line)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("orion: %s:%d: line longer than %d bytes (a run is one line of Name:<ms> fields)", path, line+1, maxLine)
		}
		return nil, fmt.Errorf("orion: %s: line %d: %w", path, line+1, err)
	}
	if want == nil {
		return nil, fmt.Errorf("orion: %s: no runs", path)
	}
	for _, n := range want {
		if n != E2E {
			l.Stages = append(l.Stages, n)
		}
	}
	return l, nil
}

// ReadDir reads every log file (rsc_<M>_..._<M>.txt) in dir, one per memory size, sorted by
// size. Other files are ignored. Every function of a log must have the same size (the name's
// sizes are equal), no two logs may have the same size, and every log must have the same
// stages.
func ReadDir(dir string) ([]*Log, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("orion: reading log folder: %w", err)
	}
	var logs []*Log
	budget := maxValues
	for _, e := range entries {
		sizes, ok := sizeOf(e.Name())
		if !ok || e.IsDir() {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if !uniform(sizes) {
			return nil, fmt.Errorf("orion: %s: memory sizes differ between functions (%s); only uniform sizes are supported", path, strings.Join(sizes, "_"))
		}
		l, err := readFile(path, budget)
		if err != nil {
			return nil, err
		}
		budget -= l.Runs() * (len(l.Stages) + 1)
		if l.MemoryMB < MinMemoryMB || l.MemoryMB > MaxMemoryMB {
			// Only 0 (or a size past int) was refused: rsc_99999_99999_99999.txt was profiled.
			return nil, fmt.Errorf("orion: %s: memory size %s MB out of range: want %d to %d MB, AWS Lambda's", path, sizes[0], MinMemoryMB, MaxMemoryMB)
		}
		logs = append(logs, l)
	}
	if len(logs) == 0 {
		return nil, fmt.Errorf("orion: %s: no rsc_<M>_<M>_<M>.txt log files", dir)
	}
	slices.SortStableFunc(logs, func(a, b *Log) int { return a.MemoryMB - b.MemoryMB })
	for i, l := range logs[1:] {
		if l.MemoryMB == logs[i].MemoryMB {
			return nil, fmt.Errorf("orion: %s and %s: both at %d MB", logs[i].Path, l.Path, l.MemoryMB)
		}
		if !slices.Equal(l.Stages, logs[0].Stages) {
			return nil, fmt.Errorf("orion: %s:1: stages %v differ from %s's %v (%s)", l.Path, l.Stages, logs[0].Path, logs[0].Stages, stageDiff(logs[0].Stages, l.Stages))
		}
	}
	return logs, nil
}

// stageDiff says which of want's stages got lacks and which it has beyond them.
func stageDiff(want, got []string) string {
	missing := func(want, got []string) []string {
		var out []string
		for _, n := range want {
			if !slices.Contains(got, n) {
				out = append(out, n)
			}
		}
		return out
	}
	var why []string
	if d := missing(want, got); len(d) > 0 {
		why = append(why, "no "+strings.Join(d, ", "))
	}
	if d := missing(got, want); len(d) > 0 {
		why = append(why, "extra "+strings.Join(d, ", "))
	}
	return strings.Join(why, "; ")
}

func uniform(sizes []string) bool {
	for _, s := range sizes[1:] {
		if s != sizes[0] {
			return false
		}
	}
	return true
}
