package tui

import (
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// maxScan bounds the scan field: far longer than any barcode (a GS1
// Digital Link in a QR code is a few hundred bytes), short enough that a
// key stuck down cannot grow it without end. scan.Parse refuses more.
const maxScan = 4096

// gsByte is the ASCII group separator, FNC1 between GS1 elements.
const gsByte = 0x1D

// A wedge assembles the key presses of a keyboard-wedge scanner, or of a
// person typing, into scans (spec/scanning.md): the text of each key is
// appended; Enter, Ctrl+J (LF) and Tab end a scan; Ctrl+] is GS (0x1D);
// Backspace removes the last character. It knows nothing of shortcuts: the
// caller gives it only the keys that are not commands.
type wedge struct {
	buf      []byte
	overflow bool // characters were dropped: the scan is refused when it ends
}

// Scan results of feeding a key to the wedge.
type wedgeResult int

const (
	wedgeIgnored wedgeResult = iota // not a key the wedge uses
	wedgeEdited                     // the field changed
	wedgeDone                       // a scan ended: take it with take
)

// key feeds one key press.
func (w *wedge) key(k tea.KeyPressMsg) wedgeResult {
	if k.Text != "" && k.Mod&^(tea.ModShift|tea.ModCapsLock|tea.ModNumLock) == 0 {
		w.add(k.Text)
		return wedgeEdited
	}
	switch k.String() {
	case "enter", "ctrl+j", "tab", "ctrl+m":
		if len(w.buf) == 0 && !w.overflow {
			return wedgeIgnored // an empty scan is no scan
		}
		return wedgeDone
	case "ctrl+]":
		w.add(string(rune(gsByte)))
		return wedgeEdited
	case "backspace", "ctrl+h":
		if len(w.buf) > 0 {
			_, n := utf8.DecodeLastRune(w.buf)
			w.buf = w.buf[:len(w.buf)-n]
			return wedgeEdited
		}
		return wedgeIgnored
	}
	return wedgeIgnored
}

func (w *wedge) add(s string) {
	if len(w.buf)+len(s) > maxScan {
		w.overflow = true
		return
	}
	w.buf = append(w.buf, s...)
}

// take returns the scan that ended and empties the field. ok is false
// when the scan was too long, and so was cut: it is reported, not read.
func (w *wedge) take() (scan string, ok bool) {
	scan, ok = string(w.buf), !w.overflow
	w.clear()
	return scan, ok
}

func (w *wedge) clear() {
	w.buf = w.buf[:0]
	w.overflow = false
}

// text is the field as typed so far.
func (w *wedge) text() string { return string(w.buf) }

// paste feeds pasted text: each CR, LF, CRLF or Tab ends a scan, and so
// does the end of the paste. It returns the scans that ended, in order,
// the first completing whatever was typed before; ok[i] is false for a
// scan that was too long.
func (w *wedge) paste(s string) (scans []string, ok []bool) {
	end := func() {
		if len(w.buf) == 0 && !w.overflow {
			return
		}
		sc, good := w.take()
		scans, ok = append(scans, sc), append(ok, good)
	}
	for _, r := range s {
		switch r {
		case '\r', '\n', '\t':
			end()
		default:
			w.add(string(r))
		}
	}
	end()
	return scans, ok
}
