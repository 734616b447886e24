package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// Trust decisions: the one place that says whether a record may be used
// for a verdict (catalog.md, "Scope"; verdicts.md, R4 and "Which
// declaration"). A record is decided once per question — a declaration
// per GTIN, a notice per id — and every refusal carries one reason.

// Untrusted says why a record is not used, in the terms of R4.
type Untrusted uint8

const (
	Trusted          Untrusted = iota
	NotVerified                // R4a: does not parse, or a signature does not verify
	SignerNotKnown             // R4b: no key that may sign it there (unknown, not yet registered, revoked, wrong role)
	SignerOutOfScope           // R4c: a registered declaration key whose scope does not cover the GTIN
)

// decision is the outcome of a trust decision for one record.
type decision struct {
	why    Untrusted
	reason string     // for a record that is not trusted
	signer SignerInfo // the trusted signer; for one that is not, the key it names, as far as known
}

func (d decision) trusted() bool { return d.why == Trusted }

var (
	declRoles   = []string{"manufacturer", "authorised-rep", "curator"}
	noticeRoles = []string{"notice-issuer"}
)

// clipOrg keeps an org name (publisher-signed, but long ones are not
// worth a screen) to a readable length.
func clipOrg(s string) string { return clipN(s, 80) }

// signerInfo describes key ks as a signer.
func (ks *keyState) signerInfo() SignerInfo {
	v := ks.verifier
	return SignerInfo{Name: v.Name(), Key: ks.vkey, Org: ks.org, Role: ks.role}
}

// liveAt reports why key ks may not sign a record at index i for one of
// roles, or "" when it may (scope aside): registered before i, not
// revoked before i, of one of roles.
func (ks *keyState) liveAt(i int64, roles []string) string {
	name := ks.verifier.Name()
	switch {
	case ks.activeAt < 0 || ks.activeAt > i:
		return fmt.Sprintf("key %s was not registered before this record", name)
	case ks.revokedAt >= 0 && ks.revokedAt < i:
		return fmt.Sprintf("key %s (%s) was revoked before this record (at record %d)", name, clipOrg(ks.org), ks.revokedAt)
	case !slices.Contains(roles, ks.role):
		return fmt.Sprintf("key %s (%s) has role %s, which may not sign this kind of record", name, clipOrg(ks.org), ks.role)
	}
	return ""
}

// covers reports whether ks holds, at index i, a scope granted before i
// for which which reports true.
func (ks *keyState) covers(i int64, which func(Scope) bool) bool {
	for _, g := range ks.grants {
		if g.at < i && which(g.scope) {
			return true
		}
	}
	return false
}

// scopeWords lists the scopes ks holds at index i, for messages.
func (ks *keyState) scopeWords(i int64) string {
	var s []string
	for _, g := range ks.grants {
		if g.at < i {
			s = append(s, g.scope.String())
		}
	}
	if len(s) == 0 {
		return "none yet"
	}
	return clip(strings.Join(s, ", "))
}

// decideSigned is the part of every decision that needs no scope: the
// record parses and its signatures verify.
func (e *entry) decideSigned() (decision, bool) {
	d := decision{}
	if len(e.names) > 0 {
		d.signer.Name = e.names[0]
	}
	switch {
	case e.rec == nil:
		d.why, d.reason = NotVerified, fmt.Sprintf("does not parse: %v", e.err)
		return d, false
	case e.status == SigInvalid:
		d.why, d.reason = NotVerified, e.why
		return d, false
	case e.status == SigUnknownSigner:
		d.why, d.reason = SignerNotKnown, e.why
		return d, false
	}
	return d, true
}

// declarationFor decides whether declaration e is trusted for gtin: its
// signature verifies with a key that, at its place in the log, is
// registered, not revoked, of a role that signs declarations, and scoped
// for the GTIN. When several signers qualify, a manufacturer's or
// authorised representative's key is named before a curator's.
func (c *Catalog) declarationFor(e *entry, gtin string) decision {
	d, ok := e.decideSigned()
	if !ok {
		return d
	}
	if e.rec.Declaration == nil {
		return decision{why: NotVerified, reason: "not a declaration"}
	}
	d.why, d.reason = SignerNotKnown, "no signature by a registered key"
	var found *keyState
	for _, ks := range e.keys {
		if why := ks.liveAt(e.index, declRoles); why != "" {
			if d.why == SignerNotKnown {
				d.reason, d.signer = why, ks.signerInfo()
			}
			continue
		}
		if !ks.covers(e.index, func(s Scope) bool { return s.CoversGTIN(gtin) }) {
			d.why, d.signer = SignerOutOfScope, ks.signerInfo()
			d.reason = fmt.Sprintf("key %s (%s, %s) is not scoped for GTIN %s (its scopes here: %s)", ks.verifier.Name(), clipOrg(ks.org), ks.role, gtin, ks.scopeWords(e.index))
			continue
		}
		if found == nil || found.role == "curator" && ks.role != "curator" {
			found = ks
		}
	}
	if found != nil {
		return decision{signer: found.signerInfo()}
	}
	return d
}

// noticeDecision decides whether notice e is trusted: its signature
// verifies with a notice-issuer key registered and not revoked at its
// place, scoped for its id. (Whether a revision counts also depends on
// the org that first logged the notice: see noticeState.)
func (c *Catalog) noticeDecision(e *entry) decision {
	d, ok := e.decideSigned()
	if !ok {
		return d
	}
	n := e.rec.Notice
	if n == nil {
		return decision{why: NotVerified, reason: "not a notice"}
	}
	d.why, d.reason = SignerNotKnown, "no signature by a registered key"
	for _, ks := range e.keys {
		if why := ks.liveAt(e.index, noticeRoles); why != "" {
			if d.why == SignerNotKnown {
				d.reason, d.signer = why, ks.signerInfo()
			}
			continue
		}
		if !ks.covers(e.index, func(s Scope) bool { return s.CoversNotice(n.ID) }) {
			d.why, d.signer = SignerOutOfScope, ks.signerInfo()
			d.reason = fmt.Sprintf("key %s (%s) is not scoped for notice %s (its scopes here: %s)", ks.verifier.Name(), clipOrg(ks.org), clip(n.ID), ks.scopeWords(e.index))
			continue
		}
		return decision{signer: ks.signerInfo()}
	}
	return d
}

// noticeRecord is one record of a notice id, decided.
type noticeRecord struct {
	e         *entry
	d         decision
	withdrawn *withdrawal
	foreign   string // why a trusted revision does not count: another org than the first's
}

// counts reports whether the record takes part in the notice's state.
func (n noticeRecord) counts() bool { return n.d.trusted() && n.withdrawn == nil && n.foreign == "" }

// noticeRecords decides every record of notice id, in log order: trust,
// withdrawal, and the org rule (a revision counts only from the org of
// the key that logged the notice's first trusted, not withdrawn record).
// get reads a record: c.entry for lookups, c.load where the cache must
// not fill (Verify).
func (c *Catalog) noticeRecords(id string, get func(int64) *entry) []noticeRecord {
	var out []noticeRecord
	firstOrg := ""
	var firstAt int64
	for _, k := range c.noticesByID[id] {
		e := get(k)
		if e.rec == nil || e.rec.Notice == nil || e.rec.Notice.ID != id {
			continue
		}
		nr := noticeRecord{e: e, d: c.noticeDecision(e)}
		if w, ok := c.withdrawn[k]; ok {
			nr.withdrawn = &w
		}
		if nr.d.trusted() && nr.withdrawn == nil {
			switch {
			case firstOrg == "":
				firstOrg, firstAt = nr.d.signer.Org, k
			case nr.d.signer.Org != firstOrg:
				nr.foreign = fmt.Sprintf("signed for %s, but only %s, which logged notice %s first (record %d), may revise it",
					clipOrg(nr.d.signer.Org), clipOrg(firstOrg), id, firstAt)
			}
		}
		out = append(out, nr)
	}
	return out
}

// current returns the notice's current state among recs: the counting
// record with the highest revision, the later in the log on a tie.
func current(recs []noticeRecord) *noticeRecord {
	var cur *noticeRecord
	for i := range recs {
		r := &recs[i]
		if r.counts() && (cur == nil || r.e.rec.Notice.Revision >= cur.e.rec.Notice.Revision) {
			cur = r
		}
	}
	return cur
}

// Key says what the log registers for the verifier key vkey: its name,
// org and role, from its first active record. ok is false when the
// catalog registers no such key.
func (c *Catalog) Key(vkey string) (info SignerInfo, revoked bool, ok bool) {
	for _, ks := range c.keyList {
		if ks.vkey == vkey {
			return ks.signerInfo(), ks.revokedAt >= 0, ks.activeAt >= 0 || ks.revokedAt >= 0
		}
	}
	return SignerInfo{}, false, false
}
