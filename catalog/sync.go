package catalog

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Keeping a till current (catalog.md, "Updating a till").
//
// A publisher serves a catalog directory from any static HTTP server or
// CDN: URL/checkpoint and URL/records. Because the log only grows, a till
// that holds the first N records needs only the checkpoint and the tail
// of records after them, which it asks for with a Range request. It
// checks the new checkpoint (signatures, quorum and origin; not smaller
// and not issued earlier than the installed one or the one the till last
// accepted; not expired) before it downloads anything, then hashes each
// new record into the compact range of the installed log and compares the
// result with the new root. That one comparison proves both that the new
// records are the ones signed and that the new log extends the installed
// one (checks 3 and 4), since the old prefix is bytes the till verified
// itself: the installed catalog is verified in full first (hashed, not
// indexed), unless the caller has it open already (Syncer.Installed).
// When the comparison fails, the whole published file is fetched once
// more to say which it is: records that do not match their own
// checkpoint (tampering), or a signed log whose first records are not
// the installed ones (a rewritten history).
//
// Installing is crash-safe without copying the catalog. New records are
// appended after the installed catalog's last committed record, where a
// reader ignores them (only the checkpoint's size counts), and synced to
// disk; the new checkpoint then replaces the old in one rename. A sync
// killed at any moment leaves the old catalog or the new one, never a mix,
// and the next sync first cuts off whatever a killed one left past the
// committed end. A directory that holds no catalog (or one that no longer
// verifies) gets the whole records file, written beside it and renamed
// into place before the checkpoint is. A lock file in the directory
// makes two syncs of it (a till's and a cron job's) take turns.
//
// Transient failures (a refused or cut connection, a request that
// receives nothing for Stall, a short body, a 5xx) are retried with
// backoff, resuming after the last whole record received; a failed check
// is not retried.

// Limits on what a server can make a sync read.
const (
	maxCheckpointSize = 64 << 10
	// A framed record is at most its length line ("65536\n") and its bytes.
	maxFrameSize = MaxRecordSize + 7
)

// A Syncer fetches the catalog published at URL and installs it in Dir.
// The zero values of the optional fields are sensible defaults.
type Syncer struct {
	URL   string // base URL of the published catalog: URL/checkpoint, URL/records
	Dir   string // where the catalog is installed; created if need be
	Trust *Trust
	State string // directory of the last accepted checkpoints (LoadAccepted); "" for none

	// TrustFile, if not nil, is written to Dir/trust (when it differs)
	// before a new catalog is installed, so that an installed catalog
	// always has its trust file beside it.
	TrustFile []byte

	Client   *http.Client  // default: a plain client; Stall bounds each request
	Stall    time.Duration // give up on a request that receives nothing for this long; default 30 s
	Attempts int           // tries of a request that fails transiently; default 4
	Backoff  time.Duration // wait before the first retry, doubled for each next; default 1 s

	// MinRate is the slowest a request may receive, in bytes a second,
	// averaged over each Stall-long window after its first: a server
	// that drips a byte now and then is cut, as one that sends nothing
	// is. Default 1 KiB/s; negative for no minimum.
	MinRate float64
	// Deadline bounds the whole sync, waiting for the lock and retries
	// included, so that no server can keep it (and the lock every other
	// sync of the directory waits on) for ever. Default 30 min.
	Deadline time.Duration
	// UserAgent is sent with every request; default "smartcheck".
	UserAgent string

	// Progress, if not nil, is told what the sync is doing as it goes.
	Progress func(step string)

	// Installed, if not nil, is the catalog this process opened (and so
	// verified) from Dir and is using. When it is still what Dir holds
	// (the same checkpoint, the same records file), the sync extends it
	// without reading and hashing the whole installed log again: a
	// till's sync then costs the new records, not the old. The sync
	// neither changes nor closes it.
	Installed *Catalog
}

// SyncResult says what a sync did.
type SyncResult struct {
	Old *Checkpoint // the catalog installed before; nil if there was none (or it did not verify)
	New *Checkpoint // the catalog installed now: Old when nothing changed

	// Installed is true when this sync installed New: more records, or a
	// newer checkpoint of the same records.
	Installed bool
	Added     int64 // records added
	Fetched   int64 // bytes received: checkpoint and records
	Retries   int   // requests tried again after a transient failure

	// FullDownload is true when the whole records file was fetched: there
	// was no catalog to extend, or the server ignored the Range request
	// (then the bytes the till already held were received and skipped).
	FullDownload bool

	// Replaced, when not nil, says why the catalog that was in Dir could
	// not be extended (it did not open): the published one replaced it.
	Replaced error

	// Trust is the trust in force after the sync: Syncer.Trust followed
	// along the trust notes kept in Dir and those published (Rotated of
	// them installed by this sync).
	Trust   *Trust
	Rotated int
}

// A SyncError says why a sync installed nothing. The catalog installed
// before, if any, is unchanged and stays in use.
type SyncError struct {
	// Check names the failed check of the published catalog, as
	// SecurityError.Check does, or "expired"; "" when it could not be
	// fetched or installed (a network or disk failure).
	Check    string
	Err      error
	Kept     *Checkpoint // the installed catalog that stays in use; nil if none
	Attempts int         // tries of the request that failed, when more than one

	// Broken, when not nil, says why the catalog in the directory did not
	// open (so it could not be kept either).
	Broken error
}

func (e *SyncError) Unwrap() error { return e.Err }

func (e *SyncError) Error() string {
	var b strings.Builder
	if e.Check != "" {
		fmt.Fprintf(&b, "refused: %s (%v)", checkHeadline(e.Check), e.Err)
	} else {
		fmt.Fprintf(&b, "failed: %v", e.Err)
		if e.Attempts > 1 {
			fmt.Fprintf(&b, " (tried %d times)", e.Attempts)
		}
	}
	switch {
	case e.Kept != nil:
		fmt.Fprintf(&b, "; still using the installed catalog (%d records, issued %s)", e.Kept.Size, e.Kept.Issued.Format(time.RFC3339))
	case e.Broken != nil:
		fmt.Fprintf(&b, "; the installed catalog does not open either (%v)", e.Broken)
	default:
		b.WriteString("; no catalog was installed")
	}
	return b.String()
}

// checkHeadline says in plain words what a failed check means.
func checkHeadline(check string) string {
	switch check {
	case "signature":
		return "the checkpoint's signature does not verify"
	case "quorum":
		return "the checkpoint is not signed by enough trusted publisher keys"
	case "witness":
		return "the checkpoint is not cosigned by enough trusted witnesses"
	case "origin":
		return "the catalog is for another origin"
	case "rollback":
		return "the catalog was rolled back"
	case "fork":
		return "the catalog's history was rewritten"
	case "root", "records":
		return "the catalog was tampered with"
	case "expired":
		return "the catalog has expired"
	case "trust":
		return "the publisher's new trust note (a key rotation) does not verify"
	}
	return "the " + check + " check failed"
}

// Sync fetches the catalog published at baseURL and installs it in dir if
// it is newer than the one there, with the defaults of Syncer.
func Sync(ctx context.Context, client *http.Client, baseURL, dir string, trust *Trust, state string, now time.Time) (SyncResult, error) {
	s := &Syncer{Client: client, URL: baseURL, Dir: dir, Trust: trust, State: state}
	return s.Sync(ctx, now)
}

// errStalled is why a request that received nothing for Stall was cut.
var errStalled = errors.New("stalled")

// transientError is a failure that trying again may cure: a cut or
// refused connection, a stall, a short body, a server error.
type transientError struct{ err error }

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

func transient(err error) error { return &transientError{err} }

// Sync fetches the published catalog and installs it if it is newer than
// the installed one; now is when expiry is judged. On any failure the
// installed catalog stays as it was, and the error is a *SyncError.
func (s *Syncer) Sync(ctx context.Context, now time.Time) (SyncResult, error) {
	run := &syncRun{Syncer: s, trust: s.Trust}
	run.defaults()
	// The caller's own deadline (a till's background sync has one) is
	// the sync's, when it is sooner, and is reported in the same words.
	bound := run.Deadline
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < bound {
		bound = time.Until(dl).Round(time.Millisecond)
		if bound > time.Second {
			bound = bound.Round(time.Second)
		}
	}
	ctx, cancel := context.WithTimeoutCause(ctx, run.Deadline, &deadlineError{bound})
	defer cancel()
	run.ctx = ctx
	err := run.sync(now)
	if err != nil && ctx.Err() != nil {
		err = context.Cause(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			err = &deadlineError{bound}
		}
	}

	if err != nil {
		se := &SyncError{Err: err, Kept: run.res.Old, Attempts: run.lastAttempts, Broken: run.res.Replaced}
		var sec *SecurityError
		if errors.As(err, &sec) {
			se.Check = sec.Check
		}
		return run.res, se
	}
	return run.res, nil
}

// syncRun is one sync: the settings and what it has found so far.
type syncRun struct {
	*Syncer
	ctx          context.Context
	client       *http.Client
	trust        *Trust     // Trust, followed along the trust notes so far
	validators   validators // what the server said of the checkpoint it sent
	fetched      []byte     // the checkpoint it sent (the installed one, on a 304)
	res          SyncResult
	lastAttempts int  // tries of the last request
	consistent   bool // the tiles proved the new checkpoint extends the installed one (checkTiles)
}

// deadlineError is why a sync that ran past Syncer.Deadline was ended.
type deadlineError struct{ d time.Duration }

// Unwrap makes it a context.DeadlineExceeded, as a caller expects.
func (e *deadlineError) Unwrap() error { return context.DeadlineExceeded }

func (e *deadlineError) Error() string {
	return fmt.Sprintf("the sync did not finish within its deadline of %v: the server is too slow, or keeps the connection open without sending the catalog", e.d)
}

// slowError is why a request that received too little was cut.
type slowError struct {
	got  int64
	in   time.Duration
	want float64
}

func (e *slowError) Error() string {
	return fmt.Sprintf("too slow: the server sent %d bytes in %v, less than the %.0f bytes a second a sync needs", e.got, e.in, e.want)
}

func (r *syncRun) defaults() {
	r.client = r.Client
	if r.client == nil {
		r.client = &http.Client{}
	}
	if r.Stall <= 0 {
		r.Stall = 30 * time.Second
	}
	if r.Attempts <= 0 {
		r.Attempts = 4
	}
	if r.Backoff <= 0 {
		r.Backoff = time.Second
	}
	if r.MinRate == 0 {
		r.MinRate = 1024
	}
	if r.Deadline <= 0 {
		r.Deadline = 30 * time.Minute
	}
	if r.UserAgent == "" {
		r.UserAgent = "smartcheck"
	}
}

func (r *syncRun) progress(format string, args ...any) {
	if r.Progress != nil {
		r.Progress(fmt.Sprintf(format, args...))
	}
}

func (r *syncRun) sync(now time.Time) error {
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("catalog URL %q is not an http or https URL", r.URL)
	}
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return err
	}
	unlock, err := lockDir(r.ctx, r.Dir)
	if err != nil {
		return err
	}
	defer unlock()
	err = r.syncLocked(now)
	if err == nil && r.res.New != nil && string(r.fetched) == string(r.res.New.Raw) {
		saveValidators(r.Dir, r.fetched, r.URL, r.validators)
	}
	return err
}

// syncLocked is the sync, under the directory's lock.
func (r *syncRun) syncLocked(now time.Time) (err error) {
	removeTemps(r.Dir)

	// The trust notes this till verified and installed before.
	if r.trust, err = r.trust.FollowDir(r.Dir); err != nil {
		return err
	}
	r.res.Trust = r.trust
	var last *Checkpoint
	if r.State != "" {
		if last, err = LoadAccepted(r.State, r.trust); err != nil {
			// A fault of the till's own state, not of what was published.
			return errors.New(err.Error())
		}
	}
	r.progress("verify the installed catalog")
	inst, err := r.openInstalled(last)
	if err != nil {
		return err
	}
	if inst != nil {
		if inst != r.Installed {
			defer inst.Close()
		}
		r.res.Old = inst.Checkpoint
	}
	r.res.New = r.res.Old

	// A rotation is installed before the checkpoint is looked at: the
	// checkpoint may be signed by the new keys only. It may not reach
	// back over records the till already holds.
	floor := int64(0)
	if r.res.Old != nil {
		floor = r.res.Old.Size
	}
	if last != nil {
		floor = max(floor, last.Size)
	}
	if err := r.fetchTrust(floor); err != nil {
		return err
	}

	r.progress("fetch %s", r.join("checkpoint"))
	cp, err := r.fetchCheckpoint()
	if err != nil {
		return err
	}
	if err := checkNewer(cp, r.res.Old, "installed"); err != nil {
		return err
	}
	if last != nil {
		if err := checkNewer(cp, last, "last accepted"); err != nil {
			return err
		}
	}
	if cp.Size > 1<<31 {
		return fmt.Errorf("the published checkpoint commits to %d records, more than this till can hold", cp.Size)
	}
	if now.After(cp.Expires) {
		return securityErrorf("expired", "the published checkpoint expired at %s; the publisher has signed no newer one", cp.Expires.Format(time.RFC3339))
	}

	if old := r.res.Old; old != nil && cp.Size == old.Size {
		if cp.Root != old.Root {
			return securityErrorf("fork", "the published checkpoint commits to %d records with a different root than the installed catalog's %d records: two signed histories of one size", cp.Size, old.Size)
		}
		if !cp.Issued.After(old.Issued) {
			r.progress("up to date")
			return r.remember(last, old)
		}
		// The same records, signed again later: a fresher checkpoint
		// (a later expiry) to install.
		if err := r.installCheckpoint(cp); err != nil {
			return err
		}
		return r.remember(last, cp)
	}

	if err := r.checkTiles(cp, r.res.Old); err != nil {
		return err
	}
	if inst != nil {
		err = r.extend(inst, cp, last)
	} else {
		err = r.fresh(cp, last)
	}
	if err != nil {
		return err
	}
	return r.remember(last, cp)
}

// fetchTrust follows the trust notes published after the trust the till
// holds — URL/trust.d/V+1, V+2, … until one is missing — checks each
// against the one before, and installs them in Dir/trust.d. A note that
// fails a check stops the sync, and nothing of the chain is installed.
// floor is how many records the till already accepted: a rotation may
// not take effect before them (it would change who may have signed
// records the till holds).
func (r *syncRun) fetchTrust(floor int64) error {
	t := r.trust
	for {
		name := TrustDir + "/" + strconv.Itoa(t.Version+1)
		r.progress("fetch %s", r.join(name))
		// A missing note is the end of the chain. Some CDNs answer 403
		// for a file that is not there; a note withheld only keeps the
		// till on the trust it has, which then refuses a checkpoint
		// signed by keys it does not know.
		hdr := make(http.Header)
		hdr.Set("Cache-Control", "no-cache")
		msg, status, _, err := r.fetchSmall(name, hdr, http.StatusNotFound, http.StatusGone, http.StatusForbidden)
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			break
		}
		next, err := t.Next(msg)
		if err != nil {
			return err
		}
		if next.From < floor {
			return securityErrorf("trust", "trust note %d: it takes effect from record %d, but this till already accepted %d records under the keys before it: a rotation cannot change who signed records already published", next.Version, next.From, floor)
		}
		t = next
		r.res.Rotated++
	}
	if t == r.trust {
		return nil
	}
	r.progress("install trust version %d", t.Version)
	if err := WriteTrustNotes(r.Dir, t); err != nil {
		return err
	}
	r.trust, r.res.Trust = t, t
	return nil
}

// remember records cp as the last accepted checkpoint.
func (r *syncRun) remember(last, cp *Checkpoint) error {
	if r.State == "" || cp == nil {
		return nil
	}
	if last != nil && (cp.Size < last.Size || cp.Issued.Before(last.Issued)) {
		return nil // the installed catalog is behind what was accepted; keep that
	}
	r.progress("remember the accepted checkpoint")
	if err := SaveAccepted(r.State, last, cp); err != nil {
		// The catalog is installed: say so, but do not call it a failure
		// of the sync. The next open remembers it.
		r.progress("warning: %v", err)
	}
	return nil
}

// checkNewer refuses a checkpoint smaller or issued earlier than old
// (check 2): a rollback, or a freeze by replaying an old checkpoint.
func checkNewer(cp, old *Checkpoint, what string) error {
	if old == nil {
		return nil
	}
	if cp.Size < old.Size {
		return securityErrorf("rollback", "the published checkpoint commits to %d records, the %s one to %d", cp.Size, what, old.Size)
	}
	if cp.Issued.Before(old.Issued) {
		return securityErrorf("rollback", "the published checkpoint was issued %s, before the %s one, issued %s", cp.Issued.Format(time.RFC3339), what, old.Issued.Format(time.RFC3339))
	}
	return nil
}

// openInstalled opens the catalog in Dir with full verification, or
// returns nil if there is none. A catalog there that does not open is not
// extended but replaced (SyncResult.Replaced says why): it is no catalog
// to keep, and the published one, checked against the last accepted
// checkpoint, is.
func (r *syncRun) openInstalled(last *Checkpoint) (*Catalog, error) {
	msg, err := os.ReadFile(filepath.Join(r.Dir, "checkpoint"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if c := r.Installed; err == nil && c != nil && string(msg) == string(c.Checkpoint.Raw) && c.sameRecords(filepath.Join(r.Dir, "records")) &&
		(last == nil || last.Size > c.Size() || (last.Size == c.Size() && last.Root == c.Checkpoint.Root)) {
		// Verified when this process opened it; what the till accepted
		// since is the same catalog, or is checked as the new records
		// come in.
		r.progress("the installed catalog is the one in use, verified when it was opened")
		return c, nil
	}
	var c *Catalog
	if err == nil {
		var icp *Checkpoint
		if icp, err = openStoredCheckpoint(msg, r.trust); err == nil {
			// It must extend what the till accepted, but it may be behind
			// it (a directory restored from a backup): the sync brings
			// it forward, and the new checkpoint is held to the last.
			var prefix *Checkpoint
			if last != nil && last.Size <= icp.Size {
				prefix = &Checkpoint{Size: last.Size, Root: last.Root}
			}
			// Verified in full, but neither classified nor indexed:
			// only extended.
			c, err = openDir(r.Dir, r.Trust, prefix, true)
		}
	}
	if err != nil {
		r.res.Replaced = err
		r.progress("the installed catalog does not open (%v): it will be replaced", err)
		return nil, nil
	}
	return c, nil
}

func (r *syncRun) join(name string) string {
	return strings.TrimSuffix(r.URL, "/") + "/" + name
}

// fetchCheckpoint fetches and verifies the published checkpoint: under
// the newest trust, unless it is the installed one. A conditional
// request (the validators the server gave for the installed checkpoint)
// makes an unchanged catalog cost one small 304.
func (r *syncRun) fetchCheckpoint() (*Checkpoint, error) {
	hdr := make(http.Header)
	hdr.Set("Cache-Control", "no-cache")
	var v validators
	if old := r.res.Old; old != nil {
		v = loadValidators(r.Dir, old.Raw, r.URL)
		if v.etag != "" {
			hdr.Set("If-None-Match", v.etag)
		}
		if v.modified != "" {
			hdr.Set("If-Modified-Since", v.modified)
		}
	}
	msg, status, h, err := r.fetchSmall("checkpoint", hdr, http.StatusNotModified)
	if err != nil {
		return nil, err
	}
	r.validators = validatorsOf(h)
	if status == http.StatusNotModified {
		if v == (validators{}) {
			return nil, errors.New("fetch checkpoint: the server answered 304 Not Modified to a request that was not conditional")
		}
		r.progress("the checkpoint is unchanged (304 Not Modified)")
		r.validators, r.fetched = v, r.res.Old.Raw
		return r.res.Old, nil
	}
	r.fetched = msg
	if old := r.res.Old; old != nil && string(msg) == string(old.Raw) {
		// Verified when it was installed, perhaps under keys a rotation
		// has since replaced.
		return old, nil
	}
	return OpenCheckpoint(msg, r.trust)
}

// fetchSmall fetches URL/name, a small file (a checkpoint, a trust note),
// with the extra headers hdr. It returns the body of a 200, or the
// status of an answer in also, without a body.
func (r *syncRun) fetchSmall(name string, hdr http.Header, also ...int) (msg []byte, status int, h http.Header, err error) {
	err = r.retry(func(ctx context.Context) error {
		resp, err := r.get(ctx, name, -1, hdr)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		status = resp.StatusCode
		if slices.Contains(also, status) {
			return nil
		}
		if status != http.StatusOK {
			return statusError(resp)
		}
		h = resp.Header
		msg, err = io.ReadAll(io.LimitReader(&aliveReader{&counter{resp.Body, &r.res.Fetched}, ctx.(*stallContext)}, maxCheckpointSize+1))
		if err != nil {
			return transient(fmt.Errorf("fetch %s: %w", name, readError(ctx, err)))
		}
		if len(msg) > maxCheckpointSize {
			return fmt.Errorf("fetch %s: it is more than %d bytes", name, maxCheckpointSize)
		}
		return nil
	})
	return msg, status, h, err
}

// get sends a GET for URL/name; from ≥ 0 asks for the bytes from there on.
// The request is cut when it receives nothing for Stall: the returned
// response's body resets that clock as bytes arrive.
func (r *syncRun) get(ctx context.Context, name string, from int64, hdr http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.join(name), nil)
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", r.UserAgent)
	// Byte offsets must be offsets of the file itself, not of a
	// compressed form of it.
	req.Header.Set("Accept-Encoding", "identity")
	if from > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", from))
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, transient(fmt.Errorf("fetch %s: %w", name, readError(ctx, err)))
	}
	if ce := resp.Header.Get("Content-Encoding"); ce != "" && ce != "identity" {
		resp.Body.Close()
		return nil, fmt.Errorf("fetch %s: the server sent it %s-encoded though asked not to", name, ce)
	}
	return resp, nil
}

// readError names a stall for what it is, and says the rest in words
// (netWords).
func readError(ctx context.Context, err error) error {
	var slow *slowError
	var late *deadlineError
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errStalled):
		return errStalled
	case errors.As(cause, &slow), errors.As(cause, &late):
		return cause
	}
	return netWords(err)
}

func statusError(resp *http.Response) error {
	err := fmt.Errorf("fetch %s: the server answered HTTP %s", resp.Request.URL.Redacted(), resp.Status)
	switch c := resp.StatusCode; {
	case c >= 500, c == http.StatusRequestTimeout, c == http.StatusTooManyRequests:
		return transient(err)
	}
	return err
}

// retry runs one request until it succeeds, fails for good, or has been
// tried Attempts times, waiting Backoff, then twice that, between tries.
// Each try gets a context that is cancelled when the try ends, stalls or
// is too slow (watch).
func (r *syncRun) retry(try func(ctx context.Context) error) error {
	wait := r.Backoff
	for attempt := 1; ; attempt++ {
		r.lastAttempts = attempt
		ctx, cancel := context.WithCancelCause(r.ctx)
		sc := &stallContext{Context: ctx}
		done := make(chan struct{})
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			r.watch(sc, cancel, done)
		}()
		err := try(sc)
		close(done)
		<-watched
		cancel(nil)
		var te *transientError
		if err == nil || !errors.As(err, &te) {
			return err
		}
		if r.ctx.Err() != nil {
			return context.Cause(r.ctx)
		}
		if attempt >= r.Attempts {
			return err
		}
		r.res.Retries++
		r.progress("%v: trying again in %v", err, wait)
		select {
		case <-time.After(wait):
		case <-r.ctx.Done():
			return context.Cause(r.ctx)
		}
		wait *= 2
	}
}

// stallContext is a try's context and the count of bytes received in
// the current window, which a body reader adds to as bytes arrive.
type stallContext struct {
	context.Context
	got atomic.Int64
}

func (c *stallContext) alive(n int) { c.got.Add(int64(n)) }

// watch cuts a try that receives nothing for a Stall-long window (it
// stalled), or less than MinRate a second over a window after the first
// (a server dripping bytes to keep the sync, and its lock, for ever).
// The first window also holds connecting and the server's think time.
func (r *syncRun) watch(sc *stallContext, cancel context.CancelCauseFunc, done <-chan struct{}) {
	tick := time.NewTicker(r.Stall)
	defer tick.Stop()
	for first := true; ; first = false {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		n := sc.got.Swap(0)
		switch want := r.MinRate * r.Stall.Seconds(); {
		case n == 0:
			cancel(errStalled)
			return
		case !first && r.MinRate > 0 && float64(n) < want:
			cancel(&slowError{got: n, in: r.Stall, want: r.MinRate})
			return
		}
	}
}

// counter counts the bytes read through it, and tells the stall clock.
type counter struct {
	r io.Reader
	n *int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

type aliveReader struct {
	r   io.Reader
	ctx *stallContext
}

func (a *aliveReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.ctx.alive(n)
	}
	return n, err
}

// tail is what a download of records has appended and verified so far:
// whole records only, so that a retry resumes after the last of them.
type tail struct {
	f       *os.File
	base    int64       // file offset where the download starts
	written int64       // bytes of whole records written after base
	n       int64       // records held: the installed ones and the new
	want    int64       // records the new checkpoint commits to
	first   int64       // records held when the download started
	budget  int64       // the most bytes the new records may take (tailBudget)
	flooded bool        // the server sent more than budget
	tree    treeBuilder // compact range of the n records
	buf     []byte      // framed records hashed but not yet written

	// The last accepted checkpoint, when the download passes its size:
	// the log must extend it too (checked after the root).
	lastAt   int64
	lastRoot tlog.Hash
	gotLast  bool
}

func (t *tail) flush() error {
	if len(t.buf) == 0 {
		return nil
	}
	if _, err := t.f.WriteAt(t.buf, t.base+t.written); err != nil {
		return fmt.Errorf("write records: %w", err)
	}
	t.written += int64(len(t.buf))
	t.buf = t.buf[:0]
	return nil
}

// download fetches records from t.base+t.written on and appends them to
// t until it holds t.want records, retrying transient failures from
// where the last whole record ended.
func (r *syncRun) download(t *tail) error {
	if t.n >= t.want {
		return nil
	}
	return r.retry(func(ctx context.Context) error {
		start := t.base + t.written
		r.progress("fetch %s from byte %d", r.join("records"), start)
		var hdr http.Header
		if r.lastAttempts > 1 {
			// The last try found the file shorter than the checkpoint
			// says, or was cut: ask a cache to check with its origin.
			hdr = http.Header{"Cache-Control": {"no-cache"}}
		}
		resp, err := r.get(ctx, "records", start, hdr)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body := io.Reader(&aliveReader{&counter{resp.Body, &r.res.Fetched}, ctx.(*stallContext)})
		switch resp.StatusCode {
		case http.StatusPartialContent:
			if got, ok := contentRangeStart(resp.Header.Get("Content-Range")); !ok || got != start {
				return fmt.Errorf("fetch records: asked for bytes from %d, the server sent %q", start, resp.Header.Get("Content-Range"))
			}
		case http.StatusOK:
			// The server ignored the Range: skip what is held already.
			// Those bytes need no check: the new root is computed over
			// the till's own verified prefix.
			if start > 0 {
				r.res.FullDownload = true
				if _, err := io.CopyN(io.Discard, body, start); err != nil {
					return transient(fmt.Errorf("fetch records: %w", shortRead(ctx, err)))
				}
			}
		case http.StatusRequestedRangeNotSatisfiable:
			// The server holds no byte past what the till has.
			return transient(fmt.Errorf("fetch records: the server's records file ends at byte %d, before the %d records its checkpoint commits to: %s", start, t.want, staleEdge))
		default:
			return statusError(resp)
		}
		return r.appendRecords(ctx, t, body)
	})
}

// appendRecords frames, hashes and writes records from body until t holds
// t.want. A bad frame is a security failure; a short or cut body is
// transient, and what was whole is kept for the retry.
func (r *syncRun) appendRecords(ctx context.Context, t *tail, body io.Reader) (err error) {
	br := bufio.NewReaderSize(body, 256<<10)
	defer func() {
		if ferr := t.flush(); err == nil {
			err = ferr
		}
	}()
	for t.n < t.want {
		head, perr := br.Peek(8)
		length, hn, msg := parseFrameHeader(head)
		if msg != "" {
			return securityErrorf("records", "%v", &FrameError{t.n, t.base + t.written + int64(len(t.buf)), msg})
		}
		if hn == 0 {
			if perr == nil {
				perr = io.ErrUnexpectedEOF
			}
			if perr == io.EOF && len(head) == 0 {
				// The file ended cleanly between records.
				return transient(fmt.Errorf("fetch records: the server's records file holds %d of the %d records its checkpoint commits to: %s", t.n, t.want, staleEdge))
			}
			return transient(fmt.Errorf("fetch records: the download ended after %d of %d records: %w", t.n, t.want, shortRead(ctx, perr)))
		}
		if got := t.written + int64(len(t.buf)) + int64(hn+length); got > t.budget {
			t.flooded = true
			return securityErrorf("records", "the published records file is more than %d bytes for the %d new records its checkpoint commits to, far more than records of this catalog take: a real checkpoint replayed over a forged records file; nothing of it was kept", t.budget, t.want-t.first)
		}
		frame := len(t.buf)
		t.buf = append(t.buf, make([]byte, hn+length)...)
		if _, err := io.ReadFull(br, t.buf[frame:]); err != nil {
			t.buf = t.buf[:frame]
			return transient(fmt.Errorf("fetch records: the download ended after %d of %d records: %w", t.n, t.want, shortRead(ctx, err)))
		}
		t.tree.add(tlog.RecordHash(t.buf[frame+hn:]))
		t.n++
		if t.n == t.lastAt {
			t.lastRoot, t.gotLast = t.tree.root(), true
		}
		if len(t.buf) >= 1<<20 {
			if err := t.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

func shortRead(ctx context.Context, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return readError(ctx, err)
}

// staleEdge says what a records file shorter than its checkpoint most
// likely means.
const staleEdge = "a cache (a CDN edge) is probably serving an older records file than checkpoint; publishers upload records before the checkpoint, and purge cached copies of records (docs/publishing.md)"

// tailBudget is the most bytes n new records may take: 16 times the
// mean size of the records held (meanDefault when there are none), and
// 4 MiB besides, never more than n of the largest frames. A server that
// replays a real checkpoint over well-framed forged records (which only
// the root, once all are in, can expose) makes a till receive and write
// at most that, not 65 times the catalog.
func tailBudget(n, heldBytes, held int64) int64 {
	mean := int64(meanDefault)
	if held > 0 {
		mean = max(heldBytes/held, 64)
	}
	return min(16*mean*n+4<<20, n*maxFrameSize)
}

// meanDefault is the mean record size assumed for a first download: a
// declaration with its signature is about 1 KiB, so a catalog whose mean
// is up to 32 KiB fits.
const meanDefault = 2 << 10

// contentRangeStart reads the first byte position of "bytes a-b/n".
func contentRangeStart(h string) (int64, bool) {
	v, ok := strings.CutPrefix(h, "bytes ")
	if !ok {
		return 0, false
	}
	a, _, ok := strings.Cut(v, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(a, 10, 64)
	return n, err == nil
}

// checkTail compares what was downloaded with the new checkpoint: its
// root, and the last accepted checkpoint's root at that size.
func checkTail(t *tail, cp *Checkpoint, last *Checkpoint) error {
	if t.tree.root() != cp.Root {
		return securityErrorf("root", "the records do not hash to the published checkpoint's root")
	}
	if t.gotLast && t.lastRoot != last.Root {
		return securityErrorf("fork", "the published log's first %d records differ from the ones this till accepted, issued %s", last.Size, last.Issued.Format(time.RFC3339))
	}
	return nil
}

// extend appends the new records to the installed catalog inst and
// installs cp.
func (r *syncRun) extend(inst *Catalog, cp, last *Checkpoint) (err error) {
	n := inst.Checkpoint.Size
	var end int64
	if n > 0 {
		end = inst.off[n-1] + int64(inst.size[n-1])
	}
	f, err := os.OpenFile(filepath.Join(r.Dir, "records"), os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	// Whatever a killed sync left past the committed end goes first; and
	// whatever this one appends goes again if it fails.
	if err := f.Truncate(end); err != nil {
		return fmt.Errorf("records: %w", err)
	}
	defer func() {
		if err != nil {
			f.Truncate(end)
		}
	}()
	t := &tail{f: f, base: end, n: n, first: n, want: cp.Size, budget: tailBudget(cp.Size-n, end, n), tree: *inst.tree.clone(), lastAt: -1}
	if last != nil && last.Size > n {
		t.lastAt = last.Size
	}
	if err := r.download(t); err != nil {
		if isSecurity(err) && !t.flooded {
			return r.diagnose(err, cp, inst.Checkpoint, end+t.budget)
		}
		return err
	}
	r.progress("verify the root")
	if err := checkTail(t, cp, last); err != nil {
		return r.diagnose(err, cp, inst.Checkpoint, end+t.budget)
	}
	r.progress("sync records to disk")
	if err := f.Sync(); err != nil {
		return fmt.Errorf("records: %w", err)
	}
	r.res.Added = cp.Size - n
	return r.installCheckpoint(cp)
}

// fresh installs the published catalog in a directory that holds none:
// the whole records file into a temporary file beside the old, renamed
// into place once verified and synced, then the checkpoint. Until the
// checkpoint is renamed, what the directory held (if anything) counts.
func (r *syncRun) fresh(cp, last *Checkpoint) (err error) {
	r.res.FullDownload = true
	f, err := os.CreateTemp(r.Dir, ".records.tmp*")
	if err != nil {
		return err
	}
	defer func() {
		f.Close()
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	t := &tail{f: f, want: cp.Size, budget: tailBudget(cp.Size, 0, 0), lastAt: -1}
	if last != nil {
		t.lastAt = last.Size
		if last.Size == 0 {
			t.lastRoot, t.gotLast = t.tree.root(), true
		}
	}
	if err := r.download(t); err != nil {
		return err
	}
	r.progress("verify the root")
	if err := checkTail(t, cp, last); err != nil {
		return err
	}
	r.progress("sync records to disk")
	if err := f.Sync(); err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err != nil {
		return fmt.Errorf("records: %w", err)
	}
	if err := r.writeTrust(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), filepath.Join(r.Dir, "records")); err != nil {
		return err
	}
	syncDir(r.Dir)
	r.res.Added = cp.Size
	return r.installCheckpoint(cp)
}

// installCheckpoint makes cp the installed checkpoint, in one rename: the
// moment the new catalog takes effect.
func (r *syncRun) installCheckpoint(cp *Checkpoint) error {
	if err := r.writeTrust(); err != nil {
		return err
	}
	r.progress("install the checkpoint")
	if err := writeFileAtomic(filepath.Join(r.Dir, "checkpoint"), cp.Raw); err != nil {
		return err
	}
	r.res.New, r.res.Installed = cp, true
	return nil
}

func (r *syncRun) writeTrust() error {
	if r.TrustFile == nil {
		return nil
	}
	name := filepath.Join(r.Dir, "trust")
	if old, err := os.ReadFile(name); err == nil && string(old) == string(r.TrustFile) {
		return nil
	}
	return writeFileAtomic(name, r.TrustFile)
}

func isSecurity(err error) bool {
	var se *SecurityError
	return errors.As(err, &se)
}

// diagnose says which of two things a tail that does not verify means:
// the published records do not match their own checkpoint (tampering),
// or they do but their first records are not the installed ones (a
// rewritten history). Only the whole file tells them apart, so it is
// fetched once more (at most limit bytes), hashed and thrown away —
// unless the tiles already proved no history was rewritten. If that
// fails, the first finding stands.
func (r *syncRun) diagnose(found error, cp, old *Checkpoint, limit int64) error {
	if r.consistent { // the tiles proved no rewritten history: no need to fetch the whole file
		return securityErrorf("root", "the published records do not hash to the published checkpoint's root: they were altered")
	}
	r.progress("the new records do not verify; fetching the whole file to tell tampering from a rewritten history")
	var tree treeBuilder
	var oldRoot tlog.Hash
	err := r.retry(func(ctx context.Context) error {
		tree = treeBuilder{}
		resp, err := r.get(ctx, "records", -1, nil)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return statusError(resp)
		}
		br := bufio.NewReaderSize(io.LimitReader(&aliveReader{&counter{resp.Body, &r.res.Fetched}, ctx.(*stallContext)}, limit), 256<<10)
		rec := make([]byte, 0, maxFrameSize)
		for tree.n < cp.Size {
			head, perr := br.Peek(8)
			length, hn, msg := parseFrameHeader(head)
			if msg != "" {
				return securityErrorf("records", "the published records file is not well framed at record %d: %s", tree.n, msg)
			}
			if hn == 0 {
				if perr == nil {
					perr = io.ErrUnexpectedEOF
				}
				return transient(shortRead(ctx, perr))
			}
			rec = rec[:hn+length]
			if _, err := io.ReadFull(br, rec); err != nil {
				return transient(shortRead(ctx, err))
			}
			tree.add(tlog.RecordHash(rec[hn:]))
			if tree.n == old.Size {
				oldRoot = tree.root()
			}
		}
		return nil
	})
	switch {
	case isSecurity(err):
		return securityErrorf("root", "the published records do not match the published checkpoint: they were altered or truncated (%v)", err)
	case err != nil:
		return found
	case tree.root() != cp.Root:
		return securityErrorf("root", "the published records do not hash to the published checkpoint's root: they were altered")
	case oldRoot != old.Root:
		return securityErrorf("fork", "the published log's first %d records differ from the installed ones, issued %s", old.Size, old.Issued.Format(time.RFC3339))
	}
	return found
}

// sameRecords reports whether c reads the records file at path (not a
// file since renamed over it).
func (c *Catalog) sameRecords(path string) bool {
	f, ok := c.closer.(*os.File)
	if !ok {
		return false
	}
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

// removeTemps removes what a killed sync or write left behind.
func removeTemps(dir string) {
	for _, pattern := range []string{".records.tmp*", ".checkpoint.tmp*", ".trust.tmp*", "..sync-validators.tmp*", TrustDir + "/.*.tmp*"} {
		names, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, n := range names {
			os.Remove(n)
		}
	}
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// lockDir takes the exclusive lock on a catalog directory, so that two syncs
// (a till's and a cron job's) never write one catalog at once. The lock
// goes with the process, however it ends.
func lockDir(ctx context.Context, dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, ".sync.lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	for {
		locked, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		if locked {
			return func() { f.Close() }, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock %s: another sync or catalog writer holds it: %w", dir, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// validators are what the server said of the checkpoint it sent (its
// ETag and Last-Modified), kept in Dir/.sync-validators beside the hash
// of that checkpoint and the URL it came from, so that the next sync
// from that URL asks only whether it changed. They are a cache, not
// trusted: a 304 stands only for the installed checkpoint, which was
// verified. They say nothing of another URL's file: a mirror's
// checkpoint written in the same second would look unchanged.
type validators struct{ etag, modified string }

const validatorsFile = ".sync-validators"

// validatorsOf keeps the validators of a response that can tell two
// versions apart. Last-Modified has one-second steps, and nginx's ETag is
// made of the same time and the size (a re-signed checkpoint often has
// the same size): a file replaced within the second it was sent in
// would look unchanged. So when the response has a Last-Modified, both
// are kept only if it is at least a second before the response's Date
// (RFC 9110 8.8.2.2: such a date is a strong validator).
func validatorsOf(h http.Header) validators {
	v := validators{etag: h.Get("ETag"), modified: h.Get("Last-Modified")}
	if v.modified == "" {
		return v
	}
	lm, err1 := http.ParseTime(v.modified)
	date, err2 := http.ParseTime(h.Get("Date"))
	if err1 != nil || err2 != nil || date.Sub(lm) < time.Second {
		return validators{}
	}
	return v
}

// loadValidators returns the validators kept for the checkpoint raw as
// served from url, or none.
func loadValidators(dir string, raw []byte, url string) validators {
	data, err := os.ReadFile(filepath.Join(dir, validatorsFile))
	if err != nil || len(data) > 4<<10 {
		return validators{}
	}
	var v validators
	var sum, from string
	for line := range strings.Lines(string(data)) {
		key, value, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		switch key {
		case "sha256":
			sum = value
		case "url":
			from = value
		case "etag":
			v.etag = value
		case "last-modified":
			v.modified = value
		}
	}
	if sum != fmt.Sprintf("%x", sha256.Sum256(raw)) || from != url || !validHeader(v.etag) || !validHeader(v.modified) {
		return validators{}
	}
	return v
}

// saveValidators keeps v for the checkpoint raw as served from url; a
// failure only costs the next sync a whole checkpoint.
func saveValidators(dir string, raw []byte, url string, v validators) {
	name := filepath.Join(dir, validatorsFile)
	if !validHeader(v.etag) || !validHeader(v.modified) || !validHeader(url) || v == (validators{}) {
		os.Remove(name)
		return
	}
	data := fmt.Sprintf("sha256 %x\nurl %s\netag %s\nlast-modified %s\n", sha256.Sum256(raw), url, v.etag, v.modified)
	if old, err := os.ReadFile(name); err == nil && string(old) == data {
		return
	}
	writeFileAtomic(name, []byte(data))
}

// validHeader reports whether s can be sent back as a header value.
func validHeader(s string) bool {
	return len(s) < 1024 && !strings.ContainsFunc(s, func(c rune) bool { return c < ' ' || c == 0x7f })
}
