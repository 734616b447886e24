package scan

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strings"
	"testing"
)

// Crafted images, tiny files that declare huge pictures
// (testdata/huge-*; written again by `go test -run TestHugeFiles
// -update-demo`).
const (
	hugeMJPEG = "testdata/huge-65535x65535.mjpeg"
	hugePNG16 = "testdata/huge-16bit-60000x60000.png"
)

// hugeJPEG returns a baseline JPEG of 8×8 pixels whose frame header says
// w×h, as a camera frame (no Huffman tables: the standard ones).
func hugeJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	jpg, _ := stripDHT(t, encodeJPEG(t, image.NewGray(image.Rect(0, 0, 8, 8)), 50))
	i := bytes.Index(jpg, []byte{0xFF, markerSOF0})
	if i < 0 {
		t.Fatal("no SOF0 in the JPEG")
	}
	// FF C0, length (2), precision (1), height (2), width (2).
	binary.BigEndian.PutUint16(jpg[i+5:], uint16(h))
	binary.BigEndian.PutUint16(jpg[i+7:], uint16(w))
	return jpg
}

// hugePNG returns a 16-bit RGBA PNG of 1×1 pixel whose header says w×h.
func hugePNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA64(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.NRGBA64{1, 2, 3, 4})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	// Signature (8), IHDR length (4), "IHDR" (4), width, height, ...,
	// and its CRC over type and data after the 13 bytes of data.
	binary.BigEndian.PutUint32(p[16:], uint32(w))
	binary.BigEndian.PutUint32(p[20:], uint32(h))
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	return p
}

// TestHugeFiles: the committed crafted files are what they say, and
// small.
func TestHugeFiles(t *testing.T) {
	if *updateDemo {
		os.WriteFile(hugeMJPEG, hugeJPEG(t, 65535, 65535), 0o644)
		os.WriteFile(hugePNG16, hugePNG(t, 60000, 60000), 0o644)
	}
	for _, tt := range []struct {
		file      string
		w, h, bpp int
	}{
		{hugeMJPEG, 65535, 65535, 1},
		{hugePNG16, 60000, 60000, 8},
	} {
		data, err := os.ReadFile(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > 1024 {
			t.Errorf("%s: %d bytes, want a tiny file", tt.file, len(data))
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if cfg.Width != tt.w || cfg.Height != tt.h || bytesPerPixel(cfg.ColorModel) != tt.bpp {
			t.Errorf("%s declares %dx%d at %d bytes a pixel, want %dx%d at %d", tt.file,
				cfg.Width, cfg.Height, bytesPerPixel(cfg.ColorModel), tt.w, tt.h, tt.bpp)
		}
	}
}

// allocated returns the bytes f allocates on the heap (a large
// allocation is counted when made; small ones may be counted a little
// late). It reads runtime/metrics, which stops nothing, rather than
// runtime.ReadMemStats, which stops the world and stalls a fuzzer.
func allocated(f func()) uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	before := s[0].Value.Uint64()
	f()
	metrics.Read(s)
	return s[0].Value.Uint64() - before
}

// TestImageLimits feeds every way an image is decoded — an MJPEG frame,
// a YUYV frame, an image of a directory source, an image file — pictures
// that declare more pixels than the limit allows, and expects each
// refused with a *TooLargeError, having allocated less than a megabyte;
// and pictures just under the limit decoded.
func TestImageLimits(t *testing.T) {
	jpg65535, png60000 := must(os.ReadFile(hugeMJPEG)), must(os.ReadFile(hugePNG16))
	// 16-bit RGBA: 8 bytes a pixel. 2896² × 8 is just under 64 MiB,
	// 2897² × 8 just over.
	pngOver, pngUnder := hugePNG(t, 2897, 2897), hugePNG(t, 2896, 2896)
	dir := t.TempDir()
	file := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bigFile := hugePNG(t, 5793, 5793) // 8 B × 5793² is just over 256 MiB
	tests := []struct {
		name   string
		decode func() (image.Image, error)
		small  bool // refused as too large; else decoded or refused for lack of pixels
	}{
		{"MJPEG frame 65535x65535", func() (image.Image, error) { return DecodeMJPEG(jpg65535) }, true},
		{"frame of a clip 65535x65535", (&Frame{Format: FrameMJPEG, Data: jpg65535}).Image, true},
		{"16-bit PNG 60000x60000 as a frame", func() (image.Image, error) { return DecodeImage(png60000, MaxFrameBytes) }, true},
		{"16-bit PNG 60000x60000 of a directory", (&Frame{Format: FrameFile, Name: "x.png", Data: png60000}).Image, true},
		{"16-bit PNG 60000x60000 as a file", func() (image.Image, error) { return ReadImageFile(file("a.png", png60000), MaxFileBytes) }, true},
		{"JPEG 65535x65535 as a file", func() (image.Image, error) { return ReadImageFile(file("a.jpg", jpg65535), MaxFileBytes) }, true},
		{"16-bit PNG just over a frame's limit", func() (image.Image, error) { return DecodeImage(pngOver, MaxFrameBytes) }, true},
		{"16-bit PNG just under a frame's limit", func() (image.Image, error) { return DecodeImage(pngUnder, MaxFrameBytes) }, false},
		{"16-bit PNG just over a file's limit", func() (image.Image, error) { return ReadImageFile(file("b.png", bigFile), MaxFileBytes) }, true},
		{"YUYV 65534x65535", func() (image.Image, error) { return YUYVImage(make([]byte, 4), 65534, 65535, 0) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := allocated(func() { _, err = tt.decode() })
			tooLarge := &TooLargeError{}
			switch {
			case tt.small && !errors.As(err, &tooLarge):
				t.Fatalf("error %v, want a *TooLargeError", err)
			case tt.small && n > 1<<20:
				t.Errorf("refusing it allocated %d KB", n>>10)
			case !tt.small && errors.As(err, &tooLarge):
				t.Errorf("refused: %v", err)
			case !tt.small && n < 60<<20:
				// The measure itself is checked: decoding this one
				// allocates its 64 MB.
				t.Errorf("decoding it allocated only %d KB: is allocated() measuring?", n>>10)
			}
			if tt.small && !strings.Contains(err.Error(), "too large") {
				t.Errorf("error %q does not say the image is too large", err)
			}
		})
	}
}

// TestTooLargeErrorText: what staff and `smartcheck scan` read.
func TestTooLargeErrorText(t *testing.T) {
	_, err := DecodeImage(must(os.ReadFile(hugePNG16)), MaxFileBytes)
	want := "image too large to decode: 60000×60000 pixels at 8 bytes each need 27 GiB, more than the 256 MiB allowed"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
	_, err = DecodeMJPEG(must(os.ReadFile(hugeMJPEG)))
	want = "MJPEG frame: image too large to decode: 65535×65535 pixels at 1 byte each need 4 GiB, more than the 64 MiB allowed"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}

// TestDecodeBytesPerPixelBounds: what decoding a real image of each
// kind allocates is within what the check counts for it (plus 1 MB for
// the decoders' tables and buffers).
func TestDecodeBytesPerPixelBounds(t *testing.T) {
	scene := cameraScene(t, 1000, 800, "9520000000011")
	gray := image.NewGray(scene.Bounds())
	draw.Draw(gray, gray.Bounds(), scene, image.Point{}, draw.Src)
	deep := image.NewNRGBA64(scene.Bounds())
	draw.Draw(deep, deep.Bounds(), scene, image.Point{}, draw.Src)
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"JPEG YCbCr", encodeJPEG(t, scene, 90)},
		{"JPEG gray", encodeJPEG(t, gray, 90)},
		{"PNG RGBA", pngOf(t, scene)},
		{"PNG gray", pngOf(t, gray)},
		{"PNG 16-bit", pngOf(t, deep)},
		{"GIF", gifOf(t, scene)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, format, err := image.DecodeConfig(bytes.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			how := howPNG(tt.data)
			if format == "jpeg" {
				how = jpegSequential
			}
			counted := uint64(cfg.Width*cfg.Height*decodeBytesPerPixel(cfg.ColorModel, how)) + 1<<20
			if n := allocated(func() { must(DecodeImage(tt.data, MaxFileBytes)) }); n > counted {
				t.Errorf("decoding allocated %d KB, more than the %d KB counted", n>>10, counted>>10)
			}
		})
	}
}

// TestProgressiveJPEGLimit: a progressive JPEG keeps its coefficients,
// 4 bytes more for each sample; the check counts them.
func TestProgressiveJPEGLimit(t *testing.T) {
	jpg := hugeJPEG(t, 4000, 4000) // 16 MB of gray pixels, 80 MB progressive
	i := bytes.Index(jpg, []byte{0xFF, markerSOF0})
	if _, err := DecodeMJPEG(jpg); errors.As(err, new(*TooLargeError)) {
		t.Fatalf("baseline 4000x4000 gray refused: %v", err)
	}
	jpg[i+1] = markerSOF2
	if _, err := DecodeMJPEG(jpg); !errors.As(err, new(*TooLargeError)) {
		t.Errorf("progressive 4000x4000 gray: error %v, want a *TooLargeError", err)
	}
	path := filepath.Join(t.TempDir(), "p.jpg")
	os.WriteFile(path, jpg, 0o644)
	if _, err := ReadImageFile(path, 64<<20); !errors.As(err, new(*TooLargeError)) {
		t.Errorf("progressive 4000x4000 gray file: error %v, want a *TooLargeError", err)
	}
}

// TestDirectorySkipsHugeImage: a directory source shows a huge image as
// a bad frame, with its name and why, and plays the next.
func TestDirectorySkipsHugeImage(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.png"), must(os.ReadFile(hugePNG16)), 0o644)
	os.WriteFile(filepath.Join(dir, "b.png"), pngOf(t, cameraScene(t, 32, 32, "")), 0o644)
	os.WriteFile(filepath.Join(dir, "c.jpg"), make([]byte, maxFileSize+1), 0o644)
	src, err := OpenCamera(dir, CameraOptions{FPS: 1000, Once: true})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var got []string
	for {
		f, err := src.Next(context.Background())
		if errors.Is(err, ErrEndOfClip) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !f.Still {
			t.Errorf("%s: not a still", f.Name)
		}
		if _, err := f.Image(); err != nil {
			got = append(got, strings.TrimPrefix(err.Error(), dir+string(filepath.Separator)))
		} else {
			got = append(got, filepath.Base(f.Name)+": ok")
		}
	}
	want := []string{
		"a.png: image too large to decode: 60000×60000 pixels at 8 bytes each need 27 GiB, more than the 64 MiB allowed",
		"b.png: ok",
		"c.jpg: a file of more than 32 MB is not a camera frame",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("frames:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// BenchmarkRefuseHuge: how long refusing a crafted frame takes.
func BenchmarkRefuseHuge(b *testing.B) {
	jpg, p := must(os.ReadFile(hugeMJPEG)), must(os.ReadFile(hugePNG16))
	for b.Loop() {
		DecodeMJPEG(jpg)
		DecodeImage(p, MaxFileBytes)
	}
}
