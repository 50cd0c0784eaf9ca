package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/internal/atomicfile"
	"github.com/wisefuse/wisefuse/policy"
	"github.com/wisefuse/wisefuse/records"
	"github.com/wisefuse/wisefuse/tables"
	"github.com/wisefuse/wisefuse/wisefuse"
)

func init() {
	register(&command{
		name:    "profile",
		summary: "Build WiseFuse profiles: from simulator records, from a folder of real profiling logs, or by profiling a workflow in the simulator.",
		usage: "--out FILE.json (--workflow W RECORDS.parquet|.csv... | LOGDIR | --workflow W --simulate [--sizes MB,MB,...] [--runs N] [--seed S] [--cold-share S] [--platform NAME|FILE] [--quiet])\n\n" +
			"Wherever --workflow W is taken, --asl FILE --functions SIDE.json may stand instead.\n" +
			"RECORDS are invocation tables written by 'wisefuse simulate --out' (the DAG table beside each\n" +
			"is read too when present), each run with every function at one size (a function that needs\n" +
			"more at its need), unfused and unbundled.\n" +
			"LOGDIR holds real logs rsc_<M>_<M>_<M>.txt, one run a line: E2E:<ms> <Stage>:<ms> ...",
		run: runProfile,
	})
}

func runProfile(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	wf := addWorkflowFlags(fs, " (needed for records and --simulate)")
	out := fs.String("out", "", "write the profiles to `FILE` (JSON)")
	simulate := fs.Bool("simulate", false, "profile the workflow in the simulator")
	sizes := fs.String("sizes", "", "comma-separated memory sizes in `MB` for --simulate (default 1024,2048,4096,10240)")
	runs := fs.Int("runs", 0, "runs per size for --simulate (default: as plan profiles, 300, fewer for workflows of over 100 function invocations a run: policy.ProfileRuns)")
	seed := fs.Uint64("seed", wisefuse.ProfileSeed, "random `SEED` for --simulate (keep it apart from evaluation seeds)")
	coldShare := fs.Float64("cold-share", 0, "for --simulate, the `SHARE` of runs whose VMs all start cold, the others warm (0 to 1; as often as the deployment is invoked after its keep-alive)")
	platformFlag := fs.String("platform", "", "for --simulate, the "+platformUsage)
	quiet := fs.Bool("quiet", false, "for --simulate, no progress bar (there is none when stderr is not a terminal)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out FILE is required")
	}
	// The DAG table beside each record table is an input too: --out c-dags.parquet of c.parquet
	// replaced it with the profile.
	for _, a := range fs.Args() {
		if dags, err := tables.DAGRunsPath(a); err == nil && samePath(*out, dags) {
			return usagef("--out %s is the DAG table beside the input %s: writing it would replace the input; give another --out", *out, a)
		}
	}
	if err := onlyWith(fs, *simulate, "--simulate", "sizes", "runs", "seed", "cold-share", "platform", "quiet"); err != nil {
		return err
	}
	if err := wantFloat("cold-share", *coldShare, 0, 1, true, ""); err != nil {
		return err
	}
	if given(fs, "runs") {
		if err := wantInt("runs", *runs, 1, maxProfileRuns, maxProfileRunsWhy); err != nil {
			return err
		}
	}
	var p *wisefuse.Profile
	switch {
	case *simulate:
		if fs.NArg() > 0 {
			return usagef("--simulate takes no record files")
		}
		w, err := wf.load()
		if err != nil {
			return err
		}
		plat, err := loadPlatform(wf.spec(), *platformFlag)
		if err != nil {
			return err
		}
		if *runs == 0 {
			// As plan does: 300 runs of a Map of 10^5 items are 3e7 invocations a size, which
			// ran for over 5 minutes and 12 GB.
			*runs = policy.ProfileRuns(w.ExpectedInvocations())
		}
		o := wisefuse.ProfileOptions{Runs: *runs, Seed: *seed, ColdShare: *coldShare}
		if *sizes != "" {
			for _, f := range strings.Split(*sizes, ",") {
				// As --memory: a size off the platform's range was silently raised or lowered into
				// it (--sizes 64 profiled at 128 MB, 100000 at 10240), a size given twice profiled once.
				m, err := strconv.Atoi(strings.TrimSpace(f))
				if err != nil || m < dag.MinMemoryMB || m > dag.MaxMemoryMB {
					return usagef("--sizes %s: %q is not a memory size in MB (an integer from %d to %d)", *sizes, f, dag.MinMemoryMB, dag.MaxMemoryMB)
				}
				if slices.Contains(o.Sizes, m) {
					return usagef("--sizes %s: %d MB is listed twice", *sizes, m)
				}
				// Every function runs at each profiled size: a size below one's minimum was
				// profiled at that minimum instead, silently (as --memory, refused).
				for _, fn := range w.Functions {
					if m < fn.MinMemoryMB {
						return usagef("--sizes %s: %d MB is below function %q's min_memory_mb %d (every function runs at each profiled size)", *sizes, m, fn.Name, fn.MinMemoryMB)
					}
				}
				o.Sizes = append(o.Sizes, m)
			}
		}
		bar := newStageBar(*quiet, map[string]string{"profile": "profiling in the simulator (runs)"})
		o.Progress = func(done, total int64) { bar.update("profile", done, total) }
		p, err = policy.ProfileInSim(w, plat, o)
		bar.finish()
		if err != nil {
			return err
		}
		p.Platform = profilePlatformLabel(wf.spec(), *platformFlag)
		if p.PlatformSHA256, err = wisefuse.ProfilingDigest(plat); err != nil {
			return err
		}
	case fs.NArg() == 1 && isDir(fs.Arg(0)):
		var err error
		if p, err = wisefuse.ReadLogs(fs.Arg(0)); err != nil {
			return err
		}
		warnLogs(stderr, "profile", fs.Arg(0), p)
		if wf.given() {
			// Logs hold no workflow name: a given workflow must be the logs' (its functions
			// their stages), and names the profile.
			w, err := wf.load()
			if err != nil {
				return err
			}
			var stages []string
			for _, f := range p.Workflow.Functions {
				stages = append(stages, f.Name)
			}
			if _, err := wisefuse.LogStageItems(w, stages); err != nil {
				return fmt.Errorf("%s: %w", fs.Arg(0), err)
			}
			p.Workflow.Name = w.Name
		}
	case fs.NArg() > 0:
		// A mistyped log folder would otherwise be taken for a record file and draw a
		// misleading "--workflow is required".
		seen := make([]os.FileInfo, 0, fs.NArg())
		for i, path := range fs.Args() {
			st, err := os.Stat(path)
			if err != nil {
				return err
			}
			// One file twice (however spelled) was profiled twice: every run counted double.
			for j, prev := range seen {
				if os.SameFile(prev, st) {
					return usagef("record file %s is given twice (arguments %d and %d: %s)", path, j+1, i+1, fs.Arg(j))
				}
			}
			seen = append(seen, st)
		}
		w, err := wf.load()
		if err != nil {
			return err
		}
		// Two tables of one simulation (one seed, plan and platform) hold the same runs, whatever
		// their formats or run counts: run i of each is the same draw (sim seeds runs by
		// (seed, i)), and each was profiled again (c.parquet and c.csv: "60 runs" of 30).
		sims := map[string]string{}
		for _, path := range fs.Args() {
			m, err := tables.ReadMetadata(path)
			if err != nil || m["seed"] == "" {
				continue // no provenance to compare (it is checked as the records are read)
			}
			key := strings.Join([]string{m["workflow"], m["plan"], m["platform"], m["seed"]}, "\x00")
			if prev, ok := sims[key]; ok {
				return usagef("record files %s and %s come from one simulation (seed %s, one plan and platform): their runs are the same runs; simulate again with another --seed", prev, path, m["seed"])
			}
			sims[key] = path
		}
		var invs []records.Invocation
		var dags []records.DAGRun
		base := 0
		bases := make([]int, len(fs.Args())) // the first run of each file, in the merged numbering
		for f, path := range fs.Args() {
			bases[f] = base
			// A check per file: its runs are numbered from 0, and an error names its line.
			in, err := tables.ReadInvocations(path, wisefuse.RecordCheck(w))
			if err != nil {
				if pair := invocationsOf(path); pair != "" {
					// A DAG table given for its invocation table said only that it lacked "step".
					return fmt.Errorf("%w (%s is the DAG table beside %s: give %s, whose DAG table is read with it)", err, path, pair, pair)
				}
				return err // it names the file
			}
			if len(in) == 0 {
				// Was "no invocations to profile", naming no file.
				return fmt.Errorf("%s: no function invocation (a header line alone), want the records 'wisefuse simulate --out' writes", path)
			}
			var ds []records.DAGRun
			// The DAG table is beside the file the records are in: a link's target, as
			// 'simulate --out LINK' writes it (tables.CreateRun), not beside the link.
			at := path
			if to, _, err := atomicfile.Resolve(path); err == nil {
				at = to
			}
			if dp, err := tables.DAGRunsPath(at); err == nil {
				if _, err := os.Stat(dp); err == nil {
					if ds, err = tables.ReadDAGRuns(dp); err != nil {
						return err // it names the file
					}
					if err := tables.CheckPair(in, ds); err != nil {
						return fmt.Errorf("%s and %s: %w (run 'wisefuse simulate --out %s' again, or remove %s)", path, dp, err, path, dp)
					}
				}
			}
			// Each file numbers its runs from 0: shift them apart.
			top := 0
			for i := range in {
				top = max(top, in[i].Run+1)
				in[i].Run += base
			}
			for i := range ds {
				top = max(top, ds[i].Run+1)
				ds[i].Run += base
			}
			base += top
			invs, dags = append(invs, in...), append(dags, ds...)
		}
		if p, err = wisefuse.FromRecords(w, invs, dags); err != nil {
			var re *wisefuse.RunError
			if errors.As(err, &re) {
				// The merged run number is in no file ("run 30" of two files of runs 0..29 and
				// 0..9): name the file and its own run.
				f := len(bases) - 1
				for f > 0 && bases[f] > re.Run {
					f--
				}
				return fmt.Errorf("%s: run %d: %w", fs.Arg(f), re.Run-bases[f], re.Err)
			}
			return err
		}
	default:
		return usagef("give record files, a log folder, or --simulate")
	}
	if err := wisefuse.WriteProfile(*out, p); err != nil {
		return err
	}
	// The sizes in order, a lost one (every run failed) among them, with the steps the timeout
	// stopped its runs in: the planner sizes those steps above it.
	type line struct {
		mem  int
		text string
	}
	var lines []line
	for _, s := range p.Sizes {
		lines = append(lines, line{s.MemoryMB, fmt.Sprintf("%d runs", s.Runs)})
	}
	for _, l := range p.Lost {
		lines = append(lines, line{l.MemoryMB, fmt.Sprintf("no run finished (the function timeout stopped runs in %s)", strings.Join(l.TimedOut, ", "))})
	}
	slices.SortFunc(lines, func(a, b line) int { return a.mem - b.mem })
	for _, l := range lines {
		fmt.Fprintf(stdout, "%6d MB: %s\n", l.mem, l.text)
	}
	fmt.Fprintf(stdout, "wrote %s (workflow %q, %s)\n", *out, p.Workflow.Name, p.Source)
	return nil
}

// invocationsOf returns the invocation table whose DAG table path is (runs-dags.csv beside
// runs.csv), "" when path is none.
func invocationsOf(path string) string {
	invs, ok := tables.InvocationsPath(path)
	if !ok {
		return ""
	}
	if _, err := os.Stat(invs); err != nil {
		return ""
	}
	return invs
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// warnLogs prints to stderr, once each, what looks wrong in the real logs the profile p was read
// from at path, a log folder or the profile file 'profile LOGDIR' wrote (wisefuse.Profile.LogWarnings:
// few runs, values that may be seconds, stages that overlap), as "wisefuse CMD: warning: ...". A
// warning never fails the command.
func warnLogs(stderr io.Writer, cmd, path string, p *wisefuse.Profile) {
	file := !isDir(path)
	for _, w := range p.LogWarnings() {
		if file {
			w = path + ": " + w // the warning names the folder the profile file was made from
		}
		fmt.Fprintf(stderr, "wisefuse %s: warning: %s\n", cmd, w)
	}
}
