package scan

import (
	"errors"
	"image"
	"image/color"

	"github.com/makiuchi-d/gozxing"
)

// gray is an 8-bit luminance image, row-major, 0 black to 255 white: what
// gozxing's binarizers read. It implements [gozxing.LuminanceSource]
// directly rather than through gozxing's image adapter, which calls
// image.At for every pixel and costs more than decoding a frame.
type gray struct {
	pix  []byte
	w, h int
}

// toGray converts img to luminance, with fast paths for the types the
// standard decoders and a camera produce. Transparent pixels count as white
// (a label on a transparent background).
func toGray(img image.Image) *gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	g := &gray{pix: make([]byte, w*h), w: w, h: h}
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(g.pix[y*w:(y+1)*w], m.Pix[i:i+w])
		}
	case *image.YCbCr:
		// The Y plane is the luminance.
		for y := 0; y < h; y++ {
			i := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(g.pix[y*w:(y+1)*w], m.Y[i:i+w])
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			o := g.pix[y*w : (y+1)*w]
			for x := range o {
				r, gg, bb, a := int(p[4*x]), int(p[4*x+1]), int(p[4*x+2]), int(p[4*x+3])
				// Premultiplied: composite over white.
				o[x] = byte((r + 2*gg + bb + 4*(255-a)) >> 2)
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			o := g.pix[y*w : (y+1)*w]
			for x := range o {
				r, gg, bb, a := int(p[4*x]), int(p[4*x+1]), int(p[4*x+2]), int(p[4*x+3])
				l := (r + 2*gg + bb) >> 2
				o[x] = byte((l*a + 255*(255-a)) / 255)
			}
		}
	case *image.Paletted:
		var lut [256]byte
		for i, c := range m.Palette {
			lut[i] = lum(c)
		}
		for y := 0; y < h; y++ {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			o := g.pix[y*w : (y+1)*w]
			for x := range o {
				o[x] = lut[p[x]]
			}
		}
	default:
		for y := 0; y < h; y++ {
			o := g.pix[y*w : (y+1)*w]
			for x := range o {
				o[x] = lum(img.At(b.Min.X+x, b.Min.Y+y))
			}
		}
	}
	return g
}

// lum is the luminance of c composited over white, as gozxing computes it.
func lum(c color.Color) byte {
	r, g, b, a := c.RGBA() // premultiplied, 16 bits
	l := (r + 2*g + b) >> 2
	return byte((l + (0xffff - a)) >> 8)
}

// rotate returns g turned 90° counter-clockwise.
func (g *gray) rotate() *gray {
	r := &gray{pix: make([]byte, len(g.pix)), w: g.h, h: g.w}
	for y := 0; y < g.h; y++ {
		row := g.pix[y*g.w : (y+1)*g.w]
		for x, v := range row {
			// (x, y) moves to (y, w-1-x).
			r.pix[(g.w-1-x)*r.w+y] = v
		}
	}
	return r
}

// half returns g at half size, each pixel the mean of a 2×2 block: it
// smooths sensor noise and halves the cost of a second look at a large
// photo.
func (g *gray) half() *gray {
	w, h := g.w/2, g.h/2
	r := &gray{pix: make([]byte, w*h), w: w, h: h}
	for y := 0; y < h; y++ {
		a := g.pix[2*y*g.w:]
		b := g.pix[(2*y+1)*g.w:]
		o := r.pix[y*w : (y+1)*w]
		for x := range o {
			o[x] = byte((int(a[2*x]) + int(a[2*x+1]) + int(b[2*x]) + int(b[2*x+1]) + 2) >> 2)
		}
	}
	return r
}

// invert returns the negative of g, for light codes on a dark ground.
func (g *gray) invert() *gray {
	r := &gray{pix: make([]byte, len(g.pix)), w: g.w, h: g.h}
	for i, v := range g.pix {
		r.pix[i] = 255 - v
	}
	return r
}

// The gozxing.LuminanceSource methods.

func (g *gray) GetRow(y int, row []byte) ([]byte, error) {
	if y < 0 || y >= g.h {
		return nil, gozxing.NewNotFoundException("row %d out of range", y)
	}
	if len(row) < g.w {
		row = make([]byte, g.w)
	}
	copy(row, g.pix[y*g.w:(y+1)*g.w])
	return row, nil
}

func (g *gray) GetMatrix() []byte     { return g.pix }
func (g *gray) GetWidth() int         { return g.w }
func (g *gray) GetHeight() int        { return g.h }
func (g *gray) IsCropSupported() bool { return true }

func (g *gray) Crop(left, top, width, height int) (gozxing.LuminanceSource, error) {
	if left < 0 || top < 0 || width <= 0 || height <= 0 || left+width > g.w || top+height > g.h {
		return nil, gozxing.NewNotFoundException("crop out of range")
	}
	r := &gray{pix: make([]byte, width*height), w: width, h: height}
	for y := 0; y < height; y++ {
		copy(r.pix[y*width:(y+1)*width], g.pix[(top+y)*g.w+left:])
	}
	return r, nil
}

func (g *gray) IsRotateSupported() bool { return true }

func (g *gray) RotateCounterClockwise() (gozxing.LuminanceSource, error) {
	return g.rotate(), nil
}

func (g *gray) RotateCounterClockwise45() (gozxing.LuminanceSource, error) {
	return nil, errors.New("45° rotation is not supported")
}

func (g *gray) Invert() gozxing.LuminanceSource { return g.invert() }

func (g *gray) String() string { return gozxing.LuminanceSourceString(g) }

// smoothV returns g with each pixel the mean of the 2k+1 pixels above and
// below it. The bars of a one-dimensional code are vertical, so this keeps
// them and averages away sensor noise and print texture.
func (g *gray) smoothV(k int) *gray {
	r := &gray{pix: make([]byte, len(g.pix)), w: g.w, h: g.h}
	sum := make([]int, g.w)
	for y := -k; y < g.h; y++ {
		if add := y + k; add < g.h {
			row := g.pix[add*g.w : (add+1)*g.w]
			for x, v := range row {
				sum[x] += int(v)
			}
		}
		if sub := y - k - 1; sub >= 0 {
			row := g.pix[sub*g.w : (sub+1)*g.w]
			for x, v := range row {
				sum[x] -= int(v)
			}
		}
		if y < 0 {
			continue
		}
		cnt := min(y+k, g.h-1) - max(y-k, 0) + 1
		o := r.pix[y*g.w : (y+1)*g.w]
		for x := range o {
			o[x] = byte(sum[x] / cnt)
		}
	}
	return r
}
