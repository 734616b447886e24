package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/scan"
	"github.com/smartcheck-uk/smartcheck/tui"
)

// kiosk runs the shopper screen:
//
//	smartcheck kiosk [--catalog DIR] [--trust FILE] [--at DATE] [--state DIR]
//	                 [--camera DEVICE|DIR|FILE.mjpeg] [--camera-size 1280x720] [--camera-format auto|mjpeg|yuyv]
//	                 [--fps 15] [--confirm 3] [--idle 30s] [--staff-pin-file FILE]
//	                 [--support-ended=stop|caution] [--caution-months N]
//	                 [--sync URL [--sync-every 15m]]
//
// Like the till, a catalog that cannot be opened or trusted does not stop
// it: every scan then shows CHECK. A camera that is missing or goes away
// does not stop it either: it is tried again every two seconds, the
// scanner works meanwhile, and the staff screen says why. --camera DIR
// plays a directory of photos, each one scan (a still counts as --confirm
// frames); scan/testdata/demo.mjpeg is a demo clip. When a frame holds a
// product code and other codes (a QR code of a web page), the product code
// is the scan. A frame whose pixels would take more than 64 MiB is skipped
// unread, and the staff screen says so. With --sync the
// kiosk follows the catalog published at URL as the till does, in the
// background, into --catalog (default: the installed catalog's
// directory), never falling back to the demo catalog; the staff screen
// says how syncing goes, the shopper's never does.
//
// The staff PIN comes from --staff-pin-file (a file holding the PIN, on a
// line of its own) or $SMARTCHECK_STAFF_PIN; --staff-pin PIN still works,
// but every user of the machine can read it in ps.
func (e *env) kiosk(args []string) error {
	fs := e.newFlags("kiosk", "[--camera /dev/video0|DIR|FILE.mjpeg] [--idle 30s] [--staff-pin-file FILE] [--catalog DIR] [--at YYYY-MM-DD]")
	var cf catalogFlags
	cf.register(fs)
	var pf policyFlags
	pf.register(fs)
	camera := fs.String("camera", "", "camera: a V4L2 `device` such as /dev/video0, a directory of photos (one scan each), or an MJPEG file (default: none, scanner only)")
	size := fs.String("camera-size", "1280x720", "frame size to ask of a V4L2 camera, `WxH`")
	format := fs.String("camera-format", "auto", "pixel format to ask of a V4L2 camera: auto (MJPEG if offered), mjpeg or yuyv")
	fps := fs.Int("fps", 15, "frames a second to ask of the camera, or to play a directory or MJPEG file at")
	confirm := fs.Int("confirm", 3, "consecutive decoded camera frames that must agree on a code")
	idle := fs.Duration("idle", 30*time.Second, "clear the screen after this long without a scan")
	pinFile := fs.String("staff-pin-file", "", "read the staff PIN (4 to 16 digits) that F12 asks for from `FILE`; with a PIN F10 quits (default $SMARTCHECK_STAFF_PIN; without either, the kiosk is stopped with kill)")
	pin := fs.String("staff-pin", "", "the staff `PIN` itself: visible to every user in ps, so prefer --staff-pin-file or $SMARTCHECK_STAFF_PIN")
	var ff followFlags
	ff.register(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		e.errorf("kiosk takes no arguments, got %q", rest[0])
		return errUsage
	}
	policy, err := pf.policy()
	if err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	today, err := cf.today()
	if err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	if *idle < time.Second || *idle > 24*time.Hour {
		e.errorf("--idle must be between 1s and 24h")
		return errUsage
	}
	if *fps < 1 || *fps > 120 {
		e.errorf("--fps must be between 1 and 120")
		return errUsage
	}
	if *confirm < 1 || *confirm > 30 {
		e.errorf("--confirm must be between 1 and 30")
		return errUsage
	}
	opt := scan.CameraOptions{FPS: *fps}
	if opt.Width, opt.Height, err = parseSize(*size); err != nil {
		e.errorf("--camera-size: %v", err)
		return errUsage
	}
	switch strings.ToLower(*format) {
	case "auto":
	case "mjpeg":
		opt.Format = scan.FrameMJPEG
	case "yuyv":
		opt.Format = scan.FrameYUYV
	default:
		e.errorf("--camera-format must be auto, mjpeg or yuyv, not %q", *format)
		return errUsage
	}
	staffPIN, err := staffPINOf(*pin, *pinFile, os.Getenv("SMARTCHECK_STAFF_PIN"))
	if err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	if err := ff.check(fs, &cf); err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	if *camera != "" && !scan.IsCameraDevice(*camera) {
		// A clip or a directory that is not there is a mistake, not a
		// camera that is unplugged for now.
		if _, err := os.Stat(*camera); err != nil {
			return fmt.Errorf("--camera: %w", err)
		}
	}

	cfg := tui.KioskConfig{
		Policy: policy, Idle: *idle, StaffPIN: staffPIN, CameraSpec: *camera,
		StopHint: fmt.Sprintf("kill %d", os.Getpid()),
	}
	if cf.at != "" {
		cfg.Today = func() catalog.Date { return today }
	}
	if err := tui.KioskNeedsTerminal(e.stdin); err != nil {
		return err
	}
	cfg.Sync = ff.config(cf)
	cat, err := ff.open(&cf, e.stderr)
	if err != nil {
		cfg.Untrusted = err
	} else {
		// With --sync the kiosk closes it when a newer one takes over.
		defer cat.Close()
		cfg.Catalog, cfg.Demo = cat.Catalog, cat.demo
	}
	if spec := *camera; spec != "" {
		cam := scan.StartCamera(scan.CameraConfig{
			Open:    func() (scan.Source, error) { return scan.OpenCamera(spec, opt) },
			Confirm: *confirm,
		})
		defer cam.Close()
		cfg.Camera = cam
	}
	if err := tui.RunKiosk(cfg, e.stdin, e.stdout); err != nil {
		return err
	}
	if cfg.Untrusted != nil && ff.syncer == nil {
		e.errorf("the catalog was not trusted: %v", cfg.Untrusted)
	}
	return nil
}

// maxPINFile bounds what --staff-pin-file reads: a PIN and a line end,
// with room to spare.
const maxPINFile = 256

// staffPINOf is the staff PIN from --staff-pin, --staff-pin-file or
// $SMARTCHECK_STAFF_PIN (env), in that order; "" when none is given.
func staffPINOf(flag, file, env string) (string, error) {
	switch {
	case flag != "" && file != "":
		return "", errors.New("give --staff-pin or --staff-pin-file, not both")
	case flag != "":
		if !validPIN(flag) {
			return "", errors.New("--staff-pin must be 4 to 16 digits")
		}
		return flag, nil
	case file != "":
		pin, err := readPINFile(file)
		if err != nil {
			return "", fmt.Errorf("--staff-pin-file: %w", err)
		}
		return pin, nil
	case env != "":
		if !validPIN(env) {
			return "", errors.New("$SMARTCHECK_STAFF_PIN must be 4 to 16 digits")
		}
		return env, nil
	}
	return "", nil
}

// readPINFile reads a PIN from a regular file of one line. It looks
// before it opens: opening a FIFO would wait for a writer.
func readPINFile(name string) (string, error) {
	st, err := os.Stat(name)
	if err != nil {
		return "", err
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPINFile+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxPINFile {
		return "", fmt.Errorf("%s is longer than a PIN", name)
	}
	pin := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if !validPIN(pin) {
		return "", fmt.Errorf("%s must hold the PIN, 4 to 16 digits, on a line of its own", name)
	}
	return pin, nil
}

func validPIN(s string) bool {
	if len(s) < 4 || len(s) > 16 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseSize reads WxH.
func parseSize(s string) (w, h int, err error) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 16 || h < 16 || w > 7680 || h > 4320 {
		return 0, 0, fmt.Errorf("want WIDTHxHEIGHT such as 1280x720, not %q", s)
	}
	return w, h, nil
}
