package catalog

import (
	"bytes"
	"iter"
	"strconv"
	"strings"
)

// Search yields, in GTIN order, the judged products whose GTIN starts with
// query (digits: a GTIN-14, or a GTIN-13, -12 or -8 without its leading
// zeros) or whose brand and model together contain every word of query,
// in any case. Each is judged as q says (q.GTIN is set for each). It is
// lazy: records are read, verified and judged only as the caller asks
// for more, so a screen that shows the first few matches reads few
// records; text that matches nothing reads every declaration once.
//
// Matching text is first looked for in a record's unverified bytes, then
// confirmed on the verified declaration Judge chose: a record that does
// not verify is never shown as a match for what it claims.
func (c *Catalog) Search(query string, q Query) iter.Seq[*Result] {
	query = strings.TrimSpace(query)
	digits := query != "" && strings.IndexFunc(query, func(r rune) bool { return r < '0' || r > '9' }) < 0
	words := strings.Fields(strings.ToLower(query))
	return func(yield func(*Result) bool) {
		if len(words) == 0 {
			return
		}
		var last uint64
		for k, ref := range c.decls {
			if k > 0 && ref.gtin == last {
				continue
			}
			last = ref.gtin
			gtin := gtinString(ref.gtin)
			if digits {
				if !strings.HasPrefix(gtin, query) && !strings.HasPrefix(strings.TrimLeft(gtin, "0"), strings.TrimLeft(query, "0")) {
					continue
				}
			} else if !c.mayMatch(ref.gtin, k, words) {
				continue
			}
			q.GTIN = gtin
			r := c.Judge(q)
			if !digits && (r.Declaration == nil || !containsAll(r.Declaration.Brand+" "+r.Declaration.Model, words)) {
				continue
			}
			if !yield(r) {
				return
			}
		}
	}
}

// mayMatch looks for words in the brand and model lines of the records
// that list gtin (from index k of c.decls), unverified: a cheap filter
// before Judge verifies.
func (c *Catalog) mayMatch(g uint64, k int, words []string) bool {
	for ; k < len(c.decls) && c.decls[k].gtin == g; k++ {
		rec, err := c.Record(int64(c.decls[k].rec))
		if err != nil {
			continue
		}
		var text []byte
		for _, key := range []string{"\nbrand ", "\nmodel "} {
			if i := bytes.Index(rec, []byte(key)); i >= 0 {
				line := rec[i+len(key):]
				if j := bytes.IndexByte(line, '\n'); j >= 0 {
					line = line[:j]
				}
				text = append(append(text, line...), ' ')
			}
		}
		if containsAll(string(text), words) {
			return true
		}
	}
	return false
}

func containsAll(text string, words []string) bool {
	t := strings.ToLower(text)
	for _, w := range words {
		if !strings.Contains(t, w) {
			return false
		}
	}
	return true
}

// gtinString writes a GTIN-14 index key back as its 14 digits.
func gtinString(g uint64) string {
	s := strconv.FormatUint(g, 10)
	if len(s) < 14 {
		s = strings.Repeat("0", 14-len(s)) + s
	}
	return s
}
