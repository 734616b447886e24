package labels

import (
	"errors"
	"strings"
	"testing"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// TestMake: what demo products' labels say, and which get none.
func TestMake(t *testing.T) {
	cat := demoCat(t)
	tests := []struct {
		gtin, batch string
		price       string
		want        []string // lines of Text()
		refused     catalog.Verdict
	}{
		{gtin: "09520000000011", price: "499", want: []string{"Google Pixel 10", "Security updates until August 2032",
			"Passwords: the user sets the password", "Report security problems: g.co/vulnz",
			"https://g.co/vulnz", "£499.00", "DEMO"}},
		{gtin: "09520000000134", want: []string{"Security updates until 3 February 2032"}},        // day precision
		{gtin: "09520000000080", want: []string{"Less than a year of security updates left."}},    // R7c
		{gtin: "09520000000219", want: []string{"UK product security rules (PSTI) do not apply"}}, // excepted
		{gtin: "09520000001254", want: []string{"Security updates until 10 September 2027"}},      // relative, computed
		{gtin: "09520000000127", refused: catalog.Stop},                                           // support ended
		{gtin: "09520000001094", refused: catalog.Stop},                                           // stop notice
		{gtin: "09520000001100", refused: catalog.Check},                                          // batch needed
		{gtin: "09520000001100", batch: "BM2405", want: []string{"Example Baby Monitor Duo"}},     // other batches: CAUTION
		{gtin: "09520000001216", refused: catalog.Check},                                          // passwords unknown
		{gtin: "09999999999994", refused: catalog.Check},                                          // not in the catalog
	}
	for _, tt := range tests {
		t.Run(tt.gtin+tt.batch, func(t *testing.T) {
			res := cat.Judge(catalog.Query{GTIN: tt.gtin, Batch: tt.batch, Today: demoDay})
			l, err := Make(res, Item{GTIN: tt.gtin, Batch: tt.batch, Price: tt.price}, demoCtx(cat))
			if tt.refused != catalog.OK {
				var re *RefusedError
				if !errors.As(err, &re) || re.Verdict != tt.refused || len(re.Reasons) == 0 {
					t.Fatalf("Make = %v, %v; want refused %s with reasons", l, err, tt.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			text := l.Text()
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("label text lacks %q:\n%s", w, text)
				}
			}
			if strings.Contains(text, "Checked") {
				t.Errorf("the footer is in the compared text:\n%s", text)
			}
		})
	}
}

// TestFormatPrice: pounds and pence become one form; anything else is
// refused, saying what a price looks like.
func TestFormatPrice(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"", "", ""}, {"499", "£499.00", ""}, {"499.0", "£499.00", ""}, {"49.99", "£49.99", ""},
		{"1299.5", "£1,299.50", ""}, {"£1,299.00", "£1,299.00", ""}, {" 12,999 ", "£12,999.00", ""},
		{"0.5", "£0.50", ""}, {"0499", "£499.00", ""}, {"99999.99", "£99,999.99", ""},
		{"abc", "", "not a price"}, {"2 for £5", "", "not a price"}, {"-3", "", "not a price"},
		{"+3", "", "not a price"}, {"1e3", "", "not a price"}, {"0x10", "", "not a price"},
		{"NaN", "", "not a price"}, {"Inf", "", "not a price"}, {"4.999", "", "not a price"},
		{"4.", "", "not a price"}, {".5", "", "not a price"}, {"1,2,3", "", "not a price"},
		{"12,99", "", "not a price"}, {",999", "", "not a price"}, {"££5", "", "not a price"},
		{"$5", "", "not a price"}, {"5 ", "£5.00", ""}, {"£", "", "not a price"},
		{"0", "", "is nothing"}, {"0.00", "", "is nothing"}, {"100000", "", "more than £99,999.99"},
		{"99999999999999999999999", "", "more than £99,999.99"}, {"\x1b[2J", "", "not a price"},
	}
	for _, tt := range tests {
		got, err := FormatPrice(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "such as 499") {
				t.Errorf("FormatPrice(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
			}
			if err != nil && strings.ContainsRune(err.Error(), 0x1b) {
				t.Errorf("FormatPrice(%q): the error carries an escape: %q", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("FormatPrice(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
