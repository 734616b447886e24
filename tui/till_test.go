package tui

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/labels"
)

// events lists the records as "event:seq:gtin".
func events(recs []catalog.DueDiligenceRecord) []string {
	var out []string
	for _, r := range recs {
		out = append(out, fmt.Sprintf("%s:%d:%s", r.Event, r.Seq, r.GTIN))
	}
	return out
}

func historySeqs(m *Till) []int {
	var s []int
	for _, e := range m.history {
		s = append(s, e.seq)
	}
	return s
}

// TestStopHoldsAndQueues: a STOP stays until F2; scans made meanwhile
// wait, and are judged in order after it; the log says so.
func TestStopHoldsAndQueues(t *testing.T) {
	log := &memLog{}
	cfg := demoConfig(t)
	cfg.Log = NewLogWriter(log)
	m := newTill(cfg, 200, 60)
	scanAll(m, "9520000000011", "9520000001018", "9520000000028", "]E09520000000035")
	if m.hold == nil || m.hold.seq != 2 {
		t.Fatalf("STOP of scan 2 not held: %+v", m.hold)
	}
	if got := historySeqs(m); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("history %v while the STOP waits, want [1 2]", got)
	}
	if len(m.queue) != 2 {
		t.Fatalf("%d scans queued, want 2", len(m.queue))
	}
	// Nothing printable, nor Enter, nor Esc, acknowledges it.
	for _, k := range append(typed("qQ yYnN!?\x1d"), enter, tab, tea.KeyPressMsg{Code: tea.KeyEscape}) {
		drive(m, k)
	}
	if m.hold == nil {
		t.Fatal("a key other than F2 acknowledged the STOP")
	}
	drive(m, tea.KeyPressMsg{Code: tea.KeyF2})
	if m.hold != nil {
		t.Fatal("F2 did not acknowledge the STOP")
	}
	// Scan 3 is a CAUTION with scans behind it: they wait while it is
	// read, until its timer (not an older one) fires.
	if got := historySeqs(m); !slices.Equal(got, []int{1, 2, 3}) || m.reading == nil || m.reading.seq != 3 {
		t.Fatalf("history %v, reading %+v; want [1 2 3] and scan 3 being read", got, m.reading)
	}
	drive(m, readMsg{m.readGen - 1})
	if len(m.history) != 3 {
		t.Fatal("an older reading timer let the queue go")
	}
	drive(m, readMsg{m.readGen})
	// Scan 4, a CAUTION too, is being read; F2 goes on at once.
	if got := historySeqs(m); !slices.Equal(got, []int{1, 2, 3, 4}) || m.reading == nil || m.reading.seq != 4 {
		t.Fatalf("history %v, reading %+v; want [1 2 3 4] and scan 4 being read", got, m.reading)
	}
	drive(m, tea.KeyPressMsg{Code: tea.KeyF2})
	// "qQ yYnN!?" + GS was typed and ended by Enter: a (bad) scan too.
	if got := historySeqs(m); !slices.Equal(got, []int{1, 2, 3, 4, 5}) || m.reading != nil {
		t.Fatalf("history %v, want [1 2 3 4 5]", got)
	}
	cfg.Log.Close()
	want := []string{
		"check:1:09520000000011", "check:2:09520000001018", "acknowledge:2:09520000001018",
		"check:3:09520000000028", "check:4:09520000000035", "unreadable:5:",
	}
	if got := events(log.records()); !slices.Equal(got, want) {
		t.Errorf("log\n%q\nwant\n%q", got, want)
	}
	ack := log.records()[2]
	if ack.Verdict != "STOP" || !slices.Equal(ack.Findings, []string{"universal-default-password"}) || ack.Catalog == nil {
		t.Errorf("acknowledgement record %+v", ack)
	}
}

// TestOneLookupAtATime: however fast scans come, one lookup is in flight,
// results come back in scan order, and a result for any other scan is
// dropped.
func TestOneLookupAtATime(t *testing.T) {
	m := newTill(demoConfig(t), 200, 60)
	var cmds []tea.Cmd
	// OK and NOT IN SCOPE: none holds the queue.
	codes := []string{"9520000001087", "9520000000219", "9520000001209", "9520000001155", "9520000001063"}
	for _, c := range codes {
		for _, k := range keys(c) {
			if _, cmd := m.Update(k); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	if len(cmds) != 1 || m.asking != 1 || len(m.queue) != 4 {
		t.Fatalf("%d lookups started, asking %d, %d queued; want 1, 1, 4", len(cmds), m.asking, len(m.queue))
	}
	msg := cmds[0]().(lookupMsg)
	// A stale result (another scan's number) changes nothing.
	stale := msg
	stale.seq = 7
	if _, cmd := m.Update(stale); cmd != nil || len(m.history) != 0 {
		t.Fatal("a stale result was taken")
	}
	for msg := tea.Msg(msg); msg != nil; {
		_, cmd := m.Update(msg)
		msg = nil
		if cmd != nil {
			msg = cmd()
		}
	}
	var got []string
	for _, e := range m.history {
		got = append(got, e.result.GTIN[1:])
	}
	if !slices.Equal(got, codes) || !slices.Equal(historySeqs(m), []int{1, 2, 3, 4, 5}) {
		t.Errorf("history %v %v, want %v in order", got, historySeqs(m), codes)
	}
}

// TestNoPrintableShortcut types every printable ASCII character with a
// STOP on screen: each goes into the scan field and nothing else happens.
func TestNoPrintableShortcut(t *testing.T) {
	m := newTill(demoConfig(t), 200, 60)
	scanAll(m, "9520000001018", "9520000000011", "9520000000028", "9520000000035", "9520000000042")
	drive(m, tea.KeyPressMsg{Code: tea.KeyF2})
	scanAll(m, "9520000001018")
	for m.reading != nil { // the CAUTIONs, each read
		drive(m, readMsg{m.readGen})
	}
	before := screen(t, m)
	var typedText strings.Builder
	for r := rune(0x20); r < 0x7F; r++ {
		_, cmd := m.Update(keyOf(r))
		if cmd != nil {
			t.Errorf("key %q returned a command", r)
		}
		typedText.WriteRune(r)
	}
	if m.wedge.text() != typedText.String() {
		t.Errorf("field holds %q, want every character typed", m.wedge.text())
	}
	if m.hold == nil || m.scroll != 0 || m.notice != "" {
		t.Error("a printable key acted as a command")
	}
	drive(m, tea.KeyPressMsg{Code: tea.KeyEscape})
	if m.wedge.text() != "" {
		t.Error("Esc did not clear the field")
	}
	if after := screen(t, m); after != before {
		t.Errorf("screen changed:\n%s", after)
	}
}

func TestPasteScans(t *testing.T) {
	m := newTill(demoConfig(t), 200, 60)
	drive(m, tea.PasteMsg{Content: "9520000000011\r\n(01)09520000001131(10)PL2401\n"})
	drive(m, tea.PasteMsg{Content: "9520000000028"})
	var got []string
	for _, e := range m.history {
		got = append(got, e.input)
	}
	want := []string{"9520000000011", "(01)09520000001131(10)PL2401", "9520000000028"}
	if !slices.Equal(got, want) {
		t.Errorf("pasted scans %q, want %q", got, want)
	}
}

func TestPrintReceipt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "receipts.bin")
	p, err := labels.OpenPrinter("file:" + path)
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	refused, _ := labels.OpenPrinter("socket://" + closed)

	tests := []struct {
		name    string
		printer labels.Printer
		scan    bool
		notice  string
		isErr   bool
	}{
		{"nothing scanned", p, false, "Nothing to print", true},
		{"no printer", nil, true, "No receipt printer", true},
		{"file printer", p, true, "Receipt for scan #1 sent to file:", false},
		{"refused", refused, true, "not printed: print to socket://" + closed + ": cannot connect", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := demoConfig(t)
			cfg.Printer = tt.printer
			m := newTill(cfg, 200, 60)
			if tt.scan {
				scanAll(m, "9520000000011")
			}
			drive(m, tea.KeyPressMsg{Code: tea.KeyF4})
			if !strings.Contains(m.notice, tt.notice) || m.noticeErr != tt.isErr {
				t.Errorf("notice %q (error %v), want %q (error %v)", m.notice, m.noticeErr, tt.notice, tt.isErr)
			}
			if !strings.Contains(screen(t, m), tt.notice) {
				t.Errorf("notice not on screen")
			}
			if len(m.history) != b2n(tt.scan) {
				t.Error("printing changed the history")
			}
		})
	}
	job, _ := os.ReadFile(path)
	if !bytes.HasPrefix(job, []byte("\x1b@")) || !bytes.Contains(job, []byte("https://g.co/vulnz")) {
		t.Errorf("printed job: %q", job)
	}
}

func b2n(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestLogFile runs scans into a real due-diligence log file, restarts the
// till on it, and finds every line, in order.
func TestLogFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "checks.jsonl")
	var wantSeqs []int
	for run := range 2 {
		l, err := catalog.OpenDueDiligenceLog(path)
		if err != nil {
			t.Fatal(err)
		}
		cfg := demoConfig(t)
		cfg.Log = NewLogWriter(l)
		m := newTill(cfg, 200, 60)
		for i := range 40 {
			scanAll(m, []string{"9520000000011", "]E09520000000028", "(01)09520000001131(10)PL2401"}[i%3])
			wantSeqs = append(wantSeqs, i+1)
		}
		if err := cfg.Log.Close(); err != nil {
			t.Fatal(err)
		}
		l.Close()
		if run == 0 {
			f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			f.WriteString(`{"time":"2026-11-24T10:00:00Z","ev`) // a crash mid-line
			f.Close()
		}
	}
	f, _ := os.Open(path)
	defer f.Close()
	recs, bad, err := catalog.ReadDueDiligenceLog(f)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int
	for _, r := range recs {
		seqs = append(seqs, r.Seq)
		if r.Event != catalog.EventCheck || r.Catalog == nil || r.Catalog.Size != 120 || r.Catalog.Root == "" {
			t.Fatalf("record %+v", r)
		}
	}
	if !slices.Equal(seqs, wantSeqs) || len(bad) != 1 {
		t.Errorf("seqs %v (bad lines %v), want %v", seqs, bad, wantSeqs)
	}
	if recs[40].Session == recs[0].Session {
		t.Error("two runs share a session")
	}
}

func TestLogFailureShown(t *testing.T) {
	log := &memLog{fail: errors.New("write checks.jsonl: no space left on device")}
	cfg := demoConfig(t)
	cfg.Log = NewLogWriter(log)
	m := newTill(cfg, 200, 60)
	wait := m.Init()
	scanAll(m, "9520000000011")
	m.Update(wait()) // not drive: it would wait for the next failure
	got := screen(t, m)
	if !strings.Contains(got, "DUE-DILIGENCE LOG FAILING") || !strings.Contains(got, "no space left on device") {
		t.Errorf("log failure not shown:\n%s", got)
	}
	if err := cfg.Log.Close(); err == nil {
		t.Error("Close does not report the failure")
	}
}

func TestTimeLeft(t *testing.T) {
	d := func(y, m, day int) catalog.Date { return catalog.Date{Year: y, Month: timeMonth(m), Day: day} }
	tests := []struct {
		last catalog.Date
		want string
	}{
		{d(2026, 11, 24), "ends today"},
		{d(2026, 11, 25), "1 day left"},
		{d(2026, 12, 23), "29 days left"},
		{d(2026, 12, 24), "1 month (30 days) left"},
		{d(2027, 11, 24), "1 year (365 days) left"},
		{d(2032, 8, 31), "5 years 9 months (2107 days) left"},
		{d(2026, 10, 31), "24 days ago"},
		{d(2025, 12, 31), "10 months (328 days) ago"},
	}
	for _, tt := range tests {
		got := timeLeft(demoDay, tt.last)
		if !strings.HasSuffix(got, tt.want) {
			t.Errorf("timeLeft(%s) = %q, want %q", tt.last, got, tt.want)
		}
	}
}

func timeMonth(m int) time.Month { return time.Month(m) }

// TestNothingSlipsPast scans a STOP, a CHECK, a CAUTION and an OK at
// scanner speed, all queued before the first is judged: F2 shows the
// CHECK, not the OK; the CHECK waits for its own F2; the CAUTION stays
// for its reading time; and the log has both acknowledgements, each after
// its check.
func TestNothingSlipsPast(t *testing.T) {
	log := &memLog{}
	cfg := demoConfig(t)
	cfg.Log = NewLogWriter(log)
	m := newTill(cfg, 80, 24)
	var waits []time.Duration
	m.tick = func(d time.Duration, _ func(time.Time) tea.Msg) tea.Cmd {
		waits = append(waits, d)
		return nil
	}
	// Every key before any lookup ends: one command, the first lookup.
	var first tea.Cmd
	for _, s := range []string{"9520000001124", "9520000001216", "9520000000080", "9520000001087"} {
		for _, k := range keys(s) {
			if _, cmd := m.Update(k); cmd != nil {
				first = cmd
			}
		}
	}
	drive(m, first())
	onCard := func(verdict string, seq int) {
		t.Helper()
		got := screen(t, m)
		if m.current == nil || m.current.seq != seq || !strings.Contains(got, verdict) {
			t.Fatalf("want %s #%d on the card:\n%s", verdict, seq, got)
		}
		checkHead(t, m, got)
	}
	onCard("✗ STOP", 1)
	drive(m, tea.KeyPressMsg{Code: tea.KeyF2})
	onCard("? CHECK", 2)
	if len(m.history) != 2 || m.hold == nil {
		t.Fatal("the CHECK is not held")
	}
	// The CHECK is not released by a new scan: it waits behind it.
	scanAll(m, "9520000001209")
	onCard("? CHECK", 2)
	drive(m, tea.KeyPressMsg{Code: tea.KeyF2})
	onCard("! CAUTION", 3)
	if m.reading == nil || len(waits) != 1 {
		t.Fatalf("the CAUTION is not being read (%v)", waits)
	}
	if want := readTime(m.current.result); waits[0] != want || want < minRead {
		t.Errorf("reading time %v, want %v", waits[0], want)
	}
	if !strings.Contains(screen(t, m), "being read: 2 scans waiting") {
		t.Errorf("the scan line does not say scans wait for the CAUTION:\n%s", screen(t, m))
	}
	drive(m, readMsg{m.readGen})
	onCard("✓ OK", 5)
	cfg.Log.Close()
	want := []string{
		"check:1:09520000001124", "acknowledge:1:09520000001124",
		"check:2:09520000001216", "acknowledge:2:09520000001216",
		"check:3:09520000000080", "check:4:09520000001087", "check:5:09520000001209",
	}
	if got := events(log.records()); !slices.Equal(got, want) {
		t.Errorf("log\n%q\nwant\n%q", got, want)
	}
	if ack := log.records()[3]; ack.Verdict != "CHECK" || ack.Catalog == nil {
		t.Errorf("CHECK acknowledgement %+v", ack)
	}
}

// TestReadTime: the reading time grows with the words, within bounds,
// and a till has a timer for it (newTill replaces it in tests).
func TestReadTime(t *testing.T) {
	if NewTill(demoConfig(t)).tick == nil {
		t.Fatal("a till has no timer for reading a CAUTION")
	}
	short := &catalog.Result{Verdict: catalog.Caution, Findings: []catalog.Finding{{Verdict: catalog.Caution, Staff: "Ends soon."}}}
	long := &catalog.Result{Verdict: catalog.Caution, Findings: []catalog.Finding{{Verdict: catalog.Caution, Staff: strings.Repeat("word ", 20), Shopper: strings.Repeat("word ", 10)}}}
	huge := &catalog.Result{Verdict: catalog.Caution, Findings: []catalog.Finding{{Verdict: catalog.Caution, Staff: strings.Repeat("word ", 500)}}}
	if got := readTime(short); got != minRead {
		t.Errorf("two words: %v, want the least, %v", got, minRead)
	}
	if got := readTime(long); got != 30*perWord {
		t.Errorf("thirty words: %v, want %v", got, 30*perWord)
	}
	if got := readTime(huge); got != maxRead {
		t.Errorf("500 words: %v, want the most, %v", got, maxRead)
	}
}

// TestCautionEndsWithNextScan: a scan read while a CAUTION is being read
// lets the queue go (staff moved on), and so does F2.
func TestCautionEndsWithNextScan(t *testing.T) {
	m := newTill(demoConfig(t), 80, 24)
	scanAll(m, "9520000001018") // a STOP to queue behind
	scanAll(m, "9520000000080", "9520000001087")
	drive(m, tea.KeyPressMsg{Code: tea.KeyF2})
	if m.reading == nil || m.reading.seq != 2 {
		t.Fatal("the CAUTION is not being read")
	}
	scanAll(m, "9520000001209")
	if m.reading != nil || !slices.Equal(historySeqs(m), []int{1, 2, 3, 4}) {
		t.Errorf("a new scan did not end the reading: history %v", historySeqs(m))
	}
	// Alone, a CAUTION holds nothing.
	scanAll(m, "9520000000080")
	if m.reading != nil {
		t.Error("a CAUTION with nothing behind it is being read")
	}
}

// TestOpenHistoryRow: ↑/↓ choose any row, Enter opens its full card,
// Esc goes back; a held STOP comes back with F2 before F2 acknowledges
// it; a new verdict always takes the card. At 80x24, F3 shows the
// history pane in place of the card.
func TestOpenHistoryRow(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m := newTill(demoConfig(t), size[0], size[1])
			scanAll(m, "9520000001216") // CHECK
			drive(m, tea.KeyPressMsg{Code: tea.KeyF2})
			scanAll(m, "9520000001087", "9520000000219", "9520000001018") // OK, NOT IN SCOPE, STOP
			drive(m, tea.KeyPressMsg{Code: tea.KeyEnter})                 // no row chosen: nothing
			if m.opened || m.current.seq != 4 {
				t.Fatal("Enter with nothing chosen opened something")
			}
			for range 3 {
				drive(m, tea.KeyPressMsg{Code: tea.KeyDown})
			}
			if m.chosen != 1 || !strings.Contains(screen(t, m), "Enter open") {
				t.Fatalf("three ↓ chose row %d, want 1 (scan #2); footer:\n%s", m.chosen, screen(t, m))
			}
			drive(m, tea.KeyPressMsg{Code: tea.KeyEnd})
			drive(m, tea.KeyPressMsg{Code: tea.KeyEnter})
			got := screen(t, m)
			if m.current.seq != 1 || !strings.Contains(got, "Opened from the history") || !strings.Contains(got, "CHECK acknowledged at") {
				t.Fatalf("Enter did not open scan #1's card:\n%s", got)
			}
			checkHead(t, m, got)
			if !strings.Contains(got, "✗ STOP #4 waits: F2 shows it") {
				t.Errorf("the held STOP is not named while another card is open:\n%s", got)
			}
			// F2 brings the STOP back; only a second F2 acknowledges it.
			drive(m, tea.KeyPressMsg{Code: tea.KeyF2})
			if m.hold == nil || m.current.seq != 4 || m.opened {
				t.Fatal("F2 with another card open did not bring back the STOP")
			}
			drive(m, tea.KeyPressMsg{Code: tea.KeyF2})
			if m.hold != nil {
				t.Fatal("F2 did not acknowledge the STOP on the card")
			}
			// Open #2, then Esc: back to the latest.
			drive(m, tea.KeyPressMsg{Code: tea.KeyDown})
			drive(m, tea.KeyPressMsg{Code: tea.KeyDown})
			drive(m, tea.KeyPressMsg{Code: tea.KeyDown})
			drive(m, tea.KeyPressMsg{Code: tea.KeyEnter})
			if m.current.seq != 2 {
				t.Fatalf("opened #%d, want #2", m.current.seq)
			}
			// Esc with something typed clears the field, and stays.
			drive(m, keyOf('9'))
			drive(m, tea.KeyPressMsg{Code: tea.KeyEscape})
			if m.wedge.text() != "" || m.current.seq != 2 {
				t.Fatal("Esc with a typed field did not just clear it")
			}
			drive(m, tea.KeyPressMsg{Code: tea.KeyEscape})
			if m.current.seq != 4 || m.opened || m.chosen != -1 {
				t.Fatalf("Esc went back to #%d, want #4", m.current.seq)
			}
			// F3: on a narrow screen the pane replaces the card; a new
			// verdict takes the screen back.
			drive(m, tea.KeyPressMsg{Code: tea.KeyF3})
			got = screen(t, m)
			pane := strings.Contains(got, "Shift history · 4 scans")
			if wide := size[0] >= wideW; pane == wide || strings.Contains(got, "Scan          ") != wide {
				t.Fatalf("F3 at %dx%d: history pane %v:\n%s", size[0], size[1], pane, got)
			}
			scanAll(m, "9520000001124")
			got = screen(t, m)
			if !strings.Contains(got, "Press F2 to acknowledge this STOP") {
				t.Errorf("a new STOP is not on screen after F3:\n%s", got)
			}
			checkHead(t, m, got)
		})
	}
}

// TestResizeShowsTheCard: a history pane hidden with F3 on a wide screen
// does not become a pane over the card when the screen narrows.
func TestResizeShowsTheCard(t *testing.T) {
	m := newTill(demoConfig(t), 200, 60)
	scanAll(m, "9520000001018")
	drive(m, tea.KeyPressMsg{Code: tea.KeyF3})
	drive(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	got := screen(t, m)
	if !strings.Contains(got, "Press F2 to acknowledge this STOP") || strings.Contains(got, "Shift history") {
		t.Errorf("after F3 and a resize the STOP card is not on screen:\n%s", got)
	}
	checkHead(t, m, got)
}

// TestOpenUnreadableRow: an unreadable scan's row opens its card too.
func TestOpenUnreadableRow(t *testing.T) {
	m := newTill(demoConfig(t), 80, 24)
	scanAll(m, "9520000000012", "9520000001087")
	drive(m, tea.KeyPressMsg{Code: tea.KeyEnd})
	drive(m, tea.KeyPressMsg{Code: tea.KeyEnter})
	got := screen(t, m)
	if !strings.Contains(got, "NOT A PRODUCT CODE") || !strings.Contains(got, "Opened from the history") || !strings.Contains(got, "check digit") {
		t.Errorf("the unreadable scan's card is not open:\n%s", got)
	}
}
