package scan

// Limits on the images decoded.
//
// A few hundred bytes of JPEG or PNG can declare an image of 65535×65535
// pixels, and image/jpeg and image/png allocate the whole picture before
// reading a pixel of it: a crafted frame or file would take the kiosk
// down with "out of memory". So every decode here reads the image's
// header first (image.DecodeConfig), works out what decoding it would
// allocate — width × height × bytes per pixel, the bytes per pixel of
// the colour model the decoder returns (16-bit PNGs take 8) — and refuses
// it, before allocating anything, when that is more than the limit.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // the formats ReadImageFile and frames of a directory read
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
)

const (
	// MaxFrameBytes bounds what decoding one camera frame (MJPEG, YUYV,
	// an image of a directory source) may allocate for its pixels: a
	// 4K frame takes about 25 MB.
	MaxFrameBytes = 64 << 20
	// MaxFileBytes bounds what decoding an image file (`smartcheck
	// scan`) may allocate for its pixels: a 64-megapixel photograph in
	// 8-bit RGB takes 256 MiB as an RGBA image.
	MaxFileBytes = 256 << 20
	// maxFileSize bounds the size of an image file read whole into
	// memory (a directory source's image): a photograph of that size is
	// an odd thing to show a barcode camera.
	maxFileSize = maxJPEG
)

// TooLargeError says that an image was refused because decoding it would
// allocate more than the limit.
type TooLargeError struct {
	Width, Height int
	BytesPerPixel int   // allocated while decoding (see decodeBytesPerPixel)
	Limit         int64 // bytes
}

func (e *TooLargeError) Error() string {
	need := int64(e.Width) * int64(e.Height) * int64(e.BytesPerPixel)
	bytes := "bytes"
	if e.BytesPerPixel == 1 {
		bytes = "byte"
	}
	return fmt.Sprintf("image too large to decode: %d×%d pixels at %d %s each need %s, more than the %s allowed",
		e.Width, e.Height, e.BytesPerPixel, bytes, sizeWords(need), sizeWords(e.Limit))
}

// sizeWords says a number of bytes in MiB or GiB, rounded up.
func sizeWords(n int64) string {
	if n >= 1<<30 {
		return fmt.Sprintf("%d GiB", (n+1<<30-1)>>30)
	}
	return fmt.Sprintf("%d MiB", (n+1<<20-1)>>20)
}

// bytesPerPixel is what the decoders of the standard library allocate for
// a pixel of an image of the colour model m: the size of a pixel in the
// image type they return for it. A JPEG's YCbCr is counted as 4:4:4, the
// most it can be.
func bytesPerPixel(m color.Model) int {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8 // an unknown model: the largest a standard image type takes
}

// How a decoder's work multiplies what its pixels take.
type decodeHow int

const (
	plain           decodeHow = iota
	jpegSequential            // image/jpeg
	jpegProgressive           // image/jpeg, progressive: every DCT coefficient kept
	pngInterlaced             // image/png, Adam7: each pass an image of its own
)

// decodeBytesPerPixel is what decoding allocates for each pixel: the
// image it returns and what it needs on the way. image/jpeg decodes an
// RGB JPEG as YCbCr and then converts it to RGBA (3 + 4 bytes), and a
// CMYK one as YCbCr and a black plane, then CMYK (3 + 1 + 4); a
// progressive JPEG keeps each sample's coefficient as an int32 (4 bytes
// more for each component, up to 4); an interlaced PNG decodes its seven
// passes into images of their own, as large together as the result.
func decodeBytesPerPixel(m color.Model, how decodeHow) int {
	bpp := bytesPerPixel(m)
	if how == jpegSequential || how == jpegProgressive {
		switch m {
		case color.RGBAModel:
			bpp = 3 + 4
		case color.CMYKModel:
			bpp = 3 + 1 + 4
		}
	}
	switch how {
	case jpegProgressive:
		components := 3
		switch m {
		case color.GrayModel:
			components = 1
		case color.CMYKModel:
			components = 4
		}
		bpp += 4 * components
	case pngInterlaced:
		bpp *= 2
	}
	return bpp
}

// checkSize refuses an image whose decoding would allocate more than
// limit bytes.
func checkSize(cfg image.Config, how decodeHow, limit int64) error {
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return fmt.Errorf("image of %d×%d pixels: nothing to decode", cfg.Width, cfg.Height)
	}
	bpp := decodeBytesPerPixel(cfg.ColorModel, how)
	if int64(cfg.Width)*int64(cfg.Height) > limit/int64(bpp) {
		return &TooLargeError{Width: cfg.Width, Height: cfg.Height, BytesPerPixel: bpp, Limit: limit}
	}
	return nil
}

// howPNG says how a PNG whose first bytes are head decodes: its IHDR,
// the first chunk, ends with the interlace method.
func howPNG(head []byte) decodeHow {
	const interlace = 8 + 8 + 12 // signature, chunk length and type, 12 bytes into IHDR
	if len(head) > interlace && string(head[1:4]) == "PNG" && head[interlace] == 1 {
		return pngInterlaced
	}
	return plain
}

// DecodeImage decodes an image held in data — PNG, GIF, or JPEG, a
// JPEG without Huffman tables included (see [DecodeMJPEG]) — refusing,
// with a *TooLargeError and before allocating its pixels, one whose
// decoding would allocate more than limit bytes.
func DecodeImage(data []byte, limit int64) (image.Image, error) {
	if len(data) > 2 && data[0] == 0xFF && data[1] == markerSOI {
		return decodeMJPEG(data, limit)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, imageError(err)
	}
	if err := checkSize(cfg, howPNG(data), limit); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, imageError(err)
	}
	return img, nil
}

// ReadImageFile decodes the PNG, JPEG or GIF file name, refusing as
// DecodeImage does one whose decoding would allocate more than limit
// bytes. The file is read as it is decoded, not whole first.
func ReadImageFile(name string, limit int64) (image.Image, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	rewind := func() error {
		_, err := f.Seek(0, io.SeekStart)
		br.Reset(f)
		return err
	}
	head, _ := br.Peek(32)
	how := howPNG(head)
	if len(head) >= 2 && head[0] == 0xFF && head[1] == markerSOI {
		how = jpegSequential
		if progressive, err := isProgressive(br); err != nil {
			return nil, err
		} else if progressive {
			how = jpegProgressive
		}
		if err := rewind(); err != nil {
			return nil, err
		}
	}
	cfg, _, err := image.DecodeConfig(br)
	if err != nil {
		return nil, imageError(err)
	}
	if err := checkSize(cfg, how, limit); err != nil {
		return nil, err
	}
	if err := rewind(); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(br)
	if err != nil {
		return nil, imageError(err)
	}
	return img, nil
}

// isProgressive reads the marker segments of a JPEG stream up to its
// frame header and reports whether the frame is progressive (SOF2).
func isProgressive(br *bufio.Reader) (bool, error) {
	var b [4]byte
	if _, err := io.ReadFull(br, b[:2]); err != nil {
		return false, imageError(err)
	}
	for {
		// A marker: FF, fill bytes, its code.
		c, err := br.ReadByte()
		if err != nil {
			return false, imageError(err)
		}
		if c != 0xFF {
			return false, errors.New("JPEG: bad marker in its headers")
		}
		for c == 0xFF {
			if c, err = br.ReadByte(); err != nil {
				return false, imageError(err)
			}
		}
		switch {
		case c == markerSOF0 || c == markerSOF1:
			return false, nil
		case c == markerSOF2:
			return true, nil
		case c == markerSOS || c == markerEOI:
			return false, errors.New("JPEG: no frame header before its data")
		case c == markerTEM || c >= 0xD0 && c <= 0xD8:
			continue
		}
		if _, err := io.ReadFull(br, b[:2]); err != nil {
			return false, imageError(err)
		}
		n := int(b[0])<<8 | int(b[1])
		if n < 2 {
			return false, fmt.Errorf("JPEG: segment %#02x of length %d", c, n)
		}
		if _, err := br.Discard(n - 2); err != nil {
			return false, imageError(err)
		}
	}
}

// imageError says what is wrong with an image that would not decode.
func imageError(err error) error {
	switch {
	case errors.Is(err, image.ErrFormat):
		return errors.New("not a PNG, JPEG or GIF image")
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return errors.New("truncated image")
	}
	return err // "png: invalid format: not enough pixel data"
}
