package tui

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"image/color"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// evil is catalog text that tries to take over the terminal: clear the
// screen, set the title, leave the alternate screen, hide the cursor,
// ring the bell, an 8-bit CSI, a hyperlink, and bidirectional overrides
// that would make the text read backwards.
const evil = "\x1b[2J\x1b[H\x1b]0;PWNED\x07\x1b[?1049l\x1b[?25l\a\u009b31m\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\\u202edrow\u2066x\u2069\u200e"

// rawEvil are pieces of evil that must never reach the terminal.
var rawEvil = []string{"\x1b[2J", "\x1b]0;", "\x1b[?1049l", "\x1b[?25l", "\a", "\u009b", "\x1b]8;", "\u202e", "\u2066", "\u2069", "\u200e"}

// sgr matches the only escape sequences the till's own styling writes.
var sgr = regexp.MustCompile(`^\x1b\[[0-9;:]*m`)

// checkTerminalSafe fails the test unless content, written to a terminal,
// can do nothing but print text in colours: every escape sequence is SGR,
// no other control character is there but newline, no raw piece of evil
// appears, and a virtual terminal sees no title, mode, cursor, colour or
// bell change.
func checkTerminalSafe(t *testing.T, content string, w, h int) string {
	t.Helper()
	for _, piece := range rawEvil {
		if strings.Contains(content, piece) {
			t.Errorf("view contains the raw catalog bytes %q", piece)
		}
	}
	for i := 0; i < len(content); {
		c := content[i]
		switch {
		case c == '\x1b':
			loc := sgr.FindStringIndex(content[i:])
			if loc == nil {
				t.Errorf("escape sequence other than SGR at byte %d: %q", i, content[i:min(len(content), i+12)])
				i++
				continue
			}
			i += loc[1]
		case c < 0x20 && c != '\n', c == 0x7F:
			t.Errorf("control byte 0x%02x at byte %d", c, i)
			i++
		default:
			i++
		}
	}
	for _, r := range content {
		if r >= 0x80 && r <= 0x9F {
			t.Errorf("C1 control U+%04X in view", r)
		}
	}

	em := vt.NewEmulator(w, h)
	var changed []string
	note := func(what string) { changed = append(changed, what) }
	em.SetCallbacks(vt.Callbacks{
		Bell:             func() { note("bell") },
		Title:            func(s string) { note("title " + s) },
		IconName:         func(s string) { note("icon name " + s) },
		AltScreen:        func(bool) { note("alternate screen") },
		CursorVisibility: func(bool) { note("cursor visibility") },
		CursorStyle:      func(vt.CursorStyle, bool) { note("cursor style") },
		CursorColor:      func(color.Color) { note("cursor colour") },
		BackgroundColor:  func(color.Color) { note("background colour") },
		ForegroundColor:  func(color.Color) { note("foreground colour") },
		WorkingDirectory: func(string) { note("working directory") },
		EnableMode:       func(m ansi.Mode) { note("mode set") },
		DisableMode:      func(m ansi.Mode) { note("mode reset") },
	})
	em.WriteString(strings.ReplaceAll(content, "\n", "\r\n"))
	if len(changed) > 0 {
		t.Errorf("the view changed the terminal: %v", changed)
	}
	text := em.String()
	if strings.Contains(text, "PWNED") && !strings.Contains(text, "0;PWNED") {
		t.Error("the title text vanished from the screen: an OSC was obeyed")
	}
	return text
}

// TestEscapesCannotChangeTerminal puts evil into every catalog string a
// result carries (constructed directly: the record parser would refuse
// it, see TestCatalogRefusesEscapes), into a pasted scan and into the
// reason a catalog was refused, and shows them on the till.
func TestEscapesCannotChangeTerminal(t *testing.T) {
	e := func(s string) string { return s + evil }
	period, _ := catalog.ParsePeriod("2030-03")
	res := &catalog.Result{
		GTIN: "09520000000011", Batch: e("B"), Today: demoDay, Verdict: catalog.Stop, Index: 3,
		Declaration: &catalog.Declaration{
			ID: e("id"), Version: 2, Brand: e("Brand"), Model: e("Model"), ModelNumber: e("MN"), Category: e("cat"),
			Passwords: "universal-default", PasswordNote: e("note"),
			Contacts:         []string{e("https://example.com/")},
			Support:          catalog.Support{Kind: catalog.SupportRelative, Relative: catalog.Relative{N: 2, Anchor: "first-supply"}},
			SupportStatement: e("statement"),
		},
		Signer:  catalog.SignerInfo{Name: e("signer"), Org: e("org"), Role: e("role")},
		Support: &catalog.SupportEnd{Period: period, Computed: true},
		History: []catalog.HistoryEntry{
			{Index: 1, ID: e("id"), Version: 1, Trusted: true, End: &catalog.SupportEnd{Period: period}, Signer: catalog.SignerInfo{Name: e("k1"), Org: e("org1"), Role: e("role1")}},
			{Index: 2, ID: e("id"), Version: 2, Ignored: e("why"), Signer: catalog.SignerInfo{Name: e("k2")}},
			{Index: 3, ID: e("id"), Version: 3, Trusted: true, Chosen: true, Withdrawn: e("withdrawn")},
		},
		Ignored: []catalog.IgnoredRecord{
			{Index: 2, What: e("declaration id version 2"), Signer: e("k2"), Why: e("why")},
			{Index: 4, What: "notice " + e("N") + " revision 2", Signer: e("k3"), Why: e("foreign")},
		},
		Notices: []catalog.NoticeState{{Notice: &catalog.Notice{ID: e("N"), Type: e("stop"), Status: e("in-force"), IssuedBy: e("issuer"), CustomerRisk: e("risk"), Batches: []string{e("b")}}}},
		Findings: []catalog.Finding{
			{Code: e("code"), Verdict: catalog.Stop, Staff: e("staff"), Shopper: e("shopper"), Rule: e("R6a"), Basis: e("basis")},
			{Code: "support-shortened", Verdict: catalog.Stop, Staff: e("staff2"), Shopper: e("shopper2"), Rule: "R6h", Basis: "b"},
			{Code: "ignored-records", Verdict: catalog.OK, Staff: e("ignored"), Rule: "R4d", Basis: "b"},
		},
	}
	cat := evilOriginCatalog(t)
	cfg := TillConfig{Catalog: cat, Today: func() catalog.Date { return demoDay }, Now: newClock().Now}
	m := newTill(cfg, 200, 60)
	m.seq = 1
	m.judged(&entry{seq: 1, input: e("scan"), checked: cfg.Now(), result: res})
	m.hold = nil
	drive(m, tea.PasteMsg{Content: e("half a scan")}) // unreadable scans with escapes in them
	m.current = m.history[0]
	m.staleBody = true
	text := checkTerminalSafe(t, m.View().Content, 200, 60)
	for range 3 { // the card goes on below
		drive(m, tea.KeyPressMsg{Code: tea.KeyPgDown})
		text += checkTerminalSafe(t, m.View().Content, 200, 60)
	}
	for _, want := range []string{"Brand�", "Model�", "staff�", "�drow", "evil�ku", "why�", "foreign�", "withdrawn�"} {
		if !strings.Contains(text, want) {
			t.Errorf("screen lacks %q (the text itself, neutralised)", want)
		}
	}

	// The kiosk's staff screen shows the same result.
	kcfg, kclock := demoKioskConfig(t)
	k := newKiosk(kcfg, kclock, 200, 60)
	k.last = &entry{seq: 1, input: e("scan"), checked: cfg.Now(), result: res}
	k.send(tea.KeyPressMsg{Code: tea.KeyF12})
	text = checkTerminalSafe(t, k.View().Content, 200, 60)
	for _, want := range []string{"Brand�", "staff�", "why�", "foreign�", "withdrawn�"} {
		if !strings.Contains(text, want) {
			t.Errorf("kiosk staff screen lacks %q (the text itself, neutralised)", want)
		}
	}

	// The history row and card of the unreadable scan, too.
	m.current = m.history[1]
	m.staleBody = true
	checkTerminalSafe(t, m.View().Content, 200, 60)

	// A refused catalog: the reason is shown in the banner and in every
	// scan's finding.
	cfg = TillConfig{Untrusted: errors.New(e("checkpoint origin")), Today: func() catalog.Date { return demoDay }, Now: newClock().Now}
	m = newTill(cfg, 200, 60)
	scanAll(m, "9520000000011")
	checkTerminalSafe(t, m.View().Content, 200, 60)

	// Receipts and log failures are shown in the notice and banner lines.
	m.setNotice(e("printer said"), true)
	m.Update(logFailedMsg{errors.New(e("disk said"))})
	checkTerminalSafe(t, m.View().Content, 200, 60)
}

// evilOriginCatalog builds a real, signed catalog whose origin carries
// bidirectional overrides: the one string of a catalog that neither the
// trust file parser nor the note format refuses them in. Its status line
// must show them neutralised.
func evilOriginCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	origin := "evil\u202eku/elpmaxe\u2066"
	seed := sha256.Sum256([]byte("tui escape test publisher"))
	skey, vkey, err := catalog.GenerateKey(bytes.NewReader(seed[:]), "escape-test-publisher")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := catalog.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := catalog.ParseTrust([]byte("origin " + origin + "\npublisher " + vkey + "\n"))
	if err != nil {
		t.Fatalf("trust file with a bidi origin refused (then this path is closed): %v", err)
	}
	records, root, err := catalog.Assemble(nil)
	if err != nil {
		t.Fatal(err)
	}
	cp := &catalog.Checkpoint{Origin: origin, Size: 0, Root: root,
		Issued: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Expires: time.Date(2027, 11, 1, 0, 0, 0, 0, time.UTC)}
	msg, err := catalog.SignCheckpoint(cp, signer)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.OpenBytes(msg, records, trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestCatalogRefusesEscapes: the other way in, a declaration whose brand
// holds escape sequences, is closed by the record parser: such a record
// cannot be put into a catalog at all.
func TestCatalogRefusesEscapes(t *testing.T) {
	seed := sha256.Sum256([]byte("tui escape test maker"))
	skey, _, err := catalog.GenerateKey(bytes.NewReader(seed[:]), "escape-test-maker")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := catalog.NewSigner(skey)
	for _, brand := range []string{"Evil\x1b[2J", "Evil\x1b]0;PWNED\x07", "Evil\u202eoN", "Evil\u009b31m"} {
		body := "smartcheck-declaration/1\nid evil-1\nversion 1\npublished 2026-01-01\ngtin 09520000000011\nbrand " + brand +
			"\nmodel M\ncategory smartphone\ncellular yes\nmanufacturer Evil Ltd | Town | GB\nroute schedule1\npasswords user-defined\n" +
			"contact https://evil.example/security\nsupport-until 2030-01\nsupport-statement Until 2030.\nissued 2026-01-01 | Town\nsignatory A | B\n"
		rec, err := catalog.Sign([]byte(body), signer)
		if err != nil {
			continue // the note format itself refuses ASCII control characters
		}
		if _, _, err := catalog.Assemble([][]byte{rec}); err == nil {
			t.Errorf("a declaration with brand %q was accepted into a catalog", brand)
		} else if !strings.Contains(err.Error(), "line 6 (brand)") {
			t.Errorf("refusal does not say which line: %v", err)
		}
	}
}
