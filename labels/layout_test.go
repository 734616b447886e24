package labels

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func overlaps(a, b Rect) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

func inside(a Rect, w, h float64) bool {
	const eps = 1e-6
	return a.X >= -eps && a.Y >= -eps && a.X+a.W <= w+eps && a.Y+a.H <= h+eps
}

// textBox is the area a line of text inks, roughly: cap height above the
// baseline, descenders below.
func textBox(t Text) Rect {
	h := t.Size * ptMM
	return Rect{t.X, t.Y - 0.75*h, textWidth(t.S, t.Bold, t.Size), 0.95 * h}
}

// TestLayoutGS1Limits lays every test label out on every template and
// dot size and checks what GS1 and issue 5 ask of the symbols:
// X-dimension 0.264–0.660 mm, EAN/UPC bars at full height for their X
// (not truncated), quiet zones (EAN-13 11X left, 7X right; QR 4 modules)
// on the label and clear of all other ink, QR modules of at least 0.4 mm,
// modules in whole printer dots, and all text on the label.
func TestLayoutGS1Limits(t *testing.T) {
	ls := testLabels(t)
	type setup struct {
		template string
		dot      float64
	}
	setups := []setup{
		{"avery-l7160", 0}, {"avery-l7163", 0}, {"avery-l7165", 0},
		{"roll-102x51", ZPLDot(203)}, {"roll-102x51", ZPLDot(300)}, {"roll-76x51", ZPLDot(300)},
	}
	for _, s := range setups {
		tp, err := FindTemplate(s.template, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			t.Run(fmt.Sprintf("%s/%.3f/%s", s.template, s.dot, l.GTIN), func(t *testing.T) {
				d, err := Layout(l, tp.LabelW, tp.LabelH, LayoutOptions{Dot: s.dot})
				if err != nil {
					t.Fatal(err)
				}
				checkDrawing(t, d, l, s.dot)
			})
		}
	}
}

func checkDrawing(t *testing.T, d *Drawing, l *Label, dot float64) {
	t.Helper()
	b := d.Barcode
	if b.Module < minX-1e-9 || b.Module > maxX+1e-9 {
		t.Errorf("X-dimension %.3f mm, want 0.264 to 0.660", b.Module)
	}
	if dot > 0 && math.Abs(b.Module/dot-math.Round(b.Module/dot)) > 1e-6 {
		t.Errorf("X-dimension %.4f mm is not whole dots of %.4f", b.Module, dot)
	}
	switch b.Symbology {
	case EAN13:
		if b.QuietLeft != 11 || b.QuietRight != 7 {
			t.Errorf("EAN-13 quiet zones %dX, %dX; want 11X, 7X", b.QuietLeft, b.QuietRight)
		}
		fallthrough
	case UPCA:
		if want := 22.85 * b.Module / 0.33; b.BarH < want-1e-9 {
			t.Errorf("bars %.2f mm high, want %.2f at X %.3f: truncated", b.BarH, want, b.Module)
		}
	}
	bb := b.Bounds()
	if !inside(bb, d.W, d.H) {
		t.Errorf("barcode with quiet zones %+v is not on the %.1f × %.1f label", bb, d.W, d.H)
	}
	for _, r := range b.Rects() {
		if !inside(Rect{r.X - margin, r.Y - margin, r.W + 2*margin, r.H + 2*margin}, d.W, d.H) && !inside(r, d.W, d.H) {
			t.Errorf("bar %+v is off the label", r)
		}
	}
	var qb Rect
	if q := d.QR; q != nil {
		if q.Module < minQR-1e-9 {
			t.Errorf("QR modules %.3f mm, want at least 0.4", q.Module)
		}
		if q.Quiet < 4 {
			t.Errorf("QR quiet zone %d modules, want 4", q.Quiet)
		}
		qb = q.Bounds()
		if !inside(qb, d.W, d.H) {
			t.Errorf("QR code with quiet zone %+v is not on the label", qb)
		}
		if overlaps(qb, bb) {
			t.Errorf("QR code %+v and barcode %+v quiet zones overlap", qb, bb)
		}
	} else if l.QR != "" {
		t.Errorf("no QR code for %s", l.QR)
	}
	for _, tx := range d.Texts {
		box := textBox(tx)
		if !inside(box, d.W, d.H) {
			t.Errorf("text %q %+v runs off the label", tx.S, box)
		}
		if tx.Role == "hri" {
			continue // the digits belong under the bars
		}
		if overlaps(box, bb) {
			t.Errorf("text %q %+v is in the barcode's quiet zone %+v", tx.S, box, bb)
		}
		if d.QR != nil && overlaps(box, qb) {
			t.Errorf("text %q %+v is in the QR code's quiet zone %+v", tx.S, box, qb)
		}
	}
	for _, r := range d.Boxes {
		if overlaps(r, bb) || d.QR != nil && overlaps(r, qb) {
			t.Errorf("box %+v is in a quiet zone", r)
		}
	}
}

// TestPDFOnePathPerSymbol reads a sheet's content streams: each barcode
// and each QR code is one path of rectangles filled once, so no seam
// can show between its bars or modules. A QR code on several labels is
// drawn once, as a form, and placed on each; one on a single label is
// drawn on the page.
func TestPDFOnePathPerSymbol(t *testing.T) {
	ls := testLabels(t)
	ls = append(ls, ls[:4]...) // the same codes again: their forms are used twice
	uses := map[string]int{}
	for _, l := range ls {
		if l.QR != "" {
			uses[l.QR]++
		}
	}
	shared, placed := 0, 0
	for _, n := range uses {
		if n > 1 {
			shared++
			placed += n
		}
	}
	if shared < 2 || len(uses) == shared {
		t.Fatalf("%d QR codes, %d of them on several labels: the test wants some of each", len(uses), shared)
	}
	tp, err := FindTemplate("avery-l7160", "")
	if err != nil {
		t.Fatal(err)
	}
	var pdf bytes.Buffer
	if err := RenderPDF(&pdf, tp, ls, SheetOptions{}); err != nil {
		t.Fatal(err)
	}
	var pages strings.Builder
	forms := map[string]string{} // object number: content
	for _, o := range regexp.MustCompile(`(?s)\n(\d+) 0 obj\n(.*?)\nendobj`).FindAllSubmatch(pdf.Bytes(), -1) {
		s := regexp.MustCompile(`(?s)/Length \d+ ?>>\nstream\n(.*?)\nendstream`).FindSubmatch(o[2])
		if s == nil {
			continue
		}
		r, err := zlib.NewReader(bytes.NewReader(s[1]))
		if err != nil {
			continue // not content (a font, say)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("object %s: %v", o[1], err)
		}
		if bytes.Contains(o[2], []byte("/Subtype /Form")) {
			forms[string(o[1])] = string(b)
		} else {
			pages.Write(b)
		}
	}
	// Each symbol: "0 g", then only "re" lines, then one "f".
	path := regexp.MustCompile(`0 g\n((?:[0-9. ]+ re\n)+)f\n`)
	want := len(ls) + len(uses) - shared // the barcodes and the codes on one label
	if n := len(path.FindAllString(pages.String(), -1)); n != want {
		t.Errorf("%d filled paths of rectangles on the pages, want %d", n, want)
	}
	if n := strings.Count(pages.String(), "re\nf\n"); n != want {
		t.Errorf("%d fills of rectangle paths on the pages, want %d: a symbol is drawn in pieces", n, want)
	}
	if n := len(regexp.MustCompile(`/TPL[0-9a-f]+ Do`).FindAllString(pages.String(), -1)); n != placed {
		t.Errorf("%d forms placed, want %d (one for each label with a shared code)", n, placed)
	}
	if len(forms) != shared {
		t.Errorf("%d forms, want %d (one for each shared code)", len(forms), shared)
	}
	for n, f := range forms {
		if len(path.FindAllString(f, -1)) != 1 || strings.Count(f, "re\nf\n") != 1 {
			t.Errorf("form %s is not one path of rectangles filled once:\n%.200s", n, f)
		}
	}
}

// TestPDFDeterministic: the same labels make the same bytes (the spool
// and the journal tell jobs apart by them).
func TestPDFDeterministic(t *testing.T) {
	ls := testLabels(t)
	tp, _ := FindTemplate("avery-l7163", "")
	var a, b bytes.Buffer
	if err := RenderPDF(&a, tp, ls, SheetOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := RenderPDF(&b, tp, ls, SheetOptions{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renderings of the same labels differ")
	}
}

// TestAppendPt: a PDF coordinate is written exactly as strconv would
// write it rounded to 1/1000 pt, at the edges of the rounding and of the
// sign too.
func TestAppendPt(t *testing.T) {
	vs := []float64{0, 1, -1, 0.0004, 0.0005, -0.0004, -0.0005, -0.0006, 0.9995, 0.9994, 12.5, 12.05, 12.005,
		-12.005, 99.999, 99.9996, 841.89, 595.28, 1e6 + 0.001, -0.25, 2.675, 1.0005}
	r := rand.New(rand.NewPCG(10, 10))
	for range 100000 {
		vs = append(vs, (r.Float64()-0.2)*1000, float64(r.IntN(2000000)-100000)/1000, float64(r.IntN(200000))/1000+0.0005)
	}
	for _, v := range vs {
		want := strconv.AppendFloat(nil, float64(int64(v*1000+0.5))/1000, 'f', -1, 64)
		if got := appendPt(nil, v); string(got) != string(want)+" " {
			t.Fatalf("appendPt(%v) = %q, want %q", v, got, string(want)+" ")
		}
	}
}

// TestWrapGreedy: wrapped text keeps every word in order, each line fits,
// and each line is as long as it can be (the next line's first word would
// not fit on it), for names with accents, pound signs, characters the
// PDF's code page lacks and bytes that are not UTF-8.
func TestWrapGreedy(t *testing.T) {
	words := strings.Fields("Acme Pixel 10 Pro Doorbell £1,299.00 café Ünïcødé “quoted” 日本 \xff\xfe W WWWW iiii a-b/c@d.e Report security problems: example.com/security")
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var ws []string
		for range 1 + r.IntN(14) {
			ws = append(ws, words[r.IntN(len(words))])
		}
		s := strings.Join(ws, strings.Repeat(" ", 1+r.IntN(2)))
		bold := r.IntN(2) == 0
		size := 5 + float64(r.IntN(12))
		width := 8 + 60*r.Float64()
		whole := true
		for _, w := range ws {
			whole = whole && textWidth(w, bold, size) <= width
		}
		if !whole {
			continue // a word longer than the line is cut: TestLongNameEllipsis and the layouts test those
		}
		lines := wrapText(s, bold, size, width)
		if got, want := strings.Join(lines, " "), strings.Join(ws, " "); got != want {
			t.Fatalf("wrapText(%q) lost or moved words:\n%q\nwant %q", s, got, want)
		}
		for i, l := range lines {
			if textWidth(l, bold, size) > width {
				t.Fatalf("wrapText(%q, %.0f pt, %.1f mm): line %q is %.2f mm", s, size, width, l, textWidth(l, bold, size))
			}
			if i+1 < len(lines) {
				next := l + " " + strings.Fields(lines[i+1])[0]
				if textWidth(next, bold, size) <= width {
					t.Fatalf("wrapText(%q, %.0f pt, %.1f mm): %q would fit on one line: %q", s, size, width, next, lines)
				}
			}
		}
	}
}

func TestTooSmall(t *testing.T) {
	ls := testLabels(t)
	_, err := Layout(ls[0], 40, 25, LayoutOptions{})
	if err == nil || !strings.Contains(err.Error(), "too small") {
		t.Errorf("Layout on 40 × 25 mm: %v, want too small", err)
	}
}
