package catalog

import (
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
)

// Verdict is what the till does with a product (verdicts.md).
type Verdict uint8

// Verdicts in order of severity. NOT_IN_SCOPE sits above OK and below
// CAUTION: an excepted product is sold normally, but any finding that
// still counts for it (R0, R3, R4) makes the verdict more severe.
const (
	OK Verdict = iota
	NotInScope
	Caution
	Check
	Stop
)

var verdictNames = [...]string{"OK", "NOT_IN_SCOPE", "CAUTION", "CHECK", "STOP"}

func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("Verdict(%d)", v)
}

// MarshalText gives the verdict's name, as in the JSON output.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// ParseVerdict reads a verdict name.
func ParseVerdict(s string) (Verdict, error) {
	for i, n := range verdictNames {
		if n == s {
			return Verdict(i), nil
		}
	}
	return 0, fmt.Errorf("unknown verdict %q", s)
}

// Finding is one fact behind a verdict.
type Finding struct {
	Code    string  `json:"code"`
	Verdict Verdict `json:"verdict"`
	Staff   string  `json:"staff"`
	Shopper string  `json:"shopper"`
	Rule    string  `json:"rule"`  // the rule of verdicts.md, e.g. "R6a"
	Basis   string  `json:"basis"` // the law or policy behind it
	// Excepted is set on R5–R7 findings of an excepted product: listed
	// for staff, but not counted toward the verdict.
	Excepted bool `json:"excepted,omitempty"`
}

// Policy is the retailer's choice where verdicts.md leaves one.
type Policy struct {
	SupportEnded  Verdict // Stop (default) or Caution
	CautionMonths int     // default 12
}

// DefaultPolicy is verdicts.md's default.
var DefaultPolicy = Policy{SupportEnded: Stop, CautionMonths: 12}

// Query is one scan to judge.
type Query struct {
	GTIN   string // GTIN-14
	Batch  string // "" when the scan carried none
	Today  Date   // Europe/London
	Policy Policy
}

// SupportEnd is the end of the security update period of the declaration
// a verdict used, when it can be known.
type SupportEnd struct {
	Period
	Computed bool // from a relative period and a known anchor date
}

// HistoryEntry is one declaration that lists the GTIN, for staff: every
// one, trusted or not, in log order (verdicts.md, "Which declaration").
type HistoryEntry struct {
	Index     int64 // place in the log
	ID        string
	Version   int
	Published Date
	Signer    SignerInfo  // for an ignored record, the key it names as far as the catalog knows it
	End       *SupportEnd // nil when not determinable
	Support   Support
	Chosen    bool   // its facts are the ones shown
	Trusted   bool   // trusted for this GTIN
	Ignored   string // why it is not trusted for this GTIN
	Withdrawn string // the withdrawal's reason, when the publisher withdrew it
}

// IgnoredRecord is a declaration or notice about the GTIN that no verdict
// uses, and why (R4, R4d).
type IgnoredRecord struct {
	Index  int64
	What   string // "declaration ID version N" or "notice ID revision N"
	Signer string // key name, and org when known
	Why    string
}

// NoticeState is the current revision of a notice that bears on a scan.
type NoticeState struct {
	Notice *Notice
	Index  int64
	Signer SignerInfo
}

// Result is a verdict with everything behind it.
type Result struct {
	GTIN     string
	Batch    string
	Today    Date
	Verdict  Verdict
	Findings []Finding

	// Facts come from Declaration, the chosen declaration; nil when no
	// declaration is trusted for the GTIN.
	Declaration *Declaration
	Index       int64 // its place in the log
	Signer      SignerInfo
	Support     *SupportEnd
	History     []HistoryEntry  // every declaration listing the GTIN, in log order
	Ignored     []IgnoredRecord // declarations and notices about the GTIN that were not used
	Notices     []NoticeState
	Excepted    bool // R2: the PSTI regime does not apply
}

// Evidence is what a catalog holds about one GTIN, every record already
// decided: the input of Judge, which reads nothing else.
type Evidence struct {
	GTIN    string
	Expires Date // the checkpoint's expiry (R0b); zero for none

	// Declarations lists every declaration that lists the GTIN, in log
	// order, with its trust decision for this GTIN and any withdrawal.
	Declarations []DeclEvidence
	// Notices are the current states of the notices that name the GTIN.
	Notices []NoticeState
	// IgnoredNotices are records of notices naming the GTIN that do not
	// count: not trusted, withdrawn, or a revision from a foreign org.
	IgnoredNotices []IgnoredRecord
}

// DeclEvidence is one declaration that lists the GTIN.
type DeclEvidence struct {
	Index       int64
	Declaration *Declaration
	Signer      SignerInfo
	Untrusted   Untrusted // Trusted, or the R4 class of the reason
	Why         string    // why it is not trusted
	Withdrawn   string    // the withdrawal's reason, or ""
	WithdrawnAt int64     // the withdrawal's index, when withdrawn
}

func (d *DeclEvidence) usable() bool { return d.Untrusted == Trusted && d.Withdrawn == "" }

// Evidence gathers and decides the records about gtin: the index finds
// them, and each is parsed, its signatures checked (once, remembered) and
// its trust decided for this GTIN.
func (c *Catalog) Evidence(gtin string) *Evidence {
	return c.evidence(gtin, c.entry)
}

// evidence is Evidence, reading records with get: c.entry, or c.load
// where the lookup cache must not fill.
func (c *Catalog) evidence(gtin string, get func(int64) *entry) *Evidence {
	ev := &Evidence{GTIN: gtin, Expires: DateOf(c.Checkpoint.Expires)}
	for _, i := range c.declarationsFor(gtin) {
		e := get(i)
		if e.rec == nil || e.rec.Declaration == nil || !slices.Contains(e.rec.Declaration.GTINs, gtin) {
			// The index is a hint: this record is not a declaration
			// listing the GTIN. One that does not parse is never used,
			// nor counted (catalog verify reports it).
			continue
		}
		d := c.declarationFor(e, gtin)
		de := DeclEvidence{Index: i, Declaration: e.rec.Declaration, Signer: d.signer, Untrusted: d.why, Why: d.reason}
		if w, ok := c.withdrawn[i]; ok {
			de.Withdrawn, de.WithdrawnAt = w.reason, w.at
		}
		ev.Declarations = append(ev.Declarations, de)
	}
	g, _ := gtinKey(gtin)
	seen := map[string]bool{}
	for _, i := range c.noticesByGTIN[g] {
		e := get(i)
		if e.rec == nil || e.rec.Notice == nil || seen[e.rec.Notice.ID] {
			continue
		}
		id := e.rec.Notice.ID
		seen[id] = true
		recs := c.noticeRecords(id, get)
		for _, nr := range recs {
			n := nr.e.rec.Notice
			if nr.counts() || !slices.Contains(n.GTINs, gtin) {
				continue
			}
			ir := IgnoredRecord{Index: nr.e.index, What: fmt.Sprintf("notice %s revision %d", n.ID, n.Revision), Signer: signerWords(nr.d.signer)}
			switch {
			case !nr.d.trusted():
				ir.Why = nr.d.reason
			case nr.withdrawn != nil:
				ir.Why = fmt.Sprintf("withdrawn by the publisher (record %d, %s): %s", nr.withdrawn.at, nr.withdrawn.date, nr.withdrawn.reason)
			default:
				ir.Why = nr.foreign
			}
			ev.IgnoredNotices = append(ev.IgnoredNotices, ir)
		}
		if cur := current(recs); cur != nil && slices.Contains(cur.e.rec.Notice.GTINs, gtin) {
			ev.Notices = append(ev.Notices, NoticeState{Notice: cur.e.rec.Notice, Index: cur.e.index, Signer: cur.d.signer})
		}
	}
	return ev
}

// signerWords names a signer for staff: the key name, and its org when known.
func signerWords(s SignerInfo) string {
	switch {
	case s.Name == "":
		return "an unknown key"
	case s.Org == "":
		return s.Name
	}
	return fmt.Sprintf("%s (%s)", s.Name, s.Org)
}

// Judge applies the rules of verdicts.md to one scan. The catalog itself
// was verified when it was opened (R0a).
func (c *Catalog) Judge(q Query) *Result {
	return Judge(c.Evidence(q.GTIN), q)
}

// Judge applies rules R0b to R7 of verdicts.md to the evidence about one
// GTIN. It is a pure function of the evidence, the query (batch, today,
// policy): it reads nothing and checks no signature.
func Judge(ev *Evidence, q Query) *Result {
	if q.Policy.CautionMonths == 0 && q.Policy.SupportEnded == OK {
		q.Policy = DefaultPolicy
	}
	r := &Result{GTIN: q.GTIN, Batch: q.Batch, Today: q.Today, Index: -1}
	j := judge{r: r, q: q, ev: ev}

	// R0b
	if !ev.Expires.IsZero() && q.Today.After(ev.Expires) {
		j.add("R0b", "catalog-stale", Check,
			fmt.Sprintf("The catalog expired on %s: it may miss recent notices or changes. Update the catalog.", ev.Expires),
			"Please ask a member of staff about this product's security information.",
			"catalog expiry (freeze protection)")
	}
	for _, n := range ev.Notices {
		j.judgeNotice(n)
	}
	chosen := j.choose()
	if chosen == nil {
		return j.finish()
	}
	j.judgeDeclaration()
	return j.finish()
}

// judge collects findings for one Result.
type judge struct {
	r  *Result
	q  Query
	ev *Evidence
}

func (j *judge) add(rule, code string, v Verdict, staff, shopper, basis string) {
	j.r.Findings = append(j.r.Findings, Finding{Code: code, Verdict: v, Staff: staff, Shopper: shopper, Rule: rule, Basis: basis})
}

// finish computes the verdict: the most severe finding that counts.
func (j *judge) finish() *Result {
	v := OK
	if j.r.Excepted {
		v = NotInScope
	}
	for i := range j.r.Findings {
		f := &j.r.Findings[i]
		// R5, R6 and R7 findings do not count for an excepted product.
		if j.r.Excepted && f.Rule >= "R5" {
			f.Excepted = true
			continue
		}
		v = max(v, f.Verdict)
	}
	j.r.Verdict = v
	return j.r
}

const (
	shopperAskStaff    = "Please ask a member of staff about this product's security information."
	shopperUnavailable = "This product isn't available for sale at the moment. Please ask a member of staff."
)

// judgeNotice applies R3 to the current state of one notice.
func (j *judge) judgeNotice(ns NoticeState) {
	n := ns.Notice
	effective := n.Effective
	if effective.IsZero() {
		effective = n.Issued
	}
	inForce := (n.Status == "in-force" || n.Status == "varied") && !j.q.Today.Before(effective)
	appealed := n.Status == "appealed"
	if !inForce && !appealed {
		return
	}
	j.r.Notices = append(j.r.Notices, ns)
	what := fmt.Sprintf("%s notice %s (%s, issued %s by %s)", n.Type, n.ID, n.Status, n.Issued, n.IssuedBy)
	if n.Fictional {
		what += " [fictional]"
	}
	if len(n.Batches) > 0 {
		switch {
		case j.q.Batch == "" && inForce:
			j.add("R3f", "batch-needed", Check,
				fmt.Sprintf("The %s covers batches %s only, and this scan carried no batch. Read the batch on the box before selling.", what, strings.Join(n.Batches, ", ")),
				shopperAskStaff, "PSTI Act 2022 s.23")
			return
		case j.q.Batch != "" && !slices.Contains(n.Batches, j.q.Batch):
			if inForce {
				j.add("R3g", "notice-other-batches", Caution,
					fmt.Sprintf("The %s covers batches %s; this is batch %s.", what, strings.Join(n.Batches, ", "), j.q.Batch),
					"A safety notice covers some batches of this product, but not this one.", "PSTI Act 2022 s.23")
			}
			return
		}
	}
	if appealed {
		j.add("R3e", "notice-under-appeal", Caution,
			fmt.Sprintf("The %s is under appeal and has no effect until the appeal ends.", what),
			"An enforcement notice about this product is under appeal.", "PSTI Act 2022 s.33(8)")
		return
	}
	risk := shopperUnavailable
	if n.CustomerRisk != "" {
		risk += " " + n.CustomerRisk
	}
	switch n.Type {
	case "stop", "recall", "forfeiture":
		basis := map[string]string{"stop": "PSTI Act 2022 s.29", "recall": "PSTI Act 2022 s.30", "forfeiture": "PSTI Act 2022 s.42"}[n.Type]
		j.add("R3a", "notice-in-force", Stop, fmt.Sprintf("A %s is in force for this product. Do not sell.", what), risk, basis)
	case "public-information":
		j.add("R3b", "published-failure", Stop,
			fmt.Sprintf("The enforcement authority published a compliance failure: %s. Do not sell.", what), risk, "PSTI Act 2022 s.45, s.23")
	case "compliance":
		for _, f := range n.Failures {
			switch f.Requirement {
			case "passwords", "contact", "support-period":
				j.add("R3c", "compliance-failure", Stop,
					fmt.Sprintf("A %s finds a failure of the %s requirement: %s. Do not sell.", what, f.Requirement, f.Summary), risk, "PSTI Act 2022 s.28, s.23")
				return
			}
		}
		j.add("R3d", "enforcement-history", Caution,
			fmt.Sprintf("A %s is in force for this product.", what),
			"An enforcement notice has been issued about this product.", "PSTI Act 2022 s.28")
	case "penalty":
		j.add("R3d", "enforcement-history", Caution,
			fmt.Sprintf("A %s is in force for this product.", what),
			"An enforcement notice has been issued about this product.", "PSTI Act 2022 s.36")
	}
}

// choose picks the declaration whose facts are used (verdicts.md, "Which
// declaration"), fills the staff history, and gives R1 or R4 when there
// is none to use. Only declarations trusted for the GTIN and not
// withdrawn compete; among those covering the scan's batch, one signed by
// a manufacturer or authorised representative comes before a curator's,
// then the one logged last wins; when none covers the batch, the one
// logged last (R5a says so).
func (j *judge) choose() *DeclEvidence {
	decls := j.ev.Declarations
	var chosen *DeclEvidence
	for i := range decls {
		d := &decls[i]
		if !d.usable() || !j.covers(d) {
			continue
		}
		if chosen == nil || !(isCurator(d.Signer) && !isCurator(chosen.Signer)) {
			chosen = d
		}
	}
	if chosen == nil {
		for i := range decls {
			if decls[i].usable() {
				chosen = &decls[i]
			}
		}
	}
	for i := range decls {
		d := &decls[i]
		h := HistoryEntry{Index: d.Index, Signer: d.Signer, Chosen: d == chosen, Trusted: d.Untrusted == Trusted, Ignored: d.Why, Withdrawn: d.Withdrawn}
		dd := d.Declaration
		h.ID, h.Version, h.Published, h.Support = dd.ID, dd.Version, dd.Published, dd.Support
		if end, ok := dd.SupportEnd(); ok {
			h.End = &end
		}
		j.r.History = append(j.r.History, h)
		if !d.usable() {
			j.r.Ignored = append(j.r.Ignored, ignoredDecl(d))
		}
	}
	j.r.Ignored = append(j.r.Ignored, j.ev.IgnoredNotices...)
	if chosen == nil {
		j.noDeclaration()
		return nil
	}
	j.r.Declaration = chosen.Declaration
	j.r.Index = chosen.Index
	j.r.Signer = chosen.Signer
	if end, ok := chosen.Declaration.SupportEnd(); ok {
		j.r.Support = &end
	}
	if len(j.r.Ignored) > 0 {
		j.add("R4d", "ignored-records", OK,
			fmt.Sprintf("%s about this product %s ignored: %s. The facts shown come from record %d.",
				plural(len(j.r.Ignored), "One record", fmt.Sprintf("%d records", len(j.r.Ignored))),
				plural(len(j.r.Ignored), "was", "were"), IgnoredWords(j.r.Ignored), chosen.Index),
			"", "catalog integrity")
	}
	return chosen
}

func (j *judge) covers(d *DeclEvidence) bool {
	b := d.Declaration.Batches
	return len(b) == 0 || j.q.Batch == "" || slices.Contains(b, j.q.Batch)
}

func isCurator(s SignerInfo) bool { return s.Role == "curator" }

func ignoredDecl(d *DeclEvidence) IgnoredRecord {
	ir := IgnoredRecord{Index: d.Index, What: fmt.Sprintf("declaration %s version %d", d.Declaration.ID, d.Declaration.Version), Signer: signerWords(d.Signer), Why: d.Why}
	if d.Untrusted == Trusted {
		ir.Why = fmt.Sprintf("withdrawn by the publisher (record %d): %s", d.WithdrawnAt, d.Withdrawn)
	}
	return ir
}

// IgnoredWords lists ignored records as R1 and R4a–R4d word them, for a
// screen that shows them some other way to find and replace.
func IgnoredWords(rs []IgnoredRecord) string {
	var s []string
	for _, r := range rs {
		s = append(s, fmt.Sprintf("record %d, %s by %s (%s)", r.Index, r.What, r.Signer, r.Why))
	}
	return strings.Join(s, "; ")
}

func plural[T any](n int, one, many T) T {
	if n == 1 {
		return one
	}
	return many
}

// noDeclaration gives R1 or R4a–R4c when no declaration can be used.
func (j *judge) noDeclaration() {
	var worst Untrusted
	for _, d := range j.ev.Declarations {
		if d.Untrusted != Trusted && (worst == Trusted || d.Untrusted < worst) {
			worst = d.Untrusted
		}
	}
	ignored := ""
	if len(j.r.Ignored) > 0 {
		ignored = " Ignored: " + IgnoredWords(j.r.Ignored) + "."
	}
	const tail = " Nothing they say is shown. Check the statement of compliance that came with the product (PSTI Act s.22)."
	switch worst {
	case Trusted: // none at all, or only withdrawn ones
		staff := "No statement of compliance in the catalog lists this product. Check the statement that came with it before selling (PSTI Act s.22)."
		if len(j.ev.Declarations) > 0 {
			staff = "Every statement of compliance in the catalog for this product was withdrawn by the publisher." + ignored + " Check the statement that came with it before selling (PSTI Act s.22)."
		}
		j.add("R1", "no-declaration", Check, staff, shopperAskStaff, "PSTI Act 2022 s.22")
	case NotVerified:
		j.add("R4a", "signature-invalid", Check,
			"Declarations list this product, but none is trusted for it and at least one does not verify."+ignored+tail,
			shopperAskStaff, "catalog integrity; PSTI Act 2022 s.22")
	case SignerNotKnown:
		j.add("R4b", "signer-unknown", Check,
			"Declarations list this product, but none is signed by a key registered to sign it there."+ignored+tail,
			shopperAskStaff, "catalog integrity; PSTI Act 2022 s.22")
	case SignerOutOfScope:
		j.add("R4c", "signer-out-of-scope", Check,
			"Declarations list this product, but every signer is registered for other products only: nobody may sign for another maker's products."+ignored+tail,
			shopperAskStaff, "catalog integrity; PSTI Act 2022 s.22")
	}
}

// SupportEnd returns the last day of security updates the declaration
// promises, at its precision, when it can be known: a fixed end, or a
// relative period whose first-supply or launch date is known.
func (d *Declaration) SupportEnd() (SupportEnd, bool) {
	switch d.Support.Kind {
	case SupportFixed:
		return SupportEnd{Period: d.Support.End}, true
	case SupportRelative:
		r := d.Support.Relative
		anchor := r.AnchorDate
		if anchor.IsZero() && r.Anchor == "first-supply" {
			anchor = d.FirstSupplied
		}
		if anchor.IsZero() || r.Anchor != "first-supply" && r.Anchor != "launch" {
			return SupportEnd{}, false
		}
		end := anchor.AddDate(r.N, 0, 0)
		if r.Months {
			end = anchor.AddDate(0, r.N, 0)
		}
		// After 9999-12-31 the end is shown as "after 9999" (DayPeriod).
		return SupportEnd{Period: DayPeriod(end), Computed: true}, true
	}
	return SupportEnd{}, false
}

func (j *judge) judgeDeclaration() {
	d := j.r.Declaration
	if d == nil {
		return // R4 said why
	}
	r, q := j.r, j.q

	// R2, R2b: Sch 3 exceptions.
	switch {
	// Sch 3 para 5: desktops and laptops are excepted whether or not they
	// connect to cellular networks; tablets only when they cannot. None of
	// them is when designed exclusively for children under 14 (para 5(2)).
	case (d.Category == "laptop" || d.Category == "desktop") && d.Under14 != Yes:
		r.Excepted = true
		j.add("R2", "excepted", NotInScope,
			fmt.Sprintf("A %s not made for children under 14 is excepted from the PSTI regime, with or without cellular connectivity (Sch 3 para 5).", d.Category),
			"The UK's smart product security law doesn't cover this kind of product.", "PSTI Regulations 2023 Sch 3 para 5")
	case d.Category == "tablet" && d.Cellular == No && d.Under14 != Yes:
		r.Excepted = true
		j.add("R2", "excepted", NotInScope,
			"A tablet without cellular connectivity, not made for children under 14, is excepted from the PSTI regime (Sch 3 para 5).",
			"The UK's smart product security law doesn't cover this kind of product.", "PSTI Regulations 2023 Sch 3 para 5")
	case d.Category == "ev-charge-point":
		r.Excepted = true
		j.add("R2", "excepted", NotInScope, "Charge points for electric vehicles are excepted from the PSTI regime (Sch 3 para 2).",
			"The UK's smart product security law doesn't cover this kind of product.", "PSTI Regulations 2023 Sch 3 para 2")
	case d.Category == "medical-device" && d.MedicalSoftware == No:
		r.Excepted = true
		j.add("R2", "excepted", NotInScope, "This medical device is excepted from the PSTI regime (Sch 3 para 3).",
			"The UK's smart product security law doesn't cover this kind of product.", "PSTI Regulations 2023 Sch 3 para 3")
	case d.Category == "smart-meter" && d.SmartMeterAssured == Yes:
		r.Excepted = true
		j.add("R2", "excepted", NotInScope, "An assured smart meter installed by a licence holder is excepted from the PSTI regime (Sch 3 para 4).",
			"The UK's smart product security law doesn't cover this kind of product.", "PSTI Regulations 2023 Sch 3 para 4")
	case d.Category == "vehicle":
		r.Excepted = true
		j.add("R2", "excepted", NotInScope, "Vehicles are excepted from the PSTI regime (Sch 3 para 6).",
			"The UK's smart product security law doesn't cover this kind of product.", "PSTI Regulations 2023 Sch 3 para 6")
	case d.Category == "medical-device" && d.MedicalSoftware == Unset,
		d.Category == "smart-meter" && d.SmartMeterAssured == Unset:
		j.add("R2b", "scope-unknown", Check,
			fmt.Sprintf("The declaration does not say whether this %s falls under a Sch 3 exception. Check the statement of compliance.", d.Category),
			shopperAskStaff, "PSTI Regulations 2023 Sch 3")
	}

	// R5: batches.
	if len(d.Batches) > 0 {
		switch {
		case q.Batch == "":
			j.add("R5b", "batch-unverified", Caution,
				fmt.Sprintf("The declaration covers batches %s only, and this scan carried no batch: check the batch on the box.", strings.Join(d.Batches, ", ")),
				"The security information applies to particular batches of this product.", "PSTI Regulations 2023 Sch 4 para 1(1)(a)")
		case !slices.Contains(d.Batches, q.Batch):
			j.add("R5a", "batch-not-covered", Check,
				fmt.Sprintf("The declaration covers batches %s; this is batch %s, which no statement of compliance in the catalog covers.", strings.Join(d.Batches, ", "), q.Batch),
				shopperAskStaff, "PSTI Regulations 2023 Sch 4 para 1(1)(a); PSTI Act 2022 s.22")
		}
	}

	// R6: the three requirements and the declaration's own history.
	switch d.Passwords {
	case "universal-default":
		j.add("R6a", "universal-default-password", Stop,
			"The manufacturer declares a universal default password: this fails the password requirement. Do not sell.",
			"This product doesn't meet the UK's password security rules. Please ask a member of staff.", "PSTI Regulations 2023 Sch 1 para 1; PSTI Act 2022 s.23")
	case "unknown":
		j.add("R6b", "password-status-unknown", Check,
			"The declaration does not say how passwords are set. Check the statement of compliance.",
			shopperAskStaff, "PSTI Regulations 2023 Sch 1 para 1")
	}
	switch {
	case len(d.Contacts) == 0:
		j.add("R6c", "no-contact", Stop,
			"The manufacturer publishes no contact for reporting security issues: this fails the requirement. Do not sell.",
			"This product doesn't meet the UK's security rules. Please ask a member of staff.", "PSTI Regulations 2023 Sch 1 para 2; PSTI Act 2022 s.23")
	case BestContact(d.Contacts) == "":
		j.add("R6d", "contact-malformed", Check,
			fmt.Sprintf("The security contact %q is not a usable mailto:, https: or tel: address. Check the statement of compliance.", clip(d.Contacts[0])),
			shopperAskStaff, "PSTI Regulations 2023 Sch 1 para 2(2)(a)")
	}
	if d.Acknowledgement == "" || d.StatusUpdates == "" {
		missing := "when reporters get an acknowledgement and status updates"
		if d.Acknowledgement != "" {
			missing = "when reporters get status updates"
		} else if d.StatusUpdates != "" {
			missing = "when reporters get an acknowledgement"
		}
		j.add("R6e", "contact-incomplete", Caution,
			fmt.Sprintf("The declaration does not say %s.", missing),
			"The maker doesn't say how quickly it responds to security reports.", "PSTI Regulations 2023 Sch 1 para 2(2)(b)")
	}
	switch d.Support.Kind {
	case SupportNone:
		j.add("R6f", "no-support-period", Stop,
			"The manufacturer publishes no minimum security update period: this fails the requirement. Do not sell.",
			"This product doesn't meet the UK's security rules. Please ask a member of staff.", "PSTI Regulations 2023 Sch 1 para 3; PSTI Act 2022 s.23")
	case SupportRelative:
		if r.Support == nil {
			j.add("R6g", "support-end-undetermined", Check,
				fmt.Sprintf("The support period is relative (%s) and its end cannot be worked out here. Check the statement and tell the shopper.", d.Support.Relative),
				fmt.Sprintf("The maker promises security updates for %s; please ask a member of staff what that means for you.", relativeWords(d.Support.Relative)),
				"PSTI Regulations 2023 Sch 1 para 3")
		}
	}
	j.judgeHistory()
	if d.Route == "schedule2-label" {
		expired := true
		for _, l := range d.Labels {
			if !l.Expires.Before(q.Today) {
				expired = false
			}
		}
		if expired {
			j.add("R6j", "label-expired", Check,
				"The product is deemed compliant by a security label, and every label it cites has expired. Check the statement of compliance.",
				shopperAskStaff, "SI 2025/1267")
		}
	}

	// R7: the support end against today (first match applies).
	if end := r.Support; end != nil {
		soon := q.Today.AddDate(0, q.Policy.CautionMonths, 0)
		switch {
		case q.Today.After(end.Last):
			j.add("R7a", "support-ended", q.Policy.SupportEnded,
				fmt.Sprintf("Security updates ended on %s (declared end %s).", end.Last, end.Period),
				fmt.Sprintf("Security updates for this product ended in %s.", monthWords(end.Period)),
				"retailer policy; PSTI Regulations 2023 Sch 1 para 3")
		case end.Contains(q.Today):
			j.add("R7b", "support-ends-now", Caution,
				fmt.Sprintf("Security updates end %s (declared end %s): tell the shopper.", endWords(end.Period), end.Period),
				fmt.Sprintf("Security updates for this product end %s.", endWords(end.Period)),
				"retailer policy")
		case end.First.Before(soon):
			j.add("R7c", "support-ends-soon", Caution,
				fmt.Sprintf("Security updates end %s, within %d months: tell the shopper.", endWords(end.Period), q.Policy.CautionMonths),
				fmt.Sprintf("Security updates end in %s — less than %s from today.", monthWords(end.Period), monthsWords(q.Policy.CautionMonths)),
				"retailer policy")
		}
	}
}

// judgeHistory applies R6h and R6i over the trusted, not withdrawn
// declarations that list the GTIN and cover the scan's batch, whatever
// their ids, versions and signers, in log order.
func (j *judge) judgeHistory() {
	type dated struct {
		d   *DeclEvidence
		end SupportEnd
	}
	var ends []dated
	for i := range j.ev.Declarations {
		d := &j.ev.Declarations[i]
		if !d.usable() || !j.covers(d) {
			continue
		}
		if end, ok := d.Declaration.SupportEnd(); ok {
			ends = append(ends, dated{d, end})
		}
	}
	name := func(x dated) string {
		return fmt.Sprintf("declaration %s version %d, record %d, published %s,", x.d.Declaration.ID, x.d.Declaration.Version, x.d.Index, x.d.Declaration.Published)
	}
	// Sch 1 para 3(6): a period may be extended, never shortened. Compare
	// the last day each end could mean; the first shortening found is
	// reported, even if a later record extends the period again.
shortened:
	for k := 1; k < len(ends); k++ {
		for _, earlier := range ends[:k] {
			if ends[k].end.Last.Before(earlier.end.Last) {
				j.add("R6h", "support-shortened", Stop,
					fmt.Sprintf("The support period was shortened: %s ends %s, earlier than %s which promised %s. This fails the requirement. Do not sell.",
						name(ends[k]), ends[k].end.Period, name(earlier), earlier.end.Period),
					"This product doesn't meet the UK's security rules. Please ask a member of staff.", "PSTI Regulations 2023 Sch 1 para 3(6); PSTI Act 2022 s.23")
				break shortened
			}
		}
	}
	// R6i: the chosen declaration ends later than one logged before it;
	// name the latest such.
	if j.r.Support == nil {
		return
	}
	last := j.r.Support
	for k := len(ends) - 1; k >= 0; k-- {
		e := ends[k]
		if e.d.Index >= j.r.Index || !e.end.Last.Before(last.Last) {
			continue
		}
		j.add("R6i", "support-extended", OK,
			fmt.Sprintf("The support period was extended from %s (%s) to %s.", e.end.Period, strings.TrimSuffix(name(e), ","), last.Period),
			fmt.Sprintf("The maker has extended security updates, from %s to %s.", monthWords(e.end.Period), monthWords(last.Period)),
			"PSTI Regulations 2023 Sch 1 para 3(5)")
		return
	}
}

// BestContact returns the first contact that is a well-formed mailto:,
// https: or tel: URI (R6d), or "", with its host in ASCII form
// (ASCIIAddress): the form every screen, label and QR code shows.
func BestContact(contacts []string) string {
	for _, c := range contacts {
		if WellFormedContact(c) {
			return ASCIIAddress(c)
		}
	}
	return ""
}

// WellFormedContact reports whether s is a usable mailto:, https: or tel:
// URI for reporting security issues.
func WellFormedContact(s string) bool {
	if strings.ContainsAny(s, " \t") {
		return false
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || rest == "" {
		return false
	}
	switch strings.ToLower(scheme) {
	case "mailto":
		addr, _, _ := strings.Cut(rest, "?")
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Address != addr {
			return false
		}
		_, domain, _ := strings.Cut(addr, "@")
		return strings.Contains(domain, ".")
	case "https":
		u, err := url.Parse(s)
		return err == nil && u.Host != "" && u.User == nil && strings.Contains(u.Hostname(), ".")
	case "tel":
		num, _, _ := strings.Cut(rest, ";")
		digitsSeen := 0
		for i := 0; i < len(num); i++ {
			c := num[i]
			switch {
			case c >= '0' && c <= '9':
				digitsSeen++
			case c == '+' && i == 0, c == '-', c == '.', c == '(', c == ')':
			default:
				return false
			}
		}
		return digitsSeen >= 3
	}
	return false
}

// ShortContact gives a contact for a label or a shopper: without the
// scheme for web addresses and email, as people write them.
func ShortContact(s string) string {
	for _, p := range []string{"https://", "mailto:", "tel:"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return strings.TrimSuffix(rest, "/")
		}
	}
	return s
}

func monthWords(p Period) string {
	if p.Beyond {
		return p.Words()
	}
	if p.Precision == PrecYear {
		return fmt.Sprint(p.First.Year)
	}
	return fmt.Sprintf("%s %d", p.Last.Month, p.Last.Year)
}

func endWords(p Period) string {
	if p.Beyond {
		return p.Words()
	}
	switch p.Precision {
	case PrecYear:
		return fmt.Sprintf("during %d", p.First.Year)
	case PrecMonth:
		return fmt.Sprintf("in %s", p.Words())
	}
	return fmt.Sprintf("on %s", p.Words())
}

func monthsWords(n int) string {
	if n == 12 {
		return "a year"
	}
	if n == 1 {
		return "a month"
	}
	return fmt.Sprintf("%d months", n)
}

func relativeWords(r Relative) string {
	unit := "years"
	if r.Months {
		unit = "months"
	}
	if r.N == 1 {
		unit = strings.TrimSuffix(unit, "s")
	}
	anchor := map[string]string{
		"first-supply":   "after it was first sold",
		"launch":         "after its launch",
		"purchase":       "from when you buy it",
		"last-available": "after it stops being sold",
	}[r.Anchor]
	return fmt.Sprintf("%d %s %s", r.N, unit, anchor)
}

// PasswordWords says a declared password policy in plain words.
func PasswordWords(p string) string {
	switch p {
	case "unique-per-product":
		return "unique password for each device"
	case "user-defined":
		return "the user sets the password"
	case "none":
		return "no password is used"
	case "universal-default":
		return "the same default password on every device (not allowed)"
	case "unknown":
		return "not stated by the manufacturer"
	}
	return p
}
