//go:build unix

package catalog

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// openNoBlock keeps OpenDueDiligenceLog from waiting on a named pipe that
// nothing reads (it is then refused).
const openNoBlock = syscall.O_NONBLOCK

// writeOnce writes b with exactly one write(2): os.File.Write would write
// the rest of a short write in a second call, and another process's line
// could land between the two. A short write is an error; the next Append
// sees the torn line and starts afresh.
func writeOnce(f *os.File, b []byte) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var n int
	var werr error
	if err := rc.Write(func(fd uintptr) bool {
		for {
			n, werr = syscall.Write(int(fd), b)
			if werr != syscall.EINTR {
				return true
			}
		}
	}); err != nil {
		return err
	}
	if werr != nil {
		return werr
	}
	if n < len(b) {
		return fmt.Errorf("wrote %d of %d bytes: %w", n, len(b), io.ErrShortWrite)
	}
	return nil
}
