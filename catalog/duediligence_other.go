//go:build !unix

package catalog

import "os"

const openNoBlock = 0

// writeOnce writes b; where there is no write(2) to call directly,
// os.File.Write is the nearest.
func writeOnce(f *os.File, b []byte) error {
	_, err := f.Write(b)
	return err
}
