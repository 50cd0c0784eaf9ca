package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/atomicfile"
	"github.com/wisefuse/wisefuse/platform"

	"github.com/wisefuse/wisefuse/traces"
)

// Limits of trace gen (docs/reliability.md).
const (
	// maxTraceDays bounds --days: 1e7 days is 8.64e11 s, below sim.MaxTime.
	maxTraceDays = 1e7
	// maxTraceInvocations bounds --invocations: the trace streams, so memory stays flat, but
	// 10^7 invocations took 11.8 s of CPU and wrote 225 MB of Parquet (730 MB of CSV) here, so
	// 10^10 is about 3 CPU-hours and 225 GB; 10^14 would have run for years.
	maxTraceInvocations = 1e10
	// maxRunsPerDAG bounds --runs-per-dag: every DAG keeps the runs its invocations replay in
	// memory (up to 200,000 function invocations' worth a DAG, traces.GenConfig.SimBudget), so
	// memory grows with the flag: 100 DAGs took 121 MB at 1,000, 350 MB at 10^4 and 943 MB at 10^9.
	maxRunsPerDAG = 10_000
)

func init() {
	register(&command{
		name:    "trace",
		summary: "Generate Azure-style DAG traces, import public Azure Functions traces, characterize, replay and merge.",
		usage:   "gen|import|characterize|replay|merge [flags]   (see 'wisefuse trace SUB --help')",
		run:     runTrace,
	})
}

type traceSub struct {
	usage, summary string
	run            func(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error
}

var traceSubs = map[string]traceSub{
	"gen": {"--dags N --invocations M --days D --seed S --out FILE [--function-table FILE] [--runs-per-dag N] [--data-model lognormal|blob-trace] [--platform NAME|FILE] [--workers N] [--quiet]",
		"Generate a synthetic DAG-invocation trace calibrated to the published Azure Durable Functions statistics; latencies come from simulating each DAG.", runTraceGen},
	"import": {"--format azure2021|azure2019 --out FILE (--in FILE | --invocations F --durations F [--memory F] [--seed S])",
		"Import a public Azure Functions trace as a DAG-invocation table of one-function DAGs for replay.", runTraceImport},
	"characterize": {"--in FILE --out DIR [--published DIR]",
		"Characterize a DAG-invocation trace: statistics table, popularity, structure and latency CDFs, figures.", runTraceCharacterize},
	"replay": {"--in FILE [--catalog FILE] --out DIR [--policy NAME] [--slo D | --slo-factor F] [--cold-aware] [--platform NAME|FILE] [--seed S] [--from T --to T] [--shard I/N] [--function-rows] [--series-interval S] [--workers N] [--json] [--quiet]",
		"Replay every DAG invocation of a trace, in arrival order, through one shared simulated platform under a policy's plans.", runTraceReplay},
	"merge": {"--out DIR [--json] DIR...",
		"Merge the outputs of 'trace replay --shard' runs into the tables and summary of one replay.", runTraceMerge},
}

// traceSubOrder is the order subcommands are listed in.
var traceSubOrder = []string{"gen", "import", "characterize", "replay", "merge"}

func runTrace(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fs.SetOutput(stdout)
		fs.Usage()
		fmt.Fprintln(stdout, "\nSubcommands:")
		for _, n := range traceSubOrder {
			fmt.Fprintf(stdout, "  %-13s %s\n", n, traceSubs[n].summary)
		}
		if len(args) == 0 {
			return usagef("missing subcommand (%s)", strings.Join(traceSubOrder, ", "))
		}
		return flag.ErrHelp
	}
	sub, ok := traceSubs[args[0]]
	if !ok {
		return usagef("unknown subcommand %q (want one of %s)", args[0], strings.Join(traceSubOrder, ", "))
	}
	sfs := flag.NewFlagSet("wisefuse trace "+args[0], flag.ContinueOnError)
	name := args[0]
	sfs.Usage = func() {
		out := sfs.Output()
		fmt.Fprintf(out, "Usage: wisefuse trace %s %s\n\n%s\n\nFlags:\n", name, sub.usage, sub.summary)
		printFlags(sfs, out)
	}
	// Errors name the subcommand, so that the usage hint points at its own --help.
	return namedError{"trace " + name, sub.run(sfs, args[1:], stdout, stderr)}.orNil()
}

func runTraceGen(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	dags := fs.Int("dags", 5000, "distinct DAGs (>= 2000 keeps any one DAG's share small enough for the structure CDFs)")
	invocations := fs.Int64("invocations", 1_000_000, "DAG invocations in the trace")
	days := fs.Float64("days", 1, "trace length in days (arrivals follow a diurnal pattern)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives a byte-identical trace")
	out := fs.String("out", "", "output `file` (.parquet or .csv)")
	functionTable := fs.String("function-table", "", "also write the function-invocation table to this `file`")
	runs := fs.Int("runs-per-dag", 32, "simulated runs per DAG that its invocations replay")
	dataModel := fs.String("data-model", traces.DataLogNormal, "intermediate data sizes: "+traces.DataLogNormal+" (assumed, docs/traces.md) or "+traces.DataBlobTrace+" (payloads sized like the Azure Functions blob access trace's blobs)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "DAGs simulated in parallel")
	quiet := fs.Bool("quiet", false, "no progress bar (there is none when stderr is not a terminal)")
	platformFile := fs.String("platform", "", "platform: a built-in `NAME` ("+strings.Join(platform.Names(), ", ")+") or a JSON FILE of overrides (docs/simulator.md)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	case *out == "":
		return usagef("--out is required")
	}
	// The trace or its catalog was silently the function table (exit 0; a replay then failed
	// on the catalog).
	cat, err := traces.CatalogPath(*out)
	if err != nil {
		return usagef("--out: %v", err)
	}
	if err := distinctOutputs(output{"--out " + *out, *out}, output{"the catalog beside --out, " + cat, cat},
		output{"--function-table " + *functionTable, *functionTable}); err != nil {
		return err
	}
	for _, err := range []error{
		wantInt("dags", *dags, 1, math.MaxInt, ""),
		wantInt("invocations", *invocations, 1, maxTraceInvocations, "about 3 CPU-hours and 225 GB of Parquet (the real Azure data is several hundred million)"),
		wantFloat("days", *days, 0, maxTraceDays, false, "27,000 years: arrivals stay below the simulator's 1e12 s (sim.MaxTime), so the trace can be replayed"),
		wantInt("runs-per-dag", *runs, 1, maxRunsPerDAG, "every DAG keeps these runs in memory"),
		wantInt("workers", *workers, 1, maxWorkers, "more goroutines than this only add memory"),
	} {
		if err != nil {
			return err
		}
	}
	var plat *platform.Platform
	if *platformFile != "" {
		var err error
		if plat, err = platform.Load(*platformFile); err != nil {
			return err
		}
	}
	meta := provenance(fs, "platform", platformLabel(*platformFile), "seed", strconv.FormatUint(*seed, 10))
	w, err := traces.CreateDAGTable(*out, meta)
	if err != nil {
		return err
	}
	defer w.Abort()
	var fw *traces.FunctionWriter
	if *functionTable != "" {
		if fw, err = traces.CreateFunctionTable(*functionTable, meta); err != nil {
			return err
		}
		defer fw.Abort()
	}
	cfg := traces.GenConfig{
		Population: traces.PopulationConfig{DAGs: *dags, Invocations: *invocations, DataModel: *dataModel},
		Days:       *days, Seed: *seed, RunsPerDAG: *runs, Workers: *workers, Platform: plat,
	}
	bar := newStageBar(*quiet, nil)
	cfg.Progress = bar.update
	cfg.KeptFunctions = func(records, bytesEach int64) {
		if msg := memoryWarning(traceGenMemory(records, bytesEach), availableMemory(),
			fmt.Sprintf("%d function records of the simulated runs, kept for --function-table", records),
			"fewer --dags or --runs-per-dag; the trace's length (--invocations) does not matter"); msg != "" {
			fmt.Fprintln(stderr, "wisefuse trace gen: warning: "+msg)
		}
	}
	start := time.Now()
	sum, err := traces.Generate(cfg, w, fw)
	bar.finish()
	if err != nil {
		return err
	}
	// The tables and the catalog are written out first, then moved in by a rename each, the
	// trace before its catalog: an interrupt can no longer leave a new catalog beside the old
	// trace for the time a large trace's last batch takes, and a trace that fails to go in
	// leaves the old trace's catalog in place.
	if err := w.Finish(); err != nil {
		return err
	}
	if fw != nil {
		if err := fw.Finish(); err != nil {
			return err
		}
	}
	cw, err := traces.FinishCatalog(*out, sum.Population, meta)
	if err != nil {
		return err
	}
	defer cw.Abort()
	if err := w.Close(); err != nil {
		return err
	}
	if err := cw.Close(); err != nil {
		return catalogFailed(*out, err)
	}
	if fw != nil {
		if err := fw.Close(); err != nil {
			return err
		}
	}
	el := time.Since(start).Seconds()
	dayUnit := "days"
	if *days == 1 {
		dayUnit = "day"
	}
	fmt.Fprintf(stdout, "wrote %s and its catalog %s: %d invocations of %d DAGs over %g %s in %.1f s (%.0f rows/s)\n",
		*out, cat, sum.Invocations, sum.DAGs, *days, dayUnit, el, float64(sum.Invocations)/el)
	fmt.Fprintf(stdout, "latency_s and skew are copied from up to %d isolated simulated runs of each DAG (warm VMs, nothing shared), not from these arrivals on a shared platform: `wisefuse trace replay` gives those\n", *runs)
	fmt.Fprintf(stdout, "top 5%% of DAGs make %.1f%% of invocations; least of them %.0f a day; largest DAG %.2f%%; %d runs simulated\n",
		100*sum.TopShare, sum.TopMinPerDay, 100*sum.LargestShare, sum.SimulatedRuns)
	if sum.TopMinPerDay < 1600 {
		fmt.Fprintf(stderr, "note: the least popular top-5%% DAG gets %.0f invocations a day, below Azure's 1.6K; raise --invocations or lower --dags or --days\n", sum.TopMinPerDay)
	}
	if sum.LargestShare > 0.035 {
		fmt.Fprintf(stderr, "note: one DAG makes %.1f%% of the invocations; its structure is one step of that size in the width/depth/node CDFs (use more --dags)\n", 100*sum.LargestShare)
	}
	return nil
}

func runTraceImport(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	format := fs.String("format", "", "azure2021 or azure2019")
	in := fs.String("in", "", "azure2021: the invocation `file` (app,func,end_timestamp,duration)")
	invs := fs.String("invocations", "", "azure2019: invocations_per_function_md.anon.dNN.csv")
	durs := fs.String("durations", "", "azure2019: function_durations_percentiles.anon.dNN.csv")
	mem := fs.String("memory", "", "azure2019: app_memory_percentiles.anon.dNN.csv (optional)")
	out := fs.String("out", "", "output DAG-invocation `file` (.parquet or .csv)")
	seed := fs.Uint64("seed", 1, "azure2019: seed for arrival times within a minute and durations")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return usagef("--out is required")
	}
	// The flags of the other format were ignored silently (--format azure2019 --in F). (An
	// unknown --format is the switch's error below.)
	if *format == "azure2021" || *format == "azure2019" {
		if err := onlyWith(fs, *format == "azure2021", "--format azure2021", "in"); err != nil {
			return err
		}
		if err := onlyWith(fs, *format == "azure2019", "--format azure2019", "invocations", "durations", "memory", "seed"); err != nil {
			return err
		}
	}
	// The catalog is written beside --out, where checkOutputs does not look: `--in
	// x-catalog.csv --out x.csv` replaced the input by the catalog.
	if cat, err := traces.CatalogPath(*out); err == nil {
		for _, name := range []string{"in", "invocations", "durations", "memory"} {
			if v := fs.Lookup(name).Value.String(); v != "" && samePath(v, cat) {
				return usagef("--out %s writes its catalog to %s, which is the input --%s: give another --out", *out, cat, name)
			}
		}
	}
	var write func(*traces.DAGWriter) error
	var fns []traces.FunctionTrace
	var desc string
	switch *format {
	case "azure2021":
		if *in == "" {
			return usagef("--format azure2021 needs --in")
		}
		imp, err := traces.ReadAzure2021(*in)
		if err != nil {
			return err
		}
		var n int64
		for _, f := range imp.Functions {
			n += f.Invocations()
		}
		desc = fmt.Sprintf("%d invocations of %d functions (%d started before the trace window, arrival set to 0)", n, len(imp.Functions), imp.Clamped)
		fns = imp.Functions
		write = func(w *traces.DAGWriter) error { return traces.WriteReplay(w, imp.Functions) }
	case "azure2019":
		if *invs == "" || *durs == "" {
			return usagef("--format azure2019 needs --invocations and --durations")
		}
		var dropped int
		var err error
		fns, dropped, err = traces.ReadAzure2019(*invs, *durs, *mem)
		if err != nil {
			return err
		}
		var n int64
		capped := 0
		for _, f := range fns {
			n += f.Invocations()
			if f.MemoryMB > dag.MaxMemoryMB {
				capped++
			}
		}
		desc = fmt.Sprintf("%d invocations of %d functions (%d functions without durations dropped)", n, len(fns), dropped)
		if capped > 0 {
			// They were capped without a word.
			fns := "functions'"
			if capped == 1 {
				fns = "function's"
			}
			desc += fmt.Sprintf("; %d %s app memory above %d MB capped to it", capped, fns, dag.MaxMemoryMB)
		}
		write = func(w *traces.DAGWriter) error {
			return traces.WriteReplay2019(w, fns, rand.New(rand.NewPCG(*seed, 1)))
		}
	default:
		return usagef("--format %q: want azure2021 or azure2019", *format)
	}
	meta := provenance(fs, "seed", strconv.FormatUint(*seed, 10))
	w, err := traces.CreateDAGTable(*out, meta)
	if err != nil {
		return err
	}
	defer w.Abort()
	if err := write(w); err != nil {
		return err
	}
	// As trace gen: the trace and its catalog written out, then moved in, the trace first.
	if err := w.Finish(); err != nil {
		return err
	}
	cw, err := traces.FinishFunctionCatalog(*out, fns, meta)
	if err != nil {
		return err
	}
	defer cw.Abort()
	if err := w.Close(); err != nil {
		return err
	}
	if err := cw.Close(); err != nil {
		return catalogFailed(*out, err)
	}
	cat, _ := traces.CatalogPath(*out)
	fmt.Fprintf(stdout, "wrote %s: %s; catalog %s (one DAG per function)\n", *out, desc, cat)
	return nil
}

func runTraceCharacterize(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	in := fs.String("in", "", "DAG-invocation `file` (.parquet or .csv)")
	out := fs.String("out", "", "output `dir` for tables and figures")
	published := fs.String("published", "", "`dir` with width_cdf.csv, depth_cdf.csv, nodes_cdf.csv to compare with (default: the compact Azure tables built in)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *in == "" || *out == "" {
		return usagef("--in and --out are required")
	}
	ref := traces.AzurePublished
	if *published != "" {
		var err error
		if ref, err = traces.ReadPublished(*published); err != nil {
			return err
		}
	}
	c, err := traces.CharacterizeFile(*in)
	if err != nil {
		return err
	}
	// The tables and figures are written into a stage inside --out first and moved out together:
	// an interrupted run left some of its files among an earlier run's.
	stage, err := atomicfile.NewStage(*out)
	if err != nil {
		return err
	}
	defer stage.Abort()
	if err := c.WriteTables(stage.Path(), ref, provenance(fs)); err != nil {
		return err
	}
	if err := c.WriteFigures(stage.Path(), ref); err != nil {
		return err
	}
	if err := stage.Commit(*in); err != nil {
		return err
	}
	for _, s := range c.Stats(ref) {
		v := fmt.Sprintf("%14.6g", s.Value)
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			v = fmt.Sprintf("%14s", "none") // null in stats.csv
		}
		fmt.Fprintf(stdout, "%-28s %s  %s\n", s.Name, v, s.Note)
	}
	return nil
}

// catalogFailed is the error of a trace moved into place whose catalog then failed to go in
// beside it: the trace cannot be replayed until it has its own.
func catalogFailed(trace string, err error) error {
	cat, _ := traces.CatalogPath(trace)
	return fmt.Errorf("wrote %s, but not its catalog %s (%w): replay needs the trace's own catalog; run the command again", trace, cat, err)
}
