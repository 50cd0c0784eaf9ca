package sim

// This file holds the optional time series of instances (Options.SeriesInterval): per interval,
// the time-average running and idle VMs and the idle GB-seconds, integrated at the same warm-pool
// and VM-count changes as the summary's means and handed out as each interval closes.

import "fmt"

// SeriesRow is one interval of the instance time series: [Start, Start + Options.SeriesInterval),
// or up to the end of the simulation for the last one.
type SeriesRow struct {
	Start   float64 // seconds
	Running float64 // time-average of running (busy) VMs over the interval
	Idle    float64 // time-average of idle warm VMs
	IdleGBS float64 // GB-seconds held by idle warm VMs in the interval
}

// series integrates the live and idle VM counts and the idle memory over the current interval.
type series struct {
	step float64
	emit func(SeriesRow) error
	k    float64 // index of the current interval
	t    float64 // integrated up to this time
	// Areas over the current interval (VM-seconds, GB-seconds).
	live, idle, idleGB float64
}

// MaxSeriesRows bounds the rows of a series of instances (simulated time / interval). Rows are
// written as their intervals close, so memory does not grow with them, but each costs time and
// disk: 10^8 rows is more than three years at one-second intervals.
const MaxSeriesRows = 1e8

// checkSeries validates the series options.
func checkSeries(opt *Options) error {
	if d := opt.SeriesInterval; opt.OnSeries != nil && !(d > 0 && d <= MaxTime) {
		return fmt.Errorf("sim: series interval = %v s, want a number of seconds above 0 and at most %g", d, float64(MaxTime))
	}
	return nil
}

func (s *series) reset() { s.k, s.t, s.live, s.idle, s.idleGB = 0, 0, 0, 0, 0 }

// seriesTo integrates the current counts up to now, handing out every interval that closes. It
// runs before each change of e.live or e.idle.
func (e *engine) seriesTo() {
	s := e.ser
	if e.now/s.step > MaxSeriesRows {
		// Refused before the loop: at a tiny interval it would write rows for ages and, once
		// the interval index passes 2^53, never advance at all.
		if e.err == nil {
			e.err = fmt.Errorf("sim: the series of instances would need more than %d rows at an interval of %g s (already at simulated time %.6g s): "+
				"raise the series interval (rows are simulated time / interval, at most %d)", int64(MaxSeriesRows), s.step, e.now, int64(MaxSeriesRows))
		}
		return
	}
	live, idle := float64(e.live), float64(e.idle)
	for {
		end := (s.k + 1) * s.step
		if e.now < end {
			break
		}
		dt := end - s.t
		s.live += live * dt
		s.idle += idle * dt
		s.idleGB += e.idleGB * dt
		e.seriesRow(s.step)
		s.k++
		s.t = end
	}
	dt := e.now - s.t
	s.live += live * dt
	s.idle += idle * dt
	s.idleGB += e.idleGB * dt
	s.t = e.now
}

// seriesRow hands out the current interval, averaged over span seconds, and starts the next.
func (e *engine) seriesRow(span float64) {
	s := e.ser
	r := SeriesRow{Start: s.k * s.step, Running: max(s.live-s.idle, 0) / span, Idle: s.idle / span, IdleGBS: s.idleGB}
	s.live, s.idle, s.idleGB = 0, 0, 0
	if err := s.emit(r); err != nil && e.err == nil {
		e.err = err
	}
}

// seriesEnd closes the series at the end of the simulation: the last, partial interval is
// averaged over the part simulated.
func (e *engine) seriesEnd() error {
	if e.ser == nil {
		return nil
	}
	e.seriesTo()
	if span := e.now - e.ser.k*e.ser.step; span > 0 {
		e.seriesRow(span)
	}
	return e.err
}
