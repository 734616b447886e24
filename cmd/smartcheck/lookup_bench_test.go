package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// BenchmarkLookupStdin is `lookup --json -` over 100,000 codes of the
// synthetic catalog (1,000,000 records; SMARTCHECK_BENCH_RECORDS for
// another size), each a different GTIN, the catalog opened once. It
// reports codes/s over the whole run, the catalog's opening included, and
// the CPU time a code costs besides the opening (which says what an idle
// machine would do when other work shares the cores). Run it with
// -benchtime=1x.
func BenchmarkLookupStdin(b *testing.B) {
	dir := benchCatalog(b)
	const n = 100_000
	var in strings.Builder
	for i := range n {
		in.WriteString(catalog.SyntheticGTIN(101 + i))
		in.WriteByte('\n')
	}
	b.Setenv("XDG_DATA_HOME", b.TempDir())
	b.Setenv("XDG_STATE_HOME", b.TempDir())
	args := []string{"lookup", "--json", "--catalog", dir, "--at", "2026-12-01", "-"}
	// The opening alone, to tell it from the lookups.
	cpuOpen0 := cpuTime()
	if st := run(args, strings.NewReader(""), io.Discard, io.Discard); st != 0 {
		b.Fatalf("exit status %d", st)
	}
	cpuOpen := cpuTime() - cpuOpen0
	b.ResetTimer()
	for b.Loop() {
		var out bytes.Buffer
		var errs bytes.Buffer
		start, cpu0 := time.Now(), cpuTime()
		if st := run(args, strings.NewReader(in.String()), &out, &errs); st != 0 {
			b.Fatalf("exit status %d: %s", st, errs.String())
		}
		d, cpu := time.Since(start), cpuTime()-cpu0
		if lines := bytes.Count(out.Bytes(), []byte("\n")); lines != n {
			b.Fatalf("%d answers for %d codes", lines, n)
		}
		b.ReportMetric(float64(n)/d.Seconds(), "codes/s")
		b.ReportMetric(float64((cpu-cpuOpen).Microseconds())/n, "cpu-µs/code")
	}
}
