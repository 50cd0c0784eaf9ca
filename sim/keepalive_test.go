package sim

import (
	"math"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// TestPeriodicKeepAlive: an application invoked every 600 s (one task of 1 s, init 0.5 s,
// transitions 0.05 s), 40 times.
//
// Fixed keep-alive of 300 s, shorter than the period: every VM has expired when the next
// invocation comes, so all 40 are cold.
//
// Hybrid (1-minute bins over 4 h, head 5%, tail 99%, margin 10%, at least 10 samples): each idle
// time is 600 - 1 = 599 s (598.5 s after a cold start), all in the bin [540, 600). Until there
// are 10 of them the histogram is not trusted and a VM stays idle for the whole range (4 h), so
// the second invocation on are warm. From then on head = 540, tail = 600: pre-warm 486 s after a
// release, keep-alive 660 - 486 = 174 s; the next acquisition at 599 s finds the pre-warmed VM
// ready (its init ended at 486.5 s): warm, and the VM is unloaded for 486 of each 600 s.
func TestPeriodicKeepAlive(t *testing.T) {
	w := oneTask("cron", 1, 0.5)
	var arr []float64
	for i := 0; i < 40; i++ {
		arr = append(arr, 600*float64(i))
	}
	run := func(policy string, keepAlive float64) *Result {
		p := testPlatform()
		p.KeepAlivePolicy, p.KeepAlive = policy, keepAlive
		res, err := RunArrivals(w, dag.UniformPlan(1769), arr, Options{Platform: p, Seed: 1, KeepInvocations: true})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	fixed := run(platform.KeepAliveFixed, 300)
	for i, r := range fixed.Invocations {
		if !r.Cold {
			t.Errorf("fixed 300 s: invocation %d is warm, want every one cold", i)
		}
	}
	hyb := run(platform.KeepAliveHybrid, 300)
	for i, r := range hyb.Invocations {
		if r.Cold != (i == 0) {
			t.Errorf("hybrid: invocation %d cold = %v, want only the first cold", i, r.Cold)
		}
	}
	// Live VMs: 1 through the first 10 periods (ITs 1..9 give fewer than 10 samples: the 10th
	// sample comes with invocation 11), then only from the pre-warm (486 s) to the next
	// invocation's release (601 s) of each later period.
	span := 39*600 + 1.05 // the last (warm) invocation ends at 39 x 600 + 0.05 + 1
	want := (10*600 + 29*(601.05-486) + 1.05) / span
	near(t, "hybrid mean live VMs", hyb.Summary.MeanLiveVMs, want, 0.01)
	t.Logf("mean live VMs: fixed %.4f, hybrid %.4f (want %.4f)", fixed.Summary.MeanLiveVMs, hyb.Summary.MeanLiveVMs, want)
	// Fixed: each VM lives 1.5 s busy (init and work) and 300 s idle, the last one 1.5 s only;
	// the last invocation is cold there and ends 0.5 s later.
	fixedSpan := 39*600 + 1.55
	if want := (39*301.5 + 1.5) / fixedSpan; math.Abs(fixed.Summary.MeanLiveVMs-want) > 1e-9 {
		t.Errorf("fixed mean live VMs %.6f, want %.6f", fixed.Summary.MeanLiveVMs, want)
	}
	// Of that, 39 x 300 s idle and 40 x 1.5 s running; 40 VMs, each living 301.5 s but the last
	// (1.5 s); the idle memory-time is the idle time at 1769 MB.
	s := fixed.Summary
	near(t, "fixed mean idle VMs", s.MeanIdleVMs, 39*300/fixedSpan, 1e-9)
	near(t, "fixed mean running VMs", s.MeanRunningVMs, 40*1.5/fixedSpan, 1e-9)
	near(t, "fixed mean lifespan", s.MeanLifespanS, (39*301.5+1.5)/40, 1e-9)
	near(t, "fixed idle GB-s", s.IdleGBS, 39*300*1769.0/1024, 1e-6)
}

// TestHybridWindows: the windows of the hybrid policy from its histogram, by hand.
func TestHybridWindows(t *testing.T) {
	p := testPlatform()
	p.KeepAlivePolicy = platform.KeepAliveHybrid
	e := newEngine(compile(oneTask("a", 1, 0), dag.UniformPlan(1769), p), p, modeShared, Options{})
	fresh := func() *hybridApp { return &hybridApp{bins: make([]uint32, 240)} }
	// One IT in each of the 240 bins: CV 0 < 2, not representative: no pre-warm, 4 h.
	h := fresh()
	for k := 0; k < 240; k++ {
		e.observeIT(h, 60*float64(k)+30)
	}
	if h.pw != 0 || h.ka != 14400 {
		t.Errorf("uniform ITs: pw %v ka %v, want 0 and 14400", h.pw, h.ka)
	}
	// 19 ITs of 125 s (bin 2) and one of 3000 s (bin 50): head 5% = bin 2 -> 120 s, tail 99% =
	// bin 50 -> 3060 s. pw = 120 x 0.9 = 108, ka = 3060 x 1.1 - 108 = 3258.
	h = fresh()
	for i := 0; i < 19; i++ {
		e.observeIT(h, 125)
	}
	e.observeIT(h, 3000)
	near(t, "pw", h.pw, 108, 1e-9)
	near(t, "ka", h.ka, 3258, 1e-9)
	// Most ITs beyond the 4 h range: the last one (20,000 s) is the forecast.
	h = fresh()
	for i := 0; i < 12; i++ {
		e.observeIT(h, 20000)
	}
	near(t, "pw beyond the range", h.pw, 18000, 1e-9)
	near(t, "ka beyond the range", h.ka, 22000-18000, 1e-9)
}
