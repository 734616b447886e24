package catalog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// The due-diligence log is the retailer's record of what was checked: one
// JSON object per line (JSON Lines), appended as each check happens, so
// that a retailer can show an enforcement authority which products were
// checked, when, against which catalog, with what verdict, and that staff
// acknowledged every STOP: the evidence of the reasonable steps a
// distributor takes before making a product available (PSTI Act 2022
// ss.22-23), kept where nobody has to remember to keep it.
//
// The file is only ever appended to: opened with O_APPEND, each line
// written whole in one write and synced to disk before the next. A crash
// may leave a torn last line; the next writer starts a fresh line first,
// so a torn line never swallows the line after it, and readers skip a
// line that does not parse (ReadDueDiligenceLog reports it).

// Events of the due-diligence log.
const (
	EventCheck       = "check"       // a scan was judged
	EventUnreadable  = "unreadable"  // a scan was not a product code (nothing judged)
	EventAcknowledge = "acknowledge" // staff acknowledged the STOP of check Seq
)

// DueDiligenceRecord is one line of the due-diligence log.
type DueDiligenceRecord struct {
	Time    time.Time `json:"time"`
	Event   string    `json:"event"`
	Session string    `json:"session,omitempty"` // one run of the till; Seq counts within it
	Seq     int       `json:"seq"`               // the scan's number in the session
	Input   string    `json:"input"`             // the scan exactly as read
	GTIN    string    `json:"gtin,omitempty"`
	Batch   string    `json:"batch,omitempty"`
	// Verdict and Findings are present on check and acknowledge lines.
	Verdict  string   `json:"verdict,omitempty"`
	Findings []string `json:"findings,omitempty"` // finding codes, in the order judged; absent when none
	// Catalog is the checkpoint the check was judged against; nil when
	// the catalog could not be trusted, and then Untrusted says why.
	Catalog   *DueDiligenceCatalog `json:"catalog,omitempty"`
	Untrusted string               `json:"untrusted,omitempty"`
	Error     string               `json:"error,omitempty"` // why an unreadable scan is not a product code
}

// DueDiligenceCatalog names a checkpoint: enough to prove later which
// signed catalog a verdict came from.
type DueDiligenceCatalog struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Root   string `json:"root"`
}

// DueDiligenceCatalogOf describes cp for the log.
func DueDiligenceCatalogOf(cp *Checkpoint) *DueDiligenceCatalog {
	return &DueDiligenceCatalog{Origin: cp.Origin, Size: cp.Size, Root: cp.Root.String()}
}

// DueDiligenceLog appends records to a due-diligence log file. Its
// methods may be called from several goroutines.
type DueDiligenceLog struct {
	mu    sync.Mutex
	f     *os.File
	path  string
	fresh bool // the next write must start a new line first (a torn line precedes it)
}

// OpenDueDiligenceLog opens the log at path for appending, creating it
// (and its directory) when needed. When the file does not end in a
// newline, as after a crash in the middle of a write, the next record
// starts on a new line.
func OpenDueDiligenceLog(path string) (*DueDiligenceLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("due-diligence log: %w", err)
	}
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("due-diligence log: %w", err)
	}
	l := &DueDiligenceLog{f: f, path: path}
	if errors.Is(statErr, os.ErrNotExist) {
		// Make the new file's name durable too.
		if d, err := os.Open(filepath.Dir(path)); err == nil {
			d.Sync()
			d.Close()
		}
	}
	torn, err := endsTorn(path)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("due-diligence log: %w", err)
	}
	l.fresh = torn
	return l, nil
}

// endsTorn reports whether the file is non-empty and does not end in a
// newline.
func endsTorn(path string) (bool, error) {
	r, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer r.Close()
	fi, err := r.Stat()
	if err != nil || fi.Size() == 0 {
		return false, err
	}
	var last [1]byte
	if _, err := r.ReadAt(last[:], fi.Size()-1); err != nil {
		return false, err
	}
	return last[0] != '\n', nil
}

// Path returns the file the log appends to.
func (l *DueDiligenceLog) Path() string { return l.path }

// Append writes rec as one line and syncs it to disk before returning.
func (l *DueDiligenceLog) Append(rec DueDiligenceRecord) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("due-diligence log: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return errors.New("due-diligence log: closed")
	}
	buf := make([]byte, 0, len(line)+2)
	if l.fresh {
		buf = append(buf, '\n')
	}
	buf = append(buf, line...)
	buf = append(buf, '\n')
	n, err := l.f.Write(buf)
	if err != nil {
		// A short write leaves a torn line: start the next one afresh.
		l.fresh = n > 0 && n < len(buf)
		return fmt.Errorf("due-diligence log %s: %w", l.path, err)
	}
	l.fresh = false
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("due-diligence log %s: sync: %w", l.path, err)
	}
	return nil
}

// Close closes the file.
func (l *DueDiligenceLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// ReadDueDiligenceLog reads a due-diligence log. Lines that are not a
// record (a torn line after a crash, an empty line) are skipped; bad
// gives their line numbers, counting from 1.
func ReadDueDiligenceLog(r io.Reader) (recs []DueDiligenceRecord, bad []int, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		var rec DueDiligenceRecord
		if len(line) == 0 || json.Unmarshal(line, &rec) != nil || rec.Event == "" {
			bad = append(bad, n)
			continue
		}
		recs = append(recs, rec)
	}
	return recs, bad, sc.Err()
}
