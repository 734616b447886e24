// Package serve is `smartcheck serve`: a local HTTP service that answers a
// point-of-sale system's question "may I sell this, and what must I tell
// the shopper?" before an item is added (spec/cli.md, "serve").
//
//	GET  /v1/lookup?code=CODE[&at=YYYY-MM-DD]   one object, as `lookup --json` prints it
//	POST /v1/lookup                             a JSON array of codes in (at most 1,000), an array of objects out
//	GET  /healthz                               200 when a trusted, unexpired catalog is in use, 503 with why
//	GET  /metrics                               Prometheus text format
//
// The objects are the bytes `smartcheck lookup --json` prints, from the
// same function (package lookup). A code that is not a product code is a
// 200 with `error` set, as in lookup; a request that is wrong (no code, too
// many, too long, not UTF-8, not JSON) is a 4xx with a JSON `error`, and
// no trusted catalog is a 503 with why. Every lookup is written to the
// due-diligence log with the client's address.
//
// The catalog is opened and verified once; each request only reads the
// records of the code asked for. A background sync (Follow) may install a
// newer catalog at any time: it is swapped in with one atomic store, and
// the catalog it replaces is closed when the last request that started
// with it has finished, so no request is failed or dropped by a swap.
//
// The service is written to be put on a network only on purpose: the
// caller binds 127.0.0.1 unless told otherwise, and a bearer token
// (Config.Token, compared in constant time) guards every endpoint when
// set. Each phase of a request has a deadline (a slow client is cut off),
// the number of connections and of lookups running at once are bounded,
// and so is every request's size, so that one client cannot take the
// memory or the time the till's other clients need.
package serve

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"

	"golang.org/x/net/netutil"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// Config is how a Server answers.
type Config struct {
	Policy catalog.Policy
	// At judges every lookup as on this date unless a request names one;
	// zero: today in Europe/London, at each request.
	At catalog.Date
	// Log is the due-diligence log every lookup is appended to.
	Log *catalog.DueDiligenceLog
	// Token, when not empty, is the bearer token every request must carry
	// (Authorization: Bearer TOKEN).
	Token string
	// Follow keeps the catalog current in the background; nil: the
	// catalog loaded first is used until the service stops.
	Follow *Follow
	// Now is the clock; nil: time.Now.
	Now func() time.Time

	// Limits; zero means the default.
	ReadHeaderTimeout time.Duration // default 5 s: a client that trickles its headers is cut off
	ReadTimeout       time.Duration // default 10 s: the whole request, body included
	WriteTimeout      time.Duration // default 30 s
	IdleTimeout       time.Duration // default 60 s between requests on a kept-alive connection
	MaxConns          int           // default 1,024 connections at once; more wait to be accepted
	ShutdownTimeout   time.Duration // default 30 s for requests in flight to finish on shutdown
	QueueTimeout      time.Duration // default 10 s waiting for a lookup slot; then 503 busy
}

func (c *Config) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&c.ReadHeaderTimeout, 5*time.Second)
	set(&c.ReadTimeout, 10*time.Second)
	set(&c.WriteTimeout, 30*time.Second)
	set(&c.IdleTimeout, 60*time.Second)
	set(&c.ShutdownTimeout, 30*time.Second)
	set(&c.QueueTimeout, 10*time.Second)
	if c.MaxConns <= 0 {
		c.MaxConns = 1024
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Server answers lookups from the catalog it holds.
type Server struct {
	cfg     Config
	cur     current
	metrics metrics
	log     *logWriter
	session string
	seq     atomicSeq
	tokenH  [32]byte
	// busy bounds the lookups computed at once: a request waits for a
	// slot before its body is read, so that a thousand clients sending a
	// thousand codes each cannot hold all their bodies and answers in
	// memory at the same time.
	busy chan struct{}

	mu        sync.Mutex
	untrusted error // why no catalog is loaded, while none is
	follow    followState
}

// New returns a Server with no catalog loaded: Load gives it one, or a
// Follow's first sync does.
func New(cfg Config) *Server {
	cfg.defaults()
	s := &Server{
		cfg:     cfg,
		session: newSession(cfg.Now()),
		busy:    make(chan struct{}, 4*runtime.GOMAXPROCS(0)),
	}
	if cfg.Token != "" {
		s.tokenH = sha256.Sum256([]byte(cfg.Token))
	}
	if cfg.Log != nil {
		s.log = newLogWriter(cfg.Log)
	}
	return s
}

// newSession names one run of the service in the due-diligence log.
func newSession(now time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return "serve-" + now.UTC().Format("2006-01-02T15:04:05.000Z") + "-" + hex.EncodeToString(b[:])
}

// Load puts cat in use, replacing any catalog in use (which is closed
// once the requests using it have ended). The Server closes cat.
func (s *Server) Load(cat *catalog.Catalog, demo bool) {
	s.cur.swap(newHeld(cat, demo))
	s.mu.Lock()
	s.untrusted = nil
	s.mu.Unlock()
}

// Untrusted records why no catalog is loaded (it could not be opened or
// trusted): /healthz and every lookup say so until one is loaded.
func (s *Server) Untrusted(why error) {
	s.mu.Lock()
	s.untrusted = why
	s.mu.Unlock()
}

// Handler returns the service's routes, behind the token check.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/lookup", s.lookupGet)
	mux.HandleFunc("POST /v1/lookup", s.lookupPost)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /metrics", s.metricsPage)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allow, ok := allowed[r.URL.Path]; ok {
			w.Header().Set("Allow", allow)
			s.fail(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use %s", r.Method, r.URL.Path, allow))
			return
		}
		s.fail(w, http.StatusNotFound, fmt.Sprintf("no such endpoint: %s %s (GET or POST /v1/lookup, GET /healthz, GET /metrics)", r.Method, r.URL.Path))
	})
	if s.cfg.Token == "" {
		return mux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="smartcheck"`)
			s.fail(w, http.StatusUnauthorized, "missing or wrong bearer token: send Authorization: Bearer TOKEN, the token in the service's --token-file")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// allowed are the methods of each endpoint, for a 405.
var allowed = map[string]string{"/v1/lookup": "GET, POST", "/healthz": "GET", "/metrics": "GET"}

// authorized compares the request's bearer token with the configured one
// in constant time: both are hashed first, so neither the content nor the
// length of the token leaks through timing.
func (s *Server) authorized(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(auth) < len(prefix) || !equalFold(auth[:len(prefix)], prefix) {
		return false
	}
	got := sha256.Sum256([]byte(auth[len(prefix):]))
	return subtle.ConstantTimeCompare(got[:], s.tokenH[:]) == 1
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}

// Serve answers on ln until ctx is done, then shuts down gracefully:
// it stops accepting, lets the requests in flight finish (within
// ShutdownTimeout), stops the background sync, writes and syncs every
// queued due-diligence record, and closes the catalog. It returns the
// first error of those steps; a due-diligence log that could not be
// written is one.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          discardLog,
	}
	syncCtx, stopSync := context.WithCancel(context.Background())
	syncDone := make(chan struct{})
	if s.cfg.Follow != nil {
		go func() { defer close(syncDone); s.followLoop(syncCtx) }()
	} else {
		close(syncDone)
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(netutil.LimitListener(ln, s.cfg.MaxConns)) }()

	var err error
	select {
	case err = <-served:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		err = hs.Shutdown(sctx)
		cancel()
		if err != nil {
			hs.Close()
			err = fmt.Errorf("requests still running after %v were cut off: %w", s.cfg.ShutdownTimeout, err)
		}
		<-served
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	stopSync()
	<-syncDone
	if s.log != nil {
		if lerr := s.log.close(); lerr != nil {
			err = errors.Join(err, fmt.Errorf("the due-diligence log was not fully written: %w", lerr))
		}
	}
	if h := s.cur.p.Swap(nil); h != nil {
		h.retired.Store(true)
		h.close()
	}
	return err
}

// atomicSeq numbers the lookups of a session, as the till numbers scans.
type atomicSeq struct {
	mu sync.Mutex
	n  int
}

func (a *atomicSeq) next(k int) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	first := a.n + 1
	a.n += k
	return first
}
