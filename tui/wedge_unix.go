//go:build unix

package tui

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// inputReady reports whether f has input to read within d.
func inputReady(f *os.File, d time.Duration) bool {
	fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, int(d/time.Millisecond))
	return err == nil && n > 0
}
