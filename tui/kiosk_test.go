package tui

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/ean"
	"github.com/charmbracelet/x/vt"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/scan"
)

// setClock is a fake time that moves only when told to.
type setClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *setClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *setClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testKiosk is a kiosk of w x h cells whose idle timers are recorded, not
// run: a test fires them by sending idleMsg.
type testKiosk struct {
	*Kiosk
	timers []time.Duration
	clock  *setClock
}

func demoKioskConfig(t testing.TB) (KioskConfig, *setClock) {
	clock := &setClock{t: time.Date(2026, 11, 24, 10, 3, 0, 0, time.UTC)}
	return KioskConfig{
		Catalog: demoCatalog(t), Demo: true,
		Today: func() catalog.Date { return demoDay },
		Now:   clock.Now,
		Idle:  30 * time.Second,
	}, clock
}

func newKiosk(cfg KioskConfig, clock *setClock, w, h int) *testKiosk {
	k := &testKiosk{Kiosk: NewKiosk(cfg), clock: clock}
	k.tick = func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		k.timers = append(k.timers, d)
		return nil
	}
	k.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return k
}

// send feeds msg and runs the commands it returns, feeding their
// messages back, until none is left; it returns every message the
// commands produced, so a test can see a tea.QuitMsg.
func (k *testKiosk) send(msg tea.Msg) []tea.Msg {
	var out []tea.Msg
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		msg, queue = queue[0], queue[1:]
		_, cmd := k.Update(msg)
		for _, m := range runCmd(cmd) {
			out = append(out, m)
			queue = append(queue, m)
		}
	}
	return out
}

func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// scan types a scan on the scanner and lets its lookup finish.
func (k *testKiosk) scan(s string) {
	for _, key := range keys(s) {
		k.send(key)
	}
}

// kscreen renders the kiosk through a virtual terminal of its size and
// returns the text a person sees.
func kscreen(t testing.TB, k *testKiosk) string {
	t.Helper()
	em := vt.NewEmulator(k.width, k.height)
	em.WriteString(strings.ReplaceAll(k.View().Content, "\n", "\r\n"))
	lines := strings.Split(em.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

// testPreview is a camera picture: a grey ramp with a dark barcode-like
// block in the middle.
func testPreview() scan.Preview {
	img := image.NewRGBA(image.Rect(0, 0, 160, 90))
	for y := range 90 {
		for x := range 160 {
			v := byte(60 + x)
			c := color.RGBA{v, v, byte(120 + y), 0xFF}
			if x >= 60 && x < 100 && y >= 35 && y < 55 && x%4 < 2 {
				c = color.RGBA{0, 0, 0, 0xFF}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return scan.Preview{Image: img, Seq: 1}
}

// What a shopper must never see: rule numbers, legal references, finding
// codes, staff wording.
var staffOnly = regexp.MustCompile(`\bR[0-7][a-j]?\b|Sch \d|s\.\d|PSTI Act|Regulations|para \d|` +
	`contact-incomplete|support-ends-soon|universal-default-password|support-extended|no-declaration|excepted|` +
	`Do not sell|Hold the sale|statement of compliance|declaration|` +
	`ignored|IGNORED|WITHDRAWN|withdrawn|signer|scoped|History|record \d|#\d`)

// TestKioskScreens compares what a shopper sees on a 120x40 and an 80x24
// terminal with golden files: the welcome, each verdict, an unreadable
// scan, a web link; and checks that no staff text, rule or legal
// reference is on them, that DEMO is, and that no sentence is said twice.
func TestKioskScreens(t *testing.T) {
	tests := []struct {
		name   string
		camera bool
		scan   string
		big    string // in large type, at 120x40
		want   []string
	}{
		{name: "welcome", big: "PRODUCT", want: []string{"Scan the barcode with the scanner", "Security updates are fixes from the maker"}},
		{name: "welcome-camera", camera: true, want: []string{"inside the green box", "Camera", "▀▀▀"}},
		{name: "ok-extended", scan: "9520000001155", big: "✓ OK", want: []string{"Example Mesh Router M2", "June 2030", "3 years and 7 months from today",
			"psirt@example-home.example", "unique password for each device", "extended security updates, from June 2027 to June 2030", "clears after 30 seconds",
			"Report a security problem", "no longer fixed"}},
		{name: "caution", camera: true, scan: "9520000000080", big: "! CAUTION", want: []string{"Google Pixel 7 Pro", "October 2027", "11 months from today",
			"g.co/vulnz", "doesn't say how quickly"}},
		{name: "stop", scan: "9520000001018", big: "✗ STOP", want: []string{"isn't available for sale", "password security rules", "not allowed"}},
		{name: "stop-ended", scan: "9520000000127", big: "✗ STOP", want: []string{"Ended in October 2026 (", "ago)"}},
		{name: "check-unknown", scan: "9520000009991", big: "? CHECK", want: []string{"ask a member of staff", "Barcode 09520000009991"}},
		{name: "not-in-scope", scan: "9520000000219", big: "○ NOT IN SCOPE", want: []string{"don't apply to this product"}},
		{name: "unreadable", scan: "9520000000012", big: "? TRY AGAIN", want: []string{"could not be read", "scan it again"}},
		{name: "web-link", scan: "https://www.example.com/offers", big: "? TRY AGAIN", want: []string{unreadableWebLink}},
		// Records were ignored (R4c, R4d): staff business only.
		{name: "check-out-of-scope", scan: "9520000003005", big: "? CHECK", want: []string{"ask a member of staff", "Barcode 09520000003005"}},
		{name: "ok-ignored", scan: "9520000003012", big: "✓ OK", want: []string{"Example Video Doorbell 3", "April 2031", "psirt@example-home.example"}},
		{name: "stop-foreign-notice", scan: "9520000002046", big: "✗ STOP", want: []string{"isn't available for sale", "opened remotely by a stranger"}},
	}
	for _, tt := range tests {
		for _, size := range []struct{ w, h int }{{120, 40}, {80, 24}} {
			name := tt.name
			if size.w != 120 {
				name = fmt.Sprintf("%s-%dx%d", tt.name, size.w, size.h)
			}
			t.Run(name, func(t *testing.T) {
				cfg, clock := demoKioskConfig(t)
				if tt.camera {
					cfg.CameraSpec = "/dev/video0"
				}
				k := newKiosk(cfg, clock, size.w, size.h)
				if tt.camera {
					k.send(cameraMsg{scan.CameraEvent{Kind: scan.CameraRunning, Source: "/dev/video0 (Test Camera): MJPEG 1280x720 at 15 fps"}})
					k.send(previewMsg{testPreview()})
				}
				if tt.scan != "" {
					k.scan(tt.scan)
				}
				got := kscreen(t, k)
				golden(t, "kiosk-"+name+".txt", got)
				if size.w == 120 && tt.big != "" && !hasBig(got, tt.big) {
					t.Errorf("screen lacks %q in large type", tt.big)
				}
				flat := strings.Join(strings.Fields(got), " ")
				for _, w := range append(tt.want, "DEMO DATA") {
					if !strings.Contains(flat, w) {
						t.Errorf("screen lacks %q", w)
					}
				}
				if s := staffOnly.FindString(got); s != "" {
					t.Errorf("a shopper sees staff text %q:\n%s", s, got)
				}
				seen := map[string]bool{}
				for _, s := range sentences(flat) {
					if len(s) > 12 && seen[s] {
						t.Errorf("the screen says %q twice", s)
					}
					seen[s] = true
				}
				if n := strings.Count(got, "\n"); n != size.h {
					t.Errorf("screen has %d lines, want %d", n, size.h)
				}
			})
		}
	}
}

// hasBig reports whether screen shows text in large type.
func hasBig(screen, text string) bool {
	for _, l := range bigText(text) {
		if !strings.Contains(screen, strings.TrimRight(l, " ")) {
			return false
		}
	}
	return true
}

// TestKioskLockDown presses every key a shopper might use to leave or
// suspend the kiosk: none quits, suspends or leaves the shopper screen,
// and printable keys only reach the scan field.
func TestKioskLockDown(t *testing.T) {
	for _, staffPIN := range []string{"", "4711"} {
		cfg, clock := demoKioskConfig(t)
		cfg.StaffPIN = staffPIN
		k := newKiosk(cfg, clock, 120, 40)
		k.scan("9520000001018")
		before := kscreen(t, k)
		for _, key := range []tea.KeyPressMsg{
			{Code: 'c', Mod: tea.ModCtrl},
			{Code: 'z', Mod: tea.ModCtrl},
			{Code: '\\', Mod: tea.ModCtrl},
			{Code: 'd', Mod: tea.ModCtrl},
			{Code: 'q', Mod: tea.ModCtrl},
			{Code: 'x', Mod: tea.ModAlt},
			{Code: tea.KeyF10}, {Code: tea.KeyF1}, {Code: tea.KeyF4},
			{Code: tea.KeyTab}, {Code: tea.KeyEnter}, {Code: tea.KeyUp},
		} {
			for _, msg := range k.send(key) {
				switch msg.(type) {
				case tea.QuitMsg, tea.SuspendMsg, tea.InterruptMsg:
					t.Errorf("pin %q: %s gave %T", staffPIN, key, msg)
				}
			}
			if k.mode != modeShopper {
				t.Errorf("pin %q: %s left the shopper screen", staffPIN, key)
			}
		}
		if after := kscreen(t, k); after != before {
			t.Errorf("pin %q: the lock-down keys changed the screen:\n%s", staffPIN, after)
		}
		// Printable keys, "q" and "x" among them, are only ever typed
		// into the scan field.
		for _, r := range "qx:!Q" {
			for _, msg := range k.send(keyOf(r)) {
				t.Errorf("pin %q: %q gave %T", staffPIN, r, msg)
			}
		}
		if got := k.wedge.text(); got != "qx:!Q" || k.mode != modeShopper || k.current == nil {
			t.Errorf("pin %q: field %q, mode %d, result %v after printable keys", staffPIN, got, k.mode, k.current != nil)
		}
	}

	// What a signal could bring is dropped before Update sees it.
	for _, msg := range []tea.Msg{tea.InterruptMsg{}, tea.SuspendMsg{}} {
		if kioskFilter(nil, msg) != nil {
			t.Errorf("kioskFilter lets %T through", msg)
		}
	}
	for _, msg := range []tea.Msg{tea.QuitMsg{}, tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}} {
		if kioskFilter(nil, msg) == nil {
			t.Errorf("kioskFilter drops %T", msg)
		}
	}
}

// TestKioskIdleReset shows a result, lets a stale timer fire (nothing
// happens), then the current one: the screen is the welcome again and the
// product is gone from it.
func TestKioskIdleReset(t *testing.T) {
	cfg, clock := demoKioskConfig(t)
	cfg.Idle = 45 * time.Second
	k := newKiosk(cfg, clock, 120, 40)
	welcome := kscreen(t, k)
	k.scan("9520000000080")
	first := k.gen
	k.scan("9520000001018") // a newer scan restarts the timer
	if k.gen == first || len(k.timers) < 2 {
		t.Fatalf("timers %v, generation %d then %d: want a new timer for each result", k.timers, first, k.gen)
	}
	for _, d := range k.timers {
		if d != 45*time.Second {
			t.Fatalf("timers %v, want 45 s each", k.timers)
		}
	}
	k.send(idleMsg{gen: first})
	if s := kscreen(t, k); !strings.Contains(s, "HomeRouter") {
		t.Fatalf("a stale idle timer cleared the screen:\n%s", s)
	}
	for _, r := range "95200" { // half a scan, then the shopper walks away
		k.send(keyOf(r))
	}
	k.send(idleMsg{gen: k.gen})
	got := kscreen(t, k)
	if got != welcome {
		t.Errorf("after the idle time the screen is not the welcome:\n%s", got)
	}
	if k.current != nil || k.wedge.text() != "" || strings.Contains(got, "HomeRouter") || strings.Contains(got, "STOP") {
		t.Errorf("the last result or field survived the idle reset")
	}
	// Something typed on the welcome screen is cleared too.
	n := len(k.timers)
	k.send(keyOf('9'))
	if len(k.timers) != n+1 {
		t.Fatal("a key on the welcome screen started no timer")
	}
	k.send(idleMsg{gen: k.gen})
	if k.wedge.text() != "" {
		t.Errorf("field %q survived the idle reset", k.wedge.text())
	}
}

// TestKioskStaff opens the staff screen: with a PIN, wrong PINs are
// refused and the third locks the prompt for a few seconds, even to the
// right PIN; after it the right one opens the staff screen and F10 there
// quits; without a PIN the staff screen opens on F12 but does not quit.
func TestKioskStaff(t *testing.T) {
	cfg, clock := demoKioskConfig(t)
	cfg.StaffPIN = "4711"
	k := newKiosk(cfg, clock, 120, 40)
	typePIN := func(pin string) {
		for _, r := range pin {
			k.send(keyOf(r))
		}
		k.send(tea.KeyPressMsg{Code: tea.KeyEnter})
	}
	k.send(tea.KeyPressMsg{Code: tea.KeyF12})
	if k.mode != modePIN {
		t.Fatal("F12 does not open the PIN prompt")
	}
	typePIN("47")
	if s := kscreen(t, k); !strings.Contains(s, "Wrong PIN.") || strings.Contains(s, "47") {
		t.Errorf("wrong PIN screen:\n%s", s)
	}
	typePIN("1234")
	typePIN("0000")
	golden(t, "kiosk-pin-locked.txt", kscreen(t, k))
	clock.add(2 * time.Second)
	typePIN("4711") // right, but locked out
	if s := kscreen(t, k); k.mode != modePIN || !strings.Contains(s, "Too many wrong PINs: try again in 3 seconds.") {
		t.Fatalf("the right PIN was accepted during the lockout, or the wait is not said:\n%s", s)
	}
	clock.add(3 * time.Second)
	k.send(tea.KeyPressMsg{Code: 'x', Mod: tea.ModCtrl}) // ignored
	typePIN("4711")
	if k.mode != modeStaff || !k.staffOK {
		t.Fatalf("the right PIN after the lockout: mode %d", k.mode)
	}
	s := kscreen(t, k)
	golden(t, "kiosk-staff-no-camera.txt", s)
	for _, w := range []string{"no camera: scanner only", "F10 quits the kiosk", "demo.smartcheck.example/uk"} {
		if !strings.Contains(s, w) {
			t.Errorf("staff screen lacks %q", w)
		}
	}
	quit := false
	for _, msg := range k.send(tea.KeyPressMsg{Code: tea.KeyF10}) {
		if _, ok := msg.(tea.QuitMsg); ok {
			quit = true
		}
	}
	if !quit {
		t.Error("F10 on the staff screen does not quit")
	}
	k.send(tea.KeyPressMsg{Code: tea.KeyEscape})
	if k.mode != modeShopper || k.staffOK {
		t.Error("Esc does not go back to the shopper screen, or the staff screen stays unlocked")
	}

	// Without a PIN: the staff screen informs, and F10 does nothing.
	cfg.StaffPIN, cfg.StopHint = "", "kill 4242"
	k = newKiosk(cfg, clock, 120, 40)
	k.send(tea.KeyPressMsg{Code: tea.KeyF12})
	if k.mode != modeStaff {
		t.Fatal("F12 without a PIN does not open the staff screen")
	}
	if s := kscreen(t, k); !strings.Contains(strings.Join(strings.Fields(s), " "), "cannot be left from here: stop it from another terminal (kill 4242)") {
		t.Errorf("staff screen without a PIN does not say how to stop the kiosk:\n%s", s)
	}
	for _, msg := range k.send(tea.KeyPressMsg{Code: tea.KeyF10}) {
		t.Errorf("F10 without a PIN gave %T", msg)
	}
	// The staff screen goes back to the shopper's after the idle time.
	k.send(idleMsg{gen: k.gen})
	if k.mode != modeShopper {
		t.Error("the staff screen outlived the idle time")
	}
}

// TestKioskPINLockout types wrong PINs, each after the last lockout
// ended: the lockout doubles from the third, never passes two minutes,
// never holds the right PIN back longer than the lockout, and starts
// again after the right PIN, or after a quarter of an hour of no wrong
// PIN.
func TestKioskPINLockout(t *testing.T) {
	tests := []struct {
		name    string
		wrong   int           // wrong PINs, each typed when the prompt is open
		quiet   time.Duration // then this long without a PIN
		locked  time.Duration // how long the prompt is then locked
		message string
	}{
		{"one wrong PIN costs nothing", 1, 0, 0, "Wrong PIN."},
		{"two cost nothing", 2, 0, 0, "Wrong PIN."},
		{"the third locks for 5 seconds", 3, 0, 5 * time.Second, "Wrong PIN. Try again in 5 seconds."},
		{"the fourth for 10", 4, 0, 10 * time.Second, "Wrong PIN. Try again in 10 seconds."},
		{"the seventh for 80", 7, 0, 80 * time.Second, "Wrong PIN. Try again in 80 seconds."},
		{"the eighth for 2 minutes", 8, 0, 2 * time.Minute, "Wrong PIN. Try again in 2 minutes."},
		{"the fiftieth for 2 minutes", 50, 0, 2 * time.Minute, "Wrong PIN. Try again in 2 minutes."},
		{"forgotten after a quarter of an hour", 20, 16 * time.Minute, 0, "Wrong PIN."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, clock := demoKioskConfig(t)
			cfg.StaffPIN = "4711"
			k := newKiosk(cfg, clock, 80, 24)
			typePIN := func(pin string) {
				k.send(tea.KeyPressMsg{Code: tea.KeyF12})
				for _, r := range pin {
					k.send(keyOf(r))
				}
				k.send(tea.KeyPressMsg{Code: tea.KeyEnter})
			}
			for range tt.wrong {
				clock.add(pinLockoutMax)
				typePIN("1234")
			}
			if tt.quiet > 0 {
				clock.add(tt.quiet)
				typePIN("1234")
			}
			if k.pinMessage != tt.message {
				t.Errorf("message %q, want %q", k.pinMessage, tt.message)
			}
			if got := k.pinLocked.Sub(clock.Now()); max(got, 0) != tt.locked {
				t.Errorf("locked for %v, want %v", got, tt.locked)
			}
			if tt.locked > 0 {
				clock.add(tt.locked - time.Second)
				typePIN("4711")
				if k.mode == modeStaff {
					t.Fatal("the right PIN opened the staff screen during the lockout")
				}
			}
			clock.add(time.Second)
			typePIN("4711")
			if k.mode != modeStaff {
				t.Fatalf("the right PIN after the lockout: mode %d, %q", k.mode, k.pinMessage)
			}
			if k.pinTries != 0 {
				t.Errorf("%d wrong PINs remembered after the right one", k.pinTries)
			}
		})
	}
}

// TestKioskCamera feeds camera events: a camera that cannot be opened is
// reported to the shopper (use the scanner) and to staff (why); once it
// runs, its preview shows and a code it reads is judged.
func TestKioskCamera(t *testing.T) {
	cfg, clock := demoKioskConfig(t)
	cfg.CameraSpec = "/dev/video0"
	k := newKiosk(cfg, clock, 120, 40)
	if s := kscreen(t, k); !strings.Contains(s, "Starting the camera") {
		t.Errorf("no sign of the camera starting:\n%s", s)
	}
	at := time.Date(2026, 11, 24, 10, 4, 5, 0, time.UTC)
	k.send(cameraMsg{scan.CameraEvent{Kind: scan.CameraFailed, Time: at, Err: errors.New("camera /dev/video0: gone (no such device): unplugged?"), RetryIn: 2 * time.Second}})
	s := kscreen(t, k)
	golden(t, "kiosk-camera-failed.txt", s)
	if !strings.Contains(s, "The camera isn't working") || !strings.Contains(s, "Scan the barcode with the scanner") {
		t.Errorf("shopper screen does not say the camera is out:\n%s", s)
	}
	k.send(tea.KeyPressMsg{Code: tea.KeyF12})
	s = kscreen(t, k)
	golden(t, "kiosk-staff-camera-failed.txt", s)
	flat := strings.Join(strings.Fields(s), " ")
	for _, w := range []string{"NOT WORKING since 10:04:05: camera /dev/video0: gone (no such device): unplugged?", "trying again every 2s"} {
		if !strings.Contains(flat, w) {
			t.Errorf("staff screen lacks %q:\n%s", w, s)
		}
	}
	k.send(tea.KeyPressMsg{Code: tea.KeyEscape})

	k.send(cameraMsg{scan.CameraEvent{Kind: scan.CameraRunning, Time: at.Add(2 * time.Second), Source: "/dev/video0 (Test Camera): YUYV 640x480 at 15 fps"}})
	k.send(previewMsg{testPreview()})
	if s := kscreen(t, k); !strings.Contains(s, "▀▀▀▀") || strings.Contains(s, "isn't working") {
		t.Errorf("no preview once the camera runs:\n%s", s)
	}
	k.send(cameraMsg{scan.CameraEvent{Kind: scan.CameraCode, Time: at.Add(3 * time.Second),
		Code: scan.Result{Format: scan.DataMatrix, Symbology: "]d2", Text: "\x1d0109520000001131" + "10PL2401"}}})
	if s := kscreen(t, k); !hasBig(s, "✓ OK") || !strings.Contains(s, "Demo Smart Plug Duo") {
		t.Errorf("a code from the camera is not judged:\n%s", s)
	}
	k.send(tea.KeyPressMsg{Code: tea.KeyF12})
	if s := strings.Join(strings.Fields(kscreen(t, k)), " "); !strings.Contains(s, "working since 10:04:07") || !strings.Contains(s, "last code read: ]d2␝0109520000001131") {
		t.Errorf("staff screen with the camera running:\n%s", s)
	}
	// A code read while staff are at the screen is not a shopper's.
	k.send(cameraMsg{scan.CameraEvent{Kind: scan.CameraCode, Code: scan.Result{Format: scan.EAN13, Symbology: "]E0", Text: "9520000001018"}}})
	if k.mode != modeStaff || k.asking != 0 {
		t.Error("a camera read interrupted the staff screen")
	}
}

// TestKioskNewestScanWins makes scans faster than lookups end: the
// shopper sees the newest, never an older one.
func TestKioskNewestScanWins(t *testing.T) {
	cfg, clock := demoKioskConfig(t)
	k := newKiosk(cfg, clock, 120, 40)
	var cmds []tea.Cmd
	for _, s := range []string{"9520000000080", "9520000001018", "9520000001155"} {
		for _, key := range keys(s) {
			_, cmd := k.Update(key)
			if cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	if len(cmds) != 1 {
		t.Fatalf("%d lookups started, want 1 (the others wait)", len(cmds))
	}
	for _, msg := range runCmd(cmds[0]) {
		k.send(msg)
	}
	if k.current == nil || k.current.input != "9520000001155" {
		t.Errorf("on screen: %+v, want the newest scan", k.current)
	}
}

// TestKioskAnySize renders every screen size from 1x1 up: nothing
// panics, no line is wider than the screen, the verdict stays readable,
// and DEMO stays on screen.
func TestKioskAnySize(t *testing.T) {
	cfg, clock := demoKioskConfig(t)
	cfg.CameraSpec = "/dev/video0"
	k := newKiosk(cfg, clock, 200, 60)
	k.send(previewMsg{testPreview()})
	k.scan("9520000001018")
	for w := 1; w <= 220; w += 7 {
		for h := 1; h <= 70; h += 3 {
			k.Update(tea.WindowSizeMsg{Width: w, Height: h})
			content := k.View().Content
			for _, l := range strings.Split(content, "\n") {
				if lw := lipgloss.Width(l); lw > w {
					t.Fatalf("%dx%d: line of %d cells: %q", w, h, lw, l)
				}
			}
			if n := strings.Count(content, "\n") + 1; n > h {
				t.Fatalf("%dx%d: %d lines", w, h, n)
			}
			// The verdict in words, or in large type.
			sc := kscreen(t, k)
			if w >= 20 && h >= 3 && !strings.Contains(sc, "STOP") && !hasBig(sc, "✗ STOP") {
				t.Fatalf("%dx%d: the STOP is not on screen:\n%s", w, h, sc)
			}
			// DEMO, at every size that has room for the word.
			if w >= 4 && !strings.Contains(sc, "DEMO") {
				t.Fatalf("%dx%d: DEMO is not on screen:\n%s", w, h, sc)
			}
		}
	}
}

// TestHalfBlocks checks the preview's cells: the upper pixel is the
// foreground, the lower the background, colours are written only when
// they change, and the aiming box is drawn.
func TestHalfBlocks(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for x := range 4 {
		img.SetRGBA(x, 0, color.RGBA{0xFF, 0, 0, 0xFF})
		img.SetRGBA(x, 1, color.RGBA{0, 0, 0xFF, 0xFF})
		img.SetRGBA(x, 2, color.RGBA{0x12, 0x34, 0x56, 0xFF})
		img.SetRGBA(x, 3, color.RGBA{0x12, 0x34, 0x56, 0xFF})
	}
	rows := halfBlocks(img, 4, 2, false)
	if want := "\x1b[38;2;255;0;0;48;2;0;0;255m▀▀▀▀\x1b[m"; rows[0] != want {
		t.Errorf("row 0 = %q, want %q", rows[0], want)
	}
	if want := "\x1b[38;2;17;51;85;48;2;17;51;85m▀▀▀▀\x1b[m"; rows[1] != want {
		t.Errorf("row 1 = %q, want %q (4 bits a channel)", rows[1], want)
	}
	big := image.NewRGBA(image.Rect(0, 0, 100, 100))
	rows = halfBlocks(big, 20, 10, true)
	if !strings.Contains(strings.Join(rows, ""), "38;2;32;224;64") {
		t.Error("no aiming box")
	}
	for _, r := range rows {
		if lipgloss.Width(r) != 20 {
			t.Errorf("row of %d cells, want 20", lipgloss.Width(r))
		}
	}
}

// TestKioskWithCamera runs a real scan.Camera on a clip: the camera is
// missing at first (reported, tried again), then plays the clip once.
// Its events and previews reach the screen through the kiosk's own
// listening command, and the code in the clip is judged.
func TestKioskWithCamera(t *testing.T) {
	scene := func(code bool) []byte {
		img := image.NewRGBA(image.Rect(0, 0, 640, 360))
		draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{90, 110, 140, 0xFF}), image.Point{}, draw.Src)
		if code {
			e, err := ean.Encode("9520000001018")
			if err != nil {
				t.Fatal(err)
			}
			bc, err := barcode.Scale(e, 95*3, 120)
			if err != nil {
				t.Fatal(err)
			}
			draw.Draw(img, image.Rect(150, 100, 490, 260), image.White, image.Point{}, draw.Src)
			draw.Draw(img, bc.Bounds().Add(image.Pt(177, 120)), bc, image.Point{}, draw.Src)
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, nil); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	var clip bytes.Buffer
	blank, code := scene(false), scene(true)
	for _, f := range [][]byte{blank, blank, code, code, code, code, code, code, code, code, blank} {
		clip.Write(f)
	}
	path := filepath.Join(t.TempDir(), "clip.mjpeg")
	if err := os.WriteFile(path, clip.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	opens := 0
	cam := scan.StartCamera(scan.CameraConfig{
		Open: func() (scan.Source, error) {
			if opens++; opens == 1 {
				return nil, errors.New("camera /dev/video0: not found (unplugged?)")
			}
			// 10 fps: a busy machine may skip a frame, but decodes three of
			// the eight with the code in a row.
			return scan.OpenCamera(path, scan.CameraOptions{FPS: 10, Once: true})
		},
		Retry: 10 * time.Millisecond,
	})
	defer cam.Close()
	cfg, clock := demoKioskConfig(t)
	cfg.Camera, cfg.CameraSpec = cam, "/dev/video0"
	k := newKiosk(cfg, clock, 120, 40)
	var events []string
	previews := 0
	for _, msg := range runCmd(k.Init()) {
		// send runs the listening command again after every camera
		// message, until the camera has stopped.
		for _, m := range append([]tea.Msg{msg}, k.send(msg)...) {
			switch m := m.(type) {
			case cameraMsg:
				events = append(events, [...]string{"running", "failed", "code", "ended"}[m.e.Kind])
			case previewMsg:
				previews++
			}
		}
	}
	want := []string{"failed", "running", "code", "ended"}
	if strings.Join(events, " ") != strings.Join(want, " ") {
		t.Errorf("camera events %v, want %v", events, want)
	}
	if previews == 0 {
		t.Error("no preview reached the kiosk")
	}
	if s := kscreen(t, k); !hasBig(s, "✗ STOP") || !strings.Contains(s, "Demo HomeRouter AX3000") {
		t.Errorf("the code the camera read is not on screen:\n%s", s)
	}
}

// TestKioskDemoClip plays the demo clip the README names
// (scan/testdata/demo.mjpeg) to the kiosk through a real camera, as
// `smartcheck kiosk --camera scan/testdata/demo.mjpeg` does: an EAN-13;
// an EAN-13 beside a QR code of a web page, where the product code must
// win; the QR code alone, which the shopper is told is a web link.
func TestKioskDemoClip(t *testing.T) {
	cam := scan.StartCamera(scan.CameraConfig{
		Open: func() (scan.Source, error) {
			// 10 fps: each scene is 5 frames; a busy machine may skip
			// one and still decode three in a row.
			return scan.OpenCamera("../scan/testdata/demo.mjpeg", scan.CameraOptions{FPS: 10, Once: true})
		},
		Confirm: 3,
	})
	defer cam.Close()
	cfg, clock := demoKioskConfig(t)
	cfg.Camera, cfg.CameraSpec = cam, "../scan/testdata/demo.mjpeg"
	k := newKiosk(cfg, clock, 120, 40)
	var codes, screens []string
	for queue := runCmd(k.Init()); len(queue) > 0; {
		msg := queue[0]
		_, cmd := k.Update(msg)
		queue = append(queue[1:], runCmd(cmd)...)
		switch msg := msg.(type) {
		case cameraMsg:
			if msg.e.Kind == scan.CameraCode {
				codes = append(codes, msg.e.Code.Format+" "+msg.e.Code.Text)
			}
		case lookupMsg:
			screens = append(screens, strings.Join(strings.Fields(kscreen(t, k)), " "))
		}
	}
	want := []string{
		"EAN_13 9780764544200",
		"EAN_13 9780596008574",
		"QR_CODE http://arnaud.sahuguet.com/graffiti/test.php?ll=-74.00309961503218,40.74102573163046,0",
	}
	if !slices.Equal(codes, want) {
		t.Fatalf("the camera reported %q, want %q", codes, want)
	}
	if len(screens) != len(want) {
		t.Fatalf("%d answers on the screen, want %d", len(screens), len(want))
	}
	for i, s := range screens {
		// The words wrap beside the camera panel: the first line of them.
		web := strings.Contains(s, "That code is a web link, not a product barcode")
		unreadable := strings.Contains(s, unreadableBarcode)
		switch {
		case i < 2 && (web || unreadable || !strings.Contains(s, "Barcode 0"+strings.TrimPrefix(want[i], "EAN_13 "))):
			t.Errorf("after %s the screen does not show the product:\n%s", want[i], s)
		case i == 2 && !web:
			t.Errorf("after the QR code alone the screen does not say it is a web link:\n%s", s)
		}
	}
}

// TestKioskStaffSeesHugeFrame: a photo in the camera's directory that
// declares 60000x60000 16-bit pixels is skipped unread, the photo after
// it is judged, and the staff screen says which photo was skipped and
// why.
func TestKioskStaffSeesHugeFrame(t *testing.T) {
	dir := t.TempDir()
	huge, err := os.ReadFile("../scan/testdata/huge-16bit-60000x60000.png")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "1-huge.png"), huge, 0o644)
	clip, err := os.ReadFile("../scan/testdata/demo.mjpeg")
	if err != nil {
		t.Fatal(err)
	}
	frame, err := scan.NewMJPEGReader(bytes.NewReader(clip)).Next() // an EAN-13
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "2-book.jpg"), frame, 0o644)
	cam := scan.StartCamera(scan.CameraConfig{
		Open:    func() (scan.Source, error) { return scan.OpenCamera(dir, scan.CameraOptions{FPS: 30, Once: true}) },
		Confirm: 3,
	})
	defer cam.Close()
	cfg, clock := demoKioskConfig(t)
	cfg.Camera, cfg.CameraSpec = cam, dir
	k := newKiosk(cfg, clock, 120, 40)
	for _, msg := range runCmd(k.Init()) {
		k.send(msg)
	}
	if s := strings.Join(strings.Fields(kscreen(t, k)), " "); !strings.Contains(s, "Barcode 09780764544200") {
		t.Errorf("the photo after the huge one was not judged:\n%s", s)
	}
	k.send(tea.KeyPressMsg{Code: tea.KeyF12})
	s := strings.Join(strings.Fields(kscreen(t, k)), " ")
	for _, w := range []string{"1 bad", "1-huge.png: image too large to decode: 60000×60000 pixels"} {
		if !strings.Contains(s, w) {
			t.Errorf("the staff screen does not say %q:\n%s", w, s)
		}
	}
}

// TestKioskCameraQuiet: a camera that sends no picture — one that does
// not start, or whose frames cannot be read — is not left saying
// "Starting the camera…": after cameraQuiet the shopper is told to use
// the scanner, and a picture brings the camera back.
func TestKioskCameraQuiet(t *testing.T) {
	cfg, clock := demoKioskConfig(t)
	cfg.CameraSpec = "/dev/video0"
	k := newKiosk(cfg, clock, 120, 40)
	if cmd := k.Init(); cmd != nil {
		runCmd(cmd)
	}
	if len(k.timers) == 0 || k.timers[len(k.timers)-1] != time.Second {
		t.Fatalf("timers %v: the camera is not watched", k.timers)
	}
	watch := func(after time.Duration) string {
		clock.add(after)
		k.send(camWatchMsg{})
		return strings.Join(strings.Fields(kscreen(t, k)), " ")
	}
	if s := watch(4 * time.Second); !strings.Contains(s, "Starting the camera") {
		t.Errorf("4 s after the start:\n%s", s)
	}
	s := watch(time.Second)
	golden(t, "kiosk-camera-quiet.txt", kscreen(t, k))
	for _, w := range []string{"No picture from the camera", "Please use the scanner,", "Scan the barcode with the scanner."} {
		if !strings.Contains(s, w) {
			t.Errorf("5 s after the start without a picture, the screen lacks %q:\n%s", w, s)
		}
	}
	if strings.Contains(s, "Starting the camera") || strings.Contains(s, "green box") {
		t.Errorf("a quiet camera is still offered to the shopper:\n%s", s)
	}
	k.send(previewMsg{testPreview()})
	if s := watch(time.Second); strings.Contains(s, "No picture") || !strings.Contains(s, "inside the green box") {
		t.Errorf("a picture did not bring the camera back:\n%s", s)
	}
	// Running, but no picture: unreadable frames.
	k.send(cameraMsg{scan.CameraEvent{Kind: scan.CameraRunning, Source: "test.mjpeg"}})
	if s := watch(cameraQuiet); !strings.Contains(s, "No picture from the camera") {
		t.Errorf("a running camera without pictures for %v:\n%s", cameraQuiet, s)
	}
}

// TestUnreadableWords: what a shopper reads for each kind of scan that is
// not a product code.
func TestUnreadableWords(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"EAN-13 with a bad check digit", "9520000000012", unreadableBarcode},
		{"GS1 element string", "(01)09520000000012(10)AB", unreadableBarcode},
		{"GS1-128 with AIM", "]C10109520000000012", unreadableBarcode},
		{"Digital Link, bad check digit", "https://id.gs1.org/01/09520000000012", unreadableBarcode},
		{"Digital Link, short form", "https://example.com/gtin/0952000000001", unreadableBarcode},
		{"web page", "https://www.example.com/offers", unreadableWebLink},
		{"web page from a QR code, AIM", "]Q1http://shop.example/p?id=7", unreadableWebLink},
		{"web page with a date in its path", "]Q1https://news.example/2026/01/offers", unreadableWebLink},
		{"web page with 01 in its query", "https://shop.example/p?x=/01/09520000000012", unreadableWebLink},
		{"Digital Link with a path prefix, bad check digit", "]Q1https://shop.example/dl/01/9520000000012/10/AB", unreadableBarcode},
		{"Digital Link, key after a date", "https://shop.example/2026/01/01/09520000000012", unreadableBarcode},
		{"www", "WWW.EXAMPLE.COM", unreadableWebLink},
		{"text", "HELLO WORLD", unreadableText},
		{"Wi-Fi QR code", "]Q1WIFI:S:shop;T:WPA;P:secret;;", unreadableText},
		{"too long", strings.Repeat("9", maxScan+1), unreadableText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unreadableWords(tt.in); got != tt.want {
				t.Errorf("unreadableWords(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestProductName: the brand is not said twice.
func TestProductName(t *testing.T) {
	tests := []struct{ brand, model, want string }{
		{"Philips Hue", "Hue Bridge", "Philips Hue Bridge"},
		{"Google", "Google Pixel 7", "Google Pixel 7"},
		{"Google", "Pixel 7", "Google Pixel 7"},
		{"Philips Hue", "Philips Hue Go", "Philips Hue Go"},
		{"amazon", "Amazon Echo Dot", "amazon Echo Dot"},
		{"Ring", "Ringer 2", "Ring Ringer 2"},
		{"Demo", "", "Demo"},
		{"", "Hub", "Hub"},
		{"Evil\x1b[31m", "Evil\x1b[31m Hub", catalog.Sanitize("Evil\x1b[31m") + " Hub"},
	}
	for _, tt := range tests {
		t.Run(tt.brand+"/"+tt.model, func(t *testing.T) {
			if got := productName(tt.brand, tt.model); got != tt.want {
				t.Errorf("productName(%q, %q) = %q, want %q", tt.brand, tt.model, got, tt.want)
			}
		})
	}
}

// TestSentences splits where a sentence ends, not at a dot in a name.
func TestSentences(t *testing.T) {
	got := sentences("Ask staff. Report it at g.co/vulnz or mail a@b.example. Is it sold? Yes!")
	want := []string{"Ask staff.", "Report it at g.co/vulnz or mail a@b.example.", "Is it sold?", "Yes!"}
	if !slices.Equal(got, want) {
		t.Errorf("sentences = %q, want %q", got, want)
	}
}
