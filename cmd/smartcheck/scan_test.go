package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/code128"
	"github.com/boombuler/barcode/datamatrix"
	"github.com/boombuler/barcode/ean"
	"github.com/boombuler/barcode/qr"
	"github.com/rogpeppe/go-internal/testscript"
)

// referenceDir holds the shared reference photographs: beside the clone,
// and this package is two levels below the project root.
const referenceDir = "../../../shared/testdata/barcodes"

// TestScanScripts runs testdata/scan/*.txtar. Besides testscript's own
// commands they have:
//
//	barcode KIND TEXT FILE   draw a barcode (KIND ean, code128, qr or
//	                         datamatrix; in code128, ~ is FNC1), or a blank
//	                         image (KIND blank), into FILE, a .png, .jpg
//	                         or .gif
//	truncate FILE N          cut FILE to N bytes
//
// and $REFS, the reference photographs, and $SCANDATA, scan/testdata
// (the crafted huge images, the demo clip). A script that needs them starts
// with [!refs] skip: they are absent outside a checkout with shared/
// beside it, except in CI, where their absence fails the test.
func TestScanScripts(t *testing.T) {
	refs, err := filepath.Abs(referenceDir)
	if err != nil {
		t.Fatal(err)
	}
	scanData, err := filepath.Abs("../../scan/testdata")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/scan",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("REFS", refs)
			env.Setenv("SCANDATA", scanData)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond != "refs" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			if _, err := os.Stat(refs); err != nil {
				if os.Getenv("CI") == "true" {
					return false, fmt.Errorf("reference images missing in CI: %v", err)
				}
				return false, nil
			}
			return true, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"barcode": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: barcode KIND TEXT FILE")
				}
				img, err := drawBarcode(args[0], args[1])
				ts.Check(err)
				ts.Check(writeImage(ts.MkAbs(args[2]), img))
			},
			"truncate": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: truncate FILE N")
				}
				n, err := strconv.Atoi(args[1])
				ts.Check(err)
				ts.Check(os.Truncate(ts.MkAbs(args[0]), int64(n)))
			},
		},
	})
}

// drawBarcode draws a barcode black on white, with a quiet zone.
func drawBarcode(kind, text string) (image.Image, error) {
	var bc barcode.Barcode
	var err error
	scale, quiet := 3, 12
	switch kind {
	case "blank":
		out := image.NewGray(image.Rect(0, 0, 200, 100))
		draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
		return out, nil
	case "ean":
		bc, err = ean.Encode(text)
	case "code128":
		bc, err = code128.Encode(strings.ReplaceAll(text, "~", string(code128.FNC1)))
		scale = 2
	case "qr":
		bc, err = qr.Encode(text, qr.M, qr.Auto)
		scale, quiet = 6, 4
	case "datamatrix":
		bc, err = datamatrix.Encode(text)
		scale, quiet = 8, 2
	default:
		return nil, fmt.Errorf("unknown barcode kind %q", kind)
	}
	if err != nil {
		return nil, err
	}
	b := bc.Bounds()
	w, h := b.Dx(), b.Dy()
	if h == 1 {
		h = 40
	}
	out := image.NewRGBA(image.Rect(0, 0, (w+2*quiet)*scale, (h+2*quiet)*scale))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	for y := range h {
		for x := range w {
			if c := color.GrayModel.Convert(bc.At(b.Min.X+x, b.Min.Y+min(y, b.Dy()-1))).(color.Gray); c.Y < 128 {
				r := image.Rect((x+quiet)*scale, (y+quiet)*scale, (x+quiet+1)*scale, (y+quiet+1)*scale)
				draw.Draw(out, r, image.Black, image.Point{}, draw.Src)
			}
		}
	}
	return out, nil
}

func writeImage(name string, img image.Image) error {
	var buf bytes.Buffer
	var err error
	switch filepath.Ext(name) {
	case ".png":
		err = png.Encode(&buf, img)
	case ".jpg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	case ".gif":
		err = gif.Encode(&buf, img, nil)
	default:
		return fmt.Errorf("%s: want .png, .jpg or .gif", name)
	}
	if err != nil {
		return err
	}
	return os.WriteFile(name, buf.Bytes(), 0o644)
}

// Nothing in a barcode or a file name can put a control character on the
// terminal: a QR code full of escape sequences, in a file whose name has
// some too, prints as control pictures and U+FFFD.
func TestScanNoEscapesReachTheTerminal(t *testing.T) {
	evil := "\x1b]0;pwned\x07\x1b[2J\u009b31m\u202eGS\x1dend"
	img, err := drawBarcode("qr", evil)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "a\x1b[31m\tb.png")
	if err := writeImage(name, img); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"scan", name},
		{"scan", "--json", name},
		{"scan", name + ".missing"},
	} {
		var stdout, stderr bytes.Buffer
		run(args, nil, &stdout, &stderr)
		for _, out := range []string{stdout.String(), stderr.String()} {
			for _, r := range out {
				if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)) {
					t.Errorf("%q printed %U in %q", args, r, out)
				}
			}
		}
		if args[1] != "--json" && !strings.HasSuffix(args[1], ".missing") && !strings.Contains(stdout.String(), "GS␝end") {
			t.Errorf("%q: stdout %q does not show the GS as ␝", args, stdout.String())
		}
	}
}
