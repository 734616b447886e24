package scan

// Camera frames.
//
// A kiosk reads codes from a camera: a V4L2 device (/dev/video0) sending
// YUYV or Motion-JPEG, or, for demonstrations and tests, a directory of
// images or an MJPEG file (JPEG images one after another, as `ffmpeg -f
// mjpeg` writes them and as an MJPEG camera sends them). A [Source] gives
// frames as they came from the camera, undecoded; a [Frame] decodes its
// pixels only when asked (Frame.Image), so a frame that nobody looks at,
// because the decoder is busy and no preview is due, costs only its copy.
// [StartCamera] runs a source: it reads every frame, makes preview
// thumbnails at a limited rate, and decodes codes in a goroutine of its
// own, dropping frames while it is busy and accepting a code only when
// consecutive decoded frames agree ([Confirmer]).

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"
)

// Frame formats: how Frame.Data holds the picture.
const (
	FrameMJPEG = "MJPEG" // one JPEG image, perhaps without Huffman tables (see [DecodeMJPEG])
	FrameYUYV  = "YUYV"  // packed 4:2:2, Y0 Cb Y1 Cr, Stride bytes a row (see [YUYVImage])
	FrameFile  = "file"  // an image file of any registered format (PNG, GIF, JPEG)
)

// Frame is one picture from a camera, as it came.
type Frame struct {
	Seq  int64     // counts from 1 for each opening of a source
	Time time.Time // when it was read
	// Format is one of FrameMJPEG, FrameYUYV, FrameFile.
	Format string
	// Width, Height and Stride describe a YUYV frame; Name names the file
	// of a FrameFile frame (for messages).
	Width, Height, Stride int
	Name                  string
	Data                  []byte
	// Still says the frame is a still image (of a directory source), a
	// picture taken on purpose rather than one of a stream: the codes
	// in it are believed at once, not after Confirm frames (see
	// [CameraConfig]), and the decoder is waited for rather than the
	// frame dropped.
	Still bool

	readErr error // why Data could not be read, for Image to report
	once    sync.Once
	img     image.Image
	err     error
}

// Image decodes the frame's pixels, once; it is safe to call from several
// goroutines. A JPEG gives an *image.YCbCr (or *image.Gray), YUYV a 4:2:2
// *image.YCbCr.
func (f *Frame) Image() (image.Image, error) {
	f.once.Do(func() {
		switch {
		case f.readErr != nil:
			f.err = f.readErr
		default:
			f.img, f.err = f.decode()
		}
		if f.err != nil && f.Name != "" {
			f.err = fmt.Errorf("%s: %w", f.Name, f.err)
		}
	})
	return f.img, f.err
}

// decode decodes the frame's pixels, refusing a frame whose decoding
// would allocate more than MaxFrameBytes.
func (f *Frame) decode() (image.Image, error) {
	switch f.Format {
	case FrameMJPEG:
		return DecodeMJPEG(f.Data)
	case FrameYUYV:
		return YUYVImage(f.Data, f.Width, f.Height, f.Stride)
	case FrameFile:
		return DecodeImage(f.Data, MaxFrameBytes)
	}
	return nil, fmt.Errorf("unknown frame format %q", f.Format)
}

// A Source gives the frames of one camera.
type Source interface {
	// Next waits for the next frame. An error means the camera is gone
	// (unplugged, its file unreadable) or ctx is done; the caller closes
	// the source and may open it again.
	Next(ctx context.Context) (*Frame, error)
	// Close releases the device or file.
	Close() error
	// String describes the source for staff: "/dev/video0: MJPEG
	// 1280x720 at 15 fps".
	String() string
}

// CameraOptions say what to ask of a camera.
type CameraOptions struct {
	// Width and Height are the frame size asked of a V4L2 camera, which
	// may give another; default 1280x720.
	Width, Height int
	// FPS is the frame rate asked of a V4L2 camera, and the rate at
	// which a file or directory source plays; default 15.
	FPS int
	// Format is the pixel format asked of a V4L2 camera: FrameMJPEG,
	// FrameYUYV, or "" for MJPEG when the camera offers it (USB 2 cannot
	// carry YUYV at 1280x720 and 15 fps), else YUYV.
	Format string
	// Once plays a file or directory source once, then Next returns
	// ErrEndOfClip; by default it starts again from the beginning.
	Once bool
}

func (o CameraOptions) withDefaults() CameraOptions {
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = 1280, 720
	}
	if o.FPS <= 0 {
		o.FPS = 15
	}
	return o
}

// ErrEndOfClip is what Next returns after the last frame of a file or
// directory source played with CameraOptions.Once.
var ErrEndOfClip = errors.New("end of clip")

// OpenCamera opens the camera that spec names: a directory of images, an
// MJPEG file (a regular file: JPEG images one after another), or a V4L2
// device such as /dev/video0.
func OpenCamera(spec string, opt CameraOptions) (Source, error) {
	opt = opt.withDefaults()
	fi, err := os.Stat(spec)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("camera %s: not found (unplugged?)", spec)
		}
		return nil, fmt.Errorf("camera: %w", err)
	}
	switch {
	case fi.IsDir():
		return openDirSource(spec, opt)
	case fi.Mode().IsRegular():
		return openMJPEGFile(spec, opt)
	case fi.Mode()&fs.ModeCharDevice != 0:
		return openV4L2(spec, opt)
	}
	return nil, fmt.Errorf("camera %s: not a directory, an MJPEG file or a video device", spec)
}

// IsCameraDevice reports whether spec names a device rather than a file
// or directory: a device may come and go, a clip that is missing is a
// mistake.
func IsCameraDevice(spec string) bool {
	if fi, err := os.Stat(spec); err == nil {
		return fi.Mode()&fs.ModeCharDevice != 0
	}
	return strings.HasPrefix(spec, "/dev/")
}

// pacer spaces frames of a file source at a frame rate, on a fixed
// schedule that does not drift, and without a burst to catch up after a
// stall.
type pacer struct {
	every time.Duration
	next  time.Time
}

func newPacer(fps int) *pacer { return &pacer{every: time.Second / time.Duration(fps)} }

func (p *pacer) wait(ctx context.Context) error {
	now := time.Now()
	if p.next.IsZero() || now.Sub(p.next) > p.every {
		p.next = now
	}
	d := p.next.Sub(now)
	p.next = p.next.Add(p.every)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
