package publish

import (
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// Benchmarks of issue 11 (docs/performance.md, "Importing and exporting"):
//
//	go test -run=XXX -bench='Import|DryRun' -benchtime=3x ./publish   # 100,000 rows
//	go test -run=XXX -bench=Export -benchtime=1x ./publish            # the 1,000,000-record synthetic catalog
//
// SMARTCHECK_BENCH_ROWS and SMARTCHECK_BENCH_RECORDS change the sizes.

func benchEnv(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// benchCSV is a spreadsheet of n products, as the template's columns.
func benchCSV(n int) string {
	var b strings.Builder
	b.WriteString("\uFEFF" + header + "\r\n")
	for i := 1; i <= n; i++ {
		b.WriteString(csvRow(i, gtin(i)))
		b.WriteString("\r\n")
	}
	return b.String()
}

// cpuTime is the CPU time this process has used: the machine is shared,
// and wall time under load says little.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

func BenchmarkImport(b *testing.B) {
	data := benchCSV(benchEnv("SMARTCHECK_BENCH_ROWS", 100_000))
	start := cpuTime()
	defer reportCPU(b, start)
	for b.Loop() {
		b.StopTimer()
		f := newFixture(b)
		c := f.open(b)
		b.StartTimer()
		imp, err := Check(strings.NewReader(data), CSV, c, f.maker)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := catalog.AppendBatch(f.dir, imp.Batch, []catalog.Signer{f.pub}, time.Now(), time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDryRun(b *testing.B) {
	data := benchCSV(benchEnv("SMARTCHECK_BENCH_ROWS", 100_000))
	f := newFixture(b)
	c := f.open(b)
	start := cpuTime()
	defer reportCPU(b, start)
	for b.Loop() {
		imp, err := Check(strings.NewReader(data), CSV, c, f.maker)
		if err != nil {
			b.Fatal(err)
		}
		if ch := Changes(c, imp.Batch, catalog.Today(), catalog.DefaultPolicy); len(ch) != imp.Rows {
			b.Fatalf("%d changes, want %d", len(ch), imp.Rows)
		}
	}
}

// BenchmarkExport exports the synthetic catalog the benchmarks share
// (catalog.CachedSynthetic: made once if missing, about a minute).
func BenchmarkExport(b *testing.B) {
	n := benchEnv("SMARTCHECK_BENCH_RECORDS", 1_000_000)
	dir, trust, err := catalog.CachedSynthetic(n)
	if err != nil {
		b.Fatal(err)
	}
	c, err := catalog.OpenDir(dir, trust, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for _, format := range []struct {
		name string
		f    Format
	}{{"csv", CSV}, {"jsonl", JSONL}} {
		b.Run(format.name, func(b *testing.B) {
			start := cpuTime()
			defer reportCPU(b, start)
			for b.Loop() {
				w := &countWriter{}
				got, err := Export(w, c, format.f, catalog.Today(), catalog.DefaultPolicy)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(got), "gtins")
				b.ReportMetric(float64(w.n)/1e6, "MB")
			}
		})
	}
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
