package scan

import (
	"fmt"
	"strings"
)

// parseElementString reads s, found at byte off of in, as a GS1 element
// string: AIs and values run together, a GS after each value whose AI has no
// predefined length, unless it is the last. When tilde is set (the
// symbology identifier said GS1), "~" stands for GS too.
func parseElementString(in, s string, off int, tilde bool) (Code, *Error) {
	isSep := func(c byte) bool { return c == gs || (tilde && c == '~') }
	elems := make([]Element, 0, 4)
	defs := make([]*aiDef, 0, 4)
	i := 0
	// FNC1 in first position is sometimes sent as a GS (a GS1 DataMatrix
	// read by many decoders starts with one); skip it.
	if i < len(s) && isSep(s[i]) {
		i++
	}
	if i == len(s) {
		return Code{}, newError(in, off, "", "empty element string")
	}
	for i < len(s) {
		at := off + i
		if isSep(s[i]) {
			return Code{}, newError(in, at, "", "element string has two separators in a row at byte %d", at)
		}
		if s[i] == '~' {
			return Code{}, newError(in, at, "", "'~' at byte %d: '~' stands for GS only after a GS1 symbology identifier (]C1, ]e0, ]d2, ]Q3, ]J1)", at)
		}
		if s[i] < '0' || s[i] > '9' {
			return Code{}, newError(in, at, "", "element string: expected an AI at byte %d, found %q", at, s[i])
		}
		if i+1 == len(s) || isSep(s[i+1]) {
			return Code{}, newError(in, at, "", "truncated element string: %q where an AI was expected", s[i:i+1])
		}
		l := aiTable.aiLen(s[i], s[i+1])
		if l == 0 {
			return Code{}, newError(in, at, s[i:i+2], "unknown AI (%s): no GS1 AI starts with %s", s[i:i+2], s[i:i+2])
		}
		if len(s)-i < l {
			return Code{}, newError(in, at, "", "truncated element string: AI needs %d digits, %d left", l, len(s)-i)
		}
		ai := s[i : i+l]
		d := aiTable.lookup(ai)
		if d == nil {
			if !isDigits(ai) {
				return Code{}, newError(in, at, "", "element string: AI %q at byte %d is not all digits", ai, at)
			}
			return Code{}, newError(in, at, ai, "unknown AI (%s)", ai)
		}
		i += l
		start := i
		var v string
		if d.fixed {
			n := 0
			for n < d.max && i+n < len(s) && !isSep(s[i+n]) {
				n++
			}
			if n < d.max {
				return Code{}, newError(in, off+start, ai, "truncated element string: AI (%s) needs %d %s, %d left", ai, d.max, unitWord(d), n)
			}
			v = s[i : i+d.max]
			i += d.max
			// A separator after a predefined-length value is not needed,
			// but GS1's syntax engine tolerates one, and so do we.
			if i < len(s) && isSep(s[i]) {
				i++
			}
		} else {
			j := i
			for j < len(s) && !isSep(s[j]) {
				j++
			}
			v = s[i:j]
			i = j
			if i < len(s) {
				i++
			}
		}
		if err := checkValue(in, off+start, d, v); err != nil {
			if i := strings.IndexByte(v, '~'); i >= 0 && !tilde {
				return Code{}, newError(in, off+start+i, ai, "AI (%s) value %q: '~' stands for GS only after a GS1 symbology identifier (]C1, ]e0, ]d2, ]Q3, ]J1)", ai, v)
			}
			return Code{}, err
		}
		elems = append(elems, Element{AI: ai, Value: v})
		defs = append(defs, d)
	}
	return finish(in, elems, defs, false)
}

// parseBracketed reads s, found at byte off of in, as a bracketed element
// string, "(01)09520000000011(10)B2402". A value runs to the next "(" that
// is not escaped as "\(".
func parseBracketed(in, s string, off int) (Code, *Error) {
	elems := make([]Element, 0, 4)
	defs := make([]*aiDef, 0, 4)
	i := 0
	for i < len(s) {
		at := off + i
		if s[i] != '(' {
			return Code{}, newError(in, at, "", "bracketed element string: expected '(' at byte %d, found %q", at, s[i])
		}
		j := strings.IndexByte(s[i:], ')')
		if j < 0 {
			return Code{}, newError(in, at, "", "bracketed element string: '(' at byte %d is not closed", at)
		}
		ai := s[i+1 : i+j]
		if len(ai) < 2 || len(ai) > 4 || !isDigits(ai) {
			return Code{}, newError(in, at, "", "bracketed element string: %q is not an AI", ai)
		}
		d := aiTable.lookup(ai)
		if d == nil {
			return Code{}, newError(in, at, ai, "unknown AI (%s)", ai)
		}
		i += j + 1
		start := i
		escaped := false
		for i < len(s) && s[i] != '(' {
			if s[i] == '\\' && i+1 < len(s) && s[i+1] == '(' {
				escaped = true
				i++
			}
			i++
		}
		v := s[start:i]
		if escaped {
			v = strings.ReplaceAll(v, `\(`, "(")
		}
		if err := checkValue(in, off+start, d, v); err != nil {
			return Code{}, err
		}
		elems = append(elems, Element{AI: ai, Value: v})
		defs = append(defs, d)
	}
	return finish(in, elems, defs, false)
}

func unitWord(d *aiDef) string {
	for _, c := range d.parts {
		if c.cset != 'N' {
			return "characters"
		}
	}
	return "digits"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + strings.TrimSuffix(unit, "s")
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// keyNames names the GS1 keys whose check digit checkValue verifies, for its
// error messages.
var keyNames = map[string]string{
	"00": "SSCC", "01": "GTIN", "02": "GTIN", "03": "GTIN",
	"253": "GDTI", "255": "GCN", "402": "GSIN",
	"410": "GLN", "411": "GLN", "412": "GLN", "413": "GLN", "414": "GLN", "415": "GLN", "416": "GLN", "417": "GLN",
	"8003": "GRAI", "8006": "GTIN", "8026": "GTIN", "8017": "GSRN", "8018": "GSRN",
}

// checkValue checks v, found at byte pos of in, as the value of the AI d:
// its length, the character set and content of each component, check digits.
func checkValue(in string, pos int, d *aiDef, v string) *Error {
	ai := d.ai
	if v == "" {
		return newError(in, pos, ai, "AI (%s) has an empty value", ai)
	}
	const unit = "characters"
	if len(v) > d.max {
		return newError(in, pos, ai, "AI (%s) value too long: %s, at most %d", ai, plural(len(v), unit), d.max)
	}
	if len(v) < d.min {
		if d.min == d.max {
			return newError(in, pos, ai, "AI (%s) value too short: %s, want %d", ai, plural(len(v), unit), d.min)
		}
		return newError(in, pos, ai, "AI (%s) value too short: %s, at least %d", ai, plural(len(v), unit), d.min)
	}
	p := 0
	for k := range d.parts {
		c := &d.parts[k]
		n := len(v) - p
		if n > c.max {
			n = c.max
		}
		if n == 0 && c.opt {
			break // only optional components follow
		}
		if n < c.min {
			return newError(in, pos+p, ai, "AI (%s) value %q too short: part %d has %s, needs %d", ai, v, k+1, plural(n, unit), c.min)
		}
		part := v[p : p+n]
		if msg, i := checkCharset(c.cset, part); msg != "" {
			return newError(in, pos+p+i, ai, "AI (%s) value %q: %s", ai, v, msg)
		}
		if c.csum {
			if want := checkDigit(part[:n-1]); want != part[n-1] {
				return newError(in, pos+p+n-1, ai, "bad check digit in AI (%s) %s %s: want %c, got %c", ai, keyNames[ai], part, want, part[n-1])
			}
		}
		for _, lint := range c.linters {
			if msg := lint(part); msg != "" {
				return newError(in, pos+p, ai, "AI (%s) value %q: %s", ai, v, msg)
			}
		}
		p += n
	}
	if p != len(v) {
		// Not reached: the length check above leaves nothing over.
		return newError(in, pos+p, ai, "AI (%s) value too long", ai)
	}
	return nil
}

// checkCharset checks that every byte of s is in the character set cset;
// if not, it says which and where.
func checkCharset(cset byte, s string) (string, int) {
	switch cset {
	case 'N':
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return fmt.Sprintf("%q at position %d is not a digit", s[i], i+1), i
			}
		}
	case 'X':
		for i := 0; i < len(s); i++ {
			if !inCset82[s[i]] {
				return fmt.Sprintf("%q at position %d is not in GS1 character set 82", s[i], i+1), i
			}
		}
	case 'Y':
		for i := 0; i < len(s); i++ {
			if !inCset39[s[i]] {
				return fmt.Sprintf("%q at position %d is not in GS1 character set 39", s[i], i+1), i
			}
		}
	case 'Z':
		// Set 64 is base64url; up to two "=" may pad a value whose length
		// is then a multiple of three, as GS1's syntax tests have it.
		n := len(s)
		for n > 0 && s[n-1] == '=' {
			n--
		}
		if pads := len(s) - n; pads > 2 || pads > 0 && len(s)%3 != 0 {
			return "bad set-64 padding", n
		}
		for i := 0; i < n; i++ {
			if !inCset64[s[i]] {
				return fmt.Sprintf("%q at position %d is not in GS1 character set 64", s[i], i+1), i
			}
		}
	}
	return "", 0
}

var inCset82, inCset39, inCset64 = byteSet(cset82),
	byteSet("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
	byteSet("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")

func byteSet(chars string) (set [256]bool) {
	for i := 0; i < len(chars); i++ {
		set[chars[i]] = true
	}
	return set
}

// finish checks the elements together and makes the Code: no AI twice with
// different values (nor at all, when noRepeat is set), a GTIN present, and
// none of the pairs GS1 forbids.
//
// The dictionary's required companions (req=: 02 needs 37, 250 needs 21) are
// not enforced. GS1 asks that they be "evaluated over the combined data
// received from all GS1 carriers marking a physical item", and a scan is one
// carrier: a logistic label prints its SSCC and its (02)(37) in different
// symbols, and GS1's syntax engine documentation says to turn this check
// off for scan data for that reason. Forbidden pairs, by contrast, are
// wrong in any one symbol, since more symbols can only add to them.
func finish(in string, elems []Element, defs []*aiDef, noRepeat bool) (Code, *Error) {
	for i := range elems {
		for j := 0; j < i; j++ {
			if elems[j].AI != elems[i].AI {
				continue
			}
			if noRepeat {
				return Code{}, newError(in, -1, elems[i].AI, "AI (%s) appears twice", elems[i].AI)
			}
			if elems[j].Value != elems[i].Value {
				return Code{}, newError(in, -1, elems[i].AI, "AI (%s) appears twice with different values", elems[i].AI)
			}
		}
	}
	var c Code
	for _, e := range elems {
		switch e.AI {
		case "01", "02":
			if c.GTIN == "" {
				c.GTIN = e.Value
			}
		case "10":
			if c.Batch == "" {
				c.Batch = e.Value
			}
		case "21":
			if c.Serial == "" {
				c.Serial = e.Value
			}
		case "17":
			if c.Expiry == "" {
				c.Expiry = e.Value
			}
		}
	}
	if c.GTIN == "" {
		var ais []string
		for _, e := range elems {
			ais = append(ais, "("+e.AI+")")
		}
		return Code{}, newError(in, -1, "", "not a product code: no GTIN, AI (01) or (02), among %s", strings.Join(ais, " "))
	}
	for _, d := range defs {
		for _, p := range d.ex {
			for _, e := range elems {
				if e.AI != d.ai && matchAI(e.AI, p) {
					return Code{}, newError(in, -1, d.ai, "AI (%s) cannot be used with AI (%s)", d.ai, e.AI)
				}
			}
		}
	}
	c.Elements = elems
	return c, nil
}
