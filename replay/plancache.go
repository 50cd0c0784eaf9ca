package replay

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/wisefuse/wisefuse/platform"
)

// PlanCache keeps the plans of replays of one catalog so that a later replay under another
// keep-alive reuses them instead of planning again (Config.Plans). Planning profiles each DAG in
// isolated runs, where every VM is warm and nothing is kept alive between runs, so the plans do
// not depend on the platform's keep-alive settings (keep_alive_s, keep_alive_policy, hybrid_*);
// they depend on everything else. Cold-aware plans (Config.ColdAware) take each DAG's cold share
// from the trace's arrivals and the keep-alive, so they are kept for that trace, window and
// keep-alive only. A replay therefore finds plans only when its catalog, shard,
// policy, SLO, SLO factor, seed and platform apart from keep-alive are those of the replay that
// made them; otherwise it plans and adds its own. Reused plans keep their planning_runs, so a
// summary counts the runs its plans took, made now or earlier; plan_wall_s counts only now.
// The catalog file must not change while the cache is in use. Safe for concurrent use: replays
// that want the same plans at once plan them once, the others wait.
type PlanCache struct {
	mu sync.Mutex
	m  map[string]*cachedPlans
}

type cachedPlans struct {
	once  sync.Once
	plans []dagPlan
	err   error
}

// NewPlanCache returns an empty cache.
func NewPlanCache() *PlanCache { return &PlanCache{m: map[string]*cachedPlans{}} }

// plans returns the cached plans for cfg, calling plan to make them when there are none yet.
// A nil cache always plans.
func (c *PlanCache) plans(cfg *Config, catalog string, plan func() ([]dagPlan, error)) ([]dagPlan, error) {
	if c == nil {
		return plan()
	}
	p := *cfg.Platform
	d := platform.Default()
	cold := ""
	if cfg.ColdAware {
		cold = fmt.Sprintf("cold-aware\x00%s\x00%v\x00%v\x00%v", cfg.Trace, cfg.From, cfg.To, p.KeepAlive)
	}
	p.KeepAlive, p.KeepAlivePolicy = d.KeepAlive, d.KeepAlivePolicy
	p.HybridRange, p.HybridBin, p.HybridHead, p.HybridTail = d.HybridRange, d.HybridBin, d.HybridHead, d.HybridTail
	p.HybridMargin, p.HybridCV, p.HybridMinSamples = d.HybridMargin, d.HybridCV, d.HybridMinSamples
	pj, err := json.Marshal(&p)
	if err != nil {
		return nil, fmt.Errorf("replay: plan cache key: %w", err)
	}
	key := fmt.Sprintf("%s\x00%d/%d\x00%s\x00%v\x00%v\x00%d\x00%s\x00%s", catalog, cfg.Shard, cfg.Shards, cfg.Policy,
		cfg.SLO, cfg.SLOFactor, cfg.Seed, pj, cold)
	c.mu.Lock()
	e := c.m[key]
	if e == nil {
		e = &cachedPlans{}
		c.m[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.plans, e.err = plan() })
	if e.err != nil {
		// A failed or cancelled planning is not kept: the next replay tries again.
		c.mu.Lock()
		if c.m[key] == e {
			delete(c.m, key)
		}
		c.mu.Unlock()
	}
	return e.plans, e.err
}
