package labels

import (
	"io"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// benchResults judges 1,000 different products of a synthetic catalog
// (each with its own GTIN, model, support end and support URL).
func benchResults(b *testing.B) ([]*catalog.Result, Context) {
	b.Helper()
	dir := b.TempDir()
	issued := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	trust, err := catalog.WriteSynthetic(dir, 1120, "labels-bench", issued, issued.AddDate(1, 0, 0))
	if err != nil {
		b.Fatal(err)
	}
	cat, err := catalog.OpenDir(dir, trust, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cat.Close() })
	var rs []*catalog.Result
	for i := 100; len(rs) < 1000 && i < 1120; i++ {
		r := cat.Judge(catalog.Query{GTIN: catalog.SyntheticGTIN(i), Today: demoDay, Policy: catalog.DefaultPolicy})
		if r.Verdict != catalog.Stop && r.Verdict != catalog.Check {
			rs = append(rs, r)
		}
	}
	if len(rs) < 1000 {
		b.Fatalf("only %d labelable products", len(rs))
	}
	return rs, Context{Checked: demoDay, CatalogSize: cat.Size()}
}

// BenchmarkPDF1000 makes 1,000 labels from judged results and writes
// them on Avery L7160 sheets (48 pages): what `smartcheck labels` does
// after judging. Goal (issue 5): at most 1.5 s.
func BenchmarkPDF1000(b *testing.B) {
	rs, ctx := benchResults(b)
	tp, err := FindTemplate("avery-l7160", "")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		ls := make([]*Label, len(rs))
		for i, r := range rs {
			l, err := Make(r, Item{GTIN: r.GTIN, Price: "129.99", Shelf: "A1"}, ctx)
			if err != nil {
				b.Fatal(err)
			}
			ls[i] = l
		}
		if err := RenderPDF(io.Discard, tp, ls, SheetOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkZPL1000 is the same 1,000 labels as ZPL at 203 dpi.
func BenchmarkZPL1000(b *testing.B) {
	rs, ctx := benchResults(b)
	tp, err := FindTemplate("roll-102x51", "")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		ls := make([]*Label, len(rs))
		for i, r := range rs {
			l, err := Make(r, Item{GTIN: r.GTIN, Price: "129.99"}, ctx)
			if err != nil {
				b.Fatal(err)
			}
			ls[i] = l
		}
		if err := RenderZPL(io.Discard, tp, ls, 203); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPDF1000UniqueQR is BenchmarkPDF1000 with a different QR code
// on every label (no two products sharing a support page): the worst
// case, since encoding a QR code is most of a label's work.
func BenchmarkPDF1000UniqueQR(b *testing.B) {
	rs, ctx := benchResults(b)
	tp, err := FindTemplate("avery-l7160", "")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		ls := make([]*Label, len(rs))
		for i, r := range rs {
			l, err := Make(r, Item{GTIN: r.GTIN, Price: "129.99", Shelf: "A1"}, ctx)
			if err != nil {
				b.Fatal(err)
			}
			l.QR += "?gtin=" + r.GTIN
			ls[i] = l
		}
		if err := RenderPDF(io.Discard, tp, ls, SheetOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
