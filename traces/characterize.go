package traces

import (
	"cmp"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/wisefuse/wisefuse/tables"
)

// Thresholds of the WiseFuse characterization (POMACS 2022, Section 2): DAGs with at least 1 MB
// of intermediate data had 9.5x, and DAGs with skew of at least 100 had 17x, the median latency
// of the others.
const (
	LargeDataBytes = 1_000_000
	HighSkew       = 100
)

// Characterization is what one pass over a DAG-invocation table learns: popularity, structure
// and latency by data size and skew. It holds counts per DAG and per structure value and
// fixed-size latency sketches, so its memory does not grow with the trace's length.
type Characterization struct {
	Invocations  int64
	First, Last  float64 // earliest and latest arrival, seconds
	perDAG       map[string]int64
	width, depth map[int]int64
	nodes        map[int]int64
	latency      [4]*logSketch // by group, see the group constants
	all          *logSketch
	unknownData  int64
	dataSketch   *logSketch
	skewSketch   *logSketch
	source       string // the file CharacterizeFile read; WriteTables never writes onto it
}

// Latency groups.
const (
	smallData = iota
	largeData
	lowSkew
	highSkew
)

var groupNames = [4]string{"data < 1 MB", "data >= 1 MB", "skew < 100", "skew >= 100"}

// NewCharacterization returns an empty characterization; Add rows to it.
func NewCharacterization() *Characterization {
	c := &Characterization{perDAG: map[string]int64{}, width: map[int]int64{}, depth: map[int]int64{}, nodes: map[int]int64{},
		all: newLogSketch(), dataSketch: newLogSketch(), skewSketch: newLogSketch(), First: math.Inf(1), Last: math.Inf(-1)}
	for i := range c.latency {
		c.latency[i] = newLogSketch()
	}
	return c
}

// Add accounts for one DAG invocation.
func (c *Characterization) Add(r *DAGInvocation) {
	c.Invocations++
	c.First, c.Last = math.Min(c.First, r.Arrival), math.Max(c.Last, r.Arrival)
	c.perDAG[r.DAG]++
	c.width[r.Width]++
	c.depth[r.Depth]++
	c.nodes[r.Nodes]++
	c.all.add(r.Latency)
	switch {
	case r.DataBytes < 0:
		c.unknownData++
	case r.DataBytes >= LargeDataBytes:
		c.latency[largeData].add(r.Latency)
		c.dataSketch.add(float64(r.DataBytes))
	default:
		c.latency[smallData].add(r.Latency)
		c.dataSketch.add(float64(r.DataBytes))
	}
	c.skewSketch.add(r.Skew)
	if r.Skew >= HighSkew {
		c.latency[highSkew].add(r.Latency)
	} else {
		c.latency[lowSkew].add(r.Latency)
	}
}

// CharacterizeFile streams a DAG-invocation table (CSV or Parquet) into a Characterization.
func CharacterizeFile(path string, opts ...tables.Options) (*Characterization, error) {
	r, err := OpenDAGTable(path, opts...)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	c := NewCharacterization()
	c.source = path
	for r.Next() {
		c.Add(r.Row())
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if c.Invocations == 0 {
		return nil, fmt.Errorf("%s: no DAG invocations", path)
	}
	return c, nil
}

// Days is the trace's span in days (at least one second's worth).
func (c *Characterization) Days() float64 {
	return math.Max(c.Last-c.First, 1) / day
}

// Popularity returns the invocation count of every DAG, most popular first (ties by id).
func (c *Characterization) Popularity() []DAGCount {
	out := make([]DAGCount, 0, len(c.perDAG))
	for id, n := range c.perDAG {
		out = append(out, DAGCount{id, n})
	}
	slices.SortFunc(out, func(a, b DAGCount) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return cmp.Compare(a.DAG, b.DAG)
	})
	return out
}

// DAGCount is a DAG's number of invocations.
type DAGCount struct {
	DAG   string
	Count int64
}

// TopShare returns the share of invocations made by the most popular fraction of DAGs (at least
// one DAG), and the invocations a day of the least popular DAG among them.
func (c *Characterization) TopShare(fraction float64) (share, minPerDay float64) {
	pop := c.Popularity()
	k := max(1, int(math.Round(fraction*float64(len(pop)))))
	var top int64
	for _, d := range pop[:k] {
		top += d.Count
	}
	return float64(top) / float64(c.Invocations), float64(pop[k-1].Count) / c.Days()
}

// Structure returns the trace's CDF of "width", "depth" or "nodes".
func (c *Characterization) Structure(name string) CDF {
	m := map[string]map[int]int64{"width": c.width, "depth": c.depth, "nodes": c.nodes}[name]
	counts := make(map[int]int, len(m))
	for k, v := range m {
		counts[k] = int(v)
	}
	return cdfFromCounts(counts)
}

// MedianLatency returns the median latency of a group (NaN when empty) and its size.
func (c *Characterization) MedianLatency(group int) (float64, int64) {
	return c.latency[group].quantile(0.5), c.latency[group].n
}

// Stat is one line of the statistics table.
type Stat struct {
	Name  string
	Value float64
	Note  string
}

// Published holds the reference structure CDFs the trace is compared with.
type Published struct{ Width, Depth, Nodes CDF }

// AzurePublished is the compact copy of the published Azure CDFs carried in the code.
var AzurePublished = Published{AzureWidth, AzureDepth, AzureNodes}

// Stats returns the statistics table: size, popularity, structure (with KS distances to ref),
// data and skew, and median latencies by group with the paper's ratios beside ours.
func (c *Characterization) Stats(ref Published) []Stat {
	share, minPerDay := c.TopShare(0.05)
	pop := c.Popularity()
	s := []Stat{
		{"invocations", float64(c.Invocations), "DAG invocations in the trace"},
		{"dags", float64(len(pop)), "distinct DAG ids"},
		{"days", c.Days(), "span of arrivals"},
		{"top5pct_share", share, "share of invocations by the top 5% DAGs (Azure: 0.95)"},
		{"top5pct_min_per_day", minPerDay, "invocations a day of the least popular top-5% DAG (Azure: >= 1600)"},
		{"largest_dag_share", float64(pop[0].Count) / float64(c.Invocations), "share of the most popular DAG"},
	}
	for _, m := range []struct {
		name string
		ref  CDF
	}{{"width", ref.Width}, {"depth", ref.Depth}, {"nodes", ref.Nodes}} {
		cdf := c.Structure(m.name)
		s = append(s,
			Stat{m.name + "_p50", float64(cdf.Quantile(0.5)), ""},
			Stat{m.name + "_p99", float64(cdf.Quantile(0.99)), ""},
			Stat{m.name + "_max", cdf.Values[len(cdf.Values)-1], ""},
			Stat{"ks_" + m.name, KSDistance(cdf, m.ref), "Kolmogorov-Smirnov distance to the published Azure CDF"})
	}
	s = append(s,
		Stat{"data_unknown_fraction", float64(c.unknownData) / float64(c.Invocations), "invocations without intermediate data size"},
		Stat{"data_bytes_p50", c.dataSketch.quantile(0.5), ""},
		Stat{"data_bytes_p99", c.dataSketch.quantile(0.99), ""},
		Stat{"skew_p50", c.skewSketch.quantile(0.5), ""},
		Stat{"skew_p99", c.skewSketch.quantile(0.99), ""},
		Stat{"skew_max", c.skewSketch.max, ""},
		Stat{"latency_p50_s", c.all.quantile(0.5), ""},
		Stat{"latency_p99_s", c.all.quantile(0.99), ""},
		Stat{"latency_max_s", c.all.max, ""},
	)
	for g, name := range []string{"small_data", "large_data", "low_skew", "high_skew"} {
		med, n := c.MedianLatency(g)
		s = append(s, Stat{"latency_p50_s_" + name, med, fmt.Sprintf("%s: %d invocations", groupNames[g], n)})
	}
	ratio := func(a, b int) float64 {
		x, _ := c.MedianLatency(a)
		y, _ := c.MedianLatency(b)
		return x / y
	}
	s = append(s,
		Stat{"median_latency_ratio_data", ratio(largeData, smallData), "data >= 1 MB vs < 1 MB (Azure: 9.5)"},
		Stat{"median_latency_ratio_skew", ratio(highSkew, lowSkew), "skew >= 100 vs < 100 (Azure: 17)"})
	return s
}

// statSchema is stats.csv's: a statistic that does not exist (the median of a group without
// invocations, a ratio to one) has a null value.
var statSchema = tables.Schema{{Name: "statistic", Type: tables.String}, {Name: "value", Type: tables.Float64, Nullable: true}, {Name: "note", Type: tables.String}}

// WriteTables writes the characterization's tables into dir: stats.csv, popularity.csv
// (rank, count, cumulative share), structure.csv (metric, value, trace and published CDF) and
// latency.csv (group, quantile, latency).
func (c *Characterization) WriteTables(dir string, ref Published, opts ...tables.Options) error {
	// A trace in dir under a table's name (`--in d/stats.csv --out d`) was replaced by the
	// table, silently; refused before any table is written.
	if in, err := os.Stat(c.source); c.source != "" && err == nil {
		for _, name := range []string{"stats.csv", "popularity.csv", "structure.csv", "latency.csv"} {
			if st, err := os.Stat(filepath.Join(dir, name)); err == nil && os.SameFile(in, st) {
				return fmt.Errorf("%s is the trace %s, and the characterization writes %s into %s: writing it would replace the trace; give another output folder",
					filepath.Join(dir, name), c.source, name, dir)
			}
		}
	}
	w, err := tables.Create(filepath.Join(dir, "stats.csv"), statSchema, opts...)
	if err != nil {
		return err
	}
	defer w.Abort()
	for _, s := range c.Stats(ref) {
		w.String(s.Name)
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			w.Null()
		} else {
			w.Float(s.Value)
		}
		w.String(s.Note)
		if err := w.EndRow(); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}

	pw, err := tables.Create(filepath.Join(dir, "popularity.csv"), tables.Schema{{Name: "rank", Type: tables.Int64},
		{Name: "dag_id", Type: tables.String}, {Name: "invocations", Type: tables.Int64}, {Name: "cumulative_share", Type: tables.Float64}}, opts...)
	if err != nil {
		return err
	}
	defer pw.Abort()
	var cum int64
	for i, d := range c.Popularity() {
		cum += d.Count
		pw.Int(int64(i + 1))
		pw.String(d.DAG)
		pw.Int(d.Count)
		pw.Float(float64(cum) / float64(c.Invocations))
		if err := pw.EndRow(); err != nil {
			return err
		}
	}
	if err := pw.Close(); err != nil {
		return err
	}

	sw, err := tables.Create(filepath.Join(dir, "structure.csv"), tables.Schema{{Name: "metric", Type: tables.String},
		{Name: "value", Type: tables.Int64}, {Name: "trace_cdf", Type: tables.Float64}, {Name: "published_cdf", Type: tables.Float64}}, opts...)
	if err != nil {
		return err
	}
	defer sw.Abort()
	for _, m := range []struct {
		name string
		ref  CDF
	}{{"width", ref.Width}, {"depth", ref.Depth}, {"nodes", ref.Nodes}} {
		cdf := c.Structure(m.name)
		for _, x := range mergedValues(cdf, m.ref) {
			sw.String(m.name)
			sw.Int(int64(x))
			sw.Float(cdf.At(x))
			sw.Float(m.ref.At(x))
			if err := sw.EndRow(); err != nil {
				return err
			}
		}
	}
	if err := sw.Close(); err != nil {
		return err
	}

	lw, err := tables.Create(filepath.Join(dir, "latency.csv"), tables.Schema{{Name: "group", Type: tables.String},
		{Name: "quantile", Type: tables.Float64}, {Name: "latency_s", Type: tables.Float64}}, opts...)
	if err != nil {
		return err
	}
	defer lw.Abort()
	for g, name := range groupNames {
		if c.latency[g].n == 0 {
			continue
		}
		for _, p := range latencyQuantiles() {
			lw.String(name)
			lw.Float(p)
			lw.Float(c.latency[g].quantile(p))
			if err := lw.EndRow(); err != nil {
				return err
			}
		}
	}
	return lw.Close()
}

// latencyQuantiles are the probabilities a latency CDF is reduced to: 200 even steps, with the
// tail refined to 99.99%.
func latencyQuantiles() []float64 {
	var ps []float64
	for i := 0; i <= 200; i++ {
		ps = append(ps, float64(i)/200)
	}
	ps = append(ps[:len(ps)-1], 0.999, 0.9999, 1)
	return ps
}

// mergedValues lists every value at which either CDF steps, ascending.
func mergedValues(a, b CDF) []float64 {
	xs := append(slices.Clone(a.Values), b.Values...)
	slices.Sort(xs)
	return slices.Compact(xs)
}

// ReadPublished reads width_cdf.csv, depth_cdf.csv and nodes_cdf.csv from dir.
func ReadPublished(dir string) (Published, error) {
	var p Published
	for _, x := range []struct {
		name string
		dst  *CDF
	}{{"width", &p.Width}, {"depth", &p.Depth}, {"nodes", &p.Nodes}} {
		c, err := ReadCDF(filepath.Join(dir, x.name+"_cdf.csv"))
		if err != nil {
			return Published{}, err
		}
		*x.dst = c
	}
	return p, nil
}
