package labels

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// worstLabels are labels with the longest text each field can hold, on
// each symbology: what must never overlap.
func worstLabels() []*Label {
	var ls []*Label
	for _, g := range []string{withCheck("0952000000001"), withCheck("0001234567890"), withCheck("1952000000001"), withCheck("0000009520000")} {
		ls = append(ls, &Label{
			GTIN:      g,
			Title:     "Example " + strings.Repeat("Smart Home Hub Pro Max Ultra Wide ", 4)[:112],
			Support:   "Security updates until 30 September 2032",
			Note:      "Less than a year of security updates left.",
			Passwords: "Passwords: the same default password on every device (not allowed)",
			Contact:   "Report security problems: security.samsungmobile.com/securityReporting.smsb",
			QR:        "https://security.samsungmobile.com/securityReporting.smsb",
			Price:     "£99,999.99",
			Shelf:     "Aisle 12 Bay 4 Shelf 3",
			Footer:    "Checked 30 Sep 2026 · catalog of 123456 records · DEMO DATA",
			Demo:      true,
		})
	}
	// And the shortest.
	ls = append(ls, &Label{GTIN: withCheck("0952000000002"), Title: "X", Support: "Security updates until 2031",
		QR: "https://g.co/vulnz", Price: "£1.00", Footer: "Checked 1 Jan 2026"})
	return ls
}

// layoutSetups are every built-in template, as PDF and, for the rolls,
// as ZPL at 203 and 300 dpi.
var layoutSetups = []struct {
	template string
	dot      float64
}{
	{"avery-l7160", 0}, {"avery-l7163", 0}, {"avery-l7165", 0}, {"roll-102x51", 0}, {"roll-76x51", 0},
	{"roll-102x51", ZPLDot(203)}, {"roll-102x51", ZPLDot(300)}, {"roll-76x51", ZPLDot(300)},
}

// TestLayoutNothingOverlaps lays out the demo labels and the worst-case
// ones on every template: no two pieces of text overlap, none touches
// the DEMO tag (but its own word), the barcode or the QR code with their
// quiet zones, and everything is on the label. The headline is at least
// the template's least size and the largest text on the label; every
// price on a template has one size; the QR code is captioned.
func TestLayoutNothingOverlaps(t *testing.T) {
	ls := append(testLabels(t), worstLabels()...)
	for _, s := range layoutSetups {
		tp, err := FindTemplate(s.template, "")
		if err != nil {
			t.Fatal(err)
		}
		ds := DesignFor(tp.LabelW, tp.LabelH)
		priceSizes := map[float64]bool{}
		laidOut := 0
		for i, l := range ls {
			t.Run(fmt.Sprintf("%s/%.3f/%d-%s", s.template, s.dot, i, l.GTIN), func(t *testing.T) {
				d, err := Layout(l, tp.LabelW, tp.LabelH, LayoutOptions{Dot: s.dot})
				if err != nil {
					// Only a wide barcode (ITF-14, GS1-128: cases rather
					// than retail items) with the longest text may leave no
					// room, and is then refused with the reason.
					if SymbologyFor(l.GTIN) != EAN13 && SymbologyFor(l.GTIN) != UPCA && strings.Contains(err.Error(), "too small") {
						t.Logf("refused: %v", err)
						return
					}
					t.Fatal(err)
				}
				laidOut++
				checkDrawing(t, d, l, s.dot)
				checkNoOverlap(t, d)
				var head, most float64
				roles := map[string]int{}
				for _, tx := range d.Texts {
					roles[tx.Role]++
					switch tx.Role {
					case "headline":
						head = tx.Size
					case "price":
						priceSizes[tx.Size] = true
						if tx.S != l.Price {
							t.Errorf("price printed as %q, want %q", tx.S, l.Price)
						}
					case "hri":
						continue
					}
					if tx.Role != "headline" {
						most = max(most, tx.Size)
					}
				}
				if head < ds.Headline-1e-9 {
					t.Errorf("headline at %.1f pt, want at least %.1f", head, ds.Headline)
				}
				if head < most-1e-9 {
					t.Errorf("headline at %.1f pt is not the largest text (%.1f pt)", head, most)
				}
				if roles["title"] == 0 || roles["headline"] == 0 || roles["footer"] == 0 {
					t.Errorf("a title, headline and footer each, got %v", roles)
				}
				if l.QR != "" && roles["caption"] == 0 {
					t.Error("the QR code has no caption")
				}
				if l.Note != "" && roles["note"] == 0 {
					t.Error("the note was left out")
				}
				if l.Price != "" && roles["price"] != 1 {
					t.Errorf("%d price lines", roles["price"])
				}
			})
		}
		if len(priceSizes) > 1 {
			t.Errorf("%s: prices in %d sizes: %v", s.template, len(priceSizes), priceSizes)
		}
		if laidOut < len(ls)-2 {
			t.Errorf("%s: only %d of %d labels laid out", s.template, laidOut, len(ls))
		}
	}
}

// checkNoOverlap: no two text boxes overlap (a barcode's digits apart),
// and no text but DEMO's is on the DEMO tag.
func checkNoOverlap(t *testing.T, d *Drawing) {
	t.Helper()
	for i, a := range d.Texts {
		ab := textBox(a)
		for _, b := range d.Texts[i+1:] {
			if a.Role == "hri" && b.Role == "hri" {
				continue
			}
			if overlaps(ab, textBox(b)) {
				t.Errorf("%s %q %+v overlaps %s %q %+v", a.Role, a.S, ab, b.Role, b.S, textBox(b))
			}
		}
		for _, r := range d.Boxes {
			if a.Role != "demo" && overlaps(ab, r) {
				t.Errorf("%s %q is on the DEMO tag", a.Role, a.S)
			}
		}
	}
}

// TestLongNameEllipsis: a 120-character model name is shortened with an
// ellipsis to its line on every template, and the label is made.
func TestLongNameEllipsis(t *testing.T) {
	l := worstLabels()[0]
	for _, s := range layoutSetups {
		tp, _ := FindTemplate(s.template, "")
		d, err := Layout(l, tp.LabelW, tp.LabelH, LayoutOptions{Dot: s.dot})
		if err != nil {
			t.Fatalf("%s: %v", s.template, err)
		}
		var title []string
		for _, tx := range d.Texts {
			if tx.Role == "title" {
				title = append(title, tx.S)
			}
		}
		if len(title) == 0 || !strings.HasSuffix(title[len(title)-1], "…") || !strings.HasPrefix(l.Title, strings.TrimSuffix(title[0], "…")) {
			t.Errorf("%s: title printed as %q", s.template, title)
		}
	}
}

// TestHeadlineSizes: the headline is at least 10 pt on Avery L7160 and
// 14 pt on L7165 for every demo label.
func TestHeadlineSizes(t *testing.T) {
	for _, tt := range []struct {
		template string
		least    float64
	}{{"avery-l7160", 10}, {"avery-l7163", 10}, {"avery-l7165", 14}} {
		tp, _ := FindTemplate(tt.template, "")
		for _, l := range testLabels(t) {
			d, err := Layout(l, tp.LabelW, tp.LabelH, LayoutOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, tx := range d.Texts {
				if tx.Role == "headline" && tx.Size < tt.least {
					t.Errorf("%s %s: headline %q at %.1f pt, want at least %.0f", tt.template, l.GTIN, tx.S, tx.Size, tt.least)
				}
			}
		}
	}
}

// TestDropOrder: on L7160, text that does not fit loses the password
// line first, then the contact line; never the headline, note or price.
func TestDropOrder(t *testing.T) {
	tp, _ := FindTemplate("avery-l7160", "")
	base := testLabels(t)[0]
	tests := []struct {
		name          string
		note          string
		wantPasswords bool
		wantContact   bool
	}{
		{"room for all", "", true, true},
		{"a note: passwords go", "Less than a year of security updates left.", false, true},
		{"a note and a two-line headline: contact goes too", "Less than a year of security updates left.", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := *base
			l.Support = "Security updates until 2031"
			if strings.Contains(tt.name, "two-line") {
				l.Support = "Security updates until 10 September 2027"
			}
			l.Note = tt.note
			l.Price = "£1,299.00"
			d, err := Layout(&l, tp.LabelW, tp.LabelH, LayoutOptions{})
			if err != nil {
				t.Fatal(err)
			}
			roles := map[string]bool{}
			for _, tx := range d.Texts {
				roles[tx.Role] = true
			}
			if roles["passwords"] != tt.wantPasswords || roles["contact"] != tt.wantContact {
				t.Errorf("passwords %v, contact %v; want %v, %v", roles["passwords"], roles["contact"], tt.wantPasswords, tt.wantContact)
			}
			if !roles["headline"] || !roles["price"] || tt.note != "" && !roles["note"] {
				t.Errorf("a line that must stay was dropped: %v", roles)
			}
		})
	}
}

// TestQRLookAlikeHost: a contact on a look-alike Unicode host (Cyrillic
// а in "exаmple") is printed and put in the QR code as its punycode
// name, the address a phone would open.
func TestQRLookAlikeHost(t *testing.T) {
	res := &catalog.Result{GTIN: "09520000000011", Verdict: catalog.OK, Declaration: &catalog.Declaration{
		Brand: "Example", Model: "Phone", Passwords: "user-defined",
		Contacts: []string{"https://ex\u0430mple.com/security"},
	}}
	l, err := Make(res, Item{GTIN: res.GTIN}, Context{Checked: demoDay})
	if err != nil {
		t.Fatal(err)
	}
	const want = "https://xn--exmple-4nf.com/security"
	if l.QR != want || !strings.Contains(l.Contact, "xn--exmple-4nf.com/security") {
		t.Fatalf("QR %q, contact %q; want the punycode host %s", l.QR, l.Contact, want)
	}
	for _, r := range l.QR + l.Contact {
		if r >= 0x80 {
			t.Fatalf("non-ASCII %q in the printed address", r)
		}
	}
	tp, _ := FindTemplate("avery-l7160", "")
	d, err := Layout(l, tp.LabelW, tp.LabelH, LayoutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.QR == nil || d.QR.Data != want {
		t.Fatalf("the QR code holds %v", d.QR)
	}
	var png bytes.Buffer
	if err := WritePNG(&png, d, 300); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "lookalike.png")
	if err := os.WriteFile(f, png.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := decodeFiles(t, []string{f})[f]; !slices.Contains(got, symbol{"QR-Code", want}) {
		t.Errorf("zbarimg read %v, want the QR code %s", got, want)
	}
}

// TestOneBadLabel: a label that cannot be laid out is refused alone, in
// every output; the others are made, and a printer gets only them.
func TestOneBadLabel(t *testing.T) {
	good := testLabels(t)[:2]
	bad := *good[0]
	bad.GTIN = withCheck("0952000000999")
	bad.Note = strings.Repeat("A notice far too long for any shelf label. ", 12) // never shortened
	ls := []*Label{good[0], &bad, good[1]}
	tp, _ := FindTemplate("roll-76x51", "")
	sheet, _ := FindTemplate("avery-l7160", "")
	for _, o := range []Output{{Template: tp, Format: "zpl"}, {Template: sheet, Format: "pdf"}, {Template: sheet, Format: "png"}} {
		t.Run(o.Format, func(t *testing.T) {
			ds, errs := o.Layout(ls)
			var le *LayoutError
			if ds[1] != nil || !errors.As(errs[1], &le) || le.Index != 1 || le.GTIN != bad.GTIN || le.Template != o.Template.Name {
				t.Fatalf("the bad label: %v, %v", ds[1], errs[1])
			}
			if !strings.Contains(errs[1].Error(), bad.GTIN+": no label on "+o.Template.Name+": ") {
				t.Errorf("error %q does not name the product and template", errs[1])
			}
			if ds[0] == nil || ds[2] == nil || errs[0] != nil || errs[2] != nil {
				t.Fatalf("the good labels: %v", errs)
			}
			if _, err := o.Render(ls); err == nil {
				t.Error("Render made a document with a label missing")
			}
			if _, err := o.Write([]*Drawing{ds[0], ds[2]}); err != nil {
				t.Error(err)
			}
		})
	}
	// Printing: the job has the two good labels, the journal says so.
	spool, err := OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "printed.zpl")
	p, err := OpenPrinter("file:" + out)
	if err != nil {
		t.Fatal(err)
	}
	items := []Item{{GTIN: good[0].GTIN}, {GTIN: bad.GTIN}, {GTIN: good[1].GTIN}}
	res, err := Print(t.Context(), spool, p, Output{Template: tp, Format: "zpl"}, items, ls, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Refused) != 1 || len(res.Job.Labels) != 2 {
		t.Fatalf("refused %v, job of %d labels; want 1 and 2", res.Refused, len(res.Job.Labels))
	}
	data, _ := os.ReadFile(out)
	if n := strings.Count(string(data), "^XA"); n != 2 {
		t.Errorf("the printer got %d labels, want 2", n)
	}
	journal, err := spool.Journal()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := journal[items[1].Key()]; ok || len(journal) != 2 {
		t.Errorf("journal %v: want the two printed labels only", journal)
	}
}

// TestGoldenPictures renders one label on each built-in template (PNG
// preview at 300 dpi, as zbarimg must read it) and a 76 × 51 mm ZPL label at 203 dpi (through
// zpl-renderer-js) and compares them with docs/labels/*.png, which the
// README shows; -update rewrites them. zbarimg reads every code on them.
func TestGoldenPictures(t *testing.T) {
	cat := demoCat(t)
	items := []Item{{GTIN: "09520000000011", Price: "499", Shelf: "A3"}, {GTIN: "09520000000080", Price: "349.99"}, {GTIN: "09520000000219", Price: "1299"}}
	var ls []*Label
	for _, m := range MakeAll(cat, items, catalogDefault, demoCtx(cat)) {
		if m.Err != nil {
			t.Fatal(m.Err)
		}
		ls = append(ls, m.Label)
	}
	dir := filepath.Join("..", "docs", "labels")
	var files []string
	var want [][]symbol
	for i, name := range Builtin() {
		tp, _ := FindTemplate(name, "")
		l := ls[i%len(ls)]
		var b bytes.Buffer
		if err := RenderPNG(&b, tp, l, 300); err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, name+".png")
		goldenPicture(t, f, b.Bytes())
		files = append(files, f)
		want = append(want, wantSymbols(l))
	}
	if zpl := renderZPLPicture(t, ls[0]); zpl != nil {
		f := filepath.Join(dir, "roll-76x51-zpl-203dpi.png")
		goldenPicture(t, f, zpl)
		files = append(files, f)
		want = append(want, wantSymbols(ls[0]))
	}
	got := decodeFiles(t, files)
	for i, f := range files {
		if !slices.Equal(got[f], want[i]) {
			t.Errorf("%s: zbarimg read %v, want %v", f, got[f], want[i])
		}
	}
}

// goldenPicture compares data with the file name (-update rewrites it;
// the flag is receipt_test.go's).
func goldenPicture(t *testing.T, name string, data []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("%v (go test ./labels -run TestGoldenPictures -update writes it)", err)
	}
	if !bytes.Equal(old, data) {
		keep(t, filepath.Base(name), data)
		t.Errorf("%s differs from what the labels draw now: look at both, then -update", name)
	}
}

// renderZPLPicture is l as ZPL for a 76 × 51 mm label at 203 dpi, drawn
// back to a PNG by zpl-renderer-js; nil (the test skipped in part) when
// that is not installed and CI is not true.
func renderZPLPicture(t *testing.T, l *Label) []byte {
	t.Helper()
	if _, err := os.Stat(filepath.Join(zplRenderer, "node_modules", "zpl-renderer-js")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("zpl-renderer-js is not installed in labels/%s, and CI=true", zplRenderer)
		}
		t.Logf("zpl-renderer-js is not installed: the ZPL picture is not checked")
		return nil
	}
	node := needTool(t, "node", "nodejs")
	tp, _ := FindTemplate("roll-76x51", "")
	var zpl bytes.Buffer
	if err := RenderZPL(&zpl, tp, []*Label{l}, 203); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(node, filepath.Join(zplRenderer, "render.js"), fmt.Sprint(tp.LabelW), fmt.Sprint(tp.LabelH), "8", filepath.Join(dir, "label"))
	cmd.Stdin = &zpl
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("render.js: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "label-1.png"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
