package catalog

import (
	"strings"
	"testing"
	"time"
)

// TestVerdictRules has a case for every rule of verdicts.md, with the
// boundary dates of its "Dates" section. Unless a case says otherwise,
// today is 2026-11-24 and the scan is gtinA with no batch.
func TestVerdictRules(t *testing.T) {
	type tc struct {
		name    string
		setup   func(f *fixture)
		gtin    string
		batch   string
		today   string
		policy  Policy
		verdict Verdict
		codes   string
	}
	maker := func(edits ...string) func(f *fixture) {
		return func(f *fixture) { f.addBy("maker", decl(edits...)) }
	}
	withNotice := func(n string, d ...string) func(f *fixture) {
		return func(f *fixture) {
			f.addBy("maker", decl(d...))
			f.addBy("issuer", n)
		}
	}
	cases := []tc{
		{name: "R7d ok", setup: maker(), verdict: OK, codes: "-"},

		// R0b: the expiry is compared as a Europe/London date.
		{name: "R0b stale", setup: func(f *fixture) {
			f.expires = time.Date(2026, 11, 23, 23, 59, 59, 0, time.UTC)
			f.addBy("maker", decl())
		}, verdict: Check, codes: "catalog-stale"},
		{name: "R0b expires today", setup: func(f *fixture) {
			f.expires = time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC)
			f.addBy("maker", decl())
		}, verdict: OK, codes: "-"},
		{name: "R0b London summer time", setup: func(f *fixture) {
			f.issued = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
			f.expires = time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC) // 00:30 on 1 July in London
			f.addBy("maker", decl())
		}, today: "2026-07-01", verdict: OK, codes: "-"},

		{name: "R1 no declaration", setup: maker(), gtin: gtinB, verdict: Check, codes: "no-declaration"},

		// R2, R2b
		{name: "R2 laptop", setup: maker("category laptop", "cellular no", "under-14 no"), verdict: NotInScope, codes: "excepted"},
		{name: "R2 tablet wifi", setup: maker("category tablet", "cellular no", "under-14 no"), verdict: NotInScope, codes: "excepted"},
		{name: "R2 tablet under-14 in scope", setup: maker("category tablet", "cellular no", "under-14 yes"), verdict: OK, codes: "-"},
		{name: "R2 cellular tablet in scope", setup: maker("category tablet", "cellular yes", "under-14 no"), verdict: OK, codes: "-"},
		{name: "R2 ev charge point", setup: maker("category ev-charge-point", "-cellular"), verdict: NotInScope, codes: "excepted"},
		{name: "R2 medical device", setup: maker("category medical-device", "-cellular", "medical-software no"), verdict: NotInScope, codes: "excepted"},
		{name: "R2 smart meter assured", setup: maker("category smart-meter", "-cellular", "smart-meter-assured yes"), verdict: NotInScope, codes: "excepted"},
		{name: "R2 smart meter not assured", setup: maker("category smart-meter", "-cellular", "smart-meter-assured no"), verdict: OK, codes: "-"},
		{name: "R2 vehicle", setup: maker("category vehicle", "-cellular"), verdict: NotInScope, codes: "excepted"},
		{name: "R2 excepted keeps R6 R7 findings uncounted",
			setup:   maker("category laptop", "cellular no", "under-14 no", "passwords universal-default", "support-until 2025-01"),
			verdict: NotInScope, codes: "excepted,support-ended,universal-default-password"},
		{name: "R2 excepted and R3 notice", setup: withNotice(notice(), "category vehicle", "-cellular"), verdict: Stop, codes: "excepted,notice-in-force"},
		{name: "R2 excepted and R4", setup: func(f *fixture) {
			f.addBy("maker", decl("category vehicle", "-cellular"))
			f.addBy("rogue", decl("category vehicle", "-cellular", "version 2"))
		}, verdict: NotInScope, codes: "excepted,ignored-records"},
		{name: "R2 excepted and R4 with nothing trusted", setup: func(f *fixture) {
			f.addBy("rogue", decl("category vehicle", "-cellular", "version 2"))
		}, verdict: Check, codes: "signer-unknown"},
		{name: "R2b medical device unknown", setup: maker("category medical-device", "-cellular"), verdict: Check, codes: "scope-unknown"},
		{name: "R2b smart meter unknown", setup: maker("category smart-meter", "-cellular"), verdict: Check, codes: "scope-unknown"},

		// R3: notices.
		{name: "R3a stop", setup: withNotice(notice()), verdict: Stop, codes: "notice-in-force"},
		{name: "R3a recall", setup: withNotice(notice("type recall")), verdict: Stop, codes: "notice-in-force"},
		{name: "R3a forfeiture varied", setup: withNotice(notice("type forfeiture", "status varied")), verdict: Stop, codes: "notice-in-force"},
		{name: "R3a not yet effective", setup: withNotice(notice("effective 2026-11-25")), verdict: OK, codes: "-"},
		{name: "R3a effective today", setup: withNotice(notice("effective 2026-11-24")), verdict: Stop, codes: "notice-in-force"},
		{name: "R3a revoked", setup: withNotice(notice("status revoked")), verdict: OK, codes: "-"},
		{name: "R3 highest revision counts", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("issuer", notice())
			f.addBy("issuer", notice("revision 2", "status complied"))
		}, verdict: OK, codes: "-"},
		{name: "R3 revision order not log order", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("issuer", notice("revision 2", "status in-force"))
			f.addBy("issuer", notice("revision 1", "status complied"))
		}, verdict: Stop, codes: "notice-in-force"},
		{name: "R3 notice by a manufacturer key is ignored", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("maker", notice())
		}, verdict: OK, codes: "ignored-records"},
		{name: "R3 forged later revision is ignored", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("issuer", notice())
			f.addBy("rogue", notice("revision 2", "status revoked"))
		}, verdict: Stop, codes: "ignored-records,notice-in-force"},
		{name: "R3b public information", setup: withNotice(notice("type public-information")), verdict: Stop, codes: "published-failure"},
		{name: "R3c compliance failure", setup: withNotice(notice("type compliance", "failure support-period | no period published")), verdict: Stop, codes: "compliance-failure"},
		{name: "R3d compliance other", setup: withNotice(notice("type compliance", "failure statement | statement missing")), verdict: Caution, codes: "enforcement-history"},
		{name: "R3d penalty", setup: withNotice(notice("type penalty")), verdict: Caution, codes: "enforcement-history"},
		{name: "R3e appealed", setup: withNotice(notice("status appealed")), verdict: Caution, codes: "notice-under-appeal"},
		{name: "R3f batch needed", setup: withNotice(notice("batch L1", "batch L2")), verdict: Check, codes: "batch-needed"},
		{name: "R3 batch covered", setup: withNotice(notice("batch L1", "batch L2")), batch: "L2", verdict: Stop, codes: "notice-in-force"},
		{name: "R3g other batches", setup: withNotice(notice("batch L1")), batch: "L9", verdict: Caution, codes: "notice-other-batches"},

		// R4: signatures and signers.
		{name: "R4a tampered", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.records[len(f.records)-1] = []byte(strings.Replace(string(f.records[len(f.records)-1]), "Phone One", "Phone Two", 1))
		}, verdict: Check, codes: "signature-invalid"},
		{name: "R4d a later version that does not verify changes nothing", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("maker", decl("version 2", "support-until 2035"))
			f.records[len(f.records)-1] = []byte(strings.Replace(string(f.records[len(f.records)-1]), "2035", "2036", 1))
		}, verdict: OK, codes: "ignored-records"},
		{name: "R4a only a version that does not verify", setup: func(f *fixture) {
			f.addBy("maker", decl("version 2", "support-until 2035"))
			f.records[len(f.records)-1] = []byte(strings.Replace(string(f.records[len(f.records)-1]), "2035", "2036", 1))
		}, verdict: Check, codes: "signature-invalid"},
		{name: "R4b unregistered", setup: func(f *fixture) { f.addBy("rogue", decl()) }, verdict: Check, codes: "signer-unknown"},
		{name: "R4b registered later", setup: func(f *fixture) {
			f.addBy("late", decl())
			f.register("late", "manufacturer")
		}, verdict: Check, codes: "signer-unknown"},
		{name: "R4b revoked before", setup: func(f *fixture) {
			f.keyRecord("maker", "manufacturer", "revoked")
			f.addBy("maker", decl())
		}, verdict: Check, codes: "signer-unknown"},
		{name: "R4b revoked after", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.keyRecord("maker", "manufacturer", "revoked")
		}, verdict: OK, codes: "-"},
		{name: "R4b role may not sign", setup: func(f *fixture) { f.addBy("issuer", decl()) }, verdict: Check, codes: "signer-unknown"},
		{name: "R4b key record not by publisher", setup: func(f *fixture) {
			f.signer("self")
			f.addBy("self", KindKey+"\nkey "+f.vkeys["self"]+"\norg Self\nrole manufacturer\nstatus active\nscope gtin 952\n")
			f.addBy("self", decl())
		}, verdict: Check, codes: "signer-unknown"},
		{name: "R4 curator may sign", setup: func(f *fixture) { f.addBy("curator", decl()) }, verdict: OK, codes: "-"},

		// Which declaration.
		{name: "most recently logged id", setup: func(f *fixture) {
			f.addBy("maker", decl("id other", "support-until 2020"))
			f.addBy("maker", decl())
		}, verdict: OK, codes: "support-extended"},
		{name: "id covering the batch", setup: func(f *fixture) {
			f.addBy("maker", decl("id lot-a", "batch A1"))
			f.addBy("maker", decl("id lot-b", "batch B1", "support-until 2020"))
		}, batch: "A1", verdict: OK, codes: "-"},

		// R5
		{name: "R5a batch not covered", setup: maker("batch A1", "batch A2"), batch: "Z9", verdict: Check, codes: "batch-not-covered"},
		{name: "R5b batch unverified", setup: maker("batch A1"), verdict: Caution, codes: "batch-unverified"},
		{name: "R5 batch covered", setup: maker("batch A1"), batch: "A1", verdict: OK, codes: "-"},

		// R6
		{name: "R6a universal default", setup: maker("passwords universal-default"), verdict: Stop, codes: "universal-default-password"},
		{name: "R6b unknown passwords", setup: maker("passwords unknown"), verdict: Check, codes: "password-status-unknown"},
		{name: "R6 unique passwords", setup: maker("passwords unique-per-product"), verdict: OK, codes: "-"},
		{name: "R6c no contact", setup: maker("-contact"), verdict: Stop, codes: "no-contact"},
		{name: "R6d malformed contact", setup: maker("contact security at example dot com"), verdict: Check, codes: "contact-malformed"},
		{name: "R6d one good contact is enough", setup: maker("contact call us", "contact mailto:security@example.com"), verdict: OK, codes: "-"},
		{name: "R6d http is not https", setup: maker("contact http://example.com/security"), verdict: Check, codes: "contact-malformed"},
		{name: "R6 tel contact", setup: maker("contact tel:+44-20-7946-0000"), verdict: OK, codes: "-"},
		{name: "R6e no acknowledgement", setup: maker("-acknowledgement"), verdict: Caution, codes: "contact-incomplete"},
		{name: "R6e no status updates", setup: maker("-status-updates"), verdict: Caution, codes: "contact-incomplete"},
		{name: "R6f no support period", setup: maker("support-until none"), verdict: Stop, codes: "no-support-period"},
		{name: "R6g purchase anchor", setup: maker("support-until relative", "support-relative 3 years after purchase"), verdict: Check, codes: "support-end-undetermined"},
		{name: "R6g last-available anchor", setup: maker("support-until relative", "support-relative 4 years after last-available 2026-01-01"), verdict: Check, codes: "support-end-undetermined"},
		{name: "R6g no anchor date", setup: maker("support-until relative", "support-relative 5 years after launch"), verdict: Check, codes: "support-end-undetermined"},
		{name: "relative with anchor date", setup: maker("support-until relative", "support-relative 5 years after first-supply 2023-09-22"), verdict: OK, codes: "-"},
		{name: "relative first-supply from first-supplied", setup: maker("support-until relative", "support-relative 2 years after first-supply", "first-supplied 2025-01-01"), verdict: Caution, codes: "support-ends-soon"},
		{name: "R6h shortened", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("maker", decl("version 2", "published 2026-01-01", "support-until 2030-12-31"))
		}, verdict: Stop, codes: "support-shortened"},
		{name: "R6h same end at other precision", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("maker", decl("version 2", "support-until 2031-08-31"))
		}, verdict: OK, codes: "-"},
		{name: "R6h day inside the month is shorter", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("maker", decl("version 2", "support-until 2031-08-30"))
		}, verdict: Stop, codes: "support-shortened"},
		{name: "R6h shortened then extended still fails", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("maker", decl("version 2", "support-until 2030"))
			f.addBy("maker", decl("version 3", "support-until 2032"))
		}, verdict: Stop, codes: "support-extended,support-shortened"},
		{name: "R6i extended", setup: func(f *fixture) {
			f.addBy("maker", decl())
			f.addBy("maker", decl("version 2", "support-until 2033-08"))
		}, verdict: OK, codes: "support-extended"},
		{name: "R6j label expired", setup: maker("route schedule2-label", "label SG-CLS | 2 | CLS-1 | 2025-06-30"), verdict: Check, codes: "label-expired"},
		{name: "R6j one label valid", setup: maker("route schedule2-label", "label SG-CLS | 2 | CLS-1 | 2025-06-30", "label JP-JC-STAR | 1 | JC-1 | 2027-01-01"), verdict: OK, codes: "-"},
		{name: "R6j label expires today", setup: maker("route schedule2-label", "label SG-CLS | 2 | CLS-1 | 2026-11-24"), verdict: OK, codes: "-"},

		// R7 and the dates of verdicts.md.
		{name: "R7c day before window end", setup: maker("support-until 2027-11-23"), verdict: Caution, codes: "support-ends-soon"},
		{name: "R7d window end", setup: maker("support-until 2027-11-24"), verdict: OK, codes: "-"},
		{name: "R7c month", setup: maker("support-until 2027-11"), verdict: Caution, codes: "support-ends-soon"},
		{name: "R7d month after", setup: maker("support-until 2027-12"), verdict: OK, codes: "-"},
		{name: "R7c year", setup: maker("support-until 2027"), verdict: Caution, codes: "support-ends-soon"},
		{name: "R7b month now", setup: maker("support-until 2026-11"), verdict: Caution, codes: "support-ends-now"},
		{name: "R7b day now", setup: maker("support-until 2026-11-24"), verdict: Caution, codes: "support-ends-now"},
		{name: "R7b year now", setup: maker("support-until 2026"), verdict: Caution, codes: "support-ends-now"},
		{name: "R7a ended yesterday", setup: maker("support-until 2026-11-23"), verdict: Stop, codes: "support-ended"},
		{name: "R7a ended month", setup: maker("support-until 2026-10"), verdict: Stop, codes: "support-ended"},
		{name: "R7a ended year", setup: maker("support-until 2025"), verdict: Stop, codes: "support-ended"},
		{name: "R7a policy caution", setup: maker("support-until 2025"), policy: Policy{SupportEnded: Caution, CautionMonths: 12}, verdict: Caution, codes: "support-ended"},
		{name: "R7c six months policy", setup: maker("support-until 2027-06"), policy: Policy{SupportEnded: Stop, CautionMonths: 6}, verdict: OK, codes: "-"},
		{name: "R7c leap day", setup: func(f *fixture) {
			f.expires = time.Date(2028, 6, 1, 0, 0, 0, 0, time.UTC)
			f.addBy("maker", decl("support-until 2029-02-28"))
		}, today: "2028-02-29", verdict: Caution, codes: "support-ends-soon"},
		{name: "R7d leap day window", setup: func(f *fixture) {
			f.expires = time.Date(2028, 6, 1, 0, 0, 0, 0, time.UTC)
			f.addBy("maker", decl("support-until 2029-03-01"))
		}, today: "2028-02-29", verdict: OK, codes: "-"},

		// Several findings at once: the most severe wins.
		{name: "most severe wins", setup: maker("passwords unknown", "-acknowledgement", "support-until none"), verdict: Stop, codes: "contact-incomplete,no-support-period,password-status-unknown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			c.setup(f)
			cat := f.open()
			q := Query{GTIN: gtinA, Batch: c.batch, Today: mustDate("2026-11-24"), Policy: DefaultPolicy}
			if c.gtin != "" {
				q.GTIN = c.gtin
			}
			if c.today != "" {
				q.Today = mustDate(c.today)
			}
			if c.policy != (Policy{}) {
				q.Policy = c.policy
			}
			r := cat.Judge(q)
			if r.Verdict != c.verdict || codes(r) != c.codes {
				for _, f := range r.Findings {
					t.Logf("%s %s %s: %s", f.Rule, f.Code, f.Verdict, f.Staff)
				}
				t.Errorf("got %s [%s], want %s [%s]", r.Verdict, codes(r), c.verdict, c.codes)
			}
		})
	}
}

func TestFactsOnlyFromVerifiedVersion(t *testing.T) {
	f := newFixture(t)
	f.addBy("maker", decl())
	f.addBy("maker", decl("version 2", "support-until 2035", "model Forged"))
	last := len(f.records) - 1
	f.records[last] = []byte(strings.Replace(string(f.records[last]), "Forged", "Forgex", 1))
	r := f.open().Judge(Query{GTIN: gtinA, Today: mustDate("2026-11-24"), Policy: DefaultPolicy})
	if r.Declaration == nil || r.Declaration.Version != 1 || r.Declaration.Model != "Phone One" {
		t.Fatalf("facts from %+v, want version 1", r.Declaration)
	}
	if r.Support == nil || r.Support.Period.String() != "2031-08" {
		t.Fatalf("support %+v, want 2031-08", r.Support)
	}
	if len(r.History) != 2 || r.History[1].Trusted || !r.History[0].Chosen || r.History[1].Ignored == "" {
		t.Fatalf("history %+v: want two versions, the first chosen, the second untrusted", r.History)
	}
}

func TestReportSupport(t *testing.T) {
	f := newFixture(t)
	f.addBy("maker", decl())
	r := f.open().Judge(Query{GTIN: gtinA, Today: mustDate("2026-11-24"), Policy: DefaultPolicy})
	rep := r.Report("9520000000011", nil)
	s := rep.Support
	if s == nil || s.Until != "2031-08" || s.FirstDay != "2031-08-01" || s.LastDay != "2031-08-31" {
		t.Fatalf("support = %+v", s)
	}
	if want := mustDate("2026-11-24").DaysUntil(mustDate("2031-08-31")); s.DaysLeft != want || want != 1741 {
		t.Fatalf("days_left = %d, want %d (1741)", s.DaysLeft, want)
	}
	if rep.Contact != "https://example.com/security" || rep.Passwords != "user-defined" || rep.Declaration.Signer != "maker" || rep.Declaration.Role != "manufacturer" {
		t.Fatalf("report = %+v", rep)
	}
}
