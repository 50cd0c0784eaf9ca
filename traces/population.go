package traces

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/wisefuse/wisefuse/dag"
)

// DAGSpec is one DAG of a synthetic population: its structure, its share of the trace and the
// performance parameters its workflow is built from (see Workflow).
type DAGSpec struct {
	ID    string
	Count int64 // invocations of this DAG in the trace

	Width  int   // most parallel invocations in one stage
	Depth  int   // stages in series
	Nodes  int   // function invocations per DAG invocation
	Stages []int // width of each stage; len = Depth, max = Width, sum = Nodes

	// DataBytes is the intermediate data of one invocation: the bytes its functions pass to
	// later stages through remote storage.
	DataBytes float64
	// TargetSkew is the slowest / fastest ratio the widest stage is calibrated to (1 for width 1).
	TargetSkew float64
	// MaxSkew bounds the slowest / fastest ratio any invocation can draw (0: no bound): the
	// population's cap on targets (PopulationConfig.MaxSkew) also caps what a narrow stage draws
	// around its target, so no trace row reports a skew beyond it.
	MaxSkew float64
	// Work is the median compute of one function invocation, in core-seconds, before the
	// data-dependent part (see WorkPerByte).
	Work float64
	// WorkPerByte is the compute each function spends per byte it reads or writes (parsing,
	// processing, serialising), in core-seconds per byte: a function that receives more data
	// does more work on it.
	WorkPerByte float64
}

// PopulationConfig shapes a synthetic DAG population. The zero value of every field but DAGs and
// Invocations means the default documented on it.
type PopulationConfig struct {
	DAGs        int   // distinct DAGs
	Invocations int64 // DAG invocations in the whole trace

	// TopFraction of the DAGs (default 0.05) make TopShare of the invocations (default 0.95): the
	// Azure Durable Functions characterization (WiseFuse, POMACS 2022, Section 2).
	TopFraction, TopShare float64
	// TopZipf is the Zipf exponent of popularity inside the top group (default 0.5) and TailZipf
	// inside the rest (default 1). A flat top keeps any single DAG's share small, which the
	// structure marginals need: one DAG has one structure, so a DAG with a 10% share would put a
	// 10% step into the width CDF.
	TopZipf, TailZipf float64

	// WidthDepthCorrelation is the Gaussian-copula correlation between the width and depth of
	// multi-stage DAGs (default -0.9: wide DAGs are shallow). The published CDFs leave little
	// choice: chains (width 1) have nodes = depth, so P(nodes = 2) = 0.56 against P(depth = 2) =
	// 0.555 is only reachable when nearly all wide multi-stage DAGs have depth 2.
	WidthDepthCorrelation float64

	// DataMedianBytes and DataSigma give the log-normal intermediate data size per invocation
	// (defaults 100 KB and 2.5: about 18% of invocations move >= 1 MB). The published Azure
	// material gives no data-size CDF, so these are assumptions, documented in docs/traces.md.
	DataMedianBytes, DataSigma float64
	// DataNodesCorrelation couples data size with node count (default 0.5).
	DataNodesCorrelation float64
	// DataModel is DataLogNormal ("" or "lognormal", the default: DataMedianBytes, DataSigma) or
	// DataBlobTrace ("blob-trace": payload sizes from the Azure Functions blob access trace, one per
	// hand-off; DataMedianBytes and DataSigma are then unused).
	DataModel string
	// SkewMeanLog is the mean of ln(skew) for DAGs with width >= 2, ln(skew) being exponential
	// (default 2: median skew 4, 10% of wide DAGs at skew >= 100), capped at MaxSkew (default
	// 10,000: beyond it a straggler would run for hours). Assumptions, as above.
	SkewMeanLog, MaxSkew float64
	// WorkMedian and WorkSigma give the log-normal median compute per function invocation, in
	// core-seconds (defaults 0.25 and 1).
	WorkMedian, WorkSigma float64
	// WorkPerByte is the compute a function spends per byte of its input and output, in
	// core-seconds per byte (default 5e-8, i.e. 20 MB/s per core). Functions do not pass data
	// through untouched: they deserialise it (JSON, the Durable Functions payload format, at
	// tens of MB/s per core in Python or .NET), process it and serialise their output. 20 MB/s
	// per core is a middle figure for deserialise + light processing + serialise; see
	// docs/traces.md. A negative value means none (0 means the default).
	WorkPerByte float64
}

func (c *PopulationConfig) defaults() {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.TopFraction, 0.05)
	def(&c.TopShare, 0.95)
	def(&c.TopZipf, 0.5)
	def(&c.TailZipf, 1)
	def(&c.WidthDepthCorrelation, -0.9)
	def(&c.DataMedianBytes, 100e3)
	def(&c.DataSigma, 2.5)
	def(&c.DataNodesCorrelation, 0.5)
	def(&c.SkewMeanLog, 2)
	def(&c.MaxSkew, 1e4)
	def(&c.WorkMedian, 0.25)
	def(&c.WorkSigma, 1)
	def(&c.WorkPerByte, DefaultWorkPerByte)
	if c.WorkPerByte < 0 {
		c.WorkPerByte = 0
	}
}

// DefaultWorkPerByte is PopulationConfig.WorkPerByte's default: 20 MB/s of data handled per core.
const DefaultWorkPerByte = 1 / 20e6

// NewPopulation draws a DAG population. Popularity is set first (exact invocation counts); then
// every per-DAG attribute is assigned by weighted stratification: DAGs are ordered by a latent
// Gaussian key (correlated across attributes as a copula) and DAG i receives the quantile at the
// midpoint of its slice of the invocation mass in that order. The invocation-weighted marginals
// then match their targets up to the largest single DAG's share, whatever the popularity skew.
func NewPopulation(cfg PopulationConfig, rng *rand.Rand) ([]DAGSpec, error) {
	cfg.defaults()
	counts, err := popularityCounts(cfg)
	if err != nil {
		return nil, err
	}
	n := len(counts)
	dags := make([]DAGSpec, n)
	for i := range dags {
		dags[i].ID = fmt.Sprintf("dag%06d", i)
		dags[i].Count = counts[i]
	}
	// The DAGs are numbered by popularity rank; draw all latent keys in that order so the
	// population depends only on (config, seed).
	zDepth, zWidth, zNodes, zData, zSkew, zWork := normals(rng, n), normals(rng, n), normals(rng, n), normals(rng, n), normals(rng, n), normals(rng, n)
	assignStructure(dags, zDepth, zWidth, zNodes, cfg.WidthDepthCorrelation)

	// Data grows with node count (more functions, more hand-offs).
	rho := cfg.DataNodesCorrelation
	key := make([]float64, n)
	for i := range dags {
		key[i] = rho*zNodes[i] + math.Sqrt(1-rho*rho)*zData[i]
	}
	// Data and work are lognormal at each DAG's stratified quantile u, which lies strictly inside
	// (0, 1) as every count is at least 1, so both are finite.
	for i, u := range stratify(key, counts) {
		switch cfg.DataModel {
		case "", DataLogNormal:
			dags[i].DataBytes = dag.Dist{Kind: dag.LogNormal, Median: cfg.DataMedianBytes, Sigma: cfg.DataSigma}.Quantile(u)
		case DataBlobTrace:
			dags[i].DataBytes = float64(dags[i].Depth+1) * BlobSizeQuantile(u)
		default:
			return nil, fmt.Errorf("traces: data model %q, want %q or %q", cfg.DataModel, DataLogNormal, DataBlobTrace)
		}
	}
	for i, u := range stratify(zSkew, counts) {
		dags[i].TargetSkew, dags[i].MaxSkew = 1, cfg.MaxSkew
		if dags[i].Width > 1 {
			dags[i].TargetSkew = math.Min(math.Exp(-cfg.SkewMeanLog*math.Log1p(-u)), cfg.MaxSkew)
		}
	}
	for i, u := range stratify(zWork, counts) {
		dags[i].Work = dag.Dist{Kind: dag.LogNormal, Median: cfg.WorkMedian, Sigma: cfg.WorkSigma}.Quantile(u)
		dags[i].WorkPerByte = cfg.WorkPerByte
	}
	for i := range dags {
		dags[i].Stages = stageWidths(dags[i].Width, dags[i].Depth, dags[i].Nodes, rng)
	}
	return dags, nil
}

func normals(rng *rand.Rand, n int) []float64 {
	z := make([]float64, n)
	for i := range z {
		z[i] = rng.NormFloat64()
	}
	return z
}

// stratify orders the DAGs by key and returns, for each DAG, the midpoint of its slice of the
// total weight in that order, as a probability in (0, 1).
func stratify(key []float64, weight []int64) []float64 {
	order := make([]int, len(key))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, byKeyThenIndex(key))
	return stratifyOrder(order, weight)
}

// byKeyThenIndex orders DAG indices by key, ascending, and equal keys by index, so that every
// sort of DAGs is deterministic.
func byKeyThenIndex(key []float64) func(a, b int) int {
	return func(a, b int) int {
		switch {
		case key[a] < key[b]:
			return -1
		case key[a] > key[b]:
			return 1
		}
		return a - b
	}
}

// stratifyOrder is stratify for an explicit order, which may cover only some of the DAGs: the
// result is indexed by DAG and is zero outside order.
func stratifyOrder(order []int, weight []int64) []float64 {
	total := 0.0
	for _, i := range order {
		total += float64(weight[i])
	}
	u := make([]float64, len(weight))
	cum := 0.0
	for _, i := range order {
		u[i] = (cum + float64(weight[i])/2) / total
		cum += float64(weight[i])
	}
	return u
}

// assignStructure gives every DAG a width, depth and node count whose invocation-weighted
// marginals follow AzureWidth, AzureDepth and AzureNodes and which are consistent as a DAG:
//
//   - depth 1 means one stage, so width = nodes >= 2 (the published node counts start at 2);
//   - width 1 means a chain, so nodes = depth;
//   - otherwise width + depth - 1 <= nodes <= width * depth.
//
// Depth comes first. Single-stage DAGs (12.5% of invocations) are placed among the 21% of
// invocation mass that gets width >= 2; the other DAGs fill width by a copula key correlated with
// depth. Node count is then assigned comonotonically with the least consistent count
// width + depth - 1 and clamped into the consistent range; TestStructureMarginals measures what the
// clamping costs the nodes marginal.
func assignStructure(dags []DAGSpec, zDepth, zWidth, zNodes []float64, rho float64) {
	n := len(dags)
	counts := make([]int64, n)
	total := int64(0)
	for i := range dags {
		counts[i] = dags[i].Count
		total += counts[i]
	}
	for i, u := range stratify(zDepth, counts) {
		dags[i].Depth = AzureDepth.Quantile(u)
	}

	// Width order: the multi-stage DAGs by key, except that the widest of them share the
	// width >= 2 mass with every single-stage DAG.
	var single, multi []int
	var singleMass int64
	key := make([]float64, n)
	for i := range dags {
		if dags[i].Depth == 1 {
			single = append(single, i)
			singleMass += counts[i]
			key[i] = zWidth[i]
		} else {
			multi = append(multi, i)
			key[i] = rho*zDepth[i] + math.Sqrt(1-rho*rho)*zWidth[i]
		}
	}
	slices.SortFunc(multi, byKeyThenIndex(key))
	wideMass := (1 - AzureWidth.At(1)) * float64(total)
	top := len(multi)
	for m := float64(singleMass); top > 0 && m < wideMass; {
		top--
		m += float64(counts[multi[top]])
	}
	// Inside the wide group, single- and multi-stage DAGs mix at random: the published CDFs
	// imply about the same single-stage share at width 2 as at width >= 3.
	wide := append(slices.Clone(multi[top:]), single...)
	slices.SortFunc(wide, byKeyThenIndex(zWidth))
	order := append(slices.Clone(multi[:top]), wide...)
	for i, u := range stratifyOrder(order, counts) {
		dags[i].Width = AzureWidth.Quantile(u)
		if dags[i].Depth == 1 && dags[i].Width < 2 {
			dags[i].Width = 2 // a straddling slice; one stage of one function is not a DAG
		}
	}

	// Nodes: chains and single-stage DAGs have no choice (nodes = depth, nodes = width). The
	// free DAGs (width >= 2 and depth >= 2) fill what the forced ones leave of the published
	// node-count CDF: they are ordered by their least consistent count (ties by a latent key) and
	// stratified over the residual CDF, then clamped into their consistent range.
	maxNodes := int(AzureNodes.Values[len(AzureNodes.Values)-1])
	forced := make([]float64, maxNodes+2) // forced mass at each node count
	var free []int
	var freeMass int64
	least := make([]float64, n)
	for i := range dags {
		d := &dags[i]
		switch {
		case d.Width == 1:
			d.Nodes = d.Depth
		case d.Depth == 1:
			d.Nodes = d.Width
		default:
			free = append(free, i)
			freeMass += counts[i]
			least[i] = float64(d.Width+d.Depth-1) + 0.5*normCDF(zNodes[i])
			continue
		}
		forced[min(d.Nodes, maxNodes+1)] += float64(counts[i])
	}
	if len(free) == 0 {
		return
	}
	// residual[x] = mass the free DAGs should put at node counts <= x, as a fraction of theirs.
	residual := make([]float64, maxNodes+1)
	cumForced, best := 0.0, 0.0
	for x := 1; x <= maxNodes; x++ {
		cumForced += forced[x]
		r := AzureNodes.Smooth(x)*float64(total) - cumForced
		best = math.Min(math.Max(best, r), float64(freeMass))
		residual[x] = best / float64(freeMass)
	}
	residual[maxNodes] = 1
	slices.SortFunc(free, func(a, b int) int {
		switch {
		case least[a] < least[b]:
			return -1
		case least[a] > least[b]:
			return 1
		}
		return a - b
	})
	u := stratifyOrder(free, counts)
	for _, i := range free {
		x, _ := slices.BinarySearch(residual, u[i])
		d := &dags[i]
		d.Nodes = min(max(x, d.Width+d.Depth-1), d.Width*d.Depth)
	}
}

// stageWidths lays out a DAG of the given structure as per-stage widths: the widest stage second
// (after a single entry function, the common fan-out shape) or first when depth is 1, and the
// nodes beyond width + depth - 1 spread over the other stages at random, none wider than width.
func stageWidths(width, depth, nodes int, rng *rand.Rand) []int {
	stages := make([]int, depth)
	for i := range stages {
		stages[i] = 1
	}
	widest := min(1, depth-1)
	stages[widest] = width
	extra := nodes - (width + depth - 1)
	var others []int
	for i := range stages {
		if i != widest {
			others = append(others, i)
		}
	}
	for extra > 0 && len(others) > 0 {
		k := rng.IntN(len(others))
		s := others[k]
		add := min(extra, width-stages[s], 1+rng.IntN(max(1, extra)))
		stages[s] += add
		extra -= add
		if stages[s] == width {
			others = slices.Delete(others, k, k+1)
		}
	}
	return stages
}

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// popularityCounts returns exact invocation counts, most popular first: the top group holds
// TopShare of the invocations by a Zipf(TopZipf) law, the rest share the remainder by
// Zipf(TailZipf), each at least 1 and below the least popular top DAG.
func popularityCounts(cfg PopulationConfig) ([]int64, error) {
	n, m := cfg.DAGs, cfg.Invocations
	if n < 1 {
		return nil, fmt.Errorf("traces: need at least 1 DAG, got %d", n)
	}
	k := max(1, int(math.Round(cfg.TopFraction*float64(n))))
	topTotal := int64(math.Round(cfg.TopShare * float64(m)))
	if k == n {
		topTotal = m
	}
	tailTotal := m - topTotal
	if topTotal < int64(k) || tailTotal < int64(n-k) {
		return nil, fmt.Errorf("traces: %d invocations are too few for %d DAGs: the top %d DAGs get %.0f%% of the invocations and every DAG at least one, so need at least %d",
			m, n, k, 100*cfg.TopShare, int64(math.Ceil(float64(n-k)/(1-cfg.TopShare))))
	}
	top := zipfCounts(k, topTotal, cfg.TopZipf, math.MaxInt64)
	counts := top
	if n > k {
		tail := zipfCounts(n-k, tailTotal, cfg.TailZipf, top[k-1])
		counts = append(counts, tail...)
	}
	return counts, nil
}

// zipfCounts splits total into n integer counts proportional to rank^-s, each >= 1 and <= limit
// (the excess of capped ranks goes to the others), non-increasing, by largest remainder.
func zipfCounts(n int, total int64, s float64, limit int64) []int64 {
	if limit <= 0 || float64(n)*float64(limit) < float64(total) {
		limit = math.MaxInt64 // the cap cannot hold; ignore it rather than loop
	}
	w := make([]float64, n)
	for i := range w {
		w[i] = math.Pow(float64(i+1), -s)
	}
	capped := make([]bool, n)
	share := make([]float64, n)
	for range n {
		free, sum := float64(total), 0.0
		for i := range w {
			if capped[i] {
				free -= float64(limit)
			} else {
				sum += w[i]
			}
		}
		changed := false
		for i := range w {
			if capped[i] {
				share[i] = float64(limit)
				continue
			}
			share[i] = math.Max(1, free*w[i]/sum)
			if share[i] > float64(limit) {
				capped[i], changed = true, true
			}
		}
		if !changed {
			break
		}
	}
	counts := make([]int64, n)
	var sum int64
	for i, v := range share {
		counts[i] = max(1, int64(v))
		sum += counts[i]
	}
	// Hand out the rounding remainder (or take back an excess) one at a time from the top, which
	// keeps the counts non-increasing.
	for i := 0; sum != total; i = (i + 1) % n {
		switch {
		case sum < total && counts[i] < limit && (i == 0 || counts[i] < counts[i-1]):
			counts[i]++
			sum++
		case sum > total && counts[i] > 1 && (i == n-1 || counts[i] > counts[i+1]):
			counts[i]--
			sum--
		}
	}
	return counts
}
