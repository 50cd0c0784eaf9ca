package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wisefuse/wisefuse/internal/crash"
	"github.com/wisefuse/wisefuse/records"
	"github.com/wisefuse/wisefuse/sim"
)

// serial is the simulation stage on one goroutine, as Run was before the pipeline: the source
// read row by row as the simulation asks, and each outcome, function record and series row
// written as the simulation hands it over. The pipeline is held to it.
func serial(s *simulation) (sim.ReplayStats, error) {
	var b outBatch
	write := func() error {
		err := s.write(&b)
		b.reset()
		return err
	}
	var last sim.Outcome
	emit := func(o *sim.Outcome) error {
		s.emitted(o)
		last = *o
		b.outs = append(b.outs, *o)
		return write()
	}
	opt := s.opt
	if s.fns {
		opt.OnRun = func(d records.DAGRun, recs []records.Invocation) error {
			for i := range recs {
				b.fns = append(b.fns, fnRow{dag: last.DAG, id: int64(d.Run), rec: recs[i]})
			}
			return write()
		}
	}
	if s.opt.SeriesInterval > 0 {
		opt.OnSeries = func(r sim.SeriesRow) error {
			b.series = append(b.series, seriesRow{row: r})
			return write()
		}
	}
	return sim.Replay(s.work, s.src.next, emit, opt)
}

// counted wraps a simulation stage so that it counts the outcomes handed to write.
func counted(stage func(*simulation) (sim.ReplayStats, error), n *int64) func(*simulation) (sim.ReplayStats, error) {
	return func(s *simulation) (sim.ReplayStats, error) {
		write := s.write
		s.write = func(b *outBatch) error {
			*n += int64(len(b.outs))
			return write(b)
		}
		return stage(s)
	}
}

// sameOutputs fails unless folders a and b hold the same files, byte for byte, but for the wall
// times of the summaries.
func sameOutputs(t *testing.T, a, b string) {
	t.Helper()
	names := func(dir string) []string {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var ns []string
		for _, e := range ents {
			ns = append(ns, e.Name())
		}
		return ns
	}
	na, nb := names(a), names(b)
	if !slices.Equal(na, nb) {
		t.Fatalf("%s holds %v, %s holds %v", a, na, b, nb)
	}
	for _, n := range na {
		x, _ := os.ReadFile(filepath.Join(a, n))
		y, _ := os.ReadFile(filepath.Join(b, n))
		if n == SummaryFile {
			var sx, sy Summary
			if err := json.Unmarshal(x, &sx); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(y, &sy); err != nil {
				t.Fatal(err)
			}
			sx.Wall, sx.PlanWall, sy.Wall, sy.PlanWall = 0, 0, 0, 0
			x, _ = json.Marshal(sx)
			y, _ = json.Marshal(sy)
		}
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s differs between %s and %s (%d and %d bytes)", n, a, b, len(x), len(y))
		}
	}
}

// noGoroutinesLeft fails unless the goroutines fall back to want within a few seconds.
func noGoroutinesLeft(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines left, want %d:\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPipelineSameBytes: the pipelined replay writes exactly the files of a replay on one
// goroutine, with one core or two, over traces of several batches of arrivals, outcomes and
// function records: plain, with function rows and the series, a CSV trace read through a shard
// and a time window, and a series of several batches.
func TestPipelineSameBytes(t *testing.T) {
	dir := t.TempDir()
	pq := genTrace(t, dir, "t.parquet", 60, 6*batchArrivals)
	csv := genTrace(t, dir, "t.csv", 40, 5*batchArrivals)
	for name, cfg := range map[string]Config{
		"user-max":                   {Trace: pq},
		"photons, functions, series": {Trace: pq, Policy: "photons", FunctionRows: true, SeriesInterval: 600},
		"sonic, csv, shard, window":  {Trace: csv, Policy: "sonic", Shard: 1, Shards: 2, From: 2000, To: 80000, FunctionRows: true},
		// 86,400 series rows: several batches of them (batchSeries), some between two outcomes.
		"series in batches": {Trace: csv, SeriesInterval: 1},
	} {
		out := filepath.Join(dir, strings.NewReplacer(" ", "", ",", "-").Replace(name))
		cfg.Out = filepath.Join(out, "serial")
		var nSerial int64
		if _, err := replayWith(cfg, counted(serial, &nSerial)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if nSerial < 3*batchOutcomes/2 {
			t.Fatalf("%s: %d outcomes, want more than one batch", name, nSerial)
		}
		for _, procs := range []int{1, 2} {
			prev := runtime.GOMAXPROCS(procs)
			cfg.Out = filepath.Join(out, fmt.Sprint("pipelined", procs))
			_, err := Run(cfg)
			runtime.GOMAXPROCS(prev)
			if err != nil {
				t.Fatalf("%s, GOMAXPROCS %d: %v", name, procs, err)
			}
			sameOutputs(t, filepath.Join(out, "serial"), cfg.Out)
		}
	}
}

// TestPipelineErrors: a bad row in the middle of the trace, several batches in, stops the
// pipelined replay with the error of the replay on one goroutine, after the same outcomes were
// handed to the writer, and leaves no output and no goroutine.
func TestPipelineErrors(t *testing.T) {
	dir := t.TempDir()
	_, catalog, lines := csvTrace(t, dir, 30, 5*batchArrivals)
	bad := map[string][]string{}
	k := 3*batchArrivals + 100
	for field(lines[k], 2) == field(lines[k+1], 2) {
		k++
	}
	swapped := slices.Clone(lines)
	swapped[k], swapped[k+1] = swapped[k+1], swapped[k]
	bad["unsorted"] = swapped
	unknown := slices.Clone(lines)
	unknown[k] = withField(unknown[k], 0, "no-such-dag")
	bad["unknown"] = unknown
	nan := slices.Clone(lines)
	nan[k] = withField(nan[k], 2, "NaN")
	bad["nan"] = nan
	before := runtime.NumGoroutine()
	for name, ls := range bad {
		path := writeLines(t, filepath.Join(dir, name+".csv"), ls)
		var errs [2]error
		var written [2]int64
		for i, stage := range []func(*simulation) (sim.ReplayStats, error){serial, (*simulation).pipelined} {
			out := filepath.Join(dir, fmt.Sprint(name, i))
			_, errs[i] = replayWith(Config{Trace: path, Catalog: catalog, Out: out}, counted(stage, &written[i]))
			if ents, _ := os.ReadDir(out); errs[i] == nil || len(ents) != 0 {
				t.Errorf("%s: error %v, %d files left", name, errs[i], len(ents))
			}
		}
		if errs[0] == nil || errs[1] == nil || errs[0].Error() != errs[1].Error() || written[0] != written[1] {
			t.Errorf("%s: serial: %v after %d outcomes; pipelined: %v after %d", name, errs[0], written[0], errs[1], written[1])
		}
		line := k + 1 // lines[0] is line 1
		if name == "unsorted" {
			line++ // the later row of the two is the one out of order
		}
		if want := fmt.Sprintf("line %d,", line); errs[1] == nil || !strings.Contains(errs[1].Error(), want) {
			t.Errorf("%s: %v, want %s", name, errs[1], want)
		}
		if written[1] < batchOutcomes {
			t.Errorf("%s: %d outcomes written before the error, want more than a batch", name, written[1])
		}
	}
	noGoroutinesLeft(t, before)
}

// TestPipelineStops: a failing write, a panic in the writer and a cancellation each stop the
// pipelined replay with their error, and a panic on the simulation's goroutine unwinds through
// it; each leaves no output and no goroutine (the trace is long enough that the decoder is still
// at work when they stop it). A write that fails before a bad row of the
// trace is reached wins over it, as on one goroutine, although the pipeline's writer sees its
// first batch only after the simulation has passed that row.
func TestPipelineStops(t *testing.T) {
	dir := t.TempDir()
	trace, catalog, lines := csvTrace(t, dir, 30, 16*batchArrivals)
	const k = 2000
	lines[k] = withField(lines[k], 0, "no-such-dag")
	early := writeLines(t, filepath.Join(dir, "early.csv"), lines)
	errDisk := errors.New("disk full")
	failAt := func(stage func(*simulation) (sim.ReplayStats, error), n int, fail func() error) func(*simulation) (sim.ReplayStats, error) {
		return func(s *simulation) (sim.ReplayStats, error) {
			write, calls := s.write, 0
			s.write = func(b *outBatch) error {
				if calls++; calls == n {
					return fail()
				}
				return write(b)
			}
			return stage(s)
		}
	}
	pipelined := (*simulation).pipelined
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := runtime.NumGoroutine()
	for _, tc := range []struct {
		name     string
		cfg      Config
		stage    func(*simulation) (sim.ReplayStats, error)
		want     error
		panicked bool
	}{
		{name: "write fails", cfg: Config{Trace: trace}, stage: failAt(pipelined, 1, func() error { return errDisk }), want: errDisk},
		{name: "write fails before a bad row, serial", cfg: Config{Trace: early, Catalog: catalog},
			stage: failAt(serial, 1, func() error { return errDisk }), want: errDisk},
		{name: "write fails before a bad row", cfg: Config{Trace: early, Catalog: catalog},
			stage: failAt(pipelined, 1, func() error { return errDisk }), want: errDisk},
		{name: "writer panics", cfg: Config{Trace: trace}, stage: failAt(pipelined, 2, func() error { panic("boom") }), panicked: true},
		{name: "cancelled", stage: pipelined, want: context.Canceled,
			cfg: Config{Trace: trace, Context: ctx, Progress: func(stage string, done, _, _ int64) {
				if stage == "replay" && done >= 2*batchOutcomes {
					cancel()
				}
			}}},
	} {
		tc.cfg.Out = filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
		_, err := replayWith(tc.cfg, tc.stage)
		var p *crash.Panic
		switch {
		case tc.panicked && !(errors.As(err, &p) && p.Value == "boom"):
			t.Errorf("%s: %v, want the writer's panic", tc.name, err)
		case !tc.panicked && !errors.Is(err, tc.want):
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if ents, _ := os.ReadDir(tc.cfg.Out); len(ents) != 0 {
			t.Errorf("%s: %d files left in the output folder", tc.name, len(ents))
		}
	}
	// A panic on the simulating goroutine (here the progress callback's) unwinds through Run,
	// which still ends both goroutines and removes its outputs.
	out := filepath.Join(dir, "progress-panics")
	func() {
		defer func() {
			if v := recover(); v != "progress" {
				t.Errorf("a panicking progress callback: recovered %v", v)
			}
		}()
		Run(Config{Trace: trace, Out: out, Progress: func(stage string, done, _, _ int64) {
			if stage == "replay" && done >= 2*batchOutcomes {
				panic("progress")
			}
		}})
	}()
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("a panicking progress callback: %d files left in the output folder", len(ents))
	}
	noGoroutinesLeft(t, before)
}
