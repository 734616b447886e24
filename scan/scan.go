package scan

import (
	"fmt"
	"strings"
)

// gs is the ASCII group separator, which stands for FNC1 between GS1
// elements.
const gs = 0x1D

// MaxLen is the longest scan Parse reads, in bytes. The largest barcodes
// carry about 7000 digits (a QR Code) or 3000 bytes; a longer scan is not a
// barcode, and refusing it bounds the work Parse does.
const MaxLen = 8192

// Code is a product code read from a scan.
type Code struct {
	GTIN      string    // 14 digits, check digit valid, left-padded with zeros
	Batch     string    // AI 10, "" when absent
	Serial    string    // AI 21, "" when absent
	Expiry    string    // AI 17 as carried (YYMMDD), "" when absent
	Symbology string    // the AIM identifier given, e.g. "]E0", "" when none
	Elements  []Element // every GS1 element in order of appearance; for a plain GTIN, one element {"01", gtin14}
}

// Element is one GS1 element: an Application Identifier and its value, as
// carried (percent-decoding undone; a GTIN in a Digital Link path padded to
// 14 digits).
type Element struct{ AI, Value string }

// Error says why a scan is not a product code.
type Error struct {
	Input string // the scan as given to Parse
	Pos   int    // byte offset in Input where the problem was found (len(Input) if something is missing at the end); -1 when it has no one place
	AI    string // the Application Identifier concerned, "" when none
	Msg   string // lower-case and specific: "bad check digit in GTIN 9520000000012: want 1, got 2"
}

// Error returns e.Msg; callers add their own context.
func (e *Error) Error() string { return e.Msg }

func newError(input string, pos int, ai string, format string, args ...any) *Error {
	return &Error{Input: input, Pos: pos, AI: ai, Msg: fmt.Sprintf(format, args...)}
}

// ValidCheckDigit reports whether the GS1 mod-10 check digit of an all-digit
// string is right: the last digit makes the sum of the others, weighted 3,
// 1, 3, ... from the right, a multiple of ten (GS1 General Specifications,
// "standard check digit calculations for GS1 data structures"). It reports
// false for strings shorter than two digits or with anything but digits.
func ValidCheckDigit(digits string) bool {
	if len(digits) < 2 || !isDigits(digits) {
		return false
	}
	return checkDigit(digits[:len(digits)-1]) == digits[len(digits)-1]
}

// checkDigit returns the GS1 mod-10 check digit for data, which must be all
// digits.
func checkDigit(data string) byte {
	sum := 0
	w := 3
	for i := len(data) - 1; i >= 0; i-- {
		sum += w * int(data[i]-'0')
		w = 4 - w
	}
	return byte('0' + (10-sum%10)%10)
}

// Bracketed renders c.Elements in the bracketed human-readable form printed
// under GS1 barcodes, "(01)09520000000011(10)B2402". A "(" inside a value is
// written "\(", as GS1's syntax engine reads it. Parse reads the result back
// to the same Code, less the Symbology.
func (c Code) Bracketed() string {
	var b strings.Builder
	for _, e := range c.Elements {
		b.WriteByte('(')
		b.WriteString(e.AI)
		b.WriteByte(')')
		for i := 0; i < len(e.Value); i++ {
			if e.Value[i] == '(' {
				b.WriteByte('\\')
			}
			b.WriteByte(e.Value[i])
		}
	}
	return b.String()
}

// Parse reads s as one of the forms described in the package documentation
// and returns the product code it carries. When s is not a product code, the
// error is an *Error saying why. Parse keeps no state: it may be called from
// any number of goroutines at once.
func Parse(s string) (Code, error) {
	c, err := parse(s)
	if err != nil {
		return Code{}, err
	}
	return c, nil
}

func parse(in string) (Code, *Error) {
	// A scanner ends its data with Enter or Tab; a terminal may add CR, LF
	// or both.
	s := in
	for len(s) > 0 {
		c := s[len(s)-1]
		if c != '\r' && c != '\n' && c != '\t' {
			break
		}
		s = s[:len(s)-1]
	}
	if s == "" {
		return Code{}, newError(in, -1, "", "empty scan")
	}
	if len(s) > MaxLen {
		return Code{}, newError(in, MaxLen, "", "scan too long: %d bytes, at most %d", len(s), MaxLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != gs) || c == 0x7F {
			return Code{}, newError(in, i, "", "control character 0x%02X at byte %d", c, i)
		}
	}
	if s[0] == ']' {
		return parseAIM(in, s)
	}
	return parseBare(in, s)
}

// symbologyGS1 lists the AIM identifiers (ISO/IEC 15424) whose data is a GS1
// element string, FNC1 in first position: GS1-128, GS1 DataBar and composite,
// GS1 DataMatrix, GS1 QR Code, GS1 DotCode.
func symbologyGS1(sym string) bool {
	switch sym {
	case "]C1", "]e0", "]d2", "]Q3", "]J1":
		return true
	}
	return false
}

// symbologyText lists the AIM identifiers whose data is plain text, which
// for us may be a GS1 Digital Link URI or a bare GTIN: Code 128 without FNC1,
// Data Matrix ECC 200, QR Code model 2, Aztec and DotCode without FNC1.
func symbologyText(sym string) bool {
	switch sym {
	case "]C0", "]d1", "]Q1", "]z0", "]J0":
		return true
	}
	return false
}

func parseAIM(in, s string) (Code, *Error) {
	if len(s) < 3 {
		return Code{}, newError(in, 0, "", "truncated symbology identifier %q", s)
	}
	sym, data := s[:3], s[3:]
	if data == "" {
		return Code{}, newError(in, 3, "", "no data after symbology identifier %s", sym)
	}
	var (
		c   Code
		err *Error
	)
	switch {
	case sym == "]E0":
		// EAN-13 and UPC-A are sent as 13 digits (some scanners send UPC-A
		// as its 12); UPC-E is sent as its 8 digits and expanded here.
		switch len(data) {
		case 13, 12:
			c, err = parseGTINDigits(in, data, 3)
		case 8:
			c, err = parseUPCE(in, data, 3)
		default:
			err = newError(in, 3, "", "%s carries 13 or 12 digits (EAN-13, UPC-A) or 8 (UPC-E), not %d characters", sym, len(data))
		}
	case sym == "]E4":
		if len(data) != 8 {
			err = newError(in, 3, "", "%s carries 8 digits (EAN-8), not %d characters", sym, len(data))
		} else {
			c, err = parseGTINDigits(in, data, 3)
		}
	case sym == "]E3":
		// An EAN-13 or UPC-A with its 2- or 5-digit add-on. The add-on
		// (periodical issue, price) is not part of the product code.
		if len(data) != 15 && len(data) != 18 {
			err = newError(in, 3, "", "%s carries 13 digits and a 2- or 5-digit add-on, not %d characters", sym, len(data))
		} else if !isDigits(data) {
			err = newError(in, 3, "", "%s data %q is not all digits", sym, data)
		} else {
			c, err = parseGTINDigits(in, data[:13], 3)
		}
	case sym == "]E1" || sym == "]E2":
		err = newError(in, 0, "", "an EAN/UPC add-on on its own (%s) is not a product code", sym)
	case sym == "]I0" || sym == "]I1":
		// Interleaved 2 of 5 is a product code only as ITF-14, which
		// carries a GTIN-14.
		if len(data) != 14 {
			err = newError(in, 3, "", "interleaved 2 of 5 carries a GTIN only as ITF-14 (14 digits), not %d characters", len(data))
		} else {
			c, err = parseGTINDigits(in, data, 3)
		}
	case symbologyGS1(sym):
		c, err = parseElementString(in, data, 3, true)
	case symbologyText(sym):
		c, err = parseText(in, data, 3, sym)
	default:
		err = newError(in, 0, "", "unsupported symbology identifier %s", sym)
	}
	if err != nil {
		return Code{}, err
	}
	c.Symbology = sym
	return c, nil
}

// parseText reads the data of a plain-text symbology: a GS1 Digital Link URI
// or the digits of a GTIN.
func parseText(in, data string, off int, sym string) (Code, *Error) {
	if isDLScheme(data) {
		return parseDigitalLink(in, data, off)
	}
	if isDigits(data) {
		return parseGTINDigits(in, data, off)
	}
	return Code{}, newError(in, off, "", "not a product code: %s data is neither a GS1 Digital Link URI nor a GTIN", sym)
}

func isDLScheme(s string) bool {
	return hasPrefixFold(s, "https://") || hasPrefixFold(s, "http://")
}

// hasPrefixFold reports whether s starts with the lower-case ASCII prefix,
// in any case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// parseBare reads a scan without a symbology identifier: typed by a person,
// or sent by a scanner configured without AIM prefixes.
func parseBare(in, s string) (Code, *Error) {
	switch {
	case isDigits(s) && (len(s) == 8 || len(s) == 12 || len(s) == 13 || len(s) == 14):
		// Without an AIM prefix, 8 digits are an EAN-8: a UPC-E cannot be
		// told apart and must come with ]E0.
		return parseGTINDigits(in, s, 0)
	case s[0] == '(':
		return parseBracketed(in, s, 0)
	case isDLScheme(s):
		return parseDigitalLink(in, s, 0)
	case s[0] == gs:
		return parseElementString(in, s, 0, false)
	case strings.HasPrefix(s, "01") || strings.HasPrefix(s, "02"):
		return parseElementString(in, s, 0, false)
	case isDigits(s):
		return Code{}, newError(in, -1, "", "not a product code: %d digits is not a GTIN (8, 12, 13 or 14 digits)", len(s))
	}
	return Code{}, newError(in, -1, "", "not a product code: %s is not a GTIN, a GS1 element string or a GS1 Digital Link URI", quoteShort(s))
}

// quoteShort quotes s for an error message, cut short if long.
func quoteShort(s string) string {
	const max = 40
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}
