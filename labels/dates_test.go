package labels

import (
	"bytes"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// TestAfter9999: a support end after 9999-12-31 is "after 9999" on the
// shelf label and the receipt, never a date.
func TestAfter9999(t *testing.T) {
	rel := catalog.Relative{N: 50, Anchor: "launch", AnchorDate: catalog.Date{Year: 9990, Month: time.January, Day: 1}}
	d := &catalog.Declaration{Brand: "Example", Model: "Phone One", Category: "smartphone", Passwords: "user-defined",
		Contacts: []string{"https://example.com/security"},
		Support:  catalog.Support{Kind: catalog.SupportRelative, Relative: rel}}
	end, ok := d.SupportEnd()
	if !ok || !end.Beyond {
		t.Fatalf("SupportEnd = %+v, %v; want an end after 9999", end, ok)
	}
	today := catalog.Date{Year: 2026, Month: time.November, Day: 24}
	res := &catalog.Result{GTIN: "09520000000011", Today: today, Verdict: catalog.OK, Declaration: d, Support: &end}

	l, err := Make(res, Item{GTIN: res.GTIN}, Context{Checked: today})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Security updates until after 9999"; l.Support != want {
		t.Errorf("label says %q, want %q", l.Support, want)
	}

	job, err := Receipt{Result: res, Checked: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}.ESCPOS(ReceiptOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte("after 9999, according to the manufacturer"); !bytes.Contains(job, want) || bytes.Contains(job, []byte("at least after")) || bytes.Contains(job, []byte("10040")) {
		t.Errorf("receipt does not say %q alone:\n%q", want, job)
	}
}
