package scan

import (
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The transcribed table must agree with the rules of the GS1 General
// Specifications that the parser relies on.
func TestAITable(t *testing.T) {
	if n := len(aiTable.all); n < 500 {
		t.Errorf("AI table has %d AIs, want the whole dictionary (over 500)", n)
	}
	// GS1 General Specifications, "element strings with predefined length
	// using GS1 Application Identifiers": the AI prefixes with a
	// predefined length, and that length (AI included).
	predefined := map[string]int{
		"00": 20, "01": 16, "02": 16, "03": 16, "04": 18,
		"11": 8, "12": 8, "13": 8, "14": 8, "15": 8, "16": 8, "17": 8, "18": 8, "19": 8, "20": 4,
		"31": 10, "32": 10, "33": 10, "34": 10, "35": 10, "36": 10, "41": 16,
	}
	for _, d := range aiTable.all {
		t.Run(d.ai, func(t *testing.T) {
			if d.min < 1 || d.min > d.max || d.max > 90 {
				t.Errorf("length %d..%d", d.min, d.max)
			}
			if got := aiTable.lookup(d.ai); got != d {
				t.Errorf("lookup(%q) = %v", d.ai, got)
			}
			if n, ok := predefined[d.ai[:2]]; ok != d.fixed {
				t.Errorf("fixed = %v, but prefix %s predefined = %v", d.fixed, d.ai[:2], ok)
			} else if ok && (d.min != d.max || len(d.ai)+d.max != n) {
				t.Errorf("predefined length %d, table says AI %d + value %d..%d", n, len(d.ai), d.min, d.max)
			}
			for _, p := range d.ex {
				if !matchesSomeAI(p) {
					t.Errorf("ex=%s matches no AI", p)
				}
			}
			for _, alts := range d.req {
				for _, group := range alts {
					for _, p := range group {
						if !matchesSomeAI(p) {
							t.Errorf("req=%s matches no AI", p)
						}
					}
				}
			}
			for _, seq := range d.dlQual {
				for _, q := range seq {
					if aiTable.lookup(q) == nil {
						t.Errorf("Digital Link qualifier %s is not an AI", q)
					}
				}
			}
		})
	}
	// What the parser's callers lean on.
	for ai, want := range map[string]string{"01": "N14", "02": "N14", "10": "X..20", "21": "X..20", "17": "N6", "00": "N18"} {
		d := aiTable.lookup(ai)
		c := d.parts[0]
		got := string(c.cset)
		if c.min != c.max {
			got += ".."
		}
		got += strconv.Itoa(c.max)
		if got != want || len(d.parts) != 1 {
			t.Errorf("AI (%s) is %s in %d parts, want %s", ai, got, len(d.parts), want)
		}
	}
	if q := aiTable.lookup("01").dlQual; len(q) != 2 || strings.Join(q[0], ",") != "22,10,21" || strings.Join(q[1], ",") != "235" {
		t.Errorf("AI (01) Digital Link qualifiers = %v, want [22 10 21] or [235]", q)
	}
}

func matchesSomeAI(p string) bool {
	for _, d := range aiTable.all {
		if matchAI(d.ai, p) {
			return true
		}
	}
	return false
}

func TestLookup(t *testing.T) {
	tests := []struct {
		ai   string
		want bool
	}{
		{"01", true}, {"10", true}, {"235", true}, {"3103", true}, {"8030", true}, {"98", true}, {"99", true},
		{"", false}, {"0", false}, {"011", false}, {"001", false}, {"23", false}, {"236", false},
		{"3106", false}, {"310", false}, {"31030", false}, {"89", false}, {"05", false}, {"1a", false},
		{"800", false}, {"80", false}, {"4199", false}, {"419", false},
	}
	for _, tt := range tests {
		t.Run(tt.ai, func(t *testing.T) {
			if got := aiTable.lookup(tt.ai) != nil; got != tt.want {
				t.Errorf("lookup(%q) found = %v, want %v", tt.ai, got, tt.want)
			}
		})
	}
}

func TestCompileAITableErrors(t *testing.T) {
	tests := []struct{ name, line string }{
		{"no components", "10  ?  req=01"},
		{"unknown check", "10  ?  X..20,nosuch"},
		{"bad character set", "10  ?  Q..20"},
		{"bad length", "10  ?  X..0"},
		{"bad range", "3105-3100  N6"},
		{"mixed lengths in prefix", "10  X..20\n100  X..20"},
		{"defined twice", "10  X..20\n10  X..20"},
		{"mandatory after optional", "10  [X..2] X..20"},
		{"unknown attribute", "10  X..20  foo=bar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := compileAITable(tt.line); err == nil {
				t.Errorf("compileAITable(%q) succeeded, want an error", tt.line)
			}
		})
	}
}

func TestCodeListsSorted(t *testing.T) {
	for name, list := range map[string][]string{
		"iso3166Numeric": iso3166Numeric,
		"iso3166Alpha2":  iso3166Alpha2,
		"iso4217Numeric": iso4217Numeric,
		"packageTypes":   packageTypes,
	} {
		if !sort.StringsAreSorted(list) {
			t.Errorf("%s is not sorted", name)
		}
	}
}

// Each check the dictionary names, on an AI that uses it: values that pass
// and values that fail, with what the message must say.
func TestCheckValue(t *testing.T) {
	tests := []struct {
		name, ai, value string
		want            string // "" for a good value, else a substring of the error
	}{
		{"GTIN", "01", "09520000000011", ""},
		{"GTIN check digit", "01", "09520000000019", "bad check digit in AI (01) GTIN 09520000000019: want 1, got 9"},
		{"SSCC", "00", "106141411234567897", ""},
		{"GSIN", "402", "12345678901234560", ""},
		{"GSIN check digit", "402", "12345678901234561", "bad check digit in AI (402) GSIN"},
		{"GDTI with serial", "253", "9520123456788ABC", ""},
		{"GDTI check digit", "253", "9520123456789ABC", "bad check digit in AI (253) GDTI 9520123456789"},
		{"GCN too long", "255", "95201234567880123456789012", "too long"},
		{"GRAI", "8003", "09520123456788SER", ""},
		{"GRAI not zero", "8003", "19520123456788SER", "must be 0"},
		{"GSRN", "8018", "123456789012345675", ""},
		{"ITIP", "8006", "095200000000110102", ""},
		{"ITIP piece over total", "8006", "095200000000110302", "piece number 03 exceeds total 02"},
		{"ITIP zero piece", "8006", "095200000000110002", "piece number must not be zero"},
		{"ITIP zero total", "8006", "095200000000110100", "total number of pieces must not be zero"},
		{"GINC", "401", "9520ABC", ""},
		{"GINC without company prefix", "401", "95A0BC", "does not start with a GS1 company prefix"},
		{"GINC too short for a key", "401", "952", "too short to start with a GS1 company prefix"},
		{"CPID set 39", "8010", "9520#-/ABC", ""},
		{"CPID lower case", "8010", "9520abc", "'a' at position 5 is not in GS1 character set 39"},
		{"CPID serial", "8011", "123", ""},
		{"CPID serial zero prefix", "8011", "0123", "must not start with 0"},
		{"GMN", "8013", "1987654Ad4X4bL5ttr2310c2K", ""},
		{"GMN check pair", "8013", "1987654Ad4X4bL5ttr2310cXK", "bad check character pair: want 2K, got XK"},
		{"MUDI", "8014", "9520ABC6E", ""},
		{"MUDI all digits", "8014", "952003922", "must contain a character that is not a digit"},
		{"production date day 00", "11", "280200", ""},
		{"expiry time", "7003", "2812312359", ""},
		{"expiry time hour 24", "7003", "2812312400", "hour 24 is not 00 to 23"},
		{"expiry time minute 60", "7003", "2812312360", "minute 60 is not 00 to 59"},
		{"harvest dates", "7007", "280101280131", ""},
		{"harvest second date short", "7007", "280101280", "part 2 has 3 characters, needs 6"},
		{"production time", "8008", "28123123", ""},
		{"production time with seconds", "8008", "2812312359", ""},
		{"production time seconds 60", "8008", "281231235960", "second 60 is not 00 to 59"},
		{"date of birth", "7250", "20000229", ""},
		{"date of birth 1900-02-29", "7250", "19000229", "day 29 is not a day of 1900-02"},
		{"origin", "422", "826", ""},
		{"origin not a country", "422", "999", "999 is not an ISO 3166 country code"},
		{"processor 999", "7030", "999ABC", ""},
		{"processor country", "7030", "826ABC", ""},
		{"processor bad country", "7030", "000ABC", "neither an ISO 3166 country code nor 999"},
		{"countries of initial processing", "423", "826250276", ""},
		{"countries, partial", "423", "82625", "part 2 has 2 characters, needs 3"},
		{"countries, one bad", "423", "826001", "001 is not an ISO 3166 country code"},
		{"ship to country", "4307", "GB", ""},
		{"ship to country unknown", "4307", "UK", "UK is not an ISO 3166 alpha-2 country code"},
		{"amount with currency", "3912", "826995", ""},
		{"amount bad currency", "3912", "000995", "000 is not an ISO 4217 currency code"},
		{"IBAN", "8007", "GB98MIDL07009312345678", ""},
		{"IBAN check", "8007", "GB98MIDL07009312345679", "bad IBAN check digits"},
		{"IBAN country", "8007", "XX98MIDL07009312345678", "does not start with an ISO 3166 country code"},
		{"IBAN short", "8007", "GB98MIDL07", "too short for an IBAN"},
		{"IBAN lower case", "8007", "GB98midl07009312345678", "not allowed in an IBAN"},
		{"geolocation", "4309", "02790858483015297971", ""},
		{"latitude too big", "4309", "18000000013015297971", "latitude is not"},
		{"longitude too big", "4309", "02790858483600000001", "longitude is not"},
		{"media type", "7241", "01", ""},
		{"media type reserved", "7241", "50", "50 is not an AIDC media type"},
		{"dimensions", "8001", "12345678901201", ""},
		{"dimensions zero width", "8001", "00005678901201", "must not be zero"},
		{"dimensions winding", "8001", "12345678901251", "winding direction must be 0, 1 or 9"},
		{"dangerous goods", "4321", "1", ""},
		{"dangerous goods 2", "4321", "2", "must be 0 or 1"},
		{"biological sex", "7252", "9", ""},
		{"biological sex 3", "7252", "3", "not an ISO/IEC 5218 sex code"},
		{"max temperature", "4330", "001234", ""},
		{"max temperature negative", "4330", "001234-", ""},
		{"max temperature plus", "4330", "001234+", "must be '-'"},
		{"ship to name", "4301", "J%20Smith", ""},
		{"ship to name bad escape", "4301", "J%2GSmith", "bad percent-encoding at position 2"},
		{"ship to name cut escape", "4301", "Smith%2", "bad percent-encoding at position 6"},
		{"birth sequence", "7258", "1/2", ""},
		{"birth sequence over", "7258", "3/2", "position 3 exceeds end 2"},
		{"birth sequence zero", "7258", "0/2", "must not start with 0"},
		{"birth sequence form", "7258", "1-2", "must be <position>/<end>"},
		{"UIC with extension", "7040", "1AB-", ""},
		{"UIC with bad importer index", "7040", "1AB!", "'!' is not an importer index"},
		{"package type", "7041", "BX", ""},
		{"package type unknown", "7041", "QQQ", "QQQ is not a PackageTypeCode"},
		{"digital signature", "8030", "abcDEF-_1", ""},
		{"digital signature padded", "8030", "ab=", ""},
		{"digital signature bad padding", "8030", "abc=", "bad set-64 padding"},
		{"digital signature plus", "8030", "ab+c", "'+' at position 3 is not in GS1 character set 64"},
		{"coupon, checked for set 82 only", "8110", "0123456789", ""},
		{"percent off", "3940", "1234", ""},
		{"variant", "20", "1", "too short: 1 character, want 2"},
		{"net weight", "3103", "000195", ""},
		{"internal", "99", strings.Repeat("A", 90), ""},
		{"internal too long", "99", strings.Repeat("A", 91), "AI (99) value too long: 91 characters, at most 90"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := aiTable.lookup(tt.ai)
			if d == nil {
				t.Fatalf("no AI (%s)", tt.ai)
			}
			err := checkValue(tt.value, 0, d, tt.value)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("AI (%s) %q: %v", tt.ai, tt.value, err)
			case tt.want != "" && err == nil:
				t.Errorf("AI (%s) %q passed, want an error containing %q", tt.ai, tt.value, tt.want)
			case tt.want != "" && !strings.Contains(err.Msg, tt.want):
				t.Errorf("AI (%s) %q: %q, want it to contain %q", tt.ai, tt.value, err.Msg, tt.want)
			}
		})
	}
}
