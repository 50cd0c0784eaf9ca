// Package figures draws the project's figures, in one style, with gonum/plot.
//
// Each renderer is a plain struct that a caller fills in and writes with Write(path), which
// produces path.png (900 x 600 pixels) and path.svg; path has no extension.
//
//   - CDF: the empirical CDFs of several named samples (Sample), e.g. E2E latency per policy.
//     Each curve is reduced to Points quantiles (default 300), so a million runs plot as fast
//     and as small as a hundred; samples no larger than that are drawn exactly, as staircases.
//   - Lines: y against x for several named series (XY), e.g. P95 latency against bundle size.
//     Series with at most 25 points also get markers.
//   - Bars: a grouped bar chart, categories along x and one bar per series (BarSeries) in each
//     group, optionally with the values printed above the bars.
//   - Scatter: unconnected points per series, optionally with the diagonal y = x for predicted
//     against measured values.
//   - CDFGrid: a grid of small CDF panels comparing two samples each (measured and simulated
//     stage latency per stage and memory size, in docs/calibration.md), written as one PNG in
//     gonum/plot's default look, which its byte-checked output keeps.
//
// Axis gives an axis its label, which should carry the unit ("E2E latency (s)"), a log10 scale
// (Log) for data that spans decades, and optionally a fixed range. Ref adds labelled reference
// lines (a latency target, the paper's number). For anything else, NewPlot returns a gonum plot
// in the same style and Save writes it like the renderers do; SeriesColor, SeriesLine and
// SeriesGlyph give series i its usual look.
//
// The style: a 4.5 x 3 in figure with Liberation Sans (bundled with gonum/plot, metric-compatible
// with Arial) at 9 to 10.5 pt, so that text is still about 7 pt when the figure is scaled to
// a paper's 3.3 in column; the Okabe-Ito colour-blind-safe palette, with a dash pattern per
// series so lines stay distinct in greyscale; a light grid; the title and then the legend in
// centred rows above the plot, where the legend cannot hide data; tick labels at 1, 2, 2.5 or 5
// times a power of ten, and on log axes at every decade (and 2 and 5 times it when the axis
// spans at most two decades). A reference line's label goes to an end of the line that no data
// line crosses. Tests check that every axis carries at least three labels and that no text
// overlaps other text, sits on a data line or leaves the figure (measured as gonum/plot draws
// it, from each string's advance width, ascent and descent).
//
// Bad data is an error, never a panic: NaN or infinite values, series of different lengths,
// empty series, a log axis with a fixed minimum <= 0. Values <= 0 on a log axis cannot be
// drawn and are dropped (a CDF still counts them in its fractions; a bar is left out).
//
// Output is deterministic: the same figure gives the same PNG and SVG bytes, which the golden
// tests check (testdata/*.png and *.svg; regenerate with `go test ./figures -regen` and look at
// the images before committing them). Files are written atomically (internal/atomicfile), so a
// reader never sees half a figure. The SVG names its font without embedding it and falls back
// to Arial or Helvetica. PDF is not offered: it embeds a creation time and is not byte-stable.
package figures
