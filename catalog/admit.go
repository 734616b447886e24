package catalog

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
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
	// GTINs are, for a declaration tills would not trust for some of
	// the GTINs it lists, those GTINs.
	GTINs []string
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
	_, err := AdmitBatch(c, trust, records)
	return err
}

// AdmitBatch checks records as Admit does and returns them as a Batch:
// the catalog they make, for a dry run to judge and for AppendBatch to
// write without checking them again.
func AdmitBatch(c *Catalog, trust *Trust, records [][]byte) (*Batch, error) {
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
		return nil, &RefusedError{refused}
	}
	return admit(c, trust, records, nil)
}

// admit checks records (which parse) after c. made, when not nil, holds
// the entries of records this process made and signed (AdmitMade): they
// are neither parsed nor verified again.
func admit(c *Catalog, trust *Trust, records [][]byte, made []Made) (*Batch, error) {
	var refused []Refusal
	var old int64
	if c != nil {
		old = c.Size()
	}
	x, err := extend(c, trust, records)
	if err != nil {
		return nil, err
	}
	if c != nil {
		// Judged as the catalog is today: a batch changes no expiry
		// (the checkpoint that will carry it is signed later).
		x.Checkpoint.Origin, x.Checkpoint.Issued, x.Checkpoint.Expires = c.Checkpoint.Origin, c.Checkpoint.Issued, c.Checkpoint.Expires
	}
	for n, m := range made {
		e := &entry{index: old + int64(n), rec: m.Rec}
		x.signedBy(e, m.vkey)
		x.cache[e.index] = e
	}
	seen := make(map[tlog.Hash]int, len(records))
	for n, rec := range records {
		i := old + int64(n)
		e := x.entry(i)
		r := Refusal{N: n, Index: i, Name: recordName(e.rec), Same: -1}
		r.Name = kindName(e.rec) + " " + r.Name
		h := tlog.RecordHash(rec)
		if first, ok := seen[h]; ok {
			r.Why, r.Same = fmt.Sprintf("the same record as record %d given here", first+1), first
		} else if why := respelledSignature(rec); why != "" {
			r.Why = why
		} else if j := x.sameAs(e, rec); j >= 0 {
			r.Why = fmt.Sprintf("the same record is already in the catalog, at index %d", j)
		} else {
			r.Why, r.GTINs = x.admitProblem(e)
		}
		seen[h] = n
		if r.Why != "" {
			refused = append(refused, r)
		}
	}
	if len(refused) > 0 {
		return nil, &RefusedError{refused}
	}
	return &Batch{base: c, records: records, after: x}, nil
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

// admitProblem says why tills would not trust record e, or "", and for a
// declaration, for which of its GTINs.
func (c *Catalog) admitProblem(e *entry) (string, []string) {
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
			return fmt.Sprintf("tills would not trust it for GTIN %s: %s", strings.Join(out, ", "), why), out
		}
	case e.rec.Notice != nil:
		if d := c.noticeDecision(e); !d.trusted() {
			return "tills would not trust it: " + d.reason, nil
		}
		for _, nr := range c.noticeRecords(e.rec.Notice.ID, c.load) {
			if nr.e.index == e.index && nr.foreign != "" {
				return "tills would not count it: " + nr.foreign, nil
			}
		}
	case e.status != SigValid:
		return e.why, nil
	}
	return "", nil
}

// respelledSignature says which signature line of a signed note is not in
// canonical base64, or "". The last character of a signature's base64
// carries two bits that decoding ignores (note.Open decodes with
// base64.StdEncoding), so each signature can be written four ways: a
// record with a respelled signature is the same statement in other bytes,
// and would pass the duplicate check as a record of its own. note.Sign
// always writes the canonical spelling.
func respelledSignature(rec []byte) string {
	body, ok := SplitNote(rec)
	if !ok {
		return "" // not a signed note: the signature check says so
	}
	for line := range bytes.Lines(rec[len(body)+1:]) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		sp := bytes.LastIndexByte(line, ' ')
		if sp < 0 {
			continue
		}
		if _, err := base64.StdEncoding.Strict().DecodeString(string(line[sp+1:])); err != nil {
			name := strings.TrimPrefix(string(line[:sp]), "— ")
			return fmt.Sprintf("the signature by %s is not in canonical base64 (bits that decoding ignores are set): the same signature could be written four ways, so it is refused; sign the record again", clip(name))
		}
	}
	return ""
}

// sameAs returns the index of an earlier record with the same bytes as
// rec (record e), or -1. Records are compared among those that could be
// equal: declarations listing the same GTINs, notices of the same id,
// key records and withdrawals.
func (c *Catalog) sameAs(e *entry, rec []byte) int64 {
	i := e.index
	var cands []int64
	switch {
	case e.rec.Declaration != nil:
		cands = c.declarationsFor(e.rec.Declaration.GTINs[0])
	case e.rec.Notice != nil:
		cands = c.noticesByID[e.rec.Notice.ID]
	default:
		for j := range i {
			if k := c.kinds[j]; k == kindKey || k == kindWithdrawal {
				cands = append(cands, j)
			}
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
// The log of c was framed, hashed and indexed when c was opened, so only
// the new records are framed and indexed here; the key, notice and
// withdrawal records are read again, to be indexed with the new ones in
// log order.
func extend(c *Catalog, trust *Trust, records [][]byte) (*Catalog, error) {
	var n, end int64
	if c != nil {
		n = c.Size()
		if n > 0 {
			end = c.off[n-1] + int64(c.size[n-1])
		}
	}
	x := newCatalog(&Checkpoint{Size: n + int64(len(records))}, trust, nil, false)
	var small []smallRecord
	if c != nil {
		copy(x.off, c.off)
		copy(x.size, c.size)
		copy(x.kinds, c.kinds)
		x.decls = slices.Clone(c.decls)
		for j := range n {
			if k := c.kinds[j]; k == kindNotice || k == kindKey || k == kindWithdrawal {
				b, err := c.Record(j)
				if err != nil {
					return nil, err
				}
				small = append(small, smallRecord{j, b})
			}
		}
	}
	var data []byte
	for k, rec := range records {
		i := n + int64(k)
		data = AppendFrame(data, rec)
		x.off[i] = end + int64(len(data)-len(rec))
		x.size[i] = uint32(len(rec))
		x.kinds[i] = kindOf(rec)
		switch x.kinds[i] {
		case kindDecl:
			x.decls = appendGTINs(x.decls, rec, uint32(i))
		case kindNotice, kindKey, kindWithdrawal:
			small = append(small, smallRecord{i, rec})
		}
	}
	slices.SortFunc(x.decls, cmpRef)
	x.src = bytes.NewReader(data)
	if c != nil {
		x.src = concatReaderAt{c.src, end, bytes.NewReader(data)}
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
