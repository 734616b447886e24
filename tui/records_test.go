package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// The demo products whose records were not all used (issue 9).
var recordCases = []struct {
	name, code string
	want       []string // on the card, and on the kiosk's staff screen
}{
	{name: "check-out-of-scope", code: "9520000003005", want: []string{"? CHECK", "signer-out-of-scope", "R4c",
		"#84 example-garden-camera v1", "IGNORED: key demo-devices-demo", "is not scoped for GTIN 09520000003005"}},
	{name: "ok-ignored", code: "9520000003012", want: []string{"✓ OK", "ignored-records", "R4d",
		"#85 example-video-doorbell-3 v1", "chosen", "#117 example-video-doorbell-3 v2", "IGNORED: key demo-devices-demo",
		"The facts shown come from record 85"}},
	{name: "stop-foreign-notice", code: "9520000002046", want: []string{"✗ STOP", "notice-in-force", "ignored-records",
		"#115 notice OPS-DEMO-2026-011 revision 2", "IGNORED: signed for Anytown Trading Standards", "which logged notice OPS-DEMO-2026-011 first"}},
	{name: "ok-withdrawn", code: "9520000002039", want: []string{"✓ OK", "ignored-records",
		"#112 demo-robot-vacuum-r5 v2 · until 2021-03", "WITHDRAWN: logged with a mistyped support end"}},
	{name: "stop-shortened-new-id", code: "9520000002015", want: []string{"✗ STOP", "support-shortened",
		"#79 demo-smart-speaker-2 v1 · until 2031-06", "#110 demo-smart-speaker-2-2026 v1 · until 2029-06", "SHORTENED from 2031-06 (#79)"}},
	{name: "check-all-withdrawn", code: "9520000003029", want: []string{"? CHECK", "no-declaration",
		"#86 example-smart-blinds v1", "WITHDRAWN: logged by mistake"}},
}

// flat is the text of a screen with its box sides and runs of spaces
// gone, so that wrapped lines read as one.
func flat(screen string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("│", " ", "╭", " ", "╮", " ", "╰", " ", "╯", " ").Replace(screen)), " ")
}

// TestCardRecords shows the card of each product with ignored, withdrawn
// or several declarations at 200x60 and, scrolled through, at 80x24: every
// record is listed with why it was not used, and no reason is said twice.
func TestCardRecords(t *testing.T) {
	for _, tt := range recordCases {
		t.Run(tt.name, func(t *testing.T) {
			m := newTill(demoConfig(t), 200, 60)
			scanAll(m, tt.code)
			got := screen(t, m)
			golden(t, "screen-records-"+tt.name+".txt", got)
			checkRecords(t, m.current.result.Ignored, flat(got), tt.want)

			// At 80x24 the card scrolls: page through it to the end.
			m = newTill(demoConfig(t), 80, 24)
			scanAll(m, tt.code)
			first := screen(t, m)
			if !strings.Contains(first, "more lines: PgDn") {
				t.Fatalf("80x24: the card does not say it goes on:\n%s", first)
			}
			var seen []string
			for range 10 {
				seen = append(seen, cardText(screen(t, m)))
				drive(m, tea.KeyPressMsg{Code: tea.KeyPgDown})
			}
			last := screen(t, m)
			golden(t, "screen-records-"+tt.name+"-80x24.txt", first+"\n"+last)
			if strings.Contains(last, "more lines: PgDn") {
				t.Errorf("80x24: ten pages did not reach the end of the card:\n%s", last)
			}
			all := flat(strings.Join(seen, "\n"))
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("80x24: scrolling through the card never shows %q", w)
				}
			}
			for _, l := range strings.Split(last, "\n") {
				if lipgloss.Width(l) > 80 {
					t.Errorf("80x24: line wider than the screen: %q", l)
				}
			}
			// Ctrl+↑ (as PgUp) goes back to the top.
			for range 10 {
				drive(m, tea.KeyPressMsg{Code: tea.KeyUp, Mod: tea.ModCtrl})
			}
			if screen(t, m) != first {
				t.Errorf("80x24: Ctrl+↑ does not return to the top of the card")
			}
		})
	}
}

// cardText is the card's half of a till screen.
func cardText(screen string) string {
	var b strings.Builder
	for _, l := range strings.Split(screen, "\n") {
		if i := strings.Index(l, "││"); i >= 0 {
			l = l[:i]
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

// checkRecords checks text for the wanted phrases, and that each ignored
// record is listed with its reason, said once: in the history, not again
// in the findings.
func checkRecords(t *testing.T, ignored []catalog.IgnoredRecord, text string, want []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("screen lacks %q:\n%s", w, text)
		}
	}
	for _, ir := range ignored {
		why := ir.Why
		if _, reason, ok := strings.Cut(why, "): "); ok && strings.HasPrefix(why, "withdrawn by the publisher") {
			why = reason // the history says WITHDRAWN: reason
		}
		why = strings.Join(strings.Fields(why), " ")
		if n := strings.Count(text, why); n != 1 {
			t.Errorf("the reason record %d was ignored is on the screen %d times, want once: %q", ir.Index, n, why)
		}
		if n := strings.Count(text, fmt.Sprintf("#%d ", ir.Index)); n != 1 {
			t.Errorf("record %d is listed %d times, want once", ir.Index, n)
		}
	}
}

// TestShopperNotesLeaveOutStaffFindings: a finding with no shopper text,
// such as R4d's, gives the shopper nothing, not even an empty line.
func TestShopperNotesLeaveOutStaffFindings(t *testing.T) {
	for _, tt := range recordCases {
		t.Run(tt.name, func(t *testing.T) {
			m := newTill(demoConfig(t), 200, 60)
			scanAll(m, tt.code)
			r := m.current.result
			for _, n := range shopperNotes(r) {
				if strings.TrimSpace(n) == "" {
					t.Errorf("till: an empty note for the shopper")
				}
			}
			for _, n := range kioskNotes(r) {
				if strings.TrimSpace(n.text) == "" {
					t.Errorf("kiosk: an empty note for the shopper")
				}
			}
			if r.Verdict.String() == "OK" && len(kioskNotes(r)) > 0 {
				t.Errorf("kiosk: notes %v for an OK whose only finding is for staff", kioskNotes(r))
			}
		})
	}
}

// TestKioskStaffLastScan opens the staff screen after a shopper's scan,
// and again after the shopper screen cleared: it shows the scan's
// verdict, findings with their staff texts and rules, and the product's
// history, at 200x60 and, scrolled through, at 80x24.
func TestKioskStaffLastScan(t *testing.T) {
	goldens := map[string]bool{"check-out-of-scope": true, "ok-ignored": true, "stop-foreign-notice": true}
	open := func(t *testing.T, code string, w, h int) *testKiosk {
		cfg, clock := demoKioskConfig(t)
		cfg.StaffPIN = "4711"
		k := newKiosk(cfg, clock, w, h)
		k.scan(code)
		k.send(idleMsg{gen: k.gen}) // the shopper screen clears; staff come later
		if k.current != nil {
			t.Fatal("the result outlived the idle time")
		}
		k.send(tea.KeyPressMsg{Code: tea.KeyF12})
		for _, r := range "4711" {
			k.send(keyOf(r))
		}
		k.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if k.mode != modeStaff {
			t.Fatal("the PIN did not open the staff screen")
		}
		return k
	}
	for _, tt := range recordCases {
		t.Run(tt.name, func(t *testing.T) {
			k := open(t, tt.code, 200, 60)
			got := kscreen(t, k)
			if goldens[tt.name] {
				golden(t, "kiosk-staff-"+tt.name+".txt", got)
			}
			want := append([]string{"Last scan #1 at", "Findings (", "History ("}, tt.want...)
			checkRecords(t, k.last.result.Ignored, flat(got), want)
			if !strings.Contains(got, "Catalog") || !strings.Contains(got, "F10 quits the kiosk") {
				t.Errorf("the staff screen lost its catalog or leave lines:\n%s", got)
			}

			k = open(t, tt.code, 80, 24)
			first := kscreen(t, k)
			var seen []string
			for range 10 {
				seen = append(seen, kscreen(t, k))
				k.send(tea.KeyPressMsg{Code: tea.KeyPgDown})
			}
			last := kscreen(t, k)
			if goldens[tt.name] {
				golden(t, "kiosk-staff-"+tt.name+"-80x24.txt", first+"\n"+last)
			}
			all := flat(strings.Join(seen, "\n"))
			for _, w := range want {
				if !strings.Contains(all, w) {
					t.Errorf("80x24: paging through the staff screen never shows %q", w)
				}
			}
			if !strings.Contains(last, "F10 quits the kiosk") {
				t.Errorf("80x24: paging does not reach the end of the staff screen:\n%s", last)
			}
			k.send(tea.KeyPressMsg{Code: tea.KeyUp})
			if kscreen(t, k) == last {
				t.Error("80x24: ↑ does not scroll the staff screen")
			}
			for range 10 {
				k.send(tea.KeyPressMsg{Code: tea.KeyPgUp})
			}
			if kscreen(t, k) != first {
				t.Error("80x24: PgUp does not return to the top of the staff screen")
			}
			k.send(tea.KeyPressMsg{Code: tea.KeyEscape})
			if s := kscreen(t, k); staffOnly.MatchString(s) {
				t.Errorf("after Esc the shopper screen shows staff text:\n%s", s)
			}
		})
	}
}
