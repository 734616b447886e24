package tui

import (
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

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

// TestStripPasteMarkers removes every form of a bracketed-paste marker
// that Bubble Tea's input reader accepts, keeps every other sequence and
// character, and says how many bytes at the end may still become one.
func TestStripPasteMarkers(t *testing.T) {
	tests := []struct {
		name, in, want string
		pending        int
	}{
		{"a scan", "9520000000011\r", "9520000000011\r", 0},
		{"start before a scan", "\x1b[200~9520000000011\r", "9520000000011\r", 0},
		{"start and end around a scan", "\x1b[200~9520000000011\r\x1b[201~", "9520000000011\r", 0},
		{"end alone", "4711\x1b[201~\r", "4711\r", 0},
		{"8-bit CSI", "\x9b200~12\x9b201~", "12", 0},
		{"leading zeros", "\x1b[000200~1", "1", 0},
		{"more parameters", "\x1b[200;5;7~1", "1", 0},
		{"sub-parameters", "\x1b[200:1~1", "1", 0},
		{"a first parameter the reader cuts to 31 bits", "\x1b[2147483848~1", "1", 0},
		{"nested: taking one out makes another", "\x1b[20\x1b[200~0~1", "1", 0},
		{"many in a row", strings.Repeat("\x1b[200~", 50) + "7", "7", 0},
		{"F9 is a key", "\x1b[20~", "\x1b[20~", 0},
		{"F10 is a key", "\x1b[21~", "\x1b[21~", 0},
		{"Insert is a key", "\x1b[2~", "\x1b[2~", 0},
		{"second parameter 200", "\x1b[1;200~", "\x1b[1;200~", 0},
		{"private prefix", "\x1b[?200~", "\x1b[?200~", 0},
		{"intermediate byte", "\x1b[200 ~", "\x1b[200 ~", 0},
		{"other final byte", "\x1b[200u", "\x1b[200u", 0},
		{"Alt+x", "\x1bx", "\x1bx", 0},
		{"Û then 200~ is text", "\xc3\x9b200~", "\xc3\x9b200~", 0},
		{"UTF-8 text", "£49.99 Ü", "£49.99 Ü", 0},
		{"Esc at the end may start one", "95\x1b", "95\x1b", 1},
		{"half a marker at the end", "95\x1b[20", "95\x1b[20", 4},
		{"a marker without its ~", "\x1b[200", "\x1b[200", 5},
		{"8-bit CSI at the end", "1\x9b", "1\x9b", 1},
		{"half a character at the end", "1\xc3", "1\xc3", 1},
		{"empty", "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.in)
			n, pending := stripPasteMarkers(b)
			if got := string(b[:n]); got != tt.want || pending != tt.pending {
				t.Errorf("stripPasteMarkers(%q) = %q, %d pending; want %q, %d", tt.in, got, pending, tt.want, tt.pending)
			}
		})
	}
}

// pasteSpy says when Bubble Tea sees the start or the end of a paste.
type pasteSpy struct{ paste chan struct{} }

func (s *pasteSpy) Init() tea.Cmd { return nil }
func (s *pasteSpy) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg.(type) {
	case tea.PasteStartMsg, tea.PasteEndMsg:
		select {
		case s.paste <- struct{}{}:
		default:
		}
	}
	return s, nil
}
func (s *pasteSpy) View() tea.View { return tea.NewView("") }

// TestPasteMarkersAsTheReaderSeesThem sends each sequence, unguarded,
// to a real Bubble Tea program: those stripPasteMarkers takes out start
// or end a paste there, and those it keeps do not, so the guard follows
// the reader it guards.
func TestPasteMarkersAsTheReaderSeesThem(t *testing.T) {
	for _, tt := range []struct {
		in     string
		marker bool
	}{
		{"\x1b[200~", true}, {"\x1b[201~", true}, {"\x9b200~", true}, {"\x1b[000200~", true},
		{"\x1b[200;5;7~", true}, {"\x1b[200:1~", true}, {"\x1b[2147483848~", true},
		{"\x1b[20~", false}, {"\x1b[1;200~", false}, {"\x1b[?200~", false}, {"\x1b[200 ~", false},
		{"\x1b[200u", false}, {"\xc3\x9b200~", false},
	} {
		t.Run(strings.ToValidUTF8(tt.in, "?"), func(t *testing.T) {
			b := []byte(tt.in)
			if n, _ := stripPasteMarkers(b); (n == 0) != tt.marker {
				t.Fatalf("stripPasteMarkers kept %q", b[:n])
			}
			r, w := pipeInput(t)
			spy := &pasteSpy{paste: make(chan struct{}, 1)}
			p := tea.NewProgram(spy, tea.WithInput(r), tea.WithOutput(io.Discard), tea.WithEnvironment([]string{"TERM=xterm-256color"}))
			done := make(chan struct{})
			go func() { p.Run(); close(done) }()
			defer func() { p.Quit(); <-done }()
			w.Write([]byte(tt.in))
			// A marker must be seen, however slow the machine; a sequence
			// that is none has the reader's 50 ms and more to show it is.
			wait := 300 * time.Millisecond
			if tt.marker {
				wait = 5 * time.Second
			}
			select {
			case <-spy.paste:
				if !tt.marker {
					t.Error("Bubble Tea saw a paste marker")
				}
			case <-time.After(wait):
				if tt.marker {
					t.Error("Bubble Tea saw no paste marker")
				}
			}
		})
	}
}

// pipeInput is a pipe whose read end a GuardedInput reads.
func pipeInput(t *testing.T) (*os.File, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// TestGuardedInputSplit writes a marker and a PIN in pieces, as a
// scanner typing control characters does: the marker is taken out though
// it arrives in three reads, and an Esc alone is handed on after
// markerWait.
func TestGuardedInputSplit(t *testing.T) {
	tests := []struct {
		name   string
		pieces []string
		want   string
	}{
		{"marker split after ESC", []string{"\x1b", "[200~", "4711\r"}, "4711\r"},
		{"marker split in its parameter", []string{"\x1b[2", "00", "~4711\r"}, "4711\r"},
		{"8-bit CSI split", []string{"\x9b", "201~4711\r"}, "4711\r"},
		{"Esc alone", []string{"\x1b"}, "\x1b"},
		{"F9 split", []string{"\x1b[2", "0~"}, "\x1b[20~"},
	}
	// The pieces are written 10 ms apart; a machine busy with other
	// tests may take longer than markerWait between them, so the test
	// waits longer for the rest (an Esc alone waits markerWait: nothing
	// follows it).
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, w := pipeInput(t)
			g := GuardInput(r)
			if len(tt.pieces) > 1 {
				g.ready = func(time.Duration) bool { return inputReady(r, 2*time.Second) }
			}
			go func() {
				for _, p := range tt.pieces {
					w.Write([]byte(p))
					time.Sleep(10 * time.Millisecond)
				}
			}()
			var got []byte
			buf := make([]byte, 4096)
			start := time.Now()
			for len(got) < len(tt.want) && time.Since(start) < 2*time.Second {
				n, err := g.Read(buf)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, buf[:n]...)
			}
			if string(got) != tt.want {
				t.Errorf("read %q, want %q", got, tt.want)
			}
			if d := time.Since(start); len(tt.pieces) == 1 && d < markerWait {
				t.Errorf("an Esc alone was handed on after %v, before markerWait", d)
			}
		})
	}
}

// runProgram runs m on a pipe, guarded or not, writes input, and returns
// the model when the program ends, or nil when it has not ended within
// wait: the program took no more keys.
func runProgram(t *testing.T, m tea.Model, guard bool, input []string, wait time.Duration) tea.Model {
	t.Helper()
	r, w := pipeInput(t)
	var in io.Reader = r
	if guard {
		in = GuardInput(r)
	}
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(io.Discard), tea.WithFilter(kioskFilter),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}))
	done := make(chan tea.Model, 1)
	go func() {
		final, _ := p.Run()
		done <- final
	}()
	for _, s := range input {
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case final := <-done:
		return final
	case <-time.After(wait):
		p.Kill()
		<-done
		return nil
	}
}

// TestUnterminatedPaste sends a real Bubble Tea program, through a pipe,
// what a scanner programmed with control characters may send: a paste
// start and never its end. With GuardInput the kiosk still takes the
// staff PIN and quits on F10, and the till takes a scan and quits;
// without it (the control) the kiosk takes no key at all.
func TestUnterminatedPaste(t *testing.T) {
	const (
		f12, f10 = "\x1b[24~", "\x1b[21~"
		start    = "\x1b[200~"
	)
	kiosk := func(t *testing.T) *Kiosk {
		cfg, _ := demoKioskConfig(t)
		cfg.StaffPIN = "4711"
		return NewKiosk(cfg)
	}
	t.Run("kiosk PIN after a paste start", func(t *testing.T) {
		final := runProgram(t, kiosk(t), true, []string{f12, start, "4711", "\r", f10}, 5*time.Second)
		if final == nil {
			t.Fatal("the kiosk took no key after the paste start")
		}
		if k := final.(*Kiosk); k.mode != modeStaff || !k.staffOK {
			t.Errorf("mode %d, PIN accepted %v: want the staff screen", k.mode, k.staffOK)
		}
	})
	t.Run("kiosk scan after a paste start", func(t *testing.T) {
		final := runProgram(t, kiosk(t), true, []string{start + "9520000001018\r", f12, "4711\r", f10}, 5*time.Second)
		if final == nil {
			t.Fatal("the kiosk took no key after the paste start")
		}
		if k := final.(*Kiosk); k.last == nil || k.last.input != "9520000001018" {
			t.Errorf("last scan %+v, want 9520000001018", k.last)
		}
	})
	t.Run("till after a paste start", func(t *testing.T) {
		if runProgram(t, NewTill(demoConfig(t)), true, []string{start, "9520000000080\r", f10}, 5*time.Second) == nil {
			t.Fatal("the till took no key after the paste start")
		}
	})
	t.Run("control: unguarded, the kiosk freezes", func(t *testing.T) {
		if runProgram(t, kiosk(t), false, []string{f12, start, "4711", "\r", f10}, time.Second) != nil {
			t.Fatal("the unguarded kiosk quit: this test no longer shows the freeze GuardInput prevents")
		}
	})
}
