package catalog_test

import (
	"slices"
	"testing"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/data"
)

func TestSearch(t *testing.T) {
	cp, recs, trustFile := data.Demo()
	trust, err := catalog.ParseTrust(trustFile)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.OpenBytes(cp, recs, trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := catalog.Query{Today: catalog.Date{Year: 2026, Month: 11, Day: 24}}
	tests := []struct {
		query string
		want  []string // GTINs, in order; nil: none
		limit int
	}{
		{"pixel 10", []string{"09520000000011"}, 0},
		{"PIXEL 9", []string{"09520000000028", "09520000000035", "09520000000042"}, 0},
		{"google watch", []string{"09520000000103", "09520000000110", "09520000000127"}, 0},
		{"9520000000011", []string{"09520000000011"}, 0},
		{"09520000000011", []string{"09520000000011"}, 0},
		{"95200000001", []string{"09520000000103", "09520000000110", "09520000000127", "09520000000134"}, 4},
		{"no such thing", nil, 0},
		{"", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got []string
			for r := range cat.Search(tt.query, q) {
				got = append(got, r.GTIN)
				if tt.limit > 0 && len(got) == tt.limit {
					break
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}
