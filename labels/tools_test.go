package labels

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// needTool returns the path of an outside program a test needs. Without
// it the test is skipped, saying which Debian package has it; under
// CI=true, where .ci/run installs it, the test fails instead.
func needTool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (Debian package %s), and CI=true: .ci/run should install it", name, pkg)
		}
		t.Skipf("%s is missing: install Debian package %s to run this test", name, pkg)
	}
	return p
}

// symbol is one barcode zbarimg read: its type as zbar names it
// ("EAN-13", "QR-Code", "I2/5", "CODE-128", "UPC-A") and its data.
type symbol struct{ Type, Data string }

func (s symbol) String() string { return s.Type + ":" + s.Data }

// zbarXML is zbarimg --xml's output.
type zbarXML struct {
	Sources []struct {
		Href    string `xml:"href,attr"`
		Symbols []struct {
			Type string `xml:"type,attr"`
			Data string `xml:"data"`
		} `xml:"index>symbol"`
	} `xml:"source"`
}

// decodeFiles runs zbarimg once over files and returns the symbols found
// in each, sorted.
func decodeFiles(t testing.TB, files []string) map[string][]symbol {
	t.Helper()
	zbarimg := needTool(t, "zbarimg", "zbar-tools")
	cmd := exec.Command(zbarimg, append([]string{"-q", "--nodbus", "--xml"}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	// zbarimg exits 4 when some image had no symbol: that is a finding,
	// not a failure to run.
	if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 4) {
		t.Fatalf("zbarimg: %v\n%s", err, stderr.Bytes())
	}
	var x zbarXML
	if err := xml.Unmarshal(out, &x); err != nil {
		t.Fatalf("zbarimg --xml: %v\n%s", err, out)
	}
	got := map[string][]symbol{}
	for _, s := range x.Sources {
		for _, sym := range s.Symbols {
			got[s.Href] = append(got[s.Href], symbol{sym.Type, sym.Data})
		}
		slices.SortFunc(got[s.Href], func(a, b symbol) int { return strings.Compare(a.String(), b.String()) })
	}
	return got
}

// wantSymbols is what a scanner should read from a label: its barcode,
// as zbar reports each symbology, and its QR code.
func wantSymbols(l *Label) []symbol {
	var want []symbol
	switch SymbologyFor(l.GTIN) {
	case EAN13:
		want = append(want, symbol{"EAN-13", l.GTIN[1:]})
	case UPCA:
		// zbar reads UPC-A as the EAN-13 it is a part of.
		want = append(want, symbol{"EAN-13", l.GTIN[1:]})
	case ITF14:
		want = append(want, symbol{"I2/5", l.GTIN})
	case GS1_128:
		want = append(want, symbol{"CODE-128", "01" + l.GTIN})
	}
	if l.QR != "" {
		want = append(want, symbol{"QR-Code", l.QR})
	}
	slices.SortFunc(want, func(a, b symbol) int { return strings.Compare(a.String(), b.String()) })
	return want
}

// renderPDF turns every page of a PDF into a PNG at dpi with pdftoppm.
func renderPDF(t testing.TB, pdf []byte, dpi int) []image.Image {
	t.Helper()
	pdftoppm := needTool(t, "pdftoppm", "poppler-utils")
	dir := t.TempDir()
	in := filepath.Join(dir, "sheet.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftoppm, "-r", fmt.Sprint(dpi), "-gray", "-png", in, filepath.Join(dir, "page")).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	slices.Sort(pages)
	var imgs []image.Image
	for _, p := range pages {
		imgs = append(imgs, readPNG(t, p))
	}
	return imgs
}

func readPNG(t testing.TB, name string) image.Image {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return img
}

func writePNG(t testing.TB, name string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// crop cuts r (in mm on a page rendered at dpi) out of img.
func crop(img image.Image, r Rect, dpi int) image.Image {
	px := float64(dpi) / 25.4
	rect := image.Rect(int(r.X*px), int(r.Y*px), int((r.X+r.W)*px), int((r.Y+r.H)*px))
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(rect)
}
