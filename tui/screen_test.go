package tui

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// TestScreens compares what a person sees on 200x60, 100x30 and 80x24
// terminals with golden files: one screen per verdict and per banner. At
// every size the head of the card is on screen without scrolling: the
// verdict, the staff text of each reason and what to tell the shopper.
func TestScreens(t *testing.T) {
	untrusted := errors.New(`catalog /srv/catalog refused (signature check failed), nothing in it is shown as fact: checkpoint signature by demo-publisher does not verify: the checkpoint was altered or forged`)
	tests := []struct {
		name   string
		config func(*TillConfig)
		scans  []string
		after  []tea.Msg
		want   []string // text that must be on the screen, besides the golden file
	}{
		{name: "ready-demo", want: []string{"DEMO CATALOG", "Ready", "No scans yet"}},
		{name: "verdict-ok-extended", scans: []string{"9520000001155"},
			want: []string{"✓ OK", "#55 example-mesh-router v1", "superseded by #103", "extended from 2027-06 (#55)", "support-extended", "R6i"}},
		{name: "verdict-caution", scans: []string{"9520000000080"},
			want: []string{"! CAUTION", "support-ends-soon", "R7c", "October 2027", "Tell shopper"}},
		{name: "verdict-check", scans: []string{"https://id.gs1.org/01/09520000001100"},
			want: []string{"? CHECK", "batch-needed", "R3f"}},
		{name: "verdict-stop-shortened", scans: []string{"9520000001124", "9520000000011", "9520000000028"},
			want: []string{"✗ STOP", "SHORTENED", "support-shortened", "Press F2 to acknowledge", "2 scans waiting"}},
		{name: "verdict-stop-acknowledged", scans: []string{"9520000001124", "9520000000011"},
			after: []tea.Msg{tea.KeyPressMsg{Code: tea.KeyF2}},
			want:  []string{"! CAUTION", "#2", "ack'd"}},
		{name: "verdict-not-in-scope", scans: []string{"9520000000219"},
			want: []string{"○ NOT IN SCOPE", "excepted", "not counted: out of scope"}},
		{name: "unreadable", scans: []string{"9520000000012"},
			want: []string{"NOT A PRODUCT CODE", "check digit", "unreadable"}},
		{name: "banner-stale", config: func(c *TillConfig) {
			c.Demo = false
			c.Today = func() catalog.Date { return catalog.Date{Year: 2031, Month: 1, Day: 1} }
		}, scans: []string{"9520000000011"}, want: []string{"STALE CATALOG", "catalog-stale", "R0b"}},
		{name: "banner-untrusted", config: func(c *TillConfig) {
			c.Catalog, c.Demo, c.Untrusted = nil, false, untrusted
		}, scans: []string{"(01)09520000000011(10)B2402"}, want: []string{"UNTRUSTED CATALOG", "catalog-untrusted", "R0a", "altered or forged", "? CHECK"}},
	}
	for _, tt := range tests {
		for _, size := range [][2]int{{200, 60}, {100, 30}, {80, 24}} {
			w, h := size[0], size[1]
			name := tt.name
			if w != 200 {
				name += fmt.Sprintf("-%dx%d", w, h)
			}
			t.Run(name, func(t *testing.T) {
				cfg := demoConfig(t)
				if tt.config != nil {
					tt.config(&cfg)
				}
				m := newTill(cfg, w, h)
				scanAll(m, tt.scans...)
				for _, msg := range tt.after {
					drive(m, msg)
				}
				got := screen(t, m)
				golden(t, "screen-"+name+".txt", got)
				if w == 200 {
					for _, w := range tt.want {
						if !strings.Contains(got, w) {
							t.Errorf("screen lacks %q", w)
						}
					}
				}
				if n := strings.Count(got, "\n"); n != h {
					t.Errorf("screen has %d lines, want %d", n, h)
				}
				checkHead(t, m, got)
			})
		}
	}
}

// checkHead fails unless the screen shows the card's head whole: the
// verdict word, the staff text of every reason, and what to tell the
// shopper.
func checkHead(t *testing.T, m *Till, got string) {
	t.Helper()
	e := m.current
	if e == nil || e.result == nil {
		return
	}
	r := e.result
	card := flat(cardText(got))
	want := []string{m.styles.Verdicts[r.Verdict].Symbol + " " + m.styles.Verdicts[r.Verdict].Word}
	listed := len(productRecords(r)) > 0
	for _, f := range reasons(r) {
		want = append(want, staffText(r, f, listed))
	}
	if notes := shopperNotes(r); len(notes) > 0 {
		want = append(want, "Tell shopper "+strings.Join(notes, " "))
	}
	for _, w := range want {
		if w = strings.Join(strings.Fields(w), " "); !strings.Contains(card, w) {
			t.Errorf("%dx%d: the card's head lacks %q:\n%s", m.width, m.height, w, got)
		}
	}
}

// TestHeadAtEverySize judges every code of data/demo/expected.txt on an
// 80x24 and a 100x30 screen: each card's head is on screen, unscrolled.
func TestHeadAtEverySize(t *testing.T) {
	data, err := os.ReadFile("../data/demo/expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		code, _, ok := strings.Cut(line, " | ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		for _, size := range [][2]int{{80, 24}, {100, 30}} {
			m := newTill(demoConfig(t), size[0], size[1])
			scanAll(m, code)
			checkHead(t, m, screen(t, m))
		}
	}
	if n < 50 {
		t.Fatalf("only %d codes in expected.txt", n)
	}
}

// TestHistoryScroll walks with ↓ through a history longer than the
// screen: the chosen row is always on screen, every scan is shown, End
// and Home go to the oldest and the newest.
func TestHistoryScroll(t *testing.T) {
	m := newTill(demoConfig(t), 200, 60)
	var scans []string
	for range 30 {
		scans = append(scans, "9520000000011", "9520000001087", "9520000000219")
	}
	scanAll(m, scans...)
	seen := map[string]bool{}
	collect := func() {
		for _, l := range strings.Split(screen(t, m), "\n") {
			if i := strings.Index(l, "│ #"); i >= 0 {
				f := strings.Fields(l[i+len("│ "):])
				seen[f[0]] = true
			}
		}
	}
	collect()
	if seen["#1"] {
		t.Fatal("the oldest scan is on the first page")
	}
	for i := range 90 {
		drive(m, tea.KeyPressMsg{Code: tea.KeyDown})
		if want := 90 - i; m.chosen != want-1 || !strings.Contains(screen(t, m), fmt.Sprintf("│ #%-4d", want)) {
			t.Fatalf("after %d ↓, chosen %d, and #%d not on screen", i+1, m.chosen, want)
		}
		collect()
	}
	if len(seen) != 90 {
		t.Errorf("walking showed %d distinct scans, want 90", len(seen))
	}
	drive(m, tea.KeyPressMsg{Code: tea.KeyHome})
	if !strings.Contains(screen(t, m), "#90 ") || m.chosen != 89 {
		t.Error("Home does not choose the newest scan")
	}
	drive(m, tea.KeyPressMsg{Code: tea.KeyEnd})
	golden(t, "screen-history-oldest.txt", screen(t, m))
	if m.chosen != 0 {
		t.Error("End does not choose the oldest scan")
	}
}

// TestNarrowScreen checks an 80x24 terminal still shows the verdict in
// words when large type does not fit.
func TestNarrowScreen(t *testing.T) {
	m := newTill(demoConfig(t), 80, 24)
	scanAll(m, "9520000000219")
	got := screen(t, m)
	golden(t, "screen-narrow.txt", got)
	if !strings.Contains(got, "NOT IN SCOPE") {
		t.Error("verdict word missing on a narrow screen")
	}
}

// TestAnySize renders every screen size from 1x1 up: nothing panics, no
// line is wider than the screen, and the verdict stays readable.
func TestAnySize(t *testing.T) {
	m := newTill(demoConfig(t), 200, 60)
	scanAll(m, "9520000001018", "9520000000011")
	for w := 1; w <= 130; w += 3 {
		for h := 1; h <= 40; h += 3 {
			m.Update(tea.WindowSizeMsg{Width: w, Height: h})
			content := m.View().Content
			for _, l := range strings.Split(content, "\n") {
				if lw := lipgloss.Width(l); lw > w {
					t.Fatalf("%dx%d: line of %d cells: %q", w, h, lw, l)
				}
			}
			if n := strings.Count(content, "\n") + 1; n > h {
				t.Fatalf("%dx%d: %d lines", w, h, n)
			}
			if w >= 30 && h >= 4 && !strings.Contains(screen(t, m), "STOP") {
				t.Fatalf("%dx%d: the STOP is not on screen:\n%s", w, h, screen(t, m))
			}
		}
	}
}
