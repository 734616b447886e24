package scan

import (
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"strings"
	"testing"

	bbaztec "github.com/boombuler/barcode/aztec"
	"github.com/boombuler/barcode/code128"
	bbdm "github.com/boombuler/barcode/datamatrix"
	"github.com/boombuler/barcode/ean"
	"github.com/boombuler/barcode/qr"
	"github.com/boombuler/barcode/twooffive"
	"github.com/makiuchi-d/gozxing"
	dmenc "github.com/makiuchi-d/gozxing/datamatrix/encoder"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// label draws a symbol (one pixel per module, black on white) at scale
// pixels per module, with a white margin of quiet modules all round.
func label(t testing.TB, sym image.Image, scale, quiet int) *image.Gray {
	t.Helper()
	b := sym.Bounds()
	h := b.Dy()
	if h == 1 { // a one-dimensional code: give it some height
		h = 40
	}
	out := image.NewGray(image.Rect(0, 0, (b.Dx()+2*quiet)*scale, (h+2*quiet)*scale))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	for y := 0; y < h; y++ {
		for x := 0; x < b.Dx(); x++ {
			sy := min(y, b.Dy()-1)
			if r, _, _, _ := sym.At(b.Min.X+x, b.Min.Y+sy).RGBA(); r < 0x8000 {
				draw.Draw(out, image.Rect((x+quiet)*scale, (y+quiet)*scale, (x+quiet+1)*scale, (y+quiet+1)*scale), image.Black, image.Point{}, draw.Src)
			}
		}
	}
	return out
}

// must returns v, or panics: the images tests draw are fixed, so an
// error is a bug in the test.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// gs1DataMatrix draws a GS1 DataMatrix: FNC1 (codeword 232) first, then
// data in ASCII encodation, a GS in data standing for FNC1. Neither
// encoder at hand writes GS1 DataMatrix, so this one is made by hand from
// gozxing's error correction and placement (ISO/IEC 16022, 5.2.3 and
// Annex F), for one-region symbols up to 26×26.
func gs1DataMatrix(t testing.TB, data string) image.Image {
	t.Helper()
	cw := []byte{232}
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == 0x1d:
			cw = append(cw, 232)
		case i+1 < len(data) && isDigit(c) && isDigit(data[i+1]):
			cw = append(cw, 130+(c-'0')*10+(data[i+1]-'0'))
			i++
		default:
			cw = append(cw, c+1)
		}
	}
	info := must(dmenc.SymbolInfo_Lookup(len(cw), dmenc.SymbolShapeHint_FORCE_SQUARE, nil, nil, true))
	if info.GetSymbolWidth() > 26 {
		t.Fatalf("gs1DataMatrix: %q needs more than one region", data)
	}
	for first := true; len(cw) < info.GetDataCapacity(); first = false { // 253-state pad (Annex B.1.2)
		if first {
			cw = append(cw, 129)
			continue
		}
		p := len(cw) + 1
		v := 129 + (149*p)%253 + 1
		if v > 254 {
			v -= 254
		}
		cw = append(cw, byte(v))
	}
	all := must(dmenc.ErrorCorrection_EncodeECC200(cw, info))
	dw, dh := info.GetSymbolDataWidth(), info.GetSymbolDataHeight()
	pl := dmenc.NewDefaultPlacement(all, dw, dh)
	pl.Place()
	m := must(gozxing.NewBitMatrix(dw+2, dh+2))
	for x := 0; x < dw+2; x++ {
		if x%2 == 0 {
			m.Set(x, 0) // top: alternating
		}
		m.Set(x, dh+1) // bottom: solid
	}
	for y := 0; y < dh; y++ {
		m.Set(0, y+1) // left: solid
		if y%2 == 0 {
			m.Set(dw+1, y+1) // right: alternating
		}
		for x := 0; x < dw; x++ {
			if pl.GetBit(x, y) {
				m.Set(x+1, y+1)
			}
		}
	}
	return m
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// side puts images next to each other, with a white gap.
func side(imgs ...image.Image) *image.Gray {
	w, h := 0, 0
	for _, m := range imgs {
		w += m.Bounds().Dx() + 40
		h = max(h, m.Bounds().Dy())
	}
	out := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	x := 0
	for _, m := range imgs {
		draw.Draw(out, m.Bounds().Add(image.Pt(x, 0)), m, m.Bounds().Min, draw.Src)
		x += m.Bounds().Dx() + 40
	}
	return out
}

func rotate90(m image.Image) *image.Gray {
	b := m.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.Set(y, b.Dx()-1-x, m.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}

func invert(m *image.Gray) *image.Gray {
	out := image.NewGray(m.Bounds())
	for i, v := range m.Pix {
		out.Pix[i] = 255 - v
	}
	return out
}

// sep is GS as a string: FNC1 between GS1 elements.
const sep = "\x1d"

type want struct {
	format, text, symbology, gtin, batch string
}

func TestDecodeRendered(t *testing.T) {
	gozxingOneD := func(w gozxing.Writer, format gozxing.BarcodeFormat, text string) image.Image {
		return must(w.Encode(text, format, 0, 0, map[gozxing.EncodeHintType]interface{}{gozxing.EncodeHintType_MARGIN: 0}))
	}
	gs1 := string(code128.FNC1)
	ean13 := label(t, must(ean.Encode("9520000000011")), 3, 12)
	qrDL := label(t, must(qr.Encode("https://id.gs1.org/01/09520000000011/10/B2402", qr.M, qr.Auto)), 6, 4)
	tests := []struct {
		name string
		img  image.Image
		want []want
	}{
		{"EAN-13", ean13, []want{{EAN13, "9520000000011", "]E0", "09520000000011", ""}}},
		{"UPC-A", label(t, must(ean.Encode("0036000291452")), 3, 12),
			[]want{{UPCA, "036000291452", "]E0", "00036000291452", ""}}},
		{"EAN-8", label(t, must(ean.Encode("96385074")), 3, 10),
			[]want{{EAN8, "96385074", "]E4", "00000096385074", ""}}},
		// UPC-E 01234565 stands for UPC-A 012345000065.
		{"UPC-E", label(t, gozxingOneD(oned.NewUPCEWriter(), gozxing.BarcodeFormat_UPC_E, "01234565"), 3, 10),
			[]want{{UPCE, "01234565", "]E0", "00012345000065", ""}}},
		{"GS1-128", label(t, must(code128.Encode(gs1+"0109520000000011"+"10B2402"+gs1+"21X1")), 2, 12),
			[]want{{Code128, "0109520000000011" + "10B2402" + sep + "21X1", "]C1", "09520000000011", "B2402"}}},
		{"GS1-128 batch last", label(t, must(code128.Encode(gs1+"0109520000000011"+"10AB-12")), 2, 12),
			[]want{{Code128, "010952000000001110AB-12", "]C1", "09520000000011", "AB-12"}}},
		{"Code 128 text", label(t, must(code128.Encode("Smart Check")), 2, 12),
			[]want{{Code128, "Smart Check", "]C0", "", ""}}},
		{"ITF-14", label(t, must(twooffive.Encode("19520000000018", true)), 3, 12),
			[]want{{ITF, "19520000000018", "]I0", "19520000000018", ""}}},
		{"QR Digital Link", qrDL,
			[]want{{QRCode, "https://id.gs1.org/01/09520000000011/10/B2402", "]Q1", "09520000000011", "B2402"}}},
		{"GS1 QR", label(t, must(qrcode.NewQRCodeWriter().Encode("0109520000000011"+"10B2402"+sep+"21X1",
			gozxing.BarcodeFormat_QR_CODE, 0, 0, map[gozxing.EncodeHintType]interface{}{
				gozxing.EncodeHintType_GS1_FORMAT: true, gozxing.EncodeHintType_MARGIN: 0})), 6, 4),
			[]want{{QRCode, "0109520000000011" + "10B2402" + sep + "21X1", "]Q3", "09520000000011", "B2402"}}},
		{"Data Matrix text", label(t, must(bbdm.Encode("Hello, shop")), 8, 2),
			[]want{{DataMatrix, "Hello, shop", "]d1", "", ""}}},
		// gozxing reports a GS for the FNC1 that marks a GS1 DataMatrix;
		// it must not reach the text.
		{"GS1 DataMatrix", label(t, gs1DataMatrix(t, "0109520000000011"+"10B2402"+sep+"21X1"), 8, 2),
			[]want{{DataMatrix, "0109520000000011" + "10B2402" + sep + "21X1", "]d2", "09520000000011", "B2402"}}},
		{"Aztec", label(t, must(bbaztec.Encode([]byte("https://id.gs1.org/01/09520000000011"), 33, 0)), 6, 2),
			[]want{{Aztec, "https://id.gs1.org/01/09520000000011", "]z0", "09520000000011", ""}}},
		{"EAN-13 turned 90°", rotate90(ean13), []want{{EAN13, "9520000000011", "]E0", "09520000000011", ""}}},
		{"EAN-13 light on dark", invert(ean13), []want{{EAN13, "9520000000011", "]E0", "09520000000011", ""}}},
		{"two codes", side(ean13, qrDL), []want{
			{EAN13, "9520000000011", "]E0", "09520000000011", ""},
			{QRCode, "https://id.gs1.org/01/09520000000011/10/B2402", "]Q1", "09520000000011", "B2402"},
		}},
		{"blank", image.NewGray(image.Rect(0, 0, 640, 480)), nil},
		{"empty", image.NewGray(image.Rect(0, 0, 0, 0)), nil},
		{"one pixel", image.NewGray(image.Rect(0, 0, 1, 1)), nil},
		{"one row", noise(500, 1, 2), nil},
		{"one column", noise(1, 500, 3), nil},
		{"thin", noise(40, 7, 4), nil},
		{"wider than maxSide", noise(2*maxSide+1, 3, 5), nil},
		{"noise", noise(640, 480, 1), nil},
	}
	d := NewDecoder(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkResults(t, d.Decode(tt.img), tt.want)
		})
	}
}

func checkResults(t *testing.T, got []Result, wants []want) {
	t.Helper()
	var gotW []want
	for _, r := range got {
		w := want{r.Format, r.Text, r.Symbology, "", ""}
		if r.Code != nil {
			w.gtin, w.batch = r.Code.GTIN, r.Code.Batch
		}
		gotW = append(gotW, w)
	}
	if len(gotW) != len(wants) {
		t.Fatalf("got %q, want %q", gotW, wants)
	}
	for _, w := range wants {
		found := false
		for _, g := range gotW {
			found = found || g == w
		}
		if !found {
			t.Errorf("got %q, want %q among them", gotW, w)
		}
	}
}

func noise(w, h int, seed uint64) *image.Gray {
	r := rand.New(rand.NewPCG(seed, seed))
	m := image.NewGray(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(r.IntN(256))
	}
	return m
}

// Every kind of image the standard decoders return reads the same.
func TestDecodeImageTypes(t *testing.T) {
	src := label(t, must(ean.Encode("9520000000011")), 3, 12)
	b := src.Bounds()
	rgba := image.NewRGBA(b)
	nrgba := image.NewNRGBA(b)
	gray16 := image.NewGray16(b)
	pal := image.NewPaletted(b, color.Palette{color.White, color.Black})
	ycc := image.NewYCbCr(b, image.YCbCrSubsampleRatio420)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := src.GrayAt(x, y)
			rgba.Set(x, y, c)
			nrgba.Set(x, y, c)
			gray16.Set(x, y, c)
			pal.Set(x, y, c)
			ycc.Y[ycc.YOffset(x, y)] = c.Y
		}
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = 128, 128
	}
	// Transparent pixels are white: a code drawn on a transparent ground.
	transparent := image.NewNRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if src.GrayAt(x, y).Y == 0 {
				transparent.Set(x, y, color.Black)
			}
		}
	}
	// A sub-image whose bounds do not start at the origin.
	big := image.NewGray(image.Rect(0, 0, b.Dx()+50, b.Dy()+30))
	draw.Draw(big, big.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(big, b.Add(image.Pt(50, 30)), src, image.Point{}, draw.Src)
	sub := big.SubImage(image.Rect(20, 10, b.Dx()+50, b.Dy()+30))

	d := NewDecoder(Options{})
	for _, tt := range []struct {
		name string
		img  image.Image
	}{
		{"Gray", src}, {"RGBA", rgba}, {"NRGBA", nrgba}, {"Gray16", gray16},
		{"Paletted", pal}, {"YCbCr", ycc}, {"transparent NRGBA", transparent}, {"sub-image", sub},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := toGray(tt.img)
			if g.w != tt.img.Bounds().Dx() || g.h != tt.img.Bounds().Dy() {
				t.Fatalf("size %dx%d, want %v", g.w, g.h, tt.img.Bounds().Size())
			}
			checkResults(t, d.Decode(tt.img), []want{{EAN13, "9520000000011", "]E0", "09520000000011", ""}})
		})
	}
}

func TestDecodeFormatsOption(t *testing.T) {
	img := side(label(t, must(ean.Encode("9520000000011")), 3, 12),
		label(t, must(qr.Encode("hello", qr.M, qr.Auto)), 6, 4))
	checkResults(t, NewDecoder(Options{Formats: []string{QRCode}}).Decode(img),
		[]want{{QRCode, "hello", "]Q1", "", ""}})
	checkResults(t, NewDecoder(Options{Formats: []string{EAN13}, Quick: true}).Decode(img),
		[]want{{EAN13, "9520000000011", "]E0", "09520000000011", ""}})
}

// A one-dimensional code cut short must not read as another code: the
// middle of an EAN-13 or a UPC-A has the guard patterns of an EAN-8 and a
// UPC-E, and gozxing checks only three modules of quiet zone.
func TestDecodePartialCodes(t *testing.T) {
	d := NewDecoder(Options{})
	for _, code := range []string{"9520000000011", "0036000291452", "4006381333931"} {
		full := label(t, must(ean.Encode(code)), 2, 12)
		b := full.Bounds()
		for cut := 4; cut < b.Dx()-4; cut += 4 { // two modules at a time
			for _, r := range []image.Rectangle{
				image.Rect(cut, 0, b.Dx(), b.Dy()), // the left part cut off
				image.Rect(0, 0, cut, b.Dy()),      // the right part cut off
			} {
				for _, res := range d.Decode(full.SubImage(r)) {
					if !strings.HasSuffix(code, res.Text) || res.Format != EAN13 && res.Format != UPCA {
						t.Errorf("%s cut to %v: read %s %q", code, r, res.Format, res.Text)
					}
				}
			}
		}
	}
}

func TestResultInput(t *testing.T) {
	for _, tt := range []struct {
		r    Result
		want string
	}{
		{Result{Format: UPCE, Text: "01234565", Symbology: "]E0"}, "]E001234565"},
		{Result{Format: Code128, Text: "0109520000000011" + sep + "21X1", Symbology: "]C1"}, "]C10109520000000011" + sep + "21X1"},
	} {
		if got := tt.r.Input(); got != tt.want {
			t.Errorf("%+v.Input() = %q, want %q", tt.r, got, tt.want)
		}
	}
}

func TestLatin1(t *testing.T) {
	if got := latin1("\xf3ab\xe9"); got != "óabé" {
		t.Errorf("latin1 = %q", got)
	}
}

func TestGrayViews(t *testing.T) {
	g := &gray{pix: []byte{1, 2, 3, 4, 5, 6}, w: 3, h: 2}
	r := g.rotate() // counter-clockwise: the right column becomes the top row
	if r.w != 2 || r.h != 3 || string(r.pix) != string([]byte{3, 6, 2, 5, 1, 4}) {
		t.Errorf("rotate = %dx%d %v", r.w, r.h, r.pix)
	}
	h := (&gray{pix: []byte{0, 4, 8, 8, 4, 0, 8, 8}, w: 4, h: 2}).half()
	if h.w != 2 || h.h != 1 || string(h.pix) != string([]byte{2, 8}) {
		t.Errorf("half = %dx%d %v", h.w, h.h, h.pix)
	}
	s := (&gray{pix: []byte{0, 30, 60}, w: 1, h: 3}).smoothV(1)
	if string(s.pix) != string([]byte{15, 30, 45}) {
		t.Errorf("smoothV = %v", s.pix)
	}
	if i := g.invert(); i.pix[0] != 254 {
		t.Errorf("invert = %v", i.pix)
	}
}

// BenchmarkDecodeQuickFrame is a camera frame for the kiosk: 1280×720, a
// label in the middle of a noisy, textured scene, decoded with Quick.
func BenchmarkDecodeQuickFrame(b *testing.B) {
	frame := image.NewGray(image.Rect(0, 0, 1280, 720))
	copy(frame.Pix, noise(1280, 720, 7).Pix)
	for i := range frame.Pix {
		frame.Pix[i] = 96 + frame.Pix[i]/4 // a mid-grey scene
	}
	lbl := label(b, must(ean.Encode("9520000000011")), 3, 12)
	draw.Draw(frame, lbl.Bounds().Add(image.Pt(400, 250)), lbl, image.Point{}, draw.Src)
	d := NewDecoder(Options{Quick: true})
	if got := d.Decode(frame); len(got) != 1 || got[0].Text != "9520000000011" {
		b.Fatalf("Decode = %+v", got)
	}
	for b.Loop() {
		d.Decode(frame)
	}
}
