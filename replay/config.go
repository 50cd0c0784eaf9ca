package replay

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"

	"github.com/wisefuse/wisefuse/platform"
	"github.com/wisefuse/wisefuse/sim"
)

// Config is what a replay is asked to do.
type Config struct {
	// Trace is the DAG-invocation table (CSV or Parquet); Catalog the catalog beside it ("" means
	// traces.CatalogPath(Trace)).
	Trace, Catalog string
	// Policy plans every DAG (policy.Names); "" means user-max.
	Policy string
	// SLO is one latency target (seconds) for every DAG; when 0, each DAG's target is SLOFactor
	// (default 1.2) times the P95 of its User-Max plan. Only policies that take a target use it.
	SLO, SLOFactor float64
	// ColdAware plans each DAG from runs that start cold as often as its invocations come after
	// its VMs' keep-alive in the trace (coldShares): its profiling runs and the User-Max runs of
	// its SLO. Off, they are all warm, as a profiler's back-to-back runs are: a DAG invoked once
	// an hour is then planned for VMs it never finds warm. It needs the fixed keep-alive policy
	// and the WiseFuse policy.
	ColdAware bool
	// Platform the whole trace runs on (nil: platform.Default()); PlatformName labels it.
	Platform     *platform.Platform
	PlatformName string
	// Metadata is the provenance every output table carries (tables.Options.Metadata); Run adds
	// the policy, platform, seed and shard.
	Metadata map[string]string
	// Seed keys every random draw together with (dag_id, invocation_id), so a DAG invocation draws
	// the same whatever else is replayed with it.
	Seed uint64
	// From and To keep the arrivals in [From, To) seconds; To 0 means no end.
	From, To float64
	// Shard and Shards replay the DAGs whose id hashes to Shard (ShardOf); Shards 0 means all.
	Shard, Shards int
	// Out is the output folder (created if missing); see output.go for its files.
	Out string
	// FunctionRows also writes one row per function invocation (functions.parquet): about 10x
	// the rows of the DAG invocation table, so only on request.
	FunctionRows bool
	// SeriesInterval > 0 also writes series.parquet: the time series of running and idle
	// instances, one row per SeriesInterval seconds of simulated time (sim.Options.OnSeries).
	SeriesInterval float64
	// Workers plan DAGs in parallel (0: GOMAXPROCS). The output does not depend on it.
	Workers int
	// Progress, when set, is called now and then: stage is "plan" (done and total DAGs) or
	// "replay" (done and total DAG invocations, total -1 when a time window makes it unknown, and
	// engine events so far).
	Progress func(stage string, done, total, events int64)
	// Context cancels the replay; nil means never. A cancelled replay writes no output.
	Context context.Context
	// Plans, when set, reuses the plans of an earlier replay of the same catalog whose settings
	// differ at most in the platform's keep-alive, and keeps this replay's for later ones
	// (PlanCache). nil: plan every DAG.
	Plans *PlanCache
}

// DefaultSLOFactor is the default ratio of a DAG's latency target to its User-Max P95: 20% of
// slack, the kind of target the paper's middle SLO gives WiseFuse to trade for cost.
const DefaultSLOFactor = 1.2

func (c *Config) defaults() error {
	if c.Policy == "" {
		c.Policy = "user-max"
	}
	if c.SLOFactor == 0 {
		c.SLOFactor = DefaultSLOFactor
	}
	if c.Platform == nil {
		c.Platform = platform.Default()
	}
	if c.PlatformName == "" {
		c.PlatformName = platform.AWSLambda
	}
	if c.Context == nil {
		c.Context = context.Background()
	}
	switch {
	case c.Trace == "":
		return fmt.Errorf("replay: no trace given")
	case c.Out == "":
		return fmt.Errorf("replay: no output folder given")
	case math.IsNaN(c.SLO) || math.IsInf(c.SLO, 0) || c.SLO < 0:
		return fmt.Errorf("replay: SLO %v s, want a finite latency >= 0 (0: a factor of each DAG's User-Max P95)", c.SLO)
	case math.IsNaN(c.SLOFactor) || math.IsInf(c.SLOFactor, 0) || c.SLOFactor <= 0:
		return fmt.Errorf("replay: SLO factor %v, want a finite factor > 0", c.SLOFactor)
	case math.IsNaN(c.From) || math.IsNaN(c.To) || math.IsInf(c.From, 0) || math.IsInf(c.To, 0) || c.From < 0 || c.To < 0:
		return fmt.Errorf("replay: window [%v, %v) s, want finite times >= 0", c.From, c.To)
	case c.To != 0 && c.To <= c.From:
		return fmt.Errorf("replay: window [%v, %v) s is empty; want --to after --from", c.From, c.To)
	case c.Shards < 0 || (c.Shards > 0 && (c.Shard < 0 || c.Shard >= c.Shards)):
		return fmt.Errorf("replay: shard %d/%d, want 0 <= I < N", c.Shard, c.Shards)
	case math.IsNaN(c.SeriesInterval) || c.SeriesInterval < 0 || c.SeriesInterval > sim.MaxTime:
		return fmt.Errorf("replay: series interval %v s, want seconds > 0 and at most %g (0: no series)", c.SeriesInterval, float64(sim.MaxTime))
	case c.Workers < 0:
		return fmt.Errorf("replay: workers %d, want >= 0 (0: one per core)", c.Workers)
	case c.ColdAware && c.Platform.KeepAlivePolicy != platform.KeepAliveFixed:
		return fmt.Errorf("replay: cold-aware planning takes each DAG's cold share from the fixed keep-alive window (keep_alive_s); keep_alive_policy %q keeps VMs for windows of its own", c.Platform.KeepAlivePolicy)
	}
	return nil
}

// ParseShard parses a shard spec "I/N" (0 <= I < N).
func ParseShard(spec string) (i, n int, err error) {
	a, b, ok := strings.Cut(spec, "/")
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("shard %q: want I/N with 0 <= I < N, e.g. 0/4", spec)
	}
	return i, n, nil
}

// ShardOf returns the shard (of n) that replays DAG id: FNV-1a of the id, modulo n. It depends
// only on the id, so every machine of a sharded run agrees without talking to the others.
func ShardOf(id string, n int) int {
	return int(dagKey(id) % uint64(n))
}

// dagKey hashes a DAG id; it seeds the DAG's randomness and picks its shard.
func dagKey(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}
