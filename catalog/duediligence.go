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
// acknowledged every STOP and CHECK: the evidence of the reasonable steps a
// distributor takes before making a product available (PSTI Act 2022
// ss.22-23), kept where nobody has to remember to keep it.
//
// The file is only ever appended to: opened with O_APPEND, each line
// written whole in one write(2) and synced to disk before the next, so
// that two tills may share one log. A crash may leave a torn last line;
// every writer looks at the file's last byte before it appends and starts
// a fresh line after a torn one, and readers skip a line that does not
// parse (ReadDueDiligenceLog reports it) but read a whole record that
// follows a torn one on the same line, as when two writers raced.

// Events of the due-diligence log.
const (
	EventCheck       = "check"       // a scan was judged
	EventUnreadable  = "unreadable"  // a scan was not a product code (nothing judged)
	EventAcknowledge = "acknowledge" // staff acknowledged the STOP or CHECK of check Seq
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
	// Client is who asked, for a check made by `smartcheck serve`: the
	// address of the point-of-sale system (host:port); absent for a till.
	Client string `json:"client,omitempty"`
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
// methods may be called from several goroutines; several processes (two
// tills sharing a log) may append to one file.
type DueDiligenceLog struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// NotRegularFileError is returned for a due-diligence log that exists and
// is not a regular file: a named pipe would hang the till until something
// read it, a device or a directory keeps nothing.
type NotRegularFileError struct {
	Path string
	Mode os.FileMode
}

func (e *NotRegularFileError) Error() string {
	return fmt.Sprintf("due-diligence log %s is %s, not a regular file", e.Path, describeMode(e.Mode))
}

func describeMode(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m.IsDir():
		return "a directory"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "not a plain file (" + m.Type().String() + ")"
}

// OpenDueDiligenceLog opens the log at path for appending, creating it
// (and its directory) when needed. It refuses anything but a regular file,
// without waiting: a named pipe is opened without blocking and then
// refused. When the file does not end in a newline, as after a crash in
// the middle of a write, the next record starts on a new line.
func OpenDueDiligenceLog(path string) (*DueDiligenceLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("due-diligence log: %w", err)
	}
	fi, statErr := os.Stat(path)
	if statErr == nil && !fi.Mode().IsRegular() {
		return nil, &NotRegularFileError{Path: path, Mode: fi.Mode()}
	}
	// Read as well as append: each Append looks at the file's last byte.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|openNoBlock, 0o644)
	if err != nil {
		return nil, fmt.Errorf("due-diligence log: %w", err)
	}
	// The file may have been replaced between Stat and OpenFile.
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("due-diligence log: %w", err)
		}
		return nil, &NotRegularFileError{Path: path, Mode: fi.Mode()}
	}
	if errors.Is(statErr, os.ErrNotExist) {
		// Make the new file's name durable too.
		if d, err := os.Open(filepath.Dir(path)); err == nil {
			d.Sync()
			d.Close()
		}
	}
	return &DueDiligenceLog{f: f, path: path}, nil
}

// endsTorn reports whether f is non-empty and does not end in a newline:
// the last write to it, by this process or another, was cut short.
func endsTorn(f *os.File) (bool, error) {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return false, err
	}
	var last [1]byte
	if _, err := f.ReadAt(last[:], fi.Size()-1); err != nil {
		return false, err
	}
	return last[0] != '\n', nil
}

// Path returns the file the log appends to.
func (l *DueDiligenceLog) Path() string { return l.path }

// Append writes rec as one line, in one write(2) to the end of the file
// (O_APPEND), and syncs it to disk before returning. Another process's
// record never lands in the middle of it. When the file does not end in a
// newline (another writer's line was cut short), the line starts with one,
// so that the torn line does not swallow it; ReadDueDiligenceLog recovers
// a record that follows a torn line anyway, for the writer that raced.
func (l *DueDiligenceLog) Append(rec DueDiligenceRecord) error {
	return l.AppendAll([]DueDiligenceRecord{rec})
}

// AppendAll writes recs as Append writes one, all in one write(2) and one
// sync: a busy writer (a `smartcheck serve` answering thousands of
// lookups a second) pays for one sync a batch, not one a line. Each line
// is still whole: a write with O_APPEND is never interleaved with
// another's.
func (l *DueDiligenceLog) AppendAll(recs []DueDiligenceRecord) error {
	if len(recs) == 0 {
		return nil
	}
	buf := make([]byte, 1, 256*len(recs)) // room for a newline after a torn line
	for i := range recs {
		var err error
		if buf, err = recs[i].appendJSON(buf); err != nil {
			return fmt.Errorf("due-diligence log: %w", err)
		}
		buf = append(buf, '\n')
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return errors.New("due-diligence log: closed")
	}
	torn, err := endsTorn(l.f)
	if err != nil {
		return fmt.Errorf("due-diligence log %s: %w", l.path, err)
	}
	if torn {
		buf[0] = '\n'
	} else {
		buf = buf[1:]
	}
	if err := writeOnce(l.f, buf); err != nil {
		return fmt.Errorf("due-diligence log %s: %w", l.path, err)
	}
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
// gives their line numbers, counting from 1. A line that begins with a
// torn record and goes on with a whole one (another process appended to
// the file before the torn line's writer could end it) is bad, and the
// whole record in it is read: every record starts with {"time":, which
// cannot occur inside a JSON string.
func ReadDueDiligenceLog(r io.Reader) (recs []DueDiligenceRecord, bad []int, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if rec, ok := parseDDLine(line); ok {
			recs = append(recs, rec)
			continue
		}
		bad = append(bad, n)
		for i := 1; i < len(line); i++ {
			j := bytes.Index(line[i:], ddRecordStart)
			if j < 0 {
				break
			}
			i += j
			if rec, ok := parseDDLine(line[i:]); ok {
				recs = append(recs, rec)
				break
			}
		}
	}
	return recs, bad, sc.Err()
}

// ddRecordStart is how json.Marshal begins every DueDiligenceRecord: its
// first field is Time.
var ddRecordStart = []byte(`{"time":`)

func parseDDLine(line []byte) (DueDiligenceRecord, bool) {
	var rec DueDiligenceRecord
	if len(line) == 0 || json.Unmarshal(line, &rec) != nil || rec.Event == "" {
		return DueDiligenceRecord{}, false
	}
	return rec, true
}
