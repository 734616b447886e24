package tui

import (
	"testing"
)

// BenchmarkKioskPreviewFrame measures what each camera preview costs the
// screen: the message, the half-block picture with its aiming box, and
// the frame, on a 200x60 terminal showing a result.
func BenchmarkKioskPreviewFrame(b *testing.B) {
	cfg, clock := demoKioskConfig(b)
	cfg.CameraSpec = "/dev/video0"
	k := newKiosk(cfg, clock, 200, 60)
	k.scan("9520000001018")
	p := testPreview()
	for b.Loop() {
		k.Update(previewMsg{p})
		k.View()
	}
}

// BenchmarkKioskScanToFrame measures a scan from its Enter to the frame
// showing its verdict.
func BenchmarkKioskScanToFrame(b *testing.B) {
	cfg, clock := demoKioskConfig(b)
	cfg.CameraSpec = "/dev/video0"
	k := newKiosk(cfg, clock, 200, 60)
	k.send(previewMsg{testPreview()})
	ks := keys("9520000000080")
	for b.Loop() {
		for _, key := range ks[:len(ks)-1] {
			k.Update(key)
		}
		k.send(ks[len(ks)-1])
		k.View()
	}
}
