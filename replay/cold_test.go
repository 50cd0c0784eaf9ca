package replay

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/policy"
	"github.com/wisefuse/wisefuse/tables"
	"github.com/wisefuse/wisefuse/traces"
)

// TestColdAware: each DAG's cold share is the share of its invocations that come at least the
// keep-alive after its previous one (counted here from the trace's lines); WiseFuse's SLO runs
// and profiles then start cold that often, so a DAG that mostly runs cold gets a later target
// from its User-Max runs; the summary and the DAG table say so, a merge with a warm-planned shard
// is refused, and so are the hybrid keep-alive, whose windows are per DAG, and another policy.
func TestColdAware(t *testing.T) {
	dir := t.TempDir()
	trace, catalog, lines := csvTrace(t, dir, 8, 400)
	head := strings.Split(lines[0], ",")
	dagCol, arrCol := slices.Index(head, "dag_id"), slices.Index(head, "arrival_s")
	keep := platform.Default().KeepAlive
	last, n, cold := map[string]float64{}, map[string]int{}, map[string]int{}
	for _, l := range lines[1:] {
		id := field(l, dagCol)
		at, err := strconv.ParseFloat(field(l, arrCol), 64)
		if err != nil {
			t.Fatal(err)
		}
		if n[id] == 0 || at-last[id] >= keep {
			cold[id]++
		}
		n[id]++
		last[id] = at
	}
	entries, err := traces.ReadCatalog(catalog)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Trace: trace, Out: filepath.Join(dir, "out"), Policy: policy.WiseFuse, ColdAware: true, Seed: 1}
	if err := cfg.defaults(); err != nil {
		t.Fatal(err)
	}
	shares, err := coldShares(&cfg, entries, entries, catalog)
	if err != nil {
		t.Fatal(err)
	}
	mostlyCold := 0
	for i, e := range entries {
		want := 0.0
		if n[e.DAG] > 0 {
			want = float64(cold[e.DAG]) / float64(n[e.DAG])
		}
		if shares[i] != want {
			t.Errorf("DAG %s: cold share %v, want %v (%d of %d invocations after the keep-alive)", e.DAG, shares[i], want, cold[e.DAG], n[e.DAG])
		}
		if want > 0.5 {
			mostlyCold++
		}
	}
	if mostlyCold == 0 || mostlyCold == len(entries) {
		t.Fatalf("%d of %d DAGs mostly cold: the trace does not tell warm from cold planning", mostlyCold, len(entries))
	}
	warmPlans, err := planAll(&cfg, entries, nil)
	if err != nil {
		t.Fatal(err)
	}
	coldPlans, err := planAll(&cfg, entries, shares)
	if err != nil {
		t.Fatal(err)
	}
	for i := range entries {
		w, c := warmPlans[i], coldPlans[i]
		if shares[i] > 0.5 && !(c.userMaxP95 > w.userMaxP95) {
			t.Errorf("DAG %s, cold share %.2f: User-Max P95 %v s planned cold, %v s warm; want it later cold", entries[i].DAG, shares[i], c.userMaxP95, w.userMaxP95)
		}
		if shares[i] == 0 && c.userMaxP95 != w.userMaxP95 {
			t.Errorf("DAG %s, never cold: User-Max P95 %v s, warm %v s; want the same", entries[i].DAG, c.userMaxP95, w.userMaxP95)
		}
	}
	// End to end, and against a shard planned warm.
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if s := run(t, Config{Trace: trace, Out: a, Policy: policy.WiseFuse, ColdAware: true, Shard: 0, Shards: 2}); !s.ColdAware {
		t.Error("summary of a cold-aware replay: cold_aware not set")
	}
	// The DAG table gives each DAG the share it was planned with.
	r, err := tables.Open(filepath.Join(a, DAGsFile), DAGSchema)
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for r.Next() {
		id, got := r.String(DAGSchema.Index("dag_id")), r.Float(DAGSchema.Index("cold_share"))
		if i := slices.IndexFunc(entries, func(e traces.CatalogEntry) bool { return e.DAG == id }); i < 0 || got != shares[i] {
			t.Errorf("dags.parquet: DAG %s planned at cold share %v, want its share of the trace", id, got)
		}
		rows++
	}
	if err := r.Err(); err != nil || rows == 0 {
		t.Fatalf("dags.parquet: %d rows, %v", rows, err)
	}
	r.Close()
	run(t, Config{Trace: trace, Out: b, Policy: policy.WiseFuse, Shard: 1, Shards: 2})
	if _, err := Merge(filepath.Join(dir, "m"), []string{a, b}); err == nil || !strings.Contains(err.Error(), "--cold-aware") {
		t.Errorf("merge of cold-aware and warm shards: %v, want an error naming --cold-aware", err)
	}
	hybrid := platform.Default()
	hybrid.KeepAlivePolicy = platform.KeepAliveHybrid
	if _, err := Run(Config{Trace: trace, Out: filepath.Join(dir, "h"), Policy: policy.WiseFuse, ColdAware: true, Platform: hybrid}); err == nil || !strings.Contains(err.Error(), "keep_alive_policy") {
		t.Errorf("cold-aware under the hybrid keep-alive: %v, want it refused", err)
	}
	if _, err := Run(Config{Trace: trace, Out: filepath.Join(dir, "u"), ColdAware: true}); err == nil || !strings.Contains(err.Error(), "user-max plans from neither") {
		t.Errorf("cold-aware User-Max: %v, want it refused", err)
	}
}
