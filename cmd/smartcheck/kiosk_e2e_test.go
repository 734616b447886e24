package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/ean"
	"github.com/boombuler/barcode/qr"
)

// clipW x clipH is the frame size of the test clip: what a kiosk camera
// sends.
const clipW, clipH = 1280, 720

// labelScene is a camera's view of a box: a shaded background with a
// white label holding code, its left edge at x (negative: partly out of
// view).
func labelScene(code image.Image, x int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, clipW, clipH))
	for y := range clipH {
		for xx := range clipW {
			img.SetRGBA(xx, y, color.RGBA{byte(70 + xx*60/clipW), byte(90 + y*50/clipH), 120, 0xFF})
		}
	}
	if code != nil {
		b := code.Bounds()
		label := image.Rect(0, 0, b.Dx()+80, b.Dy()+80).Add(image.Pt(x, clipH/2-b.Dy()/2-40))
		draw.Draw(img, label, image.White, image.Point{}, draw.Src)
		draw.Draw(img, b.Add(label.Min.Add(image.Pt(40, 40))), code, b.Min, draw.Src)
	}
	return img
}

// blur is a box blur of radius r, horizontal then vertical: a camera out
// of focus, or a box moving.
func blur(src *image.RGBA, r int) *image.RGBA {
	pass := func(in *image.RGBA, dx, dy int) *image.RGBA {
		out := image.NewRGBA(in.Bounds())
		w, h := in.Bounds().Dx(), in.Bounds().Dy()
		for y := range h {
			for x := range w {
				var s [3]int
				n := 0
				for k := -r; k <= r; k++ {
					xx, yy := x+k*dx, y+k*dy
					if xx < 0 || yy < 0 || xx >= w || yy >= h {
						continue
					}
					c := in.RGBAAt(xx, yy)
					s[0], s[1], s[2] = s[0]+int(c.R), s[1]+int(c.G), s[2]+int(c.B)
					n++
				}
				out.SetRGBA(x, y, color.RGBA{byte(s[0] / n), byte(s[1] / n), byte(s[2] / n), 0xFF})
			}
		}
		return out
	}
	return pass(pass(src, 1, 0), 0, 1)
}

// withoutDHT strips the Huffman tables from a JPEG image, as many USB
// cameras send their MJPEG frames.
func withoutDHT(t *testing.T, jpg []byte) []byte {
	out := append([]byte(nil), jpg[:2]...)
	for i := 2; ; {
		if jpg[i+1] == 0xDA {
			return append(out, jpg[i:]...)
		}
		n := int(jpg[i+2])<<8 | int(jpg[i+3])
		if jpg[i+1] != 0xC4 {
			out = append(out, jpg[i:i+2+n]...)
		}
		i += 2 + n
		if i >= len(jpg) {
			t.Fatal("no SOS in the JPEG image")
		}
	}
}

// makeClip writes an MJPEG clip of a shopper showing the camera two
// products: the EAN-13 of a STOP product, first partly out of view and
// blurred, then sharp; then a GS1 Digital Link QR code of an OK product
// with its batch. Every other frame comes without Huffman tables.
func makeClip(t *testing.T, path string) (frames int) {
	t.Helper()
	e, err := ean.Encode("9520000001018") // Demo HomeRouter AX3000: STOP, universal default password
	if err != nil {
		t.Fatal(err)
	}
	stopCode, err := barcode.Scale(e, 95*4, 220)
	if err != nil {
		t.Fatal(err)
	}
	q, err := qr.Encode("https://id.gs1.org/01/09520000001131/10/PL2401", qr.M, qr.Auto) // Demo Smart Plug Duo, batch PL2401: OK
	if err != nil {
		t.Fatal(err)
	}
	okCode, err := barcode.Scale(q, 300, 300)
	if err != nil {
		t.Fatal(err)
	}
	centre := func(img image.Image) int { return clipW/2 - img.Bounds().Dx()/2 - 40 }
	sharpStop := labelScene(stopCode, centre(stopCode))
	scenes := []struct {
		img *image.RGBA
		n   int
	}{
		{labelScene(nil, 0), 6},
		{labelScene(stopCode, -250), 5},      // more than half the bars out of view
		{labelScene(stopCode, clipW-200), 5}, // the other side
		{blur(sharpStop, 12), 4},
		{sharpStop, 12},
		{labelScene(nil, 0), 6},
		{blur(labelScene(okCode, centre(okCode)), 10), 3},
		{labelScene(okCode, centre(okCode)), 12},
		{labelScene(nil, 0), 6},
	}
	var clip bytes.Buffer
	for _, s := range scenes {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, s.img, &jpeg.Options{Quality: 80}); err != nil {
			t.Fatal(err)
		}
		stripped := withoutDHT(t, b.Bytes())
		for i := range s.n {
			if i%2 == 0 {
				clip.Write(stripped)
			} else {
				clip.Write(b.Bytes())
			}
			frames++
		}
	}
	if err := os.WriteFile(path, clip.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return frames
}

// TestKioskEndToEnd starts the real binary in tmux on a 160x48 terminal
// with an MJPEG clip made here as its camera (1280x720 at 15 fps, looping)
// and finds on the screen the verdict of each product the clip shows —
// and never a product it does not show, though some frames are blurred or
// show only part of a barcode. Then it presses the keys a shopper might
// try (Ctrl+C, Ctrl+Z, Ctrl+\, q), finds the kiosk still running, and
// leaves through the staff screen with the PIN, read from a file, typed
// after a bracketed-paste start that never ends (what a scanner
// programmed with control characters may send).
func TestKioskEndToEnd(t *testing.T) {
	bin, dir, x := startE2E(t)
	start := time.Now()
	clip := filepath.Join(dir, "clip.mjpeg")
	frames := makeClip(t, clip)
	prepared := time.Since(start)

	env := []string{
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"HOME=" + dir,
	}
	exitFile := filepath.Join(dir, "exit-status")
	pinFile := filepath.Join(dir, "staff.pin")
	if err := os.WriteFile(pinFile, []byte("4711\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmdline := fmt.Sprintf("env %s %s kiosk --at 2026-11-24 --camera %s --fps 15 --staff-pin-file %s --idle 60s; echo $? > %s",
		strings.Join(env, " "), bin, clip, pinFile, exitFile)
	x.run("new-session", "-d", "-s", "till", "-x", "160", "-y", "48", cmdline,
		";", "set-option", "-g", "window-size", "manual", ";", "set-option", "-g", "remain-on-exit", "on")
	launched := time.Now()
	waitFor(t, 15*time.Second, "the kiosk to start", func() bool { return strings.Contains(x.screen(), "product security check") })

	// Each product the clip shows is judged; nothing else is ever on screen.
	// The product's name is a line of its own, left, beside the camera.
	product := regexp.MustCompile(`(?m)^ ((?:Demo|Google|Samsung|Apple|Example|Amazon|Barcode) [^│]*?)\s*(?:│|$)`)
	seen := map[string]bool{}
	var stopAt, okAt time.Duration
	waitFor(t, 30*time.Second, "the STOP and then the OK product", func() bool {
		s := x.screen()
		for _, m := range product.FindAllStringSubmatch(s, -1) {
			seen[strings.TrimSpace(m[1])] = true
		}
		flat := strings.Join(strings.Fields(s), " ")
		switch {
		case strings.Contains(flat, "TRY AGAIN"):
			t.Fatalf("a frame was misread:\n%s", s)
		case stopAt == 0 && strings.Contains(flat, "Demo HomeRouter AX3000") && strings.Contains(flat, "isn't available for sale") &&
			strings.Contains(flat, "password security rules"):
			stopAt = time.Since(launched)
		case stopAt != 0 && strings.Contains(flat, "Demo Smart Plug Duo") && strings.Contains(flat, "in order"):
			okAt = time.Since(launched)
			return true
		}
		return false
	})
	for p := range seen {
		if p != "Demo HomeRouter AX3000" && p != "Demo Smart Plug Duo" {
			t.Errorf("the screen showed %q, which the clip does not", p)
		}
	}
	if len(seen) != 2 {
		t.Errorf("products seen on screen: %v, want the two of the clip", seen)
	}

	// Lock-down: a shopper's keys change nothing but the scan field.
	x.run("send-keys", "-t", "till", "C-c", "C-z", `C-\`, "q", "Escape", "C-d")
	time.Sleep(500 * time.Millisecond)
	if _, err := os.Stat(exitFile); err == nil {
		t.Fatalf("the kiosk exited on a shopper's keys:\n%s", x.screen())
	}
	if s := x.screen(); !strings.Contains(s, "product security check") {
		t.Fatalf("the kiosk screen is gone after the lock-down keys:\n%s", s)
	}

	// Staff: F12, the PIN, the staff screen, F10.
	x.run("send-keys", "-t", "till", "F12")
	waitFor(t, 5*time.Second, "the PIN prompt", func() bool { return strings.Contains(x.screen(), "Type the staff PIN") })
	x.run("send-keys", "-t", "till", "-H", "1b", "5b", "32", "30", "30", "7e") // ESC [ 200 ~, and no end
	x.run("send-keys", "-t", "till", "-l", "4711")
	x.run("send-keys", "-t", "till", "Enter")
	var staff string
	waitFor(t, 5*time.Second, "the staff screen", func() bool {
		staff = x.screen()
		return strings.Contains(staff, "F10 quits the kiosk")
	})
	flat := strings.Join(strings.Fields(staff), " ")
	if !strings.Contains(flat, "MJPEG file at 15 fps, looped — working since") || !strings.Contains(flat, "last code read:") {
		t.Errorf("the staff screen does not describe the camera:\n%s", staff)
	}
	cameraLine := regexp.MustCompile(`[\d.]+ frames/s · \d+ frames · \d+ decoded \(\d+ ms each\) · \d+ skipped`).FindString(flat)
	x.run("send-keys", "-t", "till", "F10")
	var status []byte
	waitFor(t, 10*time.Second, "the kiosk to quit", func() bool {
		status, _ = os.ReadFile(exitFile)
		return len(status) > 0
	})
	if string(status) != "0\n" {
		t.Errorf("kiosk exited with status %q:\n%s", status, x.screen())
	}
	t.Logf("clip of %d frames of %dx%d made, and binary built, in %v; STOP on screen %v after launch, OK %v; camera: %s; whole test %v",
		frames, clipW, clipH, prepared.Round(time.Millisecond), stopAt.Round(time.Millisecond), okAt.Round(time.Millisecond),
		cameraLine, time.Since(start).Round(time.Millisecond))
}
