package labels

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The preview's fonts: the Go fonts, built into the binary. They are not
// Helvetica, so a line is squeezed to the width the layout measured.
var previewFonts = sync.OnceValues(func() ([2]*opentype.Font, error) {
	var fs [2]*opentype.Font
	for i, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return fs, err
		}
		fs[i] = f
	}
	return fs, nil
})

// WritePNG draws d as a PNG image at dpi dots per inch, black on white,
// with a grey outline of the label's edge: a preview of the label as the
// PDF prints it (lay it out as for PDF, with LayoutOptions{}).
func WritePNG(w io.Writer, d *Drawing, dpi int) error {
	img, err := Raster(d, dpi)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return enc.Encode(w, img)
}

// Raster draws d at dpi dots per inch.
func Raster(d *Drawing, dpi int) (*image.Gray, error) {
	if dpi < 72 || dpi > 1200 {
		return nil, fmt.Errorf("preview: %d dpi is out of range (72 to 1200)", dpi)
	}
	fonts, err := previewFonts()
	if err != nil {
		return nil, fmt.Errorf("preview fonts: %w", err)
	}
	px := float64(dpi) / 25.4 // pixels per mm
	W, H := int(math.Ceil(d.W*px)), int(math.Ceil(d.H*px))
	img := image.NewGray(image.Rect(0, 0, W, H))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	grey := image.NewUniform(color.Gray{0xC0})
	for x := range W {
		img.Set(x, 0, grey)
		img.Set(x, H-1, grey)
	}
	for y := range H {
		img.Set(0, y, grey)
		img.Set(W-1, y, grey)
	}
	fill := func(r Rect) {
		x0, y0 := int(math.Round(r.X*px)), int(math.Round(r.Y*px))
		x1, y1 := int(math.Round((r.X+r.W)*px)), int(math.Round((r.Y+r.H)*px))
		draw.Draw(img, image.Rect(x0, y0, x1, y1), image.Black, image.Point{}, draw.Src)
	}
	for _, b := range d.Boxes {
		fill(b)
	}
	if d.Barcode != nil {
		for _, r := range d.Barcode.Rects() {
			fill(r)
		}
	}
	if d.QR != nil {
		for _, r := range d.QR.Rects() {
			fill(r)
		}
	}
	faces := map[[2]float64]font.Face{}
	defer func() {
		for _, f := range faces {
			f.Close()
		}
	}()
	for _, t := range d.Texts {
		b := 0.0
		if t.Bold {
			b = 1
		}
		key := [2]float64{t.Size, b}
		face := faces[key]
		if face == nil {
			face, err = opentype.NewFace(fonts[int(b)], &opentype.FaceOptions{Size: t.Size, DPI: float64(dpi), Hinting: font.HintingNone})
			if err != nil {
				return nil, err
			}
			faces[key] = face
		}
		// Draw the line on its own, then squeeze it to the width the
		// layout gave it.
		src := image.Black
		if t.White {
			src = image.White
		}
		want := textWidth(t.S, t.Bold, t.Size) * px
		adv := font.MeasureString(face, t.S).Ceil()
		asc, desc := face.Metrics().Ascent.Ceil(), face.Metrics().Descent.Ceil()
		if adv <= 0 {
			continue
		}
		line := image.NewAlpha(image.Rect(0, 0, adv, asc+desc))
		dr := font.Drawer{Dst: line, Src: image.Opaque, Face: face, Dot: fixed.P(0, asc)}
		dr.DrawString(t.S)
		scale := 1.0
		if want > 0 && float64(adv) > want {
			scale = want / float64(adv)
		}
		x0, base := t.X*px, t.Y*px
		for y := range asc + desc {
			for x := range int(math.Ceil(float64(adv) * scale)) {
				a := line.AlphaAt(int(float64(x)/scale), y).A
				if a < 0x80 {
					continue
				}
				img.Set(int(x0)+x, int(base)-asc+y, src)
			}
		}
	}
	return img, nil
}
