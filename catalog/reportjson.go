package catalog

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the report's JSON object to b: the bytes
// encoding/json's Encoder writes for it with SetEscapeHTML(false), without
// the newline, but written field by field instead of by reflection (a
// lookup answers tens of thousands of codes a second, and reflection was
// a tenth of the work besides the signature check).
// TestReportAppendJSON holds the two equal, every field set.
func (r *Report) AppendJSON(b []byte) []byte {
	b = append(b, `{"input":`...)
	b = appendJSONString(b, r.Input, false)
	if r.GTIN != "" {
		b = appendKey(b, "gtin")
		b = appendJSONString(b, r.GTIN, false)
	}
	if r.Batch != "" {
		b = appendKey(b, "batch")
		b = appendJSONString(b, r.Batch, false)
	}
	if r.Verdict != nil {
		b = appendKey(b, "verdict")
		b = appendJSONString(b, r.Verdict.String(), false)
	}
	b = appendKey(b, "findings")
	if r.Findings == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range r.Findings {
			if i > 0 {
				b = append(b, ',')
			}
			b = r.Findings[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	if r.Support != nil {
		b = appendKey(b, "support")
		b = r.Support.appendJSON(b)
	}
	if r.Contact != "" {
		b = appendKey(b, "contact")
		b = appendJSONString(b, r.Contact, false)
	}
	if r.Passwords != "" {
		b = appendKey(b, "passwords")
		b = appendJSONString(b, r.Passwords, false)
	}
	if p := r.Product; p != nil {
		b = append(b, `,"product":{"brand":`...)
		b = appendJSONString(b, p.Brand, false)
		b = appendKey(b, "model")
		b = appendJSONString(b, p.Model, false)
		if p.ModelNumber != "" {
			b = appendKey(b, "model_number")
			b = appendJSONString(b, p.ModelNumber, false)
		}
		b = appendKey(b, "category")
		b = appendJSONString(b, p.Category, false)
		b = append(b, '}')
	}
	if d := r.Declaration; d != nil {
		b = append(b, `,"declaration":{"id":`...)
		b = appendJSONString(b, d.ID, false)
		b = append(b, `,"version":`...)
		b = strconv.AppendInt(b, int64(d.Version), 10)
		b = appendKey(b, "signer")
		b = appendJSONString(b, d.Signer, false)
		if d.Org != "" {
			b = appendKey(b, "org")
			b = appendJSONString(b, d.Org, false)
		}
		b = appendKey(b, "role")
		b = appendJSONString(b, d.Role, false)
		b = append(b, '}')
	}
	if r.Catalog != nil {
		b = appendKey(b, "catalog")
		b = r.Catalog.appendJSON(b)
	}
	if len(r.History) > 0 {
		b = append(b, `,"history":[`...)
		for i := range r.History {
			if i > 0 {
				b = append(b, ',')
			}
			b = r.History[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// AppendJSON appends the error report's JSON object to b, as
// Report.AppendJSON does.
func (r *ErrorReport) AppendJSON(b []byte) []byte {
	b = append(b, `{"input":`...)
	b = appendJSONString(b, r.Input, false)
	b = appendKey(b, "error")
	b = appendJSONString(b, r.Error, false)
	if r.Catalog != nil {
		b = appendKey(b, "catalog")
		b = r.Catalog.appendJSON(b)
	}
	return append(b, '}')
}

func (f *Finding) appendJSON(b []byte) []byte {
	b = append(b, `{"code":`...)
	b = appendJSONString(b, f.Code, false)
	b = appendFields(b, false, false, [][2]string{
		{"verdict", f.Verdict.String()}, {"staff", f.Staff}, {"shopper", f.Shopper}, {"rule", f.Rule}, {"basis", f.Basis},
	})
	if f.Excepted {
		b = append(b, `,"excepted":true`...)
	}
	return append(b, '}')
}

// appendJSON writes what MarshalJSON returns. That goes through
// json.Marshal, which escapes HTML characters: so does this.
func (s *ReportSupport) appendJSON(b []byte) []byte {
	b = append(b, `{"until":`...)
	b = appendJSONString(b, s.Until, true)
	if !s.Beyond {
		b = append(b, `,"first_day":`...)
		b = appendJSONString(b, s.FirstDay, true)
		b = append(b, `,"last_day":`...)
		b = appendJSONString(b, s.LastDay, true)
		b = append(b, `,"days_left":`...)
		b = strconv.AppendInt(b, int64(s.DaysLeft), 10)
	}
	if s.Computed {
		b = append(b, `,"computed":true`...)
	}
	return append(b, '}')
}

func (c *ReportCatalog) appendJSON(b []byte) []byte {
	if c.encoded != nil {
		return append(b, c.encoded...)
	}
	b = append(b, `{"origin":`...)
	b = appendJSONString(b, c.Origin, false)
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, c.Size, 10)
	b = appendFields(b, false, false, [][2]string{{"root", c.Root}, {"issued", c.Issued}, {"expires", c.Expires}})
	if c.Demo {
		b = append(b, `,"demo":true`...)
	}
	return append(b, '}')
}

func (h *ReportHistory) appendJSON(b []byte) []byte {
	b = append(b, `{"index":`...)
	b = strconv.AppendInt(b, h.Index, 10)
	b = appendKey(b, "id")
	b = appendJSONString(b, h.ID, false)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(h.Version), 10)
	b = appendKey(b, "signer")
	b = appendJSONString(b, h.Signer, false)
	b = appendFields(b, false, true, [][2]string{{"org", h.Org}, {"role", h.Role}, {"until", h.Until}})
	if h.Chosen {
		b = append(b, `,"chosen":true`...)
	}
	if h.Ignored != "" {
		b = appendKey(b, "ignored")
		b = appendJSONString(b, h.Ignored, false)
	}
	if h.Withdrawn != "" {
		b = appendKey(b, "withdrawn")
		b = appendJSONString(b, h.Withdrawn, false)
	}
	return append(b, '}')
}

// appendFields appends `,"key":"value"` for each key and value, leaving
// out empty values with omitEmpty.
func appendFields(b []byte, html, omitEmpty bool, fields [][2]string) []byte {
	for _, f := range fields {
		if f[1] != "" || !omitEmpty {
			b = appendKey(b, f[0])
			b = appendJSONString(b, f[1], html)
		}
	}
	return b
}

// appendKey appends `,"key":` (keys are plain ASCII).
func appendKey(b []byte, key string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// appendJSONString appends s as a JSON string exactly as encoding/json
// writes it: invalid UTF-8 becomes U+FFFD, C0 controls, U+2028 and U+2029
// are escaped, and with html so are <, > and &.
func appendJSONString(b []byte, s string, html bool) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!html || c != '<' && c != '>' && c != '&') {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default: // other C0 controls, and <, >, & with html
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSON appends the record's line as json.Marshal writes it (HTML
// characters escaped), without reflection: a busy service logs thousands
// a second. TestDueDiligenceAppendJSON holds the two equal.
func (r *DueDiligenceRecord) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"time":"`...)
	b, err := r.Time.AppendText(b) // what Time.MarshalJSON writes, and refuses
	if err != nil {
		return nil, fmt.Errorf("json: error calling MarshalJSON for type time.Time: %w", err)
	}
	b = append(b, '"')
	b = appendKey(b, "event")
	b = appendJSONString(b, r.Event, true)
	if r.Session != "" {
		b = appendKey(b, "session")
		b = appendJSONString(b, r.Session, true)
	}
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, int64(r.Seq), 10)
	b = appendKey(b, "input")
	b = appendJSONString(b, r.Input, true)
	b = appendFields(b, true, true, [][2]string{{"gtin", r.GTIN}, {"batch", r.Batch}, {"verdict", r.Verdict}})
	if len(r.Findings) > 0 {
		b = append(b, `,"findings":[`...)
		for i, f := range r.Findings {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, f, true)
		}
		b = append(b, ']')
	}
	if c := r.Catalog; c != nil {
		b = append(b, `,"catalog":{"origin":`...)
		b = appendJSONString(b, c.Origin, true)
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, c.Size, 10)
		b = appendKey(b, "root")
		b = appendJSONString(b, c.Root, true)
		b = append(b, '}')
	}
	b = appendFields(b, true, true, [][2]string{{"untrusted", r.Untrusted}, {"error", r.Error}, {"client", r.Client}})
	return append(b, '}'), nil
}
