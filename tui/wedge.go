package tui

import (
	"os"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/ansi/parser"
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

// Bracketed paste. A terminal asked for it wraps a paste in CSI 200 ~ …
// CSI 201 ~, and Bubble Tea's input reader, once it has read the start,
// keeps every byte it reads until the end arrives: it has no timeout, and
// it reads the start whether or not the screen asked for bracketed paste.
// A scanner programmed to send control characters can send the start and
// never the end; then the till and the kiosk take no key, not even the
// staff PIN, and judge every scan at once, with the wrong times, when an
// end comes at last. So the screens do not ask for bracketed paste, and
// GuardInput takes both markers out of the input before the reader sees
// them: a paste arrives as typed keys, which the wedge reads as it reads
// a scanner (each line a scan).

// markerWait is how long a read waits for the rest of what may be a
// paste marker (an ESC at the end of what was read, say) before it hands
// the bytes on as they are. Longer than the input reader's own 50 ms, in
// which it joins bytes into one sequence; markerHold bounds the waiting
// of one read.
const (
	markerWait = 100 * time.Millisecond
	markerHold = 4 * markerWait
)

// GuardedInput is a terminal's input without bracketed-paste markers. It
// is a term.File, so Bubble Tea still puts the terminal in raw mode and
// cancels reads on it through its descriptor.
type GuardedInput struct {
	f *os.File
	// ready reports whether more input can be read within d.
	ready func(d time.Duration) bool
}

// GuardInput returns f without bracketed-paste markers, for a screen's
// input.
func GuardInput(f *os.File) *GuardedInput {
	return &GuardedInput{f: f, ready: func(d time.Duration) bool { return inputReady(f, d) }}
}

// Read reads from the terminal and removes every paste marker. When what
// it read ends in what may be the start of one, it waits up to markerWait
// for more (markerHold in all) and then hands on the bytes it has. It
// never returns bytes held back for a later read: Bubble Tea calls Read
// only when the descriptor has input.
func (g *GuardedInput) Read(p []byte) (int, error) {
	n, err := g.f.Read(p)
	held := time.Duration(0)
	for {
		m, pending := stripPasteMarkers(p[:n])
		if pending == 0 || err != nil || m == len(p) || held >= markerHold || !g.ready(markerWait) {
			return m, err
		}
		held += markerWait
		k, rerr := g.f.Read(p[m:])
		n, err = m+k, rerr
	}
}

// Write writes to the terminal.
func (g *GuardedInput) Write(p []byte) (int, error) { return g.f.Write(p) }

// Close does nothing: the file is the caller's.
func (g *GuardedInput) Close() error { return nil }

// Fd is the terminal's descriptor.
func (g *GuardedInput) Fd() uintptr { return g.f.Fd() }

// Name is the terminal's name.
func (g *GuardedInput) Name() string { return g.f.Name() }

// stripPasteMarkers removes from b, in place, every control sequence that
// Bubble Tea's input reader would take for the start or the end of a
// paste, and returns the length left. pending is how many bytes at the
// end of what is left may be the start of such a sequence, or of a
// character, still to be completed. Removing a sequence may join the
// bytes around it into a new one, so it repeats until nothing is removed.
func stripPasteMarkers(b []byte) (n, pending int) {
	n = len(b)
	for {
		var removed bool
		n, pending, removed = stripPass(b[:n])
		if !removed {
			return n, pending
		}
	}
}

func stripPass(b []byte) (n, pending int, removed bool) {
	for i := 0; i < len(b); {
		c := b[i]
		if c == 0x1B || c == 0x9B {
			size, marker, complete := pasteMarker(b[i:])
			switch {
			case !complete:
				return len(b), len(b) - i, removed
			case marker:
				b = append(b[:i], b[i+size:]...)
				removed = true
				continue
			}
			i++
			continue
		}
		if c < utf8.RuneSelf || c <= 0x9F {
			i++ // ASCII, or a C1 control the reader takes alone
			continue
		}
		if !utf8.FullRune(b[i:]) {
			return len(b), len(b) - i, removed
		}
		_, size := utf8.DecodeRune(b[i:])
		i += size
	}
	return len(b), 0, removed
}

// pasteMarker reads a control sequence at the start of b, ESC or CSI
// (0x9B) first, as Bubble Tea's input reader (ultraviolet's
// EventDecoder.parseCsi) does: marker when it is CSI 200 ~ or CSI 201 ~
// in any of the forms that reader accepts (leading zeros, more
// parameters, sub-parameters); complete is false when b ends before the
// sequence does.
func pasteMarker(b []byte) (size int, marker, complete bool) {
	i := 1
	if b[0] == 0x1B {
		if len(b) == 1 {
			return 0, false, false
		}
		if b[1] != '[' {
			return 1, false, true
		}
		i = 2
	}
	if i < len(b) && b[i] >= '<' && b[i] <= '?' {
		return 1, false, true // a private sequence: never a paste marker
	}
	// Parameters, 0x30-0x3F, at most parser.MaxParamsSize of them; the
	// first is what counts, computed in the reader's own arithmetic.
	var first ansi.Param
	params := 0
	for ; i < len(b) && params < parser.MaxParamsSize && b[i] >= 0x30 && b[i] <= 0x3F; i++ {
		switch c := b[i]; {
		case c >= '0' && c <= '9' && params == 0:
			first = first*10 + ansi.Param(c-'0')
		case c == ';' || c == ':':
			params++
		}
	}
	if i < len(b) && b[i] >= 0x20 && b[i] <= 0x2F {
		return 1, false, true // an intermediate byte: not a paste marker
	}
	if i >= len(b) {
		return 0, false, false
	}
	if b[i] != '~' {
		return 1, false, true
	}
	p := first.Param(0)
	return i + 1, p == 200 || p == 201, true
}
