package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// flatScreen is the text of a screen with its box sides and runs of
// spaces gone, so that lines wrapped on the card read as one.
func flatScreen(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("│", " ", "╭", " ", "╮", " ", "╰", " ", "╯", " ").Replace(s)), " ")
}

// TestTillNothingSlipsPastEndToEnd runs the real till in tmux on an 80x24
// terminal and scans a STOP, a CHECK, a CAUTION and an OK at scanner
// speed, all before the first is judged. The STOP's reason and what to
// tell the shopper are on screen; F2 shows the CHECK (not the OK), which
// waits for its own F2; the CAUTION then stays while it is read before
// the OK takes the card; and the due-diligence log records each check and
// both acknowledgements, in that order.
func TestTillNothingSlipsPastEndToEnd(t *testing.T) {
	till := startTill(t, 80, 24)
	x := till.x
	scans := []e2eScan{
		{"9520000001124", "09520000001124", "STOP"},
		{"9520000001216", "09520000001216", "CHECK"},
		{"9520000000080", "09520000000080", "CAUTION"},
		{"9520000001087", "09520000001087", "OK"},
	}
	for _, s := range scans {
		till.typeScan(s.text)
	}
	// What a screen must show, read as one text.
	shows := func(what string, want ...string) string {
		t.Helper()
		var screen, missing string
		// A CAUTION may stay 12 s while it is read.
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			screen, missing = x.screen(), ""
			for _, w := range want {
				if !strings.Contains(flatScreen(screen), w) {
					missing = w
				}
			}
			if missing == "" {
				return screen
			}
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s: no %q on screen after 20 s:\n%s", what, missing, screen)
			}
		}
	}
	logged := func() []string {
		var out []string
		for _, r := range till.records() {
			out = append(out, fmt.Sprintf("%s:%d:%s", r.Event, r.Seq, r.Verdict))
		}
		return out
	}
	shows("the STOP, its reason and what to tell the shopper at 80x24",
		"✗ STOP scan #1", "Press F2 to acknowledge this STOP",
		"The support period was shortened: declaration demo-vista-tv-55 version 2, record 102, published 2026-06-15, ends 2028-03, earlier than declaration demo-vista-tv-55 version 1",
		"This fails the requirement. Do not sell.",
		"Tell shopper This product doesn't meet the UK's security rules. Please ask a member of staff.",
		"3 scans waiting", "F10 quit")
	till.sendKey("F2")
	shows("the CHECK after F2", "? CHECK scan #2", "Press F2 to acknowledge this CHECK", "Tell shopper")
	// It stays: nothing behind it is judged without a second F2.
	time.Sleep(500 * time.Millisecond)
	if s := x.screen(); !strings.Contains(s, "? CHECK  scan #2") {
		t.Fatalf("the CHECK left the screen without F2:\n%s", s)
	}
	if got := strings.Join(logged(), " "); got != "check:1:STOP acknowledge:1:STOP check:2:CHECK" {
		t.Fatalf("log while the CHECK waits: %s", got)
	}
	till.sendKey("F2")
	shows("the CAUTION, being read", "! CAUTION scan #3", "support-ends-soon", "Tell shopper", "being read: 1 scan waiting")
	shows("the OK, once the CAUTION was read", "✓ OK scan #4")

	recs := till.records()
	want := []string{"check:1:STOP", "acknowledge:1:STOP", "check:2:CHECK", "acknowledge:2:CHECK", "check:3:CAUTION", "check:4:OK"}
	if got := logged(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("log %q, want %q", got, want)
	}
	for i, r := range []catalog.DueDiligenceRecord{recs[0], recs[2], recs[4], recs[5]} {
		if r.Input != scans[i].text || r.GTIN != scans[i].gtin || r.Catalog == nil {
			t.Errorf("check line %+v, want scan %q of GTIN %s judged by a named catalog", r, scans[i].text, scans[i].gtin)
		}
	}
	if read := recs[5].Time.Sub(recs[4].Time); read < 2*time.Second {
		t.Errorf("the CAUTION was on screen %v before the OK replaced it, want at least 2 s", read)
	}
	till.quit()
}

// TestTillColoursEndToEnd runs the real till in tmux under each kind of
// terminal and reads the colours tmux holds for the screen after a STOP:
// red (160 in 256 colours, 31/41 in 16), never the orange 166, and no
// colour at all with NO_COLOR, where the word and symbol still say STOP.
func TestTillColoursEndToEnd(t *testing.T) {
	// SGR parameters, as a regular expression each: on the STOP's screen,
	// not on it, and on the CAUTION's that follows.
	tests := []struct {
		name           string
		env            []string
		want, not, amb []string
	}{
		{"truecolor", []string{"TERM=xterm-256color", "COLORTERM=truecolor"}, []string{`38;2;224;48;42`, `48;2;224;48;42`}, []string{`38;5;166`}, []string{`38;2;240;160;0`}},
		{"256-colour", []string{"TERM=xterm-256color", "COLORTERM="}, []string{`38;5;160`, `48;5;160`}, []string{`38;5;166`, `48;5;166`, `38;5;214`}, []string{`38;5;214`}},
		{"xterm", []string{"TERM=xterm", "COLORTERM="}, []string{`(^|;)31(;|$)`, `(^|;)41(;|$)`}, []string{`38;5;`, `38;2;`}, []string{`(^|;)33(;|$)`}},
		{"linux", []string{"TERM=linux", "COLORTERM="}, []string{`(^|;)31(;|$)`, `(^|;)41(;|$)`}, []string{`38;5;`, `38;2;`}, []string{`(^|;)33(;|$)`}},
		{"NO_COLOR", []string{"TERM=xterm-256color", "COLORTERM=", "NO_COLOR=1"}, []string{`(^|;)7(;|$)`}, []string{`(^|;)(3[0-7]|4[0-7]|9[0-7]|38|48)(;|$)`}, []string{`(^|;)1(;|$)`}},
	}
	sgr := regexp.MustCompile(`\x1b\[([0-9;:]*)m`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not in tmux as far as the till can tell: inside tmux, colour
			// detection asks tmux, which offers 256 colours.
			till := startTill(t, 100, 30, append(tt.env, "TMUX=")...)
			till.typeScan("9520000001124")
			waitFor(t, 10*time.Second, "the STOP", func() bool { return strings.Contains(till.x.screen(), "Press F2 to acknowledge this STOP") })
			var params []string
			capture := func() {
				params = nil
				for _, m := range sgr.FindAllStringSubmatch(till.x.run("capture-pane", "-p", "-e", "-t", "till"), -1) {
					params = append(params, m[1])
				}
			}
			capture()
			has := func(re string) bool {
				r := regexp.MustCompile(re)
				for _, p := range params {
					if r.MatchString(p) {
						return true
					}
				}
				return false
			}
			for _, w := range tt.want {
				if !has(w) {
					t.Errorf("no SGR matches %s; the screen's SGR: %q", w, params)
				}
			}
			for _, n := range tt.not {
				if has(n) {
					t.Errorf("an SGR matches %s; the screen's SGR: %q", n, params)
				}
			}
			if !strings.Contains(till.x.screen(), "✗ STOP") {
				t.Error("the word and symbol are not on screen")
			}
			till.sendKey("F2")
			till.typeScan("9520000000080")
			waitFor(t, 10*time.Second, "the CAUTION", func() bool { return strings.Contains(till.x.screen(), "! CAUTION  scan #2") })
			capture()
			for _, w := range tt.amb {
				if !has(w) {
					t.Errorf("CAUTION: no SGR matches %s; the screen's SGR: %q", w, params)
				}
			}
			if tt.name == "NO_COLOR" && has(tt.not[0]) {
				t.Errorf("CAUTION: a colour with NO_COLOR; the screen's SGR: %q", params)
			}
			till.quit()
		})
	}
}
