package labels

import (
	"sync"
	"testing"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/data"
)

var catalogDefault = catalog.DefaultPolicy

// demoDay is the day data/demo/expected.txt is judged on.
var demoDay = catalog.Date{Year: 2026, Month: 11, Day: 24}

var demoCat = func() func(t testing.TB) *catalog.Catalog {
	var once sync.Once
	var cat *catalog.Catalog
	var err error
	return func(t testing.TB) *catalog.Catalog {
		t.Helper()
		once.Do(func() {
			cp, recs, trustFile := data.Demo()
			var trust *catalog.Trust
			if trust, err = catalog.ParseTrust(trustFile); err == nil {
				cat, err = catalog.OpenBytes(cp, recs, trust, nil)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		return cat
	}
}()

func demoCtx(cat *catalog.Catalog) Context {
	return Context{Checked: demoDay, CatalogSize: cat.Size(), Demo: true}
}

// demoGTINs are the demo catalog's products that get a label on demoDay
// (data/demo/expected.txt: OK, CAUTION or NOT_IN_SCOPE without a batch).
var demoGTINs = []string{
	"09520000000011", "09520000000028", "09520000000035", "09520000000080", "09520000000134",
	"09520000000219", "09520000001063", "09520000001087", "09520000001117", "09520000001155",
	"09520000001186", "09520000001209", "09520000001254", "09520000001285", "09520000001315",
}
