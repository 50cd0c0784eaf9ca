package figures

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// recorder is a vg.Canvas that draws nothing and keeps, in figure coordinates, the box of every
// string drawn (from the font's advance width, ascent and descent, as gonum/plot measures text)
// and every straight stroke at least a data line wide.
type recorder struct {
	m     [6]float64 // affine transform: x' = m0 x + m1 y + m2, y' = m3 x + m4 y + m5
	stack [][6]float64
	width vg.Length
	texts []textBox
	lines [][2]vg.Point
}

type textBox struct {
	text    string
	corners [4]vg.Point  // the text's box, turned with the text: bottom left, bottom right, top right, top left
	box     vg.Rectangle // the corners' bounding box
}

func newRecorder() *recorder { return &recorder{m: [6]float64{1, 0, 0, 0, 1, 0}} }

func (r *recorder) mul(n [6]float64) {
	m := r.m
	r.m = [6]float64{
		m[0]*n[0] + m[1]*n[3], m[0]*n[1] + m[1]*n[4], m[0]*n[2] + m[1]*n[5] + m[2],
		m[3]*n[0] + m[4]*n[3], m[3]*n[1] + m[4]*n[4], m[3]*n[2] + m[4]*n[5] + m[5],
	}
}

func (r *recorder) at(p vg.Point) vg.Point {
	x, y := float64(p.X), float64(p.Y)
	return vg.Point{X: vg.Length(r.m[0]*x + r.m[1]*y + r.m[2]), Y: vg.Length(r.m[3]*x + r.m[4]*y + r.m[5])}
}

func (r *recorder) Size() (vg.Length, vg.Length)        { return Width, Height }
func (r *recorder) SetLineWidth(w vg.Length)            { r.width = w }
func (r *recorder) SetLineDash([]vg.Length, vg.Length)  {}
func (r *recorder) SetColor(color.Color)                {}
func (r *recorder) Fill(vg.Path)                        {}
func (r *recorder) DrawImage(vg.Rectangle, image.Image) {}
func (r *recorder) Push()                               { r.stack = append(r.stack, r.m) }
func (r *recorder) Pop()                                { r.m, r.stack = r.stack[len(r.stack)-1], r.stack[:len(r.stack)-1] }
func (r *recorder) Translate(p vg.Point)                { r.mul([6]float64{1, 0, float64(p.X), 0, 1, float64(p.Y)}) }
func (r *recorder) Scale(x, y float64)                  { r.mul([6]float64{x, 0, 0, 0, y, 0}) }
func (r *recorder) Rotate(rad float64) {
	s, c := math.Sincos(rad)
	r.mul([6]float64{c, -s, 0, s, c, 0})
}

func (r *recorder) Stroke(p vg.Path) {
	if r.width < vg.Points(lineWidth) {
		return // grid, axes, ticks, reference lines
	}
	var prev vg.Point
	for _, c := range p {
		switch c.Type {
		case vg.MoveComp:
			prev = r.at(c.Pos)
		case vg.LineComp:
			next := r.at(c.Pos)
			r.lines = append(r.lines, [2]vg.Point{prev, next})
			prev = next
		}
	}
}

func (r *recorder) FillString(f font.Face, p vg.Point, s string) {
	ext := f.Extents()
	w := f.Width(s)
	corners := [4]vg.Point{
		r.at(vg.Point{X: p.X, Y: p.Y - ext.Descent}), r.at(vg.Point{X: p.X + w, Y: p.Y - ext.Descent}),
		r.at(vg.Point{X: p.X + w, Y: p.Y + ext.Ascent}), r.at(vg.Point{X: p.X, Y: p.Y + ext.Ascent}),
	}
	b := vg.Rectangle{Min: corners[0], Max: corners[0]}
	for _, c := range corners[1:] {
		b.Min.X, b.Min.Y = min(b.Min.X, c.X), min(b.Min.Y, c.Y)
		b.Max.X, b.Max.Y = max(b.Max.X, c.X), max(b.Max.Y, c.Y)
	}
	if strings.TrimSpace(s) != "" { // gonum/plot's blank placeholder labels
		r.texts = append(r.texts, textBox{s, corners, b})
	}
}

// overlaps lists the text boxes that overlap each other by more than tol, that a data line
// crosses, or that reach more than tol outside the figure. Boxes run from the font's descent to
// its ascent, which lies about 2 pt above capitals at 10 pt: a box can touch a neighbour's or the
// figure's edge a little while the letters stay clear.
func (r *recorder) overlaps(tol vg.Length) []string {
	var bad []string
	for i, a := range r.texts {
		if a.box.Min.X < -tol || a.box.Min.Y < -tol || a.box.Max.X > Width+tol || a.box.Max.Y > Height+tol {
			bad = append(bad, fmt.Sprintf("%q reaches outside the figure: %v", a.text, a.box))
		}
		for _, b := range r.texts[i+1:] {
			if quadsOverlap(a.corners, b.corners, tol) {
				bad = append(bad, fmt.Sprintf("%q overlaps %q", a.text, b.text))
			}
		}
		in := vg.Rectangle{Min: vg.Point{X: a.box.Min.X + tol, Y: a.box.Min.Y + tol}, Max: vg.Point{X: a.box.Max.X - tol, Y: a.box.Max.Y - tol}}
		for _, l := range r.lines {
			if a.corners[0].Y == a.corners[1].Y && segmentHitsRect(l[0], l[1], in) {
				bad = append(bad, fmt.Sprintf("a data line crosses %q", a.text))
				break
			}
		}
	}
	return bad
}

// quadsOverlap reports whether two rectangles, each possibly turned, overlap by more than tol
// along every one of their edge directions (the separating axis test).
func quadsOverlap(a, b [4]vg.Point, tol vg.Length) bool {
	for _, q := range [][4]vg.Point{a, b} {
		for k := 0; k < 2; k++ {
			ax := q[k+1].Sub(q[k])
			n := math.Hypot(float64(ax.X), float64(ax.Y))
			if n == 0 {
				continue
			}
			proj := func(p [4]vg.Point) (lo, hi float64) {
				lo, hi = math.Inf(1), math.Inf(-1)
				for _, c := range p {
					v := (float64(c.X)*float64(ax.X) + float64(c.Y)*float64(ax.Y)) / n
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
				return lo, hi
			}
			alo, ahi := proj(a)
			blo, bhi := proj(b)
			if math.Min(ahi, bhi)-math.Max(alo, blo) <= float64(tol) {
				return false
			}
		}
	}
	return true
}

// textLayout renders f as Write would and records its text and data lines.
func textLayout(t *testing.T, f interface {
	plot() (*plot.Plot, *legend, error)
}) *recorder {
	t.Helper()
	p, leg, err := f.plot()
	if err != nil {
		t.Fatal(err)
	}
	title := p.Title.Text
	p.Title.Text = ""
	r := newRecorder()
	drawFigure(draw.New(r), title, leg, p)
	return r
}

// TestNoOverlappingText: in every golden figure and in figures made to crowd (long legends that
// wrap, a reference line where the data runs, slanted category labels), no two pieces of text
// overlap (title, legend entries, tick and axis labels, reference and bar value labels), no data
// line crosses text, and no text leaves the figure.
func TestNoOverlappingText(t *testing.T) {
	cases := map[string]figure{}
	for name, f := range goldenFigures() {
		cases[name] = f
	}
	popX, popY := []float64{0.02, 0.1, 1, 3, 5, 6, 10, 100}, []float64{0.03, 0.1, 0.4, 0.8, 0.96, 0.97, 0.98, 1}
	cases["ref_on_data"] = Lines{
		Title:  "DAG popularity (1000 DAGs, 123456 invocations)",
		X:      Axis{Label: "Most popular DAGs (% of DAGs)", Log: true},
		Y:      Axis{Label: "Fraction of DAG invocations", Min: 0, Max: 1},
		Series: []XY{{"trace (top 5%: 95.0%)", popX, popY}},
		Refs:   []Ref{{"Azure: top 5% = 95%", 0.95}},
	}
	cases["long_legend"] = Bars{
		Title:      "WiseFuse cost relative to User-Max, by SLO",
		XLabel:     "Application",
		Categories: []string{"chatbot", "ml", "svd", "video"},
		Y:          Axis{Label: "Mean cost / User-Max's"},
		Series: []BarSeries{
			{Name: "SLO = User-Max P95 (relaxed to 1.05x on chatbot, ml; 1.10x on svd)", Values: []float64{0.41, 0.96, 0.21, 0.95}},
			{Name: "SLO = 1.25 x", Values: []float64{0.3, 0.91, 0.2, 0.47}},
			{Name: "SLO = 1.50 x", Values: []float64{0.28, 0.91, 0.2, 0.37}},
		},
		ValueFormat: "%.2f",
		Refs:        []Ref{{Value: 1}},
	}
	cases["slanted"] = Bars{
		Title:      "Slanted categories",
		Categories: []string{"a long category name", "another long category", "and a third one", "fourth", "fifth of them", "sixth"},
		Y:          Axis{Label: "Value", Log: true},
		Series:     []BarSeries{{Name: "one", Values: []float64{1, 20, 300, 4000, 5e4, 6e5}}},
	}
	for name, f := range cases {
		pf, ok := f.(interface {
			plot() (*plot.Plot, *legend, error)
		})
		if !ok {
			t.Fatalf("%s: %T has no plot method", name, f)
		}
		r := textLayout(t, pf)
		if len(r.texts) < 5 {
			t.Fatalf("%s: recorded %d strings, want the title, labels and ticks", name, len(r.texts))
		}
		for _, msg := range r.overlaps(vg.Points(1)) {
			t.Errorf("%s: %s", name, msg)
		}
	}
}

// The recorder finds overlaps: a reference label placed on the data, and two legend rows
// drawn on top of each other.
func TestOverlapCheckFindsOverlaps(t *testing.T) {
	r := textLayout(t, Lines{
		Title:  "Crossed",
		X:      Axis{Label: "x"},
		Y:      Axis{Label: "y"},
		Series: []XY{{"up", []float64{0, 1}, []float64{0, 1}}, {"down", []float64{0, 1}, []float64{1, 0}}},
		Refs:   []Ref{{"a reference label long enough to meet a line wherever it goes", 0.5}},
	})
	got := strings.Join(r.overlaps(vg.Points(1)), "\n")
	if !strings.Contains(got, "a data line crosses \"a reference label") {
		t.Errorf("a label across both lines was not reported; got:\n%s", got)
	}
	r = newRecorder()
	c := draw.New(r)
	leg := &legend{}
	leg.add("first", lineThumb{seriesLine(0)})
	leg.draw(c, Height-vg.Points(10))
	leg.draw(c, Height-vg.Points(14))
	if got := r.overlaps(vg.Points(1)); len(got) == 0 {
		t.Error("two legends 4 pt apart were not reported")
	}
}
