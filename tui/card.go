package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

const labelW = 14

// cardLines renders the verdict card of the current scan, w cells wide
// for a pane of h lines. What staff must act on comes first, so that it
// is on screen at any size without scrolling: the verdict, what to do,
// the reasons (the staff text of every finding that makes it a STOP, a
// CHECK or a CAUTION) and what to tell the shopper. The routine facts,
// the product's records and the other findings follow. The verdict is in
// large type when that still leaves room for the rest of the head.
// Catalog text goes through catalog.Sanitize.
func (m *Till) cardLines(w, h int) []string {
	st := &m.styles
	e := m.current
	if e == nil {
		return []string{
			st.PaneTitle.Render("Ready"),
			"",
			"Scan a product's barcode, or type the digits under it and press Enter.",
			st.Dim.Render("Every check is recorded in the due-diligence log."),
		}
	}
	var c cardWriter
	c.w, c.st = w, st
	if e.err != nil {
		c.add(st.Error.Render("✗ NOT A PRODUCT CODE"))
		m.cardState(&c, e)
		c.add("")
		c.field("Scan", fmt.Sprintf("#%d at %s: %s", e.seq, e.checked.In(london).Format("15:04:05"), fieldText(e.input)))
		c.field("Why", catalog.Sanitize(e.err.Error()))
		c.add("")
		c.wrap("Scan it again, or type the digits printed under the barcode and press Enter.", 0)
		return c.lines
	}
	r := e.result
	look := st.Verdicts[r.Verdict]
	title := look.Symbol + " " + look.Word
	s := catalog.Sanitize
	d := r.Declaration
	tag := look.Tag.Render(title) + " " + look.Text.Render(fmt.Sprintf("scan #%d", e.seq))
	if d != nil {
		tag += " " + st.Bold.Render(s(strings.TrimSpace(d.Brand+" "+d.Model)))
	}
	c.add(tag)
	c.wrap(look.Action, 0)
	m.cardState(&c, e)
	records := productRecords(r)
	listed := len(records) > 0
	why := reasons(r)
	var whyTitle string
	if len(why) > 0 {
		c.add("")
		whyTitle = st.PaneTitle.Render("Why")
		c.add(whyTitle)
		for _, f := range why {
			c.add(findingLines(st, r, f, listed, c.w)...)
		}
	}
	if notes := shopperNotes(r); len(notes) > 0 {
		c.add("")
		c.field("Tell shopper", strings.Join(notes, " "))
	}
	// The facts follow the head, so a line of the pane goes to saying
	// so: the head fits in room, in large type if it can, else without
	// its blank lines and its "Why" heading.
	room := h - 1
	if len(c.lines) > room {
		head := c.lines[:0]
		for _, l := range c.lines {
			if l != "" && l != whyTitle {
				head = append(head, l)
			}
		}
		c.lines = head
	}
	if big := bigText(title); bigWidth(title) <= w && len(big)+1+len(c.lines) <= room {
		head := make([]string, 0, len(big)+1+len(c.lines))
		for _, l := range big {
			head = append(head, look.Text.Render(l))
		}
		c.lines = append(append(head, ""), c.lines...)
	}
	c.add("")

	c.field("Scan", fmt.Sprintf("%s · %s", e.checked.In(london).Format("15:04:05"), fieldText(e.input)))
	gtin := "GTIN " + r.GTIN
	if r.Batch != "" {
		gtin += " · batch " + s(r.Batch)
	}
	if d == nil {
		c.field("Product", gtin)
		c.field("Facts", "none: no verified statement of compliance for this product in the catalog")
	} else {
		product := s(strings.TrimSpace(d.Brand + " " + d.Model))
		if d.ModelNumber != "" {
			product += " · model " + s(d.ModelNumber)
		}
		c.field("Product", fmt.Sprintf("%s (%s) · %s", product, s(d.Category), gtin))
		c.field("Support", supportWords(r, d))
		if d.SupportStatement != "" {
			c.field("", st.Dim.Render("“"+s(d.SupportStatement)+"”"))
		}
		switch best := catalog.BestContact(d.Contacts); {
		case best != "":
			c.field("Contact", s(best))
		case len(d.Contacts) > 0:
			c.field("Contact", fmt.Sprintf("%q — not a usable mailto:, https: or tel: address", s(d.Contacts[0])))
		default:
			c.field("Contact", "none published")
		}
		pw := catalog.PasswordWords(d.Passwords)
		if d.PasswordNote != "" {
			pw += " — " + s(d.PasswordNote)
		}
		c.field("Passwords", pw)
		signer := s(r.Signer.Name)
		if r.Signer.Org != "" {
			signer = s(r.Signer.Org) + " (key " + signer + ")"
		}
		c.field("Signed by", fmt.Sprintf("%s, %s · declaration %s version %d", signer, s(r.Signer.Role), s(d.ID), d.Version))
	}
	for _, n := range r.Notices {
		c.field("Notice", noticeWords(n))
	}
	if listed {
		c.add("")
		c.add(st.PaneTitle.Render(recordsTitle(len(records))))
		for _, l := range records {
			c.hang(l.render(st), 2, 4)
		}
	}
	others := len(r.Findings) - len(why)
	c.add("")
	switch {
	case len(r.Findings) == 0:
		c.add(st.PaneTitle.Render("Findings (0)"))
		c.add(st.Dim.Render("  none: every rule passed"))
	case others == 0:
		c.add(st.Dim.Render(fmt.Sprintf("Findings (%d): all under Why", len(r.Findings))))
	case len(why) == 0:
		c.add(st.PaneTitle.Render(fmt.Sprintf("Findings (%d)", len(r.Findings))))
	default:
		c.add(st.PaneTitle.Render(fmt.Sprintf("Other findings (%d of %d)", others, len(r.Findings))))
	}
	for _, f := range r.Findings {
		if !isReason(r, f) {
			c.add(findingLines(st, r, f, listed, c.w)...)
		}
	}
	return c.lines
}

// cardState says where the scan on the card stands: waiting for F2, being
// read, acknowledged, or opened from the history.
func (m *Till) cardState(c *cardWriter, e *entry) {
	st := c.st
	word := "scan"
	if e.result != nil {
		word = st.Verdicts[e.result.Verdict].Word
	}
	switch {
	case m.hold == e:
		look := st.Verdicts[e.result.Verdict]
		prompt, after := "Press F2 to acknowledge this STOP", " — scans made meanwhile wait in the queue"
		if e.result.Verdict == catalog.Check {
			prompt, after = "Press F2 to acknowledge this CHECK", " once checked — scans made meanwhile wait"
		}
		c.add(look.Tag.Render(prompt) + st.Dim.Render(after))
	case m.reading == e:
		c.add(st.Waiting.Render("Scans made meanwhile wait while this is read") + st.Dim.Render(" — F2 to go on now"))
	case !e.acked.IsZero():
		c.add(st.Dim.Render(word + " acknowledged at " + e.acked.In(london).Format("15:04:05")))
	}
	if m.opened && m.current == e {
		c.add(st.Waiting.Render("Opened from the history") + st.Dim.Render(" — Esc goes back to the latest scan"))
	}
}

// reasons are the findings that make the verdict what it is, for the
// head of the card: every STOP and CHECK that counts, and the CAUTIONs of
// a CAUTION.
func reasons(r *catalog.Result) []catalog.Finding {
	var out []catalog.Finding
	for _, f := range r.Findings {
		if isReason(r, f) {
			out = append(out, f)
		}
	}
	return out
}

func isReason(r *catalog.Result, f catalog.Finding) bool {
	if f.Excepted {
		return false
	}
	return f.Verdict == catalog.Stop || f.Verdict == catalog.Check || f.Verdict == catalog.Caution && r.Verdict == catalog.Caution
}

// cardWriter collects the card's lines.
type cardWriter struct {
	w     int
	st    *Styles
	lines []string
}

func (c *cardWriter) add(l ...string) { c.lines = append(c.lines, l...) }

// wrap adds text wrapped to the card, indented.
func (c *cardWriter) wrap(text string, indent int) {
	pad := strings.Repeat(" ", indent)
	for _, l := range wrapLines(text, max(10, c.w-indent)) {
		c.add(pad + l)
	}
}

// hang adds text wrapped to the card, its first line indented by first
// cells and the others by rest.
func (c *cardWriter) hang(text string, first, rest int) {
	c.lines = append(c.lines, hang(text, c.w, first, rest)...)
}

// field adds a labelled fact, wrapped under its value.
func (c *cardWriter) field(label, value string) {
	pad := strings.Repeat(" ", labelW)
	for i, l := range wrapLines(value, max(10, c.w-labelW)) {
		if i == 0 {
			c.add(c.st.Label.Render(fmt.Sprintf("%-*s", labelW, label)) + l)
		} else {
			c.add(pad + l)
		}
	}
}

// supportWords gives the support end at its declared precision and the
// time left.
func supportWords(r *catalog.Result, d *catalog.Declaration) string {
	s := catalog.Sanitize
	end := r.Support
	if end == nil {
		switch d.Support.Kind {
		case catalog.SupportNone:
			return "no support period published"
		case catalog.SupportRelative:
			return s(d.Support.Relative.String()) + " — the end cannot be worked out"
		}
		return "not known"
	}
	var w string
	if end.Beyond {
		// Its day cannot be named: say how long at least.
		w = "until " + end.Period.Words()
		if days := r.Today.DaysUntil(catalog.MaxDate); days > 0 {
			w += " · more than " + span(r.Today, catalog.MaxDate, days) + " left"
		}
	} else {
		w = fmt.Sprintf("until %s (%s) · %s", end.Period.Words(), end.Period, timeLeft(r.Today, end.Last))
	}
	if end.Computed {
		w += fmt.Sprintf(" · worked out from “%s”", s(d.Support.Relative.String()))
	}
	return w
}

// timeLeft says how long from today to the last day of support.
func timeLeft(today, last catalog.Date) string {
	days := today.DaysUntil(last)
	switch {
	case days == 0:
		return "ends today"
	case days < 0:
		return fmt.Sprintf("ended %s ago", span(last, today, -days))
	}
	return span(today, last, days) + " left"
}

// span says the time from a to b (a before b), in years and months, and
// days.
func span(a, b catalog.Date, days int) string {
	months := (b.Year-a.Year)*12 + int(b.Month) - int(a.Month)
	if b.Day < a.Day {
		months--
	}
	dayWords := fmt.Sprintf("%d %s", days, plural(days, "day", "days"))
	if months < 1 {
		return dayWords
	}
	var parts []string
	if y := months / 12; y > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", y, plural(y, "year", "years")))
	}
	if mo := months % 12; mo > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", mo, plural(mo, "month", "months")))
	}
	return strings.Join(parts, " ") + " (" + dayWords + ")"
}

func noticeWords(n catalog.NoticeState) string {
	s := catalog.Sanitize
	no := n.Notice
	w := fmt.Sprintf("#%d %s revision %d: %s, %s, issued %s by %s", n.Index, s(no.ID), no.Revision, s(no.Type), s(no.Status), no.Issued, s(no.IssuedBy))
	if len(no.Batches) > 0 {
		w += " · batches " + s(strings.Join(no.Batches, ", "))
	}
	if no.CustomerRisk != "" {
		w += " · “" + s(no.CustomerRisk) + "”"
	}
	if no.Fictional {
		w += " (fictional demo notice)"
	}
	return w
}

// shopperNotes are the shopper texts of the findings that count, each
// once: what staff tell the shopper.
func shopperNotes(r *catalog.Result) []string {
	var notes []string
	seen := map[string]bool{}
	for _, f := range r.Findings {
		if f.Excepted || f.Shopper == "" || seen[f.Shopper] || f.Verdict == catalog.OK && f.Code != "support-extended" {
			continue
		}
		seen[f.Shopper] = true
		notes = append(notes, catalog.Sanitize(f.Shopper))
	}
	return notes
}
