package catalog

import (
	"strings"
	"testing"
)

// TestMessagesSayWhatIsWrong: a publisher reading a refusal learns the
// actual problem (issue 11, "Messages").
func TestMessagesSayWhatIsWrong(t *testing.T) {
	cases := []struct {
		name, body string
		wants      []string
	}{
		{"13-digit GTIN", decl("gtin 9520000000011"), []string{"(gtin)", "has 13 digits", "09520000000011"}},
		{"GTIN with a bad check digit", decl("gtin 09520000000012"), []string{"does not have a valid GS1 check digit"}},
		{"GTIN of 15 digits", decl("gtin 095200000000111"), []string{"has 15 digits"}},
		{"GTIN with letters", decl("gtin 0952000000001A"), []string{"digits only"}},
		{"country UK", decl("manufacturer Example Ltd | 1 High Street, London | UK"), []string{"UK", "ISO 3166-1"}},
		{"country XX", decl("manufacturer Example Ltd | 1 High Street, London | XX"), []string{"XX", "ISO 3166-1"}},
		{"missing key names the record's line", decl("-brand"), []string{"line 1:", `"brand"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRecord([]byte(c.body))
			if err == nil {
				t.Fatal("parsed")
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
		})
	}
	for _, cc := range []string{"GB", "IE", "CN", "KR", "TW", "US"} {
		if _, err := ParseRecord([]byte(decl("manufacturer Example Ltd | Somewhere | " + cc))); err != nil {
			t.Errorf("country %s refused: %v", cc, err)
		}
	}
}
