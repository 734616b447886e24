package scan

import (
	"fmt"
	"sort"
)

// A linter checks the content of one AI value component, already known to be
// of the right length and character set. It returns "" when the content is
// good, and otherwise says what is wrong, in lower case, without naming the
// AI (the caller does).
type linter func(v string) string

// linters maps the names used in the syntax dictionary to their checks
// (except csum, the GS1 mod-10 check digit, which checkValue makes itself so
// as to name the key in its message). They
// follow the reference "GS1 Barcode Syntax Tests" of GS1's syntax engine.
//
// A nil entry is a check this package deliberately does not make:
// couponcode and couponposoffer validate the internal structure of North
// American coupon codes (AIs 8110 and 8112). A coupon is never a product
// code, so those values are checked for length and character set only.
//
// The key checks (key, keyoff1) test the form of a GS1 Company Prefix (four
// digits at least), not whether it has been allocated: that needs GS1's
// registry, which a till does not have.
var linters = map[string]linter{
	"csumalpha":      lintCsumAlpha,
	"key":            lintKey,
	"keyoff1":        lintKeyOff1,
	"yymmd0":         lintYYMMD0,
	"yymmdd":         lintYYMMDD,
	"yyyymmdd":       lintYYYYMMDD,
	"hhmi":           lintHHMI,
	"hh":             lintHH,
	"mi":             lintMI,
	"ss":             lintSS,
	"iso3166":        lintISO3166,
	"iso3166999":     lintISO3166or999,
	"iso3166alpha2":  lintISO3166Alpha2,
	"iso4217":        lintISO4217,
	"iso5218":        lintISO5218,
	"iban":           lintIBAN,
	"latitude":       lintLatitude,
	"longitude":      lintLongitude,
	"mediatype":      lintMediaType,
	"nonzero":        lintNonZero,
	"nozeroprefix":   lintNoZeroPrefix,
	"zero":           lintZero,
	"yesno":          lintYesNo,
	"winding":        lintWinding,
	"hyphen":         lintHyphen,
	"pcenc":          lintPercentEncoded,
	"pieceoftotal":   lintPieceOfTotal,
	"posinseqslash":  lintPosInSeqSlash,
	"importeridx":    lintImporterIndex,
	"packagetype":    lintPackageType,
	"hasnondigit":    lintHasNonDigit,
	"couponcode":     nil,
	"couponposoffer": nil,
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// lintDate checks a YYYYMMDD date; day 00 is allowed only when zeroDay is set.
func lintDate(year, month, day int, zeroDay bool) string {
	if month < 1 || month > 12 {
		return fmt.Sprintf("month %02d is not 01 to 12", month)
	}
	if day == 0 {
		if zeroDay {
			return ""
		}
		return "day 00 is not allowed in this date"
	}
	if day > daysIn(year, month) {
		return fmt.Sprintf("day %02d is not a day of %04d-%02d", day, year, month)
	}
	return ""
}

// yyFull turns a two-digit GS1 year into a four-digit one for the leap-year
// test. The GS1 General Specifications ("determination of century in
// dates") place YY in a window from 49 years before the current year to 50
// after; for any current year from 1950 to 2049, the only century year in
// the window is 2000, a leap year, so 2000+YY is leap exactly when the real
// year is, and no clock is needed.
func yyFull(yy int) int { return 2000 + yy }

func lintYYMMD0(v string) string {
	return lintDate(yyFull(atoi2(v)), atoi2(v[2:]), atoi2(v[4:]), true)
}

func lintYYMMDD(v string) string {
	return lintDate(yyFull(atoi2(v)), atoi2(v[2:]), atoi2(v[4:]), false)
}

func lintYYYYMMDD(v string) string {
	return lintDate(atoi2(v)*100+atoi2(v[2:]), atoi2(v[4:]), atoi2(v[6:]), false)
}

func lintHH(v string) string {
	if h := atoi2(v); h > 23 {
		return fmt.Sprintf("hour %02d is not 00 to 23", h)
	}
	return ""
}

func lintMI(v string) string {
	if m := atoi2(v); m > 59 {
		return fmt.Sprintf("minute %02d is not 00 to 59", m)
	}
	return ""
}

func lintSS(v string) string {
	if s := atoi2(v); s > 59 {
		return fmt.Sprintf("second %02d is not 00 to 59", s)
	}
	return ""
}

func lintHHMI(v string) string {
	if msg := lintHH(v); msg != "" {
		return msg
	}
	return lintMI(v[2:])
}

// lintKey checks that a key starts with something shaped like a GS1 Company
// Prefix: at least four digits, the shortest GS1 Company Prefix there is.
func lintKey(v string) string {
	if len(v) < 4 {
		return "too short to start with a GS1 company prefix"
	}
	if !isDigits(v[:4]) {
		return "does not start with a GS1 company prefix (four digits)"
	}
	return ""
}

// lintKeyOff1 is lintKey after an indicator or extension digit.
func lintKeyOff1(v string) string {
	if len(v) < 2 {
		return "too short to start with a GS1 company prefix"
	}
	return lintKey(v[1:])
}

const cset82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

// lintCsumAlpha checks the check character pair of an alphanumeric key (GS1
// General Specifications, "check character calculation (for alphanumeric
// keys)"): the weighted sum of the set-82 values of
// the characters, weights the primes from 2 upward from the right, modulo
// 1021, as two characters of set 32.
func lintCsumAlpha(v string) string {
	const cset32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	if len(v) < 2 {
		return "too short for a check character pair"
	}
	data := v[:len(v)-2]
	if len(data) > len(primes) {
		return "too long for a check character pair"
	}
	sum := 0
	for i := 0; i < len(data); i++ {
		w := primes[len(data)-1-i]
		sum += indexByte(cset82, data[i]) * w
	}
	sum %= 1021
	want := string([]byte{cset32[sum>>5], cset32[sum&31]})
	if got := v[len(v)-2:]; got != want {
		return fmt.Sprintf("bad check character pair: want %s, got %s", want, got)
	}
	return ""
}

var primes = []int{
	2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71,
	73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151,
	157, 163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229, 233,
	239, 241, 251, 257, 263, 269, 271, 277, 281, 283, 293, 307, 311, 313, 317,
	331, 337, 347, 349, 353, 359, 367, 373, 379, 383, 389, 397, 401, 409, 419,
	421, 431, 433, 439, 443, 449, 457, 461, 463, 467, 479, 487, 491, 499, 503,
	509,
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func inSorted(list []string, v string) bool {
	i := sort.SearchStrings(list, v)
	return i < len(list) && list[i] == v
}

func lintISO3166(v string) string {
	if !inSorted(iso3166Numeric, v) {
		return v + " is not an ISO 3166 country code"
	}
	return ""
}

func lintISO3166or999(v string) string {
	if v != "999" && !inSorted(iso3166Numeric, v) {
		return v + " is neither an ISO 3166 country code nor 999"
	}
	return ""
}

func lintISO3166Alpha2(v string) string {
	if !inSorted(iso3166Alpha2, v) {
		return v + " is not an ISO 3166 alpha-2 country code"
	}
	return ""
}

func lintISO4217(v string) string {
	if !inSorted(iso4217Numeric, v) {
		return v + " is not an ISO 4217 currency code"
	}
	return ""
}

func lintISO5218(v string) string {
	switch v {
	case "0", "1", "2", "9":
		return ""
	}
	return v + " is not an ISO/IEC 5218 sex code (0, 1, 2 or 9)"
}

func lintMediaType(v string) string {
	n := atoi2(v)
	if (n >= 1 && n <= 10) || n >= 80 {
		return ""
	}
	return v + " is not an AIDC media type"
}

func lintPackageType(v string) string {
	if !inSorted(packageTypes, v) {
		return v + " is not a PackageTypeCode"
	}
	return ""
}

// lintIBAN checks an ISO 13616 IBAN: country, length and the mod-97 check.
func lintIBAN(v string) string {
	if len(v) < 4 {
		return "too short for an IBAN"
	}
	if !inSorted(iso3166Alpha2, v[:2]) {
		return "does not start with an ISO 3166 country code"
	}
	if len(v) <= 10 {
		return "too short for an IBAN"
	}
	if len(v) > 34 {
		return "too long for an IBAN"
	}
	sum := 0
	for i := 0; i < len(v); i++ {
		c := v[(i+4)%len(v)]
		switch {
		case c >= '0' && c <= '9':
			sum = (sum*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			sum = (sum*100 + int(c-'A') + 10) % 97
		default:
			return fmt.Sprintf("%q is not allowed in an IBAN", c)
		}
	}
	if sum != 1 {
		return "bad IBAN check digits"
	}
	return ""
}

func lintLatitude(v string) string {
	if v > "1800000000" {
		return "latitude is not 0000000000 to 1800000000"
	}
	return ""
}

func lintLongitude(v string) string {
	if v > "3600000000" {
		return "longitude is not 0000000000 to 3600000000"
	}
	return ""
}

func lintNonZero(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] != '0' {
			return ""
		}
	}
	return "must not be zero"
}

func lintNoZeroPrefix(v string) string {
	if v[0] == '0' {
		return "must not start with 0"
	}
	return ""
}

func lintZero(v string) string {
	if v != "0" {
		return "must be 0"
	}
	return ""
}

func lintYesNo(v string) string {
	if v != "0" && v != "1" {
		return "must be 0 or 1"
	}
	return ""
}

func lintWinding(v string) string {
	if v != "0" && v != "1" && v != "9" {
		return "winding direction must be 0, 1 or 9"
	}
	return ""
}

func lintHyphen(v string) string {
	if v != "-" {
		return "must be '-'"
	}
	return ""
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// lintPercentEncoded checks the percent-encoding (RFC 3986 §2.1) used by
// name and address AIs to carry characters outside set 82.
func lintPercentEncoded(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] == '%' {
			if i+2 >= len(v) || !isHex(v[i+1]) || !isHex(v[i+2]) {
				return fmt.Sprintf("bad percent-encoding at position %d", i+1)
			}
			i += 2
		}
	}
	return ""
}

func lintPieceOfTotal(v string) string {
	if len(v)%2 != 0 {
		return "piece and total must have the same number of digits"
	}
	p, t := v[:len(v)/2], v[len(v)/2:]
	if lintNonZero(p) != "" {
		return "piece number must not be zero"
	}
	if lintNonZero(t) != "" {
		return "total number of pieces must not be zero"
	}
	if p > t {
		return "piece number " + p + " exceeds total " + t
	}
	return ""
}

// lintPosInSeqSlash checks "<pos>/<end>", both without leading zeros.
func lintPosInSeqSlash(v string) string {
	i := indexByte(v, '/')
	if i <= 0 || i == len(v)-1 || !isDigits(v[:i]) || !isDigits(v[i+1:]) {
		return "must be <position>/<end>"
	}
	p, e := v[:i], v[i+1:]
	if p[0] == '0' || e[0] == '0' {
		return "position and end must not start with 0"
	}
	if len(p) > len(e) || len(p) == len(e) && p > e {
		return "position " + p + " exceeds end " + e
	}
	return ""
}

func lintImporterIndex(v string) string {
	c := v[0]
	if c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
		return ""
	}
	return fmt.Sprintf("%q is not an importer index", c)
}

func lintHasNonDigit(v string) string {
	if isDigits(v) {
		return "must contain a character that is not a digit"
	}
	return ""
}

// Code lists, in sorted order, as the GS1 syntax tests have them.

// iso3166Numeric is ISO 3166-1 num-3.
var iso3166Numeric = []string{
	"004", "008", "010", "012", "016", "020", "024", "028", "031", "032", "036", "040", "044", "048",
	"050", "051", "052", "056", "060", "064", "068", "070", "072", "074", "076", "084", "086", "090", "092", "096",
	"100", "104", "108", "112", "116", "120", "124", "132", "136", "140", "144", "148",
	"152", "156", "158", "162", "166", "170", "174", "175", "178", "180", "184", "188", "191", "192", "196",
	"203", "204", "208", "212", "214", "218", "222", "226", "231", "232", "233", "234", "238", "239", "242", "246", "248",
	"250", "254", "258", "260", "262", "266", "268", "270", "275", "276", "288", "292", "296",
	"300", "304", "308", "312", "316", "320", "324", "328", "332", "334", "336", "340", "344", "348",
	"352", "356", "360", "364", "368", "372", "376", "380", "384", "388", "392", "398",
	"400", "404", "408", "410", "414", "417", "418", "422", "426", "428", "430", "434", "438", "440", "442", "446",
	"450", "454", "458", "462", "466", "470", "474", "478", "480", "484", "492", "496", "498", "499",
	"500", "504", "508", "512", "516", "520", "524", "528", "531", "533", "534", "535", "540", "548",
	"554", "558", "562", "566", "570", "574", "578", "580", "581", "583", "584", "585", "586", "591", "598",
	"600", "604", "608", "612", "616", "620", "624", "626", "630", "634", "638", "642", "643", "646",
	"652", "654", "659", "660", "662", "663", "666", "670", "674", "678", "682", "686", "688", "690", "694",
	"702", "703", "704", "705", "706", "710", "716", "724", "728", "729", "732", "740", "744", "748",
	"752", "756", "760", "762", "764", "768", "772", "776", "780", "784", "788", "792", "795", "796", "798",
	"800", "804", "807", "818", "826", "831", "832", "833", "834", "840",
	"850", "854", "858", "860", "862", "876", "882", "887", "894",
}

// iso3166Alpha2 is ISO 3166-1 alpha-2.
var iso3166Alpha2 = []string{
	"AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
	"BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ",
	"CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ",
	"DE", "DJ", "DK", "DM", "DO", "DZ",
	"EC", "EE", "EG", "EH", "ER", "ES", "ET",
	"FI", "FJ", "FK", "FM", "FO", "FR",
	"GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY",
	"HK", "HM", "HN", "HR", "HT", "HU",
	"ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP",
	"KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ",
	"LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY",
	"MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ",
	"NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
	"OM",
	"PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY",
	"QA",
	"RE", "RO", "RS", "RU", "RW",
	"SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ",
	"TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ",
	"UA", "UG", "UM", "US", "UY", "UZ",
	"VA", "VC", "VE", "VG", "VI", "VN", "VU",
	"WF", "WS",
	"YE", "YT",
	"ZA", "ZM", "ZW",
}

// iso4217Numeric is ISO 4217 numeric currency codes (with 924, ZWG, added
// in 2024).
var iso4217Numeric = []string{
	"008", "012", "032", "036", "044", "048",
	"050", "051", "052", "060", "064", "068", "072", "084", "090", "096",
	"104", "108", "116", "124", "132", "136", "144",
	"152", "156", "170", "174", "188", "191", "192",
	"203", "208", "214", "222", "230", "232", "238", "242", "262", "270", "292",
	"320", "324", "328", "332", "340", "344", "348",
	"352", "356", "360", "364", "368", "376", "388", "392", "398",
	"400", "404", "408", "410", "414", "417", "418",
	"422", "426", "430", "434", "446",
	"454", "458", "462", "480", "484", "496", "498",
	"504", "512", "516", "524", "532", "533", "548",
	"554", "558", "566", "578", "586", "590", "598",
	"600", "604", "608", "634", "643", "646", "654", "682", "690", "694",
	"702", "704", "706", "710", "728", "748",
	"752", "756", "760", "764", "776", "780", "784", "788",
	"800", "807", "818", "826", "834", "840", "858", "860", "882", "886",
	"901", "924", "925", "927", "928", "929", "930", "931", "932", "933", "934", "936", "938",
	"940", "941", "943", "944", "946", "947", "948", "949",
	"950", "951", "952", "953", "955", "956", "957", "958", "959",
	"960", "961", "962", "963", "964", "965", "967", "968", "969",
	"970", "971", "972", "973", "975", "976", "977", "978", "979",
	"980", "981", "984", "985", "986", "990", "994", "997", "999",
}

// packageTypes is GS1's PackageTypeCode list (UN/ECE Recommendation 21 and
// GS1 additions), sorted bytewise.
var packageTypes = sortedCopy([]string{
	"1A", "1B", "1D", "1F", "1G", "1W",
	"200", "201", "202", "203", "204", "205", "206", "210", "211", "212", "2C",
	"3A", "3H",
	"43", "44", "4A", "4B", "4C", "4D", "4F", "4G", "4H",
	"5H", "5L", "5M",
	"6H", "6P",
	"7A", "7B",
	"8", "8A", "8B", "8C",
	"9",
	"AA", "AB", "AC", "AD", "AF", "AG", "AH", "AI", "AJ", "AL", "AM", "AP", "APE", "AT", "AV",
	"B4", "BB", "BC", "BD", "BE", "BF", "BG", "BGE", "BH", "BI", "BJ", "BK", "BL", "BM", "BME", "BN", "BO", "BP", "BQ", "BR", "BRI", "BS", "BT", "BU", "BV", "BW", "BX", "BY", "BZ",
	"CA", "CB", "CBL", "CC", "CCE", "CD", "CE", "CF", "CG", "CH", "CI", "CJ", "CK", "CL", "CM", "CN", "CO", "CP", "CQ", "CR", "CS", "CT", "CU", "CV", "CW", "CX", "CY", "CZ",
	"DA", "DB", "DC", "DG", "DH", "DI", "DJ", "DK", "DL", "DM", "DN", "DP", "DPE", "DR", "DS", "DT", "DU", "DV", "DW", "DX", "DY",
	"E1", "E2", "E3", "EC", "ED", "EE", "EF", "EG", "EH", "EI", "EN",
	"FB", "FC", "FD", "FE", "FI", "FL", "FO", "FOB", "FP", "FPE", "FR", "FT", "FW", "FX",
	"GB", "GI", "GL", "GR", "GU", "GY", "GZ",
	"HA", "HB", "HC", "HG", "HN", "HR",
	"IA", "IB", "IC", "ID", "IE", "IF", "IG", "IH", "IK", "IL", "IN", "IZ",
	"JB", "JC", "JG", "JR", "JT", "JY",
	"KG", "KI",
	"LAB", "LE", "LG", "LT", "LU", "LV", "LZ",
	"MA", "MB", "MC", "ME", "MPE", "MR", "MS", "MT", "MW", "MX",
	"NA", "NE", "NF", "NG", "NS", "NT", "NU", "NV",
	"OA", "OB", "OC", "OD", "OE", "OF", "OK", "OPE", "OT", "OU",
	"P2", "PA", "PAE", "PB", "PC", "PD", "PE", "PF", "PG", "PH", "PI", "PJ", "PK", "PL", "PLP", "PN", "PO", "POP", "PP", "PPE", "PR", "PT", "PU", "PUE", "PV", "PX", "PY", "PZ",
	"QA", "QB", "QC", "QD", "QF", "QG", "QH", "QJ", "QK", "QL", "QM", "QN", "QP", "QQ", "QR", "QS",
	"RB1", "RB2", "RB3", "RCB", "RD", "RG", "RJ", "RK", "RL", "RO", "RT", "RZ",
	"S1", "SA", "SB", "SC", "SD", "SE", "SEC", "SH", "SI", "SK", "SL", "SM", "SO", "SP", "SS", "ST", "STL", "SU", "SV", "SW", "SX", "SY", "SZ",
	"T1", "TB", "TC", "TD", "TE", "TEV", "TG", "THE", "TI", "TK", "TL", "TN", "TO", "TR", "TRE", "TS", "TT", "TTE", "TU", "TV", "TW", "TWE", "TY", "TZ",
	"UC", "UN", "UUE",
	"VA", "VG", "VI", "VK", "VL", "VN", "VO", "VP", "VQ", "VR", "VS", "VY",
	"WA", "WB", "WC", "WD", "WF", "WG", "WH", "WJ", "WK", "WL", "WM", "WN", "WP", "WQ", "WR", "WRP", "WS", "WT", "WU", "WV", "WW", "WX", "WY", "WZ",
	"X11", "X12", "X15", "X16", "X17", "X18", "X19", "X20", "X3", "XA", "XB", "XC", "XD", "XF", "XG", "XH", "XJ", "XK",
	"YA", "YB", "YC", "YD", "YF", "YG", "YH", "YJ", "YK", "YL", "YM", "YN", "YP", "YQ", "YR", "YS", "YT", "YV", "YW", "YX", "YY", "YZ",
	"ZA", "ZB", "ZC", "ZD", "ZF", "ZG", "ZH", "ZJ", "ZK", "ZL", "ZM", "ZN", "ZP", "ZQ", "ZR", "ZS", "ZT", "ZU", "ZV", "ZW", "ZX", "ZY", "ZZ",
})

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}
