package tui

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

var (
	enter     = tea.KeyPressMsg{Code: tea.KeyEnter}
	tab       = tea.KeyPressMsg{Code: tea.KeyTab}
	ctrlJ     = tea.KeyPressMsg{Code: 'j', Mod: tea.ModCtrl}
	ctrlM     = tea.KeyPressMsg{Code: 'm', Mod: tea.ModCtrl}
	gsKey     = tea.KeyPressMsg{Code: ']', Mod: tea.ModCtrl}
	backspace = tea.KeyPressMsg{Code: tea.KeyBackspace}
	ctrlH     = tea.KeyPressMsg{Code: 'h', Mod: tea.ModCtrl}
)

func typed(s string) []tea.KeyPressMsg {
	var ks []tea.KeyPressMsg
	for _, r := range s {
		ks = append(ks, keyOf(r))
	}
	return ks
}

func seq(parts ...any) []tea.KeyPressMsg {
	var ks []tea.KeyPressMsg
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			ks = append(ks, typed(p)...)
		case tea.KeyPressMsg:
			ks = append(ks, p)
		}
	}
	return ks
}

func TestWedge(t *testing.T) {
	tests := []struct {
		name  string
		keys  []tea.KeyPressMsg
		scans []string
		left  string // the field afterwards
	}{
		{"EAN-13 and Enter", seq("9520000000011", enter), []string{"9520000000011"}, ""},
		{"Tab ends a scan", seq("9520000000011", tab), []string{"9520000000011"}, ""},
		{"LF (Ctrl+J) ends a scan", seq("9520000000011", ctrlJ), []string{"9520000000011"}, ""},
		{"Ctrl+M ends a scan", seq("96385074", ctrlM), []string{"96385074"}, ""},
		{"two scans back to back", seq("9520000000011", enter, "9520000000028", enter), []string{"9520000000011", "9520000000028"}, ""},
		{"AIM prefix and GS", seq("]C1010952000000001110B2402", gsKey, "21X1", enter), []string{"]C1010952000000001110B2402\x1d21X1"}, ""},
		{"DataMatrix leading GS", seq("]d2", gsKey, "0109520000000011", enter), []string{"]d2\x1d0109520000000011"}, ""},
		{"upper case from Text, not Code", seq("(01)09520000000011(10)AbC", enter), []string{"(01)09520000000011(10)AbC"}, ""},
		{"tilde stands in for GS as typed", seq("]C1010952000000001110B2402~21X1", enter), []string{"]C1010952000000001110B2402~21X1"}, ""},
		{"Digital Link", seq("https://id.gs1.org/01/09520000000011?17=281231", enter), []string{"https://id.gs1.org/01/09520000000011?17=281231"}, ""},
		{"hand typing with backspace", seq("95200000000", backspace, backspace, "0011", enter), []string{"9520000000011"}, ""},
		{"Ctrl+H is backspace", seq("12", ctrlH, "3", enter), []string{"13"}, ""},
		{"backspace on an empty field", seq(backspace, "1", enter), []string{"1"}, ""},
		{"empty Enter is no scan", seq(enter, tab, enter), nil, ""},
		{"unfinished scan stays in the field", seq("95200", enter, "123"), []string{"95200"}, "123"},
		{"Alt chords are not text", seq("1", tea.KeyPressMsg{Code: 'x', Mod: tea.ModAlt}, enter), []string{"1"}, ""},
		{"F-keys are not text", seq("1", tea.KeyPressMsg{Code: tea.KeyF2}, enter), []string{"1"}, ""},
		{"multi-byte text", seq("café", enter), []string{"café"}, ""},
		{"backspace removes a whole rune", seq("café", backspace, enter), []string{"caf"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w wedge
			var scans []string
			for _, k := range tt.keys {
				if w.key(k) == wedgeDone {
					s, ok := w.take()
					if !ok {
						t.Fatalf("scan %q reported too long", s)
					}
					scans = append(scans, s)
				}
			}
			if !slices.Equal(scans, tt.scans) {
				t.Errorf("scans %q, want %q", scans, tt.scans)
			}
			if w.text() != tt.left {
				t.Errorf("field holds %q, want %q", w.text(), tt.left)
			}
		})
	}
}

func TestWedgeOverflow(t *testing.T) {
	var w wedge
	for range maxScan + 10 {
		w.key(keyOf('1'))
	}
	if w.key(enter) != wedgeDone {
		t.Fatal("Enter after an overlong scan does not end it")
	}
	if s, ok := w.take(); ok || len(s) != maxScan {
		t.Errorf("overlong scan: ok %v, %d bytes kept", ok, len(s))
	}
	w.key(keyOf('2'))
	w.key(enter)
	if s, ok := w.take(); !ok || s != "2" {
		t.Errorf("after an overlong scan: %q %v", s, ok)
	}
}

func TestWedgePaste(t *testing.T) {
	tests := []struct {
		name   string
		before string
		paste  string
		scans  []string
	}{
		{"one code", "", "9520000000011", []string{"9520000000011"}},
		{"one code and newline", "", "9520000000011\n", []string{"9520000000011"}},
		{"lines", "", "9520000000011\r\n9520000000028\r9520000000035\n\n", []string{"9520000000011", "9520000000028", "9520000000035"}},
		{"GS inside", "", "]C10109520000000011\x1d10B2402", []string{"]C10109520000000011\x1d10B2402"}},
		{"completes what was typed", "95200", "00000011\n952", []string{"9520000000011", "952"}},
		{"newline only ends what was typed", "9520000000011", "\n", []string{"9520000000011"}},
		{"empty paste", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w wedge
			for _, k := range typed(tt.before) {
				w.key(k)
			}
			scans, ok := w.paste(tt.paste)
			if !slices.Equal(scans, tt.scans) {
				t.Errorf("scans %q, want %q", scans, tt.scans)
			}
			if slices.Contains(ok, false) {
				t.Errorf("a scan reported too long: %v", ok)
			}
			if w.text() != "" {
				t.Errorf("field holds %q after a paste", w.text())
			}
		})
	}
	var w wedge
	if scans, ok := w.paste(strings.Repeat("9", maxScan+1) + "\n1"); len(scans) != 2 || ok[0] || !ok[1] {
		t.Errorf("overlong paste: %d scans, ok %v", len(scans), ok)
	}
}
