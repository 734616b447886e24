package catalog

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Benchmarks of the targets in issue 2 (docs/performance.md):
//
//	go test -run=XXX -bench=Open -benchtime=5x ./catalog      # open 1,000,000 records
//	go test -run=XXX -bench=Lookup ./catalog                   # judge a scan, signature check included
//
// The synthetic catalog is made once (about a minute on two cores) and kept
// in the user cache directory; SMARTCHECK_BENCH_RECORDS changes its size.

var (
	benchIssued  = SyntheticIssued
	benchExpires = SyntheticIssued.AddDate(10, 0, 0)
)

func benchRecords() int {
	if s := os.Getenv("SMARTCHECK_BENCH_RECORDS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return 1_000_000
}

// syntheticDir returns the cached synthetic catalog of n records.
func syntheticDir(b *testing.B, n int) (string, *Trust) {
	b.Helper()
	start := time.Now()
	dir, t, err := CachedSynthetic(n)
	if err != nil {
		b.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		b.Logf("made a synthetic catalog of %d records in %s, in %v", n, dir, d)
	}
	return dir, t
}

// peakRSS returns the process's peak resident set (VmHWM) in MiB, and
// resets it, on Linux; -1 elsewhere.
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return -1
}

// cpuTime is the user and system time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func BenchmarkOpen(b *testing.B) {
	n := benchRecords()
	dir, trust := syntheticDir(b, n)
	st, err := os.Stat(filepath.Join(dir, "records"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	resetPeakRSS()
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		c, err := OpenDir(dir, trust, nil)
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
	b.StopTimer()
	b.ReportMetric(peakRSS(), "peak-RSS-MiB")
	// CPU time says what the open costs when other work shares the cores.
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}

func BenchmarkLookup(b *testing.B) {
	n := benchRecords()
	dir, trust := syntheticDir(b, n)
	c, err := OpenDir(dir, trust, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	today := mustDate("2026-11-24")
	i := 200
	b.ResetTimer()
	for b.Loop() {
		// A product not looked up before, so its signature is checked.
		i = (i + 7919) % n
		r := c.Judge(Query{GTIN: SyntheticGTIN(i), Today: today, Policy: DefaultPolicy})
		if r.Declaration == nil && i%1000 != 999 && i > 100 {
			b.Fatalf("no declaration for %s: %+v", SyntheticGTIN(i), r.Findings)
		}
	}
}

// BenchmarkAdmit checks one new declaration as catalog append does before
// it writes (Admit), against the million-record catalog opened once:
//
//	go test -run=XXX -bench=Admit -benchtime=5x ./catalog
func BenchmarkAdmit(b *testing.B) {
	n := benchRecords()
	dir, trust := syntheticDir(b, n)
	c, err := OpenDir(dir, trust, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	recs, err := syntheticRecords("bench", n, n+1)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := Admit(c, trust, recs); err != nil {
			b.Fatal(err)
		}
	}
}
