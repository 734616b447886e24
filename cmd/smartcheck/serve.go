package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/serve"
)

// serve runs the HTTP service for point-of-sale systems (package serve):
//
//	smartcheck serve [--listen 127.0.0.1:8080] [--token-file FILE] [--log FILE]
//	                 [--sync URL [--sync-every 15m]] [policy and catalog flags]
//
// It listens on the loopback interface unless --listen names another
// address, and then only with --token-file: a till's lookups are not for
// the whole network to make. SIGTERM or SIGINT stops it gracefully.
func (e *env) serve(args []string) error {
	fs := e.newFlags("serve", "[--listen 127.0.0.1:8080] [--token-file FILE] [--log FILE] [--sync URL [--sync-every 15m]]")
	var cf catalogFlags
	cf.register(fs)
	listen := fs.String("listen", "127.0.0.1:8080", "`ADDRESS` to listen on; an address that is not loopback needs --token-file")
	tokenFile := fs.String("token-file", "", "`FILE` holding the bearer token every request must carry (Authorization: Bearer TOKEN)")
	logPath := fs.String("log", "", "due-diligence log `FILE` (default: checks.jsonl in the --state directory, $XDG_STATE_HOME/smartcheck)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to `FILE` (go tool pprof), for performance work")
	var pf policyFlags
	pf.register(fs)
	var ff followFlags
	ff.register(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		e.errorf("serve takes no arguments, got %q", rest[0])
		return errUsage
	}
	policy, err := pf.policy()
	if err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	var at catalog.Date
	if cf.at != "" {
		if at, err = cf.today(); err != nil {
			e.errorf("%v", err)
			return errUsage
		}
	}
	if err := ff.check(fs, &cf); err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	loopback, err := isLoopback(*listen)
	if err != nil {
		e.errorf("--listen: %v", err)
		return errUsage
	}
	var token string
	if *tokenFile != "" {
		if token, err = readToken(*tokenFile); err != nil {
			return err
		}
	} else if !loopback {
		e.errorf("--listen %s is reachable from other machines: it needs --token-file", *listen)
		e.hintf("put a long random token in a file only this user can read (head -c 32 /dev/urandom | base64 > token; chmod 600 token) and give it with --token-file")
		return errUsage
	}

	ddlog, path, err := cf.openLog(*logPath)
	if err != nil {
		return err
	}
	defer ddlog.Close()

	srv := serve.New(serve.Config{Policy: policy, At: at, Log: ddlog, Token: token, Follow: ff.follow(cf)})
	cat, err := ff.open(&cf, e.stderr)
	if err != nil {
		e.errorf("no trusted catalog: %v; every lookup is answered 503 until one is loaded", err)
		srv.Untrusted(err)
	} else {
		srv.Load(cat.Catalog, cat.demo)
		fmt.Fprintf(e.stderr, "smartcheck: catalog: %s\n", catalog.Sanitize(cat.describe()))
	}

	defer limitMemory()()

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return withHint(fmt.Errorf("listen on %s: %w", *listen, bare(err)),
			"another program may be listening there: choose another with --listen 127.0.0.1:PORT")
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", bare(err))
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Fprintf(e.stderr, "smartcheck: serving on http://%s/v1/lookup (due-diligence log %s)\n", ln.Addr(), path)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "smartcheck: stopped; the due-diligence log is written and synced\n")
	return nil
}

// limitMemory sets a soft memory limit (runtime/debug.SetMemoryLimit) of
// three times the live heap with the catalog loaded, and at least
// minMemoryLimit, unless GOMEMLIMIT sets one; it returns how to restore
// the limit before. Left to GOGC alone, the heap may grow to twice what
// is live, and while a sync swaps a catalog in, two are live for a
// moment: with a million records that went past 300 MB. The limit makes
// the collector run sooner then, and only then.
func limitMemory() (restore func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	limit := int64(minMemoryLimit)
	if live[0].Value.Kind() == metrics.KindUint64 {
		limit = max(limit, 3*int64(live[0].Value.Uint64()))
	}
	prev := debug.SetMemoryLimit(limit)
	return func() { debug.SetMemoryLimit(prev) }
}

const minMemoryLimit = 240 << 20

// isLoopback reports whether a listen address is on the loopback
// interface only: 127.0.0.0/8, ::1 or localhost. An empty host (":8080")
// is every interface.
func isLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, err
	}
	if host == "localhost" {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

// readToken reads a bearer token: one line of at least 16 printable
// ASCII characters, in a file that only its owner may read.
func readToken(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("--token-file: %w", bare(err))
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", withHint(fmt.Errorf("--token-file %s can be read by other users (mode %v)", path, fi.Mode().Perm()),
			"chmod 600 "+path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("--token-file: %w", bare(err))
	}
	tok := strings.TrimRight(string(b), "\r\n")
	if len(tok) < 16 {
		return "", withHint(fmt.Errorf("--token-file %s: the token is %d characters long: at least 16 are needed", path, len(tok)),
			"head -c 32 /dev/urandom | base64 > "+path)
	}
	for _, c := range []byte(tok) {
		if c <= ' ' || c >= 0x7f {
			return "", fmt.Errorf("--token-file %s: the token must be one line of printable ASCII without spaces", path)
		}
	}
	return tok, nil
}
