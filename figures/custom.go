package figures

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"
)

// For a figure none of the renderers draws, start from NewPlot, style series with SeriesLine,
// SeriesColor and SeriesGlyph, and write it with Save: it then looks like every other figure.

// NewPlot returns an empty gonum/plot plot in the house style (fonts, ticks, grid, log scales
// as the axes ask). Unlike the renderers it cannot drop values <= 0 for a log axis: the caller
// must (gonum/plot panics on them), and must set the axis ranges if the data leave them empty.
func NewPlot(title string, x, y Axis) *plot.Plot {
	p, _ := newPlot(title, x, y)
	return p
}

// LegendEntry is one entry of a figure's legend: a name and the thumbnails drawn before it
// (gonum plotters such as *plotter.Line and *plotter.Scatter are thumbnailers).
type LegendEntry struct {
	Name   string
	Thumbs []plot.Thumbnailer
}

// Save writes p as path.png and path.svg (path has no extension) at the house size, with its
// title and the legend entries in rows above the plot. Entries added to p.Legend are drawn
// inside the plot by gonum/plot as usual; prefer the legend argument.
func Save(p *plot.Plot, path string, entries ...LegendEntry) error {
	leg := &legend{}
	for _, e := range entries {
		leg.add(e.Name, e.Thumbs...)
	}
	return save(p, leg, path)
}

// SeriesColor, SeriesLine and SeriesGlyph give series i the look it has in every figure: a
// colour of the Okabe-Ito palette, a dash pattern, a marker shape.
func SeriesColor(i int) color.Color   { return seriesColor(i) }
func SeriesLine(i int) draw.LineStyle { return seriesLine(i) }
func SeriesGlyph(i int) draw.GlyphStyle {
	return draw.GlyphStyle{Color: seriesColor(i), Shape: seriesGlyph(i), Radius: glyphRadius}
}
