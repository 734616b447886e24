package main

import (
	"io"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/tui"
)

// BenchmarkTillStart measures how long the till takes from start to ready
// for the first scan with the 1,000,000-record synthetic catalog
// installed (issue 6 target: 1 s): open and verify the catalog as
// `smartcheck till` does (trust file, last accepted checkpoint), make the
// screen's model, and render its first frame. A background sync, when
// configured, starts after that and does not delay it.
//
//	go test -run=XXX -bench=TillStart -benchtime=5x ./cmd/smartcheck
//
// It shares the synthetic catalog that the catalog package's benchmarks
// cache in the user cache directory (made if missing, about a minute);
// SMARTCHECK_BENCH_RECORDS changes its size.
func BenchmarkTillStart(b *testing.B) {
	dir := benchCatalog(b)
	state := b.TempDir()
	cf := catalogFlags{dir: dir, state: state}
	var cpu time.Duration
	for b.Loop() {
		cpu0 := cpuTime()
		cat, err := cf.open(io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		m := tui.NewTill(tui.TillConfig{Catalog: cat.Catalog})
		m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
		if v := m.View(); len(v.Content) == 0 {
			b.Fatal("empty frame")
		}
		b.StopTimer()
		cpu += cpuTime() - cpu0
		cat.Close()
		b.StartTimer()
	}
	// CPU time says what the start costs when other work shares the cores.
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the user and system time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchCatalog returns the synthetic catalog the benchmarks share
// (catalog.CachedSynthetic), of SMARTCHECK_BENCH_RECORDS records (default
// 1,000,000), made first if it is missing.
func benchCatalog(b *testing.B) string {
	b.Helper()
	n := 1_000_000
	if s := os.Getenv("SMARTCHECK_BENCH_RECORDS"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v > 0 {
			n = v
		}
	}
	dir, _, err := catalog.CachedSynthetic(n)
	if err != nil {
		b.Fatal(err)
	}
	return dir
}
