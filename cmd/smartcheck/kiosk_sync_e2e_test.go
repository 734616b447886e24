package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// TestKioskSyncEndToEnd runs the real kiosk in tmux with --sync against a
// loopback server that publishes nothing at first: a scan then asks the
// shopper to see staff, and the staff screen says why. Once the server
// publishes a catalog the kiosk installs it, then takes a newer one (a
// scan after is judged by it), and refuses a rollback: the staff screen
// says so and keeps the catalog it has; the shopper screen never shows
// any of it.
func TestKioskSyncEndToEnd(t *testing.T) {
	bin, dir, x := startE2E(t)
	start := time.Now()
	pub := newTestPublisher(t, dir, "kiosk-e2e")

	env := []string{
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"HOME=" + dir,
	}
	exitFile := filepath.Join(dir, "exit-status")
	cmdline := fmt.Sprintf("env %s %s kiosk --at 2026-11-24 --staff-pin 4711 --idle 60s --sync %s/ --sync-every 1s --trust %s; echo $? > %s",
		strings.Join(env, " "), bin, pub.URL, filepath.Join(dir, "1500", "trust"), exitFile)
	x.run("new-session", "-d", "-s", "till", "-x", "160", "-y", "48", cmdline,
		";", "set-option", "-g", "window-size", "manual", ";", "set-option", "-g", "remain-on-exit", "on")
	flat := func() string { return strings.Join(strings.Fields(x.screen()), " ") }
	onScreen := func(d time.Duration, what ...string) {
		t.Helper()
		for deadline := time.Now().Add(d); ; time.Sleep(20 * time.Millisecond) {
			s, all := flat(), true
			for _, w := range what {
				all = all && strings.Contains(s, w)
			}
			if all {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out after %v waiting for %q on screen:\n%s", d, what, x.screen())
			}
		}
	}
	keys := func(k ...string) { x.run(append([]string{"send-keys", "-t", "till"}, k...)...) }
	code := catalog.SyntheticGTIN(2000)
	scan := func(s string) { keys("-l", s); keys("Enter") }
	staff := func() { keys("F12"); onScreen(5*time.Second, "Type the staff PIN"); keys("-l", "4711"); keys("Enter") }
	shopperSeesNoSync := func() {
		t.Helper()
		for _, w := range []string{"following", "sync", "REFUSED", "records", "127.0.0.1"} {
			if s := x.screen(); strings.Contains(s, w) {
				t.Errorf("the shopper screen says %q:\n%s", w, s)
			}
		}
	}
	onScreen(15*time.Second, "product security check")

	// Nothing published yet: the shopper is asked to see staff.
	scan(code)
	onScreen(5*time.Second, "Please ask a member of staff", "Barcode "+code)
	shopperSeesNoSync()
	staff()
	onScreen(5*time.Second, "UNTRUSTED — every scan shows CHECK. Why: no catalog is installed in", "failed")

	// Published: installed while staff watch.
	pub.publish(0)
	onScreen(10*time.Second, "· 1500 records ·", "synced")
	pub.publish(1)
	onScreen(10*time.Second, "· 2500 records ·", "1000 new records")
	keys("Escape") // back to the welcome
	onScreen(5*time.Second, "Scan the barcode with the scanner")
	scan(code)
	onScreen(5*time.Second, "Security updates")
	if s := flat(); strings.Contains(s, "Barcode "+code) || strings.Contains(s, "Please ask a member of staff") {
		t.Errorf("the product was not judged by the new catalog:\n%s", x.screen())
	}
	shopperSeesNoSync()

	// Rolled back: refused; the kiosk keeps what it has, and says so to staff only.
	pub.publish(0)
	staff()
	onScreen(10*time.Second, "CATALOG UPDATE REFUSED", "the catalog was rolled back", "REFUSED (last good")
	if s := flat(); !strings.Contains(s, "· 2500 records ·") {
		t.Errorf("the catalog changed on a refused sync:\n%s", x.screen())
	}
	keys("Escape")
	onScreen(5*time.Second, "Scan the barcode with the scanner")
	shopperSeesNoSync()

	staff()
	onScreen(5*time.Second, "F10 quits the kiosk")
	keys("F10")
	var status []byte
	waitFor(t, 10*time.Second, "the kiosk to exit", func() bool {
		status, _ = os.ReadFile(exitFile)
		return len(status) > 0
	})
	if strings.TrimSpace(string(status)) != "0" {
		t.Errorf("kiosk exited with status %q:\n%s", status, x.screen())
	}
	t.Logf("whole test %v", time.Since(start).Round(time.Millisecond))
}
