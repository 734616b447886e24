package scan

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The demo clip, testdata/demo.mjpeg, is what the README plays to the
// kiosk (`smartcheck kiosk --camera scan/testdata/demo.mjpeg`): three
// scenes made from the reference photographs, each held for
// demoHold frames, with demoGap blank frames after each.
var updateDemo = flag.Bool("update-demo", false, "write testdata/demo.mjpeg again from the reference photographs")

const (
	demoClip          = "testdata/demo.mjpeg"
	demoHold          = 5
	demoGap           = 3
	demoW, demoH      = 480, 240
	demoQuality       = 70
	demoMaxBytes      = 300 << 10
	demoEAN, demoEAN2 = "ean13-3/01.png", "ean13-3/10.png"
	demoQR            = "qrcode-3/01.png" // a web page
)

// demoScenes are the clip's scenes: an EAN-13 alone; another EAN-13
// beside a QR code of a web page (the product code must win); the QR
// code alone (a web link, to be named as such).
var demoScenes = []struct {
	left, right string // reference photographs, "" for none
}{
	{demoEAN, ""},
	{demoEAN2, demoQR},
	{"", demoQR},
}

const demoURL = "http://arnaud.sahuguet.com/graffiti/test.php?ll=-74.00309961503218,40.74102573163046,0"

// wantDemo is what a camera reading the clip reports, in order, with
// --confirm 3: the QR code beside the second EAN-13 is passed over.
var wantDemo = []string{
	"EAN_13 9780764544200",
	"EAN_13 9780596008574",
	"QR_CODE " + demoURL,
}

func writeDemoClip(t *testing.T) {
	load := func(name string) image.Image {
		img, err := ReadImageFile(filepath.Join(referenceDir, name), MaxFileBytes)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	frame := func(left, right string) []byte {
		img := image.NewRGBA(image.Rect(0, 0, demoW, demoH))
		draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{120, 124, 130, 0xFF}), image.Point{}, draw.Src)
		if left != "" {
			l := load(left)
			draw.Draw(img, l.Bounds().Sub(l.Bounds().Min), l, l.Bounds().Min, draw.Src)
		}
		if right != "" {
			r := load(right)
			draw.Draw(img, r.Bounds().Sub(r.Bounds().Min).Add(image.Pt(240, 0)), r, r.Bounds().Min, draw.Src)
		}
		return encodeJPEG(t, img, demoQuality)
	}
	var clip bytes.Buffer
	blank := frame("", "")
	for _, s := range demoScenes {
		f := frame(s.left, s.right)
		for range demoHold {
			clip.Write(f)
		}
		for range demoGap {
			clip.Write(blank)
		}
	}
	if err := os.WriteFile(demoClip, clip.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDemoClip reads the demo clip frame by frame, as the kiosk's camera
// does (the quick decoder, three frames to confirm), and expects its
// three codes in order; the second scene must really hold both codes.
func TestDemoClip(t *testing.T) {
	if *updateDemo {
		references(t)
		writeDemoClip(t)
	}
	data, err := os.ReadFile(demoClip)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > demoMaxBytes {
		t.Errorf("%s is %d KB, more than %d KB", demoClip, len(data)>>10, demoMaxBytes>>10)
	}
	d := NewDecoder(Options{Quick: true})
	conf := NewConfirmer(3)
	rd := NewMJPEGReader(bytes.NewReader(data))
	var got []string
	both := false
	for n := 0; ; n++ {
		f, err := rd.Next()
		if errors.Is(err, io.EOF) {
			if n != len(demoScenes)*(demoHold+demoGap) {
				t.Errorf("%d frames, want %d", n, len(demoScenes)*(demoHold+demoGap))
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		img, err := DecodeMJPEG(f)
		if err != nil {
			t.Fatalf("frame %d: %v", n, err)
		}
		rs := d.Decode(img)
		if len(rs) == 2 && rs[0].Code != nil && rs[1].Format == QRCode && rs[1].Code == nil {
			both = true
		}
		for _, r := range conf.Frame(rs) {
			got = append(got, r.Format+" "+r.Text)
		}
	}
	if strings.Join(got, "\n") != strings.Join(wantDemo, "\n") {
		t.Errorf("the demo clip reads as\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantDemo, "\n"))
	}
	if !both {
		t.Error("no frame of the clip reads as an EAN-13 (first) and a QR code (second)")
	}
}

func ExampleDecoder_Decode_productFirst() {
	data, err := os.ReadFile(demoClip)
	if err != nil {
		fmt.Println(err)
		return
	}
	rd := NewMJPEGReader(bytes.NewReader(data))
	d := NewDecoder(Options{Quick: true})
	for range demoHold + demoGap { // the second scene: an EAN-13 beside a QR code
		rd.Next()
	}
	f, _ := rd.Next()
	img, _ := jpeg.Decode(bytes.NewReader(f))
	for _, r := range d.Decode(img) {
		if r.Code != nil {
			fmt.Println(r.Format, r.Text, "product", r.Code.GTIN)
		} else {
			fmt.Println(r.Format, r.Text, "not a product code:", r.Err)
		}
	}
	// Output:
	// EAN_13 9780596008574 product 09780596008574
	// QR_CODE http://arnaud.sahuguet.com/graffiti/test.php?ll=-74.00309961503218,40.74102573163046,0 not a product code: digital link: no GS1 key in the path "/graffiti/test.php" (want .../01/<GTIN>...)
}
