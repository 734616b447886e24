package catalog

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// Refusal is one record a writer refused, and why.
type Refusal struct {
	N     int    // its place among the records given, from 0
	Index int64  // the index it would have had in the log
	Name  string // "declaration ID version N", "notice ID revision N", ...
	Why   string
	Same  int // for a record given twice, the place of the first; else -1
}

// RefusedError lists the records that catalog build, append and import
// refused: every one, so that a publisher fixes them all at once.
type RefusedError struct{ Refused []Refusal }

func (e *RefusedError) Error() string {
	var b strings.Builder
	for i, r := range e.Refused {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "record %d (%s): %s", r.N+1, r.Name, r.Why)
	}
	return b.String()
}

// Admit checks records as tills would trust them once logged after the
// catalog c (nil for a new catalog whose publishers trust names): each
// must be a signed note that parses, must not be in the catalog already
// (nor twice among records), and must be trusted at its place in the log
// (catalog.md, "Scope"): a declaration by a key registered and scoped for
// every GTIN it lists, a notice by a notice issuer scoped for its id and
// of the org that first logged it, a key record or withdrawal signed by
// the publisher quorum and taking effect. Key records among records count
// for the records after them. It returns a *RefusedError naming every
// refused record.
func Admit(c *Catalog, trust *Trust, records [][]byte) error {
	var refused []Refusal
	var old int64
	if c != nil {
		old = c.Size()
	}
	for n, rec := range records {
		if err := CheckSigned(rec); err != nil {
			refused = append(refused, Refusal{N: n, Index: old + int64(n), Name: "record", Why: err.Error(), Same: -1})
		}
	}
	if len(refused) > 0 {
		return &RefusedError{refused}
	}
	x, err := extend(c, trust, records)
	if err != nil {
		return err
	}
	seen := make(map[tlog.Hash]int)
	for n, rec := range records {
		i := old + int64(n)
		e := x.load(i)
		r := Refusal{N: n, Index: i, Name: recordName(e.rec), Same: -1}
		r.Name = kindName(e.rec) + " " + r.Name
		h := tlog.RecordHash(rec)
		if first, ok := seen[h]; ok {
			r.Why, r.Same = fmt.Sprintf("the same record as record %d given here", first+1), first
		} else if j := x.sameAs(i, rec); j >= 0 {
			r.Why = fmt.Sprintf("the same record is already in the catalog, at index %d", j)
		} else {
			r.Why = x.admitProblem(e)
		}
		seen[h] = n
		if r.Why != "" {
			refused = append(refused, r)
		}
	}
	if len(refused) > 0 {
		return &RefusedError{refused}
	}
	return nil
}

func kindName(r *Record) string {
	switch {
	case r.Declaration != nil:
		return "declaration"
	case r.Notice != nil:
		return "notice"
	case r.Key != nil:
		return "key record"
	case r.Withdrawal != nil:
		return "withdrawal"
	}
	return "record"
}

// admitProblem says why tills would not trust record e, or "".
func (c *Catalog) admitProblem(e *entry) string {
	switch {
	case e.rec.Declaration != nil:
		var out []string
		why := ""
		for _, g := range e.rec.Declaration.GTINs {
			if d := c.declarationFor(e, g); !d.trusted() {
				out = append(out, g)
				why = d.reason
			}
		}
		if len(out) > 0 {
			return fmt.Sprintf("tills would not trust it for GTIN %s: %s", strings.Join(out, ", "), why)
		}
	case e.rec.Notice != nil:
		if d := c.noticeDecision(e); !d.trusted() {
			return "tills would not trust it: " + d.reason
		}
		for _, nr := range c.noticeRecords(e.rec.Notice.ID, c.load) {
			if nr.e.index == e.index && nr.foreign != "" {
				return "tills would not count it: " + nr.foreign
			}
		}
	case e.status != SigValid:
		return e.why
	}
	return ""
}

// sameAs returns the index of an earlier record with the same bytes as
// rec (record i), or -1. Records are compared among those that could be
// equal: declarations listing the same GTINs, notices of the same id,
// key records and withdrawals.
func (c *Catalog) sameAs(i int64, rec []byte) int64 {
	var cands []int64
	e := c.load(i)
	switch {
	case e.rec.Declaration != nil:
		cands = c.declarationsFor(e.rec.Declaration.GTINs[0])
	case e.rec.Notice != nil:
		cands = c.noticesByID[e.rec.Notice.ID]
	default:
		for _, s := range c.small {
			cands = append(cands, s.index)
		}
	}
	for _, j := range cands {
		if j >= i {
			break
		}
		if b, err := c.Record(j); err == nil && bytes.Equal(b, rec) {
			return j
		}
	}
	return -1
}

// extend returns the log of c with records after it, indexed as a till
// would index it (its checkpoint is not signed: it is only for Admit).
func extend(c *Catalog, trust *Trust, records [][]byte) (*Catalog, error) {
	var data []byte
	for _, rec := range records {
		data = AppendFrame(data, rec)
	}
	var src io.ReaderAt = bytes.NewReader(data)
	var n, end int64
	if c != nil {
		n = c.Size()
		if n > 0 {
			end = c.off[n-1] + int64(c.size[n-1])
		}
		src = concatReaderAt{c.src, end, bytes.NewReader(data)}
	}
	total := end + int64(len(data))
	x := newCatalog(&Checkpoint{Size: n + int64(len(records))}, trust, src, false)
	small, _, _, err := x.scan(io.NewSectionReader(src, 0, total), total, -1)
	if err != nil {
		return nil, err
	}
	if err := x.indexSmall(small); err != nil {
		return nil, err
	}
	return x, nil
}

// concatReaderAt reads the first n bytes of a, then b.
type concatReaderAt struct {
	a io.ReaderAt
	n int64
	b io.ReaderAt
}

func (r concatReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.n {
		return r.b.ReadAt(p, off-r.n)
	}
	if off+int64(len(p)) <= r.n {
		return r.a.ReadAt(p, off)
	}
	k, err := r.a.ReadAt(p[:r.n-off], off)
	if err != nil {
		return k, err
	}
	m, err := r.b.ReadAt(p[k:], 0)
	return k + m, err
}
