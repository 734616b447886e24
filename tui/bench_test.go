package tui

import (
	"fmt"
	"path/filepath"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// benchScans are the scans the benchmarks cycle through: every verdict
// but STOP, in several forms. A CHECK waits for F2, which the benchmarks
// press outside the timer, as a person would.
var benchScans = []string{
	"9520000000011", "]E09520000000028", "(01)09520000001131(10)PL2401", "https://id.gs1.org/01/09520000001100",
	"9520000000219", "9520000001087", "]C10109520000001155\x1d21X1", "9520000001216", "9520000009991", "9520000000080",
}

// benchTill is a till on a w x h screen with a full shift behind it and
// a real due-diligence log file.
func benchTill(b *testing.B, w, h int) *Till {
	l, err := catalog.OpenDueDiligenceLog(filepath.Join(b.TempDir(), "checks.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	cfg := demoConfig(b)
	cfg.Log = NewLogWriter(l)
	b.Cleanup(func() { cfg.Log.Close(); l.Close() })
	m := newTill(cfg, w, h)
	for i := range 300 {
		scanAll(m, benchScans[i%len(benchScans)])
		if m.hold != nil {
			drive(m, tea.KeyPressMsg{Code: tea.KeyF2})
		}
	}
	m.View()
	return m
}

// BenchmarkScanToFrame measures what a scan costs from its Enter to the
// frame that shows its verdict, on an 80x24 and a 200x60 screen: Update
// with the Enter, the lookup command (parse and judge), Update with the
// result, and View. The keys before the Enter, each with its own frame,
// and the F2 that releases a CHECK are outside the timer:
// BenchmarkKeystroke measures one key.
func BenchmarkScanToFrame(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			m := benchTill(b, size[0], size[1])
			enter := tea.KeyPressMsg{Code: tea.KeyEnter}
			f2 := tea.KeyPressMsg{Code: tea.KeyF2}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				if m.hold != nil {
					m.Update(f2)
					m.View()
				}
				s := benchScans[i%len(benchScans)]
				for _, r := range s {
					m.Update(keyOf(r))
					m.View()
				}
				b.StartTimer()
				_, cmd := m.Update(enter)
				msg := cmd()
				if _, next := m.Update(msg); next != nil {
					b.Fatal("a lookup followed with nothing queued")
				}
				if v := m.View(); len(v.Content) == 0 {
					b.Fatal("empty frame")
				}
			}
		})
	}
}

// BenchmarkKeystroke measures one scanner key press and its frame.
func BenchmarkKeystroke(b *testing.B) {
	m := benchTill(b, 200, 60)
	k := keyOf('9')
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%64 == 63 {
			m.wedge.clear()
		}
		m.Update(k)
		m.View()
	}
}
