// Command synthcat writes a synthetic catalog (catalog.WriteSynthetic) for
// the load tests of docs/bench-serve.sh:
//
//	go run ./serve/internal/synthcat -n 1000000 -out DIR [-issued 2026-11-01T00:00:00Z]
//	go run ./serve/internal/synthcat -http 127.0.0.1:PORT -dir DIR
//
// The same -n and -seed give the same records, so a catalog of n+10000
// records issued later extends one of n records: what a publisher's next
// catalog is to a till that follows it. With -http it publishes DIR as a
// static server with Range requests would (net/http's FileServer), for
// `serve --sync` to follow.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

func main() {
	n := flag.Int("n", 1_000_000, "records")
	out := flag.String("out", "", "directory to write (records, checkpoint, trust)")
	seed := flag.String("seed", "bench", "key seed (the benchmarks' cache uses bench)")
	issued := flag.String("issued", "2026-11-01T00:00:00Z", "the checkpoint's issue time (RFC 3339); it expires ten years later")
	addr := flag.String("http", "", "publish -dir on this address instead of writing a catalog")
	dir := flag.String("dir", "", "the directory -http publishes")
	flag.Parse()
	if *addr != "" {
		ln, err := net.Listen("tcp", *addr)
		if err == nil {
			fmt.Fprintf(os.Stderr, "synthcat: publishing %s on http://%s/\n", *dir, ln.Addr())
			err = http.Serve(ln, http.FileServer(http.Dir(*dir)))
		}
		fmt.Fprintf(os.Stderr, "synthcat: %v\n", err)
		os.Exit(1)
	}
	t, err := time.Parse(time.RFC3339, *issued)
	if *out == "" || *n < 1 || err != nil || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: synthcat -n N -out DIR [-seed bench] [-issued RFC3339]")
		os.Exit(2)
	}
	start := time.Now()
	if _, err := catalog.WriteSynthetic(*out, *n, *seed, t, t.AddDate(10, 0, 0)); err != nil {
		fmt.Fprintf(os.Stderr, "synthcat: %v\n", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "synthcat: %d records in %s (%v)\n", *n, *out, time.Since(start).Round(time.Millisecond))
}
