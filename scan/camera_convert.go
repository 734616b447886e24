package scan

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
)

// YUYVImage wraps a YUYV frame (packed 4:2:2: Y0 Cb Y1 Cr for each pair of
// pixels, stride bytes a row) as a planar 4:2:2 *image.YCbCr. Its Y plane
// is what the barcode readers use, without any colour conversion.
func YUYVImage(data []byte, w, h, stride int) (*image.YCbCr, error) {
	if stride == 0 {
		stride = 2 * w
	}
	switch {
	case w <= 0 || h <= 0 || w%2 != 0:
		return nil, fmt.Errorf("YUYV frame of %dx%d: want a positive size and an even width", w, h)
	case stride < 2*w:
		return nil, fmt.Errorf("YUYV frame of width %d: stride %d is less than %d", w, stride, 2*w)
	case int64(w)*int64(h) > MaxFrameBytes/2:
		return nil, &TooLargeError{Width: w, Height: h, BytesPerPixel: 2, Limit: MaxFrameBytes}
	case len(data) < stride*(h-1)+2*w:
		return nil, fmt.Errorf("YUYV frame of %dx%d: %d bytes, want %d (short frame)", w, h, len(data), stride*(h-1)+2*w)
	}
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio422)
	cw := w / 2
	for y := range h {
		row := data[y*stride : y*stride+2*w]
		yy := m.Y[y*m.YStride : y*m.YStride+w]
		cb := m.Cb[y*m.CStride : y*m.CStride+cw]
		cr := m.Cr[y*m.CStride : y*m.CStride+cw]
		for i := range cw {
			p := row[4*i : 4*i+4 : 4*i+4]
			yy[2*i] = p[0]
			cb[i] = p[1]
			yy[2*i+1] = p[2]
			cr[i] = p[3]
		}
	}
	return m, nil
}

// JPEG markers.
const (
	markerSOI  = 0xD8
	markerEOI  = 0xD9
	markerSOS  = 0xDA
	markerDHT  = 0xC4
	markerSOF0 = 0xC0 // baseline
	markerSOF1 = 0xC1 // extended sequential
	markerSOF2 = 0xC2 // progressive
	markerTEM  = 0x01
)

// standardDHT is the DHT segment of the Huffman tables of JPEG Annex K.3
// (ITU-T T.81 K.3.3.1 and K.3.3.2): luminance DC, luminance AC,
// chrominance DC, chrominance AC. MJPEG cameras (and the AVI1 format)
// leave the tables out of every frame and mean these.
var standardDHT = func() []byte {
	tables := []struct {
		class byte // high nibble: 0 DC, 1 AC; low nibble: table id
		bits  [16]byte
		vals  []byte
	}{
		{0x00, [16]byte{0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0},
			[]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
		{0x10, [16]byte{0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d}, []byte{
			0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
			0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
			0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
			0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
			0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
			0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
			0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
			0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
			0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
			0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
			0xf9, 0xfa}},
		{0x01, [16]byte{0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0},
			[]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
		{0x11, [16]byte{0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77}, []byte{
			0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
			0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
			0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
			0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
			0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
			0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
			0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
			0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
			0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
			0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
			0xf9, 0xfa}},
	}
	n := 2
	for _, t := range tables {
		n += 1 + 16 + len(t.vals)
	}
	b := []byte{0xFF, markerDHT, byte(n >> 8), byte(n)}
	for _, t := range tables {
		b = append(b, t.class)
		b = append(b, t.bits[:]...)
		b = append(b, t.vals...)
	}
	return b
}()

// DecodeMJPEG decodes one MJPEG frame. Many USB cameras send frames
// without a DHT segment, meaning the standard tables of JPEG Annex K,
// which image/jpeg (rightly, for a JPEG file) refuses; a frame that has
// none before its first scan gets standardDHT inserted there. A frame
// whose decoding would allocate more than MaxFrameBytes is refused with
// a *TooLargeError before its pixels are allocated.
func DecodeMJPEG(data []byte) (image.Image, error) { return decodeMJPEG(data, MaxFrameBytes) }

func decodeMJPEG(data []byte, limit int64) (image.Image, error) {
	sos, hasDHT, progressive, err := scanHeaders(data)
	if err != nil {
		return nil, err
	}
	// The frame header comes before the first scan, and DecodeConfig
	// reads no further: it needs no Huffman tables.
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("MJPEG frame: %w", imageError(err))
	}
	how := jpegSequential
	if progressive {
		how = jpegProgressive
	}
	if err := checkSize(cfg, how, limit); err != nil {
		return nil, fmt.Errorf("MJPEG frame: %w", err)
	}
	if !hasDHT {
		b := make([]byte, 0, len(data)+len(standardDHT))
		b = append(b, data[:sos]...)
		b = append(b, standardDHT...)
		data = append(b, data[sos:]...)
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("MJPEG frame: %w", err)
	}
	return img, nil
}

// scanHeaders walks the marker segments of a JPEG image up to its first
// SOS and returns the SOS's offset, whether a DHT came before it and
// whether the frame is progressive.
func scanHeaders(data []byte) (sos int, hasDHT, progressive bool, err error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != markerSOI {
		return 0, false, false, errors.New("MJPEG frame: no JPEG start-of-image marker")
	}
	i := 2
	for {
		if i+1 >= len(data) || data[i] != 0xFF {
			return 0, false, false, fmt.Errorf("MJPEG frame: bad marker at byte %d (truncated frame?)", i)
		}
		j := i + 1
		for j < len(data) && data[j] == 0xFF { // fill bytes
			j++
		}
		if j >= len(data) {
			return 0, false, false, errors.New("MJPEG frame: truncated in its headers")
		}
		m := data[j]
		switch {
		case m == markerSOS:
			return i, hasDHT, progressive, nil
		case m == markerEOI:
			return 0, false, false, errors.New("MJPEG frame: image ends before any scan")
		case m == markerDHT:
			hasDHT = true
		case m == markerSOF2:
			progressive = true
		}
		if m == markerTEM || m >= 0xD0 && m <= 0xD8 {
			i = j + 1 // markers without a length
			continue
		}
		if j+2 >= len(data) {
			return 0, false, false, errors.New("MJPEG frame: truncated in its headers")
		}
		n := int(data[j+1])<<8 | int(data[j+2])
		if n < 2 {
			return 0, false, false, fmt.Errorf("MJPEG frame: segment at byte %d has length %d", i, n)
		}
		i = j + 1 + n
	}
}

// Thumbnail scales img down to fit within maxW x maxH pixels, keeping its
// shape, each pixel the average of the luminance it covers (so the bars
// of a barcode grey out rather than alias into stripes). It never scales
// up. For a camera preview: a 1280x720 YCbCr frame takes about a
// millisecond.
func Thumbnail(img image.Image, maxW, maxH int) *image.RGBA {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	if sw <= 0 || sh <= 0 || maxW <= 0 || maxH <= 0 {
		return image.NewRGBA(image.Rect(0, 0, 0, 0))
	}
	tw, th := sw, sh
	if tw > maxW {
		tw, th = maxW, max(1, sh*maxW/sw)
	}
	if th > maxH {
		tw, th = max(1, sw*maxH/sh), maxH
	}
	out := image.NewRGBA(image.Rect(0, 0, tw, th))
	x0s := make([]int, tw+1)
	for x := range x0s {
		x0s[x] = x * sw / tw
	}
	switch m := img.(type) {
	case *image.YCbCr:
		for ty := range th {
			y0, y1 := ty*sh/th, (ty+1)*sh/th
			o := out.Pix[ty*out.Stride:]
			for tx := range tw {
				x0, x1 := x0s[tx], x0s[tx+1]
				sum := 0
				for y := y0; y < y1; y++ {
					row := m.Y[m.YOffset(b.Min.X+x0, b.Min.Y+y):]
					for _, v := range row[:x1-x0] {
						sum += int(v)
					}
				}
				yy := byte(sum / ((y1 - y0) * (x1 - x0)))
				ci := m.COffset(b.Min.X+(x0+x1)/2, b.Min.Y+(y0+y1)/2)
				r, g, bl := color.YCbCrToRGB(yy, m.Cb[ci], m.Cr[ci])
				o[4*tx], o[4*tx+1], o[4*tx+2], o[4*tx+3] = r, g, bl, 0xFF
			}
		}
	case *image.Gray:
		for ty := range th {
			y0, y1 := ty*sh/th, (ty+1)*sh/th
			o := out.Pix[ty*out.Stride:]
			for tx := range tw {
				x0, x1 := x0s[tx], x0s[tx+1]
				sum := 0
				for y := y0; y < y1; y++ {
					row := m.Pix[m.PixOffset(b.Min.X+x0, b.Min.Y+y):]
					for _, v := range row[:x1-x0] {
						sum += int(v)
					}
				}
				v := byte(sum / ((y1 - y0) * (x1 - x0)))
				o[4*tx], o[4*tx+1], o[4*tx+2], o[4*tx+3] = v, v, v, 0xFF
			}
		}
	default:
		// Any other image: a 4x4 grid of samples for each pixel.
		for ty := range th {
			y0, y1 := ty*sh/th, (ty+1)*sh/th
			o := out.Pix[ty*out.Stride:]
			for tx := range tw {
				x0, x1 := x0s[tx], x0s[tx+1]
				var r, g, bl, n uint32
				for sy := range 4 {
					y := y0 + (y1-y0)*(2*sy+1)/8
					for sx := range 4 {
						x := x0 + (x1-x0)*(2*sx+1)/8
						c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
						// Transparent counts as white, as in toGray.
						a := uint32(c.A)
						r += (uint32(c.R)*a + 255*(255-a)) / 255
						g += (uint32(c.G)*a + 255*(255-a)) / 255
						bl += (uint32(c.B)*a + 255*(255-a)) / 255
						n++
					}
				}
				o[4*tx], o[4*tx+1], o[4*tx+2], o[4*tx+3] = byte(r/n), byte(g/n), byte(bl/n), 0xFF
			}
		}
	}
	return out
}
