package catalog

import (
	"testing"
)

// The synthetic catalog the benchmarks use opens, verifies and judges.
func TestSynthetic(t *testing.T) {
	dir := t.TempDir()
	trust, err := WriteSynthetic(dir, 3000, "test", benchIssued, benchExpires)
	if err != nil {
		t.Fatal(err)
	}
	c, err := OpenDir(dir, trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if p := c.Verify(); len(p) != 0 {
		t.Fatalf("verify: %v", p)
	}
	today := mustDate("2026-11-24")
	if r := c.Judge(Query{GTIN: SyntheticGTIN(500), Today: today, Policy: DefaultPolicy}); r.Declaration == nil || r.Verdict == Check {
		t.Fatalf("product 500: %s %+v", r.Verdict, r.Findings)
	}
	if r := c.Judge(Query{GTIN: SyntheticGTIN(998), Today: today, Policy: DefaultPolicy}); r.Verdict != Stop {
		t.Fatalf("product 998 is under a stop notice: got %s %+v", r.Verdict, r.Findings)
	}
}
