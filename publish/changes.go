package publish

import (
	"fmt"
	"slices"
	"strings"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// Change is what appending a batch would do to one GTIN's verdict.
type Change struct {
	GTIN     string
	Old, New *catalog.Result
}

// Changes judges every GTIN the batch touches, today, before and after
// it (spec/cli.md, `--dry-run`), and returns those whose verdict would
// change, and those whose support period the batch would shorten (Sch 1
// para 3(6)) even when the verdict stays as it was (already STOP).
// base is the catalog the batch was admitted after.
func Changes(base *catalog.Catalog, b *catalog.Batch, today catalog.Date, policy catalog.Policy) []Change {
	var out []Change
	after := b.Catalog()
	for _, g := range b.Touched() {
		q := catalog.Query{GTIN: g, Today: today, Policy: policy}
		old, nu := base.Judge(q), after.Judge(q)
		if old.Verdict != nu.Verdict || has(nu, "support-shortened") && !has(old, "support-shortened") {
			out = append(out, Change{g, old, nu})
		}
	}
	return out
}

func has(r *catalog.Result, code string) bool {
	return slices.ContainsFunc(r.Findings, func(f catalog.Finding) bool { return f.Code == code })
}

// String is the change in one line: the GTIN, the old and new verdict,
// and why: the new findings behind the new verdict, or, when it is
// better, the old findings that no longer hold.
func (c Change) String() string {
	return fmt.Sprintf("%s: %s -> %s: %s", c.GTIN, c.Old.Verdict, c.New.Verdict, catalog.Sanitize(c.Why()))
}

// Why says why the verdict changes.
func (c Change) Why() string {
	var why []string
	for _, f := range c.New.Findings {
		if !f.Excepted && (f.Verdict == c.New.Verdict || f.Code == "support-shortened") && !has(c.Old, f.Code) {
			why = append(why, fmt.Sprintf("%s (%s) %s", f.Code, f.Rule, f.Staff))
		}
	}
	if len(why) == 0 {
		for _, f := range c.Old.Findings {
			if !f.Excepted && f.Verdict == c.Old.Verdict && !has(c.New, f.Code) {
				why = append(why, fmt.Sprintf("no longer %s (%s)", f.Code, f.Rule))
			}
		}
	}
	if len(why) == 0 {
		why = append(why, "its findings change verdict")
	}
	if d := c.New.Declaration; d != nil {
		why = append([]string{fmt.Sprintf("from declaration %s version %d (record %d)", d.ID, d.Version, c.New.Index)}, why...)
	}
	return strings.Join(why, "; ")
}
