package traces

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// weightedCDF returns the invocation-weighted CDF of attr over the population.
func weightedCDF(dags []DAGSpec, attr func(*DAGSpec) int) CDF {
	counts := map[int]int{}
	for i := range dags {
		counts[attr(&dags[i])] += int(dags[i].Count)
	}
	return cdfFromCounts(counts)
}

// The structure marginals of the default population (5,000 DAGs), over several seeds, against
// the published files (and the compact tables, when the files are absent from the machine).
func TestStructureMarginals(t *testing.T) {
	refs := map[string]CDF{"width": AzureWidth, "depth": AzureDepth, "nodes": AzureNodes}
	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		dags, err := NewPopulation(PopulationConfig{DAGs: 5000, Invocations: 10_000_000}, rand.New(rand.NewPCG(seed, 1)))
		if err != nil {
			t.Fatal(err)
		}
		for name, attr := range map[string]func(*DAGSpec) int{
			"width": func(d *DAGSpec) int { return d.Width },
			"depth": func(d *DAGSpec) int { return d.Depth },
			"nodes": func(d *DAGSpec) int { return d.Nodes },
		} {
			if ks := KSDistance(weightedCDF(dags, attr), refs[name]); ks > 0.02 {
				t.Errorf("seed %d: KS(%s) = %.4f against the compact table, want <= 0.02", seed, name, ks)
			}
		}
	}
	// Against the published files themselves, for the seed the docs report.
	dags, _ := NewPopulation(PopulationConfig{DAGs: 5000, Invocations: 10_000_000}, rand.New(rand.NewPCG(1, 1)))
	for _, name := range []string{"width", "depth", "nodes"} {
		pub := publishedCDF(t, name)
		got := weightedCDF(dags, map[string]func(*DAGSpec) int{
			"width": func(d *DAGSpec) int { return d.Width },
			"depth": func(d *DAGSpec) int { return d.Depth },
			"nodes": func(d *DAGSpec) int { return d.Nodes },
		}[name])
		ks := KSDistance(got, pub)
		t.Logf("KS(%s) = %.4f against %s_cdf.csv", name, ks, name)
		if ks > 0.02 {
			t.Errorf("KS(%s) = %.4f against the published file, want <= 0.02", name, ks)
		}
	}
}

// Every DAG is a consistent DAG: its stages realize its width, depth and node count.
func TestStructureConsistent(t *testing.T) {
	dags, err := NewPopulation(PopulationConfig{DAGs: 5000, Invocations: 1_000_000}, rand.New(rand.NewPCG(9, 1)))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dags {
		if d.Nodes < d.Width+d.Depth-1 || d.Nodes > d.Width*d.Depth || d.Nodes < 2 {
			t.Fatalf("%s: width %d depth %d nodes %d is not a DAG", d.ID, d.Width, d.Depth, d.Nodes)
		}
		sum, widest := 0, 0
		for _, s := range d.Stages {
			sum += s
			widest = max(widest, s)
		}
		if len(d.Stages) != d.Depth || widest != d.Width || sum != d.Nodes {
			t.Fatalf("%s: stages %v do not realize width %d depth %d nodes %d", d.ID, d.Stages, d.Width, d.Depth, d.Nodes)
		}
	}
}

// The popularity facts: top 5% of DAGs make 95% of invocations, each at least 1.6K a day, at the
// scale the docs use (10 million invocations of 5,000 DAGs in a day).
func TestPopularity(t *testing.T) {
	for _, tc := range []struct {
		dags int
		inv  int64
		days float64
	}{{5000, 10_000_000, 1}, {5000, 3_000_000, 1}, {20000, 100_000_000, 7}} {
		counts, err := popularityCounts(PopulationConfig{DAGs: tc.dags, Invocations: tc.inv, TopFraction: 0.05, TopShare: 0.95, TopZipf: 0.5, TailZipf: 1})
		if err != nil {
			t.Fatal(err)
		}
		var total int64
		for i, c := range counts {
			total += c
			if c < 1 || i > 0 && c > counts[i-1] {
				t.Fatalf("count[%d] = %d (previous %d): want >= 1 and non-increasing", i, c, counts[max(i-1, 0)])
			}
		}
		if total != tc.inv {
			t.Fatalf("counts sum to %d, want %d", total, tc.inv)
		}
		p := popularity(counts, tc.days)
		if math.Abs(p.TopShare-0.95) > 0.02 || p.TopMinPerDay < 1600 {
			t.Errorf("%+v: top 5%% share %.4f, least top DAG %.0f/day; want 0.95 +- 0.02 and >= 1600", tc, p.TopShare, p.TopMinPerDay)
		}
		if p.LargestShare > 0.035 {
			t.Errorf("%+v: largest DAG has %.3f of invocations, want <= 0.035", tc, p.LargestShare)
		}
	}
	if _, err := popularityCounts(PopulationConfig{DAGs: 1000, Invocations: 500, TopFraction: 0.05, TopShare: 0.95}); err == nil {
		t.Error("500 invocations for 1000 DAGs: want an error")
	}
}

// Intermediate data and skew are heavy-tailed as configured.
func TestDataAndSkewTails(t *testing.T) {
	dags, err := NewPopulation(PopulationConfig{DAGs: 5000, Invocations: 10_000_000}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var total, large, wide, skewed int64
	for _, d := range dags {
		total += d.Count
		if d.DataBytes >= LargeDataBytes {
			large += d.Count
		}
		if d.Width > 1 {
			wide += d.Count
			if d.TargetSkew >= HighSkew {
				skewed += d.Count
			}
		}
	}
	// Log-normal(100 KB, 2.5): P(>= 1 MB) = 1 - Phi(ln(10)/2.5) = 0.178.
	if f := float64(large) / float64(total); math.Abs(f-0.178) > 0.02 {
		t.Errorf("share of invocations with >= 1 MB: %.3f, want 0.178", f)
	}
	// Exponential ln(skew) with mean 2: P(skew >= 100) = exp(-ln(100)/2) = 0.1 of wide DAGs.
	if f := float64(skewed) / float64(wide); math.Abs(f-0.1) > 0.02 {
		t.Errorf("share of wide invocations with target skew >= 100: %.3f, want 0.1", f)
	}
}

// TestBlobSizeQuantile: the published percentiles come back exactly, values between them are
// log-linear (worked by hand), and the tails are clamped.
func TestBlobSizeQuantile(t *testing.T) {
	for u, want := range map[float64]float64{0: 8, 0.01: 8, 0.5: 5302, 0.9: 26764, 0.99: 1589532, 1: 1910124864} {
		if got := BlobSizeQuantile(u); math.Abs(got-want) > 1e-6*want {
			t.Errorf("BlobSizeQuantile(%v) = %v, want %v", u, got, want)
		}
	}
	// u = 0.975 is 5/8 of the way from p95 (110,611 B) to p99 (1,589,532 B) in log bytes:
	// 110,611 x (1,589,532 / 110,611)^0.625 = 585,0xx bytes.
	want := 110611 * math.Pow(1589532.0/110611, 0.625)
	if got := BlobSizeQuantile(0.975); math.Abs(got-want) > 1e-6 || got < 585000 || got > 586000 {
		t.Errorf("BlobSizeQuantile(0.975) = %v, want %v", got, want)
	}
}

// TestBlobTraceData: under DataBlobTrace a DAG's data is one trace-sized payload per hand-off, and
// the invocation-weighted median payload is the trace's median blob (5,302 B).
func TestBlobTraceData(t *testing.T) {
	dags, err := NewPopulation(PopulationConfig{DAGs: 5000, Invocations: 1_000_000, DataModel: DataBlobTrace}, rand.New(rand.NewPCG(3, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var below, total int64
	for _, d := range dags {
		payload := d.DataBytes / float64(d.Depth+1)
		if payload < 8*(1-1e-12) || payload > 1910124864*(1+1e-12) {
			t.Fatalf("%s: payload %v B outside the trace's 8 B .. 1.78 GiB", d.ID, payload)
		}
		if payload <= 5302 {
			below += d.Count
		}
		total += d.Count
	}
	if f := float64(below) / float64(total); math.Abs(f-0.5) > 0.02 {
		t.Errorf("invocations with payload <= 5,302 B: %.3f, want 0.5", f)
	}
	if _, err := NewPopulation(PopulationConfig{DAGs: 10, Invocations: 1000, DataModel: "gamma"}, rand.New(rand.NewPCG(3, 1))); err == nil || !strings.Contains(err.Error(), `"gamma"`) {
		t.Errorf("unknown data model: %v", err)
	}
}
