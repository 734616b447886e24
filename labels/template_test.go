package labels

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindTemplate(t *testing.T) {
	tests := []struct {
		name           string
		labelW, labelH float64
		perPage        int
	}{
		{"avery-l7160", 63.5, 38.1, 21},
		{"Avery L7160", 63.5, 38.1, 21},
		{"AVERY_L7163", 99.1, 38.1, 14},
		{"avery-l7165", 99.1, 67.7, 8},
		{"roll-102x51", 101.6, 50.8, 1},
	}
	for _, tt := range tests {
		tp, err := FindTemplate(tt.name, "")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if tp.LabelW != tt.labelW || tp.LabelH != tt.labelH || tp.PerPage() != tt.perPage {
			t.Errorf("%s: %v × %v, %d a page", tt.name, tp.LabelW, tp.LabelH, tp.PerPage())
		}
		for _, p := range tp.Positions() {
			if p[0] < 0 || p[1] < 0 || p[0]+tp.LabelW > tp.PageW+0.01 || p[1]+tp.LabelH > tp.PageH+0.01 {
				t.Errorf("%s: a label at %v is off the page", tt.name, p)
			}
		}
	}
	if _, err := FindTemplate("avery-l9999", ""); err == nil || !strings.Contains(err.Error(), "built-in ones are avery-l7160") {
		t.Errorf("unknown template: %v", err)
	}
}

// TestGLabelsTemplates reads gLabels' XML: units, an equivalent part, a
// round label; and a file of its own when gLabels is not installed.
func TestGLabelsTemplates(t *testing.T) {
	dir := t.TempDir()
	xml := `<?xml version="1.0"?>
<Glabels-templates>
  <Template brand="Test" part="100" size="A4" _description="Rectangles">
    <Meta category="label"/>
    <Label-rectangle id="0" width="2.5in" height="30mm" round="5pt">
      <Markup-margin size="5"/>
      <Layout nx="2" ny="3" x0="10mm" y0="1cm" dx="3in" dy="36mm"/>
    </Label-rectangle>
  </Template>
  <Template brand="Test" part="L100" equiv="100"/>
  <Template brand="Test" part="R1" size="Other" width="100mm" height="100mm">
    <Label-round id="0" radius="20mm">
      <Layout nx="1" ny="1" x0="5mm" y0="5mm"/>
    </Label-round>
  </Template>
</Glabels-templates>`
	if err := os.WriteFile(filepath.Join(dir, "test-templates.xml"), []byte(xml), 0o644); err != nil {
		t.Fatal(err)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 0.01 }
	tp, err := FindTemplate("test-l100", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !near(tp.LabelW, 63.5) || !near(tp.LabelH, 30) || tp.PerPage() != 6 || !near(tp.Grids[0].DX, 76.2) || !near(tp.Grids[0].Y0, 10) || tp.PageW != 210 {
		t.Errorf("Test L100: %+v", tp)
	}
	r, err := FindTemplate("Test R1", dir)
	if err != nil || !near(r.LabelW, 40) || r.PageW != 100 {
		t.Errorf("Test R1: %+v, %v", r, err)
	}
	if _, err := FindTemplate("test-none", dir); err == nil || !strings.Contains(err.Error(), "no template") {
		t.Errorf("missing: %v", err)
	}
	if _, err := FindTemplate("test-none", filepath.Join(dir, "nowhere")); err == nil || !strings.Contains(err.Error(), "not installed") {
		t.Errorf("gLabels not installed: %v", err)
	}
	if _, err := os.Stat(GLabelsDir); err == nil {
		tp, err := FindTemplate("Avery L7160", GLabelsDir)
		if err != nil || tp.PerPage() != 21 || !near(tp.LabelH, 38.1) {
			t.Errorf("gLabels' Avery L7160: %+v, %v", tp, err)
		}
	}
}
