package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// e2eScan is one scan the end-to-end test types, and what the till must
// make of it.
type e2eScan struct {
	text    string // as the scanner sends it; \x1d is GS, sent as Ctrl+]
	gtin    string
	verdict string
}

// Scans judged against the demo catalog on 2026-11-24 (data/demo/expected.txt),
// in every form a wedge scanner sends: with and without AIM prefixes, GS
// separators, "~" standing in for GS, Digital Link URIs.
var e2eForms = []e2eScan{
	{"9520000000011", "09520000000011", "CAUTION"},
	{"09520000000028", "09520000000028", "CAUTION"},
	{"]E09520000000035", "09520000000035", "CAUTION"},
	{"]C1010952000000113110PL2401\x1d21SN0001", "09520000001131", "OK"},
	{"(01)09520000001131(10)PL2402", "09520000001131", "OK"},
	{"]d2\x1d010952000000108721KT8", "09520000001087", "OK"},
	{"]C1010952000000110010BM2501~21X9", "09520000001100", "CAUTION"},
	{"https://id.gs1.org/01/09520000001100/10/BM2405", "09520000001100", "CAUTION"},
	{"]Q1https://id.gs1.org/01/09520000000219", "09520000000219", "NOT_IN_SCOPE"},
	{"9520000001063", "09520000001063", "NOT_IN_SCOPE"},
	{"9520000001216", "09520000001216", "CHECK"},
	{"9520000009991", "09520000009991", "CHECK"},
	{"]E09520000001155", "09520000001155", "OK"},
	{"96385074", "00000096385074", "CHECK"},
	{"9520000000080", "09520000000080", "CAUTION"},
}

var e2eStops = []e2eScan{
	{"9520000001018", "09520000001018", "STOP"},
	{"(01)09520000001094(10)C3-2409", "09520000001094", "STOP"},
	{"]C10109520000001124", "09520000001124", "STOP"},
}

// e2eScans returns n scans: every 25th (from the 13th) a STOP.
func e2eScans(n int) []e2eScan {
	var out []e2eScan
	for i := range n {
		if i%25 == 12 {
			out = append(out, e2eStops[(i/25)%len(e2eStops)])
		} else {
			out = append(out, e2eForms[i%len(e2eForms)])
		}
	}
	return out
}

// startE2E prepares an end-to-end test of a screen: it needs tmux
// (skipping without it, failing under CI=true) and is skipped in -short
// mode. It returns the smartcheck binary — this test binary, which
// testscript.Main installs on PATH as smartcheck —, a directory of the
// test's own, and a tmux server of the test's own with its socket there.
func startE2E(t *testing.T) (bin, dir string, x *tmux) {
	t.Helper()
	needProgram(t, "tmux", "tmux")
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	bin, err := exec.LookPath("smartcheck")
	if err != nil {
		t.Fatalf("the test binary is not installed as smartcheck on PATH: %v", err)
	}
	dir = t.TempDir()
	x = &tmux{t: t, socket: filepath.Join(dir, "tmux.sock")}
	t.Cleanup(func() { exec.Command("tmux", "-S", x.socket, "kill-server").Run() })
	return bin, dir, x
}

// tmux drives a tmux server of the test's own.
type tmux struct {
	t      *testing.T
	socket string
}

func (x *tmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-f", "/dev/null", "-S", x.socket}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (x *tmux) screen() string { return x.run("capture-pane", "-p", "-t", "till") }

// waitFor polls until cond holds, or fails the test after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); ; time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
	}
}

// TestTillEndToEnd starts the real binary in tmux on a 200x60 terminal,
// types 200 scans at scanner speed — characters 1.5 ms apart, GS as
// Ctrl+], each scan ended by Enter and the next begun at once — with
// STOPs among them, and finds all 200 in order in the due-diligence log
// and in the history on screen: none lost, merged or split.
//
// The first half's STOPs are acknowledged as a person would, once on
// screen; in the second half the scanner runs on, so every scan after the
// first STOP queues behind it, and the STOPs are acknowledged at the end.
func TestTillEndToEnd(t *testing.T) {
	start := time.Now()
	till := startTill(t, 200, 60)
	if s := till.x.screen(); !strings.Contains(s, "DEMO CATALOG") || !strings.Contains(s, "demo.smartcheck.example/uk · 120 records") {
		t.Fatalf("status line or demo banner missing:\n%s", s)
	}
	x, sendKey, typeScan, readLog := till.x, till.sendKey, till.typeScan, till.records
	logged := func(event string, seq int) bool {
		for _, r := range readLog() {
			if r.Event == event && r.Seq == seq {
				return true
			}
		}
		return false
	}

	scans := e2eScans(200)
	held := 0
	typing := time.Now()
	var waited time.Duration
	for i, s := range scans {
		typeScan(s.text)
		if s.verdict == "STOP" || s.verdict == "CHECK" {
			held++
			if i < 100 {
				// Staff see the STOP or CHECK, then acknowledge it.
				w0 := time.Now()
				waitFor(t, 10*time.Second, fmt.Sprintf("the %s of scan %d", s.verdict, i+1), func() bool { return logged("check", i+1) })
				sendKey("F2")
				waited += time.Since(w0)
				till.next = time.Now()
			}
		}
	}
	typed := time.Since(typing)
	// The rest wait behind the STOPs and CHECKs of the second half:
	// acknowledge each as it comes up, and go on from each CAUTION that
	// holds them while it is read.
	for sentFor := 0; ; {
		recs := readLog()
		checks, acks := 0, 0
		for _, r := range recs {
			switch r.Event {
			case catalog.EventCheck:
				checks++
			case catalog.EventAcknowledge:
				acks++
			}
		}
		if checks == len(scans) && acks == held {
			break
		}
		if n := len(recs); n > 0 && recs[n-1].Event == catalog.EventCheck && recs[n-1].Verdict != "OK" && recs[n-1].Seq != sentFor {
			sendKey("F2")
			sentFor = recs[n-1].Seq
		}
		if time.Since(typing) > 60*time.Second {
			t.Fatalf("after 60 s the log has %d checks and %d acknowledgements, want %d and %d", checks, acks, len(scans), held)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// The log: every scan once, in order, whole.
	var checks []catalog.DueDiligenceRecord
	for _, r := range readLog() {
		switch r.Event {
		case catalog.EventCheck:
			checks = append(checks, r)
		case catalog.EventAcknowledge:
			if len(checks) == 0 || checks[len(checks)-1].Seq != r.Seq || r.Verdict != "STOP" && r.Verdict != "CHECK" {
				t.Errorf("acknowledgement of scan %d does not follow its STOP or CHECK", r.Seq)
			}
		default:
			t.Errorf("log line %+v: want only checks and acknowledgements", r)
		}
	}
	if len(checks) != len(scans) {
		t.Fatalf("%d check lines, want %d", len(checks), len(scans))
	}
	for i, r := range checks {
		want := scans[i]
		if r.Seq != i+1 || r.Input != want.text || r.GTIN != want.gtin || r.Verdict != want.verdict || r.Catalog == nil || r.Catalog.Size != 120 {
			t.Errorf("check line %d: seq %d input %q gtin %s verdict %s; want seq %d input %q gtin %s verdict %s",
				i+1, r.Seq, r.Input, r.GTIN, r.Verdict, i+1, want.text, want.gtin, want.verdict)
		}
	}

	// The history: walk through it with ↓, newest first.
	row := regexp.MustCompile(`│ #(\d+)\s+\d\d:\d\d:\d\d (\S) (OK|CAUTION|CHECK|STOP|NOT IN SCOPE)\s+(\d{14}) `)
	seen := map[int]string{}
	waitFor(t, 10*time.Second, "the history to show all scans", func() bool {
		return strings.Contains(x.screen(), fmt.Sprintf("Shift history · %d scans", len(scans)))
	})
	// Each step chooses the row 20 further down, which the pane (about
	// 50 rows) scrolls to show: wait for it, then read the rows. Two steps
	// are less than a pane, so a screen read before its step was drawn
	// leaves no gap.
	sendKey("Home")
	for chosen := len(scans); ; chosen -= 20 {
		chosen = max(1, chosen)
		var screen string
		waitFor(t, 10*time.Second, fmt.Sprintf("row #%d on screen", chosen), func() bool {
			screen = x.screen()
			return strings.Contains(screen, fmt.Sprintf("│ #%-4d ", chosen))
		})
		for _, m := range row.FindAllStringSubmatch(screen, -1) {
			n, _ := strconv.Atoi(m[1])
			seen[n] = m[4] + " " + strings.ReplaceAll(m[3], " ", "_")
		}
		if chosen == 1 {
			break
		}
		till.send("send-keys -t till -N 20 Down")
	}
	for i, s := range scans {
		if got, want := seen[i+1], s.gtin+" "+s.verdict; got != want {
			t.Errorf("history row #%d shows %q, want %q", i+1, got, want)
		}
	}
	if len(seen) != len(scans) {
		t.Errorf("history shows %d scans, want %d", len(seen), len(scans))
	}
	if s := x.screen(); strings.Contains(s, "waiting") || strings.Contains(s, "F2 to acknowledge") {
		t.Errorf("scans still waiting at the end:\n%s", s)
	}

	till.quit()
	keysSent := keyCount(scans)
	t.Logf("200 scans: %d key presses typed in %v (%v a key, not counting %v waiting for staff to see the STOPs and CHECKs); whole test %v",
		keysSent, (typed - waited).Round(time.Millisecond), ((typed - waited) / time.Duration(keysSent)).Round(10*time.Microsecond),
		waited.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

func keyCount(scans []e2eScan) int {
	n := 0
	for _, s := range scans {
		n += len([]rune(s.text)) + 1
	}
	return n
}

// tillE2E is the real till running in tmux, driven as a scanner and a
// person would: one control-mode tmux client sends the keys (a tmux
// process per key would take longer than the gap between a scanner's
// keys), on a fixed schedule.
type tillE2E struct {
	t        *testing.T
	x        *tmux
	logPath  string
	exitFile string
	w        *bufio.Writer
	next     time.Time // when the next key goes out
}

// startTill starts `smartcheck till --at 2026-11-24` on the demo catalog
// in tmux on a w x h terminal, with env added to its environment, and
// waits for its screen.
func startTill(t *testing.T, w, h int, env ...string) *tillE2E {
	bin, dir, x := startE2E(t)
	s := &tillE2E{t: t, x: x, logPath: filepath.Join(dir, "log", "checks.jsonl"), exitFile: filepath.Join(dir, "exit-status")}
	env = append([]string{
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"HOME=" + dir,
	}, env...)
	cmdline := fmt.Sprintf("env %s %s till --at 2026-11-24 --log %s; echo $? > %s", strings.Join(env, " "), bin, s.logPath, s.exitFile)
	x.run("new-session", "-d", "-s", "till", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), cmdline,
		";", "set-option", "-g", "window-size", "manual", ";", "set-option", "-g", "remain-on-exit", "on")
	waitFor(t, 15*time.Second, "the till to start", func() bool { return strings.Contains(x.screen(), "Scan ▸") })

	ctl := exec.Command("tmux", "-f", "/dev/null", "-S", x.socket, "-C", "attach-session", "-t", "till")
	keys, err := ctl.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	ctlOut, _ := ctl.StdoutPipe()
	if err := ctl.Start(); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, ctlOut)
	t.Cleanup(func() { keys.Close(); ctl.Wait() })
	s.w = bufio.NewWriter(keys)
	s.next = time.Now()
	return s
}

func (s *tillE2E) send(cmd string) {
	s.w.WriteString(cmd + "\n")
	s.w.Flush()
}

func (s *tillE2E) sendKey(name string) { s.send("send-keys -t till " + name) }

// typeScan types text as a scanner does: a key every 1.5 ms, whatever
// each sleep overshoots by, GS as Ctrl+], then Enter.
func (s *tillE2E) typeScan(text string) {
	const gap = 1500 * time.Microsecond
	pace := func() {
		s.next = s.next.Add(gap)
		time.Sleep(time.Until(s.next))
	}
	for _, r := range text {
		switch r {
		case 0x1D:
			s.sendKey("C-]")
		case '\'':
			s.send(`send-keys -t till -l "'"`)
		default:
			s.send("send-keys -t till -l '" + string(r) + "'")
		}
		pace()
	}
	s.sendKey("Enter")
	pace()
}

// records reads the due-diligence log as it stands.
func (s *tillE2E) records() []catalog.DueDiligenceRecord {
	data, err := os.ReadFile(s.logPath)
	if err != nil {
		return nil
	}
	// A line being written as we read has no newline yet.
	data = data[:strings.LastIndexByte(string(data), '\n')+1]
	recs, bad, _ := catalog.ReadDueDiligenceLog(strings.NewReader(string(data)))
	if len(bad) > 0 {
		s.t.Fatalf("due-diligence log has lines that do not parse: %v", bad)
	}
	return recs
}

// quit presses F10 and checks the till exits with status 0.
func (s *tillE2E) quit() {
	s.t.Helper()
	s.sendKey("F10")
	var status []byte
	waitFor(s.t, 10*time.Second, "the till to quit", func() bool {
		status, _ = os.ReadFile(s.exitFile)
		return len(status) > 0
	})
	if string(status) != "0\n" {
		s.t.Errorf("till exited with status %q:\n%s", status, s.x.screen())
	}
}
