package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/lookup"
)

// Request limits. No product code in any form of spec/scanning.md comes
// near MaxCode (a GS1 Digital Link URI with every attribute is a few
// hundred bytes); MaxBody holds MaxBatch codes of the longest kind with
// room for the JSON around them.
const (
	MaxBatch = 1000
	MaxCode  = 2048
	MaxBody  = 1 << 20
)

var discardLog = log.New(io.Discard, "", 0)

// errorBody is the JSON of every 4xx and 5xx answer.
type errorBody struct {
	Error string `json:"error"`
}

func (s *Server) fail(w http.ResponseWriter, status int, msg string) {
	if status == http.StatusServiceUnavailable {
		s.metrics.unavail.Add(1)
	} else {
		s.metrics.rejected.Add(1)
	}
	b, _ := json.Marshal(errorBody{Error: "smartcheck: " + msg})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeJSON(w http.ResponseWriter, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// checkCode says what is wrong with a code as a request (not as a product
// code: that is an answer, with `error` set).
func checkCode(code string) error {
	switch {
	case code == "":
		return errors.New("no code: give the scanned code, as in /v1/lookup?code=5012345678900")
	case len(code) > MaxCode:
		return fmt.Errorf("a code of %d bytes is longer than any product code (at most %d bytes)", len(code), MaxCode)
	case !utf8.ValidString(code):
		return errors.New("the code is not valid UTF-8")
	}
	return nil
}

// query returns the lookup's date and policy: at (the request's ?at=)
// when given, else the service's --at, else today.
func (s *Server) query(at string) (lookup.Query, error) {
	q := lookup.Query{Policy: s.cfg.Policy, Today: s.cfg.At}
	if at != "" {
		d, err := catalog.ParseDate(at)
		if err != nil {
			return q, fmt.Errorf("at: %v (want YYYY-MM-DD)", err)
		}
		q.Today = d
	} else if q.Today.IsZero() {
		q.Today = catalog.DateOf(s.cfg.Now())
	}
	return q, nil
}

// enter waits for a lookup slot, at most QueueTimeout (then it answers
// 503); it reports false when the request is not to go on. The wait does
// not count against the request's read and write deadlines: they start
// again from the moment the lookup may go ahead.
func (s *Server) enter(w http.ResponseWriter, r *http.Request) bool {
	select {
	case s.busy <- struct{}{}: // the usual case: a slot is free, no timer
	default:
		t := time.NewTimer(s.cfg.QueueTimeout)
		defer t.Stop()
		select {
		case s.busy <- struct{}{}:
		case <-r.Context().Done():
			return false
		case <-t.C:
			w.Header().Set("Retry-After", "1")
			s.fail(w, http.StatusServiceUnavailable, fmt.Sprintf("busy: no lookup could start within %v; try again", s.cfg.QueueTimeout))
			return false
		}
	}
	rc := http.NewResponseController(w)
	now := time.Now()
	rc.SetReadDeadline(now.Add(s.cfg.ReadTimeout))
	rc.SetWriteDeadline(now.Add(s.cfg.WriteTimeout))
	return true
}

func (s *Server) leave() { <-s.busy }

// catalogFor takes the catalog in use for one request, or answers 503.
func (s *Server) catalogFor(w http.ResponseWriter) *held {
	h := s.cur.acquire()
	if h == nil {
		s.fail(w, http.StatusServiceUnavailable, s.unavailable())
	}
	return h
}

func (s *Server) unavailable() string {
	s.mu.Lock()
	why := s.untrusted
	s.mu.Unlock()
	if why != nil {
		return "no trusted catalog: " + why.Error()
	}
	return "no trusted catalog is loaded yet"
}

func (s *Server) lookupGet(w http.ResponseWriter, r *http.Request) {
	params := r.URL.Query()
	code := params.Get("code")
	if err := checkCode(code); err != nil {
		s.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	s.lookups(w, r, params.Get("at"), false, func() ([]string, int, error) { return []string{code}, 0, nil })
}

func (s *Server) lookupPost(w http.ResponseWriter, r *http.Request) {
	s.lookups(w, r, r.URL.Query().Get("at"), true, func() ([]string, int, error) { return readCodes(w, r) })
}

// lookups answers the codes read by codes (which, on failure, gives the
// status to answer with): one object, or with array an array of them,
// each as lookup --json prints it. The codes are read only once a lookup
// slot is free, and judged against the one catalog in use when they
// start, even if a newer one is swapped in meanwhile.
func (s *Server) lookups(w http.ResponseWriter, r *http.Request, at string, array bool, codes func() ([]string, int, error)) {
	start := time.Now()
	q, err := s.query(at)
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	if !s.enter(w, r) {
		return
	}
	defer s.leave()
	list, status, err := codes()
	if err != nil {
		s.fail(w, status, err.Error())
		return
	}
	h := s.catalogFor(w)
	if h == nil {
		return
	}
	answers := make([]lookup.Answer, len(list))
	for i, code := range list {
		answers[i] = lookup.Look(h.cat, h.rc, code, q)
	}
	h.release()
	buf := answerBufs.Get().(*[]byte)
	defer answerBufs.Put(buf)
	out := (*buf)[:0]
	defer func() {
		if cap(out) <= 64<<10 { // keep the room it grew to, unless a large batch took much
			*buf = out[:0]
		}
	}()
	if array {
		out = append(out, '[')
	}
	for i, a := range answers {
		if i > 0 {
			out = append(out, ',')
		}
		if array {
			out = append(out, '\n')
		}
		if out, err = a.AppendJSON(out); err != nil {
			s.fail(w, http.StatusInternalServerError, err.Error())
			return
		}
	}
	if array {
		out = append(out, "\n]"...)
	}
	out = append(out, '\n')
	s.record(r, answers...)
	writeJSON(w, out)
	s.metrics.observe(time.Since(start))
}

// answerBufs holds the buffers answers are written in before they are
// sent (the response writer copies them): a busy service would otherwise
// make one for every request, and collect it soon after.
var answerBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// readCodes reads a POST body: a JSON array of 1 to MaxBatch codes, each
// a string that checkCode accepts.
func readCodes(w http.ResponseWriter, r *http.Request) ([]string, int, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("the body is larger than %d bytes: send at most %d codes a request", MaxBody, MaxBatch)
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, http.StatusRequestTimeout, errors.New("the body did not arrive in time")
		}
		return nil, http.StatusBadRequest, fmt.Errorf("read the body: %v", err)
	}
	if !utf8.Valid(body) {
		return nil, http.StatusBadRequest, errors.New("the body is not valid UTF-8")
	}
	var codes []string
	if err := json.Unmarshal(body, &codes); err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("the body must be a JSON array of codes, as in [\"5012345678900\"]: %v", err)
	}
	switch {
	case len(codes) == 0:
		return nil, http.StatusBadRequest, errors.New("no codes: the array is empty")
	case len(codes) > MaxBatch:
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("%d codes in one request: at most %d", len(codes), MaxBatch)
	}
	for i, c := range codes {
		if err := checkCode(c); err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("code %d: %v", i, err)
		}
	}
	return codes, 0, nil
}

// record counts the answers and queues them for the due-diligence log,
// with the client's address.
func (s *Server) record(r *http.Request, answers ...lookup.Answer) {
	now := s.cfg.Now()
	recs := make([]catalog.DueDiligenceRecord, len(answers))
	first := s.seq.next(len(answers))
	for i, a := range answers {
		if a.Err != nil {
			s.metrics.unreadable.Add(1)
		} else if v := a.Result.Verdict; int(v) < len(s.metrics.verdicts) {
			s.metrics.verdicts[v].Add(1)
		}
		rec := a.Record(now)
		rec.Session, rec.Seq, rec.Client = s.session, first+i, r.RemoteAddr
		recs[i] = rec
	}
	if s.log != nil {
		s.log.record(recs...)
	}
}

// health is the body of /healthz.
type health struct {
	Status  string                 `json:"status"` // ok or unavailable
	Reason  string                 `json:"reason,omitempty"`
	Catalog *catalog.ReportCatalog `json:"catalog,omitempty"`
	Sync    *syncStatus            `json:"sync,omitempty"`
}

// healthz is 200 while a trusted catalog that has not expired is in use
// and the due-diligence log is being written; 503 otherwise, with why.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	hb := health{Status: "ok", Sync: s.syncStatus()}
	h := s.cur.acquire()
	now := s.cfg.Now()
	switch {
	case h == nil:
		hb.Reason = s.unavailable()
	case now.After(h.cat.Checkpoint.Expires):
		hb.Reason = fmt.Sprintf("the catalog expired at %s: lookups say CHECK catalog-stale until a newer one is installed", h.cat.Checkpoint.Expires.UTC().Format(time.RFC3339))
	}
	if h != nil {
		hb.Catalog = h.rc
		h.release()
	}
	if hb.Reason == "" && s.log != nil {
		if err, n := s.log.status(); err != nil {
			hb.Reason = fmt.Sprintf("the due-diligence log is failing (%d records not written): %v", n, err)
		}
	}
	status := http.StatusOK
	if hb.Reason != "" {
		hb.Status, status = "unavailable", http.StatusServiceUnavailable
	}
	b, _ := json.Marshal(hb)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func (s *Server) metricsPage(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	h := s.cur.acquire()
	s.metrics.write(&buf, h, s.cfg.Now())
	if h != nil {
		h.release()
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Write(buf.Bytes())
}
