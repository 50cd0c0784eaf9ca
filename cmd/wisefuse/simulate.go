package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/atomicfile"
	"github.com/wisefuse/wisefuse/internal/jsonpos"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/tables"
)

func init() {
	register(&command{
		name:    "simulate",
		summary: "Simulate a workflow under a plan: N independent runs (as a profiler does) or a stream of DAG arrivals sharing warm pools.",
		usage: "(--workflow W | --asl FILE --functions SIDE.json) (--plan FILE | --memory MB | --policy NAME [--slo D [--percentile P]]) (--runs N | --arrivals poisson:RATE --duration S | --arrivals FILE.csv)\n" +
			"                         [--seed S] [--cold | --cold-share S] [--platform NAME|FILE] [--out FILE.parquet|.csv] [--plan-out FILE.json] [--series FILE.parquet|.csv [--series-interval S]] [--json]",
		run: runSimulate,
	})
}

func runSimulate(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	wf := addWorkflowFlags(fs, "")
	plan := addPlanFlags(fs)
	addPolicyFlags(fs, plan)
	runs := fs.Int("runs", 0, "`N` independent runs, each alone on the platform (warm unless --cold)")
	arrivals := fs.String("arrivals", "", "poisson:RATE (DAG invocations per second, with --duration) or a CSV `FILE` of arrival times in seconds (one per line, or a column named arrival_s, arrival or time)")
	duration := fs.Float64("duration", 0, "`SECONDS` of Poisson arrivals")
	seed := fs.Uint64("seed", 1, "random `SEED`; the same seed gives byte-identical output")
	planOut := fs.String("plan-out", "", "write the plan that ran (from --plan, --memory or --policy) to `FILE` as JSON")
	cold := fs.Bool("cold", false, "make every VM of --runs cold (arrivals get cold starts from the keep-alive); --policy wisefuse profiles so too")
	coldShare := fs.Float64("cold-share", 0, "make that `SHARE` of --runs cold, every VM of each, spread evenly (0 to 1; as profile --simulate --cold-share); --policy wisefuse profiles so too")
	platformFile := fs.String("platform", "", platformUsage)
	out := fs.String("out", "", "write one row per function invocation to `FILE` (.parquet or .csv) and one per DAG invocation to FILE-dags.EXT")
	asJSON := fs.Bool("json", false, "print the summary as one JSON object")
	series := fs.String("series", "", "with --arrivals, write the time series of running and idle instances to `FILE` (.parquet or .csv): per --series-interval, the time-average running and idle VMs and the idle GB-seconds")
	seriesInterval := fs.Float64("series-interval", 60, "`SECONDS` per row of --series")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if given(fs, "runs") {
		if err := wantInt("runs", *runs, 1, maxRuns, maxRunsWhy); err != nil {
			return err
		}
	}
	switch {
	case *runs != 0 && *arrivals != "":
		return usagef("give either --runs or --arrivals, not both")
	case *runs == 0 && *arrivals == "":
		return usagef("give --runs N or --arrivals poisson:RATE|FILE.csv")
	case *arrivals != "" && !strings.HasPrefix(*arrivals, "poisson:") && !strings.EqualFold(filepath.Ext(*arrivals), ".csv"):
		return usagef("--arrivals %q: want poisson:RATE or a .csv file", *arrivals)
	case *duration != 0 && !strings.HasPrefix(*arrivals, "poisson:"):
		return usagef("--duration goes with --arrivals poisson:RATE")
	case (*cold || given(fs, "cold-share")) && *arrivals != "":
		return usagef("--cold and --cold-share apply to --runs; under arrivals cold starts come from the keep-alive")
	case *cold && given(fs, "cold-share"):
		return usagef("give --cold (every run cold) or --cold-share S, not both")
	case *series != "" && *arrivals == "":
		return usagef("--series goes with --arrivals (independent runs share no instances)")
	case given(fs, "series-interval") && *series == "":
		return usagef("--series-interval goes with --series FILE")
	}
	if err := wantFloat("series-interval", *seriesInterval, 0, sim.MaxTime, false, ""); err != nil {
		return err
	}
	if *series != "" {
		if _, err := tables.FormatOf(*series); err != nil {
			return usagef("--series: %v", err)
		}
	}
	if err := wantFloat("duration", *duration, 0, sim.MaxTime, true, "sim.MaxTime, the simulator's clock limit, as for an --arrivals file's times"); err != nil {
		return err
	}
	dagsOut := ""
	if *out != "" {
		var err error
		if dagsOut, err = tables.DAGRunsPath(*out); err != nil {
			return usagef("--out: %v", err)
		}
	}
	// One written over the other, silently: the records by the series, the DAG table by the plan;
	// and every file written, the tables' provenance sidecars (CSV) and the series' figures
	// included, as none of them an input (--arrivals q-dags.csv --out q.csv replaced the arrivals
	// with the DAG table, --series x.csv --plan-out x.png left x.png the plan).
	outs := []output{{"--out " + *out, *out}, {"the DAG table beside --out, " + dagsOut, dagsOut},
		{"--series " + *series, *series}, {"--plan-out " + *planOut, *planOut}}
	if *series != "" {
		base := seriesFigureBase(*series)
		outs = append(outs, output{"the figure beside --series, " + base + ".png", base + ".png"}, output{"the figure beside --series, " + base + ".svg", base + ".svg"})
	}
	for _, o := range outs[:3] {
		if strings.EqualFold(filepath.Ext(o.path), ".csv") {
			outs = append(outs, output{"the provenance beside " + o.what + ", " + tables.MetadataPath(o.path), tables.MetadataPath(o.path)})
		}
	}
	if err := distinctOutputs(outs...); err != nil {
		return err
	}
	if err := outputsNotInputs(fs, outs, "out", "series", "plan-out"); err != nil {
		return err
	}
	w, err := wf.load()
	if err != nil {
		return err
	}
	plat, err := loadPlatform(wf.spec(), *platformFile)
	if err != nil {
		return err
	}
	if err := wantFloat("cold-share", *coldShare, 0, 1, true, ""); err != nil {
		return err
	}
	share := *coldShare
	if *cold {
		share = 1 // every run cold
	}
	// WiseFuse (--policy) profiles runs as cold as the ones it plans for.
	plan.platform, plan.coldShare = plat, share
	p, err := plan.resolve(w)
	if err != nil {
		return err
	}
	if note := sizedNote(w, p, plat); note != "" {
		fmt.Fprintln(stderr, "wisefuse simulate: note: "+note)
	}
	opt := sim.Options{Platform: plat, Seed: *seed, ColdShare: share}
	planJSON, err := json.Marshal(p)
	if err != nil {
		return err
	}
	meta := provenance(fs, "workflow", w.Name, "plan", string(planJSON), "policy", *plan.policy,
		"platform", platformLabel(*platformFile), "seed", strconv.FormatUint(*seed, 10))

	// The DAG invocations to run: --runs isolated runs (sim.RunEach), or --arrivals through one
	// shared platform (sim.Replay); both stream (simulateStream).
	var run func(emit func(*sim.Outcome) error, opt sim.Options) (sim.ReplayStats, error)
	source, dagInvocations := "--runs", float64(*runs)
	if *runs > 0 {
		run = func(emit func(*sim.Outcome) error, opt sim.Options) (sim.ReplayStats, error) {
			return sim.RunEach(w, p, *runs, emit, opt)
		}
	} else {
		next, rate, last, count, err := arrivalSource(*arrivals, *duration, *seed, stderr)
		if err != nil {
			return err
		}
		if *series != "" {
			if err := seriesLimit(*seriesInterval, last); err != nil {
				return err
			}
			if msg := seriesWarning(*series, *seriesInterval, last); msg != "" {
				fmt.Fprintln(stderr, "wisefuse simulate: warning: "+msg)
			}
		}
		if msg, lerr := overloadWarning(w, p, plat, rate); lerr == nil && msg != "" {
			fmt.Fprintln(stderr, "wisefuse simulate: warning: "+msg)
		}
		opt.SeriesInterval = *seriesInterval
		run = func(emit func(*sim.Outcome) error, opt sim.Options) (sim.ReplayStats, error) {
			return sim.Replay([]sim.Workload{{Workflow: w, Plan: p}}, next, emit, opt)
		}
		source, dagInvocations = "--arrivals "+*arrivals, count
	}
	if msg := recordsWarning(*out, dagInvocations*float64(w.ExpectedInvocations())); msg != "" {
		fmt.Fprintln(stderr, "wisefuse simulate: warning: "+msg)
	}
	s, written, err := simulateStream(run, source, opt, *out, *series, meta)
	if err != nil {
		return err
	}
	if *series != "" {
		base, err := drawSeries(*series, fmt.Sprintf("%s: instances per %g s", w.Name, *seriesInterval))
		if err != nil {
			return err
		}
		written = append(written, base+".png", base+".svg")
	}
	if err := finiteOutputs("simulate", []string{"P50", "P95", "P99", "mean latency", "mean cost", "cold-start fraction", "mean live instances"},
		s.P50, s.P95, s.P99, s.MeanLatency, s.MeanCost, s.ColdStartFraction, s.MeanLiveVMs); err != nil {
		return err
	}
	if *planOut != "" {
		// Once the simulation has succeeded: a run that fails leaves no plan beside nothing.
		b, err := dag.MarshalIndent(p)
		if err != nil {
			return err
		}
		if err := atomicfile.WriteBytes(*planOut, b); err != nil {
			return err
		}
		written = append([]string{*planOut}, written...)
	}
	if *asJSON {
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", b)
		return nil
	}
	invocations := "DAG invocations"
	if s.Runs == 1 {
		invocations = "DAG invocation"
	}
	fmt.Fprintf(stdout, "workflow %s, %d %s\n", w.Name, s.Runs, invocations)
	fmt.Fprintf(stdout, "  latency s:    P50 %.4g  P95 %.4g  P99 %.4g  mean %.4g\n", s.P50, s.P95, s.P99, s.MeanLatency)
	fmt.Fprintf(stdout, "  cost:         $%.6g per DAG invocation\n", s.MeanCost)
	fmt.Fprintf(stdout, "  cold starts:  %.2f%% of function invocations\n", 100*s.ColdStartFraction)
	fmt.Fprintf(stdout, "  instances:    %.2f live on average, %d at peak\n", s.MeanLiveVMs, s.PeakLiveVMs)
	fmt.Fprintf(stdout, "  events:       %d\n", s.Events)
	if s.Rejected > 0 || s.Retries > 0 {
		fmt.Fprintf(stdout, "  at the limit: %d DAG invocations rejected (%.2f%%), %d retries\n", s.Rejected, 100*s.RejectFraction, s.Retries)
	}
	if s.TimedOut > 0 {
		fmt.Fprintf(stdout, "  timed out:    %d DAG invocations failed at the function timeout (%.2f%%); their latency is the time to failure\n", s.TimedOut, 100*s.TimedOutFraction)
	}
	for _, f := range written {
		fmt.Fprintf(stdout, "wrote %s\n", f)
	}
	return nil
}

// sizedNote says which of plan p's memory sizes for w's functions run at another size on plat, a platform of fixed
// VM sizes (platform.Platform.SizeMB); "" when none does. `--memory 4096` on azure-durable ran
// at its 1,536 MB without a word.
func sizedNote(w *dag.Workflow, p *dag.Plan, plat *platform.Platform) string {
	if len(plat.MemoryChoices()) == 0 {
		return ""
	}
	var sizes []int // the functions' sizes: a default no function runs at is no size of the plan's
	for _, f := range w.Functions {
		sizes = append(sizes, p.MemoryOf(f.Name))
	}
	slices.Sort(sizes)
	var moved []string
	for _, mb := range slices.Compact(sizes) {
		if to := plat.SizeMB(mb); to != mb {
			moved = append(moved, fmt.Sprintf("%d MB at %d MB", mb, to))
		}
	}
	if len(moved) == 0 {
		return ""
	}
	return fmt.Sprintf("the platform offers VMs of %v MB only (a VM gets the smallest at or above its size, else the largest): the plan's %s",
		plat.MemoryChoices(), strings.Join(moved, ", "))
}

// simulateReport is what simulate prints (simulateStream's summary: sim.Summary's figures, from a
// sketch), latencies in seconds like every other output, each key naming its unit.
type simulateReport struct {
	Runs              int     `json:"runs"`
	P50               float64 `json:"p50_s"`
	P95               float64 `json:"p95_s"`
	P99               float64 `json:"p99_s"`
	MeanLatency       float64 `json:"mean_latency_s"`
	MeanCost          float64 `json:"mean_cost_usd"`
	ColdStartFraction float64 `json:"cold_start_fraction"`
	MeanLiveVMs       float64 `json:"mean_live_instances"` // time-average of live (busy or warm) VMs
	PeakLiveVMs       int     `json:"peak_live_instances"`
	Events            int64   `json:"events"`
	// Rejected DAG invocations failed at the concurrency limit (at_concurrency_limit reject, or
	// retry after its last attempt), RejectFraction of all; Retries counts retried acquisitions.
	Rejected       int     `json:"rejected"`
	RejectFraction float64 `json:"reject_fraction"`
	Retries        int     `json:"retries"`
	// TimedOut DAG invocations failed at the platform's function timeout, TimedOutFraction of
	// all: their latencies are times to failure, so a summary with many says little of the
	// workflow's latency.
	TimedOut         int     `json:"timed_out"`
	TimedOutFraction float64 `json:"timed_out_fraction"`
	// Instances under arrivals (docs/simulator.md, "Output"): time-averages of running and idle
	// VMs, a VM's mean lifespan, and the memory-time idle warm VMs held.
	MeanRunningVMs float64 `json:"mean_running_instances"`
	MeanIdleVMs    float64 `json:"mean_idle_instances"`
	MeanLifespanS  float64 `json:"mean_instance_lifespan_s"`
	IdleGBS        float64 `json:"idle_gb_s"`
}

// parsePoisson reads --arrivals poisson:RATE: its rate, and whether the spec is one at all.
// Poisson arrivals are drawn as the simulation needs them, so rate x duration has no limit of
// memory; the time a run takes grows with it.
func parsePoisson(spec string, duration float64) (float64, bool, error) {
	rate, ok := strings.CutPrefix(spec, "poisson:")
	if !ok {
		return 0, false, nil
	}
	r, err := strconv.ParseFloat(rate, 64)
	if err != nil || !(r > 0) || math.IsInf(r, 0) || r > 1e9 {
		return 0, true, usagef("--arrivals %s: RATE must be a finite number of DAG invocations per second, > 0 and <= 1e9", spec)
	}
	if !(duration > 0) {
		return 0, true, usagef("--arrivals poisson:RATE needs --duration SECONDS > 0")
	}
	if n := r * duration; n > maxPoissonArrivals {
		// poisson:1 --duration 1e12 ran on for 10^12 DAG invocations, without a word.
		return 0, true, usagef("--arrivals %s --duration %v: %.3g DAG invocations expected, at most %.0e (about a day at the simulator's pace of some 3e5 a second): lower the rate or the duration",
			spec, duration, n, maxPoissonArrivals)
	}
	return r, true, nil
}

// maxPoissonArrivals bounds the DAG invocations a Poisson arrival process is expected to make.
const maxPoissonArrivals = 3e10

// arrivalColumns are the names readArrivalsCSV takes the arrival times from, by preference.
var arrivalColumns = []string{"arrival_s", "arrival", "time_s", "time"}

// readArrivalsCSV reads arrival times in seconds: one number per line, or a CSV with a header
// whose column arrival_s, arrival, time_s or time holds them. Rows need not be sorted.
// The file is read whole to sort it: a first pass counts its lines, so the times take one
// allocation of 8 bytes a line, and a warning comes before that memory is spent.
func readArrivalsCSV(path string, stderr io.Writer) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 5)
	if n, _ := io.ReadFull(f, head); tables.IsParquet(head[:n]) {
		// Read as text, its binary made a kilobyte of escaped header in the message.
		return nil, fmt.Errorf("%s: a Parquet file (it starts with PAR1), but the arrivals are a CSV of arrival times", path)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	lines, err := countLines(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	lines = min(lines, maxArrivals)
	if msg := memoryWarning(arrivalsMemory(lines), availableMemory(), fmt.Sprintf("%d lines of arrival times, read whole to sort them", lines),
		"split the arrivals into several runs, or use poisson:RATE, which streams"); msg != "" {
		fmt.Fprintln(stderr, "wisefuse simulate: warning: "+msg)
	}
	sc := bufio.NewScanner(f)
	const maxArrivalLine = 1 << 20 // a time and a few other columns
	sc.Buffer(make([]byte, 64*1024), maxArrivalLine)
	col, first := 0, true
	times := make([]float64, 0, lines)
	line := 1
	for ; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			// A byte order mark (a spreadsheet's "CSV UTF-8") made the header unreadable.
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if strings.Contains(text, `"`) {
			// A quoted field may hold commas ("hello, world",5 read " world\"" as the time).
			r := csv.NewReader(strings.NewReader(text))
			r.LazyQuotes = true // a bare quote inside a field (he said "hi") is text, as before
			if fields, err = r.Read(); err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					err = pe.Err // its line is the line's own, 1
				}
				return nil, fmt.Errorf("%s: line %d: %v", path, line, err)
			}
		}
		if first {
			first = false
			// A first line that does not start with a number is a header naming the column: the
			// first of arrival_s, arrival, time_s and time it has (not the leftmost of them).
			if _, err := tables.ParseFloat(strings.TrimSpace(fields[0])); err != nil {
				col = -1
				best := len(arrivalColumns)
				for i, name := range fields {
					if k := slices.Index(arrivalColumns, strings.ToLower(strings.Trim(strings.TrimSpace(name), `"`))); k >= 0 && k < best {
						col, best = i, k
					}
				}
				if col < 0 {
					return nil, fmt.Errorf("%s: line 1: header %s has no arrival_s, arrival, time_s or time column", path, jsonpos.Clip(strconv.Quote(text)))
				}
				continue
			}
		}
		if col >= len(fields) {
			return nil, fmt.Errorf("%s: line %d: %d fields, the arrival time is field %d", path, line, len(fields), col+1)
		}
		v, err := tables.ParseFloat(strings.TrimSpace(fields[col]))
		if err != nil || v < 0 || v != v || v > sim.MaxTime {
			return nil, fmt.Errorf("%s: line %d: %s is not an arrival time: want a number of seconds from 0 to %g (sim.MaxTime, the simulator's clock limit)", path, line, jsonpos.Clip(strconv.Quote(fields[col])), float64(sim.MaxTime))
		}
		if len(times) == maxArrivals {
			return nil, fmt.Errorf("%s: line %d: more than %d arrival times (%s)", path, line, maxArrivals, maxArrivalsWhy)
		}
		times = append(times, v)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			// Was "bufio.Scanner: token too long", naming no line.
			return nil, fmt.Errorf("%s: line %d: longer than %d bytes, want a line of an arrival time (and a few other columns)", path, line, maxArrivalLine)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(times) == 0 {
		return nil, fmt.Errorf("%s: no arrival times", path)
	}
	slices.Sort(times)
	return times, nil
}
