package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/vt"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/labels"
)

func demoLabels(t *testing.T) LabelsConfig {
	t.Helper()
	cat := demoCatalog(t)
	tp, err := labels.FindTemplate("roll-102x51", "")
	if err != nil {
		t.Fatal(err)
	}
	return LabelsConfig{
		Catalog: cat, Demo: true,
		Context:  labels.Context{Checked: demoDay, CatalogSize: cat.Size(), Demo: true},
		Output:   labels.Output{Template: tp, Format: "zpl", DPI: 203},
		Debounce: -1,
	}
}

func newLabelsScreen(cfg LabelsConfig, w, h int) *Labels {
	m := NewLabels(cfg)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// driveLabels feeds msg to the screen and runs the commands it returns,
// as the Bubble Tea loop would, synchronously.
func driveLabels(m *Labels, msgs ...tea.Msg) {
	queue := msgs
	for len(queue) > 0 {
		var msg tea.Msg
		msg, queue = queue[0], queue[1:]
		_, cmd := m.Update(msg)
		if cmd != nil {
			if out := cmd(); out != nil {
				queue = append(queue, out)
			}
		}
	}
}

func typeText(m *Labels, s string) {
	for _, r := range s {
		driveLabels(m, keyOf(r))
	}
}

func labelsScreen(m *Labels) string {
	em := vt.NewEmulator(m.width, m.height)
	em.WriteString(strings.ReplaceAll(m.View().Content, "\n", "\r\n"))
	lines := strings.Split(em.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

// TestLabelsSearchPreviewPrint: typing searches the catalog, the arrows
// choose, the preview shows the label, Enter queues it, F6 prices it, a
// STOP product is refused, F5 prints the list once through the spool.
func TestLabelsSearchPreviewPrint(t *testing.T) {
	cfg := demoLabels(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "printer.zpl")
	p, err := labels.OpenPrinter("file:" + out)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Printer = p
	if cfg.Spool, err = labels.OpenSpool(filepath.Join(dir, "spool")); err != nil {
		t.Fatal(err)
	}
	m := newLabelsScreen(cfg, 160, 40)
	typeText(m, "pixel 9")
	if len(m.hits) != 3 {
		t.Fatalf("search %q: %d hits, want 3 (Pixel 9a, 9, 9 Pro)", string(m.query), len(m.hits))
	}
	driveLabels(m, tea.KeyPressMsg{Code: tea.KeyDown})
	if got := m.chosen().res.GTIN; got != "09520000000035" {
		t.Errorf("after ↓: chose %s, want the Pixel 9", got)
	}
	screen := labelsScreen(m)
	for _, want := range []string{"Search ▸ pixel 9", "Products (3)", "Google Pixel 9a", "Security updates until August 2031", "EAN-13 9520000000035", "DEMO", "Checked 24 Nov 2026"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	// Price it, queue it.
	driveLabels(m, tea.KeyPressMsg{Code: tea.KeyF6})
	for _, k := range []string{"\b", "\b", "4", "9", "9"} {
		if k == "\b" {
			driveLabels(m, tea.KeyPressMsg{Code: tea.KeyBackspace})
			continue
		}
		driveLabels(m, keyOf(rune(k[0])))
	}
	driveLabels(m, tea.KeyPressMsg{Code: tea.KeyEnter}, tea.KeyPressMsg{Code: tea.KeyEnter})
	if len(m.list) != 1 || m.list[0].label.Price != "£499.00" {
		t.Fatalf("print list %+v, want the Pixel 9 at £499.00", m.list)
	}
	// A product whose support has ended is refused.
	driveLabels(m, tea.KeyPressMsg{Code: tea.KeyEscape})
	typeText(m, "9520000000127")
	driveLabels(m, tea.KeyPressMsg{Code: tea.KeyEnter})
	if len(m.list) != 1 || !m.noticeErr || !strings.Contains(m.notice, "STOP") {
		t.Errorf("a STOP product: list %d, notice %q", len(m.list), m.notice)
	}
	if s := labelsScreen(m); !strings.Contains(s, "No label for Google Pixel Watch 2") {
		t.Errorf("preview of a STOP product:\n%s", s)
	}
	// Print, then print the same again: once.
	driveLabels(m, tea.KeyPressMsg{Code: tea.KeyF5})
	if m.noticeErr || !strings.Contains(m.notice, "1 label sent to file:") {
		t.Fatalf("after F5: %q", m.notice)
	}
	data, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(data), "^FD£499.00^FS") {
		t.Errorf("printer got %q, %v", data, err)
	}
	journal, _ := cfg.Spool.Journal()
	if len(journal) != 1 {
		t.Errorf("journal %v, want the one label", journal)
	}
}

// TestLabelsStaleSearch: a search result for an older query is dropped.
func TestLabelsStaleSearch(t *testing.T) {
	m := newLabelsScreen(demoLabels(t), 120, 30)
	typeText(m, "pixel")
	m.Update(searchMsg{seq: m.seq - 1, hits: nil})
	if len(m.hits) == 0 {
		t.Error("a stale search result replaced the current one")
	}
}

// TestLabelsNoEscapes: what catalog text and typing put on the screen is
// sanitised.
func TestLabelsNoEscapes(t *testing.T) {
	m := newLabelsScreen(demoLabels(t), 120, 30)
	m.Update(tea.PasteMsg{Content: "\x1b]0;pwned\x07pixel\u202e"})
	if v := m.View().Content; strings.Contains(v, "\x07") || strings.Contains(v, "\u202e") || strings.Contains(v, "\x1b]0") {
		t.Errorf("view carries control characters: %q", v)
	}
}

func TestLabelsGolden(t *testing.T) {
	m := newLabelsScreen(demoLabels(t), 140, 34)
	typeText(m, "galaxy")
	golden(t, "labels-search-galaxy.txt", labelsScreen(m))
	_ = catalog.OK
}
