package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// fixture is a catalog that registers the key maker, scoped for GS1
// prefix 952, and the maker to sign imports with.
type fixture struct {
	dir      string
	pub      catalog.Signer
	trust    *catalog.Trust
	maker    *catalog.Maker
	outsider *catalog.Maker // registered nowhere
}

func key(t testing.TB, name string) (string, string) {
	h := sha256.Sum256([]byte("publish test " + name))
	skey, vkey, err := catalog.GenerateKey(bytes.NewReader(h[:]), name)
	if err != nil {
		t.Fatal(err)
	}
	return skey, vkey
}

func newFixture(t testing.TB) *fixture {
	pskey, pvkey := key(t, "publisher")
	mskey, mvkey := key(t, "maker")
	oskey, _ := key(t, "outsider")
	pub, err := catalog.NewSigner(pskey)
	if err != nil {
		t.Fatal(err)
	}
	body, err := catalog.KeyRecordBody(catalog.KeyRecord{Key: mvkey, Org: "Demo Makers Ltd", Role: "manufacturer", Status: "active",
		Scopes: []catalog.Scope{{Kind: catalog.ScopeGTIN, Prefix: "952"}}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := catalog.Sign(body, pub)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "cat")
	if _, err := catalog.Build(dir, "test.example/uk", [][]byte{rec}, []catalog.Signer{pub}, []string{pvkey}, time.Now(), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	tf, err := os.ReadFile(filepath.Join(dir, "trust"))
	if err != nil {
		t.Fatal(err)
	}
	trust, err := catalog.ParseTrust(tf)
	if err != nil {
		t.Fatal(err)
	}
	maker, err := catalog.NewMaker(mskey)
	if err != nil {
		t.Fatal(err)
	}
	outsider, err := catalog.NewMaker(oskey)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{dir, pub, trust, maker, outsider}
}

func (f *fixture) open(t testing.TB) *catalog.Catalog {
	c, err := catalog.OpenDir(f.dir, f.trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// importFile checks and, when it passes, appends.
func (f *fixture) importFile(t testing.TB, data string, format Format, maker *catalog.Maker) (*Import, error) {
	c := f.open(t)
	imp, err := Check(strings.NewReader(data), format, c, maker)
	if err != nil {
		return nil, err
	}
	if _, err := catalog.AppendBatch(f.dir, imp.Batch, []catalog.Signer{f.pub}, time.Now(), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	return imp, nil
}

const header = "id,version,published,gtin,brand,model,category,cellular,manufacturer,route,passwords,contact,support-until,support-statement,issued,signatory"

// row writes a CSV row of header's columns for product n with GTIN gtin.
func csvRow(n int, gtin string) string {
	return fmt.Sprintf("demo-%d,1,2026-01-01,%s,Demo,Phone %d,smartphone,yes,Demo Ltd | 1 Street | GB,schedule1,user-defined,https://example.com/security,2031-01,Five years.,2026-01-01 | London,A Person | Director", n, gtin, n)
}

func gtin(i int) string { return catalog.SyntheticGTIN(i) }

func problems(t *testing.T, err error) []Problem {
	t.Helper()
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("want an *ImportError, got %v", err)
	}
	return ie.Problems
}

func TestImportCSV(t *testing.T) {
	quoted := header + "\r\n" + strings.Replace(csvRow(1, gtin(1)), "https://example.com/security", "\"https://example.com/security\r\nmailto:security@example.com\"", 1) + "\r\n"
	for _, tc := range []struct {
		name  string
		data  string
		gtins []string
	}{
		{"LF", header + "\n" + csvRow(1, gtin(1)) + "\n" + csvRow(2, gtin(2)) + "\n", []string{gtin(1), gtin(2)}},
		{"BOM and CRLF", "\uFEFF" + header + "\r\n" + csvRow(1, gtin(1)) + "\r\n", []string{gtin(1)}},
		{"quoted cell with line breaks", quoted, []string{gtin(1)}},
		{"two GTINs in one cell", header + "\n" + strings.Replace(csvRow(1, gtin(1)), gtin(1), "\""+gtin(1)+"\n"+gtin(2)+"\"", 1) + "\n", []string{gtin(1), gtin(2)}},
		{"GTIN-13 padded", header + "\n" + csvRow(1, gtin(1)[1:]) + "\n", []string{gtin(1)}},
		{"semicolons", strings.ReplaceAll(header+"\n"+csvRow(1, gtin(1))+"\n", ",", ";"), []string{gtin(1)}},
		{"no trailing newline, blank rows", header + "\n\n" + csvRow(1, gtin(1)) + "\n,,,\n", []string{gtin(1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			if _, err := f.importFile(t, tc.data, CSV, f.maker); err != nil {
				t.Fatal(err)
			}
			c := f.open(t)
			for _, g := range tc.gtins {
				r := c.Judge(catalog.Query{GTIN: g, Today: catalog.Today()})
				if r.Declaration == nil || r.Signer.Name != "maker" {
					t.Errorf("GTIN %s: no trusted declaration after the import: %+v", g, r.Findings)
				}
			}
			if tc.name == "quoted cell with line breaks" {
				r := c.Judge(catalog.Query{GTIN: gtin(1), Today: catalog.Today()})
				if got := r.Declaration.Contacts; len(got) != 2 || got[1] != "mailto:security@example.com" {
					t.Errorf("contacts %q, want two", got)
				}
			}
		})
	}
}

// Every wrong row is named, by row, column, value and rule, and nothing
// is written: the catalog's files stay byte for byte.
func TestImportRefusesWrongRows(t *testing.T) {
	f := newFixture(t)
	before := files(t, f.dir)
	data := header + "\r\n" + csvRow(1, gtin(1)) + "\r\n" +
		strings.Replace(csvRow(2, gtin(2)), "2031-01", "2031-13", 1) + "\r\n" + // row 3: a month 13
		csvRow(3, gtin(3)) + "\r\n" +
		strings.Replace(csvRow(4, gtin(4)), gtin(4), "9.52E+12", 1) + "\r\n" + // row 5: Excel's notation
		strings.Replace(csvRow(5, gtin(5)), "smartphone", "phone", 1) + "\r\n" + // row 6
		csvRow(6, "09520000000012") + "\r\n" + // row 7: a bad check digit
		csvRow(7, gtin(1)) + "\r\n" // row 8: GTIN of row 2 again
	_, err := f.importFile(t, data, CSV, f.maker)
	ps := problems(t, err)
	want := []string{
		`row 3, column M (support-until), value "2031-13": `,
		`row 5, column D (gtin), value "9.52E+12": a number in scientific notation`,
		`row 6, column G (category), value "phone": "phone" is not one of`,
		`row 7, column D (gtin), value "09520000000012": "09520000000012" does not have a valid GS1 check digit`,
		`row 8, column D (gtin), value "` + gtin(1) + `": GTIN ` + gtin(1) + ` is in row 2 too`,
	}
	if len(ps) != len(want) {
		t.Fatalf("got %d problems, want %d: %v", len(ps), len(want), ps)
	}
	for i, w := range want {
		if !strings.HasPrefix(ps[i].String(), w) {
			t.Errorf("problem %d:\n got %s\nwant %s...", i, ps[i], w)
		}
	}
	if after := files(t, f.dir); after != before {
		t.Errorf("the catalog changed:\n%s\nnow\n%s", before, after)
	}
}

func files(t *testing.T, dir string) string {
	var b strings.Builder
	for _, name := range []string{"records", "checkpoint", "trust"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %x\n", name, sha256.Sum256(data))
	}
	return b.String()
}

func TestImportHeader(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ name, data, want string }{
		{"unknown key", strings.Replace(header, "brand", "brnad", 1) + "\n" + csvRow(1, gtin(1)), `column E: "brnad" is not a declaration key`},
		{"missing required", strings.Replace(header, ",brand", "", 1) + "\n", "no brand column"},
		{"non-repeatable twice", header + ",model\n", "column Q: model heads column F too"},
		{"empty", "", "the file is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Check(strings.NewReader(tc.data), CSV, f.open(t), f.maker)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// A signer may sign only for the GTINs its key is scoped for, and only
// when the catalog registers its key.
func TestImportScope(t *testing.T) {
	f := newFixture(t)
	out := "05012345678900"
	_, err := f.importFile(t, header+"\n"+csvRow(1, gtin(1))+"\n"+csvRow(2, out)+"\n", CSV, f.maker)
	ps := problems(t, err)
	if len(ps) != 1 || ps[0].Row != 3 || ps[0].Column != "D" || ps[0].Value != out || !strings.Contains(ps[0].Rule, "is not scoped for GTIN "+out) {
		t.Errorf("got %v", ps)
	}
	_, err = f.importFile(t, header+"\n"+csvRow(1, gtin(1))+"\n", CSV, f.outsider)
	ps = problems(t, err)
	if len(ps) != 1 || !strings.Contains(ps[0].Rule, "does not register") {
		t.Errorf("got %v", ps)
	}
}

// A GTIN already in the catalog: the same declaration again is refused,
// so is the same id and version with other content; a new version goes in.
func TestImportGTINAlreadyPresent(t *testing.T) {
	f := newFixture(t)
	first := header + "\n" + csvRow(1, gtin(1)) + "\n"
	if _, err := f.importFile(t, first, CSV, f.maker); err != nil {
		t.Fatal(err)
	}
	_, err := f.importFile(t, first, CSV, f.maker)
	if ps := problems(t, err); len(ps) != 1 || !strings.Contains(ps[0].Rule, "already in the catalog, at index 1") {
		t.Errorf("same record: %v", ps)
	}
	changed := strings.Replace(first, "2031-01", "2030-01", 1)
	_, err = f.importFile(t, changed, CSV, f.maker)
	if ps := problems(t, err); len(ps) != 1 || ps[0].Column != "B" || !strings.Contains(ps[0].Rule, "in the catalog already, as record 1, with other content") {
		t.Errorf("same version: %v", ps)
	}
	// Version 2 shortens the period: the dry run says so.
	v2 := strings.Replace(changed, "demo-1,1,", "demo-1,2,", 1)
	c := f.open(t)
	imp, err := Check(strings.NewReader(v2), CSV, c, f.maker)
	if err != nil {
		t.Fatal(err)
	}
	ch := Changes(c, imp.Batch, catalog.Today(), catalog.DefaultPolicy)
	if len(ch) != 1 || ch[0].New.Verdict != catalog.Stop || !strings.Contains(ch[0].String(), "support-shortened (R6h)") {
		t.Errorf("changes %v", ch)
	}
}

func TestImportJSONL(t *testing.T) {
	f := newFixture(t)
	obj := func(n int, gtins string) string {
		return fmt.Sprintf(`{"id":"demo-%d","version":"1","published":"2026-01-01","gtin":%s,"brand":"Demo","model":"M","category":"smart-plug","manufacturer":["Demo Ltd | 1 Street | GB"],"route":"schedule1","passwords":"none","contact":["https://example.com/s","mailto:s@example.com"],"support-until":"2030","support-statement":"To 2030.","issued":"2026-01-01 | London","signatory":"A | B"}`, n, gtins)
	}
	good := obj(1, fmt.Sprintf("[%q, %q]", gtin(1), gtin(2)[1:])) + "\n\n" + obj(2, fmt.Sprintf("%q", gtin(3))) + "\n"
	if _, err := f.importFile(t, good, JSONL, f.maker); err != nil {
		t.Fatal(err)
	}
	c := f.open(t)
	for _, g := range []string{gtin(1), gtin(2), gtin(3)} {
		if r := c.Judge(catalog.Query{GTIN: g, Today: catalog.Today()}); r.Declaration == nil {
			t.Errorf("GTIN %s not imported", g)
		}
	}
	bad := obj(3, `9521234500018`) + "\n" + // a number
		strings.Replace(obj(4, fmt.Sprintf("%q", gtin(4))), `"brand":"Demo"`, `"brand":"Demo","brand":"Again"`, 1) + "\n" +
		strings.Replace(obj(5, fmt.Sprintf("%q", gtin(5))), `"model":"M"`, `"model":"M\nid evil"`, 1) + "\n" +
		"[1,2]\n"
	_, err := f.importFile(t, bad, JSONL, f.maker)
	ps := problems(t, err)
	want := []string{"line 1, key gtin, value \"9521234500018\": want a string or an array of strings (write \"9521234500018\", in quotes)",
		"line 2, key brand", "line 3, key model", "line 4, value \"[1,2]\": not a JSON object"}
	if len(ps) != len(want) {
		t.Fatalf("got %v", ps)
	}
	for i, w := range want {
		if !strings.HasPrefix(ps[i].String(), w) {
			t.Errorf("got %s, want %s...", ps[i], w)
		}
	}
}

// The export says what lookup says, for every GTIN, in both formats.
func TestExportRoundTrip(t *testing.T) {
	f := newFixture(t)
	var rows []string
	for i := 1; i <= 1500; i++ { // several export batches
		r := csvRow(i, gtin(i))
		if i%3 == 0 {
			r = strings.Replace(r, "user-defined", "universal-default", 1)
		}
		if i%5 == 0 {
			r = strings.Replace(r, "Demo,", "=1+1,", 1)
		}
		rows = append(rows, r)
	}
	if _, err := f.importFile(t, header+"\n"+strings.Join(rows, "\n")+"\n", CSV, f.maker); err != nil {
		t.Fatal(err)
	}
	c := f.open(t)
	today := catalog.Today()
	var js, cs bytes.Buffer
	if n, err := Export(&js, c, JSONL, today, catalog.DefaultPolicy); err != nil || n != 1500 {
		t.Fatalf("jsonl: %d, %v", n, err)
	}
	if n, err := Export(&cs, c, CSV, today, catalog.DefaultPolicy); err != nil || n != 1500 {
		t.Fatalf("csv: %d, %v", n, err)
	}
	lines := strings.Split(strings.TrimSuffix(js.String(), "\n"), "\n")
	table, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(cs.Bytes(), []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1500 || len(table) != 1501 || strings.Join(table[0], ",") != strings.Join(ExportColumns, ",") {
		t.Fatalf("%d lines, %d rows, header %v", len(lines), len(table), table[0])
	}
	for i := 1; i <= 1500; i++ {
		g := gtin(i)
		want := c.Judge(catalog.Query{GTIN: g, Today: today, Policy: catalog.DefaultPolicy}).Report(g, nil)
		var wb bytes.Buffer
		enc := json.NewEncoder(&wb)
		enc.SetEscapeHTML(false)
		enc.Encode(want)
		if got := lines[i-1] + "\n"; got != wb.String() {
			t.Fatalf("GTIN %s: export\n%s\nlookup\n%s", g, got, wb.String())
		}
		row := table[i]
		if row[0] != g || row[1] != want.Verdict.String() {
			t.Errorf("csv row %d: %v, want %s %s", i, row[:2], g, want.Verdict)
		}
		if i%5 == 0 && !strings.HasPrefix(row[2], "'=") {
			t.Errorf("csv row %d: brand %q runs as a formula", i, row[2])
		}
	}
}

func TestColumnName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := ColumnName(i); got != want {
			t.Errorf("ColumnName(%d) = %s, want %s", i, got, want)
		}
	}
}
