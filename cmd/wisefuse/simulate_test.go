package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/tables"
)

func TestSimulateJSON(t *testing.T) {
	code, out, errOut := runCLI("simulate", "--workflow", "video", "--memory", "3008", "--runs", "20", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"runs", "p50_s", "p95_s", "p99_s", "mean_latency_s", "mean_cost_usd", "cold_start_fraction"} {
		if _, ok := s[k]; !ok {
			t.Errorf("summary lacks %q: %s", k, out)
		}
	}
	if s["runs"].(float64) != 20 || s["cold_start_fraction"].(float64) != 0 || !(s["p95_s"].(float64) >= s["p50_s"].(float64)) {
		t.Errorf("implausible warm summary %s", out)
	}
	code, out, _ = runCLI("simulate", "--workflow", "video", "--memory", "3008", "--runs", "20", "--json", "--cold")
	if code != 0 || !strings.Contains(out, `"cold_start_fraction":1`) {
		t.Errorf("--cold: exit %d, %s", code, out)
	}
}

// TestSimulateTimedOut: DAG invocations that fail at the function timeout are counted, with
// --runs and with --arrivals: a one-task workflow of 1,000 core-s at 1,769 MB (one vCPU) times
// out at 900 s on aws-lambda in every run. Before, the summary printed their times to failure
// as latencies and said nothing (a random unseen workflow whose every run failed looked fine).
func TestSimulateTimedOut(t *testing.T) {
	wf := filepath.Join(t.TempDir(), "long.workflow.json")
	if err := os.WriteFile(wf, []byte(`{"name": "long", "functions": [{"name": "F", "min_memory_mb": 128,
		"serial_work_s": 1000, "parallel_work_s": 0, "threads": 1, "input_bytes": 0, "output_bytes": 0, "init_s": 0}],
		"steps": [{"name": "A", "task": "F"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, how := range [][]string{{"--runs", "4"}, {"--arrivals", "poisson:0.01", "--duration", "400"}} {
		args := append([]string{"simulate", "--workflow", wf, "--memory", "1769", "--platform", "aws-lambda"}, how...)
		code, out, errOut := runCLI(append(args, "--json")...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", how, code, errOut)
		}
		var s struct {
			Runs     int     `json:"runs"`
			TimedOut int     `json:"timed_out"`
			Fraction float64 `json:"timed_out_fraction"`
		}
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("%v: not JSON: %v\n%s", how, err, out)
		}
		if s.Runs == 0 || s.TimedOut != s.Runs || s.Fraction != 1 {
			t.Errorf("%v: %s: want every run timed out", how, out)
		}
		code, out, errOut = runCLI(args...)
		if code != 0 || !strings.Contains(out, "failed at the function timeout") {
			t.Errorf("%v: exit %d, %s: the text summary does not say the runs timed out:\n%s", how, code, errOut, out)
		}
	}
}

// TestSimulateOut: --out writes the invocation table and its -dags sibling, byte-identical for
// the same seed and different for another.
func TestSimulateOut(t *testing.T) {
	dir := t.TempDir()
	files := func(seed, name string) [2][]byte {
		out := filepath.Join(dir, name+".csv")
		code, _, errOut := runCLI("simulate", "--workflow", "chatbot", "--memory", "2048",
			"--arrivals", "poisson:0.2", "--duration", "120", "--seed", seed, "--out", out)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		a, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, name+"-dags.csv"))
		if err != nil {
			t.Fatal(err)
		}
		return [2][]byte{a, b}
	}
	a, b, c := files("3", "a"), files("3", "b"), files("4", "c")
	if !bytes.Equal(a[0], b[0]) || !bytes.Equal(a[1], b[1]) {
		t.Error("same seed, different files")
	}
	if bytes.Equal(a[1], c[1]) {
		t.Error("different seeds, same DAG file")
	}
	dags, err := tables.ReadDAGRuns(filepath.Join(dir, "a-dags.csv"))
	if err != nil || len(dags) == 0 {
		t.Fatalf("%d DAG rows, %v", len(dags), err)
	}
}

func TestSimulateArrivalsFile(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.csv")
	header := filepath.Join(dir, "header.csv")
	os.WriteFile(plain, []byte("3\n0.5\n\n1\n"), 0o644)
	os.WriteFile(header, []byte("app,time\nx,3\ny,0.5\nz,1\n"), 0o644)
	var outs []string
	for _, f := range []string{plain, header} {
		code, out, errOut := runCLI("simulate", "--workflow", "chatbot", "--memory", "2048", "--arrivals", f, "--json")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, errOut)
		}
		if !strings.Contains(out, `"runs":3`) {
			t.Errorf("%s: %s", f, out)
		}
		outs = append(outs, out)
	}
	if outs[0] != outs[1] {
		t.Errorf("the same arrivals as a column and as lines differ:\n%s\n%s", outs[0], outs[1])
	}
}

// TestSimulatePlanOut: --plan-out writes the plan a policy chose, and simulating that file gives
// the same result as the policy.
func TestSimulatePlanOut(t *testing.T) {
	f := filepath.Join(t.TempDir(), "sonic.json")
	code, viaPolicy, errOut := runCLI("simulate", "--workflow", "chatbot", "--policy", "sonic", "--runs", "20", "--json", "--plan-out", f)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	code, viaFile, errOut := runCLI("simulate", "--workflow", "chatbot", "--plan", f, "--runs", "20", "--json")
	if code != 0 || viaFile != viaPolicy {
		t.Errorf("the written plan simulates to %q (exit %d, %s), the policy to %q", viaFile, code, errOut, viaPolicy)
	}
}

// TestSimulateSeries: --series writes one row per interval from 0 to the end of the simulation
// and draws it beside the table (sim.TestSeriesByHand checks the values); --json still prints
// the summary alone.
func TestSimulateSeries(t *testing.T) {
	dir := t.TempDir()
	series := filepath.Join(dir, "s.csv")
	code, out, errOut := runCLI("simulate", "--workflow", "chatbot", "--memory", "2048",
		"--arrivals", "poisson:0.2", "--duration", "600", "--seed", "3", "--json", "--series", series, "--series-interval", "60")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	var starts, run, idle []float64
	if err := eachSeriesRow(series, func(s, r, i float64) {
		starts, run, idle = append(starts, s), append(run, r), append(idle, i)
	}); err != nil {
		t.Fatal(err)
	}
	if len(starts) < 10 {
		t.Fatalf("%d rows, want at least 10 (600 s of arrivals in 60 s intervals)", len(starts))
	}
	for i, s := range starts {
		if s != float64(60*i) || run[i] < 0 || idle[i] < 0 {
			t.Fatalf("row %d: start %v, running %v, idle %v", i, s, run[i], idle[i])
		}
	}
	for _, ext := range []string{".png", ".svg"} {
		if _, err := os.Stat(filepath.Join(dir, "s"+ext)); err != nil {
			t.Error(err)
		}
	}
	if strings.Contains(errOut, "warning") {
		t.Errorf("11 rows: %s", errOut)
	}
	// An interval of 10^-5 s over 500 s of arrivals wrote gigabytes without a word.
	msg := seriesWarning("s.csv", 1e-5, 500)
	for _, want := range []string{"--series s.csv", "--series-interval 1e-05 s over 500 s", "5e+07 rows", "2.9 GB as CSV"} {
		if !strings.Contains(msg, want) {
			t.Errorf("warning %q lacks %q", msg, want)
		}
	}
	if msg := seriesWarning("s.csv", 60, 1e8); msg != "" {
		t.Errorf("1.7 x 10^6 rows: warning %q", msg)
	}
	// Past sim.MaxSeriesRows the simulation refused it only when it got there (45 s and 6 GB of
	// CSV later): now a usage error before the run.
	code, _, errOut = runCLI("simulate", "--workflow", "chatbot", "--memory", "1024", "--arrivals", "poisson:0.0001", "--duration", "1e6",
		"--series", filepath.Join(dir, "big.csv"), "--series-interval", "0.005")
	if code != exitUsage || !strings.Contains(errOut, "--series-interval 0.005: arrivals up to 1e+06 s make about 2e+08 rows of --series, past the limit 100000000") {
		t.Errorf("a series past the limit: exit %d, stderr %q", code, errOut)
	}
}

func TestSimulateBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("1\n2\nlate\n"), 0o644)
	nohdr := filepath.Join(dir, "nohdr.csv")
	os.WriteFile(nohdr, []byte("a,b\n1,2\n"), 0o644)
	late := filepath.Join(dir, "late.csv") // past the simulator's clock: it was accepted up to 1e15 s
	os.WriteFile(late, []byte("arrival_s\n0\n1e13\n"), 0o644)
	long := filepath.Join(dir, "long.csv") // was "bufio.Scanner: token too long", naming no line
	os.WriteFile(long, []byte("arrival_s\n0\n1"+strings.Repeat(" ", 2<<20)+"\n"), 0o644)
	under := filepath.Join(dir, "under.csv") // Go's literal syntax: read as 1000 and 16
	os.WriteFile(under, []byte("arrival_s\n1_000\n0x1p4\n"), 0o644)
	pq := filepath.Join(dir, "pq.csv") // a kilobyte of escaped binary as the "header"
	os.WriteFile(pq, append([]byte("PAR1\x15\x04"), make([]byte, 2000)...), 0o644)
	bom := filepath.Join(dir, "bom.csv") // was `line 1: header "\ufeffarrival_s" has no arrival_s, ...`
	os.WriteFile(bom, []byte("\ufeffarrival_s\n0\n1\n"), 0o644)
	if code, _, errOut := runCLI("simulate", "--workflow", "video", "--memory", "3008", "--arrivals", bom); code != 0 {
		t.Errorf("arrivals with a byte order mark: exit %d: %s", code, errOut)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--workflow", "video", "--runs", "5"}, 2, "--plan FILE, --memory MB or --policy NAME"},
		{[]string{"--workflow", "video", "--memory", "3008"}, 2, "--runs N or --arrivals"},
		{[]string{"--workflow", "video", "--memory", "3008", "--runs", "5", "--arrivals", "poisson:1"}, 2, "not both"},
		{[]string{"--workflow", "video", "--memory", "50", "--runs", "5"}, 2, "--memory 50: want an integer from 128 to 10240"},
		{[]string{"--workflow", "video", "--memory", "3008", "--arrivals", "poisson:x", "--duration", "5"}, 2, "RATE"},
		{[]string{"--workflow", "video", "--memory", "3008", "--arrivals", "poisson:1"}, 2, "--duration"},
		{[]string{"--workflow", "video", "--memory", "3008", "--arrivals", "foo:1", "--duration", "10"}, 2, `--arrivals "foo:1": want poisson:RATE or a .csv file`},
		{[]string{"--workflow", "video", "--memory", "3008", "--arrivals", bad}, 1, "bad.csv: line 3"},
		{[]string{"--workflow", "video", "--memory", "3008", "--arrivals", nohdr}, 1, "no arrival_s"},
		{[]string{"--workflow", "video", "--memory", "3008", "--arrivals", late}, 1, `late.csv: line 3: "1e13" is not an arrival time: want a number of seconds from 0 to 1e+12`},
		{[]string{"--workflow", "video", "--memory", "3008", "--arrivals", long}, 1, "long.csv: line 3: longer than 1048576 bytes"},
		{[]string{"--workflow", "video", "--memory", "3008", "--arrivals", under}, 1, `under.csv: line 2: "1_000" is not an arrival time`},
		{[]string{"--workflow", "video", "--memory", "3008", "--arrivals", pq}, 1, "pq.csv: a Parquet file (it starts with PAR1), but the arrivals are a CSV"},
		{[]string{"--workflow", "video", "--memory", "3008", "--runs", "5", "--out", "x.txt"}, 2, "unknown table format"},
		{[]string{"--workflow", "nosuch", "--memory", "3008", "--runs", "5"}, 1, "neither a built-in"},
		{[]string{"--workflow", "video", "--memory", "3008", "--runs", "5", "--series", "s.parquet"}, 2, "--series goes with --arrivals"},
		{[]string{"--workflow", "video", "--memory", "3008", "--arrivals", "poisson:1", "--duration", "5", "--series-interval", "5"}, 2, "--series-interval goes with --series"},
		{[]string{"--workflow", "video", "--memory", "3008", "--arrivals", "poisson:1", "--duration", "5", "--series", "s.parquet", "--series-interval", "0"}, 2, "--series-interval 0"},
		{[]string{"--workflow", "video", "--memory", "3008", "--runs", "5", "--platform", bad}, 1, "bad.csv"},
	} {
		code, _, errOut := runCLI(append([]string{"simulate"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d (want %d), stderr %q lacks %q", tc.args, code, tc.code, errOut, tc.want)
		}
	}
}

// TestOverloadWarning: arrivals beyond what the platform can serve are announced on stderr
// before the run; a rate it can serve is not.
func TestOverloadWarning(t *testing.T) {
	// The warning goes to the process's stderr (simulate has no stderr writer of its own).
	runErr := func(args ...string) (int, string, string) {
		f, err := os.CreateTemp(t.TempDir(), "stderr")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		saved := os.Stderr
		os.Stderr = f
		code, out, errOut := runCLI(args...)
		os.Stderr = saved
		b, _ := os.ReadFile(f.Name())
		return code, out, errOut + string(b)
	}
	code, _, errOut := runErr("simulate", "--workflow", "video", "--memory", "3008",
		"--arrivals", "poisson:20", "--duration", "3", "--json")
	if code != 0 || !strings.Contains(errOut, "beyond the platform's concurrency limit of 1000") {
		t.Errorf("exit %d, stderr %q; want an overload warning", code, errOut)
	}
	code, _, errOut = runErr("simulate", "--workflow", "video", "--memory", "2048",
		"--arrivals", "poisson:0.05", "--duration", "60", "--json")
	if code != 0 || strings.Contains(errOut, "warning") {
		t.Errorf("exit %d, stderr %q; want no warning", code, errOut)
	}
	// Under "reject" arrivals beyond the limit fail rather than queue, and the isolated runs
	// that estimate the load do not stop at a limit narrower than ml's Map (they used to fail
	// there, and no warning came).
	rej := filepath.Join(t.TempDir(), "reject.json")
	if err := os.WriteFile(rej, []byte(`{"concurrency_limit": 2, "at_concurrency_limit": "reject"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runErr("simulate", "--workflow", "ml", "--memory", "2048", "--platform", rej,
		"--arrivals", "poisson:2", "--duration", "20", "--json")
	if code != 0 || !strings.Contains(errOut, `beyond the platform's concurrency limit of 2: DAG invocations will fail at the limit (at_concurrency_limit "reject")`) {
		t.Errorf("reject: exit %d, stderr %q; want a warning that invocations will fail", code, errOut)
	}
}

// TestSimulateProvenance: simulate's tables carry what made them, as Parquet key-value metadata
// or a CSV sidecar, and the recorded command names the flags given.
func TestSimulateProvenance(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{".parquet", ".csv"} {
		out := filepath.Join(dir, "runs"+ext)
		if code, _, errOut := runCLI("simulate", "--workflow", "chatbot", "--memory", "2048", "--runs", "3", "--seed", "5", "--out", out); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		dags, _ := tables.DAGRunsPath(out)
		for _, f := range []string{out, dags} {
			m, err := tables.ReadMetadata(f)
			if err != nil {
				t.Fatal(err)
			}
			if m["workflow"] != "chatbot" || m["seed"] != "5" || m["platform"] != "aws-lambda" ||
				!strings.Contains(m["plan"], "2048") || !strings.HasPrefix(m["version"], "wisefuse ") ||
				m["command"] != "wisefuse simulate --memory=2048 --out=runs"+ext+" --runs=3 --seed=5 --workflow=chatbot" {
				t.Errorf("%s: metadata %q", f, m)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "runs.csv.meta.json")); err != nil {
		t.Errorf("CSV sidecar: %v", err)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, ".pending*")); len(matches) > 0 {
		t.Errorf("left behind %v", matches)
	}
}

// TestSimulateSizedNote: a plan size a platform of fixed VM sizes does not offer runs at another
// size, and simulate says so (--memory 4096 on azure-durable ran at 1,536 MB without a word);
// a size it offers gets no note.
func TestSimulateSizedNote(t *testing.T) {
	code, _, errOut := runCLI("simulate", "--workflow", "chatbot", "--memory", "4096", "--platform", "azure-durable", "--runs", "2", "--json")
	if code != 0 || !strings.Contains(errOut, "note: the platform offers VMs of [1536] MB only") || !strings.Contains(errOut, "the plan's 4096 MB at 1536 MB") {
		t.Errorf("4096 MB on azure-durable: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCLI("simulate", "--workflow", "chatbot", "--memory", "1536", "--platform", "azure-durable", "--runs", "2", "--json")
	if code != 0 || strings.Contains(errOut, "note") {
		t.Errorf("1536 MB on azure-durable: exit %d, stderr %q", code, errOut)
	}
}

// TestSimulateOutLinkAndPipe: --out through a symbolic link writes the pair beside the link's
// target and keeps the link, for --runs and --arrivals alike (the streamed tables removed the
// link and put the DAG table beside it); a named pipe, which cannot hold a pair, is refused.
func TestSimulateOutLinkAndPipe(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "t"), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(filepath.Join("t", "real.csv"), link); err != nil {
		t.Fatal(err)
	}
	for _, mode := range [][]string{{"--runs", "3"}, {"--arrivals", "poisson:1", "--duration", "5"}} {
		args := append([]string{"simulate", "--workflow", "chatbot", "--memory", "1024", "--out", link}, mode...)
		if code, _, errOut := runCLI(args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", mode, code, errOut)
		}
		if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%v: the link is gone (%v)", mode, err)
		}
		for _, f := range []string{"t/real.csv", "t/real-dags.csv"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%v: %v", mode, err)
			}
		}
		if _, err := os.Lstat(filepath.Join(dir, "link-dags.csv")); err == nil {
			t.Errorf("%v: a DAG table beside the link", mode)
		}
	}
	fifo := filepath.Join(dir, "p.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI("simulate", "--workflow", "chatbot", "--memory", "1024", "--runs", "3", "--out", fifo)
	if code != 1 || !strings.Contains(errOut, "is not a regular file: a run's tables are two files") {
		t.Errorf("--out a pipe: exit %d, stderr %q", code, errOut)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe is gone (%v)", err)
	}
}

// TestSizedNoteFunctionsOnly: the note names only sizes functions run at: a plan that sizes every
// function at 1,536 MB and leaves its default unset got "the plan's 0 MB at 1536 MB".
func TestSizedNoteFunctionsOnly(t *testing.T) {
	w, ok := apps.Lookup("chatbot")
	if !ok {
		t.Fatal("no chatbot")
	}
	p := &dag.Plan{Memory: map[string]int{}}
	for _, f := range w.Functions {
		p.Memory[f.Name] = 1536
	}
	plat, err := platform.Load("azure-durable")
	if err != nil {
		t.Fatal(err)
	}
	if note := sizedNote(w, p, plat); note != "" {
		t.Errorf("every function at 1536 MB on azure-durable: note %q", note)
	}
	p.Memory[w.Functions[0].Name] = 2048
	if note := sizedNote(w, p, plat); !strings.HasSuffix(note, "the plan's 2048 MB at 1536 MB") {
		t.Errorf("one function at 2048 MB: note %q", note)
	}
}

// TestRecordsWarning: an --out table expected past 10 GB gets a warning naming its rows and size in
// its format (--runs 10^9 of video with --out streamed 6 x 10^10 rows without a word).
func TestRecordsWarning(t *testing.T) {
	msg := recordsWarning("r.parquet", 6.2e10)
	for _, want := range []string{"--out r.parquet: about 6.2e+10 function invocation rows", "about 2.0 TB as Parquet"} {
		if !strings.Contains(msg, want) {
			t.Errorf("warning %q lacks %q", msg, want)
		}
	}
	if msg := recordsWarning("r.csv", 1e7); msg != "" {
		t.Errorf("10^7 rows of CSV (1.8 GB): warning %q", msg)
	}
	if msg := recordsWarning("", 1e12); msg != "" {
		t.Errorf("no --out: warning %q", msg)
	}
	// Two arrivals far apart are two DAG invocations (they were taken for rate x last, 6 x 10^10).
	dir := t.TempDir()
	late := filepath.Join(dir, "late.csv")
	if err := os.WriteFile(late, []byte("arrival_s\n0\n1e9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI("simulate", "--workflow", "video", "--memory", "2048", "--arrivals", late, "--out", filepath.Join(dir, "r.csv"))
	if code != 0 || strings.Contains(errOut, "warning") {
		t.Errorf("two arrivals 10^9 s apart: exit %d, stderr %q", code, errOut)
	}
}

// TestSimulateRunsSummary: simulate --runs streams its runs, and prints what sim.Run's summary of
// the kept DAG records gives, to the last bit (both sum through sim.Summarizer).
func TestSimulateRunsSummary(t *testing.T) {
	code, out, errOut := runCLI("simulate", "--workflow", "video", "--memory", "2048", "--runs", "300", "--seed", "4", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got simulateReport
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	w, _ := apps.Lookup("video")
	res, err := sim.Run(w, dag.UniformPlan(2048), 300, sim.Options{Platform: apps.Platform("video", platform.Default()), Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	if got.P50 != s.P50S || got.P95 != s.P95S || got.P99 != s.P99S || got.MeanLatency != s.MeanLatencyS || got.MeanCost != s.MeanCost ||
		got.ColdStartFraction != s.ColdStartFraction || got.Events != s.Events || got.MeanLiveVMs != s.MeanLiveVMs || got.Runs != s.Runs {
		t.Errorf("simulate --runs printed %+v; sim.Run's summary is %+v", got, s)
	}
}
