package figures

import (
	"testing"

	"gonum.org/v1/plot"
)

// labelled counts the ticks that carry a label.
func labelled(ticks []plot.Tick) (n int) {
	for _, t := range ticks {
		if t.Label != "" {
			n++
		}
	}
	return n
}

// TestAxesHaveThreeLabels: every axis range a figure can get, linear or log, carries at least
// three labelled ticks, and a log axis of many decades not too many.
func TestAxesHaveThreeLabels(t *testing.T) {
	for _, lo := range []float64{1e-4, 0.03, 0.7, 1, 2, 13, 250, 1e3, 4e6} {
		for _, ratio := range []float64{1.3, 1.6, 2, 3, 5, 9, 10, 30, 100, 1e3, 1e4, 1e6, 1e9} {
			hi := lo * ratio
			for _, bytes := range []bool{false, true} {
				if n := labelled(logTicks{bytes: bytes}.Ticks(lo, hi)); n < minLabels || n > 12 {
					t.Errorf("log axis %g..%g (bytes %v): %d labelled ticks, want 3..12", lo, hi, bytes, n)
				}
				if n := labelled(linearTicks{bytes: bytes}.Ticks(lo, hi)); n < minLabels {
					t.Errorf("linear axis %g..%g: %d labelled ticks, want >= 3", lo, hi, n)
				}
			}
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for v, want := range map[float64]string{500: "500 B", 1e3: "1 KB", 2.5e6: "2.5 MB", 1e9: "1 GB", 1e10: "10 GB"} {
		if got := formatBytes(v); got != want {
			t.Errorf("formatBytes(%g) = %q, want %q", v, got, want)
		}
	}
}
