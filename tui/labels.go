package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/labels"
)

// LabelsConfig is what the label screen works with. The caller opens the
// catalog, the printer and the spool; the screen reaches them only
// through commands.
type LabelsConfig struct {
	Catalog *catalog.Catalog
	Demo    bool
	Policy  catalog.Policy
	Context labels.Context // the day judged on, the catalog's size, DEMO

	Output  labels.Output
	Printer labels.Printer // nil: write OutFile instead
	Spool   *labels.Spool  // with Printer
	OutFile string         // with no Printer: where the document is written

	// Debounce is how long typing must pause before a search runs
	// (default 120 ms; tests set a negative value for none).
	Debounce time.Duration
	// MaxResults bounds a search's list (default 200).
	MaxResults int
}

// LabelsKeyMap is every command of the label screen. The search field
// takes every printable key (a scanner may type a barcode into it), so
// commands are Enter, arrows, F-keys, Esc and Ctrl chords only.
type LabelsKeyMap struct {
	Up, Down, PageUp, PageDown key.Binding
	Add                        key.Binding
	Remove                     key.Binding
	Price                      key.Binding
	Print                      key.Binding
	Clear                      key.Binding
	Quit                       key.Binding
}

// DefaultLabelsKeyMap returns the label screen's keys.
func DefaultLabelsKeyMap() LabelsKeyMap {
	return LabelsKeyMap{
		Up:       key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "choose")),
		Down:     key.NewBinding(key.WithKeys("down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup")),
		PageDown: key.NewBinding(key.WithKeys("pgdown")),
		Add:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("Enter", "add to print list")),
		Remove:   key.NewBinding(key.WithKeys("f4", "ctrl+d"), key.WithHelp("F4", "remove last")),
		Price:    key.NewBinding(key.WithKeys("f6"), key.WithHelp("F6", "price")),
		Print:    key.NewBinding(key.WithKeys("f5"), key.WithHelp("F5", "print list")),
		Clear:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("Esc", "clear")),
		Quit:     key.NewBinding(key.WithKeys("ctrl+c", "f10"), key.WithHelp("F10", "quit")),
	}
}

// ShortHelp lists the bindings the footer shows.
func (k LabelsKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Add, k.Price, k.Remove, k.Print, k.Clear, k.Quit}
}

// FullHelp is ShortHelp in one column (help.KeyMap).
func (k LabelsKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// queued is a product on the print list.
type queued struct {
	item  labels.Item
	label *labels.Label
}

// hit is a search result: judged, and its label or why it gets none.
type hit struct {
	res   *catalog.Result
	label *labels.Label
	err   error
}

// Messages.
type (
	searchTickMsg struct{ seq int }
	searchMsg     struct {
		seq  int
		hits []hit
	}
	labelsPrintedMsg struct {
		n    int
		res  labels.PrintResult
		err  error
		to   string
		file bool // written to a file, not sent to a printer
	}
)

// Labels is the root model of the label screen: a search field, the
// matching products, a preview of the chosen one's label, and a print
// list.
type Labels struct {
	cfg    LabelsConfig
	styles Styles
	keys   LabelsKeyMap
	help   help.Model

	width, height int

	query     []rune
	pricing   bool   // the field takes the chosen product's price
	price     []rune // the price being typed
	seq       int    // number of the latest search asked for
	searching bool
	hits      []hit
	cursor    int
	top       int // first result shown
	list      []queued
	printing  bool

	notice    string
	noticeErr bool

	// Rendered parts, rebuilt when stale.
	preview      string
	stalePreview bool
}

// NewLabels returns the label screen for cfg.
func NewLabels(cfg LabelsConfig) *Labels {
	if cfg.Policy == (catalog.Policy{}) {
		cfg.Policy = catalog.DefaultPolicy
	}
	if cfg.Debounce == 0 {
		cfg.Debounce = 120 * time.Millisecond
	}
	if cfg.MaxResults <= 0 {
		cfg.MaxResults = 200
	}
	return &Labels{cfg: cfg, styles: DefaultStyles(), keys: DefaultLabelsKeyMap(), help: help.New(), width: 80, height: 24, stalePreview: true}
}

// RunLabels runs the label screen on a terminal until staff quit.
func RunLabels(cfg LabelsConfig, in io.Reader, out io.Writer) error {
	if err := NeedTerminal(in); err != nil {
		return err
	}
	p := tea.NewProgram(NewLabels(cfg), tea.WithInput(in), tea.WithOutput(out))
	_, err := p.Run()
	return err
}

// Init does nothing: the screen waits for typing.
func (m *Labels) Init() tea.Cmd { return nil }

// Update handles one message. It never blocks: searching, judging and
// printing are commands, and a search result that is not the latest is
// dropped.
func (m *Labels) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.stalePreview = true
	case tea.KeyPressMsg:
		return m, m.keyPress(msg)
	case tea.PasteMsg:
		m.typed(strings.ReplaceAll(strings.ReplaceAll(msg.Content, "\n", " "), "\r", ""))
		return m, m.searchSoon()
	case searchTickMsg:
		if msg.seq != m.seq {
			return m, nil // more was typed since: a later tick searches
		}
		return m, m.search()
	case searchMsg:
		if msg.seq != m.seq {
			return m, nil // stale
		}
		m.searching = false
		m.hits, m.cursor, m.top = msg.hits, 0, 0
		m.stalePreview = true
	case labelsPrintedMsg:
		m.printing = false
		switch {
		case msg.err != nil:
			s := fmt.Sprintf("Not printed: %v.", msg.err)
			if msg.res.Job != nil && m.cfg.Spool != nil {
				s += " The job is kept: press F5 to try again, or run smartcheck labels --retry."
			}
			m.setNotice(s, true)
		case msg.res.Already:
			m.setNotice(fmt.Sprintf("%s already printed on %s (job %s): not printed again.", fmt.Sprint(msg.n)+" "+plural(msg.n, "label", "labels"), msg.to, msg.res.Job.ID), true)
			m.list = nil
		default:
			verb := "sent to"
			if msg.file {
				verb = "written to"
			}
			m.setNotice(fmt.Sprintf("%d %s %s %s.", msg.n, plural(msg.n, "label", "labels"), verb, msg.to), false)
			m.list = nil
		}
	}
	return m, nil
}

func (m *Labels) keyPress(k tea.KeyPressMsg) tea.Cmd {
	if k.Text != "" && k.Mod&(tea.ModCtrl|tea.ModAlt|tea.ModMeta|tea.ModSuper|tea.ModHyper) == 0 {
		if m.pricing {
			m.price = append(m.price, []rune(k.Text)...)
			return nil
		}
		m.typed(k.Text)
		return m.searchSoon()
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		return tea.Quit
	case k.Code == tea.KeyBackspace:
		if m.pricing {
			if n := len(m.price); n > 0 {
				m.price = m.price[:n-1]
			}
			return nil
		}
		if n := len(m.query); n > 0 {
			m.query = m.query[:n-1]
			return m.searchSoon()
		}
	case key.Matches(k, m.keys.Clear):
		if m.pricing {
			m.pricing, m.price = false, nil
			return nil
		}
		m.query, m.hits, m.cursor, m.top = nil, nil, 0, 0
		m.seq++
		m.stalePreview = true
	case key.Matches(k, m.keys.Up):
		m.move(-1)
	case key.Matches(k, m.keys.Down):
		m.move(1)
	case key.Matches(k, m.keys.PageUp):
		m.move(-m.rows())
	case key.Matches(k, m.keys.PageDown):
		m.move(m.rows())
	case key.Matches(k, m.keys.Price):
		if h := m.chosen(); h != nil && h.label != nil {
			m.pricing, m.price = true, []rune(h.label.Price)
		}
	case key.Matches(k, m.keys.Add), k.Code == tea.KeyTab:
		if m.pricing {
			m.setPrice()
			return nil
		}
		m.add()
	case key.Matches(k, m.keys.Remove):
		if n := len(m.list); n > 0 {
			m.list = m.list[:n-1]
			m.setNotice("Removed the last label from the print list.", false)
		}
	case key.Matches(k, m.keys.Print):
		return m.print()
	}
	return nil
}

func (m *Labels) typed(s string) {
	for _, r := range s {
		if r >= ' ' && r != 0x7f && len(m.query) < 80 {
			m.query = append(m.query, r)
		}
	}
}

// searchSoon numbers a new search and waits for typing to pause.
func (m *Labels) searchSoon() tea.Cmd {
	m.seq++
	m.searching = true
	seq := m.seq
	if m.cfg.Debounce < 0 {
		return m.search()
	}
	return tea.Tick(m.cfg.Debounce, func(time.Time) tea.Msg { return searchTickMsg{seq} })
}

// search runs the latest query as a command.
func (m *Labels) search() tea.Cmd {
	seq, query, cfg := m.seq, string(m.query), m.cfg
	return func() tea.Msg {
		var hits []hit
		if cfg.Catalog != nil {
			q := catalog.Query{Today: cfg.Context.Checked, Policy: cfg.Policy}
			for r := range cfg.Catalog.Search(query, q) {
				l, err := labels.Make(r, labels.Item{GTIN: r.GTIN}, cfg.Context)
				hits = append(hits, hit{res: r, label: l, err: err})
				if len(hits) == cfg.MaxResults {
					break
				}
			}
		}
		return searchMsg{seq: seq, hits: hits}
	}
}

func (m *Labels) chosen() *hit {
	if m.cursor < len(m.hits) {
		return &m.hits[m.cursor]
	}
	return nil
}

func (m *Labels) move(n int) {
	if len(m.hits) == 0 {
		return
	}
	m.cursor = min(max(0, m.cursor+n), len(m.hits)-1)
	rows := m.rows()
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if m.cursor >= m.top+rows {
		m.top = m.cursor - rows + 1
	}
	m.stalePreview = true
}

// setPrice puts the typed price on the chosen product's label.
func (m *Labels) setPrice() {
	m.pricing = false
	h := m.chosen()
	if h == nil || h.label == nil {
		return
	}
	p, err := labels.FormatPrice(string(m.price))
	if err != nil {
		m.setNotice(fmt.Sprintf("Not a price: %v.", err), true)
		return
	}
	l := *h.label
	l.Price = p
	h.label = &l
	m.price = nil
	m.stalePreview = true
}

// add puts the chosen product's label on the print list; a STOP or CHECK
// product gets none.
func (m *Labels) add() {
	h := m.chosen()
	switch {
	case h == nil:
		m.setNotice("Nothing chosen: type a brand, a model or a GTIN.", true)
		return
	case h.err != nil:
		m.setNotice(fmt.Sprintf("No label for %s: %s.", h.res.GTIN, refusal(h.err)), true)
		return
	}
	m.list = append(m.list, queued{item: labels.Item{GTIN: h.res.GTIN, Price: h.label.Price}, label: h.label})
	m.setNotice(fmt.Sprintf("Added %s to the print list.", h.label.Title), false)
}

func refusal(err error) string {
	var re *labels.RefusedError
	if errors.As(err, &re) {
		return re.Verdict.String() + ": " + strings.Join(re.Reasons, " ")
	}
	return err.Error()
}

// print sends the print list to the printer (or writes the file) as a
// command.
func (m *Labels) print() tea.Cmd {
	switch {
	case m.printing:
		return nil
	case len(m.list) == 0:
		m.setNotice("The print list is empty: choose a product and press Enter.", true)
		return nil
	case m.cfg.Printer == nil && m.cfg.OutFile == "":
		m.setNotice("No printer: start with --printer URI (cups:QUEUE, ipp://…, socket://HOST:9100) or -o FILE.", true)
		return nil
	}
	items := make([]labels.Item, len(m.list))
	ls := make([]*labels.Label, len(m.list))
	for i, q := range m.list {
		items[i], ls[i] = q.item, q.label
	}
	cfg := m.cfg
	m.printing = true
	to := cfg.OutFile
	if cfg.Printer != nil {
		to = cfg.Printer.String()
	}
	m.setNotice(fmt.Sprintf("Printing %s on %s…", fmt.Sprint(len(ls))+" "+plural(len(ls), "label", "labels"), to), false)
	return func() tea.Msg {
		if cfg.Printer == nil {
			data, err := cfg.Output.Render(ls)
			if err == nil {
				err = os.WriteFile(cfg.OutFile, data, 0o644)
			}
			return labelsPrintedMsg{n: len(ls), err: err, to: to, file: true}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		res, err := labels.Print(ctx, cfg.Spool, cfg.Printer, cfg.Output, items, ls, false)
		return labelsPrintedMsg{n: len(ls), res: res, err: err, to: to}
	}
}

func (m *Labels) setNotice(s string, isErr bool) { m.notice, m.noticeErr = catalog.Sanitize(s), isErr }
