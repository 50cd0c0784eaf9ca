package replay

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/wisefuse/wisefuse/internal/atomicfile"
	"github.com/wisefuse/wisefuse/internal/jsonpos"
	"github.com/wisefuse/wisefuse/internal/sketch"
	"github.com/wisefuse/wisefuse/records"
	"github.com/wisefuse/wisefuse/sim"
	"github.com/wisefuse/wisefuse/tables"
)

// A replay writes three files into its output folder (docs/traces.md, "Replay"):
//
//	invocations.parquet  one row per DAG invocation, in the order they finish
//	dags.parquet         one row per DAG with at least one invocation, by dag_id
//	summary.json         the whole replay; written last, so a folder without it is incomplete
//
// The tables go in through temporary files renamed into place; summary.json is removed first
// and written after both, so readers (and `trace merge`) never mix the tables of two replays.
const (
	InvocationsFile = "invocations.parquet"
	DAGsFile        = "dags.parquet"
	SummaryFile     = "summary.json"
	FunctionsFile   = "functions.parquet" // only with Config.FunctionRows
	SeriesFile      = "series.parquet"    // only with Config.SeriesInterval (tables.SeriesSchema)
)

// FunctionSchema is one row per function invocation (Config.FunctionRows): the DAG, then the
// simulator's function-invocation record (tables.InvocationSchema) with its run as the trace's
// invocation id.
var FunctionSchema = append(tables.Schema{{Name: "dag_id", Type: tables.String}, {Name: "invocation_id", Type: tables.Int64}},
	tables.InvocationSchema[1:]...)

// InvocationSchema is one row per replayed DAG invocation. Its ids, times and costs are mostly
// distinct values, written without a dictionary (tables.Column.Plain).
var InvocationSchema = tables.Schema{
	{Name: "dag_id", Type: tables.String},
	{Name: "invocation_id", Type: tables.Int64, Plain: true},
	{Name: "arrival_s", Type: tables.Float64, Plain: true},
	{Name: "end_s", Type: tables.Float64, Plain: true},
	{Name: "latency_s", Type: tables.Float64, Plain: true},
	{Name: "cost_usd", Type: tables.Float64, Plain: true},
	{Name: "function_invocations", Type: tables.Int64},
	{Name: "cold_starts", Type: tables.Int64},
	{Name: "throttled", Type: tables.Int64}, // VM acquisitions that waited for the concurrency limit
	{Name: "timed_out", Type: tables.Bool},  // a VM invocation was stopped at the function timeout
	{Name: "rejected", Type: tables.Bool},   // failed at the concurrency limit (at_concurrency_limit reject or retry)
	{Name: "retries", Type: tables.Int64},   // its VM acquisitions retried at the concurrency limit
}

// DAGSchema is one row per DAG.
var DAGSchema = tables.Schema{
	{Name: "dag_id", Type: tables.String},
	{Name: "policy", Type: tables.String},
	{Name: "slo_s", Type: tables.Float64, Nullable: true},           // the target the policy was given; null: none
	{Name: "user_max_p95_s", Type: tables.Float64, Nullable: true},  // what slo_s was derived from; null: not measured
	{Name: "predicted_p95_s", Type: tables.Float64, Nullable: true}, // WiseFuse's prediction; null for other policies
	{Name: "note", Type: tables.String},                             // why the DAG ran User-Max instead; "" if not
	{Name: "dag_invocations", Type: tables.Int64},
	{Name: "function_invocations", Type: tables.Int64},
	{Name: "cold_starts", Type: tables.Int64},
	{Name: "throttled_invocations", Type: tables.Int64}, // DAG invocations with a throttled acquisition
	{Name: "timed_out", Type: tables.Int64},
	{Name: "p50_s", Type: tables.Float64},
	{Name: "p95_s", Type: tables.Float64},
	{Name: "p99_s", Type: tables.Float64},
	{Name: "mean_latency_s", Type: tables.Float64},
	{Name: "latency_sum_s", Type: tables.Float64}, // for exact sums across shards
	{Name: "cost_usd", Type: tables.Float64},
	{Name: "planning_runs", Type: tables.Int64},
	{Name: "plan", Type: tables.String},
	{Name: "latency_sketch", Type: tables.String}, // internal/sketch's Encode: exact values, or a DDSketch, base64
	{Name: "rejected", Type: tables.Int64},        // DAG invocations that failed at the concurrency limit
	{Name: "retries", Type: tables.Int64},         // VM acquisitions retried at the concurrency limit
	{Name: "cold_share", Type: tables.Float64},    // of its planning runs, those that started cold (--cold-aware; 0: all warm)
}

// Summary is summary.json: the whole replay. Latencies are seconds, costs USD.
type Summary struct {
	Trace    string `json:"trace"`
	Policy   string `json:"policy"`
	Platform string `json:"platform"`
	Seed     uint64 `json:"seed"`
	// TraceDigest and PlatformDigest are the SHA-256 of the trace's and its catalog's bytes and
	// of the platform's settings (inputDigests), which `trace merge` compares across shards.
	TraceDigest    string `json:"trace_digest"`
	PlatformDigest string `json:"platform_digest"`
	// Shards is how many shards the DAGs were split into and ShardsIncluded which of them this
	// summary covers (all of them after `trace merge`).
	Shards         int     `json:"shards"`
	ShardsIncluded []int   `json:"shards_included"`
	From           float64 `json:"from_s"`
	To             float64 `json:"to_s"` // 0: the end of the trace
	SLO            float64 `json:"slo_s"`
	SLOFactor      float64 `json:"slo_factor"`
	// ColdAware says each DAG was planned from runs cold as often as it runs cold (Config.ColdAware).
	ColdAware bool `json:"cold_aware,omitempty"`

	DAGs                int64   `json:"dags"`         // DAGs planned (this shard's part of the catalog)
	DAGsInvoked         int64   `json:"dags_invoked"` // of them, invoked in the window
	FallbackDAGs        int64   `json:"fallback_dags"`
	DAGInvocations      int64   `json:"dag_invocations"`
	FunctionInvocations int64   `json:"function_invocations"`
	P50                 float64 `json:"p50_s"`
	P95                 float64 `json:"p95_s"`
	P99                 float64 `json:"p99_s"`
	MeanLatency         float64 `json:"mean_latency_s"`
	TotalCost           float64 `json:"total_cost_usd"`
	ColdStarts          int64   `json:"cold_starts"`
	ColdStartFraction   float64 `json:"cold_start_fraction"` // of function invocations
	Throttled           int64   `json:"throttled"`           // DAG invocations that waited for the concurrency limit
	ThrottledFraction   float64 `json:"throttled_fraction"`
	TimedOut            int64   `json:"timed_out"` // DAG invocations failed at the function timeout
	// Rejected counts DAG invocations that failed at the concurrency limit (at_concurrency_limit
	// "reject", or "retry" after its last attempt), RejectFraction their share of DAG invocations,
	// Retries the VM acquisitions retried ("retry").
	Rejected       int64   `json:"rejected"`
	RejectFraction float64 `json:"reject_fraction"`
	Retries        int64   `json:"retries"`
	// SLOMetFraction is the share of DAG invocations whose DAG's replayed P95 met its target
	// (DAGs with a target only; 0 when none has one).
	SLOMetFraction float64 `json:"slo_met_fraction"`
	PlanningRuns   int64   `json:"planning_runs"` // simulated DAG runs spent planning
	Events         int64   `json:"events"`
	PeakLive       int     `json:"peak_live_instances"`
	// Instances: time-averages of running and idle VMs over the replay, a VM's mean lifespan,
	// the memory-time idle warm VMs held (GB-s), and the VMs created. After `trace merge` the
	// means are sums over shards (each over its own span) and the lifespan is weighted by VMs.
	MeanRunning   float64 `json:"mean_running_instances"`
	MeanIdle      float64 `json:"mean_idle_instances"`
	MeanLife      float64 `json:"mean_instance_lifespan_s"`
	IdleGBS       float64 `json:"idle_gb_s"`
	Instances     int64   `json:"instances"`
	PlanWall      float64 `json:"plan_wall_s"`
	Wall          float64 `json:"wall_s"` // planning included
	LatencySketch string  `json:"latency_sketch"`
	// Files lists the tables this summary belongs to, with their rows, so a reader can tell a
	// folder whose files were mixed.
	Files map[string]int64 `json:"files"`
	// CatalogMismatch, when not empty, says that CatalogMismatchDAGs DAGs were replayed more or
	// fewer times than the catalog counts (a replay of the whole trace only): the catalog
	// describes another trace of the same DAGs (catalogMismatch).
	CatalogMismatch     string `json:"catalog_mismatch,omitempty"`
	CatalogMismatchDAGs int64  `json:"catalog_mismatch_dags,omitempty"`
}

// dagStats accumulates one DAG's replayed invocations.
type dagStats struct {
	n, fns, colds, throttled, timedOut int64
	rejected, retries                  int64
	cost, latSum                       float64
	lat                                sketch.Sketch
}

// outputs owns the output folder's files while a replay writes them.
type outputs struct {
	dir    string
	made   *atomicfile.MadeDirs // the folders createOutputs made: an aborted replay removes them again
	invs   *tables.Writer
	fns    *tables.Writer // nil unless Config.FunctionRows
	series *tables.Writer // nil unless Config.SeriesInterval
	dags   []dagStats
	done   bool // finish succeeded
	meta   tables.Options
}

// outputMetadata is the provenance of a replay's tables: cfg.Metadata with what the replay ran,
// its inputs' digests included (each table says which replay it is from: `trace merge` checks).
func outputMetadata(cfg Config, traceDigest, platformDigest string) tables.Options {
	m := maps.Clone(cfg.Metadata)
	if m == nil {
		m = map[string]string{}
	}
	m["trace"] = cfg.Trace
	m["trace_digest"], m["platform_digest"] = traceDigest, platformDigest
	m["policy"] = cfg.Policy
	m["platform"] = cfg.PlatformName
	m["seed"] = strconv.FormatUint(cfg.Seed, 10)
	if cfg.Shards > 1 {
		m["shard"] = fmt.Sprintf("%d/%d", cfg.Shard, cfg.Shards)
	}
	return tables.Options{Metadata: m}
}

func createOutputs(dir string, nDAGs int, functionRows, series bool, meta tables.Options) (*outputs, error) {
	made, err := atomicfile.MakeDir(dir)
	if err != nil {
		return nil, err
	}
	w, err := tables.Create(filepath.Join(dir, InvocationsFile), InvocationSchema, meta)
	if err != nil {
		made.Remove()
		return nil, err
	}
	o := &outputs{dir: dir, made: made, invs: w, dags: make([]dagStats, nDAGs), meta: meta}
	if functionRows {
		if o.fns, err = tables.Create(filepath.Join(dir, FunctionsFile), FunctionSchema, meta); err != nil {
			w.Abort()
			return nil, err
		}
	}
	if series {
		if o.series, err = tables.Create(filepath.Join(dir, SeriesFile), tables.SeriesSchema, meta); err != nil {
			o.abort()
			return nil, err
		}
	}
	for i := range o.dags {
		o.dags[i].lat = sketch.New()
	}
	return o, nil
}

// abort discards what was written; after finish it does nothing.
func (o *outputs) abort() {
	if !o.done {
		o.invs.Abort()
		if o.fns != nil {
			o.fns.Abort()
		}
		if o.series != nil {
			o.series.Abort()
		}
		o.made.Remove() // the folders createOutputs made, if empty
	}
}

// write writes a batch of the simulation's output (pipe.go) in the order the simulation produced
// it: each function record and series row after the first `at` outcomes of the batch.
func (o *outputs) write(plans []dagPlan, b *outBatch) error {
	f, s := 0, 0
	for i := 0; i <= len(b.outs); i++ {
		for ; f < len(b.fns) && b.fns[f].at == i; f++ {
			r := &b.fns[f]
			if err := o.addFunction(plans[r.dag].entry.DAG, r.id, &r.rec); err != nil {
				return err
			}
		}
		for ; s < len(b.series) && b.series[s].at == i; s++ {
			r := &b.series[s].row
			if err := tables.WriteSeriesRow(o.series, r.Start, r.Running, r.Idle, r.IdleGBS); err != nil {
				return err
			}
		}
		if i < len(b.outs) {
			if err := o.add(plans, &b.outs[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// add records one finished DAG invocation.
func (o *outputs) add(plans []dagPlan, r *sim.Outcome) error {
	lat := r.End - r.Arrival
	d := &o.dags[r.DAG]
	d.n++
	d.fns += int64(r.Invocations)
	d.colds += int64(r.ColdStarts)
	if r.Throttled > 0 {
		d.throttled++
	}
	if r.TimedOut {
		d.timedOut++
	}
	if r.Rejected {
		d.rejected++
	}
	d.retries += int64(r.Retries)
	d.cost += r.Cost
	d.latSum += lat
	d.lat.Add(lat)
	w := o.invs
	w.String(plans[r.DAG].entry.DAG)
	w.Int(r.ID)
	w.Float(r.Arrival)
	w.Float(r.End)
	w.Float(lat)
	w.Float(r.Cost)
	w.Int(int64(r.Invocations))
	w.Int(int64(r.ColdStarts))
	w.Int(int64(r.Throttled))
	w.Bool(r.TimedOut)
	w.Bool(r.Rejected)
	w.Int(int64(r.Retries))
	return w.EndRow()
}

// addFunction records one function invocation of DAG invocation id of DAG dag.
func (o *outputs) addFunction(dag string, id int64, r *records.Invocation) error {
	w := o.fns
	w.String(dag)
	w.Int(id)
	tables.WriteInvocationFields(w, r)
	return w.EndRow()
}

// dagRow is one row of the DAG table.
type dagRow struct {
	id, policy, note, plan, latSketch        string
	slo, userMaxP95, predP95                 float64
	n, fns, colds, throttled, timedOut, runs int64
	rejected, retries                        int64
	p50, p95, p99, meanLat, latSum, cost     float64
	coldShare                                float64
}

func writeDAGRow(w *tables.Writer, r *dagRow) error {
	w.String(r.id)
	w.String(r.policy)
	w.FloatOrNull(r.slo)
	w.FloatOrNull(r.userMaxP95)
	w.FloatOrNull(r.predP95)
	w.String(r.note)
	w.Int(r.n)
	w.Int(r.fns)
	w.Int(r.colds)
	w.Int(r.throttled)
	w.Int(r.timedOut)
	w.Float(r.p50)
	w.Float(r.p95)
	w.Float(r.p99)
	w.Float(r.meanLat)
	w.Float(r.latSum)
	w.Float(r.cost)
	w.Int(r.runs)
	w.String(r.plan)
	w.String(r.latSketch)
	w.Int(r.rejected)
	w.Int(r.retries)
	w.Float(r.coldShare)
	return w.EndRow()
}

// finish writes the DAG table and the summary, and commits the files: the old summary goes
// first, the new one last. plans are in dag_id order.
func (o *outputs) finish(plans []dagPlan, s *Summary, policy string) error {
	summaryPath := filepath.Join(o.dir, SummaryFile)
	dw, err := tables.Create(filepath.Join(o.dir, DAGsFile), DAGSchema, o.meta)
	if err != nil {
		return err
	}
	defer dw.Abort()
	t := newTotals(s)
	for i := range plans {
		p, d := &plans[i], &o.dags[i]
		s.PlanningRuns += p.simRuns
		if p.note != "" {
			s.FallbackDAGs++
		}
		if d.n == 0 {
			continue
		}
		planJSON, err := json.Marshal(p.plan)
		if err != nil {
			return err
		}
		row := dagRow{id: p.entry.DAG, policy: policy, note: p.note, plan: string(planJSON), latSketch: d.lat.Encode(),
			slo: p.slo, userMaxP95: p.userMaxP95, predP95: p.predP95, n: d.n, fns: d.fns, colds: d.colds,
			throttled: d.throttled, timedOut: d.timedOut, runs: p.simRuns, rejected: d.rejected, retries: d.retries,
			p50: d.lat.Quantile(0.50), p95: d.lat.Quantile(0.95), p99: d.lat.Quantile(0.99),
			meanLat: d.latSum / float64(d.n), latSum: d.latSum, cost: d.cost, coldShare: p.coldShare}
		if err := writeDAGRow(dw, &row); err != nil {
			return err
		}
		if err := t.add(&row, d.lat); err != nil {
			return err
		}
	}
	if err := t.done(); err != nil {
		return err
	}
	s.Files = map[string]int64{InvocationsFile: o.invs.Rows(), DAGsFile: dw.Rows()}
	if o.fns != nil {
		s.Files[FunctionsFile] = o.fns.Rows()
		if err := o.fns.Close(); err != nil {
			return err
		}
	}
	if o.series != nil {
		s.Files[SeriesFile] = o.series.Rows()
		if err := o.series.Close(); err != nil {
			return err
		}
	}
	if err := os.Remove(summaryPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := o.invs.Close(); err != nil {
		return err
	}
	if err := dw.Close(); err != nil {
		return err
	}
	if err := removeStale(o.dir, s.Files); err != nil {
		return err
	}
	if err := writeSummary(summaryPath, s); err != nil {
		return err
	}
	o.made.Keep()
	o.done = true
	return nil
}

// staleOutputs are the files of an output folder that only some replays write: the function
// and series tables, and the series' pictures `trace replay --series-interval` draws beside them.
var staleOutputs = map[string]string{FunctionsFile: FunctionsFile, SeriesFile: SeriesFile, "series.png": SeriesFile, "series.svg": SeriesFile}

// removeStale removes from dir the optional outputs of an earlier replay (or merge) that this
// one, whose tables are written, does not write: a folder used again kept the seed-1 replay's
// functions.parquet and series pictures beside the seed-2 summary. It runs with the summary
// removed, before the new one is written.
func removeStale(dir string, written map[string]int64) error {
	for _, name := range slices.Sorted(maps.Keys(staleOutputs)) {
		if _, ok := written[staleOutputs[name]]; ok {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// totals sums DAG rows into a summary, in dag_id order, so that the sums do not depend on how
// the DAGs were sharded: a replay and `trace merge` of its shards use it alike.
type totals struct {
	s            *Summary
	lat          sketch.Sketch
	sloMet, sloN int64
}

func newTotals(s *Summary) *totals { return &totals{s: s, lat: sketch.New()} }

func (t *totals) add(r *dagRow, lat sketch.Sketch) error {
	s := t.s
	s.DAGsInvoked++
	s.DAGInvocations += r.n
	s.FunctionInvocations += r.fns
	s.ColdStarts += r.colds
	s.Throttled += r.throttled
	s.TimedOut += r.timedOut
	s.Rejected += r.rejected
	s.Retries += r.retries
	s.TotalCost += r.cost
	s.MeanLatency += r.latSum // divided in done
	if r.slo > 0 {
		t.sloN += r.n
		if r.p95 <= r.slo {
			t.sloMet += r.n
		}
	}
	return t.lat.Merge(lat)
}

// done turns the sums into means, fractions and quantiles.
func (t *totals) done() error {
	s := t.s
	if s.DAGInvocations == 0 && s.Shards > 1 {
		// A shard without invocations (none of its DAGs, or none in the window): its summary
		// counts nothing and its latencies are 0, and merge adds it as nothing.
		s.LatencySketch = t.lat.Encode()
		return nil
	}
	if s.DAGInvocations == 0 {
		// Say what selected nothing: a trace of a header line alone was "no DAG invocation of
		// this shard is in the time window", with neither a shard nor a window given.
		var sel []string
		if s.Shards > 1 {
			sel = append(sel, fmt.Sprintf("in shard %v of %d", s.ShardsIncluded, s.Shards))
		}
		if s.From > 0 || s.To > 0 {
			to := "the end"
			if s.To > 0 {
				to = fmt.Sprintf("%g s", s.To)
			}
			sel = append(sel, fmt.Sprintf("in the window from %g s to %s", s.From, to))
		}
		if len(sel) == 0 {
			return fmt.Errorf("replay: %s has no DAG invocation", s.Trace)
		}
		return fmt.Errorf("replay: no DAG invocation of %s is %s", s.Trace, strings.Join(sel, " and "))
	}
	s.MeanLatency /= float64(s.DAGInvocations)
	s.P50, s.P95, s.P99 = t.lat.Quantile(0.50), t.lat.Quantile(0.95), t.lat.Quantile(0.99)
	s.ColdStartFraction = float64(s.ColdStarts) / math.Max(1, float64(s.FunctionInvocations))
	s.ThrottledFraction = float64(s.Throttled) / float64(s.DAGInvocations)
	s.RejectFraction = float64(s.Rejected) / float64(s.DAGInvocations)
	if t.sloN > 0 {
		s.SLOMetFraction = float64(t.sloMet) / float64(t.sloN)
	}
	s.LatencySketch = t.lat.Encode()
	return nil
}

func writeSummary(path string, s *Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("replay: summary: %w", err)
	}
	return atomicfile.WriteBytes(path, append(b, '\n'))
}

// ReadSummary reads a replay's summary.json strictly (jsonpos: the line and column of a value
// that does not fit, a repeated or unknown key, data after the object) and checks the shards it
// covers, which a merge counts on: a hand-edited "shards": 1000000000000 made the merge list the
// missing shards until it ran out of memory, and a shard number out of range was merged.
func ReadSummary(path string) (*Summary, error) {
	b, err := jsonpos.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Summary
	if err := jsonpos.Decode(b, &s, jsonpos.Options{Strict: true}); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if field, msg := s.checkShards(); msg != "" {
		if line := jsonpos.LineOf(jsonpos.Positions(b), field); line > 0 {
			return nil, fmt.Errorf("%s: line %d: %s", path, line, msg)
		}
		return nil, fmt.Errorf("%s: %s", path, msg)
	}
	return &s, nil
}

// checkShards returns the field (its JSON path) of a summary whose shards are not a replay's, and
// why: shards >= 1, and shards_included distinct shard numbers 0..shards-1, at least one.
func (s *Summary) checkShards() (field, msg string) {
	if s.Shards < 1 {
		return "shards", fmt.Sprintf("shards = %d, want >= 1 (1: a replay of the whole trace)", s.Shards)
	}
	if len(s.ShardsIncluded) == 0 {
		return "shards_included", "shards_included is empty, want the shards the replay covers"
	}
	seen := make(map[int]bool, len(s.ShardsIncluded))
	for i, k := range s.ShardsIncluded {
		at := fmt.Sprintf("shards_included[%d]", i)
		if k < 0 || k >= s.Shards {
			return at, fmt.Sprintf("%s = %d, want a shard 0..%d of shards = %d", at, k, s.Shards-1, s.Shards)
		}
		if seen[k] {
			return at, fmt.Sprintf("%s = %d, listed twice", at, k)
		}
		seen[k] = true
	}
	return "", ""
}
