package tui

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the till shows Europe/London times
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/vt"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/data"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

// The day data/demo/expected.txt is judged on.
var demoDay = catalog.Date{Year: 2026, Month: 11, Day: 24}

var (
	demoOnce sync.Once
	demoCat  *catalog.Catalog
	demoErr  error
)

func demoCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	demoOnce.Do(func() {
		cp, recs, trustFile := data.Demo()
		trust, err := catalog.ParseTrust(trustFile)
		if err != nil {
			demoErr = err
			return
		}
		demoCat, demoErr = catalog.OpenBytes(cp, recs, trust, nil)
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoCat
}

// clock is a fake time that moves a second each time it is read.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 24, 10, 3, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// memLog is an Appender that keeps records in memory.
type memLog struct {
	mu   sync.Mutex
	recs []catalog.DueDiligenceRecord
	fail error
}

func (l *memLog) Append(r catalog.DueDiligenceRecord) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return l.fail
	}
	l.recs = append(l.recs, r)
	return nil
}

func (l *memLog) records() []catalog.DueDiligenceRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]catalog.DueDiligenceRecord(nil), l.recs...)
}

// demoConfig is a till on the demo catalog on demoDay with a fake clock.
func demoConfig(t testing.TB) TillConfig {
	return TillConfig{
		Catalog: demoCatalog(t), Demo: true,
		Today: func() catalog.Date { return demoDay },
		Now:   newClock().Now,
	}
}

// newTill starts a till of w x h cells. Its CAUTIONs' reading timers
// never fire by themselves: a test sends readMsg when it wants.
func newTill(cfg TillConfig, w, h int) *Till {
	m := NewTill(cfg)
	m.tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// keyOf is the key press a terminal reports for one character.
func keyOf(r rune) tea.KeyPressMsg {
	switch {
	case r == 0x1D:
		return tea.KeyPressMsg{Code: ']', Mod: tea.ModCtrl}
	case r == '\r':
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case r == '\n':
		return tea.KeyPressMsg{Code: 'j', Mod: tea.ModCtrl}
	case r == '\t':
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case r == ' ':
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case unicode.IsUpper(r):
		return tea.KeyPressMsg{Code: unicode.ToLower(r), Mod: tea.ModShift, Text: string(r)}
	}
	return tea.KeyPressMsg{Code: r, Text: string(r)}
}

// keys returns the key presses of a scan, ended by Enter.
func keys(scan string) []tea.KeyPressMsg {
	var ks []tea.KeyPressMsg
	for _, r := range scan {
		ks = append(ks, keyOf(r))
	}
	return append(ks, tea.KeyPressMsg{Code: tea.KeyEnter})
}

// drive feeds msg to the till and then runs every command it returns,
// feeding their messages back, until none is left: what the Bubble Tea
// loop does, synchronously.
func drive(m *Till, msg tea.Msg) {
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		msg, queue = queue[0], queue[1:]
		_, cmd := m.Update(msg)
		cmds := []tea.Cmd{cmd}
		for len(cmds) > 0 {
			cmd, cmds = cmds[0], cmds[1:]
			if cmd == nil {
				continue
			}
			switch out := cmd().(type) {
			case nil:
			case tea.BatchMsg:
				cmds = append(cmds, out...)
			default:
				queue = append(queue, out)
			}
		}
	}
}

// scanAll types each scan and lets its lookup finish.
func scanAll(m *Till, scans ...string) {
	for _, s := range scans {
		for _, k := range keys(s) {
			drive(m, k)
		}
	}
}

// screen renders the till's view through a virtual terminal of its size
// and returns the text a person sees.
func screen(t testing.TB, m *Till) string {
	t.Helper()
	em := vt.NewEmulator(m.width, m.height)
	content := m.View().Content
	em.WriteString(strings.ReplaceAll(content, "\n", "\r\n"))
	lines := strings.Split(em.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if got != string(want) {
		t.Errorf("screen differs from %s (go test -update rewrites it); got:\n%s", path, got)
	}
}
