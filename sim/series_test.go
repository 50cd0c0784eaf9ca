package sim

import (
	"errors"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/dag"
	"github.com/wisefuse/wisefuse/platform"
)

// TestSeriesByHand: one VM busy from 0 to 10 s (1 vCPU, 1769 MB = 1.7275 GB, no cold start, no
// data, no orchestration delay), then idle until its keep-alive of 25 s reclaims it at 35; a
// second workflow's VM runs from 35 to 36, where the replay ends. In 10 s intervals:
//
//	[0, 10)   running 1, idle 0, idle GB-s 0
//	[10, 20)  running 0, idle 1, idle GB-s 17.275
//	[20, 30)  running 0, idle 1, idle GB-s 17.275
//	[30, 36)  the last, partial interval, over its 6 s: idle 5/6, running 1/6, idle GB-s 5 x 1.7275
//
// and the series, weighted by interval length, averages to the replay's mean running and idle VMs.
func TestSeriesByHand(t *testing.T) {
	p := mmnPlatform(10, platform.LimitQueue)
	p.KeepAlive = 25
	ws := []Workload{{Workflow: oneTask("A", 10, 0), Plan: dag.UniformPlan(1769), Key: 1}, {Workflow: oneTask("B", 1, 0), Plan: dag.UniformPlan(1769), Key: 2}}
	var rows []SeriesRow
	opt := Options{Platform: p, SeriesInterval: 10, OnSeries: func(r SeriesRow) error { rows = append(rows, r); return nil }}
	_, st := replayAll(t, ws, []Arrival{{0, 0, 1}, {35, 1, 2}}, opt)
	gb := 1769.0 / 1024
	want := []SeriesRow{{0, 1, 0, 0}, {10, 0, 1, 10 * gb}, {20, 0, 1, 10 * gb}, {30, 1.0 / 6, 5.0 / 6, 5 * gb}}
	if len(rows) != len(want) {
		t.Fatalf("%d rows %+v, want %d", len(rows), rows, len(want))
	}
	var run, idle float64
	for i, r := range rows {
		w := want[i]
		near(t, "start", r.Start, w.Start, 0)
		near(t, "running", r.Running, w.Running, 1e-12)
		near(t, "idle", r.Idle, w.Idle, 1e-12)
		near(t, "idle GB-s", r.IdleGBS, w.IdleGBS, 1e-9)
		span := min(36-r.Start, 10)
		run += r.Running * span
		idle += r.Idle * span
	}
	near(t, "mean running", run/36, st.MeanRunningVMs, 1e-12)
	near(t, "mean idle", idle/36, st.MeanIdleVMs, 1e-12)

	// An error from OnSeries stops the replay; a bad interval is refused.
	stop := errors.New("disk full")
	opt.OnSeries = func(SeriesRow) error { return stop }
	if _, err := Replay(ws, sliceSource([]Arrival{{0, 0, 1}, {35, 1, 2}}), func(*Outcome) error { return nil }, opt); !errors.Is(err, stop) {
		t.Errorf("error %v, want the OnSeries error", err)
	}
	opt.SeriesInterval = 0
	if _, err := Replay(ws, sliceSource([]Arrival{{0, 0, 1}}), func(*Outcome) error { return nil }, opt); err == nil || !strings.Contains(err.Error(), "series interval = 0") {
		t.Errorf("error %v, want one about the interval", err)
	}
}

// TestSeriesTooManyRows: an interval so small that the series would pass MaxSeriesRows stops the
// replay at once with an error saying so; it used to write rows for ages and, past 2^53
// intervals, loop forever.
func TestSeriesTooManyRows(t *testing.T) {
	ws := []Workload{{Workflow: oneTask("A", 10, 0), Plan: dag.UniformPlan(1769), Key: 1}}
	rows := 0
	opt := Options{Platform: mmnPlatform(10, platform.LimitQueue), SeriesInterval: 1e-300, OnSeries: func(SeriesRow) error { rows++; return nil }}
	_, err := Replay(ws, sliceSource([]Arrival{{5, 0, 1}}), func(*Outcome) error { return nil }, opt)
	if err == nil || !strings.Contains(err.Error(), "would need more than 100000000 rows at an interval of 1e-300 s") {
		t.Errorf("error %v, want the row limit", err)
	}
	if rows != 0 {
		t.Errorf("%d rows handed out before the error, want 0", rows)
	}
	// A coarser interval goes.
	opt.SeriesInterval = 1
	if _, err := Replay(ws, sliceSource([]Arrival{{5, 0, 1}}), func(*Outcome) error { return nil }, opt); err != nil {
		t.Errorf("interval 1 s: %v", err)
	}
}
