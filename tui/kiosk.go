package tui

// The kiosk: see the package comment.

import (
	"crypto/subtle"
	"errors"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/scan"
)

// KioskConfig is what the kiosk works with. The caller opens the catalog
// and starts the camera.
type KioskConfig struct {
	// Catalog is the verified catalog, or nil when it could not be
	// opened or trusted; then Untrusted says why, and every scan shows
	// CHECK (verdicts.md R0a).
	Catalog   *catalog.Catalog
	Untrusted error
	Demo      bool

	Policy catalog.Policy
	Today  func() catalog.Date // Europe/London; default catalog.Today
	Now    func() time.Time    // default time.Now

	// Idle is how long a result (or the staff screen) stays without a
	// scan before the screen clears; default 30 s.
	Idle time.Duration

	// StaffPIN, when set, is the PIN typed after F12 that opens the staff
	// screen with its quit key. Without it the staff screen opens on F12
	// but cannot quit: the kiosk is stopped from outside.
	StaffPIN string
	// StopHint says how to stop the kiosk from outside, for the staff
	// screen: "kill 1234".
	StopHint string

	// Camera is the running camera, or nil for scanner only; CameraSpec
	// is what was asked for (--camera), "" when none was.
	Camera     *scan.Camera
	CameraSpec string

	// Sync, if not nil, keeps the catalog current in the background, as
	// the till's does: a newer catalog takes effect between lookups (a
	// scan is judged wholly by one catalog), and the kiosk then closes
	// the catalog it replaced, the first one included. Only the staff
	// screen says how syncing goes.
	Sync *SyncConfig
}

// kioskMode is what the kiosk screen shows.
type kioskMode int

const (
	modeShopper kioskMode = iota // the welcome, or a result
	modePIN                      // the staff PIN prompt
	modeStaff                    // the staff screen
)

// KioskKeyMap is every command of the kiosk: F-keys and Esc only, so
// that no printable key and no Ctrl chord does anything but feed the
// scan field.
type KioskKeyMap struct {
	Staff key.Binding // open the PIN prompt or the staff screen
	Quit  key.Binding // on the staff screen, after the PIN
	Back  key.Binding // back to the shopper screen; on it, clears the field

	// On the staff screen only, where keys do not feed the scan field:
	// scroll it.
	LineUp, LineDown, PageUp, PageDown key.Binding
}

// DefaultKioskKeyMap returns the kiosk's keys.
func DefaultKioskKeyMap() KioskKeyMap {
	return KioskKeyMap{
		Staff: key.NewBinding(key.WithKeys("f12"), key.WithHelp("F12", "staff")),
		Quit:  key.NewBinding(key.WithKeys("f10"), key.WithHelp("F10", "quit the kiosk")),
		Back:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("Esc", "back to the shopper screen")),

		LineUp:   key.NewBinding(key.WithKeys("up")),
		LineDown: key.NewBinding(key.WithKeys("down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup")),
		PageDown: key.NewBinding(key.WithKeys("pgdown")),
	}
}

// PIN attempts. The first freePINTries wrong PINs in a row cost nothing
// (a finger slips); each one after locks the prompt, twice as long as the
// one before, from pinLockoutFirst up to pinLockoutMax: guessing a PIN at
// the counter takes days, and staff who come after a shopper's guesses
// wait two minutes at most. A wrong PIN typed while the prompt is locked
// is not tried, and does not count. Wrong PINs older than pinForget are
// forgotten.
const (
	freePINTries    = 2
	pinLockoutFirst = 5 * time.Second
	pinLockoutMax   = 2 * time.Minute
	pinForget       = 15 * time.Minute
	maxPINLen       = 16
)

// pinLockout is how long the prompt stays locked after the failures-th
// wrong PIN in a row.
func pinLockout(failures int) time.Duration {
	if failures <= freePINTries {
		return 0
	}
	d := pinLockoutFirst
	for range failures - freePINTries - 1 {
		if d *= 2; d >= pinLockoutMax {
			return pinLockoutMax
		}
	}
	return d
}

// cameraQuiet is how long the camera may go without a picture before the
// shopper is told to use the scanner: frames that cannot be read, or a
// camera that does not start.
const cameraQuiet = 5 * time.Second

// Messages of the kiosk.
type (
	// camWatchMsg: time to see whether the camera has gone quiet.
	camWatchMsg struct{}
	// idleMsg is the idle timer of generation gen running out.
	idleMsg struct{ gen int }
	// cameraMsg is an event of the camera.
	cameraMsg struct{ e scan.CameraEvent }
	// previewMsg is a new preview picture.
	previewMsg struct{ p scan.Preview }
	// cameraClosedMsg: the camera stopped; listen no more.
	cameraClosedMsg struct{}
)

// cameraState is what the kiosk knows of its camera.
type cameraState struct {
	running  bool
	source   string    // what it is, while running
	err      error     // why it is not running
	since    time.Time // when it started running or failed
	retryIn  time.Duration
	lastCode string // the last code it read, for staff
	lastAt   time.Time
}

// Kiosk is the root model of the kiosk screen.
type Kiosk struct {
	cfg    KioskConfig
	styles Styles
	keys   KioskKeyMap

	width, height int
	mode          kioskMode

	wedge   wedge
	seq     int      // number of the last scan
	asking  int      // the scan whose lookup is in flight; 0 when none
	next    *pending // the newest scan waiting for that lookup to end
	current *entry   // the result on screen; nil on the welcome screen
	last    *entry   // the last result a shopper was shown, for the staff screen
	gen     int      // generation of the idle timer

	pin        []byte
	pinTries   int       // wrong PINs in a row
	pinWrongAt time.Time // when the last was typed
	pinLocked  time.Time // every PIN refused until then
	pinMessage string
	staffOK    bool // the staff screen was opened with the PIN: F10 quits

	// The staff screen scrolls when it is longer than the body:
	// staffScroll lines are hidden above, at most staffMax.
	staffScroll, staffMax int

	cam     cameraState
	preview *scan.Preview
	// lastPicture is when the camera last sent a picture (or started, or
	// the kiosk did); camQuiet, that it has sent none for cameraQuiet.
	lastPicture time.Time
	camQuiet    bool

	sync    *BackgroundSync // nil without --sync
	swapper catalogSwap     // a newer catalog waiting for the lookup in flight to end

	// tick starts a timer: tea.Tick, but tests take the timers in hand.
	tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd

	// Rendered parts, rebuilt when stale: the body left, the camera
	// panel right, each a line a row, fitted to its width.
	bodyLines, panelLines []string
	bodyW, panelW         int
	staleBody             bool
	stalePreview          bool
}

// NewKiosk returns the kiosk screen for cfg.
func NewKiosk(cfg KioskConfig) *Kiosk {
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
	if cfg.Idle <= 0 {
		cfg.Idle = 30 * time.Second
	}
	m := &Kiosk{
		cfg: cfg, styles: DefaultStyles(), keys: DefaultKioskKeyMap(),
		width: 80, height: 24,
		staleBody: true, stalePreview: true,
		tick: tea.Tick,
	}
	if cfg.Sync != nil {
		m.sync = NewBackgroundSync(*cfg.Sync, cfg.Now)
	}
	m.lastPicture = cfg.Now()
	return m
}

// Init starts listening to the camera and watching it, and the first
// background sync.
func (m *Kiosk) Init() tea.Cmd {
	return tea.Batch(m.listen(), m.watchCamera(), m.sync.Start(m.newestCatalog()))
}

// watchCamera looks at the camera again in a second, when there is one.
func (m *Kiosk) watchCamera() tea.Cmd {
	if !m.hasCamera() {
		return nil
	}
	return m.tick(time.Second, func(time.Time) tea.Msg { return camWatchMsg{} })
}

// checkCamera notes whether the camera has gone quiet.
func (m *Kiosk) checkCamera() {
	quiet := m.cam.err == nil && m.cfg.Now().Sub(m.lastPicture) >= cameraQuiet
	if quiet != m.camQuiet {
		m.camQuiet = quiet
		m.staleBody, m.stalePreview = true, true
	}
}

// newestCatalog is the newest catalog the kiosk has: the one a sync may
// extend.
func (m *Kiosk) newestCatalog() *catalog.Catalog { return m.swapper.newest(m.cfg.Catalog) }

// offer takes in a catalog a sync installed and opened, and swaps it in
// now if no lookup is in flight, else when the lookup ends.
func (m *Kiosk) offer(cat *catalog.Catalog) {
	m.swapper.offer(cat)
	m.swap()
}

// swap makes the waiting catalog the one scans are judged by, between
// lookups (see catalogSwap).
// The result on screen stays: it was judged whole by the old catalog.
func (m *Kiosk) swap() {
	if m.swapper.take(&m.cfg.Catalog, m.asking != 0) {
		m.cfg.Untrusted, m.cfg.Demo = nil, false
		m.staleBody = true
	}
}

// listen waits for the camera's next event or preview. One listen is
// outstanding at a time; each message it brings starts the next.
func (m *Kiosk) listen() tea.Cmd {
	cam := m.cfg.Camera
	if cam == nil {
		return nil
	}
	return func() tea.Msg {
		events, previews := cam.Events(), cam.Previews()
		for {
			select {
			case e, ok := <-events:
				if !ok {
					return cameraClosedMsg{}
				}
				return cameraMsg{e}
			case p, ok := <-previews:
				if !ok {
					previews = nil // events may still hold some
					continue
				}
				return previewMsg{p}
			}
		}
	}
}

// Update handles one message. It never blocks.
func (m *Kiosk) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cat, cmd, ok := m.sync.Update(msg, m.newestCatalog()); ok {
		if cat != nil {
			m.offer(cat)
		}
		if m.mode == modeStaff {
			m.staleBody = true // it says how syncing goes
		}
		return m, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.staleBody, m.stalePreview = true, true
	case tea.ColorProfileMsg:
		// Colours chosen for the terminal, as the till's: a STOP is red
		// on a 256- or 16-colour screen too, not downsampled to orange.
		m.styles = StylesFor(msg.Profile)
		m.staleBody, m.stalePreview = true, true
	case tea.KeyPressMsg:
		return m, m.keyPress(msg)
	case tea.PasteMsg:
		if m.mode != modeShopper {
			return m, nil
		}
		scans, ok := m.wedge.paste(msg.Content)
		if n := len(scans); n > 0 {
			// A shopper sees one answer: the last.
			return m, m.scanned(scans[n-1], ok[n-1])
		}
	case lookupMsg:
		return m, m.judged(msg)
	case idleMsg:
		if msg.gen == m.gen {
			m.reset()
		}
	case cameraMsg:
		return m, tea.Batch(m.cameraEvent(msg.e), m.listen())
	case camWatchMsg:
		m.checkCamera()
		return m, m.watchCamera()
	case previewMsg:
		m.preview = &msg.p
		m.lastPicture = m.cfg.Now()
		m.checkCamera()
		m.stalePreview = true
		if m.mode == modeStaff {
			m.staleBody = true // its camera counts
		}
		return m, m.listen()
	case cameraClosedMsg:
		m.cam.running = false
		m.staleBody = true
	}
	return m, nil
}

// touch restarts the idle timer: the screen clears Idle after now.
func (m *Kiosk) touch() tea.Cmd {
	m.gen++
	gen := m.gen
	return m.tick(m.cfg.Idle, func(time.Time) tea.Msg { return idleMsg{gen} })
}

// reset returns to the welcome screen and forgets the last result: what
// the idle timer does, so the next shopper does not see the last one's
// product.
func (m *Kiosk) reset() {
	m.mode = modeShopper
	m.current = nil
	m.wedge.clear()
	m.pin = m.pin[:0]
	m.pinMessage = ""
	m.staffOK = false
	m.staffScroll = 0
	m.staleBody = true
}

func (m *Kiosk) keyPress(k tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modePIN:
		return m.pinKey(k)
	case modeStaff:
		switch {
		case key.Matches(k, m.keys.Quit) && m.staffOK:
			return tea.Quit
		case key.Matches(k, m.keys.Back):
			m.reset()
		case key.Matches(k, m.keys.LineUp):
			return m.scrollStaff(-1)
		case key.Matches(k, m.keys.LineDown):
			return m.scrollStaff(1)
		case key.Matches(k, m.keys.PageUp):
			return m.scrollStaff(-max(1, m.height-4))
		case key.Matches(k, m.keys.PageDown):
			return m.scrollStaff(max(1, m.height-4))
		}
		return nil
	}
	switch {
	case key.Matches(k, m.keys.Staff):
		m.wedge.clear()
		if m.cfg.StaffPIN == "" {
			m.mode = modeStaff
		} else {
			m.mode, m.pin, m.pinMessage = modePIN, m.pin[:0], ""
		}
		m.staleBody = true
		return m.touch()
	case key.Matches(k, m.keys.Back):
		m.wedge.clear()
		m.staleBody = true
		return nil
	}
	// Everything else is the scanner's, or nothing: Ctrl+C, Ctrl+Z and
	// Ctrl+\ reach here and the wedge ignores them.
	wasEmpty := m.wedge.text() == ""
	switch m.wedge.key(k) {
	case wedgeDone:
		text, ok := m.wedge.take()
		return m.scanned(text, ok)
	case wedgeEdited:
		if wasEmpty && m.current == nil {
			// Something typed on the welcome screen is cleared with it.
			return m.touch()
		}
	}
	return nil
}

// pinKey handles a key at the PIN prompt: digits, Backspace, Enter, Esc.
func (m *Kiosk) pinKey(k tea.KeyPressMsg) tea.Cmd {
	m.staleBody = true
	switch s := k.String(); {
	case key.Matches(k, m.keys.Back):
		m.reset()
		return nil
	case s == "enter" || s == "ctrl+j" || s == "ctrl+m":
		return m.checkPIN()
	case s == "backspace" || s == "ctrl+h":
		if len(m.pin) > 0 {
			m.pin = m.pin[:len(m.pin)-1]
		}
	case len(k.Text) == 1 && k.Text[0] >= '0' && k.Text[0] <= '9' && len(m.pin) < maxPINLen:
		m.pin = append(m.pin, k.Text[0])
	}
	return m.touch()
}

func (m *Kiosk) checkPIN() tea.Cmd {
	now := m.cfg.Now()
	typed := m.pin
	m.pin = m.pin[:0]
	if now.Before(m.pinLocked) {
		m.pinMessage = "Too many wrong PINs: try again in " + waitWords(m.pinLocked.Sub(now)) + "."
		return m.touch()
	}
	if subtle.ConstantTimeCompare(typed, []byte(m.cfg.StaffPIN)) == 1 {
		m.pinTries = 0
		m.mode, m.staffOK, m.pinMessage = modeStaff, true, ""
		return m.touch()
	}
	if now.Sub(m.pinWrongAt) > pinForget {
		m.pinTries = 0
	}
	m.pinTries++
	m.pinWrongAt = now
	m.pinMessage = "Wrong PIN."
	if d := pinLockout(m.pinTries); d > 0 {
		m.pinLocked = now.Add(d)
		m.pinMessage = "Wrong PIN. Try again in " + waitWords(d) + "."
	}
	return m.touch()
}

// waitWords says a wait, rounded up to the second: "5 seconds", "2
// minutes", "95 seconds".
func waitWords(d time.Duration) string {
	return durationWords((d + time.Second - 1) / time.Second * time.Second)
}

// scanned starts the lookup of a scan, from the scanner or the camera.
// The shopper sees the newest scan's answer: one lookup runs at a time,
// and a scan made meanwhile replaces any other waiting.
func (m *Kiosk) scanned(text string, ok bool) tea.Cmd {
	m.seq++
	p := pending{seq: m.seq, text: text, ok: ok}
	if m.asking != 0 {
		m.next = &p
		return nil
	}
	return m.ask(p)
}

func (m *Kiosk) ask(p pending) tea.Cmd {
	m.asking = p.seq
	m.staleBody = true
	return lookup(p, TillConfig{
		Catalog: m.cfg.Catalog, Untrusted: m.cfg.Untrusted,
		Policy: m.cfg.Policy, Today: m.cfg.Today, Now: m.cfg.Now,
	})
}

// judged shows a lookup's result, unless a newer scan has been made, and
// starts the idle timer.
func (m *Kiosk) judged(msg lookupMsg) tea.Cmd {
	if msg.seq != m.asking {
		return nil // not the lookup in flight: stale
	}
	m.asking = 0
	m.swap() // between scans: the next is judged by the newest catalog
	if p := m.next; p != nil {
		m.next = nil
		return m.ask(*p) // a newer scan: its answer, not this one
	}
	if m.mode != modeShopper {
		return nil // staff are at the screen; the scan is not for a shopper
	}
	m.current, m.last = msg.e, msg.e
	m.staleBody = true
	return m.touch()
}

// scrollStaff moves the staff screen by n lines. Staff reading it keep
// it open: the idle time starts again.
func (m *Kiosk) scrollStaff(n int) tea.Cmd {
	s := min(max(0, m.staffScroll+n), m.staffMax)
	if s != m.staffScroll {
		m.staffScroll = s
		m.staleBody = true
	}
	return m.touch()
}

// cameraEvent takes in a code read by the camera or a change of its state.
func (m *Kiosk) cameraEvent(e scan.CameraEvent) tea.Cmd {
	m.staleBody = true
	switch e.Kind {
	case scan.CameraRunning:
		m.cam = cameraState{running: true, source: e.Source, since: e.Time, lastCode: m.cam.lastCode, lastAt: m.cam.lastAt}
		m.lastPicture = m.cfg.Now() // it has cameraQuiet to show one
		m.checkCamera()
	case scan.CameraFailed:
		m.cam.running, m.cam.err, m.cam.retryIn = false, e.Err, e.RetryIn
		if m.cam.since.IsZero() || m.cam.source != "" {
			m.cam.since = e.Time
		}
		m.cam.source = ""
		m.preview = nil
		m.stalePreview = true
	case scan.CameraEnded:
		m.cam.running, m.cam.err, m.cam.source = false, errors.New("the clip has ended"), ""
		m.cam.since = e.Time
	case scan.CameraCode:
		m.cam.lastCode, m.cam.lastAt = e.Code.Input(), e.Time
		if m.mode == modeShopper {
			return m.scanned(e.Code.Input(), true)
		}
	}
	return nil
}
