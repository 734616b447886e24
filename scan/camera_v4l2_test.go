//go:build linux && (amd64 || arm64 || riscv64 || loong64)

package scan

import (
	"testing"
	"unsafe"
)

// TestV4L2ABI holds the structures and ioctl numbers of camera_v4l2.go to
// those of linux/videodev2.h on 64-bit Linux (the values C code gets from
// the kernel headers).
func TestV4L2ABI(t *testing.T) {
	for _, tt := range []struct {
		name      string
		got, want uintptr
	}{
		{"sizeof(struct v4l2_capability)", unsafe.Sizeof(v4l2Capability{}), 104},
		{"sizeof(struct v4l2_fmtdesc)", unsafe.Sizeof(v4l2Fmtdesc{}), 64},
		{"sizeof(struct v4l2_format)", unsafe.Sizeof(v4l2Format{}), 208},
		{"sizeof(struct v4l2_requestbuffers)", unsafe.Sizeof(v4l2RequestBuffers{}), 20},
		{"sizeof(struct v4l2_buffer)", unsafe.Sizeof(v4l2Buffer{}), 88},
		{"sizeof(struct v4l2_streamparm)", unsafe.Sizeof(v4l2Streamparm{}), 204},
		{"offsetof(struct v4l2_buffer, m)", unsafe.Offsetof(v4l2Buffer{}.m), 64},
		{"offsetof(struct v4l2_buffer, length)", unsafe.Offsetof(v4l2Buffer{}.length), 72},
		{"VIDIOC_QUERYCAP", vidiocQuerycap, 0x80685600},
		{"VIDIOC_ENUM_FMT", vidiocEnumFmt, 0xc0405602},
		{"VIDIOC_S_FMT", vidiocSFmt, 0xc0d05605},
		{"VIDIOC_REQBUFS", vidiocReqbufs, 0xc0145608},
		{"VIDIOC_QUERYBUF", vidiocQuerybuf, 0xc0585609},
		{"VIDIOC_QBUF", vidiocQbuf, 0xc058560f},
		{"VIDIOC_DQBUF", vidiocDqbuf, 0xc0585611},
		{"VIDIOC_STREAMON", vidiocStreamon, 0x40045612},
		{"VIDIOC_STREAMOFF", vidiocStreamoff, 0x40045613},
		{"VIDIOC_S_PARM", vidiocSParm, 0xc0cc5616},
		{"V4L2_PIX_FMT_YUYV", uintptr(pixYUYV), 0x56595559},
		{"V4L2_PIX_FMT_MJPEG", uintptr(pixMJPG), 0x47504a4d},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %#x, want %#x", tt.name, tt.got, tt.want)
		}
	}
}

// TestOpenV4L2NotADevice opens something that is not a camera.
func TestOpenV4L2NotADevice(t *testing.T) {
	_, err := openV4L2("/dev/null", CameraOptions{}.withDefaults())
	if err == nil {
		t.Fatal("/dev/null opened as a camera")
	}
	t.Log(err)
}
