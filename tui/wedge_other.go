//go:build !unix

package tui

import (
	"os"
	"time"
)

// inputReady cannot wait for input here: what may be the start of a
// paste marker is handed on at once. (On Windows Bubble Tea may read
// the console's events instead of these bytes.)
func inputReady(*os.File, time.Duration) bool { return false }
