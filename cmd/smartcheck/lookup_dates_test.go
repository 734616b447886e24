package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// TestWriteResultAfter9999: an end after 9999-12-31 is "after 9999" in
// lookup's text, never a date, with 9999-12-31 as the bound on days left.
func TestWriteResultAfter9999(t *testing.T) {
	rel := catalog.Relative{N: 50, Anchor: "launch", AnchorDate: catalog.Date{Year: 9990, Month: time.January, Day: 1}}
	d := &catalog.Declaration{
		Brand: "Example", Model: "Phone One", Category: "smartphone", Passwords: "user-defined",
		Support: catalog.Support{Kind: catalog.SupportRelative, Relative: rel},
	}
	end, ok := d.SupportEnd()
	if !ok || !end.Beyond {
		t.Fatalf("SupportEnd = %+v, %v; want an end after 9999", end, ok)
	}
	for _, c := range []struct{ today, want string }{
		{"2026-11-24", `  support    until after 9999 (more than 2912115 days left, worked out from "50 years after launch 9990-01-01")`},
		{"9999-12-31", `  support    until after 9999 (more than 0 days left, worked out from "50 years after launch 9990-01-01")`},
	} {
		t.Run(c.today, func(t *testing.T) {
			today, err := catalog.ParseDate(c.today)
			if err != nil {
				t.Fatal(err)
			}
			r := &catalog.Result{GTIN: "09520000000011", Today: today, Verdict: catalog.OK, Declaration: d, Support: &end}
			var b bytes.Buffer
			writeResult(&b, "09520000000011", r)
			if !strings.Contains(b.String(), c.want+"\n") {
				t.Errorf("output lacks %q:\n%s", c.want, b.String())
			}
			if strings.Contains(b.String(), "10040") {
				t.Errorf("output shows the day after 9999:\n%s", b.String())
			}
		})
	}
}

// TestWriteResult9999: days left to 9999-12-31 are exact.
func TestWriteResult9999(t *testing.T) {
	p, err := catalog.ParsePeriod("9999-12")
	if err != nil {
		t.Fatal(err)
	}
	d := &catalog.Declaration{Brand: "Example", Model: "Phone One", Category: "smartphone", Passwords: "user-defined",
		Support: catalog.Support{Kind: catalog.SupportFixed, End: p}}
	r := &catalog.Result{GTIN: "09520000000011", Today: catalog.Date{Year: 2026, Month: time.November, Day: 24},
		Verdict: catalog.OK, Declaration: d, Support: &catalog.SupportEnd{Period: p}}
	var b bytes.Buffer
	writeResult(&b, "09520000000011", r)
	if want := "  support    until December 9999 (9999-12, 2912115 days left)\n"; !strings.Contains(b.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, b.String())
	}
}
