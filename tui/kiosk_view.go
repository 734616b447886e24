package tui

import (
	"fmt"
	"image"
	"image/color"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// Layout of the kiosk, from the top: a title line, the body (the message
// on the left, the camera on the right when there is room), and a line
// for the scan field or a hint.
const (
	kioskMinW, kioskMinH = 40, 12
	kioskPanelMinW       = 80  // narrower screens show no preview
	kioskResultW         = 100 // narrower screens show a result without it
	kioskLabelW          = 27  // "Report a security problem" and two spaces
)

// What a shopper reads beside the verdict (spec/verdicts.md, "What the
// shopper reads").
const (
	// updatesAre says what security updates are, on the welcome screen.
	updatesAre = "Security updates are fixes from the maker that keep criminals out of a connected product; when they end, the product still works, but new weak spots are no longer fixed."
	// afterTheEnd follows a support end still to come.
	afterTheEnd = "After that, the product still works, but new security weak spots are no longer fixed."
	// The answers to a scan that is not a product code.
	unreadableBarcode = "That barcode could not be read as a product."
	unreadableWebLink = "That code is a web link, not a product barcode: scan the barcode with the numbers under it."
	unreadableText    = "That code isn't a product barcode: scan the barcode with the numbers under it."
	scanAgain         = "Please scan it again, or ask a member of staff."
)

// headlines are what the shopper reads under the verdict, as on the
// shopper's receipt (spec/verdicts.md, "What the shopper reads").
var headlines = [catalog.Stop + 1]string{
	catalog.OK:         "The manufacturer's security information for this product is in order.",
	catalog.Caution:    "Please note the security information below.",
	catalog.Check:      "Please ask a member of staff about this product's security information.",
	catalog.Stop:       "This product isn't available for sale at the moment. Please ask a member of staff.",
	catalog.NotInScope: "The UK's security rules for smart products don't apply to this product.",
}

// View draws the screen. The body and the camera panel are rendered when
// they change; a frame joins them to the title and the field.
func (m *Kiosk) View() tea.View {
	var content string
	if m.width < kioskMinW || m.height < kioskMinH {
		content = m.tinyView()
	} else {
		content = m.frame()
	}
	v := tea.NewView(content)
	v.AltScreen = true
	v.WindowTitle = "smartcheck kiosk"
	v.DisableBracketedPasteMode = true // see GuardInput
	return v
}

// tinyView is a screen too small to lay out: the answer in words.
func (m *Kiosk) tinyView() string {
	lines := []string{"smartcheck kiosk: window too small"}
	if m.cfg.Demo && m.mode == modeShopper {
		lines[0] = m.styles.BannerDemo.Render("DEMO") + " smartcheck kiosk: window too small"
	}
	switch e := m.current; {
	case m.mode != modeShopper:
		lines = append(lines, "staff: Esc to go back")
	case e == nil:
		lines = append(lines, "Scan a product's barcode")
	case e.err != nil:
		lines = append(lines, unreadableWords(e.input))
	default:
		look := m.styles.Verdicts[e.result.Verdict]
		lines = append(lines, look.Text.Render(look.Symbol+" "+look.Word), headlines[e.result.Verdict])
	}
	for i, l := range lines {
		lines[i] = clip(l, max(1, m.width))
	}
	if len(lines) > m.height {
		lines = lines[:max(1, m.height)]
	}
	return strings.Join(lines, "\n")
}

// hasCamera reports whether a camera was asked for.
func (m *Kiosk) hasCamera() bool { return m.cfg.Camera != nil || m.cfg.CameraSpec != "" }

// cameraUsable reports whether a shopper may be asked to use the camera:
// there is one, it has not failed, and it has shown a picture lately.
func (m *Kiosk) cameraUsable() bool { return m.hasCamera() && m.cam.err == nil && !m.camQuiet }

// panelWidth is the camera panel's width, 0 when there is none. Below
// kioskResultW a result takes the whole width, so that all of it can be
// read; the camera still reads the next box held up to it.
func (m *Kiosk) panelWidth(midH int) int {
	if m.mode != modeShopper || !m.hasCamera() || m.width < kioskPanelMinW || m.current != nil && m.width < kioskResultW {
		return 0
	}
	// A 16:9 picture in half-block cells (two pixels a cell, stacked) is
	// 32 cells wide for every 9 rows.
	return max(24, min(m.width*2/5, (midH-4)*32/9+2))
}

// frame lays out a screen of at least kioskMinW x kioskMinH.
func (m *Kiosk) frame() string {
	midH := m.height - 2
	pw := m.panelWidth(midH)
	lw := m.width
	if pw > 0 {
		lw -= pw + 2
	}
	if m.staleBody || len(m.bodyLines) != midH || m.bodyW != lw {
		m.bodyLines = m.renderBody(lw, midH)
		m.bodyW = lw
		m.staleBody = false
	}
	if pw > 0 && (m.stalePreview || len(m.panelLines) != midH || m.panelW != pw) {
		m.panelLines = m.renderPanel(pw, midH)
		m.panelW = pw
		m.stalePreview = false
	}
	var b strings.Builder
	b.WriteString(m.header())
	for i := range midH {
		b.WriteByte('\n')
		b.WriteString(m.bodyLines[i])
		if pw > 0 {
			b.WriteString("  ")
			b.WriteString(m.panelLines[i])
		}
	}
	b.WriteByte('\n')
	b.WriteString(m.footer())
	return b.String()
}

// header is the title line, and the DEMO or STAFF badge at the right,
// shortened as the screen narrows but never left out.
func (m *Kiosk) header() string {
	st := &m.styles
	lefts := []string{st.Title.Render("smartcheck") + st.Dim.Render(" · product security check"), st.Title.Render("smartcheck"), ""}
	var rights []string
	switch {
	case m.mode != modeShopper:
		rights = []string{st.BannerStale.Render("STAFF")}
	case m.cfg.Demo:
		for _, t := range []string{"DEMO DATA — invented products, not for real use", "DEMO DATA — not for real use", "DEMO DATA", "DEMO"} {
			rights = append(rights, st.BannerDemo.Render(t))
		}
	default:
		rights = []string{""}
	}
	for _, left := range lefts {
		for _, right := range rights {
			if gap := m.width - lipgloss.Width(left) - lipgloss.Width(right); gap >= 1 || left == "" && gap >= 0 {
				return left + strings.Repeat(" ", gap) + right
			}
		}
	}
	return clip(rights[len(rights)-1], m.width)
}

func (m *Kiosk) footer() string {
	st := &m.styles
	var s string
	switch {
	case m.mode == modePIN:
		s = st.Dim.Render("Esc: back to the shopper screen")
	case m.mode == modeStaff && m.staffOK:
		s = st.Dim.Render("F10: quit the kiosk · Esc: back to the shopper screen")
	case m.mode == modeStaff:
		s = st.Dim.Render("Esc: back to the shopper screen")
	case m.wedge.text() != "":
		s = st.Prompt.Render("Scanning ▸ ") + st.Field.Render(fieldText(m.wedge.text()))
	case m.asking != 0:
		s = st.Waiting.Render("Checking…")
	case m.current != nil:
		s = st.Dim.Render(fmt.Sprintf("Scan another product at any time. This screen clears after %s.", durationWords(m.cfg.Idle)))
	}
	return clip(s, m.width)
}

// durationWords says an idle time for shoppers: "30 seconds", "2 minutes".
func durationWords(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		n := int(d / time.Minute)
		return fmt.Sprintf("%d %s", n, plural(n, "minute", "minutes"))
	}
	n := int((d + time.Second/2) / time.Second)
	return fmt.Sprintf("%d %s", n, plural(n, "second", "seconds"))
}

// kioskWriter collects the lines of the body, w cells wide.
type kioskWriter struct {
	w     int
	lines []string
}

func (c *kioskWriter) add(l ...string) { c.lines = append(c.lines, l...) }

// wrap adds text wrapped to the body, each line styled.
func (c *kioskWriter) wrap(style lipgloss.Style, text string, indent int) {
	pad := strings.Repeat(" ", indent)
	for _, l := range wrapLines(text, max(10, c.w-indent)) {
		c.add(pad + style.Render(l))
	}
}

// field adds a labelled fact, wrapped under its value.
func (c *kioskWriter) field(label lipgloss.Style, name string, value lipgloss.Style, text string) {
	lw := kioskLabelW
	if c.w < 50 {
		lw = 0 // the label on a line of its own
		if name != "" {
			c.add(label.Render(name))
		}
	}
	pad := strings.Repeat(" ", lw)
	for i, l := range wrapLines(text, max(10, c.w-lw)) {
		if i == 0 && lw > 0 {
			c.add(label.Render(fmt.Sprintf("%-*s", lw, name)) + value.Render(l))
		} else {
			c.add(pad + value.Render(l))
		}
	}
}

// big adds text in large type when it fits, else in one line of style
// fallback; it reports whether it fitted.
func (c *kioskWriter) big(style lipgloss.Style, text string, fallback lipgloss.Style) bool {
	if bigWidth(text) <= c.w {
		for _, l := range bigText(text) {
			c.add(style.Render(l))
		}
		return true
	}
	c.add(fallback.Render(text))
	return false
}

// renderBody renders the left of the screen, w x h, each line exactly w
// cells.
func (m *Kiosk) renderBody(w, h int) []string {
	c := &kioskWriter{w: w - 2}
	switch {
	case m.mode == modePIN:
		m.pinLines(c)
	case m.mode == modeStaff:
		m.staffLines(c)
	case m.current != nil:
		m.resultLines(c, h)
	default:
		m.welcomeLines(c, h)
	}
	lines := c.lines
	if m.mode == modeStaff {
		lines = scrollWindow(lines, h, &m.staffScroll, &m.staffMax, m.styles.Dim, "↑ or PgUp", "↓ or PgDn")
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	out := make([]string, h)
	for i := range out {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		out[i] = " " + fit(l, w-1)
	}
	return out
}

// welcomeLines say what to do.
func (m *Kiosk) welcomeLines(c *kioskWriter, h int) {
	st := &m.styles
	c.add("")
	if h >= 24 && bigWidth("PRODUCT") <= c.w {
		c.big(st.Bold, "CHECK A", st.Bold)
		c.add("")
		c.big(st.Bold, "PRODUCT", st.Bold)
	} else {
		c.add(st.Title.Render("CHECK A PRODUCT"))
	}
	c.add("")
	c.wrap(st.Bold, "How long will this smart product get security updates? Scan it to find out.", 0)
	c.add("")
	c.wrap(lipgloss.NewStyle(), updatesAre, 0)
	c.add("")
	camera := m.cameraUsable()
	step := func(n, text string) {
		first := true
		for _, l := range strings.Split(lipgloss.Wrap(text, max(10, c.w-5), ""), "\n") {
			if first {
				c.add(" " + st.Bold.Render(n) + "   " + l)
				first = false
			} else {
				c.add("     " + l)
			}
		}
		c.add("")
	}
	step("1", "Find the barcode on the box.")
	if camera {
		step("2", "Hold the barcode up to the camera, inside the green box. Or scan it with the scanner.")
	} else {
		step("2", "Scan the barcode with the scanner.")
	}
	step("3", "Read the answer here.")
	const which = "Phones, watches, speakers, TVs, routers, cameras, smart plugs: any product that connects to the internet."
	if len(c.lines)+len(wrapLines(which, max(10, c.w))) <= h {
		c.wrap(st.Dim, which, 0)
	}
}

// resultLines are the answer for the shopper, shopper texts only: the
// verdict, what it means, the product, why (the notes), then the facts.
// No sentence is said twice.
func (m *Kiosk) resultLines(c *kioskWriter, h int) {
	st := &m.styles
	e := m.current
	plain := lipgloss.NewStyle()
	c.add("")
	if e.err != nil {
		look := st.Verdicts[catalog.Check]
		c.big(look.Text, "? TRY AGAIN", look.Tag)
		c.add("")
		words := unreadableWords(e.input)
		c.wrap(st.Bold, words, 0)
		if words == unreadableBarcode {
			c.wrap(plain, scanAgain, 0)
		}
		return
	}
	r := e.result
	look := st.Verdicts[r.Verdict]
	c.big(look.Text, look.Symbol+" "+look.Word, look.Tag)
	c.add("")
	c.wrap(st.Bold, headlines[r.Verdict], 0)
	c.add("")
	d := r.Declaration
	if d != nil {
		c.wrap(st.Title, productName(d.Brand, d.Model), 0)
	} else {
		c.wrap(st.Dim, "Barcode "+r.GTIN, 0)
	}
	notes, dated := kioskNotes(r), datedVerdict(r)
	if len(notes) > 0 {
		c.add("")
	}
	for _, n := range notes {
		nl := st.Verdicts[n.verdict]
		for i, l := range strings.Split(lipgloss.Wrap(n.text, max(10, c.w-2), ""), "\n") {
			if i == 0 {
				c.add(nl.Text.Render(nl.Symbol) + " " + l)
			} else {
				c.add("  " + l)
			}
		}
	}
	if d == nil {
		return
	}
	c.add("")
	sp := supportForShoppers(r, d)
	// The support end in large type only when it is good news to read
	// from afar, and the screen is tall enough to keep everything else.
	switch good := r.Verdict == catalog.OK || r.Verdict == catalog.NotInScope || r.Verdict == catalog.Caution; {
	case good && sp.big != "" && h >= 34 && bigWidth(sp.big) <= c.w:
		c.add(st.Label.Render("Security updates until at least"))
		style := st.Bold
		if dated != nil {
			style = st.Verdicts[*dated].Text
		}
		for _, l := range bigText(sp.big) {
			c.add(style.Render(l))
		}
		c.wrap(st.Bold, sp.after, 0)
		c.wrap(plain, afterTheEnd, 0)
		c.add("")
	default:
		style := st.Bold
		if dated != nil {
			style = st.Verdicts[*dated].Text
		}
		c.field(st.Label, "Security updates", style, sp.words)
		if sp.big != "" && good {
			c.field(st.Label, "", plain, afterTheEnd)
		}
	}
	c.field(st.Label, "Report a security problem", plain, contactForShoppers(d))
	c.field(st.Label, "Passwords", plain, catalog.PasswordWords(d.Passwords))
}

// kioskNote is a shopper text and the verdict of its finding.
type kioskNote struct {
	verdict catalog.Verdict
	text    string
}

// datedFindings are the findings about the support end, which the
// "Security updates" line says in full: their notes would repeat it.
var datedFindings = map[string]bool{"support-ended": true, "support-ends-now": true, "support-ends-soon": true}

// counts reports whether a finding gives the shopper a note.
func counts(f catalog.Finding) bool {
	return !f.Excepted && f.Shopper != "" && (f.Verdict != catalog.OK || f.Code == "support-extended")
}

// datedVerdict is the verdict of the finding about the support end, nil
// when there is none.
func datedVerdict(r *catalog.Result) *catalog.Verdict {
	for _, f := range r.Findings {
		if counts(f) && datedFindings[f.Code] {
			return &f.Verdict
		}
	}
	return nil
}

// kioskNotes are the shopper texts of the findings that count, less every
// sentence the headline or an earlier note already says, and less those
// about the support end (see datedVerdict).
func kioskNotes(r *catalog.Result) (notes []kioskNote) {
	seen := map[string]bool{}
	for _, s := range sentences(headlines[r.Verdict]) {
		seen[s] = true
	}
	for _, f := range r.Findings {
		// The headline says what "excepted" would.
		if !counts(f) || datedFindings[f.Code] || f.Code == "excepted" {
			continue
		}
		var kept []string
		for _, s := range sentences(catalog.Sanitize(f.Shopper)) {
			if !seen[s] {
				seen[s] = true
				kept = append(kept, s)
			}
		}
		if len(kept) > 0 {
			notes = append(notes, kioskNote{f.Verdict, strings.Join(kept, " ")})
		}
	}
	return notes
}

// sentences splits text after each full stop, question or exclamation
// mark that ends a word.
func sentences(text string) []string {
	var out []string
	for text = strings.TrimSpace(text); text != ""; {
		i := strings.IndexAny(text, ".?!")
		for i >= 0 && i+1 < len(text) && text[i+1] != ' ' {
			j := strings.IndexAny(text[i+1:], ".?!")
			if j < 0 {
				i = -1
				break
			}
			i += 1 + j
		}
		if i < 0 {
			out = append(out, text)
			break
		}
		out = append(out, text[:i+1])
		text = strings.TrimSpace(text[i+1:])
	}
	return out
}

// productName is the brand and the model, without saying the brand
// twice: "Philips Hue" and "Hue Bridge" make "Philips Hue Bridge",
// "Google" and "Google Pixel 7" make "Google Pixel 7".
func productName(brand, model string) string {
	b, mo := strings.Fields(catalog.Sanitize(brand)), strings.Fields(catalog.Sanitize(model))
	for k := min(len(b), len(mo)); k > 0; k-- {
		if strings.EqualFold(strings.Join(b[len(b)-k:], " "), strings.Join(mo[:k], " ")) {
			mo = mo[k:]
			break
		}
	}
	return strings.Join(append(b, mo...), " ")
}

// unreadableWords is what a shopper reads for a scan that is not a
// product code: a web link or other text is named as such, with what to
// scan instead; anything that looks like a product code was misread.
func unreadableWords(input string) string {
	s := strings.TrimSpace(input)
	if len(s) >= 3 && s[0] == ']' {
		s = s[3:] // the AIM symbology identifier: "]Q1"
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "www."):
		// A GS1 Digital Link names a GTIN in its path; one that does
		// not parse was misread or is damaged. Any other page is a web
		// link, "/2024/01/sale" included.
		if digitalLinkKey(lower, "/01/") || digitalLinkKey(lower, "/gtin/") {
			return unreadableBarcode
		}
		return unreadableWebLink
	case s == "" || len(input) > maxScan:
		return unreadableText
	}
	// A GTIN, a GS1 element string, bracketed or not: digits first.
	if digits := strings.TrimPrefix(s, "("); digits != "" && digits[0] >= '0' && digits[0] <= '9' {
		return unreadableBarcode
	}
	return unreadableText
}

// digitalLinkKey reports whether the path of the URL u holds seg (the
// GTIN's AI, "/01/") followed by the digits of a GTIN, 8 to 14 of them,
// as a GS1 Digital Link does.
func digitalLinkKey(u, seg string) bool {
	if q := strings.IndexAny(u, "?#"); q >= 0 {
		u = u[:q]
	}
	for rest := u; ; {
		i := strings.Index(rest, seg)
		if i < 0 {
			return false
		}
		rest = rest[i+len(seg)-1:] // keep the slash: "/01/01/…" holds two
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if d := n - 1; d >= 8 && d <= 14 && (n == len(rest) || rest[n] == '/') {
			return true
		}
	}
}

// shopperSupport is the support end for shoppers.
type shopperSupport struct {
	words string // all of it in words, with the time left
	big   string // the end for large type ("AUG 2032"); "" when ended or unknown
	after string // what follows the end in large type
}

// supportForShoppers says the support end in words with the time left.
func supportForShoppers(r *catalog.Result, d *catalog.Declaration) shopperSupport {
	end := r.Support
	if end == nil {
		switch d.Support.Kind {
		case catalog.SupportNone:
			return shopperSupport{words: "The manufacturer hasn't said how long this product gets security updates."}
		case catalog.SupportRelative:
			return shopperSupport{words: fmt.Sprintf("%s, says the manufacturer; the end date can't be worked out here.", catalog.Sanitize(d.Support.Relative.String()))}
		}
		return shopperSupport{words: "Not known."}
	}
	p := end.Period
	if p.Beyond {
		// No day to name, so no large type: "after 9999" in words, and the
		// time to the end of 9999 as a lower bound.
		if r.Today.Before(catalog.MaxDate) {
			return shopperSupport{words: fmt.Sprintf("until %s, according to the manufacturer: more than %s from today.", p.Words(), shopperSpan(r.Today, catalog.MaxDate))}
		}
		return shopperSupport{words: fmt.Sprintf("until %s, according to the manufacturer.", p.Words())}
	}
	switch days := r.Today.DaysUntil(end.Last); {
	case days < 0:
		in := "in " + p.Words()
		if p.Precision == catalog.PrecDay {
			in = "on " + p.Words()
		}
		return shopperSupport{words: fmt.Sprintf("Ended %s (%s ago). This product no longer gets security updates.", in, shopperSpan(end.Last, r.Today))}
	case days == 0:
		return shopperSupport{words: "Security updates end today."}
	}
	sp := shopperSupport{
		words: fmt.Sprintf("until at least %s, according to the manufacturer: %s from today.", p.Words(), shopperSpan(r.Today, end.Last)),
		after: fmt.Sprintf("%s, according to the manufacturer: %s from today.", p.Words(), shopperSpan(r.Today, end.Last)),
	}
	switch p.Precision {
	case catalog.PrecYear:
		sp.big = strconv.Itoa(p.First.Year)
	default:
		sp.big = fmt.Sprintf("%.3s %d", p.First.Month, p.First.Year)
	}
	return sp
}

// shopperSpan says the time from a to b (a before b) for shoppers: "5
// years and 9 months", "11 months", "20 days".
func shopperSpan(a, b catalog.Date) string {
	months := (b.Year-a.Year)*12 + int(b.Month) - int(a.Month)
	if b.Day < a.Day {
		months--
	}
	if months < 1 {
		n := a.DaysUntil(b)
		return fmt.Sprintf("%d %s", n, plural(n, "day", "days"))
	}
	y, mo := months/12, months%12
	var parts []string
	if y > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", y, plural(y, "year", "years")))
	}
	if mo > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", mo, plural(mo, "month", "months")))
	}
	return strings.Join(parts, " and ")
}

// contactForShoppers is where to report a security problem, as people
// write addresses.
func contactForShoppers(d *catalog.Declaration) string {
	switch best := catalog.BestContact(d.Contacts); {
	case best != "":
		return catalog.Sanitize(catalog.ShortContact(best))
	case len(d.Contacts) > 0:
		return "The manufacturer's contact details are not usable."
	}
	return "The manufacturer hasn't published a way to report security problems."
}

// pinLines are the staff PIN prompt.
func (m *Kiosk) pinLines(c *kioskWriter) {
	st := &m.styles
	c.add("", st.Title.Render("Staff"), "")
	c.wrap(lipgloss.NewStyle(), "Type the staff PIN and press Enter.", 0)
	c.add("")
	c.add(st.Prompt.Render("PIN ▸ ") + st.Field.Render(strings.Repeat("•", len(m.pin))) + st.Cursor.Render(" "))
	if m.pinMessage != "" {
		c.add("")
		c.wrap(st.Error, m.pinMessage, 0)
	}
}

// staffLines are the staff screen: the catalog, the camera, how to leave.
func (m *Kiosk) staffLines(c *kioskWriter) {
	st := &m.styles
	s := catalog.Sanitize
	plain := lipgloss.NewStyle()
	c.add("", st.Title.Render("Staff"), "")
	if m.last != nil {
		m.lastScanLines(c)
		c.add("")
	}
	if r := m.sync.Refusal(); r != "" {
		c.wrap(st.Error, s(r), 0)
		c.add("")
	}
	if cat := m.cfg.Catalog; cat != nil {
		cp := cat.Checkpoint
		what := fmt.Sprintf("%s · %d records · issued %s · expires %s · today %s", s(cp.Origin), cp.Size,
			cp.Issued.In(london).Format("2006-01-02 15:04"), cp.Expires.In(london).Format("2006-01-02 15:04"), m.cfg.Today())
		if m.cfg.Demo {
			what += " · DEMO: invented products, not for real use"
		}
		if cp.Stale(m.cfg.Today()) {
			what += " · STALE: every scan shows CHECK; update it with smartcheck catalog sync"
		}
		c.field(st.Label, "Catalog", plain, what)
	} else {
		c.field(st.Label, "Catalog", st.Error, s(fmt.Sprintf("UNTRUSTED — every scan shows CHECK. Why: %v", m.cfg.Untrusted)))
	}
	if m.sync != nil {
		style := plain
		if last, ended := m.sync.Last(); ended && last.Err != nil {
			style = st.Error
		}
		c.field(st.Label, "Updates", style, s(m.sync.Status()))
	}
	c.add("")
	for i, l := range m.cameraWords() {
		name := ""
		if i == 0 {
			name = "Camera"
		}
		style := plain
		if strings.HasPrefix(l, "NOT WORKING") {
			style = st.Error
		}
		c.field(st.Label, name, style, s(l))
	}
	c.add("")
	c.field(st.Label, "Scanner", plain, "A USB keyboard-wedge scanner works at any time, with or without a camera.")
	c.field(st.Label, "Screen clears", plain, "after "+durationWords(m.cfg.Idle)+" without a scan")
	c.add("")
	if m.staffOK {
		c.field(st.Label, "Leave", st.Bold, "F10 quits the kiosk. Esc goes back to the shopper screen.")
	} else {
		how := "stop it from another terminal"
		if m.cfg.StopHint != "" {
			how += " (" + m.cfg.StopHint + ")"
		}
		c.field(st.Label, "Leave", plain, "No staff PIN is set (--staff-pin-file or $SMARTCHECK_STAFF_PIN), so the kiosk cannot be left from here: "+how+". Esc goes back to the shopper screen.")
	}
}

// lastScanLines are the staff view of the last scan a shopper was
// shown: the verdict, every finding with its staff text and rule, and
// the product's history, so that staff can say why it was CHECK or STOP
// and which records were ignored.
func (m *Kiosk) lastScanLines(c *kioskWriter) {
	st := &m.styles
	s := catalog.Sanitize
	plain := lipgloss.NewStyle()
	e := m.last
	when := fmt.Sprintf("#%d at %s · %s", e.seq, e.checked.In(london).Format("15:04:05"), fieldText(e.input))
	if e.err != nil {
		c.field(st.Label, "Last scan", plain, when+" · not a product code: "+s(e.err.Error()))
		return
	}
	r := e.result
	look := st.Verdicts[r.Verdict]
	c.field(st.Label, "Last scan", plain, when+" · "+look.Text.Render(look.Symbol+" "+look.Word))
	product := "GTIN " + r.GTIN
	if r.Batch != "" {
		product += " · batch " + s(r.Batch)
	}
	if d := r.Declaration; d != nil {
		product = fmt.Sprintf("%s · %s", productName(d.Brand, d.Model), product)
		c.field(st.Label, "Product", plain, product)
		c.field(st.Label, "Facts from", plain, fmt.Sprintf("#%d %s v%d · %s", r.Index, s(d.ID), d.Version, s(signerName(r.Signer))))
	} else {
		c.field(st.Label, "Product", plain, product+" · no trusted statement of compliance in the catalog")
	}
	records := productRecords(r)
	c.add("")
	c.add(st.Bold.Render(fmt.Sprintf("Findings (%d)", len(r.Findings))))
	if len(r.Findings) == 0 {
		c.add(st.Dim.Render("  none: every rule passed"))
	}
	for _, f := range r.Findings {
		c.add(findingLines(st, r, f, len(records) > 0, c.w)...)
	}
	if len(records) > 0 {
		c.add("")
		c.add(st.Bold.Render(recordsTitle(len(records))))
		for _, l := range records {
			c.add(hang(l.render(st), c.w, 2, 4)...)
		}
	}
}

// cameraWords describe the camera for staff.
func (m *Kiosk) cameraWords() []string {
	if !m.hasCamera() {
		return []string{"no camera: scanner only (start the kiosk with --camera /dev/video0 to use one)"}
	}
	cs := m.cam
	var out []string
	switch {
	case cs.running:
		out = append(out, fmt.Sprintf("%s — working since %s", cs.source, cs.since.In(london).Format("15:04:05")))
	case cs.err != nil:
		out = append(out, fmt.Sprintf("NOT WORKING since %s: %v", cs.since.In(london).Format("15:04:05"), cs.err))
		if cs.retryIn > 0 {
			out = append(out, fmt.Sprintf("trying again every %v; the scanner works meanwhile", cs.retryIn))
		}
	default:
		out = append(out, fmt.Sprintf("%s: starting", m.cfg.CameraSpec))
	}
	if cam := m.cfg.Camera; cam != nil {
		t := cam.Stats()
		out = append(out, fmt.Sprintf("%.1f frames/s · %d frames · %d decoded (%.0f ms each) · %d skipped while the decoder was busy · %d bad",
			t.FPS, t.Frames, t.Decoded, float64(t.Decode)/float64(time.Millisecond), t.Dropped, t.BadFrames))
		if t.LastBad != "" {
			out = append(out, "last bad frame: "+t.LastBad)
		}
	}
	if cs.lastCode != "" {
		out = append(out, fmt.Sprintf("last code read: %s at %s", fieldText(cs.lastCode), cs.lastAt.In(london).Format("15:04:05")))
	} else {
		out = append(out, "no code read yet")
	}
	return out
}

// renderPanel draws the camera panel, w x h: the preview with its aiming
// box in a border, or what is wrong with the camera.
func (m *Kiosk) renderPanel(w, h int) []string {
	st := &m.styles
	border := st.Dim
	inner := w - 2
	var body []string
	caption := ""
	switch {
	case m.cam.err != nil && !m.cam.running:
		body = []string{"", st.Bold.Render("The camera isn't working"), st.Bold.Render("at the moment."), "", "Please use the scanner,", "or ask a member of staff."}
	case m.camQuiet:
		body = []string{"", st.Bold.Render("No picture from the camera"), st.Bold.Render("at the moment."), "", "Please use the scanner,", "or ask a member of staff."}
	case m.preview == nil:
		body = []string{"", "Starting the camera…"}
	default:
		img := m.preview.Image
		ib := img.Bounds()
		cols := inner
		rows := 1
		if ib.Dx() > 0 {
			rows = max(1, (cols*ib.Dy()+ib.Dx())/(2*ib.Dx()))
		}
		if avail := h - 4; rows > avail {
			rows = max(1, avail)
			cols = min(inner, max(1, rows*2*ib.Dx()/max(1, ib.Dy())))
		}
		body = halfBlocks(img, cols, rows, true)
		caption = "Hold the barcode steady inside the green box."
	}
	out := make([]string, 0, h)
	title := " Camera "
	out = append(out, border.Render("╭"+title+strings.Repeat("─", max(0, w-2-len(title)))+"╮"))
	side := border.Render("│")
	for _, l := range body {
		if len(out) >= h-2 {
			break
		}
		out = append(out, side+center(l, inner)+side)
	}
	for len(out) < min(h-1, len(body)+1) {
		out = append(out, side+strings.Repeat(" ", inner)+side)
	}
	out = append(out, border.Render("╰"+strings.Repeat("─", w-2)+"╯"))
	if caption != "" {
		for _, l := range strings.Split(lipgloss.Wrap(caption, w, ""), "\n") {
			if len(out) < h {
				out = append(out, center(st.Bold.Render(l), w))
			}
		}
	}
	for len(out) < h {
		out = append(out, strings.Repeat(" ", w))
	}
	return out[:h]
}

// center pads a styled line to w cells, centred, or cuts it.
func center(s string, w int) string {
	n := lipgloss.Width(s)
	if n >= w {
		return fit(s, w)
	}
	l := (w - n) / 2
	return strings.Repeat(" ", l) + s + strings.Repeat(" ", w-n-l)
}

// aimColour is the aiming box drawn into the preview.
var aimColour = color.RGBA{0x20, 0xE0, 0x40, 0xFF}

// halfBlocks draws img in cols x rows cells of "▀", each cell two pixels:
// the upper in the foreground colour, the lower in the background. Colours
// are rounded to 4 bits a channel, so that sensor noise does not repaint
// every cell of every frame, and a colour is only written when it
// changes. With aim, a box marks the middle of the picture, where a
// barcode should be held.
func halfBlocks(img *image.RGBA, cols, rows int, aim bool) []string {
	ib := img.Bounds()
	ph := 2 * rows
	px := func(x, y int) color.RGBA {
		if aim {
			x0, x1 := cols/5, cols-1-cols/5
			y0, y1 := ph/4, ph-1-ph/4
			onX := (x == x0 || x == x1) && y >= y0 && y <= y1
			onY := (y == y0 || y == y1) && x >= x0 && x <= x1
			if onX || onY {
				return aimColour
			}
		}
		if ib.Dx() == 0 || ib.Dy() == 0 {
			return color.RGBA{}
		}
		c := img.RGBAAt(ib.Min.X+x*ib.Dx()/cols, ib.Min.Y+y*ib.Dy()/ph)
		return color.RGBA{c.R&0xF0 | c.R>>4, c.G&0xF0 | c.G>>4, c.B&0xF0 | c.B>>4, 0xFF}
	}
	out := make([]string, rows)
	var b strings.Builder
	for r := range rows {
		b.Reset()
		var fg, bg color.RGBA
		for x := range cols {
			top, bot := px(x, 2*r), px(x, 2*r+1)
			if x == 0 || top != fg || bot != bg {
				fmt.Fprintf(&b, "\x1b[38;2;%d;%d;%d;48;2;%d;%d;%dm", top.R, top.G, top.B, bot.R, bot.G, bot.B)
				fg, bg = top, bot
			}
			b.WriteString("▀")
		}
		b.WriteString("\x1b[m")
		out[r] = b.String()
	}
	return out
}
