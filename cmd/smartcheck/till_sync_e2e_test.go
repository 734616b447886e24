package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// TestTillSyncEndToEnd runs the real till in tmux with --sync against a
// loopback server: it starts with no catalog, installs the published one
// on its first sync, takes a newer one between scans (a scan before is
// judged by the old, a scan after by the new, and the log says so), and
// refuses a rollback with a banner while it goes on using what it has.
func TestTillSyncEndToEnd(t *testing.T) {
	bin, dir, x := startE2E(t)
	pub := newTestPublisher(t, dir, "till-e2e")
	pub.publish(0)

	logPath := filepath.Join(dir, "checks.jsonl")
	env := []string{
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"HOME=" + dir,
	}
	exitFile := filepath.Join(dir, "exit-status")
	cmdline := fmt.Sprintf("env %s %s till --at 2026-11-24 --log %s --sync %s/ --sync-every 1s --trust %s; echo $? > %s",
		strings.Join(env, " "), bin, logPath, pub.URL, filepath.Join(dir, "1500", "trust"), exitFile)
	x.run("new-session", "-d", "-s", "till", "-x", "200", "-y", "50", cmdline,
		";", "set-option", "-g", "window-size", "manual", ";", "set-option", "-g", "remain-on-exit", "on")
	onScreen := func(what string, d time.Duration) {
		t.Helper()
		for deadline := time.Now().Add(d); !strings.Contains(x.screen(), what); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out after %v waiting for %q on screen:\n%s", d, what, x.screen())
			}
		}
	}
	onScreen("Scan ▸", 15*time.Second)
	onScreen("· 1500 records ·", 15*time.Second)
	onScreen("synced", 5*time.Second)

	code := catalog.SyntheticGTIN(2000)
	logged := func(seq int) catalog.DueDiligenceRecord {
		t.Helper()
		var found *catalog.DueDiligenceRecord
		waitFor(t, 10*time.Second, fmt.Sprintf("scan %d in the log", seq), func() bool {
			data, _ := os.ReadFile(logPath)
			recs, _, _ := catalog.ReadDueDiligenceLog(bytes.NewReader(data))
			for _, r := range recs {
				if r.Seq == seq && r.Event == catalog.EventCheck {
					found = &r
					return true
				}
			}
			return false
		})
		return *found
	}
	scan := func() {
		x.run("send-keys", "-t", "till", "-l", code)
		x.run("send-keys", "-t", "till", "Enter")
	}

	scan()
	if r := logged(1); r.Catalog == nil || r.Catalog.Size != 1500 || r.Verdict != "CHECK" {
		t.Errorf("scan 1: %+v, want CHECK by the catalog of 1500 records", r)
	}
	x.run("send-keys", "-t", "till", "F2") // the CHECK holds the next scan until acknowledged
	pub.publish(1)
	onScreen("· 2500 records ·", 15*time.Second)
	onScreen("1000 new records", 5*time.Second)
	scan()
	if r := logged(2); r.Catalog == nil || r.Catalog.Size != 2500 || r.Verdict == "CHECK" {
		t.Errorf("scan 2: %+v, want a verdict by the catalog of 2500 records", r)
	}

	// Rolled back: refused, and the till goes on with what it has.
	pub.publish(0)
	onScreen("CATALOG UPDATE REFUSED", 15*time.Second)
	if s := x.screen(); !strings.Contains(s, "the catalog was rolled back") || !strings.Contains(s, "· 2500 records ·") {
		t.Errorf("refusal not shown, or the catalog changed:\n%s", s)
	}

	x.run("send-keys", "-t", "till", "F10")
	var status []byte
	waitFor(t, 10*time.Second, "the till to exit", func() bool {
		status, _ = os.ReadFile(exitFile)
		return len(status) > 0
	})
	if strings.TrimSpace(string(status)) != "0" {
		t.Errorf("till exited with status %q:\n%s", status, x.screen())
	}
}
