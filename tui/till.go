package tui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/labels"
	"github.com/smartcheck-uk/smartcheck/scan"
)

// TillConfig is what the till screen works with. The caller opens the
// catalog, the printer and the log; the screen never touches a file or a
// socket itself, only through commands.
type TillConfig struct {
	// Catalog is the verified catalog, or nil when it could not be opened
	// or trusted; then Untrusted says why, and every scan shows CHECK
	// catalog-untrusted (verdicts.md R0a).
	Catalog   *catalog.Catalog
	Untrusted error
	Demo      bool // the built-in demo catalog

	Policy catalog.Policy
	Today  func() catalog.Date // Europe/London; default catalog.Today
	Now    func() time.Time    // default time.Now

	Printer labels.Printer // nil: no receipt printer
	Receipt labels.ReceiptOptions

	Log *LogWriter // the due-diligence log; nil records nothing

	// Sync, if not nil, keeps the catalog current in the background. A
	// newer catalog takes effect between lookups (a scan is judged
	// wholly by one catalog, and its log line names that one), and the
	// till then closes the catalog it replaced, the first one included.
	Sync *SyncConfig
}

// entry is one scan of the shift: judged, or not a product code.
type entry struct {
	seq     int
	input   string
	checked time.Time
	code    scan.Code
	err     error           // why the scan is not a product code
	result  *catalog.Result // nil when err != nil
	acked   time.Time       // when staff acknowledged a STOP or a CHECK

	// The catalog that judged it, as the log names it; or why there was
	// no trusted one.
	catalog   *catalog.DueDiligenceCatalog
	untrusted error
	demo      bool

	row            string // its history row, as last rendered
	rowState, rowW int    // what the row was rendered for
}

// pending is a scan waiting for its lookup.
type pending struct {
	seq  int
	text string
	ok   bool // false: too long, cut short
}

// Messages.
type (
	// lookupMsg is the result of the lookup of scan seq.
	lookupMsg struct {
		seq int
		e   *entry
	}
	// printedMsg says how printing the receipt of scan seq went.
	printedMsg struct {
		seq     int
		printer string
		err     error
	}
	// logFailedMsg says the due-diligence log could not be written.
	logFailedMsg struct{ err error }
	// readMsg says the CAUTION of reading generation gen has been on
	// screen long enough to read.
	readMsg struct{ gen int }
)

// Till is the root model of the till screen: it owns the window size,
// the mode (ready; holding a STOP or a CHECK for acknowledgement; giving
// a CAUTION time to be read; showing a scan chosen from the history) and
// the shift's scans; the card, the history and the status lines are
// strings it renders when they change.
type Till struct {
	cfg     TillConfig
	styles  Styles
	keys    KeyMap
	help    help.Model
	session string

	sync    *BackgroundSync // nil without --sync
	swapper catalogSwap     // a newer catalog waiting for the lookup in flight to end

	width, height int

	wedge   wedge
	seq     int       // number of the last scan read
	queue   []pending // scans read and not yet looked up, in order
	asking  int       // the scan whose lookup is in flight; 0 when none
	hold    *entry    // a STOP or CHECK waiting for acknowledgement
	history []*entry  // every scan judged this shift, in order
	current *entry    // the scan on the card
	scroll  int       // history rows hidden above the first shown (0: newest first)

	// A CAUTION judged while scans waited keeps them waiting until it
	// has been on screen long enough to read (readTime), until the next
	// scan is read, or until F2; readGen tells its timer from older ones.
	reading *entry
	readGen int
	tick    func(time.Duration, func(time.Time) tea.Msg) tea.Cmd // tea.Tick; tests replace it

	chosen  int  // the history row chosen with ↑/↓ (index into history); -1 none
	opened  bool // the card shows a scan opened from the history, not the latest
	toggled bool // F3: the history pane shown on a narrow screen (over the card), hidden on a wide one

	// The card scrolls when it is longer than its pane: cardScroll
	// lines are hidden above, at most cardMax (set when it is rendered).
	cardScroll, cardMax int

	notice    string
	noticeErr bool
	logErr    string

	prompt, cursor string // the scan field's, rendered; "" when the styles change

	// The help line, and the width and mode it was fitted for.
	footerText     string
	footerW        int
	footerChoosing bool

	// Rendered parts, rebuilt when stale.
	top, body, bottom                string
	topH, bodyH                      int
	staleTop, staleBody, staleBottom bool
}

// NewTill returns the till screen for cfg.
func NewTill(cfg TillConfig) *Till {
	if cfg.Today == nil {
		cfg.Today = catalog.Today
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Catalog == nil && cfg.Untrusted == nil {
		cfg.Untrusted = errors.New("no catalog")
	}
	if cfg.Policy == (catalog.Policy{}) {
		cfg.Policy = catalog.DefaultPolicy
	}
	m := &Till{
		cfg:     cfg,
		styles:  DefaultStyles(),
		keys:    DefaultKeyMap(),
		help:    help.New(),
		session: newSession(cfg.Now()),
		width:   80, height: 24,
		chosen: -1,
		tick:   tea.Tick,
	}
	if cfg.Sync != nil {
		m.sync = NewBackgroundSync(*cfg.Sync, cfg.Now)
	}
	m.invalidate()
	return m
}

// newSession names one run of the till in the log: its start time, and
// a random part in case two tills start in the same millisecond.
func newSession(now time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return now.UTC().Format("2006-01-02T15:04:05.000Z") + "-" + hex.EncodeToString(b[:])
}

func (m *Till) invalidate() { m.staleTop, m.staleBody, m.staleBottom = true, true, true }

// Init starts listening for log failures, and the first background sync.
func (m *Till) Init() tea.Cmd { return tea.Batch(m.waitLog(), m.sync.Start(m.newestCatalog())) }

// newestCatalog is the newest catalog the till has: the one a sync may
// extend.
func (m *Till) newestCatalog() *catalog.Catalog { return m.swapper.newest(m.cfg.Catalog) }

// offer takes in a catalog a sync installed and opened, and swaps it in
// now if no lookup is in flight, else when the lookup ends.
func (m *Till) offer(cat *catalog.Catalog) {
	m.swapper.offer(cat)
	m.swap()
}

// swap makes the waiting catalog the one scans are judged by, between
// lookups (see catalogSwap).
func (m *Till) swap() {
	if m.swapper.take(&m.cfg.Catalog, m.asking != 0) {
		m.cfg.Untrusted, m.cfg.Demo = nil, false
		m.staleTop = true
	}
}

func (m *Till) waitLog() tea.Cmd {
	if m.cfg.Log == nil {
		return nil
	}
	ch := m.cfg.Log.failures()
	return func() tea.Msg {
		err, ok := <-ch
		if !ok {
			return nil
		}
		return logFailedMsg{err}
	}
}

// Update handles one message. It never blocks: lookups, printing and
// logging happen elsewhere.
func (m *Till) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cat, cmd, ok := m.sync.Update(msg, m.newestCatalog()); ok {
		if cat != nil {
			m.offer(cat)
		}
		m.staleTop = true
		return m, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		wasWide := m.wide()
		m.width, m.height = msg.Width, msg.Height
		if m.wide() != wasWide {
			// F3 means the opposite now: start from the card.
			m.toggled = false
		}
		m.footerText = ""
		m.invalidate()
	case tea.ColorProfileMsg:
		// Colours chosen for the terminal, not downsampled from truecolor.
		m.styles = StylesFor(msg.Profile)
		m.footerText, m.prompt, m.cursor = "", "", ""
		for _, e := range m.history {
			e.row = ""
		}
		m.invalidate()
	case readMsg:
		if msg.gen == m.readGen && m.reading != nil {
			m.reading = nil
			m.staleTop, m.staleBody, m.staleBottom = true, true, true
			return m, m.next()
		}
	case tea.KeyPressMsg:
		return m, m.keyPress(msg)
	case tea.PasteMsg:
		scans, ok := m.wedge.paste(msg.Content)
		for i, s := range scans {
			m.enqueue(s, ok[i])
		}
		return m, m.next()
	case lookupMsg:
		if msg.seq != m.asking {
			return m, nil // not the lookup in flight: stale
		}
		m.asking = 0
		read := m.judged(msg.e)
		m.swap() // between scans: the next is judged by the newest catalog
		return m, tea.Batch(read, m.next())
	case printedMsg:
		if msg.err != nil {
			m.setNotice(fmt.Sprintf("Receipt for scan #%d not printed: %v. Press F4 to try again.", msg.seq, msg.err), true)
		} else {
			m.setNotice(fmt.Sprintf("Receipt for scan #%d sent to %s.", msg.seq, msg.printer), false)
		}
	case logFailedMsg:
		m.logErr = msg.err.Error()
		m.staleTop, m.staleBody = true, true
		return m, m.waitLog()
	}
	return m, nil
}

func (m *Till) keyPress(k tea.KeyPressMsg) tea.Cmd {
	if k.Text == "" || k.Mod&(tea.ModCtrl|tea.ModAlt|tea.ModMeta|tea.ModSuper|tea.ModHyper) != 0 {
		// Not a printable key: it may be a command.
		km := &m.keys
		switch {
		case key.Matches(k, km.Quit):
			return tea.Quit
		case key.Matches(k, km.Acknowledge):
			return m.acknowledge()
		case key.Matches(k, km.History):
			m.toggled = !m.toggled
			m.staleBody, m.staleBottom = true, true
			return nil
		case key.Matches(k, km.Print):
			return m.print()
		case key.Matches(k, km.Back) && m.wedge.text() == "":
			m.back()
			return nil
		case key.Matches(k, km.Back):
			m.wedge.clear()
			return nil
		case key.Matches(k, km.Open) && m.wedge.text() == "" && m.chosen >= 0:
			// An empty scan is no scan: Enter opens the chosen row.
			m.open()
			return nil
		case key.Matches(k, km.CardUp):
			m.scrollCard(-1)
			return nil
		case key.Matches(k, km.CardDown):
			m.scrollCard(1)
			return nil
		case key.Matches(k, km.Newer):
			m.step(1)
			return nil
		case key.Matches(k, km.Older):
			m.step(-1)
			return nil
		case key.Matches(k, km.Newest):
			m.choose(len(m.history) - 1)
			return nil
		case key.Matches(k, km.Oldest):
			m.choose(0)
			return nil
		}
	}
	if m.wedge.key(k) == wedgeDone {
		text, ok := m.wedge.take()
		m.enqueue(text, ok)
		return m.next()
	}
	return nil
}

// step chooses the next newer (1) or older (-1) row of the history; with
// none chosen yet, the newest.
func (m *Till) step(dir int) {
	if m.chosen < 0 {
		m.choose(len(m.history) - 1)
		return
	}
	m.choose(m.chosen + dir)
}

// choose makes row i of the history (0 the oldest) the chosen one, and
// scrolls the history to show it.
func (m *Till) choose(i int) {
	n := len(m.history)
	if n == 0 {
		return
	}
	i = min(max(0, i), n-1)
	m.chosen = i
	// Rows are shown newest first: row i is at n-1-i.
	pos, rows := n-1-i, m.historyRows()
	if pos < m.scroll {
		m.scroll = pos
	} else if pos >= m.scroll+rows {
		m.scroll = pos - rows + 1
	}
	m.staleBody, m.staleBottom = true, true
}

// open puts the chosen scan's card on screen.
func (m *Till) open() {
	m.current = m.history[m.chosen]
	m.opened = m.current != m.latest()
	m.cardScroll = 0
	if !m.wide() {
		m.toggled = false // from the history pane to the card
	}
	m.staleBody, m.staleBottom = true, true
}

// back leaves the history for the latest scan's card.
func (m *Till) back() {
	if m.chosen < 0 && !m.opened && !m.toggled {
		return
	}
	m.chosen, m.scroll = -1, 0
	if m.opened {
		m.current, m.opened, m.cardScroll = m.latest(), false, 0
	}
	if !m.wide() {
		m.toggled = false
	}
	m.staleBody, m.staleBottom = true, true
}

// latest is the scan the card shows unless staff opened another: the
// one waiting for acknowledgement, or else the last judged.
func (m *Till) latest() *entry {
	switch {
	case m.hold != nil:
		return m.hold
	case len(m.history) > 0:
		return m.history[len(m.history)-1]
	}
	return nil
}

// enqueue numbers a scan and queues it for lookup. A scan read while a
// CAUTION is being read is the next scan: the CAUTION has been seen.
func (m *Till) enqueue(text string, ok bool) {
	m.seq++
	m.queue = append(m.queue, pending{seq: m.seq, text: text, ok: ok})
	if m.reading != nil {
		m.reading = nil
		m.staleTop, m.staleBody = true, true
	}
}

// next starts the lookup of the oldest queued scan, unless one is in
// flight, a STOP or CHECK waits for acknowledgement, or a CAUTION is
// being read.
func (m *Till) next() tea.Cmd {
	if m.asking != 0 || m.hold != nil || m.reading != nil || len(m.queue) == 0 {
		return nil
	}
	p := m.queue[0]
	m.queue = m.queue[1:]
	if len(m.queue) == 0 {
		m.queue = nil // let the backing array go
	}
	m.asking = p.seq
	return lookup(p, m.cfg)
}

// lookup reads and judges one scan: a command, since Judge reads the
// catalog (and checks a signature the first time a record is used).
func lookup(p pending, cfg TillConfig) tea.Cmd {
	return func() tea.Msg {
		e := &entry{seq: p.seq, input: p.text, untrusted: cfg.Untrusted, demo: cfg.Demo}
		if cfg.Catalog != nil {
			e.catalog = catalog.DueDiligenceCatalogOf(cfg.Catalog.Checkpoint)
		}
		switch code, err := scan.Parse(p.text); {
		case !p.ok:
			e.err = fmt.Errorf("longer than %d characters: not a barcode", maxScan)
		case err != nil:
			e.err = err
		default:
			e.code = code
			q := catalog.Query{GTIN: code.GTIN, Batch: code.Batch, Today: cfg.Today(), Policy: cfg.Policy}
			if cfg.Catalog == nil {
				e.result = untrustedResult(q, cfg.Untrusted)
			} else {
				e.result = cfg.Catalog.Judge(q)
			}
		}
		e.checked = cfg.Now()
		return lookupMsg{seq: p.seq, e: e}
	}
}

// untrustedResult is what a scan shows when the catalog failed
// verification (verdicts.md R0a): nothing from it is a fact.
func untrustedResult(q catalog.Query, why error) *catalog.Result {
	return &catalog.Result{
		GTIN: q.GTIN, Batch: q.Batch, Today: q.Today, Index: -1, Verdict: catalog.Check,
		Findings: []catalog.Finding{{
			Code: "catalog-untrusted", Verdict: catalog.Check, Rule: "R0a",
			Staff:   fmt.Sprintf("The catalog could not be trusted, so nothing in it is shown as fact: %v. Check the statement of compliance that came with the product before selling (PSTI Act s.22), and get the catalog fixed.", why),
			Shopper: "Please ask a member of staff about this product's security information.",
			Basis:   "catalog integrity; PSTI Act 2022 s.22",
		}},
	}
}

// judged takes in the result of a lookup: onto the card and the history,
// into the due-diligence log; a STOP or a CHECK on hold; a CAUTION, when
// scans wait behind it, on screen until it has been read: the command it
// returns ends that.
func (m *Till) judged(e *entry) tea.Cmd {
	m.history = append(m.history, e)
	m.current = e
	m.scroll, m.cardScroll = 0, 0
	m.chosen, m.opened = -1, false
	if !m.wide() {
		m.toggled = false // the verdict, not the history pane
	}
	m.notice = ""
	var cmd tea.Cmd
	rec := catalog.DueDiligenceRecord{Time: e.checked, Session: m.session, Seq: e.seq, Input: e.input}
	if e.err != nil {
		rec.Event, rec.Error = catalog.EventUnreadable, e.err.Error()
	} else {
		m.fillCheck(&rec, e)
		rec.Event = catalog.EventCheck
		switch v := e.result.Verdict; {
		case v == catalog.Stop || v == catalog.Check:
			m.hold = e
		case v == catalog.Caution && len(m.queue) > 0:
			m.reading = e
			m.readGen++
			gen := m.readGen
			cmd = m.tick(readTime(e.result), func(time.Time) tea.Msg { return readMsg{gen} })
		}
	}
	m.record(rec)
	m.staleTop, m.staleBody, m.staleBottom = true, true, true
	return cmd
}

// Reading speed for readTime: 250 words a minute, about the speed of
// silent reading, within bounds: long enough for the shortest fact to
// register, short enough not to stall a queue for long (F2 goes on at
// once, and so does the next scan).
const (
	perWord          = 240 * time.Millisecond
	minRead, maxRead = 2 * time.Second, 12 * time.Second
)

// readTime is how long a CAUTION stays on screen before the scans that
// waited behind it: the time to read its reasons and what to tell the
// shopper.
func readTime(r *catalog.Result) time.Duration {
	n := 0
	for _, f := range reasons(r) {
		n += len(strings.Fields(f.Staff))
	}
	for _, s := range shopperNotes(r) {
		n += len(strings.Fields(s))
	}
	return min(max(minRead, time.Duration(n)*perWord), maxRead)
}

func (m *Till) fillCheck(rec *catalog.DueDiligenceRecord, e *entry) {
	r := e.result
	rec.GTIN, rec.Batch, rec.Verdict = r.GTIN, r.Batch, r.Verdict.String()
	rec.Findings = make([]string, 0, len(r.Findings))
	for _, f := range r.Findings {
		rec.Findings = append(rec.Findings, f.Code)
	}
	rec.Catalog = e.catalog
	if e.catalog == nil && e.untrusted != nil {
		rec.Untrusted = e.untrusted.Error()
	}
}

func (m *Till) record(rec catalog.DueDiligenceRecord) {
	if m.cfg.Log != nil {
		m.cfg.Log.Record(rec)
	}
}

// acknowledge is F2. With a STOP or CHECK on hold it puts it back on the
// card if staff had opened another scan; else it records when the STOP
// or CHECK was acknowledged and lets the queued scans through. With a
// CAUTION being read, it lets them through at once.
func (m *Till) acknowledge() tea.Cmd {
	e := m.hold
	if e == nil {
		if m.reading == nil {
			return nil
		}
		m.reading = nil
		m.staleTop, m.staleBody = true, true
		return m.next()
	}
	if m.current != e || m.cardHidden() {
		m.current, m.opened, m.chosen, m.cardScroll = e, false, -1, 0
		if !m.wide() {
			m.toggled = false
		}
		m.staleBody, m.staleBottom = true, true
		return nil
	}
	e.acked = m.cfg.Now()
	m.hold = nil
	rec := catalog.DueDiligenceRecord{Time: e.acked, Event: catalog.EventAcknowledge, Session: m.session, Seq: e.seq, Input: e.input}
	m.fillCheck(&rec, e)
	m.record(rec)
	m.staleBody, m.staleBottom = true, true
	return m.next()
}

// print sends the receipt of the scan on the card to the printer.
func (m *Till) print() tea.Cmd {
	e := m.current
	switch {
	case e == nil || e.result == nil:
		m.setNotice("Nothing to print: scan a product first.", true)
		return nil
	case m.cfg.Printer == nil:
		m.setNotice("No receipt printer: start the till with --printer URI (socket://HOST:9100, /dev/usb/lp0 or file:PATH).", true)
		return nil
	}
	r := labels.Receipt{Result: e.result, Checked: e.checked, Demo: e.demo}
	if e.catalog != nil {
		r.Catalog = e.catalog.Origin
	}
	p, opt, seq := m.cfg.Printer, m.cfg.Receipt, e.seq
	m.setNotice(fmt.Sprintf("Printing the receipt for scan #%d on %s…", seq, p), false)
	return func() tea.Msg {
		job, err := r.ESCPOS(opt)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
			err = p.Print(ctx, job)
			cancel()
		}
		return printedMsg{seq: seq, printer: p.String(), err: err}
	}
}

func (m *Till) setNotice(s string, isErr bool) {
	m.notice, m.noticeErr = s, isErr
	m.staleBottom = true
}

// scrollCard moves the card by half its pane, dir -1 up or 1 down.
func (m *Till) scrollCard(dir int) {
	if m.width >= minWidth && m.height >= minHeight {
		m.render() // cardMax is set as the card is laid out
	}
	s := min(max(0, m.cardScroll+dir*max(1, (m.bodyH-2)/2)), m.cardMax)
	if s != m.cardScroll {
		m.cardScroll = s
		m.staleBody = true
	}
}
