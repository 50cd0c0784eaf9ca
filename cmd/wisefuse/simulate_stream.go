package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"github.com/wisefuse/wisefuse/records"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/tables"
)

// simulateStream runs a simulation as a stream: run is sim.RunEach for --runs or sim.Replay for
// --arrivals (one workload, whose random draws are those of sim.RunArrivals: stream (seed, i+1)
// for arrival i). DAG and function records are written as each DAG invocation finishes (so the
// tables are in order of completion), and the latencies kept in a sketch exact up to
// simulateExact values. Memory then holds what is in flight, not the run, whatever the number of
// runs or arrivals (Poisson arrivals are drawn as they are needed; a CSV of arrivals is read whole,
// 8 bytes an arrival, because its rows need not be sorted). source names the DAG invocations in
// an error when there are none.
//
// With series set, the time series of instances (sim.Options.OnSeries, one row per
// opt.SeriesInterval seconds) streams into that table too.
func simulateStream(run func(emit func(*sim.Outcome) error, opt sim.Options) (sim.ReplayStats, error), source string, opt sim.Options, out, series string, meta tables.Options) (simulateReport, []string, error) {
	var r simulateReport
	var err error
	// Summed as sim.Run sums its DAG records, so --runs prints what they give, to the last bit.
	sum := sim.NewSummarizer(simulateExact)
	emit := func(o *sim.Outcome) error {
		d := o.Record()
		sum.Add(&d)
		return nil
	}
	var written []string
	var runW *tables.RunWriter
	if out != "" {
		if runW, err = tables.CreateRun(out, meta); err != nil {
			return r, nil, err
		}
		defer runW.Abort()
		opt.OnRun = func(d records.DAGRun, recs []records.Invocation) error {
			for i := range recs {
				if err := tables.WriteInvocation(runW.Invocations, &recs[i]); err != nil {
					return err
				}
			}
			return tables.WriteDAGRunFields(runW.DAGs, &d)
		}
		invsPath, dagsPath := runW.Paths()
		written = []string{invsPath, dagsPath}
	}
	var serW *tables.Writer
	if series != "" {
		if serW, err = tables.Create(series, tables.SeriesSchema, meta); err != nil {
			return r, nil, err
		}
		defer serW.Abort()
		opt.OnSeries = func(s sim.SeriesRow) error {
			return tables.WriteSeriesRow(serW, s.Start, s.Running, s.Idle, s.IdleGBS)
		}
	}
	st, err := run(emit, opt)
	if err != nil {
		return r, nil, err
	}
	r = reportOf(sum.Summary(st))
	if r.Runs == 0 {
		return r, nil, fmt.Errorf("no DAG invocation in %s", source)
	}
	if runW != nil {
		if err := runW.Close(); err != nil {
			return r, nil, err
		}
	}
	if serW != nil {
		if err := serW.Close(); err != nil {
			return r, nil, err
		}
		written = append(written, series)
	}
	return r, written, nil
}

// reportOf is what simulate prints of summary s.
func reportOf(s sim.Summary) simulateReport {
	r := simulateReport{Runs: s.Runs, P50: s.P50S, P95: s.P95S, P99: s.P99S, MeanLatency: s.MeanLatencyS, MeanCost: s.MeanCost,
		ColdStartFraction: s.ColdStartFraction, MeanLiveVMs: s.MeanLiveVMs, PeakLiveVMs: s.PeakLiveVMs, Events: s.Events,
		Rejected: s.Rejected, Retries: s.Retries, TimedOut: s.TimedOut,
		MeanRunningVMs: s.MeanRunningVMs, MeanIdleVMs: s.MeanIdleVMs, MeanLifespanS: s.MeanLifespanS, IdleGBS: s.IdleGBS}
	if s.Runs > 0 {
		r.RejectFraction = float64(s.Rejected) / float64(s.Runs)
		r.TimedOutFraction = float64(s.TimedOut) / float64(s.Runs)
	}
	return r
}

// simulateExact is how many latencies simulate's percentiles are exact over (8 MB of them);
// past it they come from DDSketch, within 1% (internal/sketch). 10^6 runs of video take about a
// minute, so most simulations stay exact.
const simulateExact = 1 << 20

// arrivalSource turns --arrivals into a replay's source of arrivals, in time order, their mean
// rate per second, the time of the last (for Poisson arrivals, the duration) and how many there
// are (for Poisson arrivals, the expected count).
func arrivalSource(spec string, duration float64, seed uint64, stderr io.Writer) (next func(*sim.Arrival) (bool, error), rate, last, count float64, err error) {
	rate, poisson, err := parsePoisson(spec, duration)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	i := int64(0)
	if poisson {
		// sim.PoissonArrivals' draws, one at a time.
		rng := rand.New(rand.NewPCG(seed, 0))
		t := rng.ExpFloat64() / rate
		return func(a *sim.Arrival) (bool, error) {
			if t >= duration {
				if i == 0 {
					return false, fmt.Errorf("poisson:%v over %v s produced no arrival; raise the rate or the duration", rate, duration)
				}
				return false, nil
			}
			*a = sim.Arrival{Time: t, ID: i}
			i++
			t += rng.ExpFloat64() / rate
			return true, nil
		}, rate, duration, rate * duration, nil
	}
	if !strings.EqualFold(filepath.Ext(spec), ".csv") {
		return nil, 0, 0, 0, usagef("--arrivals %q: want poisson:RATE or a .csv file", spec)
	}
	times, err := readArrivalsCSV(spec, stderr)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	if n := len(times); n > 1 && times[n-1] > times[0] {
		rate = float64(n) / (times[n-1] - times[0])
	}
	return func(a *sim.Arrival) (bool, error) {
		if i == int64(len(times)) {
			return false, nil
		}
		*a = sim.Arrival{Time: times[i], ID: i}
		i++
		return true, nil
	}, rate, times[len(times)-1], float64(len(times)), nil
}

// seriesWarning warns of a --series of more than seriesRowsWarn rows: an interval of 10^-6 s over
// a few minutes of arrivals wrote gigabytes without a word. last is the last
// arrival's time; the simulation runs on past it until its DAG invocations end, so this is the
// fewest rows the series will have.
func seriesWarning(series string, interval, last float64) string {
	rows := last / interval
	if rows <= seriesRowsWarn || rows > sim.MaxSeriesRows {
		return "" // seriesLimit refuses it
	}
	return fmt.Sprintf("--series %s: --series-interval %g s over %g s of arrivals writes at least %.3g rows (about %s as CSV); a coarser interval writes fewer",
		series, interval, last, rows, humanBytes(int64(min(rows*seriesCSVRowBytes, math.MaxInt64/2))))
}

// recordsWarning warns of an --out table of function invocations past recordsWarnBytes, given its
// expected rows: --runs 10^9 of video writes 6 x 10^10 rows, about 11 TB as CSV, which the
// simulation now streams without holding them, and so without the memory refusal that once
// stopped it.
func recordsWarning(out string, rows float64) string {
	if out == "" {
		return ""
	}
	perRow := recordCSVRowBytes
	format := "CSV"
	if f, _ := tables.FormatOf(out); f == tables.Parquet {
		perRow, format = recordParquetRowBytes, "Parquet"
	}
	if rows*perRow <= recordsWarnBytes {
		return ""
	}
	return fmt.Sprintf("--out %s: about %.3g function invocation rows, about %s as %s; fewer runs, or no --out, write less",
		out, rows, humanBytes(int64(min(rows*perRow, math.MaxInt64/2))), format)
}

// recordsWarnBytes is the --out table size past which simulate warns (10 GB).
const recordsWarnBytes = 10e9

// recordCSVRowBytes and recordParquetRowBytes are about what a function invocation row takes.
// Measured: video at 2,048 MB, 2,000 runs (124,000 rows): 22.6 MB as CSV, 4.3 MB as Parquet.
const (
	recordCSVRowBytes     = 182.0
	recordParquetRowBytes = 35.0
)

// seriesLimit refuses, before the run, a --series that must pass sim.MaxSeriesRows by the last
// arrival: the simulation refused it only when it got there, 45 s and 10^8 rows (6 GB of CSV)
// later.
func seriesLimit(interval, last float64) error {
	if rows := last / interval; rows > sim.MaxSeriesRows {
		// 10% above the bare minimum: the simulation runs on past the last arrival.
		return usagef("--series-interval %g: arrivals up to %g s make about %.3g rows of --series, past the limit %d (sim.MaxSeriesRows); raise the interval to %.3g s or more",
			interval, last, rows, int64(sim.MaxSeriesRows), 1.1*last/sim.MaxSeriesRows)
	}
	return nil
}

// seriesRowsWarn is the --series rows past which simulate warns: 10^7 rows are about 0.6 GB of
// CSV (seriesCSVRowBytes) or 70 MB of Parquet, a year of arrivals at 3-second intervals.
const seriesRowsWarn = 1e7

// seriesCSVRowBytes is about what a --series row takes as CSV: four numbers, most of them written
// to 17 significant digits. Measured: chatbot, poisson:1 for 100 s at 1 ms intervals, 125,325
// rows in 7.8 MB (62 bytes a row); as Parquet, 10^4 s at 0.1 ms, 85 MB (7 bytes a row).
const seriesCSVRowBytes = 62
