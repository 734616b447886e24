//go:build !(linux && (amd64 || arm64 || arm || 386 || riscv64 || loong64))

package scan

import (
	"fmt"
	"runtime"
)

func openV4L2(path string, _ CameraOptions) (Source, error) {
	return nil, fmt.Errorf("camera %s: V4L2 capture is not built for %s/%s; use a directory of images or an MJPEG file", path, runtime.GOOS, runtime.GOARCH)
}
