package labels

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Template is the geometry of a label sheet or a roll, in millimetres.
type Template struct {
	Name        string // as chosen: "avery-l7160", "Avery L7160"
	Description string
	PageW       float64 // the page; for a roll, one label
	PageH       float64
	LabelW      float64
	LabelH      float64
	Round       float64 // corner radius, for outlines in previews
	Grids       []Grid  // where the labels are on a page
}

// Grid is a block of labels on a page: NX × NY labels, the first at X0,
// Y0, the next DX across and DY down.
type Grid struct {
	NX, NY         int
	X0, Y0, DX, DY float64
}

// PerPage is the number of labels on one page.
func (t *Template) PerPage() int {
	n := 0
	for _, g := range t.Grids {
		n += g.NX * g.NY
	}
	return n
}

// Positions lists the top-left corner of every label on a page, row by
// row.
func (t *Template) Positions() [][2]float64 {
	var ps [][2]float64
	for _, g := range t.Grids {
		for y := range g.NY {
			for x := range g.NX {
				ps = append(ps, [2]float64{g.X0 + float64(x)*g.DX, g.Y0 + float64(y)*g.DY})
			}
		}
	}
	return ps
}

const a4W, a4H = 210, 297

// builtin are the sheets and rolls smartcheck knows without gLabels:
// Avery's A4 sheets (the geometry Avery publishes for them) and
// two thermal label sizes for ZPL printers.
var builtin = []Template{
	{Name: "avery-l7160", Description: "Avery L7160: 21 labels 63.5 × 38.1 mm on A4", PageW: a4W, PageH: a4H,
		LabelW: 63.5, LabelH: 38.1, Round: 1.76, Grids: []Grid{{3, 7, 7.21, 15.15, 66.04, 38.1}}},
	{Name: "avery-l7163", Description: "Avery L7163: 14 labels 99.1 × 38.1 mm on A4", PageW: a4W, PageH: a4H,
		LabelW: 99.1, LabelH: 38.1, Round: 1.76, Grids: []Grid{{2, 7, 4.65, 15.15, 101.6, 38.1}}},
	{Name: "avery-l7165", Description: "Avery L7165: 8 labels 99.1 × 67.7 mm on A4", PageW: a4W, PageH: a4H,
		LabelW: 99.1, LabelH: 67.7, Grids: []Grid{{2, 4, 4.65, 13.1, 101.6, 67.7}}},
	{Name: "roll-102x51", Description: "thermal roll: 102 × 51 mm (4 × 2 in) labels", PageW: 101.6, PageH: 50.8,
		LabelW: 101.6, LabelH: 50.8, Grids: []Grid{{1, 1, 0, 0, 101.6, 50.8}}},
	{Name: "roll-76x51", Description: "thermal roll: 76 × 51 mm (3 × 2 in) labels", PageW: 76.2, PageH: 50.8,
		LabelW: 76.2, LabelH: 50.8, Grids: []Grid{{1, 1, 0, 0, 76.2, 50.8}}},
}

// Builtin lists the built-in templates' names.
func Builtin() []string {
	var names []string
	for _, t := range builtin {
		names = append(names, t.Name)
	}
	return names
}

// GLabelsDir is where Debian's glabels-data installs gLabels' templates.
const GLabelsDir = "/usr/share/libglabels-3.0/templates"

// FindTemplate returns the template called name: a built-in one, or one
// of gLabels' templates in glabelsDir (brand and part, "Avery L7160";
// case, spaces and hyphens do not matter).
func FindTemplate(name, glabelsDir string) (*Template, error) {
	key := normName(name)
	for _, t := range builtin {
		if normName(t.Name) == key {
			t := t
			return &t, nil
		}
	}
	if glabelsDir == "" {
		return nil, fmt.Errorf("no template %q: built-in ones are %s", name, strings.Join(Builtin(), ", "))
	}
	t, err := findGLabels(key, glabelsDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no template %q: built-in ones are %s; gLabels' templates are not installed (%s; Debian package glabels-data)",
			name, strings.Join(Builtin(), ", "), glabelsDir)
	}
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, fmt.Errorf("no template %q among the built-in ones (%s) or gLabels' in %s", name, strings.Join(Builtin(), ", "), glabelsDir)
	}
	t.Name = name
	return t, nil
}

func normName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r != ' ' && r != '-' && r != '_' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// gLabels' template files (libglabels-3.0/templates/*-templates.xml).
type glTemplates struct {
	Templates []glTemplate `xml:"Template"`
}

type glTemplate struct {
	Brand       string    `xml:"brand,attr"`
	Part        string    `xml:"part,attr"`
	Equiv       string    `xml:"equiv,attr"`
	Size        string    `xml:"size,attr"`
	Width       string    `xml:"width,attr"`
	Height      string    `xml:"height,attr"`
	Description string    `xml:"_description,attr"`
	Labels      []glLabel `xml:",any"`
}

type glLabel struct {
	XMLName xml.Name
	Width   string     `xml:"width,attr"`
	Height  string     `xml:"height,attr"`
	Radius  string     `xml:"radius,attr"` // Label-round
	Round   string     `xml:"round,attr"`
	Layouts []glLayout `xml:"Layout"`
}

type glLayout struct {
	NX string `xml:"nx,attr"`
	NY string `xml:"ny,attr"`
	X0 string `xml:"x0,attr"`
	Y0 string `xml:"y0,attr"`
	DX string `xml:"dx,attr"`
	DY string `xml:"dy,attr"`
}

// paperSizes are the page sizes gLabels' templates name (paper-sizes.xml).
var paperSizes = map[string][2]float64{
	"A4": {210, 297}, "A5": {148, 210}, "A3": {297, 420}, "A6": {105, 148},
	"US-Letter": {215.9, 279.4}, "US-Legal": {215.9, 355.6}, "US-Executive": {184.15, 266.7},
}

func findGLabels(key, dir string) (*Template, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*-templates.xml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fs.ErrNotExist
	}
	slices.Sort(files)
	var all []glTemplate
	var found *glTemplate
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var ts glTemplates
		if err := xml.Unmarshal(data, &ts); err != nil {
			return nil, fmt.Errorf("gLabels template file %s: %v", f, err)
		}
		for i := range ts.Templates {
			t := &ts.Templates[i]
			all = append(all, *t)
			if found == nil && normName(t.Brand+t.Part) == key {
				found = t
			}
		}
	}
	if found == nil {
		return nil, nil
	}
	t := *found
	if t.Equiv != "" {
		// An equivalent part shares another's geometry.
		for _, o := range all {
			if o.Brand == t.Brand && o.Part == t.Equiv && o.Equiv == "" {
				o.Part = t.Part
				t = o
				break
			}
		}
		if t.Equiv != "" {
			return nil, fmt.Errorf("gLabels template %s %s: its equivalent %s is not there", t.Brand, t.Part, t.Equiv)
		}
	}
	return t.geometry()
}

func (t glTemplate) geometry() (*Template, error) {
	name := t.Brand + " " + t.Part
	out := &Template{Description: strings.TrimSpace(name + ": " + t.Description)}
	if ps, ok := paperSizes[t.Size]; ok {
		out.PageW, out.PageH = ps[0], ps[1]
	} else {
		var err1, err2 error
		out.PageW, err1 = glLength(t.Width)
		out.PageH, err2 = glLength(t.Height)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("gLabels template %s: page size %q: %v", name, t.Size, err)
		}
	}
	for _, l := range t.Labels {
		switch l.XMLName.Local {
		case "Label-rectangle", "Label-ellipse", "Label-cd", "Label-round", "Label-path", "Label-continuous":
		default:
			continue
		}
		var err error
		if l.XMLName.Local == "Label-round" || l.XMLName.Local == "Label-cd" {
			var r float64
			if r, err = glLength(l.Radius); err != nil {
				return nil, fmt.Errorf("gLabels template %s: radius: %v", name, err)
			}
			out.LabelW, out.LabelH, out.Round = 2*r, 2*r, r
		} else {
			var err1, err2 error
			out.LabelW, err1 = glLength(l.Width)
			out.LabelH, err2 = glLength(l.Height)
			if err := errors.Join(err1, err2); err != nil {
				return nil, fmt.Errorf("gLabels template %s: label size: %v", name, err)
			}
			if l.Round != "" {
				out.Round, _ = glLength(l.Round)
			}
		}
		for _, g := range l.Layouts {
			var gr Grid
			nx, err1 := strconv.Atoi(g.NX)
			ny, err2 := strconv.Atoi(g.NY)
			x0, err3 := glLength(g.X0)
			y0, err4 := glLength(g.Y0)
			dx, err5 := glLengthOr(g.DX, 0)
			dy, err6 := glLengthOr(g.DY, 0)
			if err := errors.Join(err1, err2, err3, err4, err5, err6); err != nil || nx < 1 || ny < 1 {
				return nil, fmt.Errorf("gLabels template %s: bad Layout %+v", name, g)
			}
			gr = Grid{nx, ny, x0, y0, dx, dy}
			out.Grids = append(out.Grids, gr)
		}
		break // the first label shape is the sheet's
	}
	if out.LabelW <= 0 || out.LabelH <= 0 || len(out.Grids) == 0 || out.PageW <= 0 || out.PageH <= 0 {
		return nil, fmt.Errorf("gLabels template %s: no label geometry smartcheck can use", name)
	}
	return out, nil
}

// glLength reads a gLabels length: a number with a unit (pt, mm, cm, in,
// pc), points when it has none.
func glLength(s string) (float64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mm     float64
	}{{"mm", 1}, {"cm", 10}, {"in", 25.4}, {"pt", ptMM}, {"pc", 12 * ptMM}}
	mul := ptMM
	for _, u := range units {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mul = v, u.mm
			break
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("length %q", s)
	}
	return f * mul, nil
}

func glLengthOr(s string, def float64) (float64, error) {
	if s == "" {
		return def, nil
	}
	return glLength(s)
}
