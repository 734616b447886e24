package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTillRefusesNonRegularLog starts the till in tmux, on a terminal, with
// a --log that is not a regular file: a named pipe that nothing reads
// (which used to hang the till before its screen started), a directory
// and a device. Each is refused at once, in one line with a hint, exit 1.
func TestTillRefusesNonRegularLog(t *testing.T) {
	bin, dir, x := startE2E(t)
	fifo := filepath.Join(dir, "checks.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "logdir")
	os.Mkdir(sub, 0o755)
	tests := []struct {
		name, log, want string
	}{
		{"named pipe", fifo, "is a named pipe (FIFO), not a regular file"},
		{"directory", sub, "is a directory, not a regular file"},
		{"device", "/dev/null", "is a character device, not a regular file"},
	}
	// A session of its own keeps the tmux server up between the cases:
	// killing the last session stops the server, and the next case's
	// new-session could race with its exit ("server exited unexpectedly").
	x.run("new-session", "-d", "-s", "keep", "sleep 600")
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			session := fmt.Sprintf("log%d", i)
			exitFile := filepath.Join(dir, session+".exit")
			cmdline := fmt.Sprintf("env XDG_STATE_HOME=%s XDG_DATA_HOME=%s HOME=%s %s till --at 2026-11-24 --log %s; echo $? > %s; sleep 60",
				filepath.Join(dir, "state"), filepath.Join(dir, "data"), dir, bin, tt.log, exitFile)
			// Each session stays until the test's tmux server is killed:
			// killing the last one would end the server, and the next
			// new-session could reach it while it exits ("server exited
			// unexpectedly").
			x.run("new-session", "-d", "-s", session, "-x", "80", "-y", "24", cmdline)
			waitFor(t, 10*time.Second, "the till to exit", func() bool {
				_, err := os.Stat(exitFile)
				return err == nil
			})
			// Lines joined as written, not as wrapped at 80 columns.
			var screen string
			waitFor(t, 5*time.Second, "the hint on screen", func() bool {
				screen = x.run("capture-pane", "-p", "-J", "-S", "-", "-t", session)
				return strings.Contains(screen, "smartcheck: hint:")
			})
			status, _ := os.ReadFile(exitFile)
			if strings.TrimSpace(string(status)) != "1" {
				t.Errorf("exit status %q, want 1; screen:\n%s", status, screen)
			}
			want := "smartcheck: due-diligence log " + tt.log + " " + tt.want
			if !strings.Contains(screen, want+"\n") {
				t.Errorf("screen does not say %q:\n%s", want, screen)
			}
			if !strings.Contains(screen, "smartcheck: hint: give --log a regular file") {
				t.Errorf("no hint on screen:\n%s", screen)
			}
		})
	}
}
