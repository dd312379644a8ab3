package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var engineColor = map[string]color.Color{
	"sqlite":   color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	"postgres": color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
}

// representative are the reports drawn one by one on the second chart.
var representative = []string{"activityStream", "systemPerformance", "goals", "videoInteraction"}

func writeCharts(r *Results, dir string) error {
	if err := scalingChart(r, filepath.Join(dir, "report-scaling.png")); err != nil {
		return err
	}
	return ratioChart(r, filepath.Join(dir, "benchmark-ratios.png"))
}

// eventTicks labels a log axis of event counts at the measured sizes
// (100k, 1M, 10M).
type eventTicks []float64

func (t eventTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for _, v := range t {
		if v >= min*0.9999 && v <= max*1.0001 {
			out = append(out, plot.Tick{Value: v, Label: shortCount(v)})
		}
	}
	return out
}

func shortCount(v float64) string {
	switch {
	case v >= 1e6:
		return strings.TrimSuffix(fmt.Sprintf("%.0fM", v/1e6), ".0")
	case v >= 1e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// secondTicks labels a log axis of seconds at 1-2-5 steps.
type secondTicks struct{}

func (secondTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for d := math.Pow(10, math.Floor(math.Log10(min))); d <= max*10; d *= 10 {
		for _, m := range []float64{1, 2, 3, 5} {
			v := d * m
			if v >= min*0.9999 && v <= max*1.0001 {
				out = append(out, plot.Tick{Value: v, Label: strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".")})
			}
		}
	}
	return out
}

func newLine(pts plotter.XYs, c color.Color, dashed bool, width vg.Length) (*plotter.Line, *plotter.Scatter, error) {
	l, s, err := plotter.NewLinePoints(pts)
	if err != nil {
		return nil, nil, err
	}
	l.Color, l.Width = c, width
	if dashed {
		l.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
	}
	s.Color = c
	s.Shape = draw.CircleGlyph{}
	s.Radius = vg.Points(3)
	return l, s, nil
}

// scalingChart draws report seconds against event count: the total of the
// 20 reports through the API and directly, and a few reports one by one.
func scalingChart(r *Results, path string) error {
	top := plot.New()
	top.Title.Text = "All 20 reports: total seconds vs events"
	bottom := plot.New()
	bottom.Title.Text = "Representative reports through the API (seconds)"
	var sizes eventTicks
	for _, e := range r.Engines {
		for _, p := range e.Points {
			if !slices.Contains(sizes, float64(p.Events)) {
				sizes = append(sizes, float64(p.Events))
			}
		}
	}
	for _, p := range []*plot.Plot{top, bottom} {
		p.X.Label.Text = "events (users = events / 100)"
		p.Y.Label.Text = "seconds"
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.X.Tick.Marker, p.Y.Tick.Marker = sizes, secondTicks{}
		p.Legend.Top, p.Legend.Left = true, true
		p.Add(plotter.NewGrid())
	}
	dashes := [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(3)}, {vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)}}
	for _, e := range r.Engines {
		if len(e.Points) == 0 {
			continue
		}
		var api, direct plotter.XYs
		per := map[string]plotter.XYs{}
		for _, p := range e.Points {
			a, d := p.totals()
			api = append(api, plotter.XY{X: float64(p.Events), Y: math.Max(a, 1e-3)})
			direct = append(direct, plotter.XY{X: float64(p.Events), Y: math.Max(d, 1e-3)})
			for _, rt := range p.Reports {
				per[rt.Report] = append(per[rt.Report], plotter.XY{X: float64(p.Events), Y: math.Max(rt.APISeconds, 1e-3)})
			}
		}
		c := engineColor[e.Engine]
		l, s, err := newLine(api, c, false, vg.Points(2))
		if err != nil {
			return err
		}
		top.Add(l, s)
		top.Legend.Add(e.Engine+" API", l, s)
		l, s, err = newLine(direct, c, true, vg.Points(2))
		if err != nil {
			return err
		}
		top.Add(l, s)
		top.Legend.Add(e.Engine+" direct SQL → CSV", l, s)
		for i, name := range representative {
			pts, ok := per[name]
			if !ok {
				continue
			}
			l, s, err := newLine(pts, c, false, vg.Points(1.5))
			if err != nil {
				return err
			}
			l.Dashes = dashes[i%len(dashes)]
			bottom.Add(l, s)
			bottom.Legend.Add(e.Engine+" "+name, l, s)
		}
	}
	// Room above the lines for the legend (a log axis: ×8 is 0.9 decade).
	for _, p := range []*plot.Plot{top, bottom} {
		p.Y.Max *= 8
		p.X.Min /= 1.3
		p.X.Max *= 1.3
	}
	const w, h = 7 * vg.Inch, 5 * vg.Inch
	c := vgimgCanvas(w, 2*h)
	dc := draw.New(c)
	top.Draw(draw.Crop(dc, 0, 0, h, 0))
	bottom.Draw(draw.Crop(dc, 0, 0, 0, -h))
	return savePNG(c, path)
}

// ratioChart draws each measure's API/baseline ratio by engine, with its
// target as a black bar across the group.
func ratioChart(r *Results, path string) error {
	type cat struct {
		label  string
		match  string
		target float64
	}
	cats := []cat{
		{"GET /users p50", "GET /users p50", 2},
		{"POST /users/bulk", "POST /users/bulk,", 3},
		{"POST /activities", "POST /activities,", 2},
		{"20 reports (total)", "20 reports", 1.5},
		{"builder deep page", "Report Builder", 2},
	}
	p := plot.New()
	p.Title.Text = "API / baseline ratio (lower is better; black bar = target)"
	p.Y.Label.Text = "ratio"
	p.Add(plotter.NewGrid())
	names := make([]string, len(cats))
	for i, c := range cats {
		names[i] = c.label
	}
	width := vg.Points(28)
	n := len(r.Engines)
	for k, e := range r.Engines {
		vals := make(plotter.Values, len(cats))
		for i, c := range cats {
			for _, m := range e.Measures {
				if strings.HasPrefix(m.Name, c.match) {
					vals[i] = m.Ratio
				}
			}
		}
		b, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return err
		}
		b.Color = engineColor[e.Engine]
		b.LineStyle.Width = 0
		b.Offset = vg.Length(float64(k)-float64(n-1)/2) * width
		p.Add(b)
		var xys plotter.XYs
		var labels []string
		for i, v := range vals {
			xys = append(xys, plotter.XY{X: float64(i) + (float64(k)-float64(n-1)/2)*0.28, Y: v})
			labels = append(labels, fmt.Sprintf("%.2f", v))
		}
		if lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels}); err == nil {
			for i := range lb.TextStyle {
				lb.TextStyle[i].XAlign = draw.XCenter
				lb.TextStyle[i].YAlign = draw.YBottom
			}
			p.Add(lb)
		}
		p.Legend.Add(e.Engine, b)
	}
	for i, c := range cats {
		l, err := plotter.NewLine(plotter.XYs{{X: float64(i) - 0.35, Y: c.target}, {X: float64(i) + 0.35, Y: c.target}})
		if err != nil {
			return err
		}
		l.Width = vg.Points(3)
		l.Color = color.Black
		p.Add(l)
	}
	p.Y.Min = 0
	p.Legend.Top = true
	p.NominalX(names...)
	return p.Save(8*vg.Inch, 4.5*vg.Inch, path)
}

func vgimgCanvas(w, h vg.Length) *vgimg.Canvas {
	return vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(110), vgimg.UseBackgroundColor(color.White))
}

func savePNG(c *vgimg.Canvas, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
