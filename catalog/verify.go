package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// SigStatus is the outcome of checking a record's signature against the
// keys the log registers (catalog.md, "smartcheck-key/1").
type SigStatus uint8

const (
	SigValid         SigStatus = iota // signed by a key allowed to sign it at its place in the log
	SigInvalid                        // a signature by a known key does not verify, or the note is malformed
	SigUnknownSigner                  // no signature by a key that may sign it there (R4b)
)

// SignerInfo says who signed a record.
type SignerInfo struct {
	Name string `json:"name"` // the key name in the note
	Key  string `json:"key"`  // the full verifier key
	Org  string `json:"org"`
	Role string `json:"role"`
}

// entry is one record read from the log, verified and parsed, cached so
// that each record's signature is checked once.
type entry struct {
	index  int64
	rec    *Record // parsed body; for a record whose signature fails, untrusted
	err    error   // why the record does not parse (never used then)
	status SigStatus
	why    string // for SigInvalid and SigUnknownSigner
	signer SignerInfo
}

// trusted reports whether the record can be used as fact.
func (e *entry) trusted() bool { return e.rec != nil && e.status == SigValid }

// entry returns record i, verified and parsed; the outcome is remembered.
func (c *Catalog) entry(i int64) *entry {
	c.mu.Lock()
	e := c.cache[i]
	c.mu.Unlock()
	if e != nil {
		return e
	}
	e = c.load(i)
	c.mu.Lock()
	if prev := c.cache[i]; prev != nil {
		e = prev
	} else {
		c.cache[i] = e
	}
	c.mu.Unlock()
	return e
}

func (c *Catalog) load(i int64) *entry {
	e := &entry{index: i}
	data, err := c.Record(i)
	if err != nil {
		e.err, e.status, e.why = err, SigInvalid, err.Error()
		return e
	}
	body, ok := SplitNote(data)
	if !ok {
		e.err = errors.New("not a signed note")
		e.status, e.why = SigInvalid, "record is not a signed note"
		return e
	}
	e.rec, e.err = ParseRecord(body)
	if e.err != nil {
		e.rec = nil
	}
	c.checkSignature(e, data)
	return e
}

// checkSignature verifies the record's note signatures, then asks whether
// a verified signer was allowed to sign this kind of record at this point
// of the log.
func (c *Catalog) checkSignature(e *entry, data []byte) {
	if e.rec != nil && e.rec.Kind == KindKey {
		if _, err := c.openKeyRecord(data); err != nil {
			e.status, e.why = SigInvalid, fmt.Sprintf("key record not signed by the publisher quorum: %v", err)
			return
		}
		if c.colliding[e.index] {
			e.status, e.why = SigInvalid, "its key has the name and key hash of a key registered earlier, which keeps them"
			return
		}
		e.status = SigValid
		return
	}
	n, err := note.Open(data, c.keys)
	var inv *note.InvalidSignatureError
	var unv *note.UnverifiedNoteError
	switch {
	case errors.As(err, &inv):
		e.status, e.why = SigInvalid, fmt.Sprintf("the signature by key %s does not verify: the record was altered after signing", inv.Name)
		return
	case errors.As(err, &unv):
		names := make([]string, 0, len(unv.Note.UnverifiedSigs))
		for _, s := range unv.Note.UnverifiedSigs {
			names = append(names, s.Name)
		}
		e.status, e.why = SigUnknownSigner, fmt.Sprintf("signed only by keys the catalog does not register (%s)", clip(strings.Join(names, ", ")))
		return
	case err != nil:
		e.status, e.why = SigInvalid, fmt.Sprintf("not a well-formed signed note: %v", err)
		return
	}
	roles := []string{"manufacturer", "authorised-rep", "curator"}
	if e.rec != nil && e.rec.Kind == KindNotice {
		roles = []string{"notice-issuer"}
	}
	why := ""
	for _, s := range n.Sigs {
		for _, ks := range c.keys[nameHash{s.Name, s.Hash}] {
			switch {
			case ks.activeAt < 0 || ks.activeAt > e.index:
				why = fmt.Sprintf("key %s was not registered before this record", s.Name)
			case ks.revokedAt >= 0 && ks.revokedAt < e.index:
				why = fmt.Sprintf("key %s (%s) was revoked before this record", s.Name, ks.org)
			case !slices.Contains(roles, ks.role):
				why = fmt.Sprintf("key %s (%s) has role %s, which may not sign this kind of record", s.Name, ks.org, ks.role)
			default:
				e.status = SigValid
				e.signer = SignerInfo{Name: s.Name, Key: ks.vkey, Org: ks.org, Role: ks.role}
				return
			}
		}
	}
	e.status, e.why = SigUnknownSigner, why
}
