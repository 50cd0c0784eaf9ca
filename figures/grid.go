package figures

import (
	"fmt"
	"image/color"
	"io"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/wisefuse/wisefuse/internal/atomicfile"
	"github.com/wisefuse/wisefuse/internal/stats"
)

// CDFGrid is a grid of small CDF panels, e.g. measured against simulated latency with one row
// per stage and one column per memory size (the calibration figures). Unlike the other
// renderers it keeps gonum/plot's default look, with a fixed style per series position (first
// solid blue, second dashed red) and the legend inside the top-left panel, and it writes a
// single PNG of 260 x 170 points per panel: its output is checked byte for byte against earlier
// runs, so its drawing must not follow changes to the house style.
type CDFGrid struct {
	Panels [][]CDFPanel // rows of panels; every row has the same number of panels
	// Points is how many evenly spaced quantiles (interpolated, stats.Percentile) each curve is
	// drawn through, plus one: default 200.
	Points int
}

// CDFPanel is one panel of a CDFGrid: the CDFs of up to two samples (only Name and Values of a
// Sample are used).
type CDFPanel struct {
	Title  string
	XLabel string
	Series []Sample
}

// gridLines are the series styles of a CDFGrid panel, by position.
var gridLines = []struct {
	color  color.Color
	dashed bool
}{
	{color.RGBA{R: 20, G: 60, B: 160, A: 255}, false},
	{color.RGBA{R: 200, G: 60, B: 20, A: 255}, true},
}

// WritePNG renders the grid to path, which is written as it is (a PNG, atomically).
func (g CDFGrid) WritePNG(path string) error {
	rows := len(g.Panels)
	if rows == 0 || len(g.Panels[0]) == 0 {
		return fmt.Errorf("figures: %s: no panels", path)
	}
	cols := len(g.Panels[0])
	points := g.Points
	if points <= 0 {
		points = 200
	}
	plots := make([][]*plot.Plot, rows)
	for i, row := range g.Panels {
		if len(row) != cols {
			return fmt.Errorf("figures: %s: row %d has %d panels, row 0 has %d", path, i, len(row), cols)
		}
		plots[i] = make([]*plot.Plot, cols)
		for j, panel := range row {
			if len(panel.Series) > len(gridLines) {
				return fmt.Errorf("figures: %q: %d series, at most %d", panel.Title, len(panel.Series), len(gridLines))
			}
			p := plot.New()
			p.Title.Text = panel.Title
			p.X.Label.Text = panel.XLabel
			p.Y.Label.Text = "CDF"
			p.Y.Min, p.Y.Max = 0, 1
			for k, s := range panel.Series {
				if len(s.Values) == 0 {
					return fmt.Errorf("figures: %q: series %q has no values", panel.Title, s.Name)
				}
				if err := checkFinite(panel.Title, s.Name, "Values", s.Values); err != nil {
					return err
				}
				l, err := plotter.NewLine(interpolatedCDF(s.Values, points))
				if err != nil {
					return fmt.Errorf("figures: %q: series %q: %w", panel.Title, s.Name, err)
				}
				l.Color = gridLines[k].color
				l.Width = vg.Points(1.2)
				if gridLines[k].dashed {
					l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
				}
				p.Add(l)
				if i == 0 && j == 0 {
					p.Legend.Add(s.Name, l)
				}
			}
			p.Legend.Top, p.Legend.Left = false, false
			p.Legend.YPosition = 0.1
			plots[i][j] = p
		}
	}
	img := vgimg.New(vg.Points(float64(260*cols)), vg.Points(float64(170*rows)))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(8), PadY: vg.Points(8),
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(4)}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		for j := range plots[i] {
			plots[i][j].Draw(canvases[i][j])
		}
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}

// interpolatedCDF reduces x to n+1 (value, fraction) points of its empirical CDF: the
// percentiles at n+1 evenly spaced fractions, interpolated between closest ranks.
func interpolatedCDF(x []float64, n int) plotter.XYs {
	s := slices.Clone(x)
	slices.Sort(s)
	pts := make(plotter.XYs, 0, n+1)
	for i := 0; i <= n; i++ {
		q := float64(i) / float64(n)
		pts = append(pts, plotter.XY{X: stats.Percentile(s, 100*q), Y: q})
	}
	return pts
}
