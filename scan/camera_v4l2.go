//go:build linux && (amd64 || arm64 || arm || 386 || riscv64 || loong64)

package scan

// V4L2 capture (the Linux video API, linux/videodev2.h) with memory-mapped
// streaming buffers: the camera fills a ring of buffers, Next takes the
// oldest filled one, copies it out and gives it back at once. The copy is
// 1.8 MB for a 1280x720 YUYV frame, a fraction of a millisecond; holding
// the buffer instead would stall the camera while the decoder works.
//
// The structures below mirror videodev2.h for little-endian Linux on the
// architectures in the build constraint; TestV4L2ABI holds their sizes
// and the ioctl numbers to the kernel's.

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	v4l2BufTypeVideoCapture = 1
	v4l2MemoryMMAP          = 1
	v4l2FieldAny            = 0
	v4l2CapVideoCapture     = 0x00000001
	v4l2CapStreaming        = 0x04000000
	v4l2CapDeviceCaps       = 0x80000000
	v4l2BufFlagError        = 0x00000040
)

func fourcc(s string) uint32 {
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

var (
	pixYUYV = fourcc("YUYV")
	pixMJPG = fourcc("MJPG")
	pixJPEG = fourcc("JPEG")
)

func fourccString(f uint32) string {
	return string([]byte{byte(f), byte(f >> 8), byte(f >> 16), byte(f >> 24)})
}

type v4l2Capability struct {
	driver       [16]byte
	card         [32]byte
	busInfo      [32]byte
	version      uint32
	capabilities uint32
	deviceCaps   uint32
	reserved     [3]uint32
}

type v4l2Fmtdesc struct {
	index       uint32
	typ         uint32
	flags       uint32
	description [32]byte
	pixelformat uint32
	mbusCode    uint32
	reserved    [3]uint32
}

type v4l2PixFormat struct {
	width, height, pixelformat, field uint32
	bytesperline, sizeimage           uint32
	colorspace, priv, flags           uint32
	ycbcrEnc, quantization, xferFunc  uint32
}

// v4l2Format's union holds pointers (struct v4l2_window), so it is
// pointer-aligned: 200 bytes after 4 of type and, on 64-bit, 4 of
// padding.
type v4l2Format struct {
	typ uint32
	fmt [200 / unsafe.Sizeof(uintptr(0))]uintptr
}

func (f *v4l2Format) pix() *v4l2PixFormat { return (*v4l2PixFormat)(unsafe.Pointer(&f.fmt[0])) }

type v4l2RequestBuffers struct {
	count, typ, memory, capabilities uint32
	flags                            uint8
	reserved                         [3]uint8
}

type v4l2Buffer struct {
	index, typ, bytesused, flags, field uint32
	timestamp                           unix.Timeval
	timecode                            [16]byte
	sequence, memory                    uint32
	m                                   uintptr // union: offset (u32), userptr, planes, fd
	length, reserved2                   uint32
	requestFD                           uint32
}

type v4l2Streamparm struct {
	typ uint32
	// struct v4l2_captureparm: capability, capturemode, timeperframe
	// (numerator, denominator), extendedmode, readbuffers, reserved[4];
	// the union is 200 bytes.
	parm [50]uint32
}

func ioc(dir, nr, size uintptr) uintptr { return dir<<30 | size<<16 | 'V'<<8 | nr }

const (
	iocWrite = 1
	iocRead  = 2
)

var (
	vidiocQuerycap  = ioc(iocRead, 0, unsafe.Sizeof(v4l2Capability{}))
	vidiocEnumFmt   = ioc(iocRead|iocWrite, 2, unsafe.Sizeof(v4l2Fmtdesc{}))
	vidiocSFmt      = ioc(iocRead|iocWrite, 5, unsafe.Sizeof(v4l2Format{}))
	vidiocReqbufs   = ioc(iocRead|iocWrite, 8, unsafe.Sizeof(v4l2RequestBuffers{}))
	vidiocQuerybuf  = ioc(iocRead|iocWrite, 9, unsafe.Sizeof(v4l2Buffer{}))
	vidiocQbuf      = ioc(iocRead|iocWrite, 15, unsafe.Sizeof(v4l2Buffer{}))
	vidiocDqbuf     = ioc(iocRead|iocWrite, 17, unsafe.Sizeof(v4l2Buffer{}))
	vidiocStreamon  = ioc(iocWrite, 18, unsafe.Sizeof(int32(0)))
	vidiocStreamoff = ioc(iocWrite, 19, unsafe.Sizeof(int32(0)))
	vidiocSParm     = ioc(iocRead|iocWrite, 22, unsafe.Sizeof(v4l2Streamparm{}))
)

func ioctl(fd int, req uintptr, arg unsafe.Pointer) error {
	for {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, uintptr(arg))
		switch e {
		case 0:
			return nil
		case unix.EINTR:
			continue
		}
		return e
	}
}

// v4l2Source is an open V4L2 capture device, streaming.
type v4l2Source struct {
	path     string
	fd       int
	bufs     [][]byte
	format   string // FrameMJPEG or FrameYUYV
	w, h     int
	stride   int
	size     int // sizeimage
	fps      int
	card     string
	seq      int64
	streamOn bool
}

// How many buffers to ask for: enough that the camera never waits for
// one while a frame is copied out.
const v4l2Buffers = 4

// noFrameTimeout: a camera that sends nothing for this long is taken as
// gone (some drivers keep the device open after the camera is pulled).
const noFrameTimeout = 5 * time.Second

func openV4L2(path string, opt CameraOptions) (src Source, err error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("camera %s: %w", path, err)
	}
	s := &v4l2Source{path: path, fd: fd}
	defer func() {
		if err != nil {
			s.Close()
			err = fmt.Errorf("camera %s: %w", path, err)
		}
	}()
	var c v4l2Capability
	if err := ioctl(fd, vidiocQuerycap, unsafe.Pointer(&c)); err != nil {
		return nil, fmt.Errorf("not a V4L2 device (VIDIOC_QUERYCAP: %w)", err)
	}
	caps := c.capabilities
	if caps&v4l2CapDeviceCaps != 0 {
		caps = c.deviceCaps
	}
	s.card = cString(c.card[:])
	if caps&v4l2CapVideoCapture == 0 {
		return nil, fmt.Errorf("%s here is not a video capture node (a camera often has two: try the other /dev/video number)", s.card)
	}
	if caps&v4l2CapStreaming == 0 {
		return nil, errors.New("the device cannot stream (no V4L2_CAP_STREAMING)")
	}

	// Which formats does it offer?
	offered := map[uint32]bool{}
	for i := uint32(0); i < 64; i++ {
		d := v4l2Fmtdesc{index: i, typ: v4l2BufTypeVideoCapture}
		if ioctl(fd, vidiocEnumFmt, unsafe.Pointer(&d)) != nil {
			break
		}
		offered[d.pixelformat] = true
	}
	var want []uint32
	switch opt.Format {
	case FrameMJPEG:
		want = []uint32{pixMJPG, pixJPEG}
	case FrameYUYV:
		want = []uint32{pixYUYV}
	default:
		want = []uint32{pixMJPG, pixJPEG, pixYUYV}
	}
	var pix uint32
	for _, p := range want {
		if offered[p] {
			pix = p
			break
		}
	}
	if pix == 0 {
		var have []string
		for p := range offered {
			have = append(have, fourccString(p))
		}
		return nil, fmt.Errorf("%s offers none of the formats smartcheck reads (MJPEG, YUYV); it offers %v", s.card, have)
	}

	f := v4l2Format{typ: v4l2BufTypeVideoCapture}
	p := f.pix()
	p.width, p.height, p.pixelformat, p.field = uint32(opt.Width), uint32(opt.Height), pix, v4l2FieldAny
	if err := ioctl(fd, vidiocSFmt, unsafe.Pointer(&f)); err != nil {
		return nil, fmt.Errorf("VIDIOC_S_FMT %s %dx%d: %w", fourccString(pix), opt.Width, opt.Height, err)
	}
	s.w, s.h, s.stride, s.size = int(p.width), int(p.height), int(p.bytesperline), int(p.sizeimage)
	switch p.pixelformat {
	case pixYUYV:
		s.format = FrameYUYV
		if s.stride < 2*s.w {
			s.stride = 2 * s.w
		}
	case pixMJPG, pixJPEG:
		s.format = FrameMJPEG
	default:
		return nil, fmt.Errorf("the driver chose format %s", fourccString(p.pixelformat))
	}

	// The frame rate: a request, which the driver may round.
	sp := v4l2Streamparm{typ: v4l2BufTypeVideoCapture}
	sp.parm[2], sp.parm[3] = 1, uint32(opt.FPS)
	s.fps = opt.FPS
	if ioctl(fd, vidiocSParm, unsafe.Pointer(&sp)) == nil && sp.parm[2] > 0 {
		s.fps = int(sp.parm[3] / sp.parm[2])
	}

	rb := v4l2RequestBuffers{count: v4l2Buffers, typ: v4l2BufTypeVideoCapture, memory: v4l2MemoryMMAP}
	if err := ioctl(fd, vidiocReqbufs, unsafe.Pointer(&rb)); err != nil {
		return nil, fmt.Errorf("VIDIOC_REQBUFS: %w", err)
	}
	if rb.count < 2 {
		return nil, fmt.Errorf("the driver gave %d buffers, want at least 2", rb.count)
	}
	for i := uint32(0); i < rb.count; i++ {
		b := v4l2Buffer{index: i, typ: v4l2BufTypeVideoCapture, memory: v4l2MemoryMMAP}
		if err := ioctl(fd, vidiocQuerybuf, unsafe.Pointer(&b)); err != nil {
			return nil, fmt.Errorf("VIDIOC_QUERYBUF: %w", err)
		}
		mem, err := unix.Mmap(fd, int64(uint32(b.m)), int(b.length), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
		if err != nil {
			return nil, fmt.Errorf("mmap buffer %d: %w", i, err)
		}
		s.bufs = append(s.bufs, mem)
		if err := ioctl(fd, vidiocQbuf, unsafe.Pointer(&b)); err != nil {
			return nil, fmt.Errorf("VIDIOC_QBUF: %w", err)
		}
	}
	typ := int32(v4l2BufTypeVideoCapture)
	if err := ioctl(fd, vidiocStreamon, unsafe.Pointer(&typ)); err != nil {
		return nil, fmt.Errorf("VIDIOC_STREAMON: %w", err)
	}
	s.streamOn = true
	return s, nil
}

func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

func (s *v4l2Source) Next(ctx context.Context) (*Frame, error) {
	deadline := time.Now().Add(noFrameTimeout)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fds := []unix.PollFd{{Fd: int32(s.fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 200)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return nil, s.gone(err)
		}
		if n == 0 || errors.Is(err, unix.EINTR) {
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("camera %s: no frame for %v", s.path, noFrameTimeout)
			}
			continue
		}
		if fds[0].Revents&(unix.POLLERR|unix.POLLHUP|unix.POLLNVAL) != 0 && fds[0].Revents&unix.POLLIN == 0 {
			return nil, s.gone(errors.New("the device reports an error (unplugged?)"))
		}
		b := v4l2Buffer{typ: v4l2BufTypeVideoCapture, memory: v4l2MemoryMMAP}
		if err := ioctl(s.fd, vidiocDqbuf, unsafe.Pointer(&b)); err != nil {
			if errors.Is(err, unix.EAGAIN) {
				continue
			}
			return nil, s.gone(err)
		}
		if int(b.index) >= len(s.bufs) {
			return nil, fmt.Errorf("camera %s: the driver returned buffer %d of %d", s.path, b.index, len(s.bufs))
		}
		n = int(b.bytesused)
		if n == 0 || n > len(s.bufs[b.index]) {
			n = min(s.size, len(s.bufs[b.index]))
		}
		var data []byte
		if b.flags&v4l2BufFlagError == 0 {
			data = make([]byte, n)
			copy(data, s.bufs[b.index][:n])
		}
		if err := ioctl(s.fd, vidiocQbuf, unsafe.Pointer(&b)); err != nil {
			return nil, s.gone(err)
		}
		if data == nil {
			continue // a frame the driver marked corrupt
		}
		s.seq++
		return &Frame{Seq: s.seq, Time: time.Now(), Format: s.format, Width: s.w, Height: s.h, Stride: s.stride, Data: data}, nil
	}
}

func (s *v4l2Source) gone(err error) error {
	if errors.Is(err, unix.ENODEV) || errors.Is(err, unix.EIO) {
		return fmt.Errorf("camera %s: gone (%v): unplugged?", s.path, err)
	}
	return fmt.Errorf("camera %s: %w", s.path, err)
}

func (s *v4l2Source) Close() error {
	if s.streamOn {
		typ := int32(v4l2BufTypeVideoCapture)
		ioctl(s.fd, vidiocStreamoff, unsafe.Pointer(&typ))
		s.streamOn = false
	}
	for _, b := range s.bufs {
		unix.Munmap(b)
	}
	s.bufs = nil
	if s.fd >= 0 {
		err := unix.Close(s.fd)
		s.fd = -1
		return err
	}
	return nil
}

func (s *v4l2Source) String() string {
	return fmt.Sprintf("%s (%s): %s %dx%d at %d fps", s.path, s.card, s.format, s.w, s.h, s.fps)
}
