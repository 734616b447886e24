package catalog

import (
	"encoding/json"
	"time"
)

// Report is the JSON object `smartcheck lookup --json` prints for one
// input (verdicts.md, "smartcheck lookup --json"). Fields a script relies
// on are named as there; absent facts are left out.
type Report struct {
	Input       string          `json:"input"`
	GTIN        string          `json:"gtin,omitempty"`
	Batch       string          `json:"batch,omitempty"`
	Verdict     *Verdict        `json:"verdict,omitempty"`
	Findings    []Finding       `json:"findings"` // never null: [] when none
	Support     *ReportSupport  `json:"support,omitempty"`
	Contact     string          `json:"contact,omitempty"`
	Passwords   string          `json:"passwords,omitempty"`
	Product     *ReportProduct  `json:"product,omitempty"`
	Declaration *ReportDecl     `json:"declaration,omitempty"`
	Catalog     *ReportCatalog  `json:"catalog,omitempty"`
	History     []ReportHistory `json:"history,omitempty"`
}

// ReportHistory is one declaration that lists the GTIN, trusted or not
// (verdicts.md, `history`).
type ReportHistory struct {
	Index     int64  `json:"index"`
	ID        string `json:"id"`
	Version   int    `json:"version"`
	Signer    string `json:"signer"`
	Org       string `json:"org,omitempty"`
	Role      string `json:"role,omitempty"`
	Until     string `json:"until,omitempty"`
	Chosen    bool   `json:"chosen,omitempty"`
	Ignored   string `json:"ignored,omitempty"`
	Withdrawn string `json:"withdrawn,omitempty"`
}

// ErrorReport is the JSON object for an input that is not a product code.
type ErrorReport struct {
	Input   string         `json:"input"`
	Error   string         `json:"error"`
	Catalog *ReportCatalog `json:"catalog,omitempty"`
}

// ReportSupport is the support end at its declared precision.
//
// An end after 9999-12-31 (verdicts.md, "Dates") is
// {"until": "after 9999", "computed": true}: first_day, last_day and
// days_left are left out, because its day cannot be named and any number
// given would be made up. A script that reads days_left must treat its
// absence as "later than any date", not as zero (in jq, null < 365).
type ReportSupport struct {
	Until    string `json:"until"`
	FirstDay string `json:"first_day"`
	LastDay  string `json:"last_day"`
	DaysLeft int    `json:"days_left"`
	Computed bool   `json:"computed,omitempty"` // from a relative period
	Beyond   bool   `json:"-"`                  // after 9999: Until only
}

// MarshalJSON leaves out first_day, last_day and days_left of an end
// after 9999.
func (s ReportSupport) MarshalJSON() ([]byte, error) {
	type plain ReportSupport // without the method
	if !s.Beyond {
		return json.Marshal(plain(s))
	}
	return json.Marshal(struct {
		Until    string `json:"until"`
		Computed bool   `json:"computed,omitempty"`
	}{s.Until, s.Computed})
}

// ReportProduct names the product.
type ReportProduct struct {
	Brand       string `json:"brand"`
	Model       string `json:"model"`
	ModelNumber string `json:"model_number,omitempty"`
	Category    string `json:"category"`
}

// ReportDecl says which declaration the facts come from and who signed it.
type ReportDecl struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Signer  string `json:"signer"`
	Org     string `json:"org,omitempty"`
	Role    string `json:"role"`
}

// ReportCatalog says which catalog judged it.
type ReportCatalog struct {
	Origin  string `json:"origin"`
	Size    int64  `json:"size"`
	Root    string `json:"root"`
	Issued  string `json:"issued"`
	Expires string `json:"expires"`
	Demo    bool   `json:"demo,omitempty"`

	// encoded is the JSON of the fields above, written once by
	// CatalogReport (every answer carries it): change none of them
	// after.
	encoded []byte
}

// CatalogReport describes a checkpoint for a report.
func CatalogReport(cp *Checkpoint, demo bool) *ReportCatalog {
	rc := &ReportCatalog{
		Origin:  cp.Origin,
		Size:    cp.Size,
		Root:    cp.Root.String(),
		Issued:  cp.Issued.UTC().Format(time.RFC3339),
		Expires: cp.Expires.UTC().Format(time.RFC3339),
		Demo:    demo,
	}
	rc.encoded = rc.appendJSON(nil)
	return rc
}

// Report gives the result as verdicts.md's JSON object.
func (r *Result) Report(input string, cat *ReportCatalog) Report {
	v := r.Verdict
	rep := Report{Input: input, GTIN: r.GTIN, Batch: r.Batch, Verdict: &v, Findings: r.Findings, Catalog: cat}
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	switch s := r.Support; {
	case s == nil:
	case s.Beyond:
		rep.Support = &ReportSupport{Until: s.Period.String(), Computed: s.Computed, Beyond: true}
	default:
		rep.Support = &ReportSupport{
			Until:    s.Period.String(),
			FirstDay: s.First.String(),
			LastDay:  s.Last.String(),
			DaysLeft: r.Today.DaysUntil(s.Last),
			Computed: s.Computed,
		}
	}
	if d := r.Declaration; d != nil {
		rep.Contact = BestContact(d.Contacts)
		rep.Passwords = d.Passwords
		rep.Product = &ReportProduct{Brand: d.Brand, Model: d.Model, ModelNumber: d.ModelNumber, Category: d.Category}
		rep.Declaration = &ReportDecl{ID: d.ID, Version: d.Version, Signer: r.Signer.Name, Org: r.Signer.Org, Role: r.Signer.Role}
	}
	for _, h := range r.History {
		rh := ReportHistory{Index: h.Index, ID: h.ID, Version: h.Version, Signer: h.Signer.Name, Org: h.Signer.Org, Role: h.Signer.Role,
			Chosen: h.Chosen, Ignored: h.Ignored, Withdrawn: h.Withdrawn}
		switch {
		case h.End != nil:
			rh.Until = h.End.Period.String()
		case h.Support.Kind == SupportNone:
			rh.Until = "none"
		case h.Support.Kind == SupportRelative:
			rh.Until = "relative"
		}
		rep.History = append(rep.History, rh)
	}
	return rep
}
