//go:build !unix

package catalog

import "os"

// tryLock does not lock where flock is missing: run one sync at a time.
func tryLock(f *os.File) (bool, error) { return true, nil }
