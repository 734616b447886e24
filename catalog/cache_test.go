package catalog

import (
	"testing"
	"time"
)

// TestCacheBounded looks up more products than the verified-record cache
// holds: it stays at its bound, and a product forgotten from it is judged
// the same when asked for again.
func TestCacheBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("signs and verifies 17,600 records")
	}
	n := maxCached + 1200
	dir := t.TempDir()
	issued := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	trust, err := WriteSynthetic(dir, n, "cache-test", issued, issued.AddDate(10, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	c, err := OpenDir(dir, trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	q := Query{Today: DateOf(issued)}
	judge := func(i int) string {
		q.GTIN = SyntheticGTIN(i)
		r := c.Judge(q)
		if r.Declaration == nil {
			t.Fatalf("record %d: no declaration (%v)", i, r.Verdict)
		}
		return r.Verdict.String() + " " + r.Declaration.ID
	}
	first := judge(200)
	for i := 101; i < n; i++ {
		if i%1000 != 999 {
			judge(i)
		}
	}
	c.mu.Lock()
	size := len(c.cache)
	c.mu.Unlock()
	if size > maxCached {
		t.Errorf("%d records cached, bound %d", size, maxCached)
	}
	if again := judge(200); again != first {
		t.Errorf("judged %q, then %q", first, again)
	}
}
