package main

import (
	"math"
	"path/filepath"
	"strings"

	"github.com/wisefuse/wisefuse/figures"
	"github.com/wisefuse/wisefuse/tables"
)

// seriesFigurePoints is the most points per line of a series figure: longer series are averaged
// over runs of consecutive intervals first.
const seriesFigurePoints = 500

// seriesFigureBase is where drawSeries writes the figures of table: its path without its
// extension, plus .png and .svg.
func seriesFigureBase(table string) string { return strings.TrimSuffix(table, filepath.Ext(table)) }

// drawSeries draws the instance time series in table (tables.SeriesSchema) as running and idle
// instances against time, to table's path without its extension plus .png and .svg, and returns
// that base. It reads the table twice (to count, then to average) rather than holding it.
func drawSeries(table, title string) (string, error) {
	n := 0
	if err := eachSeriesRow(table, func(_, _, _ float64) { n++ }); err != nil {
		return "", err
	}
	group := max(1, int(math.Ceil(float64(n)/seriesFigurePoints)))
	run := figures.XY{Name: "running"}
	idle := figures.XY{Name: "idle (warm)"}
	var t0, sr, si float64
	k := 0
	flush := func() {
		if k > 0 {
			run.X, run.Y = append(run.X, t0/3600), append(run.Y, sr/float64(k))
			idle.X, idle.Y = append(idle.X, t0/3600), append(idle.Y, si/float64(k))
		}
		sr, si, k = 0, 0, 0
	}
	err := eachSeriesRow(table, func(start, r, i float64) {
		if k == 0 {
			t0 = start
		}
		sr, si, k = sr+r, si+i, k+1
		if k == group {
			flush()
		}
	})
	if err != nil {
		return "", err
	}
	flush()
	base := seriesFigureBase(table)
	no := false
	return base, figures.Lines{Title: title, X: figures.Axis{Label: "Simulated time (h)"},
		Y: figures.Axis{Label: "Instances (mean per interval)"}, Series: []figures.XY{run, idle}, Markers: &no}.Write(base)
}

func eachSeriesRow(table string, fn func(start, running, idle float64)) error {
	r, err := tables.Open(table, tables.SeriesSchema)
	if err != nil {
		return err
	}
	defer r.Close()
	s := tables.SeriesSchema
	for r.Next() {
		fn(r.Float(s.Index("interval_start_s")), r.Float(s.Index("running")), r.Float(s.Index("idle")))
	}
	return r.Err()
}
