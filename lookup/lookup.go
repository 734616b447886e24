// Package lookup answers one scanned code against a catalog, the way every
// program outside the screens sees it: `smartcheck lookup --json` prints
// the answer's JSON, and `smartcheck serve` sends the same bytes to a
// point-of-sale system (verdicts.md, "smartcheck lookup --json"). Both go
// through Look and Answer.JSON, so the two can never drift apart.
package lookup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/scan"
)

// Query is what a lookup is judged with besides the code.
type Query struct {
	Today  catalog.Date
	Policy catalog.Policy
}

// Answer is the outcome of one input: a judged result, or why the input
// is not a product code.
type Answer struct {
	Input   string
	Result  *catalog.Result // nil when Err is set
	Err     error           // the input is not a product code
	Catalog *catalog.ReportCatalog
	// Checkpoint names the catalog that judged the input, for the
	// due-diligence log.
	Checkpoint *catalog.Checkpoint
	// Proof, when set, is added to the report as "proof" (lookup --json
	// --proof: the inclusion proof of the chosen declaration).
	Proof any
}

// Look reads input as a product code (any form of spec/scanning.md) and
// judges it against cat. rc describes cat for the report
// (catalog.CatalogReport).
func Look(cat *catalog.Catalog, rc *catalog.ReportCatalog, input string, q Query) Answer {
	a := Answer{Input: input, Catalog: rc, Checkpoint: cat.Checkpoint}
	code, err := scan.Parse(input)
	if err != nil {
		a.Err = err
		return a
	}
	a.Result = cat.Judge(catalog.Query{GTIN: code.GTIN, Batch: code.Batch, Today: q.Today, Policy: q.Policy})
	return a
}

// Report is the answer as verdicts.md's JSON object: a catalog.Report, or
// a catalog.ErrorReport for an input that is not a product code.
func (a Answer) Report() any {
	if a.Err != nil {
		return catalog.ErrorReport{Input: a.Input, Error: a.Err.Error(), Catalog: a.Catalog}
	}
	if a.Proof != nil {
		return struct {
			catalog.Report
			Proof any `json:"proof"`
		}{a.Result.Report(a.Input, a.Catalog), a.Proof}
	}
	return a.Result.Report(a.Input, a.Catalog)
}

// JSON returns the answer's JSON object, without a newline: what
// `lookup --json` prints on one line and what serve returns. HTML
// characters are left as they are, and every character the terminal
// sanitiser would replace (bidirectional and C1 controls) is written as a
// \uXXXX escape: the same JSON value, but nothing in it can steer a
// terminal that shows it (encoding/json already escapes C0 controls).
func (a Answer) JSON() ([]byte, error) {
	return a.AppendJSON(nil)
}

// AppendJSON appends the answer's JSON object, as JSON returns it, to b.
func (a Answer) AppendJSON(b []byte) ([]byte, error) {
	start := len(b)
	switch {
	case a.Err != nil:
		r := catalog.ErrorReport{Input: a.Input, Error: a.Err.Error(), Catalog: a.Catalog}
		b = r.AppendJSON(b)
	case a.Proof == nil:
		r := a.Result.Report(a.Input, a.Catalog)
		b = r.AppendJSON(b)
	default: // with a proof (lookup --proof): rare, by reflection
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(a.Report()); err != nil {
			return nil, fmt.Errorf("encode %q: %w", a.Input, err)
		}
		b = append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
	}
	if esc := EscapeControls(b[start:]); &esc[0] != &b[start] {
		b = append(b[:start], esc...)
	}
	return b, nil
}

// EscapeControls writes each character catalog.Sanitize would replace,
// line feeds aside, as a \uXXXX escape, in JSON text (one or more values,
// one a line). Inside JSON text such a character can only be in a string,
// where the escape means the same; a raw line feed only ends a value.
func EscapeControls(p []byte) []byte {
	var out []byte // nil while nothing needed escaping
	for i := 0; i < len(p); {
		if c := p[i]; c >= 0x20 && c < 0x7f { // printable ASCII: the usual case
			if out != nil {
				out = append(out, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(p[i:])
		if r != '\n' && r != utf8.RuneError && catalog.Sanitize(string(r)) != string(r) {
			if out == nil {
				out = append(make([]byte, 0, len(p)+16), p[:i]...)
			}
			out = fmt.Appendf(out, "\\u%04x", r)
		} else if out != nil {
			out = append(out, p[i:i+size]...)
		}
		i += size
	}
	if out == nil {
		return p
	}
	return out
}

// Record is the due-diligence log's line for the answer (catalog,
// duediligence.go): a check, or an unreadable scan.
func (a Answer) Record(at time.Time) catalog.DueDiligenceRecord {
	rec := catalog.DueDiligenceRecord{Time: at, Input: a.Input}
	if a.Err != nil {
		rec.Event, rec.Error = catalog.EventUnreadable, a.Err.Error()
		return rec
	}
	r := a.Result
	rec.Event = catalog.EventCheck
	rec.GTIN, rec.Batch, rec.Verdict = r.GTIN, r.Batch, r.Verdict.String()
	rec.Findings = make([]string, 0, len(r.Findings))
	for _, f := range r.Findings {
		rec.Findings = append(rec.Findings, f.Code)
	}
	if a.Checkpoint != nil {
		rec.Catalog = catalog.DueDiligenceCatalogOf(a.Checkpoint)
	}
	return rec
}
