package labels

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// Label is what one shelf label says, in the words printed on it. Every
// string has been through catalog.Sanitize.
type Label struct {
	GTIN      string // GTIN-14, drawn as the product barcode
	Title     string // brand and model
	Support   string // "Security updates until August 2032"
	Passwords string // "Passwords: the user sets the password"
	Contact   string // "Report security problems: g.co/vulnz"; "" when none
	Note      string // the one fact a CAUTION wants a shopper to see, or ""
	QR        string // the disclosure contact in ASCII (punycode) form: "https://g.co/vulnz"; "" for none
	Price     string // "£499.00", or ""
	Shelf     string // shelf location, for staff, or ""
	Footer    string // "Checked 24 Nov 2026 · catalog of 94 records"
	Demo      bool   // from the built-in demo catalog: printed DEMO
}

// Item is one product to make a label for, as a CSV row or the command
// line gives it.
type Item struct {
	GTIN  string // GTIN-14
	Batch string // optional
	Price string // optional: "499", "499.00", "£499.00" (FormatPrice)
	Shelf string // optional shelf location
}

// Key names the shelf place an item's label is for: the same product on
// two shelves has two labels.
func (it Item) Key() string {
	return it.GTIN + "|" + it.Batch + "|" + it.Shelf
}

// Context is what every label of a run shares.
type Context struct {
	Checked     catalog.Date // the day the products were judged
	CatalogSize int64
	Demo        bool
}

// RefusedError says why a product gets no label: its verdict is STOP or
// CHECK, and a shelf label would tell shoppers it may be sold.
type RefusedError struct {
	GTIN    string
	Verdict catalog.Verdict
	Reasons []string // the staff texts of the findings that decided it
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s: %s, no label: %s", e.GTIN, e.Verdict, strings.Join(e.Reasons, " "))
}

// Make says what the label for a judged product says, or refuses with a
// *RefusedError for STOP and CHECK.
func Make(res *catalog.Result, it Item, ctx Context) (*Label, error) {
	s := catalog.Sanitize
	if res.Verdict == catalog.Stop || res.Verdict == catalog.Check {
		e := &RefusedError{GTIN: res.GTIN, Verdict: res.Verdict}
		for _, f := range res.Findings {
			if !f.Excepted && f.Verdict == res.Verdict {
				e.Reasons = append(e.Reasons, s(f.Staff))
			}
		}
		return nil, e
	}
	d := res.Declaration
	if d == nil {
		// Judge gives CHECK without a declaration; never print guesses.
		return nil, &RefusedError{GTIN: res.GTIN, Verdict: catalog.Check, Reasons: []string{"no trusted declaration"}}
	}
	price, err := FormatPrice(it.Price)
	if err != nil {
		return nil, err
	}
	l := &Label{
		GTIN:      res.GTIN,
		Title:     s(strings.TrimSpace(d.Brand + " " + d.Model)),
		Passwords: "Passwords: " + s(catalog.PasswordWords(d.Passwords)),
		Price:     price,
		Shelf:     s(it.Shelf),
		Demo:      ctx.Demo,
	}
	switch end := res.Support; {
	case end != nil && ended(res):
		l.Support = "Security updates ended " + endedWords(end.Period)
	case end != nil:
		// At the declared precision: "August 2032", "2031", "3 February
		// 2032"; a relative period with a known anchor as the day it ends,
		// or "after 9999" when that day falls after 9999-12-31.
		l.Support = "Security updates until " + end.Period.Words()
	case d.Support.Kind == catalog.SupportNone:
		l.Support = "Security updates: no end date published"
	default:
		l.Support = "Security updates: " + s(d.Support.Relative.String())
	}
	// The QR code and the contact line say the same address, in ASCII
	// (punycode) form, so that what a shopper reads is where the link goes
	// (verdicts.md). BestContact gives it so; a host that cannot be put
	// in that form is not printed at all.
	if c := catalog.BestContact(d.Contacts); c != "" && qrContact(c) {
		l.Contact = "Report security problems: " + s(catalog.ShortContact(c))
		l.QR = c
	}
	l.Note = labelNote(res)
	l.Footer = fmt.Sprintf("Checked %d %s %d · catalog of %d records", ctx.Checked.Day, ctx.Checked.Month.String()[:3], ctx.Checked.Year, ctx.CatalogSize)
	if ctx.Demo {
		l.Footer += " · DEMO DATA"
	}
	return l, nil
}

// qrContact reports whether c may go in a label's QR code: printable
// ASCII (a host in punycode form) that a phone opens, not too long for a
// small code.
func qrContact(c string) bool {
	if c == "" || len(c) > 150 {
		return false
	}
	for i := 0; i < len(c); i++ {
		if c[i] <= ' ' || c[i] >= 0x7f {
			return false
		}
	}
	return true
}

// ended reports whether the verdict says the support period is over
// (R7a, as CAUTION when the retailer's policy lets it be sold).
func ended(res *catalog.Result) bool {
	for _, f := range res.Findings {
		if f.Code == "support-ended" && !f.Excepted {
			return true
		}
	}
	return false
}

// endedWords is when a support period ended, as verdicts.md words it
// for shoppers: "in October 2026", "in 2025", "on 3 February 2026".
func endedWords(p catalog.Period) string {
	switch p.Precision {
	case catalog.PrecYear, catalog.PrecMonth:
		return "in " + p.Words()
	}
	return "on " + p.Words()
}

// MaxPrice is the largest price a label prints, in pence: the price
// has one size on every label of a sheet, and room for "£99,999.99".
const MaxPrice = 99_999_99

// FormatPrice writes a price as a shelf shows it: "499", "499.0",
// "499.00", "£499.00" and "1,299.50" become "£499.00" and "£1,299.50".
// Anything else is an error that says what a price looks like: text
// ("abc", "2 for £5"), a sign, an exponent, more than two decimal
// places, a misplaced comma, nothing above zero, or more than £99,999.99.
func FormatPrice(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", nil
	}
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("price %q %s: want pounds and pence such as 499, 499.99 or £1,299.00", catalog.Sanitize(p), why)
	}
	num := strings.TrimPrefix(p, "£")
	whole, frac, hasFrac := strings.Cut(num, ".")
	if hasFrac && (len(frac) == 0 || len(frac) > 2 || !digits(frac)) {
		return bad("is not a price")
	}
	if strings.Contains(whole, ",") {
		// Commas only between groups of three digits: 1,299 and 12,999.
		groups := strings.Split(whole, ",")
		for i, g := range groups {
			if i == 0 && (len(g) == 0 || len(g) > 3) || i > 0 && len(g) != 3 {
				return bad("is not a price")
			}
		}
		whole = strings.Join(groups, "")
	}
	if !digits(whole) {
		return bad("is not a price")
	}
	whole = strings.TrimLeft(whole, "0")
	pounds, _ := strconv.Atoi("0" + whole)
	pence, _ := strconv.Atoi((frac + "00")[:2])
	switch total := pounds*100 + pence; {
	case len(whole) > 5 || total > MaxPrice:
		return bad("is more than £99,999.99")
	case total == 0:
		return bad("is nothing")
	}
	return "£" + commas(fmt.Sprintf("%d.%02d", pounds, pence)), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func commas(s string) string {
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + "." + frac
}

// Text is what the label tells a shopper, one fact a line: what the
// reprint journal compares. The footer (when it was checked, against
// which catalog) is left out: it says when, not what, and a label whose
// facts still hold need not be reprinted because a day passed.
func (l *Label) Text() string {
	var b strings.Builder
	for _, line := range []string{l.Title, "GTIN " + l.GTIN, l.Support, l.Note, l.Passwords, l.Contact, l.QR, l.Price} {
		if line != "" {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	if l.Demo {
		b.WriteString("DEMO\n")
	}
	return b.String()
}

// labelNote is the one fact of a CAUTION or NOT_IN_SCOPE verdict a shelf
// label says besides the support end, in words that stay true while the
// label is on the shelf.
func labelNote(res *catalog.Result) string {
	if res.Excepted {
		return "UK product security rules (PSTI) do not apply."
	}
	for _, f := range res.Findings {
		if f.Excepted || f.Verdict != catalog.Caution {
			continue
		}
		switch f.Code {
		case "support-ends-soon":
			return "Less than a year of security updates left."
		case "support-ends-now":
			return "Security updates are ending now."
		case "enforcement-history", "notice-under-appeal":
			return catalog.Sanitize(f.Shopper)
		}
	}
	return ""
}
