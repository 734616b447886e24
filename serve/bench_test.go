package serve

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// benchCatalog opens the synthetic catalog the benchmarks share
// (catalog.CachedSynthetic), of SMARTCHECK_BENCH_RECORDS records (default
// 1,000,000), made first if it is missing.
func benchCatalog(b *testing.B) (*catalog.Catalog, int) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("SMARTCHECK_BENCH_RECORDS")); err == nil && v > 0 {
		n = v
	}
	dir, trust, err := catalog.CachedSynthetic(n)
	if err != nil {
		b.Fatal(err)
	}
	cat, err := catalog.OpenDir(dir, trust, nil)
	if err != nil {
		b.Fatal(err)
	}
	return cat, n
}

// BenchmarkServeLookup is GET /v1/lookup over loopback HTTP, from as many
// clients as cores, each request a different GTIN of the synthetic
// catalog, every lookup logged (to a file, synced in batches).
func BenchmarkServeLookup(b *testing.B) {
	cat, n := benchCatalog(b)
	path := filepath.Join(b.TempDir(), "checks.jsonl")
	log, err := catalog.OpenDueDiligenceLog(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { log.Close() }) // after the service has stopped (cleanups run last first)
	srv := New(Config{Log: log})
	srv.Load(cat, false)
	r, _ := listen(b, srv)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: tr}
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := 101 + int(next.Add(7919)%int64(n-101))
			resp, err := client.Get(r + "/v1/lookup?code=" + catalog.SyntheticGTIN(i))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkLookupHandler is one GET /v1/lookup through the service's
// handler without a network, each a different GTIN, logged: what one
// lookup costs serve itself, in time and allocations (-benchmem).
func BenchmarkLookupHandler(b *testing.B) {
	cat, n := benchCatalog(b)
	log, err := catalog.OpenDueDiligenceLog(filepath.Join(b.TempDir(), "checks.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { log.Close() })
	srv := New(Config{Log: log})
	srv.Load(cat, false)
	h := srv.Handler()
	i := 101
	b.ReportAllocs()
	for b.Loop() {
		if i++; i >= n {
			i = 101
		}
		r := httptest.NewRequest("GET", "/v1/lookup?code="+catalog.SyntheticGTIN(i), nil)
		r.RemoteAddr = "127.0.0.1:4000"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}
