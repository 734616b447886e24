package labels

import (
	"fmt"
	"net/url"
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
	QR        string // https URL of the support-period or security page; "" for none
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
	Price string // optional: "499", "499.00", "£499.00"
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
	if c := catalog.BestContact(d.Contacts); c != "" {
		l.Contact = "Report security problems: " + s(catalog.ShortContact(c))
	}
	l.Note = labelNote(res)
	for _, u := range []string{catalog.ASCIIAddress(d.SupportURL), catalog.ASCIIAddress(d.Policy), catalog.BestContact(d.Contacts)} {
		if qrURL(u) {
			l.QR = u
			break
		}
	}
	l.Footer = fmt.Sprintf("Checked %d %s %d · catalog of %d records", ctx.Checked.Day, ctx.Checked.Month.String()[:3], ctx.Checked.Year, ctx.CatalogSize)
	if ctx.Demo {
		l.Footer += " · DEMO DATA"
	}
	return l, nil
}

// qrURL reports whether u may go in a label's QR code: a clean https URL
// that a phone opens as a web page.
func qrURL(u string) bool {
	if u == "" || catalog.Sanitize(u) != u || len(u) > 300 {
		return false
	}
	p, err := url.Parse(u)
	return err == nil && p.Scheme == "https" && p.Host != "" && p.User == nil
}

// FormatPrice writes a price as a shelf shows it: "499" and "499.00"
// become "£499.00"; text with its own currency sign is kept as given.
func FormatPrice(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", nil
	}
	num := strings.TrimPrefix(p, "£")
	if f, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", ""), 64); err == nil {
		if f < 0 || f > 1e7 {
			return "", fmt.Errorf("price %q is out of range", p)
		}
		return "£" + commas(strconv.FormatFloat(f, 'f', 2, 64)), nil
	}
	if catalog.Sanitize(p) != p || len([]rune(p)) > 16 {
		return "", fmt.Errorf("price %q is not a price", p)
	}
	return p, nil
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
		return "UK product security rules (PSTI) do not apply to this product."
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
		case "support-ended":
			return "Security updates have ended."
		case "enforcement-history", "notice-under-appeal":
			return catalog.Sanitize(f.Shopper)
		}
	}
	return ""
}
