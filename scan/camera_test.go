package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/ean"
)

// cameraScene is a 1280x720 picture as a camera might see it: a textured,
// shaded background (so that JPEG frames have the size of real ones)
// with a white label holding an EAN-13.
func cameraScene(t testing.TB, w, h int, code string) *image.RGBA {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rnd := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			n := rnd.IntN(24)
			img.SetRGBA(x, y, color.RGBA{byte(60 + x*90/w + n), byte(70 + y*80/h + n), byte(90 + n), 0xFF})
		}
	}
	if code != "" {
		c, err := ean.Encode(code)
		if err != nil {
			t.Fatal(err)
		}
		bc, err := barcode.Scale(c, 95*3, 160)
		if err != nil {
			t.Fatal(err)
		}
		label := image.Rect(0, 0, 95*3+80, 160+60).Add(image.Pt(w/2-(95*3+80)/2, h/2-110))
		draw.Draw(img, label, image.White, image.Point{}, draw.Src)
		draw.Draw(img, bc.Bounds().Add(label.Min.Add(image.Pt(40, 30))), bc, image.Point{}, draw.Src)
	}
	return img
}

func encodeJPEG(t testing.TB, img image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// stripDHT removes every DHT segment before the first scan, as an MJPEG
// camera sends its frames; it also returns what it removed.
func stripDHT(t testing.TB, jpg []byte) (stripped, dht []byte) {
	t.Helper()
	out := append([]byte(nil), jpg[:2]...)
	i := 2
	for {
		m := jpg[i+1]
		if m == markerSOS {
			return append(out, jpg[i:]...), dht
		}
		n := int(jpg[i+2])<<8 | int(jpg[i+3])
		seg := jpg[i : i+2+n]
		if m == markerDHT {
			dht = append(dht, seg...)
		} else {
			out = append(out, seg...)
		}
		i += 2 + n
	}
}

// yuyvOf packs an image as YUYV with the given stride, the way a camera
// sends it (BT.601 full range, as image/color converts).
func yuyvOf(img image.Image, stride int) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	data := make([]byte, stride*h)
	for y := range h {
		for x := 0; x < w; x += 2 {
			r0, g0, b0, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			r1, g1, b1, _ := img.At(b.Min.X+x+1, b.Min.Y+y).RGBA()
			y0, cb0, cr0 := color.RGBToYCbCr(byte(r0>>8), byte(g0>>8), byte(b0>>8))
			y1, cb1, cr1 := color.RGBToYCbCr(byte(r1>>8), byte(g1>>8), byte(b1>>8))
			p := data[y*stride+2*x:]
			p[0], p[1], p[2], p[3] = y0, byte((int(cb0)+int(cb1))/2), y1, byte((int(cr0)+int(cr1))/2)
		}
	}
	return data
}

func TestYUYVImage(t *testing.T) {
	// Two rows of four pixels, with 4 bytes of padding a row.
	data := []byte{
		10, 100, 20, 200, 30, 110, 40, 210, 0xEE, 0xEE, 0xEE, 0xEE,
		50, 120, 60, 220, 70, 130, 80, 230, 0xEE, 0xEE, 0xEE, 0xEE,
	}
	m, err := YUYVImage(data, 4, 2, 12)
	if err != nil {
		t.Fatal(err)
	}
	if m.SubsampleRatio != image.YCbCrSubsampleRatio422 {
		t.Errorf("subsample ratio %v, want 4:2:2", m.SubsampleRatio)
	}
	for _, c := range []struct {
		x, y       int
		yy, cb, cr byte
	}{
		{0, 0, 10, 100, 200}, {1, 0, 20, 100, 200}, {2, 0, 30, 110, 210}, {3, 0, 40, 110, 210},
		{0, 1, 50, 120, 220}, {1, 1, 60, 120, 220}, {2, 1, 70, 130, 230}, {3, 1, 80, 130, 230},
	} {
		got := m.YCbCrAt(c.x, c.y)
		if got != (color.YCbCr{Y: c.yy, Cb: c.cb, Cr: c.cr}) {
			t.Errorf("pixel (%d,%d) = %v, want Y %d Cb %d Cr %d", c.x, c.y, got, c.yy, c.cb, c.cr)
		}
	}

	// A scene round-trips through YUYV within the loss of 4:2:2, and
	// the barcode in it still reads.
	scene := cameraScene(t, 640, 360, "9520000001018")
	m, err = YUYVImage(yuyvOf(scene, 1280), 640, 360, 1280)
	if err != nil {
		t.Fatal(err)
	}
	rs := NewDecoder(Options{Quick: true}).Decode(m)
	if len(rs) != 1 || rs[0].Text != "9520000001018" {
		t.Errorf("decoding the YUYV frame: %v", rs)
	}

	for _, tt := range []struct {
		name          string
		n, w, h, strd int
		want          string
	}{
		{"short frame", 15, 4, 2, 8, "short frame"},
		{"odd width", 100, 3, 2, 6, "even width"},
		{"stride too small", 100, 4, 2, 6, "stride 6"},
		{"empty", 0, 0, 0, 0, "positive size"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := YUYVImage(make([]byte, tt.n), tt.w, tt.h, tt.strd)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// TestStandardDHT holds standardDHT to the tables of JPEG Annex K as Go's
// own encoder writes them.
func TestStandardDHT(t *testing.T) {
	_, dht := stripDHT(t, encodeJPEG(t, cameraScene(t, 64, 48, ""), 75))
	if !bytes.Equal(dht, standardDHT) {
		t.Errorf("standardDHT (%d bytes) differs from image/jpeg's DHT segment (%d bytes)", len(standardDHT), len(dht))
	}
	if len(standardDHT) != 420 {
		t.Errorf("standardDHT is %d bytes, want 420", len(standardDHT))
	}
}

func TestDecodeMJPEG(t *testing.T) {
	scene := cameraScene(t, 320, 240, "9520000001018")
	grey := image.NewGray(scene.Bounds())
	draw.Draw(grey, grey.Bounds(), scene, image.Point{}, draw.Src)
	for _, tt := range []struct {
		name string
		img  image.Image
	}{
		{"colour 4:2:0", scene},
		{"greyscale", grey},
	} {
		t.Run(tt.name, func(t *testing.T) {
			full := encodeJPEG(t, tt.img, 80)
			want, err := jpeg.Decode(bytes.NewReader(full))
			if err != nil {
				t.Fatal(err)
			}
			stripped, dht := stripDHT(t, full)
			if len(dht) == 0 {
				t.Fatal("no DHT to strip")
			}
			if _, err := jpeg.Decode(bytes.NewReader(stripped)); err == nil {
				t.Fatal("image/jpeg decodes a frame without Huffman tables: the test proves nothing")
			}
			for name, data := range map[string][]byte{"with tables": full, "without tables": stripped} {
				got, err := DecodeMJPEG(data)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !samePixels(got, want) {
					t.Errorf("%s: pixels differ from image/jpeg's decoding of the whole file", name)
				}
			}
		})
	}

	full := encodeJPEG(t, scene, 80)
	stripped, _ := stripDHT(t, full)
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "no JPEG start-of-image"},
		{"PNG", pngOf(t, scene), "no JPEG start-of-image"},
		{"headers cut", stripped[:40], "truncated"},
		{"scan cut", stripped[:len(stripped)/2], "MJPEG frame"},
		{"no scan", []byte{0xFF, 0xD8, 0xFF, 0xD9}, "ends before any scan"},
		{"bad length", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0xFF, 0xDA}, "length 1"},
		{"garbage marker", []byte{0xFF, 0xD8, 0x12, 0x34, 0xFF, 0xDA}, "bad marker"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeMJPEG(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r0, g0, b0, a0 := a.At(x, y).RGBA()
			r1, g1, b1, a1 := b.At(x, y).RGBA()
			if r0 != r1 || g0 != g1 || b0 != b1 || a0 != a1 {
				return false
			}
		}
	}
	return true
}

func pngOf(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withEXIFThumbnail puts an APP1 segment holding a whole JPEG image (an
// EXIF thumbnail, with its own SOI and EOI) after the SOI of jpg.
func withEXIFThumbnail(jpg, thumb []byte) []byte {
	seg := append([]byte("Exif\x00\x00"), thumb...)
	n := len(seg) + 2
	out := append([]byte(nil), jpg[:2]...)
	out = append(out, 0xFF, 0xE1, byte(n>>8), byte(n))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func TestMJPEGReader(t *testing.T) {
	var frames [][]byte
	for i := range 4 {
		img := cameraScene(t, 96+16*i, 64, "")
		frames = append(frames, encodeJPEG(t, img, 70))
	}
	thumb := encodeJPEG(t, cameraScene(t, 16, 16, ""), 50)
	frames[1] = withEXIFThumbnail(frames[1], thumb)
	frames[2], _ = stripDHT(t, frames[2])

	var stream bytes.Buffer
	stream.WriteString("junk before the first frame")
	for i, f := range frames {
		stream.Write(f)
		if i == 0 {
			stream.WriteString("\x00\x00padding between frames\xff\xff")
		}
	}
	r := NewMJPEGReader(bytes.NewReader(stream.Bytes()))
	for i, want := range frames {
		got, err := r.Next()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("frame %d: %d bytes, want %d", i, len(got), len(want))
		}
		img, err := DecodeMJPEG(got)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if w := img.Bounds().Dx(); w != 96+16*i {
			t.Errorf("frame %d is %d wide, want %d", i, w, 96+16*i)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last frame: %v, want io.EOF", err)
	}

	cut := NewMJPEGReader(bytes.NewReader(frames[0][:len(frames[0])-100]))
	if _, err := cut.Next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a frame cut short: %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestThumbnail(t *testing.T) {
	// Left half black, right half white.
	img := image.NewRGBA(image.Rect(0, 0, 1280, 720))
	draw.Draw(img, image.Rect(640, 0, 1280, 720), image.White, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, 0, 640, 720), image.Black, image.Point{}, draw.Src)
	ycc, err := DecodeMJPEG(encodeJPEG(t, img, 95))
	if err != nil {
		t.Fatal(err)
	}
	grey := image.NewGray(img.Bounds())
	draw.Draw(grey, grey.Bounds(), img, image.Point{}, draw.Src)
	for _, tt := range []struct {
		name       string
		img        image.Image
		maxW, maxH int
		w, h       int
	}{
		{"YCbCr", ycc, 160, 120, 160, 90},
		{"Gray", grey, 160, 120, 160, 90},
		{"RGBA", img, 160, 120, 160, 90},
		{"height bound", img, 400, 45, 80, 45},
		{"never scales up", cameraScene(t, 40, 30, ""), 160, 120, 40, 30},
	} {
		t.Run(tt.name, func(t *testing.T) {
			th := Thumbnail(tt.img, tt.maxW, tt.maxH)
			if th.Bounds().Dx() != tt.w || th.Bounds().Dy() != tt.h {
				t.Fatalf("thumbnail %v, want %dx%d", th.Bounds(), tt.w, tt.h)
			}
			if tt.name == "never scales up" {
				return
			}
			l, r := th.RGBAAt(2, tt.h/2), th.RGBAAt(tt.w-3, tt.h/2)
			if l.R > 8 || l.G > 8 || l.B > 8 || r.R < 247 || r.G < 247 || r.B < 247 {
				t.Errorf("left %v, right %v: want black and white", l, r)
			}
		})
	}
	if th := Thumbnail(img, 0, 10); th.Bounds().Dx() != 0 {
		t.Errorf("zero bound gives %v", th.Bounds())
	}
}

// writeClip writes frames as an MJPEG file.
func writeClip(t testing.TB, path string, frames ...image.Image) {
	t.Helper()
	var b bytes.Buffer
	for _, f := range frames {
		b.Write(encodeJPEG(t, f, 80))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFileSources(t *testing.T) {
	dir := t.TempDir()
	clip := filepath.Join(dir, "clip.mjpeg")
	writeClip(t, clip, cameraScene(t, 64, 48, ""), cameraScene(t, 80, 48, ""), cameraScene(t, 96, 48, ""))
	frames := filepath.Join(dir, "frames")
	os.Mkdir(frames, 0o755)
	for i, name := range []string{"b.png", "a.jpg", "c.GIF"} {
		img := cameraScene(t, 32*(i+1), 32, "")
		var data []byte
		switch filepath.Ext(name) {
		case ".png":
			data = pngOf(t, img)
		case ".jpg":
			data, _ = stripDHT(t, encodeJPEG(t, img, 80))
		case ".GIF":
			data = gifOf(t, img)
		}
		os.WriteFile(filepath.Join(frames, name), data, 0o644)
	}
	os.WriteFile(filepath.Join(frames, "notes.txt"), []byte("not an image"), 0o644)
	os.Mkdir(filepath.Join(dir, "empty"), 0o755)
	os.WriteFile(filepath.Join(dir, "text.mjpeg"), []byte("no frames here"), 0o644)

	widths := func(t *testing.T, spec string, opt CameraOptions, n int) ([]int, error) {
		src, err := OpenCamera(spec, opt)
		if err != nil {
			return nil, err
		}
		defer src.Close()
		var ws []int
		for range n {
			f, err := src.Next(context.Background())
			if err != nil {
				return ws, err
			}
			img, err := f.Image()
			if err != nil {
				t.Fatal(err)
			}
			ws = append(ws, img.Bounds().Dx())
		}
		return ws, nil
	}
	fast := CameraOptions{FPS: 1000}
	for _, tt := range []struct {
		name    string
		spec    string
		opt     CameraOptions
		n       int
		want    string
		wantErr string
	}{
		{"clip once", clip, CameraOptions{FPS: 1000, Once: true}, 5, "[64 80 96]", "end of clip"},
		{"clip loops", clip, fast, 7, "[64 80 96 64 80 96 64]", ""},
		{"directory in name order", frames, CameraOptions{FPS: 1000, Once: true}, 4, "[64 32 96]", "end of clip"},
		{"directory loops", frames, fast, 4, "[64 32 96 64]", ""},
		{"empty directory", filepath.Join(dir, "empty"), fast, 1, "[]", "no images"},
		{"a file with no frames", filepath.Join(dir, "text.mjpeg"), fast, 1, "[]", "no JPEG frames"},
		{"missing", filepath.Join(dir, "nothing.mjpeg"), fast, 1, "[]", "not found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ws, err := widths(t, tt.spec, tt.opt, tt.n)
			if got := fmt.Sprint(ws); got != tt.want && !(ws == nil && tt.want == "[]") {
				t.Errorf("frame widths %s, want %s", got, tt.want)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one saying %q", err, tt.wantErr)
			}
		})
	}

	// A file source keeps its frame rate.
	src, err := OpenCamera(clip, CameraOptions{FPS: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	start := time.Now()
	for range 6 {
		if _, err := src.Next(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Errorf("6 frames at 50 fps took %v, want at least 100 ms less the first frame's wait", d)
	}
	if s := src.String(); !strings.Contains(s, "MJPEG file at 50 fps") {
		t.Errorf("String() = %q", s)
	}
}

// fakeSource gives frames from a list, then fails (or ends).
type fakeSource struct {
	frames []func() *Frame
	i      int
	end    error
	every  time.Duration
	gate   func(ctx context.Context) // if set, waits before each frame
}

func (s *fakeSource) Next(ctx context.Context) (*Frame, error) {
	if s.i >= len(s.frames) {
		return nil, s.end
	}
	sleep(ctx, s.every)
	if s.gate != nil {
		s.gate(ctx)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	f := s.frames[s.i]()
	s.i++
	f.Seq, f.Time = int64(s.i), time.Now()
	return f, nil
}
func (s *fakeSource) Close() error   { return nil }
func (s *fakeSource) String() string { return "fake camera" }

// TestCamera runs a camera that reads a code, goes away, comes back, and
// ends: the code is reported once per appearance, the loss is reported and
// retried, and previews arrive.
func TestCamera(t *testing.T) {
	code := encodeJPEG(t, cameraScene(t, 640, 360, "9520000001018"), 85)
	codeNoDHT, _ := stripDHT(t, code)
	blank := encodeJPEG(t, cameraScene(t, 640, 360, ""), 85)
	mj := func(b []byte) func() *Frame {
		return func() *Frame { return &Frame{Format: FrameMJPEG, Data: b} }
	}
	bad := func() *Frame { return &Frame{Format: FrameMJPEG, Data: []byte("not a jpeg")} }
	// The source gives a frame only once the decoder has read the one
	// before, so that none is skipped however slow the machine: the test
	// is of what is reported, not of speed.
	var camp atomic.Pointer[Camera]
	sent := int64(0)
	gate := func(ctx context.Context) {
		for ctx.Err() == nil {
			if c := camp.Load(); c != nil && c.Stats().Decoded >= sent {
				break
			}
			time.Sleep(time.Millisecond)
		}
		sent++
	}
	clip := func(end error) *fakeSource {
		s := &fakeSource{end: end, gate: gate}
		s.frames = append(s.frames, mj(blank), bad)
		for range 8 {
			s.frames = append(s.frames, mj(codeNoDHT))
		}
		s.frames = append(s.frames, mj(blank))
		return s
	}
	opens := 0
	cam := StartCamera(CameraConfig{
		Open: func() (Source, error) {
			opens++
			switch opens {
			case 1:
				return nil, errors.New("camera /dev/video9: not found (unplugged?)")
			case 2:
				return clip(errors.New("camera /dev/video9: gone (no such device): unplugged?")), nil
			}
			return clip(ErrEndOfClip), nil
		},
		Confirm: 3, PreviewFPS: 1000, PreviewWidth: 64, PreviewHeight: 64, Retry: 10 * time.Millisecond,
	})
	defer cam.Close()
	camp.Store(cam)
	var got []string
	previews := 0
	timeout := time.After(20 * time.Second)
	for events := cam.Events(); events != nil; {
		select {
		case e, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			switch e.Kind {
			case CameraRunning:
				got = append(got, "running "+e.Source)
			case CameraFailed:
				got = append(got, fmt.Sprintf("failed %v (retry in %v)", e.Err, e.RetryIn))
			case CameraCode:
				got = append(got, "code "+e.Code.Input())
			case CameraEnded:
				got = append(got, "ended")
			}
		case p, ok := <-cam.Previews():
			if ok {
				previews++
				if b := p.Image.Bounds(); b.Dx() != 64 || b.Dy() != 36 {
					t.Errorf("preview of %v, want 64x36", b)
				}
			}
		case <-timeout:
			t.Fatalf("timed out; events so far: %q", got)
		}
	}
	want := []string{
		"failed camera /dev/video9: not found (unplugged?) (retry in 10ms)",
		"running fake camera",
		"code ]E09520000001018",
		"failed camera /dev/video9: gone (no such device): unplugged? (retry in 10ms)",
		"running fake camera",
		"code ]E09520000001018",
		"ended",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	st := cam.Stats()
	if st.Frames != 22 || st.Opens != 2 || st.BadFrames == 0 || !strings.Contains(st.LastBad, "start-of-image") {
		t.Errorf("stats %+v: want 22 frames, 2 opens, bad frames reported", st)
	}
	if st.Decoded != st.Frames || st.Dropped != 0 {
		t.Errorf("stats %+v: want every frame decoded", st)
	}
	if previews == 0 {
		t.Error("no previews")
	}
}

// TestCameraClose stops a camera that is waiting to open again, and one
// whose events nobody reads.
func TestCameraClose(t *testing.T) {
	cam := StartCamera(CameraConfig{
		Open:  func() (Source, error) { return nil, errors.New("no camera") },
		Retry: time.Hour,
	})
	<-cam.Events()
	done := make(chan struct{})
	go func() { cam.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}

	blank := encodeJPEG(t, cameraScene(t, 64, 48, ""), 80)
	cam = StartCamera(CameraConfig{
		Open: func() (Source, error) {
			s := &fakeSource{end: errors.New("gone"), every: time.Millisecond}
			for range 100 {
				s.frames = append(s.frames, func() *Frame { return &Frame{Format: FrameMJPEG, Data: blank} })
			}
			return s, nil
		},
		Retry: time.Millisecond,
	})
	time.Sleep(50 * time.Millisecond) // events pile up, unread
	done = make(chan struct{})
	go func() { cam.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return with events unread")
	}
}

func gifOf(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// cameraCodes runs a camera on spec, played once, and returns the codes
// it reports and its stats.
func cameraCodes(t *testing.T, spec string, opt CameraOptions, confirm int) ([]string, CameraStats) {
	t.Helper()
	opt.Once = true
	cam := StartCamera(CameraConfig{
		Open:    func() (Source, error) { return OpenCamera(spec, opt) },
		Confirm: confirm, Retry: time.Hour,
	})
	defer cam.Close()
	var got []string
	timeout := time.After(30 * time.Second)
	for events := cam.Events(); events != nil; {
		select {
		case e, ok := <-events:
			switch {
			case !ok:
				events = nil
			case e.Kind == CameraCode:
				got = append(got, e.Code.Format+" "+e.Code.Text)
			case e.Kind == CameraFailed:
				t.Fatalf("camera failed: %v", e.Err)
			}
		case <-cam.Previews():
		case <-timeout:
			t.Fatalf("timed out; codes so far: %q", got)
		}
	}
	return got, cam.Stats()
}

// TestCameraDirectoryOnePhotoEach: a directory with one photo of each of
// three products, played at a rate far faster than the decoder, and
// --confirm 3: each photo is decoded (none dropped) and its code
// confirmed, in name order; a crafted huge image among them is a bad
// frame, skipped, with its reason in the stats.
func TestCameraDirectoryOnePhotoEach(t *testing.T) {
	dir := t.TempDir()
	for i, code := range []string{"9520000001018", "9520000000011", "9520000001100"} {
		name := filepath.Join(dir, fmt.Sprintf("%d.jpg", i+1))
		if err := os.WriteFile(name, encodeJPEG(t, cameraScene(t, 640, 360, code), 85), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "2a.png"), must(os.ReadFile(hugePNG16)), 0o644)
	got, st := cameraCodes(t, dir, CameraOptions{FPS: 120}, 3)
	want := []string{"EAN_13 9520000001018", "EAN_13 9520000000011", "EAN_13 9520000001100"}
	if !slices.Equal(got, want) {
		t.Errorf("codes %q, want %q", got, want)
	}
	if st.Frames != 4 || st.Decoded != 4 || st.Dropped != 0 || st.BadFrames != 1 ||
		!strings.Contains(st.LastBad, "2a.png: image too large to decode") {
		t.Errorf("stats %+v: want 4 frames decoded, none dropped, 2a.png bad for its size", st)
	}
}
