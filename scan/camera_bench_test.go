package scan

import (
	"testing"
)

// BenchmarkCameraFrame measures what the kiosk does with each frame of a
// 1280x720 camera: convert it (YUYV) or decode it (MJPEG, as a USB camera
// sends it, without Huffman tables) and make the preview thumbnail; and,
// for the frames the decoder has time for, read the barcodes. A camera at
// 15 fps leaves 66.7 ms a frame; frames/s is the rate one core sustains.
func BenchmarkCameraFrame(b *testing.B) {
	const w, h = 1280, 720
	scene := cameraScene(b, w, h, "9520000001018")
	yuyv := yuyvOf(scene, 2*w)
	mjpeg, _ := stripDHT(b, encodeJPEG(b, scene, 80))
	dec := NewDecoder(Options{Quick: true})
	for _, bb := range []struct {
		name  string
		frame func() *Frame
		read  bool
	}{
		{"YUYV/preview", func() *Frame { return &Frame{Format: FrameYUYV, Width: w, Height: h, Stride: 2 * w, Data: yuyv} }, false},
		{"MJPEG/preview", func() *Frame { return &Frame{Format: FrameMJPEG, Data: mjpeg} }, false},
		{"YUYV/preview+read", func() *Frame { return &Frame{Format: FrameYUYV, Width: w, Height: h, Stride: 2 * w, Data: yuyv} }, true},
		{"MJPEG/preview+read", func() *Frame { return &Frame{Format: FrameMJPEG, Data: mjpeg} }, true},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.frame().Data)))
			for b.Loop() {
				f := bb.frame()
				img, err := f.Image()
				if err != nil {
					b.Fatal(err)
				}
				Thumbnail(img, 160, 120)
				if bb.read {
					if rs := dec.Decode(img); len(rs) != 1 {
						b.Fatalf("read %v", rs)
					}
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
		})
	}
}
