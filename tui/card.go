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

// cardLines renders the verdict card of the current scan: every fact for
// staff, every finding with its staff text and legal basis. Catalog text
// goes through catalog.Sanitize.
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
	if bigWidth(title) <= w {
		for _, l := range bigText(title) {
			c.add(look.Text.Render(l))
		}
		c.add("")
	}
	c.add(look.Tag.Render(title) + " " + look.Text.Render(fmt.Sprintf("scan #%d", e.seq)))
	c.wrap(look.Action, 0)
	switch {
	case m.hold == e:
		c.add(st.Verdicts[catalog.Stop].Tag.Render("Press F2 to acknowledge this STOP") + st.Dim.Render(" — scans made meanwhile wait in the queue"))
	case !e.acked.IsZero():
		c.add(st.Dim.Render("STOP acknowledged at " + e.acked.In(london).Format("15:04:05")))
	}
	c.add("")

	s := catalog.Sanitize
	c.field("Scan", fmt.Sprintf("%s · %s", e.checked.In(london).Format("15:04:05"), fieldText(e.input)))
	gtin := "GTIN " + r.GTIN
	if r.Batch != "" {
		gtin += " · batch " + s(r.Batch)
	}
	d := r.Declaration
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
	records := productRecords(r)
	if len(records) > 0 {
		c.add("")
		c.add(st.PaneTitle.Render(recordsTitle(len(records))))
		for _, l := range records {
			c.hang(l.render(st), 2, 4)
		}
	}
	c.add("")
	c.add(st.PaneTitle.Render(fmt.Sprintf("Findings (%d)", len(r.Findings))))
	if len(r.Findings) == 0 {
		c.add(st.Dim.Render("  none: every rule passed"))
	}
	for _, f := range r.Findings {
		c.add(findingLines(st, r, f, len(records) > 0, c.w)...)
	}
	if notes := shopperNotes(r); len(notes) > 0 {
		c.add("")
		c.field("Tell shopper", strings.Join(notes, " "))
	}
	return c.lines
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
