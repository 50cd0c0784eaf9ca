package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wisefuse/wisefuse/internal/atomicfile"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/wisefuse"
)

// The flag checks every command shares. parseFlags runs checkGiven on every command line, so no
// flag given as "" or as a non-finite number reaches a command; the commands then check ranges
// with wantInt and wantFloat. Every message names the flag, the value given and what is expected,
// and a limit says why it is there.

// checkGiven rejects, among the flags given on the command line, an empty string (a flag given as
// --out "" would otherwise mean "not given") and a number that is NaN or infinite (NaN passes
// every range check: NaN <= 0 and NaN > 100 are both false).
func checkGiven(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if err != nil {
			return
		}
		if g, ok := f.Value.(flag.Getter); ok {
			if v, ok := g.Get().(float64); ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
				err = usagef("--%s %v: want a finite number", f.Name, v)
				return
			}
		}
		if strings.TrimSpace(f.Value.String()) == "" {
			err = usagef("--%s %q: want a value (leave the flag out for its default)", f.Name, f.Value.String())
		}
	})
	return err
}

// checkOutputs rejects an output flag (--out, --plan-out, ...) that names an existing file or
// folder that is also an input of the command (another flag's value or an argument): the write
// would replace the input, as `profile --out runs.parquet runs.parquet` once replaced the records
// it had just read with the profile. os.SameFile sees through other spellings of one path and
// links.
func checkOutputs(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(out *flag.Flag) {
		if err == nil && (out.Name == "out" || strings.HasSuffix(out.Name, "-out")) {
			err = checkOutput(fs, out.Name, "--"+out.Name+" "+out.Value.String(), out.Value.String())
		}
	})
	return err
}

// checkOutput is checkOutputs for one file the flag called name writes, path, described as what
// ("--out runs.json", or for a file written beside the flag's, "--export-asl a.asl.json writes
// a.functions.json, which"): a command whose outputs are not all flag values (plan --export-asl
// writes two files beside its own) checks each of them.
func checkOutput(fs *flag.FlagSet, name, what, path string) error {
	return notAnInput(fs, output{what, path}, "give another --"+name, name)
}

// outputsNotInputs is checkOutput for a command's outputs outs, its own and those it writes beside
// them, against every flag but the output flags named, and the arguments: `simulate --arrivals
// q-dags.csv --out q.csv` replaced the arrivals with the DAG table written beside --out.
func outputsNotInputs(fs *flag.FlagSet, outs []output, outputFlags ...string) error {
	for _, o := range outs {
		if err := notAnInput(fs, o, "give another output", outputFlags...); err != nil {
			return err
		}
	}
	return nil
}

// notAnInput refuses output o when it is the file of a flag other than outputFlags, or of an
// argument, saying fix.
func notAnInput(fs *flag.FlagSet, o output, fix string, outputFlags ...string) error {
	ost, serr := os.Stat(o.path)
	if o.path == "" || serr != nil {
		return nil // not there yet: nothing to overwrite
	}
	var err error
	same := func(input, inPath string) {
		if st, e := os.Stat(inPath); err == nil && e == nil && os.SameFile(ost, st) {
			err = usagef("%s is also %s: writing it would replace the input; %s", o.what, input, fix)
		}
	}
	fs.Visit(func(in *flag.Flag) {
		if !slices.Contains(outputFlags, in.Name) {
			same(fmt.Sprintf("the input --%s %s", in.Name, in.Value), in.Value.String())
		}
	})
	for _, a := range fs.Args() {
		same("the input "+a, a)
	}
	return err
}

// samePath reports whether a and b name one file: the same absolute path once cleaned, or, when
// both exist, one file (os.SameFile: other spellings and links). For outputs that do not exist
// yet, which checkOutput cannot compare.
func samePath(a, b string) bool {
	if x, err := filepath.Abs(a); err == nil {
		if y, err := filepath.Abs(b); err == nil && x == y {
			return true
		}
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// output is one file a command writes: what names it in a message ("--out t.parquet", "the
// catalog beside --out, t-catalog.parquet") and its path ("" for an output not asked for).
type output struct{ what, path string }

// distinctOutputs refuses two outputs of one command that are one file: both were written and
// the last renamed into place won, silently with exit 0 (`trace gen --function-table` onto the
// catalog, `simulate --series` onto the --out table). It also refuses an output that is a folder
// before any work: `plan --out p.json --export-asl DIR` wrote p.json, then failed on DIR.
func distinctOutputs(outs ...output) error {
	for _, o := range outs {
		if o.path != "" {
			if err := atomicfile.CheckTarget(o.path); err != nil {
				return usagef("%s: %v", o.what, err)
			}
		}
	}
	for i := range outs {
		for j := range i {
			if outs[i].path != "" && outs[j].path != "" && samePath(outs[i].path, outs[j].path) {
				return usagef("%s is %s: give each output a file of its own", outs[i].what, outs[j].what)
			}
		}
	}
	return nil
}

// given reports whether the flag name was set on the command line.
func given(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// wantInt checks lo <= v <= hi. why, when not empty, is the reason for hi, said when v is above it.
func wantInt[T int | int64](name string, v, lo, hi T, why string) error {
	switch {
	case v < lo && hi == maxOf[T]():
		return usagef("--%s %d: want an integer >= %d", name, v, lo)
	case v < lo:
		return usagef("--%s %d: want an integer from %d to %d", name, v, lo, hi)
	case v > hi:
		return usagef("--%s %d: at most %d%s", name, v, hi, because(why))
	}
	return nil
}

// wantFloat checks that v is finite and lo < v <= hi (lo <= v <= hi when closed).
func wantFloat(name string, v, lo, hi float64, closed bool, why string) error {
	low := v > lo
	op := ">"
	if closed {
		low, op = v >= lo, ">="
	}
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return usagef("--%s %v: want a finite number", name, v)
	case !low && math.IsInf(hi, 1):
		return usagef("--%s %v: want a number %s %v", name, v, op, lo)
	case !low:
		return usagef("--%s %v: want %s %v and <= %v", name, v, op, lo, hi)
	case v > hi:
		return usagef("--%s %v: at most %v%s", name, v, hi, because(why))
	}
	return nil
}

func because(why string) string {
	if why == "" {
		return ""
	}
	return " (" + why + ")"
}

// maxOf is T's largest value (of int as the platform has it: 32 bits on 386).
func maxOf[T int | int64]() T {
	var v T
	switch any(v).(type) {
	case int:
		return T(math.MaxInt)
	default:
		var m int64 = math.MaxInt64 // a typed constant: converting the untyped one to T broke 32-bit builds
		return T(m)
	}
}

// onlyWith rejects, unless ok, the flags in names given on the command line: they go with
// something else (with, e.g. "--simulate") and would be silently ignored.
func onlyWith(fs *flag.FlagSet, ok bool, with string, names ...string) error {
	if ok {
		return nil
	}
	for _, n := range names {
		if f := fs.Lookup(n); f != nil && given(fs, n) {
			return usagef("--%s %s: goes with %s only; here it would be ignored", n, f.Value, with)
		}
	}
	return nil
}

// The limits of the command line, each with its reason (docs/reliability.md lists them all).
const (
	// maxRuns bounds simulate --runs, whose runs stream (memory holds one run): by time, as
	// maxPoissonArrivals does arrivals. 10^6 runs of video take about a minute. The simulator's
	// clock and event sequence may hold fewer runs of a workflow: sim refuses those as the first
	// run ends, saying how many fit (about 7 x 10^7 of video).
	maxRuns    = 1_000_000_000
	maxRunsWhy = "10^6 runs of video take about a minute, so 10^9 take most of a day"
	// maxProfileRuns bounds profile --runs, per memory size (four by default), with every
	// function invocation kept for the profile.
	maxProfileRuns    = 100_000
	maxProfileRunsWhy = "runs per size, each keeping every function invocation for the profile"
	// maxArrivals bounds the rows of an --arrivals CSV, which is read whole to sort it (8 bytes an
	// arrival, 800 MB at the limit). Poisson arrivals are drawn as needed and have no such limit;
	// arrivals faster than the platform serves them still queue in memory (the overload warning
	// says so before the run).
	maxArrivals    = 100_000_000
	maxArrivalsWhy = "a CSV of arrivals is read whole to sort it, 8 bytes an arrival"
	// maxWorkers bounds --workers: more goroutines than this only add memory.
	maxWorkers = 4096
)

// predictedOutputs is finiteOutputs for a predicted latency's P50, P95 and P99 and a mean cost,
// where a percentile of +Inf falls among runs that fail, on a platform that fails runs (a
// function timeout, or "reject" or "retry" at the concurrency limit: wisefuse.Latency.TimedOut),
// which plan and model print as such (seconds); without one such runs never end.
func predictedOutputs(what string, lat wisefuse.Latency, plat *platform.Platform, cost float64) error {
	names := []string{"predicted P50", "predicted P95", "predicted P99", "predicted mean cost"}
	vals := []float64{lat.Percentile(50), lat.Percentile(95), lat.Percentile(99), cost}
	fails := plat.FunctionTimeout > 0 || plat.AtConcurrencyLimit != platform.LimitQueue
	for i := range 3 {
		if !math.IsInf(vals[i], 1) {
			continue
		}
		if fails {
			vals[i] = 0 // a run that failed: no latency, and nothing wrong with the input
			continue
		}
		return fmt.Errorf("%s: %s: some runs never end: a fused Map's spills find no slot at concurrency_limit %d (the host holds it), or an input is too large for the model; on a platform without a function timeout (function_timeout_s 0) nothing stops them (the simulator stops with a deadlock)",
			what, names[i], plat.ConcurrencyLimit)
	}
	return finiteOutputs(what, names, vals...)
}

// seconds is a predicted latency as plan and model print it: a number, or for a percentile that
// falls among runs that fail (+Inf), JSON null and in text how they fail (failWord).
type seconds struct {
	s    float64
	fail string
}

// percentiles is a predicted latency's P50, P95 and P99, as plan and model report them on plat.
func percentiles(l wisefuse.Latency, plat *platform.Platform) (p50, p95, p99 seconds) {
	w := failWord(plat)
	return seconds{l.Percentile(50), w}, seconds{l.Percentile(95), w}, seconds{l.Percentile(99), w}
}

// failWord is how plan and model name the runs the model fails on plat: "timed out" where only
// the function timeout fails runs; "failed" where the concurrency limit may too (reject, retry),
// since a percentile among failed runs does not say which stopped them.
func failWord(plat *platform.Platform) string {
	if plat.AtConcurrencyLimit == platform.LimitQueue {
		return "timed out"
	}
	return "failed"
}

func (s seconds) MarshalJSON() ([]byte, error) {
	if math.IsInf(s.s, 1) {
		return []byte("null"), nil
	}
	return json.Marshal(s.s)
}

func (s seconds) String() string {
	if math.IsInf(s.s, 1) {
		return s.fail
	}
	return fmt.Sprintf("%.3fs", s.s)
}

// timedOutLine is the line plan and model print when a share of the predicted runs time out, or
// on a platform that rejects acquisitions past its concurrency limit, are rejected there.
func timedOutLine(frac float64, plat *platform.Platform) string {
	var why []string
	if plat.FunctionTimeout > 0 {
		why = append(why, fmt.Sprintf("a VM busy past the platform's function timeout of %gs", plat.FunctionTimeout))
	}
	switch plat.AtConcurrencyLimit {
	case platform.LimitReject:
		why = append(why, fmt.Sprintf("a Map whose iterations pass its concurrency limit of %d (at_concurrency_limit %q)", plat.ConcurrencyLimit, plat.AtConcurrencyLimit))
	case platform.LimitRetry:
		why = append(why, fmt.Sprintf("a Map whose iterations wait past the platform's retries at its concurrency limit of %d (at_concurrency_limit %q)", plat.ConcurrencyLimit, plat.AtConcurrencyLimit))
	}
	w := failWord(plat)
	return fmt.Sprintf("predicted %s runs: %.1f%% (%s fails its run; percentiles among them are given as %s)\n",
		strings.ReplaceAll(w, " ", "-"), 100*frac, strings.Join(why, ", or "), w)
}

// finiteOutputs returns an error naming the first of the named values that is NaN or infinite:
// no command prints one as a result with exit 0.
func finiteOutputs(what string, names []string, values ...float64) error {
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: %s came out as %v, not a number that means anything: an input (a work, latency, size or parameter) is too large or degenerate for the model", what, names[i], v)
		}
	}
	return nil
}
