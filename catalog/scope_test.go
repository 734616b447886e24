package catalog

import (
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// GTINs outside the test makers' prefix 952, and edge cases of scopes.
const (
	gtinOther     = "09610000000019" // another maker's prefix, 961
	gtinIndicator = "19520000000018" // GTIN-13 9520000000001 with indicator digit 1
	gtinUPC       = "00012345678905" // U.P.C. 012345678905
	gtinD         = "09520000000097"
)

// withdraw logs a withdrawal of record i, signed by the publisher.
func (f *fixture) withdraw(i int, reason string) {
	f.t.Helper()
	body, err := WithdrawalBody(Withdrawal{Record: int64(i), Hash: tlog.RecordHash(f.records[i]), Reason: reason, Withdrawn: mustDate("2026-11-20")})
	if err != nil {
		f.t.Fatal(err)
	}
	f.add(f.pub, string(body))
}

// last is the index of the record logged last.
func (f *fixture) last() int { return len(f.records) - 1 }

// TestScopesAndChoice holds the promises of issue 9 ("nobody signs for
// somebody else's products, and no promise is quietly shortened"): each
// of the first cases broke them before scopes, withdrawals and the
// choice among trusted declarations only.
func TestScopesAndChoice(t *testing.T) {
	type tc struct {
		name    string
		setup   func(f *fixture)
		gtin    string
		batch   string
		verdict Verdict
		codes   string
		chosen  int64 // the record whose facts are shown; -1 for none; 0 means "do not check"
	}
	// A second maker, "rival", registered for prefix 961 only.
	rival := func(f *fixture) { f.keyRecordScoped("rival", "Rival Ltd", "manufacturer", "active", "gtin 961") }
	cases := []tc{
		// A registered manufacturer signs for another maker's GTIN,
		// claiming its brand.
		{name: "another maker's GTIN alone", setup: func(f *fixture) {
			rival(f)
			f.addBy("rival", decl("id forged", "brand Example"))
		}, verdict: Check, codes: "signer-out-of-scope", chosen: -1},
		{name: "another maker's GTIN after the real one", setup: func(f *fixture) {
			rival(f)
			f.addBy("maker", decl())
			f.addBy("rival", decl("id forged", "passwords universal-default"))
		}, verdict: OK, codes: "ignored-records", chosen: 4},
		{name: "another maker's GTIN cannot make a failing product OK", setup: func(f *fixture) {
			rival(f)
			f.addBy("maker", decl("passwords universal-default"))
			f.addBy("rival", decl("id fixed"))
		}, verdict: Stop, codes: "ignored-records,universal-default-password", chosen: 4},
		// Shortening under a new id, or by republishing the same version.
		{name: "shortened under a new id", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("maker", decl("id test-phone-2024", "support-until 2029-01"))
		}, verdict: Stop, codes: "support-shortened", chosen: 4},
		{name: "shortened by republishing the same id and version", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("maker", decl("support-until 2029-01"))
		}, verdict: Stop, codes: "support-shortened", chosen: 4},
		{name: "shortened by a curator's later declaration", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("curator", decl("id curated", "support-until 2029-01"))
		}, verdict: Stop, codes: "support-shortened", chosen: 3},
		{name: "a shortening in another batch does not count", setup: func(f *fixture) {
			f.addBy("maker", decl("batch L1"))
			f.addBy("maker", decl("id lot-2", "batch L2", "support-until 2029-01"))
		}, batch: "L1", verdict: OK, codes: "-", chosen: 3},
		// A notice-issuer of another org revises OPSS's notice.
		{name: "foreign org revokes a notice", setup: func(f *fixture) {
			f.keyRecordScoped("other-issuer", "Other Authority", "notice-issuer", "active", "notice OPS-")
			f.addBy("maker", decl())
			f.addBy("issuer", notice())
			f.addBy("other-issuer", notice("revision 2", "status revoked"))
		}, verdict: Stop, codes: "ignored-records,notice-in-force", chosen: 4},
		{name: "same org revokes a notice", setup: func(f *fixture) {
			f.keyRecordScoped("issuer-2", "issuer org", "notice-issuer", "active", "notice OPS-")
			f.addBy("maker", decl())
			f.addBy("issuer", notice())
			f.addBy("issuer-2", notice("revision 2", "status revoked"))
		}, verdict: OK, codes: "-", chosen: 4},
		{name: "notice out of the issuer's scope", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("issuer", notice("id TSA-1"))
		}, verdict: OK, codes: "ignored-records", chosen: 3},
		// Later records that are not trusted change nothing.
		{name: "later declaration that does not verify", setup: func(f *fixture) {
			f.addBy("maker", decl("passwords universal-default"))
			f.addBy("maker", decl("version 2"))
			f.records[f.last()] = []byte(strings.Replace(string(f.records[f.last()]), "Phone One", "Phone Two", 1))
		}, verdict: Stop, codes: "ignored-records,universal-default-password", chosen: 3},
		{name: "later declaration by an unknown key", setup: func(f *fixture) {
			f.addBy("maker", decl("passwords universal-default"))
			f.addBy("rogue", decl("version 2"))
		}, verdict: Stop, codes: "ignored-records,universal-default-password", chosen: 3},
		{name: "later declaration by a revoked key", setup: func(f *fixture) {
			f.keyRecordScoped("old", "maker org", "manufacturer", "active", "gtin 952")
			f.addBy("maker", decl("passwords universal-default"))
			f.keyRecord("old", "manufacturer", "revoked")
			f.addBy("old", decl("version 2"))
		}, verdict: Stop, codes: "ignored-records,universal-default-password", chosen: 4},

		// Scope edge cases.
		{name: "prefix covers only through the indicator digit", setup: func(f *fixture) {
			f.keyRecordScoped("ind", "Ind Ltd", "manufacturer", "active", "gtin 1952")
			f.addBy("ind", decl("gtin "+gtinIndicator))
		}, gtin: gtinIndicator, verdict: Check, codes: "signer-out-of-scope", chosen: -1},
		{name: "prefix covers the GTIN-13 form after the indicator digit", setup: func(f *fixture) {
			f.addBy("maker", decl("gtin "+gtinIndicator))
		}, gtin: gtinIndicator, verdict: OK, codes: "-", chosen: 3},
		{name: "U.P.C. company prefix with its leading 0", setup: func(f *fixture) {
			f.keyRecordScoped("upc", "UPC Inc", "manufacturer", "active", "gtin 0012345")
			f.addBy("upc", decl("gtin "+gtinUPC))
		}, gtin: gtinUPC, verdict: OK, codes: "-", chosen: 4},
		{name: "U.P.C. prefix without its leading 0 does not cover", setup: func(f *fixture) {
			f.keyRecordScoped("upc", "UPC Inc", "manufacturer", "active", "gtin 012345")
			f.addBy("upc", decl("gtin "+gtinUPC))
		}, gtin: gtinUPC, verdict: Check, codes: "signer-out-of-scope", chosen: -1},
		{name: "a whole GTIN-13 as scope", setup: func(f *fixture) {
			f.keyRecordScoped("one", "One Ltd", "authorised-rep", "active", "gtin 9610000000019")
			f.addBy("one", decl("gtin "+gtinOther))
		}, gtin: gtinOther, verdict: OK, codes: "-", chosen: 4},
		{name: "scope added by a later key record", setup: func(f *fixture) {
			rival(f)
			f.addBy("rival", decl("id early"))
			f.keyRecordScoped("rival", "Rival Ltd", "manufacturer", "active", "gtin 952")
			f.addBy("rival", decl("id late", "support-until 2032"))
		}, verdict: OK, codes: "ignored-records", chosen: 6},
		{name: "records before a scope grant stay untrusted", setup: func(f *fixture) {
			rival(f)
			f.addBy("rival", decl("id early"))
			f.keyRecordScoped("rival", "Rival Ltd", "manufacturer", "active", "gtin 952")
		}, verdict: Check, codes: "signer-out-of-scope", chosen: -1},
		{name: "a later record of another role grants nothing", setup: func(f *fixture) {
			rival(f)
			f.keyRecordScoped("rival", "Rival Ltd", "curator", "active", "gtin *")
			f.addBy("rival", decl())
		}, verdict: Check, codes: "signer-out-of-scope", chosen: -1},
		{name: "a revoked key is not revived", setup: func(f *fixture) {
			f.keyRecordScoped("old", "Old Ltd", "manufacturer", "active", "gtin 952")
			f.keyRecord("old", "manufacturer", "revoked")
			f.keyRecordScoped("old", "Old Ltd", "manufacturer", "active", "gtin 952")
			f.addBy("old", decl())
		}, verdict: Check, codes: "signer-unknown", chosen: -1},
		{name: "curator * against a manufacturer's own declaration", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("curator", decl("id curated", "support-until 2033", "model Curated"))
		}, verdict: OK, codes: "-", chosen: 3},
		{name: "curator before the manufacturer", setup: func(f *fixture) {
			f.addBy("curator", decl("id curated", "support-until 2030"))
			f.addBy("maker", decl())
		}, verdict: OK, codes: "support-extended", chosen: 4},
		{name: "a key whose role may not hold its scope registers nothing", setup: func(f *fixture) {
			f.keyRecordScoped("greedy", "Greedy Ltd", "manufacturer", "active", "gtin *")
			f.addBy("greedy", decl())
		}, verdict: Check, codes: "signer-unknown", chosen: -1},
		{name: "a notice issuer may not sign declarations", setup: func(f *fixture) {
			f.addBy("issuer", decl())
		}, verdict: Check, codes: "signer-unknown", chosen: -1},
		{name: "GTINs in and out of scope: trusted for the one in scope", setup: func(f *fixture) {
			f.addBy("maker", decl("gtin "+gtinA, "gtin "+gtinOther))
		}, verdict: OK, codes: "-", chosen: 3},
		{name: "GTINs in and out of scope: ignored for the one out of scope", setup: func(f *fixture) {
			f.addBy("maker", decl("gtin "+gtinA, "gtin "+gtinOther))
		}, gtin: gtinOther, verdict: Check, codes: "signer-out-of-scope", chosen: -1},
		{name: "R4a before R4b before R4c", setup: func(f *fixture) {
			rival(f)
			f.addBy("rival", decl())
			f.addBy("rogue", decl())
			f.addBy("maker", decl("version 2"))
			f.records[f.last()] = []byte(strings.Replace(string(f.records[f.last()]), "Phone One", "Phone Two", 1))
		}, verdict: Check, codes: "signature-invalid", chosen: -1},
		{name: "R4b before R4c", setup: func(f *fixture) {
			rival(f)
			f.addBy("rival", decl())
			f.addBy("rogue", decl())
		}, verdict: Check, codes: "signer-unknown", chosen: -1},

		// Withdrawals.
		{name: "withdrawn declaration no longer counts", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("maker", decl("version 2", "support-until 2029"))
			f.withdraw(f.last(), "logged with the wrong date")
		}, verdict: OK, codes: "ignored-records", chosen: 3},
		{name: "withdrawn only declaration", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.withdraw(f.last(), "wrong product")
		}, verdict: Check, codes: "no-declaration", chosen: -1},
		{name: "withdrawn notice", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("issuer", notice())
			f.withdraw(f.last(), "issued against the wrong product")
		}, verdict: OK, codes: "ignored-records", chosen: 3},
		{name: "withdrawal with a wrong hash has no effect", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("issuer", notice())
			body, _ := WithdrawalBody(Withdrawal{Record: int64(f.last()), Hash: tlog.RecordHash([]byte("another record")), Reason: "x", Withdrawn: mustDate("2026-11-20")})
			f.add(f.pub, string(body))
		}, verdict: Stop, codes: "notice-in-force", chosen: 3},
		{name: "withdrawal not signed by the publisher has no effect", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("issuer", notice())
			body, _ := WithdrawalBody(Withdrawal{Record: int64(f.last()), Hash: tlog.RecordHash(f.records[f.last()]), Reason: "x", Withdrawn: mustDate("2026-11-20")})
			f.addBy("issuer", string(body))
		}, verdict: Stop, codes: "notice-in-force", chosen: 3},
		{name: "withdrawal of a key record has no effect", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.withdraw(0, "no")
		}, verdict: OK, codes: "-", chosen: 3},
		{name: "a withdrawn revision leaves the one before it", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("issuer", notice())
			f.addBy("issuer", notice("revision 2", "status revoked"))
			f.withdraw(f.last(), "revoked by mistake")
		}, verdict: Stop, codes: "ignored-records,notice-in-force", chosen: 3},

		// Sch 3 para 5: every laptop and desktop is excepted, cellular or
		// not; a tablet only without cellular; none when made for
		// children under 14.
		{name: "R2 laptop cellular", setup: sch3("laptop", "yes", "no"), verdict: NotInScope, codes: "excepted"},
		{name: "R2 laptop not cellular", setup: sch3("laptop", "no", "no"), verdict: NotInScope, codes: "excepted"},
		{name: "R2 laptop cellular under 14", setup: sch3("laptop", "yes", "yes"), verdict: OK, codes: "-"},
		{name: "R2 laptop not cellular under 14", setup: sch3("laptop", "no", "yes"), verdict: OK, codes: "-"},
		{name: "R2 desktop cellular", setup: sch3("desktop", "yes", "no"), verdict: NotInScope, codes: "excepted"},
		{name: "R2 desktop not cellular", setup: sch3("desktop", "no", "no"), verdict: NotInScope, codes: "excepted"},
		{name: "R2 desktop cellular under 14", setup: sch3("desktop", "yes", "yes"), verdict: OK, codes: "-"},
		{name: "R2 desktop not cellular under 14", setup: sch3("desktop", "no", "yes"), verdict: OK, codes: "-"},
		{name: "R2 tablet cellular", setup: sch3("tablet", "yes", "no"), verdict: OK, codes: "-"},
		{name: "R2 tablet not cellular", setup: sch3("tablet", "no", "no"), verdict: NotInScope, codes: "excepted"},
		{name: "R2 tablet cellular under 14", setup: sch3("tablet", "yes", "yes"), verdict: OK, codes: "-"},
		{name: "R2 tablet not cellular under 14", setup: sch3("tablet", "no", "yes"), verdict: OK, codes: "-"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			c.setup(f)
			// Records that do not parse go in too: a till must cope.
			cat, err := OpenBytes(f.checkpointFor(f.records, f.issued), frameAll(f.records), f.trust, nil)
			if err != nil {
				t.Fatal(err)
			}
			q := Query{GTIN: gtinA, Batch: c.batch, Today: mustDate("2026-11-24"), Policy: DefaultPolicy}
			if c.gtin != "" {
				q.GTIN = c.gtin
			}
			r := cat.Judge(q)
			if r.Verdict != c.verdict || codes(r) != c.codes {
				for _, f := range r.Findings {
					t.Logf("%s %s %s: %s", f.Rule, f.Code, f.Verdict, f.Staff)
				}
				t.Errorf("got %s [%s], want %s [%s]", r.Verdict, codes(r), c.verdict, c.codes)
			}
			if c.chosen != 0 && r.Index != c.chosen {
				t.Errorf("facts from record %d, want %d", r.Index, c.chosen)
			}
			if r.Index < 0 && r.Declaration != nil {
				t.Errorf("facts shown with no chosen record: %+v", r.Declaration)
			}
			// Nothing untrusted is shown: the chosen one is trusted and
			// not withdrawn, and the history names it.
			nChosen := 0
			for _, h := range r.History {
				if h.Chosen {
					nChosen++
					if !h.Trusted || h.Withdrawn != "" || h.Index != r.Index {
						t.Errorf("chosen history entry %+v", h)
					}
				}
				if !h.Trusted && h.Ignored == "" {
					t.Errorf("history entry %+v: untrusted without a reason", h)
				}
			}
			want := 0
			if r.Index >= 0 {
				want = 1
			}
			if nChosen != want {
				t.Errorf("%d chosen history entries, want %d", nChosen, want)
			}
			// R4d is for staff only.
			for _, f := range r.Findings {
				if f.Code == "ignored-records" && (f.Shopper != "" || f.Verdict != OK) {
					t.Errorf("ignored-records finding %+v: want verdict OK, no shopper text", f)
				}
			}
		})
	}
}

func sch3(category, cellular, under14 string) func(f *fixture) {
	return func(f *fixture) {
		f.addBy("maker", decl("category "+category, "cellular "+cellular, "under-14 "+under14))
	}
}

// TestVerifyReportsTrust: catalog verify names every record a till would
// not trust, with the reason, and none that it would.
func TestVerifyReportsTrust(t *testing.T) {
	f := newFixture(t)
	f.keyRecordScoped("rival", "Rival Ltd", "manufacturer", "active", "gtin 961")                                       // 3
	f.addBy("rival", decl("id forged"))                                                                                 // 4: out of scope
	f.addBy("maker", decl("id two", "gtin "+gtinA, "gtin "+gtinOther))                                                  // 5: partly out of scope
	f.add(f.pub, KindKey+"\nkey "+f.vkeys["rival"]+"\norg Rival Ltd\nrole manufacturer\nstatus active\nscope gtin x\n") // 6: malformed scope
	f.addBy("issuer", notice())                                                                                         // 7: fine
	f.keyRecordScoped("other-issuer", "Other Authority", "notice-issuer", "active", "notice OPS-")                      // 8
	f.addBy("other-issuer", notice("revision 2", "status revoked"))                                                     // 9: foreign org
	f.withdraw(7, "wrong hash")
	f.records[f.last()] = []byte(strings.Replace(string(f.records[f.last()]), "record 7", "record 5", 1)) // 10: signature broken
	body, _ := WithdrawalBody(Withdrawal{Record: 5, Hash: tlog.RecordHash(f.records[7]), Reason: "wrong hash", Withdrawn: mustDate("2026-11-20")})
	f.add(f.pub, string(body)) // 11: wrong hash
	body, _ = WithdrawalBody(Withdrawal{Record: 12, Hash: tlog.RecordHash(f.records[7]), Reason: "itself", Withdrawn: mustDate("2026-11-20")})
	f.add(f.pub, string(body)) // 12: points at itself
	body, _ = WithdrawalBody(Withdrawal{Record: 99, Hash: tlog.RecordHash(f.records[7]), Reason: "past", Withdrawn: mustDate("2026-11-20")})
	f.add(f.pub, string(body))                                             // 13: points past the log
	f.withdraw(0, "a key record")                                          // 14: not a declaration or notice
	f.withdraw(4, "forged")                                                // 15: fine
	f.keyRecordScoped("rival", "Rival Ltd", "curator", "active", "gtin *") // 16: changes the role
	cp := f.checkpointFor(f.records, f.issued)
	c, err := OpenBytes(cp, frameAll(f.records), f.trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64][]string{
		4:  {"declaration forged version 1 (ignored)", "rival", "not scoped for GTIN " + gtinA, "gtin 961"},
		5:  {"two version 1", "ignored for GTIN " + gtinOther, "trusted for its other GTINs"},
		6:  {"does not parse", "scope"},
		9:  {"notice OPS-TEST-1 revision 2 (ignored)", "Other Authority", "only issuer org, which logged notice OPS-TEST-1 first (record 7)"},
		10: {"withdrawal", "publisher"},
		11: {"(no effect)", "hash does not match record 5"},
		12: {"(no effect)", "not logged before it"},
		13: {"(no effect)", "record 99"},
		14: {"(no effect)", "not a declaration or a notice"},
		16: {"(registers nothing)", "grants nothing"},
	}
	checkVerify(t, c, want)
	// The withdrawal at 15 took effect; the rest changed nothing.
	r := c.Judge(Query{GTIN: gtinA, Today: mustDate("2026-11-24"), Policy: DefaultPolicy})
	if r.Verdict != Stop || r.Index != 5 || codes(r) != "ignored-records,notice-in-force" {
		t.Errorf("gtinA: %s [%s] from record %d", r.Verdict, codes(r), r.Index)
	}
	var withdrawn string
	for _, h := range r.History {
		if h.Index == 4 {
			withdrawn = h.Withdrawn
		}
	}
	if withdrawn != "forged" {
		t.Errorf("history of record 4: withdrawn %q, want the reason", withdrawn)
	}
}

// TestBodyWritersRefuseLineBreaks: a value with a line break would add a
// line (a scope, say) that nobody asked for.
func TestBodyWritersRefuseLineBreaks(t *testing.T) {
	_, vkey := testKey(t, "maker")
	if b, err := KeyRecordBody(KeyRecord{Key: vkey, Org: "Example Ltd\nscope gtin *", Role: "curator", Status: "active", Scopes: []Scope{{Kind: ScopeGTIN, Prefix: "952"}}}); err == nil {
		t.Errorf("KeyRecordBody wrote %q", b)
	}
	if b, err := WithdrawalBody(Withdrawal{Record: 1, Reason: "x\nrecord 2", Withdrawn: mustDate("2026-11-20")}); err == nil {
		t.Errorf("WithdrawalBody wrote %q", b)
	}
}
