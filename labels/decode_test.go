package labels

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// withCheck completes 13 digits into a GTIN-14 with its check digit.
func withCheck(s string) string {
	sum := 0
	for i := range 13 {
		w := 1
		if i%2 == 0 {
			w = 3
		}
		sum += int(s[i]-'0') * w
	}
	return s + string(rune('0'+(10-sum%10)%10))
}

// testLabels are the demo catalog's labels, and one of each other
// symbology with a price and a shelf.
func testLabels(t testing.TB) []*Label {
	t.Helper()
	cat := demoCat(t)
	var items []Item
	for i, g := range demoGTINs {
		it := Item{GTIN: g}
		if i%2 == 0 {
			it.Price = fmt.Sprint(99 + 100*i)
		}
		items = append(items, it)
	}
	var ls []*Label
	for _, m := range MakeAll(cat, items, catalogDefault, demoCtx(cat)) {
		if m.Err != nil {
			t.Fatalf("%s: %v", m.Item.GTIN, m.Err)
		}
		ls = append(ls, m.Label)
	}
	for _, g := range []string{withCheck("0001234567890"), withCheck("1952000000001"), withCheck("0000009520000")} {
		ls = append(ls, &Label{
			GTIN: g, Title: SymbologyFor(g).String() + " test product", Support: "Security updates until March 2030",
			Passwords: "Passwords: unique password for each device", Contact: "Report security problems: example.com/security",
			QR: "https://example.com/support/" + g, Price: "£1,299.00", Shelf: "B12",
			Footer: "Checked 24 Nov 2026 · catalog of 90 records",
		})
	}
	return ls
}

// TestPDFDecodes prints sheets of every built-in template (and a gLabels
// one when gLabels' templates are installed), renders them at 300 dpi
// with pdftoppm, cuts out each label and reads it with zbarimg: each
// label's barcode must read as its own GTIN and its QR code as its own
// URL, and nothing else.
func TestPDFDecodes(t *testing.T) {
	ls := testLabels(t)
	templates := []string{"avery-l7160", "avery-l7163", "avery-l7165"}
	if _, err := os.Stat(GLabelsDir); err == nil {
		templates = append(templates, "Avery L7161")
	} else if os.Getenv("CI") == "true" {
		t.Errorf("gLabels' templates are not in %s, and CI=true: .ci/run should install glabels-data", GLabelsDir)
	}
	for _, name := range templates {
		t.Run(name, func(t *testing.T) {
			tp, err := FindTemplate(name, GLabelsDir)
			if err != nil {
				t.Fatal(err)
			}
			var pdf bytes.Buffer
			const skip = 1 // a part-used sheet: the labels start at the second place
			if err := RenderPDF(&pdf, tp, ls, SheetOptions{Skip: skip}); err != nil {
				t.Fatal(err)
			}
			const dpi = 300
			pages := renderPDF(t, pdf.Bytes(), dpi)
			per := tp.PerPage()
			if want := (len(ls) + skip + per - 1) / per; len(pages) != want {
				t.Fatalf("%d pages, want %d", len(pages), want)
			}
			dir := t.TempDir()
			pos := tp.Positions()
			var files []string
			for i := range ls {
				slot := i + skip
				p := pos[slot%per]
				img := crop(pages[slot/per], Rect{p[0], p[1], tp.LabelW, tp.LabelH}, dpi)
				f := filepath.Join(dir, fmt.Sprintf("label-%02d.png", i))
				writePNG(t, f, img)
				files = append(files, f)
			}
			got := decodeFiles(t, files)
			for i, l := range ls {
				if want := wantSymbols(l); !slices.Equal(got[files[i]], want) {
					t.Errorf("label %d (%s): zbarimg read %v, want %v", i, l.GTIN, got[files[i]], want)
				}
			}
			if t.Failed() {
				keep(t, name+".pdf", pdf.Bytes())
			}
		})
	}
}

// keep copies a failing test's output where a person can look at it.
func keep(t *testing.T, name string, data []byte) {
	dir := os.Getenv("LABELS_TEST_OUT")
	if dir == "" {
		return
	}
	p := filepath.Join(dir, strings.NewReplacer("/", "-", " ", "-").Replace(name))
	if err := os.WriteFile(p, data, 0o644); err == nil {
		t.Logf("kept %s", p)
	}
}

// TestPNGDecodes reads the PNG preview of each label.
func TestPNGDecodes(t *testing.T) {
	ls := testLabels(t)
	tp, err := FindTemplate("avery-l7160", "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	for i, l := range ls {
		var b bytes.Buffer
		if err := RenderPNG(&b, tp, l, 300); err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, fmt.Sprintf("label-%02d.png", i))
		if err := os.WriteFile(f, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	got := decodeFiles(t, files)
	for i, l := range ls {
		if want := wantSymbols(l); !slices.Equal(got[files[i]], want) {
			t.Errorf("label %d (%s): zbarimg read %v, want %v", i, l.GTIN, got[files[i]], want)
		}
	}
}

// zplRenderer is the directory where .ci/run installs zpl-renderer-js
// (npm ci in labels/testdata/node).
const zplRenderer = "testdata/node"

// TestZPLDecodes renders the ZPL of every label at 203 and 300 dpi with
// the npm package zpl-renderer-js and reads each with zbarimg.
func TestZPLDecodes(t *testing.T) {
	node := needTool(t, "node", "nodejs")
	if _, err := os.Stat(filepath.Join(zplRenderer, "node_modules", "zpl-renderer-js")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("zpl-renderer-js is not installed in labels/%s, and CI=true: .ci/run should run npm ci there", zplRenderer)
		}
		t.Skipf("zpl-renderer-js is not installed: run npm ci in labels/%s", zplRenderer)
	}
	// Rendering ZPL is slow (about half a second a label at 300 dpi):
	// a few demo labels and one of each other symbology.
	all := testLabels(t)
	ls := append(all[:3:3], all[len(all)-3:]...)
	for _, dpi := range []int{203, 300} {
		for _, name := range []string{"roll-102x51"} {
			t.Run(fmt.Sprintf("%s-%d", name, dpi), func(t *testing.T) {
				tp, err := FindTemplate(name, "")
				if err != nil {
					t.Fatal(err)
				}
				var zpl bytes.Buffer
				if err := RenderZPL(&zpl, tp, ls, dpi); err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				dpmm := map[int]string{203: "8", 300: "12"}[dpi]
				cmd := exec.Command(node, filepath.Join(zplRenderer, "render.js"),
					fmt.Sprint(tp.LabelW), fmt.Sprint(tp.LabelH), dpmm, filepath.Join(dir, "label"))
				cmd.Stdin = bytes.NewReader(zpl.Bytes())
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("render.js: %v\n%s", err, out)
				}
				var files []string
				for i := range ls {
					files = append(files, filepath.Join(dir, fmt.Sprintf("label-%d.png", i+1)))
				}
				got := decodeFiles(t, files)
				for i, l := range ls {
					want := wantSymbols(l)
					if !slices.Equal(got[files[i]], want) {
						t.Errorf("label %d (%s): zbarimg read %v, want %v", i, l.GTIN, got[files[i]], want)
					}
				}
				if t.Failed() {
					keep(t, fmt.Sprintf("%s-%d.zpl", name, dpi), zpl.Bytes())
				}
			})
		}
	}
}
