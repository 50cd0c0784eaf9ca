package experiments

import (
	"math"
	"testing"
)

// TestSimfaasScenarios runs each SimFaaS scenario on a shorter time than SimFaaS did and holds
// the values that could fail: the README scenario's cold-start probability, running and idle
// instances and lifespan near SimFaaS's printed ones, and the maximum-concurrency scenario's
// rejection at the Erlang-B value. Tolerances: at 2e5 s the README scenario has about 240 cold
// starts, which come in bursts (a run of arrivals while every instance is busy), so 30%; the
// counts average over 180,000 requests, so 5% (10% for the lifespan, an average over about
// 30 instances).
func TestSimfaasScenarios(t *testing.T) {
	readme, maxc := simfaasScenarios[0], simfaasScenarios[1]
	r, err := simfaasRun(readme, 2e5, 1)
	if err != nil {
		t.Fatal(err)
	}
	pub := readme.Published
	near := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol*want {
			t.Errorf("%s: %.5g, want %.5g within %.0f%%", what, got, want, 100*tol)
		}
	}
	near("readme: cold-start probability", r.ColdStartProb, pub.ColdStartProb, 0.3)
	near("readme: mean running instances", r.MeanRunning, pub.MeanRunning, 0.05)
	near("readme: mean idle instances", r.MeanIdle, pub.MeanIdle, 0.05)
	near("readme: mean lifespan", r.LifespanS, pub.LifespanS, 0.1)
	if r.RejectProb != 0 {
		t.Errorf("readme: rejection %g, want 0 (1.8 busy of 1,000)", r.RejectProb)
	}
	// 200 s at 1,000 req/s: 200,000 requests; the rejection fraction's sampling error over them
	// is well under 0.005.
	m, err := simfaasRun(maxc, 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	b := erlangB(maxc.MaxConcurrency, maxc.Rate*maxc.WarmMean)
	if math.Abs(m.RejectProb-b) > 0.005 {
		t.Errorf("max-concurrency: rejection %.4f, want Erlang-B %.4f within 0.005", m.RejectProb, b)
	}
	near("max-concurrency: rejection against SimFaaS's", m.RejectProb, maxc.Published.RejectProb, 0.02)
}
