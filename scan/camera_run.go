package scan

import (
	"context"
	"errors"
	"image"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// CameraConfig says how to run a camera.
type CameraConfig struct {
	// Open opens the camera. It is called again, Retry after the camera
	// failed to open or went away, until the Camera is closed.
	Open func() (Source, error)
	// Decoder reads the frames; default NewDecoder(Options{Quick: true}).
	Decoder *Decoder
	// Confirm is how many consecutive decoded frames must read a code
	// before it is reported (see [Confirmer]); default 3.
	Confirm int
	// PreviewFPS limits how many previews a second are made; default 10.
	PreviewFPS int
	// PreviewWidth and PreviewHeight bound a preview's size in pixels;
	// default 160x120.
	PreviewWidth, PreviewHeight int
	// Retry is the wait before opening the camera again; default 2 s.
	Retry time.Duration
}

// Preview is a small picture of what the camera sees, for the screen.
type Preview struct {
	Image *image.RGBA
	Seq   int64 // the frame's
	Time  time.Time
}

// CameraEventKind says what a CameraEvent reports.
type CameraEventKind int

const (
	// CameraRunning: the camera opened and gives frames; Source says
	// what it is.
	CameraRunning CameraEventKind = iota
	// CameraFailed: the camera did not open, or went away; Err says
	// why. It is opened again after RetryIn.
	CameraFailed
	// CameraCode: Code was read in Confirm consecutive decoded frames
	// (or in a still image); when a frame holds a product code, only
	// product codes are reported from it (see [Confirmer]).
	CameraCode
	// CameraEnded: a clip played once has ended (CameraOptions.Once).
	CameraEnded
)

// CameraEvent is a code read, or a change in the camera's state.
type CameraEvent struct {
	Kind    CameraEventKind
	Time    time.Time
	Source  string        // CameraRunning
	Err     error         // CameraFailed
	RetryIn time.Duration // CameraFailed
	Code    Result        // CameraCode
}

// CameraStats count what a Camera has done since it started.
type CameraStats struct {
	Frames    int64         // frames read from the camera
	Decoded   int64         // frames the decoder read
	Dropped   int64         // frames the decoder had no time for
	Previews  int64         // previews made
	BadFrames int64         // frames whose pixels would not decode
	LastBad   string        // why the last bad frame was bad
	FPS       float64       // frames a second read, over the last 16
	Decode    time.Duration // time to decode a frame, averaged
	Opens     int64         // times the camera was opened
}

// Camera runs one camera: a goroutine reads its frames and hands each,
// without waiting, to a decoder goroutine (when it is not busy: a frame
// arriving while it works replaces the one waiting, and is counted as
// dropped) and, at most PreviewFPS times a second, to a preview
// goroutine. Nothing in it waits for the caller except the delivery of
// events; previews are dropped, oldest first, when not taken.
type Camera struct {
	cfg    CameraConfig
	cancel context.CancelFunc
	done   chan struct{}

	events   chan CameraEvent
	previews chan Preview

	frames, decoded, dropped, nPreviews, bad, opens atomic.Int64
	decodeNS                                        atomic.Int64
	fps                                             atomic.Uint64
	lastBad                                         atomic.Value // string
}

// genFrame is a frame and the opening of the camera it came from.
type genFrame struct {
	f   *Frame
	gen int64
}

// StartCamera starts running a camera. Close stops it.
func StartCamera(cfg CameraConfig) *Camera {
	if cfg.Decoder == nil {
		cfg.Decoder = NewDecoder(Options{Quick: true})
	}
	if cfg.Confirm <= 0 {
		cfg.Confirm = 3
	}
	if cfg.PreviewFPS <= 0 {
		cfg.PreviewFPS = 10
	}
	if cfg.PreviewWidth <= 0 || cfg.PreviewHeight <= 0 {
		cfg.PreviewWidth, cfg.PreviewHeight = 160, 120
	}
	if cfg.Retry <= 0 {
		cfg.Retry = 2 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Camera{
		cfg: cfg, cancel: cancel, done: make(chan struct{}),
		events:   make(chan CameraEvent, 16),
		previews: make(chan Preview, 1),
	}
	c.lastBad.Store("")
	go c.run(ctx)
	return c
}

// Events delivers codes read and changes of state, in order. It is
// closed when the Camera stops.
func (c *Camera) Events() <-chan CameraEvent { return c.events }

// Previews delivers the latest preview; an older one not yet taken is
// dropped for a newer. It is closed when the Camera stops.
func (c *Camera) Previews() <-chan Preview { return c.previews }

// Close stops the camera and waits for its goroutines.
func (c *Camera) Close() {
	c.cancel()
	<-c.done
}

// Stats returns the counts so far.
func (c *Camera) Stats() CameraStats {
	return CameraStats{
		Frames: c.frames.Load(), Decoded: c.decoded.Load(), Dropped: c.dropped.Load(),
		Previews: c.nPreviews.Load(), BadFrames: c.bad.Load(), LastBad: c.lastBad.Load().(string),
		FPS: math.Float64frombits(c.fps.Load()), Decode: time.Duration(c.decodeNS.Load()), Opens: c.opens.Load(),
	}
}

// offer puts v in ch, a channel of capacity 1 with one sender, replacing
// what waits there. It reports whether something was replaced.
func offer[T any](ch chan T, v T) (replaced bool) {
	for {
		select {
		case ch <- v:
			return replaced
		default:
		}
		select {
		case <-ch:
			replaced = true
		default:
		}
	}
}

func (c *Camera) send(ctx context.Context, e CameraEvent) {
	e.Time = time.Now()
	select {
	case c.events <- e:
	case <-ctx.Done():
	}
}

func (c *Camera) run(ctx context.Context) {
	defer close(c.done)
	toDecode := make(chan genFrame, 1)
	toPreview := make(chan *Frame, 1)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.decodeLoop(ctx, toDecode) }()
	go func() { defer wg.Done(); c.previewLoop(toPreview) }()

	ended := c.capture(ctx, toDecode, toPreview)
	close(toDecode)
	close(toPreview)
	wg.Wait()
	if ended {
		c.send(ctx, CameraEvent{Kind: CameraEnded})
	}
	close(c.events)
	close(c.previews)
}

// capture opens the camera, reads it, and opens it again when it fails,
// until ctx is done or a clip played once ends (ended).
func (c *Camera) capture(ctx context.Context, toDecode chan genFrame, toPreview chan *Frame) (ended bool) {
	var gen int64
	previewEvery := time.Second / time.Duration(c.cfg.PreviewFPS)
	var lastPreview time.Time
	var times [16]time.Time
	n := 0
	for ctx.Err() == nil {
		src, err := c.cfg.Open()
		if err != nil {
			c.send(ctx, CameraEvent{Kind: CameraFailed, Err: err, RetryIn: c.cfg.Retry})
			sleep(ctx, c.cfg.Retry)
			continue
		}
		gen++
		c.opens.Add(1)
		c.send(ctx, CameraEvent{Kind: CameraRunning, Source: src.String()})
		for {
			f, err := src.Next(ctx)
			if err != nil {
				src.Close()
				switch {
				case ctx.Err() != nil:
					return false
				case errors.Is(err, ErrEndOfClip):
					return true
				}
				c.send(ctx, CameraEvent{Kind: CameraFailed, Err: err, RetryIn: c.cfg.Retry})
				sleep(ctx, c.cfg.Retry)
				break
			}
			c.frames.Add(1)
			times[n%len(times)] = f.Time
			n++
			if n >= len(times) {
				oldest := times[n%len(times)]
				if d := f.Time.Sub(oldest); d > 0 {
					c.fps.Store(math.Float64bits(float64(len(times)-1) / d.Seconds()))
				}
			}
			if f.Time.Sub(lastPreview) >= previewEvery {
				lastPreview = f.Time
				offer(toPreview, f)
			}
			if f.Still {
				// A still image is shown to the decoder, however long
				// it takes: each is a product someone means to scan.
				select {
				case toDecode <- genFrame{f, gen}:
				case <-ctx.Done():
				}
			} else if offer(toDecode, genFrame{f, gen}) {
				c.dropped.Add(1)
			}
		}
	}
	return false
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (c *Camera) image(f *Frame) image.Image {
	img, err := f.Image()
	if err != nil {
		c.bad.Add(1)
		c.lastBad.Store(err.Error())
		return nil
	}
	return img
}

func (c *Camera) decodeLoop(ctx context.Context, frames chan genFrame) {
	conf := NewConfirmer(c.cfg.Confirm)
	var gen int64
	var avg float64
	for gf := range frames {
		if gf.gen != gen {
			conf.Reset() // a new opening of the camera: start counting again
			gen = gf.gen
		}
		start := time.Now()
		img := c.image(gf.f)
		var rs []Result
		if img != nil {
			rs = c.cfg.Decoder.Decode(img)
		}
		d := float64(time.Since(start))
		if avg == 0 {
			avg = d
		}
		avg += (d - avg) / 16
		c.decodeNS.Store(int64(avg))
		c.decoded.Add(1)
		believe := conf.Frame
		if gf.f.Still {
			believe = conf.Still
		}
		for _, r := range believe(rs) {
			c.send(ctx, CameraEvent{Kind: CameraCode, Code: r})
		}
	}
}

func (c *Camera) previewLoop(frames chan *Frame) {
	for f := range frames {
		img, err := f.Image()
		if err != nil {
			continue // the decoder counts bad frames
		}
		p := Preview{Image: Thumbnail(img, c.cfg.PreviewWidth, c.cfg.PreviewHeight), Seq: f.Seq, Time: f.Time}
		c.nPreviews.Add(1)
		offer(c.previews, p)
	}
}
