package figures

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legend is a figure's key. It is drawn in centred rows between the title and the plot rather
// than inside the data area, where it would hide data in some figure sooner or later; rows wrap
// when the entries do not fit the width.
type legend struct{ entries []legendEntry }

type legendEntry struct {
	name   string
	thumbs []plot.Thumbnailer
}

const (
	thumbWidth = 18 // points
	entryGap   = 12 // points between entries
	iconGap    = 4  // points between a thumbnail and its name
)

func (l *legend) add(name string, thumbs ...plot.Thumbnailer) {
	if name != "" {
		l.entries = append(l.entries, legendEntry{name, thumbs})
	}
}

// rows splits the entries into rows that fit width, returning each row's entry indices and width.
func (l *legend) rows(width vg.Length) (rows [][]int, widths []vg.Length) {
	sty := textStyle(sans, legendSize)
	var row []int
	w := vg.Length(0)
	for i, e := range l.entries {
		ew := vg.Points(thumbWidth+iconGap) + sty.Width(e.name)
		if len(row) > 0 && w+vg.Points(entryGap)+ew > width {
			rows, widths = append(rows, row), append(widths, w)
			row, w = nil, 0
		}
		if len(row) > 0 {
			w += vg.Points(entryGap)
		}
		row = append(row, i)
		w += ew
	}
	if len(row) > 0 {
		rows, widths = append(rows, row), append(widths, w)
	}
	return rows, widths
}

// draw draws the legend with its top at top and returns the height it took (0 when empty).
func (l *legend) draw(c draw.Canvas, top vg.Length) vg.Length {
	if l == nil || len(l.entries) == 0 {
		return 0
	}
	sty := textStyle(sans, legendSize)
	ext := sty.FontExtents()
	rowH := ext.Height + vg.Points(1)
	rows, widths := l.rows(c.Size().X - vg.Points(12))
	for r, row := range rows {
		baseline := top - vg.Length(r)*rowH - ext.Ascent
		x := c.Center().X - widths[r]/2
		for _, i := range row {
			e := l.entries[i]
			mid := baseline + ext.Ascent*0.35 // the middle of lower-case letters
			icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: mid - vg.Points(3.5)},
				Max: vg.Point{X: x + vg.Points(thumbWidth), Y: mid + vg.Points(3.5)},
			}}
			for _, t := range e.thumbs {
				t.Thumbnail(&icon)
			}
			x += vg.Points(thumbWidth + iconGap)
			c.FillText(sty, vg.Point{X: x, Y: baseline}, e.name)
			x += sty.Width(e.name) + vg.Points(entryGap)
		}
	}
	return vg.Length(len(rows))*rowH + ext.Descent
}
