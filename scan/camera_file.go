package scan

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// maxJPEG bounds one frame of an MJPEG stream: a 4K frame at high
// quality is a few megabytes; a file that is not JPEG at all must not be
// read whole into memory as one "frame".
const maxJPEG = 32 << 20

// MJPEGReader splits a stream of concatenated JPEG images (an MJPEG
// file, as `ffmpeg -f mjpeg` writes it) into frames. It follows the
// marker segments rather than looking for the first FF D9, since an EXIF
// thumbnail inside a frame holds a whole JPEG image of its own; inside
// entropy-coded data a marker cannot occur (an FF there is followed by
// 00 or a restart marker). Bytes between frames are skipped.
type MJPEGReader struct {
	r   *bufio.Reader
	buf []byte
}

// NewMJPEGReader returns a reader of the frames in r.
func NewMJPEGReader(r io.Reader) *MJPEGReader {
	return &MJPEGReader{r: bufio.NewReaderSize(r, 1<<16)}
}

// Next returns the next frame, a JPEG image from SOI to EOI, in a new
// slice. At the end of the stream it returns io.EOF; a frame cut short
// by the end is io.ErrUnexpectedEOF.
func (m *MJPEGReader) Next() ([]byte, error) {
	// Find SOI.
	for {
		b, err := m.r.ReadByte()
		if err != nil {
			return nil, err // io.EOF: no more frames
		}
		if b != 0xFF {
			continue
		}
		c, err := m.r.Peek(1)
		if err != nil {
			return nil, io.EOF
		}
		if c[0] == markerSOI {
			m.r.ReadByte()
			break
		}
	}
	m.buf = append(m.buf[:0], 0xFF, markerSOI)
	inScan := false
	for {
		b, err := m.byte()
		if err != nil {
			return nil, err
		}
		if b != 0xFF {
			if !inScan {
				return nil, fmt.Errorf("MJPEG stream: byte %#02x where a marker should be", b)
			}
			continue
		}
		// A marker, or in a scan a stuffed FF 00 or a restart marker.
		marker, err := m.byte()
		if err != nil {
			return nil, err
		}
		for marker == 0xFF { // fill bytes
			if marker, err = m.byte(); err != nil {
				return nil, err
			}
		}
		switch {
		case inScan && (marker == 0x00 || marker >= 0xD0 && marker <= 0xD7):
			continue
		case marker == markerEOI:
			frame := make([]byte, len(m.buf))
			copy(frame, m.buf)
			return frame, nil
		case marker == markerSOI:
			return nil, errors.New("MJPEG stream: a frame starts inside another")
		case marker == markerTEM || marker >= 0xD0 && marker <= 0xD7:
			continue
		}
		// A segment with a length: copy it whole.
		hi, err := m.byte()
		if err != nil {
			return nil, err
		}
		lo, err := m.byte()
		if err != nil {
			return nil, err
		}
		n := int(hi)<<8 | int(lo)
		if n < 2 {
			return nil, fmt.Errorf("MJPEG stream: segment %#02x of length %d", marker, n)
		}
		for range n - 2 {
			if _, err := m.byte(); err != nil {
				return nil, err
			}
		}
		inScan = marker == markerSOS
	}
}

// byte reads a byte of the current frame into buf.
func (m *MJPEGReader) byte() (byte, error) {
	b, err := m.r.ReadByte()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, err
	}
	if len(m.buf) >= maxJPEG {
		return 0, fmt.Errorf("MJPEG stream: a frame longer than %d MB", maxJPEG>>20)
	}
	m.buf = append(m.buf, b)
	return b, nil
}

// mjpegFile plays an MJPEG file at a frame rate, from the start again at
// its end unless played once.
type mjpegFile struct {
	path string
	opt  CameraOptions
	f    *os.File
	rd   *MJPEGReader
	pace *pacer
	seq  int64
}

func openMJPEGFile(path string, opt CameraOptions) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("camera: %w", err)
	}
	return &mjpegFile{path: path, opt: opt, f: f, rd: NewMJPEGReader(f), pace: newPacer(opt.FPS)}, nil
}

func (s *mjpegFile) Next(ctx context.Context) (*Frame, error) {
	if err := s.pace.wait(ctx); err != nil {
		return nil, err
	}
	data, err := s.rd.Next()
	if err == io.EOF {
		if s.seq == 0 {
			return nil, fmt.Errorf("camera %s: no JPEG frames in the file", s.path)
		}
		if s.opt.Once {
			return nil, ErrEndOfClip
		}
		if _, err := s.f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("camera %s: %w", s.path, err)
		}
		s.rd = NewMJPEGReader(s.f)
		data, err = s.rd.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("camera %s: no JPEG frames in the file", s.path)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("camera %s: %w", s.path, err)
	}
	s.seq++
	return &Frame{Seq: s.seq, Time: time.Now(), Format: FrameMJPEG, Data: data}, nil
}

func (s *mjpegFile) Close() error { return s.f.Close() }

func (s *mjpegFile) String() string {
	how := "looped"
	if s.opt.Once {
		how = "once"
	}
	return fmt.Sprintf("%s: MJPEG file at %d fps, %s", s.path, s.opt.FPS, how)
}

// dirSource plays the images of a directory, in name order, at a frame
// rate. The directory is listed again at the start of every pass, so
// images can be added while it plays.
type dirSource struct {
	dir   string
	opt   CameraOptions
	names []string
	next  int
	pace  *pacer
	seq   int64
}

// imageExts are the files a directory source plays.
var imageExts = []string{".jpg", ".jpeg", ".png", ".gif"}

func openDirSource(dir string, opt CameraOptions) (Source, error) {
	s := &dirSource{dir: dir, opt: opt, pace: newPacer(opt.FPS)}
	if err := s.list(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *dirSource) list() error {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("camera: %w", err)
	}
	s.names = s.names[:0]
	for _, e := range ents {
		if e.Type().IsRegular() && slices.Contains(imageExts, strings.ToLower(filepath.Ext(e.Name()))) {
			s.names = append(s.names, e.Name())
		}
	}
	if len(s.names) == 0 {
		return fmt.Errorf("camera %s: no images (%s) in the directory", s.dir, strings.Join(imageExts, ", "))
	}
	s.next = 0
	return nil
}

func (s *dirSource) Next(ctx context.Context) (*Frame, error) {
	if err := s.pace.wait(ctx); err != nil {
		return nil, err
	}
	if s.next >= len(s.names) {
		if s.opt.Once {
			return nil, ErrEndOfClip
		}
		if err := s.list(); err != nil {
			return nil, err
		}
	}
	name := filepath.Join(s.dir, s.names[s.next])
	s.next++
	// An image that cannot be read is a bad frame, skipped with its
	// reason for staff to see, not a camera gone: the next one plays.
	data, err := readSmallFile(name, maxFileSize)
	s.seq++
	return &Frame{Seq: s.seq, Time: time.Now(), Format: FrameFile, Name: name, Data: data, Still: true, readErr: err}, nil
}

func (s *dirSource) Close() error { return nil }

func (s *dirSource) String() string {
	return fmt.Sprintf("%s: %d images at %d fps", s.dir, len(s.names), s.opt.FPS)
}

// readSmallFile reads the file name whole, refusing one longer than max
// bytes without reading it.
func readSmallFile(name string, max int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, bare(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("a file of more than %d MB is not a camera frame", max>>20)
	}
	return data, nil
}

// bare drops the file name from a file-system error, for a message that
// names the file already.
func bare(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	return err
}
