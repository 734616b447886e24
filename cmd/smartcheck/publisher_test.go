package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// testPublisher publishes, on a loopback server, one of two synthetic
// catalogs of 1,500 and 2,500 records (the second extends the first), as
// a chain publishes its catalog for tills to follow: DIR/1500 and
// DIR/2500 hold them, with their trust files. It publishes nothing until
// publish is called; publish(-1) takes the catalog down again.
type testPublisher struct {
	URL     string
	cats    [2]struct{ checkpoint, records []byte }
	serving atomic.Int32 // index into cats, -1 for none
}

func newTestPublisher(t *testing.T, dir, seed string) *testPublisher {
	t.Helper()
	p := &testPublisher{}
	p.serving.Store(-1)
	issued := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	for i, n := range []int{1500, 2500} {
		d := filepath.Join(dir, fmt.Sprint(n))
		if _, err := catalog.WriteSynthetic(d, n, seed, issued.Add(time.Duration(i)*time.Minute), issued.AddDate(1, 0, 0)); err != nil {
			t.Fatal(err)
		}
		p.cats[i].checkpoint, _ = os.ReadFile(filepath.Join(d, "checkpoint"))
		p.cats[i].records, _ = os.ReadFile(filepath.Join(d, "records"))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := p.serving.Load()
		switch {
		case i < 0:
			http.NotFound(w, r)
		case r.URL.Path == "/checkpoint":
			w.Write(p.cats[i].checkpoint)
		case r.URL.Path == "/records":
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(p.cats[i].records))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// publish publishes catalog i (0: 1,500 records, 1: 2,500), or none (-1).
func (p *testPublisher) publish(i int) { p.serving.Store(int32(i)) }
