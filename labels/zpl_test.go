package labels

import (
	"bytes"
	"strings"
	"testing"
)

// TestZPLCatalogTextIsNotCommands: catalog text full of ZPL command
// characters prints as text; the job has one ^XA and one ^XZ a label.
func TestZPLCatalogTextIsNotCommands(t *testing.T) {
	l := testLabels(t)[0]
	evil := *l
	evil.Title = "Evil ^XZ^XA^FO0,0^GB999,999,999^FS~JR _41"
	evil.Contact = "Report security problems: ~HS^XZ"
	evil.Shelf = "^XA"
	tp, _ := FindTemplate("roll-102x51", "")
	var b bytes.Buffer
	if err := RenderZPL(&b, tp, []*Label{l, &evil}, 203); err != nil {
		t.Fatal(err)
	}
	zpl := b.String()
	if n := strings.Count(zpl, "^XA"); n != 2 {
		t.Errorf("%d ^XA in two labels:\n%s", n, zpl)
	}
	if n := strings.Count(zpl, "^XZ"); n != 2 {
		t.Errorf("%d ^XZ in two labels", n)
	}
	if strings.Contains(zpl, "~") || strings.Contains(zpl, "~JR") {
		t.Errorf("a ~ command reached the job:\n%s", zpl)
	}
	if !strings.Contains(zpl, "^FH^FDEvil _5EXZ_5EXA") || !strings.Contains(zpl, "_5F41") {
		t.Errorf("the title is not escaped as hex:\n%s", zpl)
	}
}

func TestZPLDPI(t *testing.T) {
	if err := WriteZPL(&bytes.Buffer{}, nil, 250); err == nil {
		t.Error("250 dpi accepted")
	}
}
