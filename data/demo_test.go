package data

import (
	"bufio"
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/scan"
)

// The committed demo catalog is exactly what `go generate ./data` makes
// from the committed sources.
func TestDemoReproducible(t *testing.T) {
	cp, recs, trust, err := BuildDemo(os.DirFS("demo"))
	if err != nil {
		t.Fatal(err)
	}
	gotCP, gotRecs, gotTrust := Demo()
	for _, c := range []struct {
		name      string
		built, in []byte
	}{{"checkpoint", cp, gotCP}, {"records", recs, gotRecs}, {"trust", trust, gotTrust}} {
		if !bytes.Equal(c.built, c.in) {
			t.Errorf("demo/catalog/%s differs from what its sources make: run go generate ./data", c.name)
		}
	}
}

// BuildDemo refuses sources that would make a catalog other than the one
// they describe: a typo in a header, a withdrawal of nothing, a key
// without a scope.
func TestBuildDemoRefuses(t *testing.T) {
	const keys = "maker | manufacturer | Maker Ltd | gtin 952\n"
	text, err := os.ReadFile("demo/records/100-demo-homerouter-ax3000.txt")
	if err != nil {
		t.Fatal(err)
	}
	_, decl, _ := strings.Cut(string(text), "\nsmartcheck-declaration/1\n")
	decl = "smartcheck-declaration/1\n" + decl
	for _, tt := range []struct {
		name, keys string
		files      map[string]string
		want       string
	}{
		{"key without scope", "maker | manufacturer | Maker Ltd\n", nil, "want NAME | ROLE | ORG | SCOPE"},
		{"curator scope on a maker", "maker | manufacturer | Maker Ltd | gtin *\n", nil, "may not hold"},
		{"bad scope", "maker | manufacturer | Maker Ltd | gtin 95x\n", nil, "gtin scope"},
		{"key twice", keys + keys, nil, "listed twice"},
		{"unknown header", keys, map[string]string{"1.txt": "# signd-by: maker\n" + decl}, "unknown header"},
		{"unknown signer", keys, map[string]string{"1.txt": "# signed-by: nobody\n" + decl}, "no such key"},
		{"withdraws a later file", keys, map[string]string{
			"1.txt": "# withdraws: 2.txt\n# reason: oops\n# withdrawn: 2026-01-01\n",
			"2.txt": "# signed-by: maker\n" + decl,
		}, "no such record earlier"},
		{"withdrawal without reason", keys, map[string]string{
			"1.txt": "# signed-by: maker\n" + decl,
			"2.txt": "# withdraws: 1.txt\n# withdrawn: 2026-01-01\n",
		}, "exactly the headers"},
		{"key record with a body", keys, map[string]string{"1.txt": "# key-record: maker | revoked\n" + decl}, "no body"},
		{"key record for an unknown key", keys, map[string]string{"1.txt": "# key-record: nobody | revoked\n"}, "no such registered key"},
		{"revocation with scopes", keys, map[string]string{"1.txt": "# key-record: maker | revoked | gtin 952\n"}, "want KEY | active"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := fstest.MapFS{"keys.txt": {Data: []byte(tt.keys)}}
			for name, text := range tt.files {
				src["records/"+name] = &fstest.MapFile{Data: []byte(text)}
			}
			_, _, _, err := BuildDemo(src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

func openDemo(t *testing.T) *catalog.Catalog {
	t.Helper()
	cp, recs, trustFile := Demo()
	trust, err := catalog.ParseTrust(trustFile)
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.OpenBytes(cp, recs, trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDemoExpected judges every case of demo/expected.txt.
func TestDemoExpected(t *testing.T) {
	c := openDemo(t)
	f, err := os.Open("demo/expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	today, _ := catalog.ParseDate("2026-11-24")
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, " | ")
		if len(parts) != 3 {
			t.Fatalf("expected.txt:%d: want CODE | VERDICT | codes", n)
		}
		t.Run(parts[0], func(t *testing.T) {
			code, err := scan.Parse(parts[0])
			if err != nil {
				t.Fatalf("expected.txt:%d: %v", n, err)
			}
			r := c.Judge(catalog.Query{GTIN: code.GTIN, Batch: code.Batch, Today: today, Policy: catalog.DefaultPolicy})
			var got []string
			for _, f := range r.Findings {
				got = append(got, f.Code)
				seen[f.Code] = true
			}
			slices.Sort(got)
			gotCodes := strings.Join(got, ",")
			if gotCodes == "" {
				gotCodes = "-"
			}
			if r.Verdict.String() != parts[1] || gotCodes != parts[2] {
				for _, f := range r.Findings {
					t.Logf("%s %s: %s", f.Rule, f.Code, f.Staff)
				}
				t.Errorf("expected.txt:%d: got %s | %s, want %s | %s", n, r.Verdict, gotCodes, parts[1], parts[2])
			}
		})
	}
	// Between them, the demo's products trigger every finding code of
	// verdicts.md but the two about the catalog itself (tested below and
	// in the catalog package).
	for _, code := range strings.Fields(`excepted scope-unknown notice-in-force published-failure
		compliance-failure enforcement-history notice-under-appeal batch-needed notice-other-batches
		signature-invalid signer-unknown signer-out-of-scope ignored-records batch-not-covered batch-unverified universal-default-password
		password-status-unknown no-contact contact-malformed contact-incomplete no-support-period
		support-end-undetermined support-shortened support-extended label-expired support-ended
		support-ends-now support-ends-soon no-declaration`) {
		if !seen[code] {
			t.Errorf("no case in expected.txt triggers %s", code)
		}
	}
}

// After its expiry the demo catalog is stale, and says so (R0b).
func TestDemoStale(t *testing.T) {
	c := openDemo(t)
	code, err := scan.Parse("9520000000011")
	if err != nil {
		t.Fatal(err)
	}
	at, _ := catalog.ParseDate("2031-01-01")
	r := c.Judge(catalog.Query{GTIN: code.GTIN, Today: at, Policy: catalog.DefaultPolicy})
	if r.Verdict != catalog.Check || r.Findings[0].Code != "catalog-stale" {
		t.Fatalf("got %s %+v, want CHECK catalog-stale", r.Verdict, r.Findings)
	}
}
