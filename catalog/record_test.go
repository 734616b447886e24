package catalog

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// keyBody returns a valid smartcheck-key/1 body for a fresh test key,
// changed by edits (see edit).
func keyBody(t testing.TB, edits ...string) string {
	t.Helper()
	_, vkey := testKey(t, "record-test")
	base := []string{KindKey, "key " + vkey, "org Example Ltd", "role manufacturer", "status active", "scope gtin 952"}
	return edit(base, edits)
}

// lineOf returns the 1-based number of the first line of body that
// starts with prefix, or fails the test.
func lineOf(t testing.TB, body, prefix string) int {
	t.Helper()
	for i, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	t.Fatalf("no line starting with %q in\n%s", prefix, body)
	return 0
}

func TestParseRecordValid(t *testing.T) {
	t.Run("declaration", func(t *testing.T) {
		r, err := ParseRecord([]byte(decl(
			"gtin 00000096385074", // GTIN-8 left-padded
			"gtin "+gtinA,
			"model-number PO-1",
			"medical-software no",
			"smart-meter-assured no",
			"batch L1",
			"batch L2",
			"manufacturer Example GmbH | 1 Hauptstraße, Berlin | DE",
			"authorised-rep Rep Ltd | 2 Low Street, Leeds",
			"password-note Set on first use.",
			"policy https://example.com/vdp",
			"support-url https://example.com/support",
			"first-supplied 2025-02-01",
			"source https://example.com/doc 2026-01-02",
			"source http://example.com/old 2025-12-01",
		)))
		if err != nil {
			t.Fatal(err)
		}
		d := r.Declaration
		if r.Kind != KindDeclaration || d == nil || r.Notice != nil || r.Key != nil {
			t.Fatalf("record = %+v", r)
		}
		if d.ID != "test-phone" || d.Version != 1 || d.Published != mustDate("2025-01-10") ||
			d.Brand != "Example" || d.Model != "Phone One" || d.ModelNumber != "PO-1" ||
			d.Category != "smartphone" || d.Cellular != Yes || d.Under14 != Unset ||
			d.MedicalSoftware != No || d.SmartMeterAssured != No ||
			d.Route != "schedule1" || d.Passwords != "user-defined" || d.PasswordNote != "Set on first use." ||
			d.Policy != "https://example.com/vdp" || d.SupportURL != "https://example.com/support" ||
			d.Acknowledgement != "within 5 working days" || d.StatusUpdates != "every 30 days" ||
			d.SupportStatement != "Security updates until at least August 2031." ||
			d.FirstSupplied != mustDate("2025-02-01") ||
			d.Issued != mustDate("2025-01-10") || d.IssuedPlace != "London" ||
			d.Signatory != (Signatory{"A Person", "Head of Product Security"}) {
			t.Errorf("declaration = %+v", d)
		}
		if got := strings.Join(d.GTINs, ","); got != "00000096385074,"+gtinA {
			t.Errorf("GTINs = %s", got)
		}
		if got := strings.Join(d.Batches, ","); got != "L1,L2" {
			t.Errorf("batches = %s", got)
		}
		if len(d.Manufacturers) != 1 || d.Manufacturers[0] != (Party{"Example GmbH", "1 Hauptstraße, Berlin", "DE"}) {
			t.Errorf("manufacturers = %+v", d.Manufacturers)
		}
		if len(d.AuthorisedReps) != 1 || d.AuthorisedReps[0] != (Party{Name: "Rep Ltd", Address: "2 Low Street, Leeds"}) {
			t.Errorf("authorised reps = %+v", d.AuthorisedReps)
		}
		if len(d.Contacts) != 1 || d.Contacts[0] != "https://example.com/security" {
			t.Errorf("contacts = %q", d.Contacts)
		}
		if d.Support.Kind != SupportFixed || d.Support.End.String() != "2031-08" || d.Support.End.Precision != PrecMonth {
			t.Errorf("support = %+v", d.Support)
		}
		if len(d.Sources) != 2 || d.Sources[0] != (Source{"https://example.com/doc", mustDate("2026-01-02")}) {
			t.Errorf("sources = %+v", d.Sources)
		}
	})
	t.Run("notice", func(t *testing.T) {
		r, err := ParseRecord([]byte(notice(
			"id OPS/2026/001.a-b",
			"revision 12",
			"effective 2026-10-15",
			"gtin "+gtinA,
			"gtin "+gtinB,
			"batch L1",
			"failure passwords | universal default password",
			"failure other | something else",
			"customer-risk Do not connect it to the internet.",
			"source https://example.gov.uk/notice/1",
		)))
		if err != nil {
			t.Fatal(err)
		}
		n := r.Notice
		if r.Kind != KindNotice || n == nil || r.Declaration != nil || r.Key != nil {
			t.Fatalf("record = %+v", r)
		}
		if n.ID != "OPS/2026/001.a-b" || n.Revision != 12 || n.Type != "stop" || n.Status != "in-force" ||
			n.Issued != mustDate("2026-10-01") || n.Effective != mustDate("2026-10-15") ||
			n.IssuedBy != "Office for Product Security (fictional)" ||
			n.Recipient != "Example Ltd" || n.RecipientRole != "manufacturer" ||
			strings.Join(n.GTINs, ",") != gtinA+","+gtinB || strings.Join(n.Batches, ",") != "L1" ||
			n.CustomerRisk != "Do not connect it to the internet." ||
			n.Source != "https://example.gov.uk/notice/1" || !n.Fictional {
			t.Errorf("notice = %+v", n)
		}
		if len(n.Failures) != 2 || n.Failures[0] != (Failure{"passwords", "universal default password"}) {
			t.Errorf("failures = %+v", n.Failures)
		}
	})
	t.Run("notice not fictional", func(t *testing.T) {
		r, err := ParseRecord([]byte(notice("-fictional")))
		if err != nil || r.Notice.Fictional {
			t.Fatalf("got %+v, %v", r, err)
		}
	})
	t.Run("key", func(t *testing.T) {
		_, vkey := testKey(t, "record-test")
		r, err := ParseRecord([]byte(keyBody(t, "role notice-issuer", "status revoked", "-scope")))
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != KindKey || r.Key == nil || r.Declaration != nil || r.Notice != nil {
			t.Fatalf("record = %+v", r)
		}
		if !reflect.DeepEqual(*r.Key, KeyRecord{Key: vkey, Org: "Example Ltd", Role: "notice-issuer", Status: "revoked"}) {
			t.Errorf("key = %+v", r.Key)
		}
	})
}

// TestParseRecordValidValues accepts the edge of every format.
func TestParseRecordValidValues(t *testing.T) {
	cases := []struct {
		name  string
		body  string
		check func(*Record) bool
	}{
		{"contact is any text", decl("contact security at example dot com", "contact call us | maybe"), func(r *Record) bool {
			c := r.Declaration.Contacts
			return len(c) == 2 && c[0] == "security at example dot com" && c[1] == "call us | maybe"
		}},
		{"no contact", decl("-contact"), func(r *Record) bool { return len(r.Declaration.Contacts) == 0 }},
		{"lines in any order", KindDeclaration + "\n" + strings.Join(reverse(strings.Split(strings.TrimSuffix(decl(), "\n"), "\n")[1:]), "\n") + "\n", nil},
		{"id 64 characters", decl("id " + strings.Repeat("a", 64)), nil},
		{"id with dots and digits", decl("id 0.a-b.9"), nil},
		{"version large", decl("version 999999999"), func(r *Record) bool { return r.Declaration.Version == 999999999 }},
		{"leap day", decl("published 2024-02-29"), nil},
		{"gtin-13 padded", decl("gtin 09520000000011"), nil},
		{"every category", decl("category other"), nil},
		{"tv needs no cellular", decl("category tv", "-cellular"), nil},
		{"tablet with both", decl("category tablet", "cellular no", "under-14 yes"), func(r *Record) bool { return r.Declaration.Under14 == Yes }},
		{"desktop with both", decl("category desktop", "cellular no", "under-14 no"), nil},
		{"laptop with both", decl("category laptop", "cellular yes", "under-14 no"), nil},
		{"smartphone needs no under-14", decl("category smartphone", "cellular no"), nil},
		{"two manufacturers", decl("manufacturer A | B | GB", "manufacturer C | D | FR"), func(r *Record) bool { return len(r.Declaration.Manufacturers) == 2 }},
		{"schedule2-standard", decl("route schedule2-standard", "standard ETSI EN 303 645 | V2.1.1 | 2020-06 | 5.1-1 5.1-2 5.2-1 5.3-13"), func(r *Record) bool {
			return len(r.Declaration.Standards) == 1 && r.Declaration.Standards[0] == Standard{"ETSI EN 303 645", "V2.1.1", "2020-06", "5.1-1 5.1-2 5.2-1 5.3-13"}
		}},
		{"schedule2-label", decl("route schedule2-label", "label SG-CLS | 2 | CLS-1 | 2027-06-30", "label JP-JC-STAR | 1 | JC-1 | 2028-01-01"), func(r *Record) bool {
			l := r.Declaration.Labels
			return len(l) == 2 && l[0] == Label{"SG-CLS", "2", "CLS-1", mustDate("2027-06-30")} && l[1].Scheme == "JP-JC-STAR"
		}},
		{"support-until day", decl("support-until 2031-08-31"), func(r *Record) bool {
			s := r.Declaration.Support
			return s.Kind == SupportFixed && s.End.Precision == PrecDay && s.End.Last == mustDate("2031-08-31")
		}},
		{"support-until month", decl("support-until 2031-02"), func(r *Record) bool {
			s := r.Declaration.Support
			return s.Kind == SupportFixed && s.End.Precision == PrecMonth && s.End.First == mustDate("2031-02-01") && s.End.Last == mustDate("2031-02-28")
		}},
		{"support-until year", decl("support-until 2031"), func(r *Record) bool {
			s := r.Declaration.Support
			return s.Kind == SupportFixed && s.End.Precision == PrecYear && s.End.Last == mustDate("2031-12-31")
		}},
		{"support-until none", decl("support-until none"), func(r *Record) bool { return r.Declaration.Support.Kind == SupportNone }},
		{"relative 1 year", decl("support-until relative", "support-relative 1 year after launch"), func(r *Record) bool {
			s := r.Declaration.Support
			return s.Kind == SupportRelative && s.Relative == Relative{N: 1, Anchor: "launch"} && s.Relative.String() == "1 year after launch"
		}},
		{"relative 2 years", decl("support-until relative", "support-relative 2 years after first-supply"), func(r *Record) bool {
			return r.Declaration.Support.Relative == Relative{N: 2, Anchor: "first-supply"}
		}},
		{"relative 1 month", decl("support-until relative", "support-relative 1 month after purchase"), func(r *Record) bool {
			return r.Declaration.Support.Relative == Relative{N: 1, Months: true, Anchor: "purchase"}
		}},
		{"relative 18 months", decl("support-until relative", "support-relative 18 months after last-available"), func(r *Record) bool {
			return r.Declaration.Support.Relative == Relative{N: 18, Months: true, Anchor: "last-available"}
		}},
		{"relative with date", decl("support-until relative", "support-relative 5 years after first-supply 2023-09-22"), func(r *Record) bool {
			rel := r.Declaration.Support.Relative
			return rel == Relative{N: 5, Anchor: "first-supply", AnchorDate: mustDate("2023-09-22")} && rel.String() == "5 years after first-supply 2023-09-22"
		}},
		{"notice id lower case", notice("id ops-1"), nil},
		{"notice id 64", notice("id " + strings.Repeat("A", 64)), nil},
		{"notice every type", notice("type public-information", "status spent"), nil},
		{"notice http source", notice("source http://example.gov.uk/n"), nil},
		{"notice recipient authorised-rep", notice("recipient Rep Ltd | authorised-rep"), func(r *Record) bool { return r.Notice.RecipientRole == "authorised-rep" }},
		{"notice many gtins", notice("gtin "+gtinA, "gtin "+gtinB, "gtin "+gtinC), func(r *Record) bool { return len(r.Notice.GTINs) == 3 }},
		{"non-ASCII text", decl("brand Ünïcödé 日本", "model Modèle № 5"), func(r *Record) bool { return r.Declaration.Brand == "Ünïcödé 日本" }},
		{"exactly 64 KiB", padTo(decl(), MaxRecordSize), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseRecord([]byte(c.body))
			if err != nil {
				t.Fatalf("ParseRecord: %v\n%s", err, c.body)
			}
			if c.check != nil && !c.check(r) {
				t.Errorf("parsed as %+v %+v %+v", r.Declaration, r.Notice, r.Key)
			}
		})
	}
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// padTo adds a password-note to a declaration body so that it is exactly n bytes.
func padTo(body string, n int) string {
	const key = "password-note "
	pad := n - len(body) - len(key) - 1
	return body + key + strings.Repeat("x", pad) + "\n"
}

// TestParseRecordErrors has a case for every rule of catalog.md's body
// syntax and every key format. at is the start of the line the error must
// name; "" means an error about the body as a whole (Line 0): a missing
// line, a body too long or not ending in LF.
func TestParseRecordErrors(t *testing.T) {
	type tc struct {
		name string
		body string
		at   string // prefix of the line to name; "" for Line 0
		line int    // the line number, when at cannot name it (blank lines)
	}
	var cases []tc
	add := func(name, body, at string) { cases = append(cases, tc{name: name, body: body, at: at}) }

	// Missing required keys, per kind: the error names the record's first
	// line, where the record starts.
	for _, k := range []string{"id", "version", "published", "gtin", "brand", "model", "category", "manufacturer", "route", "passwords", "support-until", "support-statement", "issued", "signatory"} {
		add("declaration missing "+k, decl("-"+k), "smartcheck-declaration/1")
	}
	for _, k := range []string{"id", "revision", "type", "status", "issued", "issued-by", "recipient", "gtin"} {
		add("notice missing "+k, notice("-"+k), "smartcheck-notice/1")
	}
	for _, k := range []string{"key", "org", "role", "status"} {
		add("key missing "+k, keyBody(t, "-"+k), "smartcheck-key/1")
	}

	// Unknown and repeated keys.
	add("declaration unknown key", decl("colour red"), "colour ")
	add("declaration key of a notice", decl("revision 1"), "revision ")
	add("notice unknown key", notice("cellular yes"), "cellular ")
	add("key unknown key", keyBody(t, "id x"), "id ")
	for _, k := range []string{"id a", "version 2", "published 2025-01-01", "brand B", "model M", "model-number N", "category tv",
		"cellular no", "under-14 no", "medical-software no", "smart-meter-assured no", "route schedule1", "passwords none",
		"password-note n", "policy https://example.com/p", "acknowledgement a", "status-updates s", "support-until 2030",
		"support-relative 1 year after launch", "support-statement s", "support-url https://example.com/s",
		"first-supplied 2025-01-01", "issued 2025-01-01 | Leeds", "signatory B | C"} {
		key, _, _ := strings.Cut(k, " ")
		add("declaration repeated "+key, decl(k, k+"x"), k+"x")
	}
	for _, k := range []string{"id B", "revision 3", "type stop", "status spent", "issued 2026-01-01", "effective 2026-01-01",
		"issued-by X", "recipient A | importer", "customer-risk r", "source https://example.com/s", "fictional yes"} {
		key, _, _ := strings.Cut(k, " ")
		add("notice repeated "+key, notice(k, k+"x"), k+"x")
	}
	add("key repeated org", keyBody(t, "org A", "org B"), "org B")
	add("key repeated role", keyBody(t, "role curator", "role curatorx"), "role curatorx")

	// Line syntax.
	add("key with upper case", decl("Brand X"), "Brand ")
	add("key with underscore", decl("model_number X"), "model_number ")
	add("key with non-ASCII", decl("bränd X"), "bränd ")
	add("key with dot", decl("brand.x X"), "brand.x ")
	add("no space", decl("brand"), "brand")
	add("line starts with space", decl(" brand X"), " brand")
	add("empty value", decl("brand "), "brand ")
	add("leading space", decl("brand  Example"), "brand ")
	add("trailing space", decl("brand Example "), "brand ")
	add("leading space in a part", decl("manufacturer A |  B | GB"), "manufacturer ")
	add("empty part", decl("signatory A |  | B"), "signatory ")
	for _, r := range []rune{0x00, 0x01, '\t', '\r', 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9b, 0x9f,
		0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069} {
		add(fmt.Sprintf("forbidden U+%04X", r), decl("model Phone"+string(r)+"One"), "model ")
	}
	add("forbidden in contact", decl("contact https://example.com/\x1b[2J"), "contact ")
	add("forbidden in notice", notice("customer-risk Do not \u202euse"), "customer-risk ")
	add("forbidden in key record", keyBody(t, "org Evil\u2066 Ltd"), "org ")
	add("invalid UTF-8", decl("brand Ex\xffample"), "brand ")
	add("invalid UTF-8 overlong", decl("brand Ex\xc0\xafample"), "brand ")
	add("invalid UTF-8 surrogate", decl("brand Ex\xed\xa0\x80ample"), "brand ")
	add("invalid UTF-8 truncated", decl("brand Example\xe2\x80"), "brand ")
	add("no final LF", strings.TrimSuffix(decl(), "\n"), "")
	add("CRLF line ends", strings.ReplaceAll(decl(), "\n", "\r\n"), "id ")
	{
		body := strings.Replace(decl(), "\nbrand ", "\n\nbrand ", 1)
		cases = append(cases, tc{name: "blank line", body: body, line: lineOf(t, decl(), "brand ")})
		body = decl() + "\n"
		cases = append(cases, tc{name: "blank last line", body: body, line: strings.Count(body, "\n")})
	}
	add("empty body", "", "")
	add("unknown kind", strings.Replace(decl(), KindDeclaration, "smartcheck-declaration/2", 1), KindDeclaration[:10])
	add("kind with trailing space", strings.Replace(decl(), KindDeclaration, KindDeclaration+" ", 1), KindDeclaration)
	add("kind missing", strings.TrimPrefix(decl(), KindDeclaration+"\n"), "")
	cases[len(cases)-1].line = 1
	add("first line blank", "\n"+strings.TrimPrefix(decl(), KindDeclaration+"\n"), "")
	cases[len(cases)-1].line = 1
	add("over 64 KiB", padTo(decl(), MaxRecordSize+1), "")

	// Declaration id and version.
	for _, id := range []string{"Test-phone", "-phone", ".phone", "a_b", "a/b", "a b", strings.Repeat("a", 65), "tëst"} {
		add("declaration id "+clip(id), decl("id "+id), "id ")
	}
	for _, id := range []string{"/OPS", "-OPS", "OPS_1", "OPS 1", "OPS:1", strings.Repeat("A", 65)} {
		add("notice id "+clip(id), notice("id "+id), "id ")
	}
	for _, v := range []string{"0", "01", "-1", "+1", "1.0", "x", "1e3", "1 000"} {
		add("version "+v, decl("version "+v), "version ")
		add("revision "+v, notice("revision "+v), "revision ")
	}

	// Dates.
	for _, d := range []string{"2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31", "26-01-01", "2026-1-01", "2026/01/01", "0000-01-01", "2026-01-01T00:00:00Z", "20260101"} {
		add("published "+d, decl("published "+d), "published ")
	}
	add("first-supplied bad", decl("first-supplied 2026-02-30"), "first-supplied ")
	add("issued bad date", decl("issued 2026-13-01 | London"), "issued ")
	add("issued no place", decl("issued 2026-01-01"), "issued ")
	add("notice issued bad", notice("issued 2026-02-30"), "issued ")
	add("notice effective bad", notice("effective 2026-13-01"), "effective ")

	// GTINs.
	for name, g := range map[string]string{
		"bad check digit": "09520000000012", "13 digits": "9520000000011", "15 digits": "009520000000011",
		"letters": "0952000000001A", "spaces": "0952000 000011", "8 digits": "96385074",
	} {
		add("declaration gtin "+name, decl("gtin "+g), "gtin ")
		add("notice gtin "+name, notice("gtin "+g), "gtin ")
	}
	add("second gtin bad", decl("gtin "+gtinA, "gtin 09520000000012"), "gtin 09520000000012")

	// Choices.
	add("category unknown", decl("category phone"), "category ")
	add("category upper case", decl("category Smartphone"), "category ")
	add("cellular not yes/no", decl("cellular maybe"), "cellular ")
	add("under-14 not yes/no", decl("category tablet", "under-14 Yes"), "under-14 ")
	add("medical-software not yes/no", decl("medical-software true"), "medical-software ")
	add("smart-meter-assured not yes/no", decl("smart-meter-assured 1"), "smart-meter-assured ")
	add("route unknown", decl("route schedule3"), "route ")
	add("passwords unknown", decl("passwords secret"), "passwords ")
	for _, cat := range []string{"smartphone", "tablet", "laptop", "desktop"} {
		add(cat+" without cellular", decl("category "+cat, "-cellular", "under-14 no"), "")
	}
	for _, cat := range []string{"tablet", "laptop", "desktop"} {
		add(cat+" without under-14", decl("category "+cat, "cellular no"), "")
	}

	// Parties.
	add("manufacturer 2 parts", decl("manufacturer Example Ltd | London"), "manufacturer ")
	add("manufacturer 4 parts", decl("manufacturer A | B | C | GB"), "manufacturer ")
	add("manufacturer bar without spaces", decl("manufacturer A|B|GB"), "manufacturer ")
	add("manufacturer lower-case country", decl("manufacturer A | B | gb"), "manufacturer ")
	add("manufacturer alpha-3 country", decl("manufacturer A | B | GBR"), "manufacturer ")
	add("manufacturer numeric country", decl("manufacturer A | B | 82"), "manufacturer ")
	add("second manufacturer bad", decl("manufacturer A | B | GB", "manufacturer C | D"), "manufacturer C")
	add("authorised-rep 1 part", decl("authorised-rep Rep Ltd"), "authorised-rep ")
	add("authorised-rep 3 parts", decl("authorised-rep A | B | GB"), "authorised-rep ")
	add("signatory 1 part", decl("signatory A Person"), "signatory ")

	// Routes, standards and labels.
	add("schedule2-standard without standard", decl("route schedule2-standard"), "")
	add("schedule2-label without label", decl("route schedule2-label"), "")
	add("schedule2-label with only a standard", decl("route schedule2-label", "standard A | B | 2020 | C"), "")
	add("standard 3 parts", decl("route schedule2-standard", "standard ETSI EN 303 645 | V2.1.1 | 2020-06"), "standard ")
	add("standard bad date", decl("route schedule2-standard", "standard ETSI EN 303 645 | V2.1.1 | 2020-13 | 5.1-1"), "standard ")
	add("label bad scheme", decl("route schedule2-label", "label UL | 2 | X | 2027-01-01"), "label ")
	add("label lower-case scheme", decl("route schedule2-label", "label sg-cls | 2 | X | 2027-01-01"), "label ")
	add("label bad expiry", decl("route schedule2-label", "label SG-CLS | 2 | X | 2027-02-30"), "label ")
	add("label expiry month", decl("route schedule2-label", "label SG-CLS | 2 | X | 2027-02"), "label ")
	add("label 3 parts", decl("route schedule2-label", "label SG-CLS | 2 | 2027-01-01"), "label ")

	// Support period.
	for _, s := range []string{"2031-8", "31", "2031-13", "2031-00", "2031-02-30", "0000", "forever", "Relative", "None", "2031-08-31T00:00Z"} {
		add("support-until "+s, decl("support-until "+s), "support-until ")
	}
	add("relative without support-relative", decl("support-until relative"), "support-until ")
	add("support-relative with a date", decl("support-until 2031", "support-relative 1 year after launch"), "support-relative ")
	add("support-relative with none", decl("support-until none", "support-relative 1 year after launch"), "support-relative ")
	for _, s := range []string{
		"1 years after launch", "2 year after launch", "1 months after launch", "2 month after launch",
		"0 years after launch", "02 years after launch", "two years after launch", "2 weeks after launch",
		"2 Years after launch", "2 years from launch", "2 years after release", "2 years after Launch",
		"2 years after", "2 years", "2 years after launch 2023-02-30", "2 years after launch 2023-09",
		"2 years after launch 2023-09-22 x", "2  years after launch", "after launch",
	} {
		add("support-relative "+s, decl("support-until relative", "support-relative "+s), "support-relative ")
	}

	// URIs and sources.
	for _, u := range []string{"http://example.com/vdp", "example.com/vdp", "https://", "https:example.com", "mailto:security@example.com", "https://user@example.com/vdp", "ftp://example.com/vdp"} {
		add("policy "+u, decl("policy "+u), "policy ")
		add("support-url "+u, decl("support-url "+u), "support-url ")
	}
	for _, s := range []string{"https://example.com/doc", "https://example.com/doc 2026-02-30", "2026-01-01 https://example.com/doc", "example.com 2026-01-01", "ftp://example.com/doc 2026-01-01", "https://example.com/doc 2026-01-01 x", "https://example.com/doc  2026-01-01"} {
		add("source "+s, decl("source "+s), "source ")
	}
	add("notice source not a URL", notice("source see the website"), "source ")

	// Notice choices.
	add("notice type", notice("type warning"), "type ")
	add("notice status", notice("status active"), "status ")
	add("notice recipient role", notice("recipient Example Ltd | retailer"), "recipient ")
	add("notice recipient 1 part", notice("recipient Example Ltd"), "recipient ")
	add("notice failure requirement", notice("failure security | no updates"), "failure ")
	add("notice failure 1 part", notice("failure passwords"), "failure ")
	add("notice second failure bad", notice("failure contact | none", "failure nope | x"), "failure nope")
	add("notice fictional no", notice("fictional no"), "fictional ")
	add("notice fictional Yes", notice("fictional Yes"), "fictional ")

	// Key records.
	_, vkey := testKey(t, "record-test")
	name, rest, _ := strings.Cut(vkey, "+")
	hash, data, _ := strings.Cut(rest, "+")
	otherHash := "00000000"
	if hash == otherHash {
		otherHash = "00000001"
	}
	for kname, k := range map[string]string{
		"not a key":       "notakey",
		"no key data":     name + "+" + hash,
		"wrong hash":      name + "+" + otherHash + "+" + data,
		"other name":      name + "x+" + hash + "+" + data,
		"short key data":  name + "+" + hash + "+" + data[:len(data)-4],
		"bad base64":      name + "+" + hash + "+" + data[:len(data)-1] + "!",
		"signer key":      "PRIVATE+KEY+" + vkey,
		"unknown alg":     name + "+" + hash + "+" + "Ag" + data[2:],
		"key with spaces": name + " " + hash + " " + data,
	} {
		add("key record "+kname, keyBody(t, "key "+k), "key ")
	}
	add("key record role", keyBody(t, "role publisher"), "role ")
	add("key record status", keyBody(t, "status suspended"), "status ")

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := c.line
			if c.at != "" {
				want = lineOf(t, c.body, c.at)
			}
			r, err := ParseRecord([]byte(c.body))
			if err == nil {
				t.Fatalf("ParseRecord accepted %+v %+v %+v\n%s", r.Declaration, r.Notice, r.Key, c.body)
			}
			if r != nil {
				t.Errorf("ParseRecord returned a record with the error %v", err)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *SyntaxError", err, err)
			}
			if se.Line != want {
				t.Errorf("error %q names line %d, want %d", err, se.Line, want)
			}
			if want > 0 && !strings.Contains(err.Error(), fmt.Sprintf("line %d", want)) {
				t.Errorf("error %q does not say line %d", err, want)
			}
		})
	}
}

// TestParseRecordMissingNamesKey checks that an error for a missing line
// says which key is missing (there is no line to name).
func TestParseRecordMissingNamesKey(t *testing.T) {
	type tc struct{ name, body, want string }
	var cases []tc
	for _, k := range []string{"id", "version", "published", "gtin", "brand", "model", "category", "manufacturer", "route", "passwords", "support-until", "support-statement", "issued", "signatory"} {
		cases = append(cases, tc{"declaration " + k, decl("-" + k), fmt.Sprintf("missing required key %q", k)})
	}
	for _, k := range []string{"id", "revision", "type", "status", "issued", "issued-by", "recipient", "gtin"} {
		cases = append(cases, tc{"notice " + k, notice("-" + k), fmt.Sprintf("missing required key %q", k)})
	}
	for _, k := range []string{"key", "org", "role", "status"} {
		cases = append(cases, tc{"key " + k, keyBody(t, "-"+k), fmt.Sprintf("missing required key %q", k)})
	}
	cases = append(cases,
		tc{"cellular", decl("category laptop", "-cellular", "under-14 no"), "cellular"},
		tc{"under-14", decl("category laptop", "cellular no"), "under-14"},
		tc{"standard", decl("route schedule2-standard"), "standard"},
		tc{"label", decl("route schedule2-label"), "label"},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRecord([]byte(c.body))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v does not say %s", err, c.want)
			}
		})
	}
}

// TestParseRecordDoesNotKeepInput checks that the parsed record does not
// alias the input buffer: a caller may reuse it.
func TestParseRecordDoesNotKeepInput(t *testing.T) {
	b := []byte(decl())
	r, err := ParseRecord(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = 'X'
	}
	if r.Declaration.Brand != "Example" || r.Declaration.ID != "test-phone" {
		t.Fatalf("declaration changed with its input: %+v", r.Declaration)
	}
}

func TestValidGTIN14(t *testing.T) {
	for _, c := range []struct {
		gtin string
		ok   bool
	}{
		{gtinA, true}, {gtinB, true}, {gtinC, true},
		{"00000096385074", true}, // GTIN-8 96385074
		{"00036000291452", true}, // GTIN-12 036000291452
		{"04006381333931", true}, // GTIN-13 4006381333931
		{"00000000000000", true},
		{"09520000000012", false}, {"0952000000001", false}, {"095200000000110", false},
		{"0952000000001x", false}, {"-9520000000011", false}, {"", false},
	} {
		if got := ValidGTIN14(c.gtin); got != c.ok {
			t.Errorf("ValidGTIN14(%q) = %v, want %v", c.gtin, got, c.ok)
		}
	}
}

func TestSplitNote(t *testing.T) {
	s, _ := testKey(t, "maker")
	rec, err := Sign([]byte(decl()), s)
	if err != nil {
		t.Fatal(err)
	}
	body, ok := SplitNote(rec)
	if !ok || string(body) != decl() {
		t.Fatalf("SplitNote = %q, %v", body, ok)
	}
	if _, ok := SplitNote([]byte(decl())); ok {
		t.Errorf("SplitNote found a signature block in a bare body")
	}
}
