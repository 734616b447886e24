package scan

import (
	"strings"
)

// uriChars is the set of characters a URI may contain (RFC 3986 §2).
var uriChars = byteSet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")

// badHostChars may appear in a URI but not in its host (a user name, a
// query, a fragment, an escape).
const badHostChars = "_~?#@!$&'()*+,;=%"

// parseDigitalLink reads s, found at byte off of in, as a GS1 Digital Link
// URI (GS1 Digital Link standard: URI syntax, release 1.4):
//
//	http[s]://host[/stem...]/key-AI/key[/qualifier-AI/qualifier...][?attribute-AI=value&...][#fragment]
func parseDigitalLink(in, s string, off int) (Code, *Error) {
	for i := 0; i < len(s); i++ {
		if !uriChars[s[i]] {
			return Code{}, newError(in, off+i, "", "digital link: %q at byte %d is not allowed in a URI", s[i], off+i)
		}
	}
	// Schemes are case-insensitive (RFC 3986 §3.1); QR codes in upper-case
	// alphanumeric mode carry "HTTPS://".
	p := strings.Index(s, "://") + 3
	slash := strings.IndexByte(s[p:], '/')
	if slash < 0 {
		return Code{}, newError(in, -1, "", "digital link %s has no path", quoteShort(s))
	}
	host := s[p : p+slash]
	if host == "" {
		return Code{}, newError(in, off+p, "", "digital link %s has no host", quoteShort(s))
	}
	if i := strings.IndexAny(host, badHostChars); i >= 0 {
		return Code{}, newError(in, off+p+i, "", "digital link: %q is not allowed in a host name", host[i])
	}
	pathStart := p + slash
	rest := s[pathStart:]
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i] // the fragment is for the browser
	}
	path, query := rest, ""
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		path, query = rest[:i], rest[i+1:]
	}
	queryStart := pathStart + len(path) + 1
	if strings.HasSuffix(path, "/") {
		return Code{}, newError(in, off+pathStart+len(path)-1, "", "digital link path ends with '/'")
	}

	// The path is the stem, then the key AI and its value, then qualifier
	// AIs and values. Walking back from the end in pairs, the first primary
	// key found is the rightmost one, and everything before it is stem.
	segs := strings.Split(path[1:], "/")
	segAt := make([]int, len(segs)) // offset in s of each segment
	at := pathStart + 1
	for k, seg := range segs {
		segAt[k] = at
		at += len(seg) + 1
	}
	key := -1
	for k := len(segs) - 2; k >= 0; k -= 2 {
		d := aiTable.lookup(segs[k])
		if d == nil {
			break
		}
		if d.dlKey {
			key = k
			break
		}
	}
	if key < 0 {
		return Code{}, newError(in, off+pathStart, "", "digital link: no GS1 key in the path %s (want .../01/<GTIN>...)", quoteShort(path))
	}
	elems := make([]Element, 0, 4)
	defs := make([]*aiDef, 0, 4)
	var pathAIs []string
	for k := key; k < len(segs); k += 2 {
		d := aiTable.lookup(segs[k])
		v, err := dlValue(in, off+segAt[k+1], d, segs[k+1], false)
		if err != nil {
			return Code{}, err
		}
		elems = append(elems, Element{AI: d.ai, Value: v})
		defs = append(defs, d)
		pathAIs = append(pathAIs, d.ai)
	}
	keyDef := defs[0]
	if !validDLPath(keyDef, pathAIs[1:]) {
		for _, ai := range pathAIs[1:] {
			if d := aiTable.lookup(ai); d.dlAttr && !isQualifier(keyDef, ai) {
				return Code{}, newError(in, off+pathStart, ai, "digital link: AI (%s) is a data attribute: it belongs in the query string, not the path", ai)
			}
		}
		return Code{}, newError(in, off+pathStart, keyDef.ai, "digital link: %s is not a key and qualifiers in their defined order: %s", aiList(pathAIs), describeQualifiers(keyDef))
	}

	// Data attributes are query parameters named by an AI. Other parameters
	// (linkType, context and the like) are for the resolver, not us.
	qi := 0
	for _, param := range strings.Split(query, "&") {
		pAt := queryStart + qi
		qi += len(param) + 1
		eq := strings.IndexByte(param, '=')
		if eq <= 0 || !isDigits(param[:eq]) {
			continue
		}
		ai := param[:eq]
		d := aiTable.lookup(ai)
		if d == nil {
			return Code{}, newError(in, off+pAt, ai, "unknown AI (%s) in the digital link query", ai)
		}
		if insertable(keyDef, pathAIs, ai) {
			return Code{}, newError(in, off+pAt, ai, "digital link: AI (%s) is a key qualifier: it belongs in the path, not the query string", ai)
		}
		if !d.dlAttr {
			return Code{}, newError(in, off+pAt, ai, "digital link: AI (%s) is not allowed as a data attribute", ai)
		}
		v, err := dlValue(in, off+pAt+eq+1, d, param[eq+1:], true)
		if err != nil {
			return Code{}, err
		}
		elems = append(elems, Element{AI: d.ai, Value: v})
		defs = append(defs, d)
	}
	return finish(in, elems, defs, true)
}

// dlValue decodes and checks raw, the value of the AI d in a Digital Link
// path segment or query parameter found at byte pos of in.
func dlValue(in string, pos int, d *aiDef, raw string, query bool) (string, *Error) {
	if raw == "" {
		return "", newError(in, pos, d.ai, "AI (%s) has an empty value", d.ai)
	}
	v, bad := percentDecode(raw, query)
	if bad >= 0 {
		return "", newError(in, pos+bad, d.ai, "digital link: bad percent-encoding in the value of AI (%s) at byte %d", d.ai, pos+bad)
	}
	// A GTIN-13, -12 or -8 is padded to 14 digits, as the Digital Link
	// standard lets a URI carry it.
	if d.ai == "01" && (len(v) == 13 || len(v) == 12 || len(v) == 8) && isDigits(v) {
		v = pad14(v)
	}
	if err := checkValue(in, pos, d, v); err != nil {
		if v != raw {
			// Decoded or padded: offsets into v are not offsets into in.
			err.Pos = pos
		}
		return "", err
	}
	return v, nil
}

// percentDecode undoes RFC 3986 percent-encoding, and in a query turns "+"
// into a space (which no AI value may hold). It returns the position of a
// malformed escape, or -1.
func percentDecode(s string, query bool) (string, int) {
	if strings.IndexByte(s, '%') < 0 && (!query || strings.IndexByte(s, '+') < 0) {
		return s, -1
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", i
			}
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		case c == '+' && query:
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return string(b), -1
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// validDLPath reports whether quals may follow the primary key d in a Digital
// Link path: they must be, in order, some of one of its qualifier sequences.
func validDLPath(d *aiDef, quals []string) bool {
	if len(quals) == 0 {
		return true
	}
	for _, seq := range d.dlQual {
		k := 0
		for _, q := range seq {
			if k < len(quals) && quals[k] == q {
				k++
			}
		}
		if k == len(quals) {
			return true
		}
	}
	return false
}

func isQualifier(d *aiDef, ai string) bool {
	for _, seq := range d.dlQual {
		for _, q := range seq {
			if q == ai {
				return true
			}
		}
	}
	return false
}

// insertable reports whether ai could be added to the path AIs (key first)
// and leave a valid key and qualifier sequence: if so, it is a qualifier and
// belongs in the path.
func insertable(key *aiDef, path []string, ai string) bool {
	quals := path[1:]
	for j := 0; j <= len(quals); j++ {
		q := make([]string, 0, len(quals)+1)
		q = append(q, quals[:j]...)
		q = append(q, ai)
		q = append(q, quals[j:]...)
		if validDLPath(key, q) {
			return true
		}
	}
	return false
}

func aiList(ais []string) string {
	var b strings.Builder
	for _, ai := range ais {
		b.WriteString("(" + ai + ")")
	}
	return b.String()
}

func describeQualifiers(d *aiDef) string {
	if len(d.dlQual) == 0 {
		return "(" + d.ai + ") takes no qualifiers"
	}
	var alts []string
	for _, seq := range d.dlQual {
		alts = append(alts, aiList(seq))
	}
	return "(" + d.ai + ") takes some of " + strings.Join(alts, " or some of ") + ", in that order"
}
