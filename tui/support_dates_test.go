package tui

import (
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// afterResult judges nothing: it is a result whose support end, 50 years
// after a launch in 9990, falls after 9999-12-31.
func afterResult(t *testing.T, today catalog.Date) (*catalog.Result, *catalog.Declaration) {
	t.Helper()
	rel := catalog.Relative{N: 50, Anchor: "launch", AnchorDate: catalog.Date{Year: 9990, Month: time.January, Day: 1}}
	d := &catalog.Declaration{Brand: "Example", Model: "Phone One", Category: "smartphone", Passwords: "user-defined",
		Support: catalog.Support{Kind: catalog.SupportRelative, Relative: rel}}
	end, ok := d.SupportEnd()
	if !ok || !end.Beyond {
		t.Fatalf("SupportEnd = %+v, %v; want an end after 9999", end, ok)
	}
	return &catalog.Result{GTIN: "09520000000011", Today: today, Verdict: catalog.OK, Declaration: d, Support: &end}, d
}

func TestSupportAfter9999(t *testing.T) {
	for _, c := range []struct {
		today       catalog.Date
		card, kiosk string
	}{
		{catalog.Date{Year: 2026, Month: time.November, Day: 24},
			"until after 9999 · more than 7973 years 1 month (2912115 days) left · worked out from “50 years after launch 9990-01-01”",
			"until after 9999, according to the manufacturer: more than 7973 years and 1 month from today."},
		{catalog.MaxDate,
			"until after 9999 · worked out from “50 years after launch 9990-01-01”",
			"until after 9999, according to the manufacturer."},
	} {
		t.Run(c.today.String(), func(t *testing.T) {
			r, d := afterResult(t, c.today)
			if got := supportWords(r, d); got != c.card {
				t.Errorf("till card:\n got %q\nwant %q", got, c.card)
			}
			sp := supportForShoppers(r, d)
			if sp.words != c.kiosk || sp.big != "" || sp.after != "" {
				t.Errorf("kiosk: %+v, want words %q and no large type", sp, c.kiosk)
			}
		})
	}
}
