package scan

import (
	"bytes"
	"image"
	"os"
	"reflect"
	"slices"
	"testing"
)

// FuzzParse checks that Parse never panics, that every Code it returns keeps
// its promises (a valid GTIN-14 among the elements, a batch and serial of set
// 82, an expiry that is a date), and that the bracketed rendering of a Code
// reads back as the same Code, less the symbology identifier it came with.
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, tt := range errorTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := Parse(in)
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("Parse(%q) error is %T, want *Error", in, err)
			}
			if e.Input != in || e.Pos < -1 || e.Pos > len(in) || e.Msg == "" {
				t.Fatalf("Parse(%q) = bad error %+v", in, e)
			}
			return
		}
		checkSound(t, in, c)
		b := c.Bracketed()
		c2, err := Parse(b)
		if err != nil {
			t.Fatalf("Parse(%q) = %+v, but its bracketed form %q fails: %v", in, c, b, err)
		}
		c.Symbology = ""
		if !reflect.DeepEqual(c, c2) {
			t.Fatalf("Parse(%q) = %+v\nbut Parse(%q) = %+v", in, c, b, c2)
		}
	})
}

// fuzzLimit is the limit the image fuzz targets decode under: small, so
// that a decoder allocating past it shows.
const fuzzLimit = 1 << 20

// fuzzSlack is what a decode may allocate beyond its pixels: the
// decoders' tables and buffers, and the interlaced passes of a PNG.
const fuzzSlack = 2*fuzzLimit + 1<<20

// imageSeeds are the fuzz targets' seeds: the crafted huge images under
// testdata and small images of every format.
func imageSeeds(f *testing.F) [][]byte {
	seeds := [][]byte{
		pngOf(f, cameraScene(f, 16, 16, "")),
		gifOf(f, cameraScene(f, 16, 16, "")),
		encodeJPEG(f, cameraScene(f, 16, 16, ""), 50),
		hugeJPEG(f, 300, 300),
		hugePNG(f, 300, 300),
	}
	stripped, _ := stripDHT(f, encodeJPEG(f, cameraScene(f, 24, 8, ""), 50))
	seeds = append(seeds, stripped)
	for _, name := range []string{hugeMJPEG, hugePNG16} {
		seeds = append(seeds, must(os.ReadFile(name)))
	}
	// Two frames of a clip; small ones, as the fuzzer spends its time
	// minimising what it finds, and a frame of the demo clip is 12 KB.
	return append(seeds, append(slices.Clone(stripped), seeds[2]...))
}

// checkAlloc fails when decode allocated more than the limit allows.
func checkAlloc(t *testing.T, what string, n uint64) {
	if n > fuzzLimit+fuzzSlack {
		t.Fatalf("%s allocated %d KB, limit %d KB", what, n>>10, fuzzLimit>>10)
	}
}

// FuzzDecodeImage: DecodeImage never panics, allocates no more than its
// limit allows, and returns an image within the limit or an error; the
// quick decoder reads what it returns without panicking.
func FuzzDecodeImage(f *testing.F) {
	for _, s := range imageSeeds(f) {
		f.Add(s)
	}
	d := NewDecoder(Options{Quick: true})
	f.Fuzz(func(t *testing.T, data []byte) {
		var img image.Image
		var err error
		checkAlloc(t, "DecodeImage", allocated(func() { img, err = DecodeImage(data, fuzzLimit) }))
		if err != nil {
			if img != nil {
				t.Fatal("an image and an error")
			}
			return
		}
		if b := img.Bounds(); b.Dx()*b.Dy() > fuzzLimit {
			t.Fatalf("decoded %v, more pixels than the limit allows", b)
		}
		d.Decode(img)
	})
}

// FuzzMJPEG: the MJPEG reader splits any stream without panicking, each
// frame no longer than the stream, and decoding each frame never panics
// or allocates more than the limit allows.
func FuzzMJPEG(f *testing.F) {
	for _, s := range imageSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewMJPEGReader(bytes.NewReader(data))
		total := 0
		for {
			fr, err := rd.Next()
			if err != nil {
				break
			}
			if total += len(fr); total > len(data) {
				t.Fatalf("frames of %d bytes from %d", total, len(data))
			}
			checkAlloc(t, "decodeMJPEG", allocated(func() { decodeMJPEG(fr, fuzzLimit) }))
		}
	})
}
