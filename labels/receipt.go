package labels

import (
	"fmt"
	"strings"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// Receipt is the shopper's summary of one check at the till: what the
// shopper may read, in the shopper's words (verdicts.md, "What the
// shopper reads"), never the staff texts.
type Receipt struct {
	Result  *catalog.Result
	Checked time.Time // when the check was made
	Catalog string    // origin of the catalog that judged it; "" when it could not be trusted
	Demo    bool      // the built-in demo catalog: say so on paper too
}

// ReceiptOptions say what the printer can do.
type ReceiptOptions struct {
	// Columns is the number of characters on a line in the printer's
	// standard font: 48 on 80 mm paper (the default), 32 on 58 mm.
	Columns int
	// RasterQR sends the QR code as a bit image (GS v 0), for printers
	// without their own QR command (GS ( k).
	RasterQR bool
}

// verdictWords are the verdict as a shopper reads it on paper.
var verdictWords = map[catalog.Verdict]string{
	catalog.OK:         "The manufacturer's security information for this product is in order.",
	catalog.Caution:    "Please note the security information below.",
	catalog.Check:      "Please ask a member of staff about this product's security information.",
	catalog.Stop:       "This product isn't available for sale at the moment. Please ask a member of staff.",
	catalog.NotInScope: "The UK's security rules for smart products (PSTI) do not apply to this product.",
}

// ESCPOS renders the receipt as an ESC/POS job, ready for a Printer.
func (r Receipt) ESCPOS(opt ReceiptOptions) ([]byte, error) {
	cols := opt.Columns
	if cols <= 0 {
		cols = 48
	}
	if cols < 24 {
		return nil, fmt.Errorf("receipt: %d columns is too narrow (at least 24)", cols)
	}
	res := r.Result
	s := catalog.Sanitize
	var e escpos
	e.init()
	say := func(text string) {
		for _, l := range wrap(encode(s(text)), cols) {
			e.line(l)
		}
	}
	field := func(label, value string) {
		e.bold(true)
		say(label)
		e.bold(false)
		for _, l := range wrap(encode(s(value)), cols-2) {
			e.line(append([]byte("  "), l...))
		}
	}
	rule := func() { e.line([]byte(strings.Repeat("-", cols))) }

	e.align(1)
	e.bold(true)
	say("PRODUCT SECURITY CHECK")
	e.bold(false)
	say("Checked " + r.Checked.In(london()).Format("2 Jan 2006 15:04"))
	if r.Demo {
		say("DEMO DATA - not for real use")
	}
	e.line(nil)
	e.size(0x11)
	e.bold(true)
	e.line(encode(strings.ReplaceAll(res.Verdict.String(), "_", " ")))
	e.bold(false)
	e.size(0)
	say(verdictWords[res.Verdict])
	e.align(0)
	rule()

	d := res.Declaration
	if d != nil {
		field("Product", strings.TrimSpace(d.Brand+" "+d.Model))
	}
	field("Barcode", "GTIN "+res.GTIN+batchWords(res.Batch))
	contact := ""
	if d != nil {
		switch end := res.Support; {
		case end != nil && end.Beyond:
			field("Security updates until", end.Period.Words()+", according to the manufacturer")
		case end != nil:
			field("Security updates until", "at least "+end.Period.Words()+", according to the manufacturer")
		case d.Support.Kind == catalog.SupportNone:
			field("Security updates", "no end date published")
		default:
			field("Security updates", d.Support.Relative.String()+" (no end date can be worked out)")
		}
		contact = catalog.BestContact(d.Contacts)
		if contact != "" {
			field("Report a security problem", catalog.ShortContact(contact))
		} else {
			field("Report a security problem", "no contact published")
		}
		field("Passwords", catalog.PasswordWords(d.Passwords))
	}
	if notes := shopperNotes(res); len(notes) > 0 {
		rule()
		for _, n := range notes {
			say(n)
		}
	}
	if contact != "" && catalog.Sanitize(contact) == contact {
		e.line(nil)
		e.align(1)
		module := 6
		if cols < 40 {
			module = 4
		}
		if opt.RasterQR {
			if err := e.qrRaster([]byte(contact), module); err != nil {
				return nil, fmt.Errorf("receipt: QR code: %w", err)
			}
		} else {
			e.qrNative([]byte(contact), byte(module))
		}
		say("Scan to report a security problem")
		e.align(0)
	}
	rule()
	if r.Catalog != "" {
		say("Facts from the manufacturer's statement of compliance, as signed in catalog " + r.Catalog + ".")
	} else {
		say("The product catalog could not be checked: nothing above is confirmed.")
	}
	e.feedCut(3)
	return e.b, nil
}

func batchWords(b string) string {
	if b == "" {
		return ""
	}
	return ", batch " + b
}

// shopperNotes are the shopper texts of the findings that count, each
// once, in order, less what the verdict line already says.
func shopperNotes(r *catalog.Result) []string {
	var notes []string
	seen := map[string]bool{verdictWords[r.Verdict]: true}
	for _, f := range r.Findings {
		if f.Excepted || f.Shopper == "" || seen[f.Shopper] {
			continue
		}
		seen[f.Shopper] = true
		notes = append(notes, f.Shopper)
	}
	return notes
}

func london() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}
