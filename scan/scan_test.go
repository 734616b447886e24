package scan

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// GS as it reaches Parse from a scanner, for readable test tables.
const GS = "\x1d"

// el builds an Elements slice from AI, value pairs.
func el(kv ...string) []Element {
	var e []Element
	for i := 0; i < len(kv); i += 2 {
		e = append(e, Element{AI: kv[i], Value: kv[i+1]})
	}
	return e
}

// gtinOnly is the Code for a plain GTIN.
func gtinOnly(sym, gtin14 string) Code {
	return Code{GTIN: gtin14, Symbology: sym, Elements: el("01", gtin14)}
}

var parseTests = []struct {
	name string
	in   string
	want Code
}{
	// Plain GTINs, from scanning.md.
	{"GTIN-8", "96385074", gtinOnly("", "00000096385074")},
	{"UPC-A", "036000291452", gtinOnly("", "00036000291452")},
	{"EAN-13", "9520000000011", gtinOnly("", "09520000000011")},
	{"GTIN-14", "09520000000011", gtinOnly("", "09520000000011")},
	{"GTIN-14 with indicator", "19520000000018", gtinOnly("", "19520000000018")},
	{"EAN-13 with Enter", "9520000000011\r\n", gtinOnly("", "09520000000011")},
	{"EAN-13 with Tab", "9520000000011\t", gtinOnly("", "09520000000011")},
	{"EAN-13 with LF", "4006381333931\n", gtinOnly("", "04006381333931")},
	{"8 digits without AIM are EAN-8", "01234565", gtinOnly("", "00000001234565")},

	// AIM symbology identifiers.
	{"]E0 EAN-13", "]E09520000000011", gtinOnly("]E0", "09520000000011")},
	{"]E0 UPC-A as 13", "]E00036000291452", gtinOnly("]E0", "00036000291452")},
	{"]E0 UPC-A as 12", "]E0036000291452", gtinOnly("]E0", "00036000291452")},
	{"]E0 UPC-E", "]E001234565", gtinOnly("]E0", "00012345000065")},
	{"]E0 UPC-E number system 1", "]E011234562", gtinOnly("]E0", "00112345000062")},
	{"]E4 EAN-8", "]E496385074", gtinOnly("]E4", "00000096385074")},
	{"]E3 EAN-13 with 2-digit add-on", "]E3977147396801202", gtinOnly("]E3", "09771473968012")},
	{"]E3 EAN-13 with 5-digit add-on", "]E3978014300723451995", gtinOnly("]E3", "09780143007234")},
	{"]I1 ITF-14", "]I119520000000018", gtinOnly("]I1", "19520000000018")},
	{"]I0 ITF-14", "]I009520000000011", gtinOnly("]I0", "09520000000011")},
	{"]Q1 bare GTIN", "]Q19520000000011", gtinOnly("]Q1", "09520000000011")},
	{"]C0 bare GTIN", "]C09520000000011", gtinOnly("]C0", "09520000000011")},
	{"]d1 bare GTIN-8", "]d196385074", gtinOnly("]d1", "00000096385074")},

	// GS1 element strings.
	{"]C1 from scanning.md", "]C10109520000000011" + "10B2402" + GS + "21X1", Code{
		GTIN: "09520000000011", Batch: "B2402", Serial: "X1", Symbology: "]C1",
		Elements: el("01", "09520000000011", "10", "B2402", "21", "X1"),
	}},
	{"]d2 with leading GS", "]d2" + GS + "0109520000000011" + "17281231" + "10B2402", Code{
		GTIN: "09520000000011", Batch: "B2402", Expiry: "281231", Symbology: "]d2",
		Elements: el("01", "09520000000011", "17", "281231", "10", "B2402"),
	}},
	{"]Q3 with trailing GS", "]Q30109520000000011" + "21X1" + GS, Code{
		GTIN: "09520000000011", Serial: "X1", Symbology: "]Q3",
		Elements: el("01", "09520000000011", "21", "X1"),
	}},
	{"]e0 DataBar", "]e00109520000000011", Code{
		GTIN: "09520000000011", Symbology: "]e0", Elements: el("01", "09520000000011"),
	}},
	{"]J1 DotCode", "]J10109520000000011" + "17280229", Code{
		GTIN: "09520000000011", Expiry: "280229", Symbology: "]J1",
		Elements: el("01", "09520000000011", "17", "280229"),
	}},
	{"tilde stands for GS after ]C1", "]C10109520000000011" + "10B2402~21X1", Code{
		GTIN: "09520000000011", Batch: "B2402", Serial: "X1", Symbology: "]C1",
		Elements: el("01", "09520000000011", "10", "B2402", "21", "X1"),
	}},
	{"tilde as leading FNC1 after ]d2", "]d2~0109520000000011" + "21X1", Code{
		GTIN: "09520000000011", Serial: "X1", Symbology: "]d2",
		Elements: el("01", "09520000000011", "21", "X1"),
	}},
	{"GS tolerated after a fixed-length value", "]C10109520000000011" + GS + "17281200" + GS + "10B", Code{
		GTIN: "09520000000011", Batch: "B", Expiry: "281200", Symbology: "]C1",
		Elements: el("01", "09520000000011", "17", "281200", "10", "B"),
	}},
	{"no separator: a variable value runs to the end", "]C10109520000000011" + "10ABC21XYZ", Code{
		GTIN: "09520000000011", Batch: "ABC21XYZ", Symbology: "]C1",
		Elements: el("01", "09520000000011", "10", "ABC21XYZ"),
	}},
	{"element string without AIM", "0109520000000011" + "10B2402" + GS + "21X1", Code{
		GTIN: "09520000000011", Batch: "B2402", Serial: "X1",
		Elements: el("01", "09520000000011", "10", "B2402", "21", "X1"),
	}},
	{"element string without AIM, leading GS", GS + "0109520000000011" + "3103000195", Code{
		GTIN:     "09520000000011",
		Elements: el("01", "09520000000011", "3103", "000195"),
	}},
	{"content GTIN with count, the SSCC in another symbol", "]C10209520000000011" + "3725", Code{
		GTIN: "09520000000011", Symbology: "]C1",
		Elements: el("02", "09520000000011", "37", "25"),
	}},
	{"SSCC with content", "]C100106141411234567897" + "0209520000000011" + "3725" + GS + "10L1", Code{
		GTIN: "09520000000011", Batch: "L1", Symbology: "]C1",
		Elements: el("00", "106141411234567897", "02", "09520000000011", "37", "25", "10", "L1"),
	}},
	{"repeated AI with the same value", "]C10109520000000011" + "10A" + GS + "10A", Code{
		GTIN: "09520000000011", Batch: "A", Symbology: "]C1",
		Elements: el("01", "09520000000011", "10", "A", "10", "A"),
	}},
	{"expiry day 00 means end of month", "]C10109520000000011" + "17281200", Code{
		GTIN: "09520000000011", Expiry: "281200", Symbology: "]C1",
		Elements: el("01", "09520000000011", "17", "281200"),
	}},
	{"batch of 20 characters of set 82", "]C10109520000000011" + "10!\"%&'()*+,-./:;<=>?_" + GS + "21az09AZ", Code{
		GTIN: "09520000000011", Batch: "!\"%&'()*+,-./:;<=>?_", Serial: "az09AZ", Symbology: "]C1",
		Elements: el("01", "09520000000011", "10", "!\"%&'()*+,-./:;<=>?_", "21", "az09AZ"),
	}},
	{"pharmaceutical pack", "]d20109520000000011" + "17290531" + "10ABC123" + GS + "21SN000123" + GS + "710123456", Code{
		GTIN: "09520000000011", Batch: "ABC123", Serial: "SN000123", Expiry: "290531", Symbology: "]d2",
		Elements: el("01", "09520000000011", "17", "290531", "10", "ABC123", "21", "SN000123", "710", "123456"),
	}},

	// Bracketed element strings.
	{"bracketed from scanning.md", "(01)09520000000011(10)B2402", Code{
		GTIN: "09520000000011", Batch: "B2402",
		Elements: el("01", "09520000000011", "10", "B2402"),
	}},
	{"bracketed with escaped bracket", `(01)09520000000011(10)A\(B)`, Code{
		GTIN: "09520000000011", Batch: "A(B)",
		Elements: el("01", "09520000000011", "10", "A(B)"),
	}},
	{"bracketed, expiry and serial", "(01)09520000000011(17)281231(21)X1", Code{
		GTIN: "09520000000011", Serial: "X1", Expiry: "281231",
		Elements: el("01", "09520000000011", "17", "281231", "21", "X1"),
	}},

	// GS1 Digital Link.
	{"digital link from scanning.md", "https://id.gs1.org/01/09520000000011/10/B2402?17=281231", Code{
		GTIN: "09520000000011", Batch: "B2402", Expiry: "281231",
		Elements: el("01", "09520000000011", "10", "B2402", "17", "281231"),
	}},
	{"digital link in ]Q1", "]Q1https://id.gs1.org/01/09520000000011", Code{
		GTIN: "09520000000011", Symbology: "]Q1", Elements: el("01", "09520000000011"),
	}},
	{"digital link in ]d1", "]d1https://example.com/01/09520000000011/21/12345", Code{
		GTIN: "09520000000011", Serial: "12345", Symbology: "]d1",
		Elements: el("01", "09520000000011", "21", "12345"),
	}},
	{"digital link, all qualifiers", "https://id.gs1.org/01/09520000000011/22/2A/10/ABC1/21/12345", Code{
		GTIN: "09520000000011", Batch: "ABC1", Serial: "12345",
		Elements: el("01", "09520000000011", "22", "2A", "10", "ABC1", "21", "12345"),
	}},
	{"digital link, 235 qualifier", "https://id.gs1.org/01/09520000000011/235/TPX1?10=B", Code{
		GTIN: "09520000000011", Batch: "B",
		Elements: el("01", "09520000000011", "235", "TPX1", "10", "B"),
	}},
	{"digital link, http and a stem", "http://brand.example.com/some-extra/pathinfo/01/09520000000011", Code{
		GTIN: "09520000000011", Elements: el("01", "09520000000011"),
	}},
	{"digital link, rightmost key wins", "https://a.example/01/faux/01/09520000000011", Code{
		GTIN: "09520000000011", Elements: el("01", "09520000000011"),
	}},
	{"digital link, upper case", "HTTPS://ID.GS1.ORG/01/09520000000011/10/ABC", Code{
		GTIN: "09520000000011", Batch: "ABC", Elements: el("01", "09520000000011", "10", "ABC"),
	}},
	{"digital link, GTIN-13 padded", "https://example.com/01/9520000000011", Code{
		GTIN: "09520000000011", Elements: el("01", "09520000000011"),
	}},
	{"digital link, GTIN-12 padded", "https://example.com/01/036000291452", Code{
		GTIN: "00036000291452", Elements: el("01", "00036000291452"),
	}},
	{"digital link, GTIN-8 padded", "https://example.com/01/96385074", Code{
		GTIN: "00000096385074", Elements: el("01", "00000096385074"),
	}},
	{"digital link, percent-decoding", "https://example.com/01/09520000000011/10/A%2FB%25", Code{
		GTIN: "09520000000011", Batch: "A/B%", Elements: el("01", "09520000000011", "10", "A/B%"),
	}},
	{"digital link, plus is literal in the path", "https://example.com/01/09520000000011/10/A+B", Code{
		GTIN: "09520000000011", Batch: "A+B", Elements: el("01", "09520000000011", "10", "A+B"),
	}},
	{"digital link, other parameters and fragment ignored",
		"https://id.gs1.org/01/09520000000011?linkType=gs1:pip&&singleton&17=281231&context=x#frag", Code{
			GTIN: "09520000000011", Expiry: "281231", Elements: el("01", "09520000000011", "17", "281231"),
		}},
	{"digital link, empty query", "https://id.gs1.org/01/09520000000011?", Code{
		GTIN: "09520000000011", Elements: el("01", "09520000000011"),
	}},
	{"digital link, weight and price attributes", "https://example.com/01/09520000000011?3103=000195&3922=0299&17=201225", Code{
		GTIN: "09520000000011", Expiry: "201225",
		Elements: el("01", "09520000000011", "3103", "000195", "3922", "0299", "17", "201225"),
	}},
	{"digital link, SSCC key with content GTIN", "https://id.gs1.org/00/106141411234567897?02=09520000000011&37=25&10=ABC123", Code{
		GTIN: "09520000000011", Batch: "ABC123",
		Elements: el("00", "106141411234567897", "02", "09520000000011", "37", "25", "10", "ABC123"),
	}},
	{"digital link, GIAI key with GTIN attribute", "https://example.com/8004/9520614141234567?01=9520000000011", Code{
		GTIN:     "09520000000011",
		Elements: el("8004", "9520614141234567", "01", "09520000000011"),
	}},
	{"digital link with port and IPv6", "https://[2001:db8::1]:8443/01/09520000000011", Code{
		GTIN: "09520000000011", Elements: el("01", "09520000000011"),
	}},
}

// The longest scans that may be read, made of as many elements as fit, are
// read in reasonable time, though the checks across elements are quadratic.
func TestParseLongest(t *testing.T) {
	const k = (MaxLen - 19) / 4 // "10A" GS elements after the GTIN
	in := "]C10109520000000011" + strings.Repeat("10A"+GS, k)
	c, err := Parse(in)
	if err != nil || len(c.Elements) != 1+k {
		t.Fatalf("Parse(%d bytes) = %d elements, %v; want %d", len(in), len(c.Elements), err, 1+k)
	}
	in = "]C10109520000000011" + strings.Repeat("10A"+GS, k-3) + "10" + strings.Repeat("B", MaxLen-19-4*(k-3)-2)
	if len(in) != MaxLen {
		t.Fatalf("test input is %d bytes, want %d", len(in), MaxLen)
	}
	if _, err := Parse(in); err == nil || !strings.Contains(err.Error(), "AI (10) appears twice with different values") {
		t.Fatalf("Parse(%d bytes) = %v, want the last batch refused", len(in), err)
	}
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

// UPC-E expansion: one case for each value of the last data digit, which
// says where the suppressed zeros go. The expected UPC-A were worked out by
// hand from the GS1 zero-suppression rules; 04252614 → 042100005264
// is the usual published example.
func TestUPCE(t *testing.T) {
	tests := []struct {
		name, upce, upca string
	}{
		{"last digit 0", "01234505", "012000003455"},
		{"last digit 1", "01234514", "012100003454"},
		{"last digit 2", "01234523", "012200003453"},
		{"last digit 3", "01234531", "012300000451"},
		{"last digit 4", "01234543", "012340000053"},
		{"last digit 5", "01234558", "012345000058"},
		{"last digit 6", "01234565", "012345000065"},
		{"last digit 7", "01234572", "012345000072"},
		{"last digit 8, number system 1", "19876580", "198765000080"},
		{"last digit 9", "01234596", "012345000096"},
		{"published example", "04252614", "042100005264"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("]E0" + tt.upce)
			if err != nil {
				t.Fatalf("Parse(]E0%s): %v", tt.upce, err)
			}
			if want := "00" + tt.upca; c.GTIN != want {
				t.Errorf("Parse(]E0%s).GTIN = %s, want %s", tt.upce, c.GTIN, want)
			}
			// The expanded code is itself a valid UPC-A with the same GTIN.
			a, err := Parse(tt.upca)
			if err != nil || a.GTIN != c.GTIN {
				t.Errorf("Parse(%s) = %v, %v; want GTIN %s", tt.upca, a.GTIN, err, c.GTIN)
			}
		})
	}
}

var errorTests = []struct {
	name string
	in   string
	want string // substring of the message
}{
	// Whole-scan problems.
	{"empty", "", "empty scan"},
	{"only Enter", "\r\n", "empty scan"},
	{"control character", "95200\x0700000011", "control character 0x07 at byte 5"},
	{"NUL", "9520000000011\x00", "control character 0x00 at byte 13"},
	{"DEL", "\x7f9520000000011", "control character 0x7F at byte 0"},
	{"tab inside", "952000\t0000011", "control character 0x09 at byte 6"},
	{"CR before data", "\r9520000000011", "control character 0x0D at byte 0"},
	{"escape sequence", "\x1b[31m9520000000011", "control character 0x1B at byte 0"},
	{"too long", "]C10109520000000011" + strings.Repeat("10A"+GS, 3000), "scan too long: 12019 bytes, at most 8192"},

	// Plain GTINs.
	{"bad check digit", "9520000000012", "bad check digit in GTIN 9520000000012: want 1, got 2"},
	{"bad check digit GTIN-8", "96385075", "bad check digit in GTIN 96385075: want 4, got 5"},
	{"bad check digit UPC-A", "036000291453", "bad check digit in GTIN 036000291453: want 2, got 3"},
	{"bad check digit GTIN-14", "09520000000012", "bad check digit in GTIN 09520000000012: want 1, got 2"},
	{"10 digits", "1234567890", "not a product code: 10 digits is not a GTIN"},
	{"7 digits", "1234567", "not a product code: 7 digits is not a GTIN"},
	{"15 digits", "123456789012345", "not a product code: 15 digits is not a GTIN"},
	{"words", "hello", "not a product code"},
	{"leading space", " 9520000000011", "not a product code"},
	{"trailing space", "9520000000011 ", "not a product code"},
	{"letter in GTIN", "952000000001X", "not a product code"},

	// Symbology identifiers.
	{"bare bracket", "]", "truncated symbology identifier"},
	{"no data", "]E0", "no data after symbology identifier ]E0"},
	{"no data after Enter", "]E0\r", "no data after symbology identifier ]E0"},
	{"unknown symbology", "]X09520000000011", "unsupported symbology identifier ]X0"},
	{"]Q2 with ECI not supported", "]Q29520000000011", "unsupported symbology identifier ]Q2"},
	{"]E0 wrong length", "]E01234567890", "]E0 carries 13 or 12 digits"},
	{"]E0 letter", "]E0952000000001X", "is not a digit"},
	{"]E0 bad check digit", "]E09520000000012", "bad check digit in GTIN 9520000000012"},
	{"UPC-E number system 2", "]E021234565", "number system must be 0 or 1"},
	{"UPC-E bad check digit", "]E001234566", "bad check digit in UPC-E 01234566: want 5, got 6"},
	{"UPC-E letter", "]E00123456A", "UPC-E \"0123456A\" is not all digits"},
	{"]E4 wrong length", "]E49520000000011", "]E4 carries 8 digits"},
	{"]E4 bad check digit", "]E496385075", "bad check digit in GTIN 96385075"},
	{"]E3 wrong length", "]E39771473968015021", "add-on, not 16 characters"},
	{"add-on alone", "]E215995", "add-on on its own"},
	{"ITF not 14", "]I11234567895", "ITF-14 (14 digits), not 10"},
	{"ITF-14 bad check digit", "]I119520000000019", "bad check digit in GTIN 19520000000019"},
	{"]Q1 text", "]Q1hello world", "]Q1 data is neither a GS1 Digital Link URI nor a GTIN"},
	{"]Q1 element string is not text", "]Q10109520000000011", "16 digits is not a GTIN"},
	{"]Q3 carries no digital link", "]Q3https://id.gs1.org/01/09520000000011", "expected an AI at byte 3"},

	// Element strings.
	{"unknown AI", "]C10109520000000011" + "2361234", "unknown AI (236)"},
	{"unknown AI prefix", "]C10109520000000011" + "0512", "unknown AI (05): no GS1 AI starts with 05"},
	{"unknown AI first", "]C1891234", "unknown AI (89)"},
	{"batch too long", "]C10109520000000011" + "10ABCDEFGHIJKLMNOPQRSTU", "AI (10) value too long: 21 characters, at most 20"},
	{"serial too long", "]C10109520000000011" + "21ABCDEFGHIJKLMNOPQRSTU", "AI (21) value too long: 21 characters, at most 20"},
	{"truncated expiry", "]C10109520000000011" + "17281", "truncated element string: AI (17) needs 6 digits, 3 left"},
	{"expiry cut by GS", "]C10109520000000011" + "17281" + GS + "10A", "truncated element string: AI (17) needs 6 digits, 3 left"},
	{"truncated GTIN", "]C101095200", "truncated element string: AI (01) needs 14 digits, 6 left"},
	{"truncated AI", "]C10109520000000011" + "1", "truncated element string: \"1\" where an AI was expected"},
	{"truncated 4-digit AI", "]C10109520000000011" + "310", "truncated element string: AI needs 4 digits, 3 left"},
	{"bad check digit in AI (01)", "]C10109520000000012", "bad check digit in AI (01) GTIN 09520000000012: want 1, got 2"},
	{"bad check digit in SSCC", "]C100106141411234567898", "bad check digit in AI (00) SSCC 106141411234567898: want 7, got 8"},
	{"bad check digit in GLN", "]C10109520000000011" + "4149520123456789", "bad check digit in AI (414) GLN 9520123456789: want 8, got 9"},
	{"space in batch", "]C10109520000000011" + "10AB CD", "' ' at position 3 is not in GS1 character set 82"},
	{"hash in serial", "]C10109520000000011" + "21AB#", "'#' at position 3 is not in GS1 character set 82"},
	{"non-ASCII in batch", "]C10109520000000011" + "10Ä", "is not in GS1 character set 82"},
	{"letter in weight", "]C10109520000000011" + "310300A195", "'A' at position 3 is not a digit"},
	{"month 13", "]C10109520000000011" + "17281331", "month 13 is not 01 to 12"},
	{"month 00", "]C10109520000000011" + "17280031", "month 00 is not 01 to 12"},
	{"30 February", "]C10109520000000011" + "17280230", "day 30 is not a day of 2028-02"},
	{"29 February, not leap", "]C10109520000000011" + "17270229", "day 29 is not a day of 2027-02"},
	{"31 April", "]C10109520000000011" + "17270431", "day 31 is not a day of 2027-04"},
	{"day 00 not allowed for first freeze date", "]C10109520000000011" + "7006281200", "day 00 is not allowed"},
	{"empty batch", "]C10109520000000011" + "10" + GS + "21X", "AI (10) has an empty value"},
	{"empty batch at end", "]C10109520000000011" + "10", "AI (10) has an empty value"},
	{"two separators", "]C10109520000000011" + "10A" + GS + GS + "21X", "two separators in a row at byte 23"},
	{"two leading separators", "]d2" + GS + GS + "0109520000000011", "two separators in a row at byte 4"},
	{"only a separator", "]d2" + GS, "empty element string"},
	{"letter where an AI belongs", "]C10109520000000011" + "X1", "expected an AI at byte 19, found 'X'"},
	{"tilde without GS1 identifier", "0109520000000011" + "10A~21X", "'~' stands for GS only after a GS1 symbology identifier"},
	{"tilde at AI position without GS1 identifier", "0109520000000011" + "~10A", "'~' stands for GS only after a GS1 symbology identifier"},
	{"tilde in plain text symbology", "]C00109520000000011~10A", "]C0 data is neither"},
	{"SSCC alone", "]C100106141411234567897", "not a product code: no GTIN"},
	{"GLN alone", "(414)9520123456788", "not a product code: no GTIN"},
	{"batch alone", "]C110ABC", "not a product code: no GTIN"},
	{"made-to-order GTIN is not 01 or 02", "]C10309520000000011", "not a product code: no GTIN"},
	{"GTIN with content GTIN", "]C10109520000000011" + "0209520000000011", "AI (02) cannot be used with AI (01)"},
	{"GTIN with count", "]C10109520000000011" + "3725", "AI (01) cannot be used with AI (37)"},
	{"two net weights", "]C10109520000000011" + "3103000195" + "3102001950", "AI (3103) cannot be used with AI (3102)"},
	{"serial with TPX", "]C10109520000000011" + "21A" + GS + "235B", "AI (21) cannot be used with AI (235)"},
	{"repeated AI, other value", "]C10109520000000011" + "10A" + GS + "10B", "AI (10) appears twice with different values"},
	{"repeated GTIN, other value", "]C10109520000000011" + "0100000096385074", "appears twice with different values"},
	{"origin without separator", "]C10109520000000011" + "42282610ABC", "AI (422) value too long: 8 characters, at most 3"},
	{"unprefixed element string must start with 01 or 02", "10ABC" + GS + "0109520000000011", "not a product code"},

	// Bracketed element strings.
	{"bracketed GTIN-13", "(01)9520000000011", "AI (01) value too short: 13 characters, want 14"},
	{"bracketed GTIN too long", "(01)095200000000111", "AI (01) value too long: 15 characters, at most 14"},
	{"bracketed empty value", "(01)09520000000011(10)", "AI (10) has an empty value"},
	{"bracketed empty value in the middle", "(01)09520000000011(10)(21)X", "AI (10) has an empty value"},
	{"bracketed unclosed", "(01)09520000000011(10", "'(' at byte 18 is not closed"},
	{"bracketed one-digit AI", "(1)12345", "\"1\" is not an AI"},
	{"bracketed five-digit AI", "(12345)12345", "\"12345\" is not an AI"},
	{"bracketed letters for AI", "(1A)12345", "\"1A\" is not an AI"},
	{"bracketed unknown AI", "(011)09520000000011", "unknown AI (011)"},
	{"bracketed unknown 2-digit AI", "(01)09520000000011(89)X", "unknown AI (89)"},
	{"bracketed bad check digit", "(01)09520000000012", "bad check digit in AI (01) GTIN 09520000000012: want 1, got 2"},
	{"bracketed space", "(01)09520000000011 (10)A", "AI (01) value too long: 15 characters, at most 14"},
	{"bracketed bad date", "(01)09520000000011(17)281332", "month 13 is not 01 to 12"},
	{"bracketed no GTIN", "(00)106141411234567897", "not a product code: no GTIN"},

	// Digital Link.
	{"DL bad check digit", "https://id.gs1.org/01/09520000000012", "bad check digit in AI (01) GTIN 09520000000012: want 1, got 2"},
	{"DL GTIN of 11 digits", "https://id.gs1.org/01/95200000001", "AI (01) value too short: 11 characters, want 14"},
	{"DL no key", "https://example.com/foo/bar", "digital link: no GS1 key in the path"},
	{"DL only a host", "https://example.com", "has no path"},
	{"DL no host", "https:///01/09520000000011", "has no host"},
	{"DL bad host", "https://a_b.example/01/09520000000011", "'_' is not allowed in a host name"},
	{"DL user info", "https://user@example.com/01/09520000000011", "'@' is not allowed in a host name"},
	{"DL space", "https://example.com/01/09520000000011/10/A B", "' ' at byte 42 is not allowed in a URI"},
	{"DL trailing slash", "https://id.gs1.org/01/09520000000011/", "digital link path ends with '/'"},
	{"DL qualifier without value", "https://id.gs1.org/01/09520000000011/10", "no GS1 key in the path"},
	{"DL qualifiers out of order", "https://id.gs1.org/01/09520000000011/21/S/10/B", "(01)(21)(10) is not a key and qualifiers in their defined order"},
	{"DL 22 after 10", "https://id.gs1.org/01/09520000000011/10/B/22/V", "(01)(10)(22) is not a key and qualifiers"},
	{"DL mixed qualifier sequences", "https://id.gs1.org/01/09520000000011/22/V/235/T", "(01)(22)(235) is not a key and qualifiers"},
	{"DL qualifier repeated", "https://id.gs1.org/01/09520000000011/10/A/10/B", "(01)(10)(10) is not a key and qualifiers"},
	{"DL data attribute in path", "https://id.gs1.org/01/09520000000011/17/281231", "AI (17) is a data attribute: it belongs in the query string, not the path"},
	{"DL qualifier in query", "https://example.com/01/09520000000011?10=ABC123", "AI (10) is a key qualifier: it belongs in the path, not the query string"},
	{"DL serial in query", "https://example.com/01/09520000000011/10/B?21=S", "AI (21) is a key qualifier: it belongs in the path"},
	{"DL non-attribute in query", "https://example.com/01/09520000000011?254=ABC", "AI (254) is not allowed as a data attribute"},
	{"DL unknown AI in query", "https://example.com/01/09520000000011?999=faux", "unknown AI (999) in the digital link query"},
	{"DL unknown 2-digit AI in query", "https://example.com/01/09520000000011?89=ABC", "unknown AI (89) in the digital link query"},
	{"DL empty query value", "https://example.com/01/09520000000011?17=", "AI (17) has an empty value"},
	{"DL empty path value", "https://example.com/01//10/B", "AI (01) has an empty value"},
	{"DL duplicate in query", "https://example.com/01/09520000000011?17=281231&17=281231", "AI (17) appears twice"},
	{"DL key again in query", "https://example.com/01/09520000000011/10/A?99=X&01=09520000000011", "AI (01) appears twice"},
	{"DL qualifier again in query", "https://example.com/01/09520000000011/10/A?10=A", "AI (10) appears twice"},
	{"DL bad percent-encoding", "https://example.com/01/09520000000011/10/A%2", "bad percent-encoding in the value of AI (10)"},
	{"DL bad hex", "https://example.com/01/09520000000011/10/A%GG", "bad percent-encoding in the value of AI (10)"},
	{"DL encoded space", "https://example.com/01/09520000000011/10/A%20B", "' ' at position 2 is not in GS1 character set 82"},
	{"DL encoded NUL", "https://example.com/01/09520000000011/10/A%00B", "is not in GS1 character set 82"},
	{"DL encoded GS", "https://example.com/01/09520000000011/10/A%1DB", "is not in GS1 character set 82"},
	{"DL plus is a space in the query", "https://example.com/01/09520000000011?99=A+B", "' ' at position 2 is not in GS1 character set 82"},
	{"DL bad expiry", "https://id.gs1.org/01/09520000000011?17=281301", "month 13 is not 01 to 12"},
	{"DL alphabetic short name", "https://id.gs1.org/gtin/09520000000011", "no GS1 key in the path"},
	{"DL SSCC alone", "https://id.gs1.org/00/106141411234567897", "not a product code: no GTIN"},
	{"DL GLN", "https://id.gs1.org/414/9520123456788/254/32a%2Fb", "not a product code: no GTIN"},
	{"DL ftp", "]Q1ftp://example.com/01/09520000000011", "neither a GS1 Digital Link URI nor a GTIN"},
	{"DL unknown AI after key", "https://example.com/01/09520000000011/89/ABC", "no GS1 key in the path"},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorTests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error containing %q", tt.in, c, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error\n got %q\nwant it to contain %q", tt.in, err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error is %T, want *Error", tt.in, err)
			}
			if e.Input != tt.in {
				t.Errorf("Error.Input = %q, want %q", e.Input, tt.in)
			}
			if e.Pos < -1 || e.Pos > len(tt.in) {
				t.Errorf("Error.Pos = %d, outside input of %d bytes", e.Pos, len(tt.in))
			}
			if e.Msg != err.Error() {
				t.Errorf("Error() = %q, want Msg %q", err.Error(), e.Msg)
			}
			// Lower case, but for acronyms: "AI (10) ...", "GTIN ...".
			if m := e.Msg; len(m) > 1 && m[0] >= 'A' && m[0] <= 'Z' && m[1] >= 'a' && m[1] <= 'z' {
				t.Errorf("message %q starts with a capital", m)
			}
			if !reflect.DeepEqual(c, Code{}) {
				t.Errorf("Parse(%q) returned %+v with its error, want the zero Code", tt.in, c)
			}
		})
	}
}

// Errors say where: Pos is the byte of the input at fault, AI the AI.
func TestErrorPosition(t *testing.T) {
	tests := []struct {
		name string
		in   string
		pos  int
		ai   string
	}{
		{"GTIN check digit", "9520000000012", 12, ""},
		{"GTIN check digit before Enter", "9520000000012\r\n", 12, ""},
		{"control character", "952\x010", 3, ""},
		{"AI (01) check digit", "]C10109520000000012", 18, "01"},
		{"batch character", "]C10109520000000011" + "10AB CD", 23, "10"},
		{"batch too long", "]C10109520000000011" + "10ABCDEFGHIJKLMNOPQRSTU", 21, "10"},
		{"unknown AI", "]C10109520000000011" + "2361234", 19, "236"},
		{"truncated expiry", "]C10109520000000011" + "17281", 21, "17"},
		{"bracketed value", "(01)09520000000011(10)A B", 23, "10"},
		{"DL path value, decoded", "https://example.com/01/09520000000011/10/A%20B", 41, "10"},
		{"DL path value", "https://example.com/01/09520000000011/10/A!B~", 44, "10"},
		{"DL query", "https://example.com/01/09520000000011?17=281301", 41, "17"},
		{"DL query AI", "https://example.com/01/09520000000011?10=A", 38, "10"},
		{"UPC-E check digit", "]E001234566", 10, ""},
		{"no GTIN has no place", "]C100106141411234567897", -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) = %v, want an *Error", tt.in, err)
			}
			if e.Pos != tt.pos || e.AI != tt.ai {
				t.Errorf("Parse(%q): Pos %d, AI %q; want Pos %d, AI %q (%s)", tt.in, e.Pos, e.AI, tt.pos, tt.ai, e.Msg)
			}
		})
	}
}

func TestValidCheckDigit(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"96385074", true},
		{"036000291452", true},
		{"9520000000011", true},
		{"09520000000011", true},
		{"106141411234567897", true},
		{"00", true},
		{"9520000000012", false},
		{"96385075", false},
		{"0", false},
		{"", false},
		{"952000000001X", false},
		{"-9520000000011", false},
		{"９5", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ValidCheckDigit(tt.in); got != tt.want {
				t.Errorf("ValidCheckDigit(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// Any single wrong digit in a GTIN is caught by its check digit (the
// weights 1 and 3 are prime to 10); so is any transposition of neighbours
// that differ by other than 5.
func TestMangledGTIN(t *testing.T) {
	for _, good := range []string{"96385074", "036000291452", "9520000000011", "09520000000011", "]E001234565", "]I119520000000018"} {
		mustParse(t, good)
		start := 0
		if good[0] == ']' {
			start = 3
		}
		for i := start; i < len(good); i++ {
			for d := byte('0'); d <= '9'; d++ {
				if d == good[i] {
					continue
				}
				if strings.HasPrefix(good, "]E0") && i == 9 {
					// The last data digit of a UPC-E says how to expand
					// the rest: changing it moves the other digits, and
					// the check digit may well hold (]E001234505 is UPC-A
					// 012000003455). A property of UPC-E, not a gap.
					continue
				}
				bad := good[:i] + string(d) + good[i+1:]
				if c, err := Parse(bad); err == nil {
					t.Errorf("Parse(%q) = %s, want an error (one digit off %q)", bad, c.GTIN, good)
				}
			}
			// In a UPC-E the digits move about on expansion.
			if start == 0 && i+1 < len(good) && good[i] != good[i+1] && absDiff(good[i], good[i+1]) != 5 {
				swapped := good[:i] + string(good[i+1]) + string(good[i]) + good[i+2:]
				if c, err := Parse(swapped); err == nil {
					t.Errorf("Parse(%q) = %s, want an error (transposed %q)", swapped, c.GTIN, good)
				}
			}
		}
	}
}

func absDiff(a, b byte) byte {
	if a > b {
		return a - b
	}
	return b - a
}

func mustParse(t *testing.T, s string) Code {
	t.Helper()
	c, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return c
}

// Every byte of a good element string and Digital Link, replaced by every
// other byte, either fails or still yields a sound Code: never a GTIN with a
// bad check digit or a batch outside set 82.
func TestMangledBytes(t *testing.T) {
	goods := []string{
		"]C10109520000000011" + "17281231" + "10B2402" + GS + "21X1",
		"https://id.gs1.org/01/09520000000011/10/B2402?17=281231",
		"(01)09520000000011(17)281231(10)B2402",
	}
	for _, good := range goods {
		for i := 0; i < len(good); i++ {
			for b := 0; b < 256; b++ {
				if byte(b) == good[i] {
					continue
				}
				bad := good[:i] + string([]byte{byte(b)}) + good[i+1:]
				c, err := Parse(bad)
				if err != nil {
					continue
				}
				checkSound(t, bad, c)
			}
		}
	}
}

// checkSound checks the promises Parse makes of every Code it returns.
func checkSound(t *testing.T, in string, c Code) {
	t.Helper()
	if len(c.GTIN) != 14 || !ValidCheckDigit(c.GTIN) {
		t.Errorf("Parse(%q).GTIN = %q, not a valid GTIN-14", in, c.GTIN)
	}
	if c.Batch != "" && (len(c.Batch) > 20 || checkCharsetMsg('X', c.Batch) != "") {
		t.Errorf("Parse(%q).Batch = %q, not 1 to 20 characters of set 82", in, c.Batch)
	}
	if c.Serial != "" && (len(c.Serial) > 20 || checkCharsetMsg('X', c.Serial) != "") {
		t.Errorf("Parse(%q).Serial = %q, not 1 to 20 characters of set 82", in, c.Serial)
	}
	if c.Expiry != "" && (len(c.Expiry) != 6 || !isDigits(c.Expiry) || lintYYMMD0(c.Expiry) != "") {
		t.Errorf("Parse(%q).Expiry = %q, not a YYMMDD date", in, c.Expiry)
	}
	if len(c.Elements) == 0 {
		t.Errorf("Parse(%q) has no elements", in)
	}
	found := false
	for _, e := range c.Elements {
		if (e.AI == "01" || e.AI == "02") && e.Value == c.GTIN {
			found = true
		}
	}
	if !found {
		t.Errorf("Parse(%q): GTIN %s is not among the elements %v", in, c.GTIN, c.Elements)
	}
}

func checkCharsetMsg(cset byte, s string) string {
	msg, _ := checkCharset(cset, s)
	return msg
}

func TestBracketedRoundTrip(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, tt.in)
			b := c.Bracketed()
			c2, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse(%q) (from %q): %v", b, tt.in, err)
			}
			c.Symbology = ""
			if !reflect.DeepEqual(c, c2) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", b, c2, c)
			}
		})
	}
}

func TestBracketed(t *testing.T) {
	c := Code{Elements: el("01", "09520000000011", "10", "A(B)", "17", "281231")}
	if got, want := c.Bracketed(), `(01)09520000000011(10)A\(B)(17)281231`; got != want {
		t.Errorf("Bracketed() = %q, want %q", got, want)
	}
	if got := (Code{}).Bracketed(); got != "" {
		t.Errorf("Code{}.Bracketed() = %q, want \"\"", got)
	}
}
