package labels

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Spool keeps label jobs until a printer has them, and a journal of what
// every printed label said. It lives in a directory of its own
// (smartcheck uses $XDG_STATE_HOME/smartcheck/labels):
//
//	jobs/ID.json     a job: its printer, format, labels and state
//	jobs/ID.data     its bytes, until the printer has them
//	journal.jsonl    one line per job a printer took, with every label's text
//	lock             held while jobs are sent, so two runs never send one job twice
//
// A job's ID is a hash of its printer and its bytes: the same labels for
// the same printer are the same job, and a job a printer already took is
// not sent again unless asked for a copy.
type Spool struct {
	dir string
	now func() time.Time
}

// Job states.
const (
	JobWaiting = "waiting" // not sent, or refused: retry sends it
	JobMaybe   = "maybe"   // the connection dropped mid-job: the printer may have it
	JobSent    = "sent"    // the printer took it
)

// SpooledJob is a job in the spool.
type SpooledJob struct {
	ID         string         `json:"id"`
	Printer    string         `json:"printer"`
	Format     string         `json:"format"`
	Created    time.Time      `json:"created"`
	Labels     []PrintedLabel `json:"labels"`
	State      string         `json:"state"`
	Attempts   int            `json:"attempts"`
	LastError  string         `json:"last_error,omitempty"`
	PrinterJob string         `json:"printer_job,omitempty"` // the printer's id for it
	Sent       time.Time      `json:"sent,omitzero"`
}

// Name is the job's name in the printer's queue.
func (j *SpooledJob) Name() string { return "smartcheck " + j.ID }

// PrintedLabel is what the journal keeps of one label: the item it was
// made for (so that it can be made again) and its text.
type PrintedLabel struct {
	Key   string `json:"key"`
	GTIN  string `json:"gtin"`
	Batch string `json:"batch,omitempty"`
	Price string `json:"price,omitempty"`
	Shelf string `json:"shelf,omitempty"`
	Text  string `json:"text"`
}

// Printed is what the journal keeps of a label for an item.
func Printed(it Item, l *Label) PrintedLabel {
	return PrintedLabel{Key: it.Key(), GTIN: it.GTIN, Batch: it.Batch, Price: it.Price, Shelf: it.Shelf, Text: l.Text()}
}

// Item is the item the label was made for.
func (p PrintedLabel) Item() Item {
	return Item{GTIN: p.GTIN, Batch: p.Batch, Price: p.Price, Shelf: p.Shelf}
}

// journalEntry is one line of journal.jsonl.
type journalEntry struct {
	Time       time.Time      `json:"time"`
	Job        string         `json:"job"`
	Printer    string         `json:"printer"`
	PrinterJob string         `json:"printer_job,omitempty"`
	Labels     []PrintedLabel `json:"labels"`
}

// OpenSpool opens (creating) the spool in dir.
func OpenSpool(dir string) (*Spool, error) {
	if err := os.MkdirAll(filepath.Join(dir, "jobs"), 0o755); err != nil {
		return nil, fmt.Errorf("label spool: %w", err)
	}
	return &Spool{dir: dir, now: time.Now}, nil
}

// Dir is the spool's directory.
func (s *Spool) Dir() string { return s.dir }

// JobID is the ID of job for printer.
func JobID(printer string, data []byte) string {
	h := sha256.New()
	h.Write([]byte(printer + "\n"))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Add puts a job in the spool and returns it. When the same job (same
// printer, same bytes) is there already, it returns that one: waiting, to
// be sent, or sent, not to be sent again.
func (s *Spool) Add(printer string, job Job, labels []PrintedLabel) (*SpooledJob, error) {
	id := JobID(printer, job.Data)
	if j, err := s.Job(id); err == nil {
		return j, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	j := &SpooledJob{ID: id, Printer: printer, Format: job.Format, Created: s.now().UTC(), Labels: labels, State: JobWaiting}
	if err := writeAtomic(s.path(id, ".data"), job.Data); err != nil {
		return nil, fmt.Errorf("label spool: %w", err)
	}
	if err := s.save(j); err != nil {
		return nil, err
	}
	return j, nil
}

func (s *Spool) path(id, ext string) string { return filepath.Join(s.dir, "jobs", id+ext) }

// Job reads job id.
func (s *Spool) Job(id string) (*SpooledJob, error) {
	data, err := os.ReadFile(s.path(id, ".json"))
	if err != nil {
		return nil, err
	}
	var j SpooledJob
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("label spool: job %s: %v", id, err)
	}
	return &j, nil
}

func (s *Spool) save(j *SpooledJob) error {
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	if err := writeAtomic(s.path(j.ID, ".json"), append(data, '\n')); err != nil {
		return fmt.Errorf("label spool: %w", err)
	}
	return nil
}

// Unsent lists the jobs not known to be printed, oldest first.
func (s *Spool) Unsent() ([]*SpooledJob, error) {
	files, err := filepath.Glob(filepath.Join(s.dir, "jobs", "*.json"))
	if err != nil {
		return nil, err
	}
	var js []*SpooledJob
	for _, f := range files {
		j, err := s.Job(strings.TrimSuffix(filepath.Base(f), ".json"))
		if err != nil {
			return nil, err
		}
		if j.State != JobSent {
			js = append(js, j)
		}
	}
	slices.SortFunc(js, func(a, b *SpooledJob) int { return a.Created.Compare(b.Created) })
	return js, nil
}

// Deliver sends job j to p, once. A job the printer already took is not
// sent again; one whose last attempt dropped mid-job is first looked for
// on the printer (when it can say: IPP and CUPS), and only sent when the
// printer does not have it. When the printer takes it, the journal gets
// its labels and the job's bytes are removed; when not, the job stays,
// with why, for a retry.
func (s *Spool) Deliver(ctx context.Context, p Printer, j *SpooledJob) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	// Another run may have sent it meanwhile: read it again under the lock.
	cur, err := s.Job(j.ID)
	if err != nil {
		return fmt.Errorf("label spool: job %s: %w", j.ID, err)
	}
	*j = *cur
	if j.State == JobSent {
		return nil
	}
	if j.State == JobMaybe {
		if f, ok := p.(JobFinder); ok {
			id, found, err := f.FindJob(ctx, j.Name())
			if err == nil && found {
				return s.sent(j, id)
			}
		} else {
			return fmt.Errorf("job %s may already have printed on %s (the connection dropped while it was sent, and this printer cannot be asked): check the printer, then send it again with --retry --again", j.ID, j.Printer)
		}
	}
	data, err := os.ReadFile(s.path(j.ID, ".data"))
	if err != nil {
		return fmt.Errorf("label spool: job %s: %w", j.ID, err)
	}
	j.Attempts++
	id, err := Send(ctx, p, Job{Name: j.Name(), Format: j.Format, Data: data})
	if err != nil {
		j.State, j.LastError = JobWaiting, err.Error()
		if errors.Is(err, ErrMaybePrinted) {
			j.State = JobMaybe
		}
		if serr := s.save(j); serr != nil {
			return errors.Join(err, serr)
		}
		return err
	}
	return s.sent(j, id)
}

// Again marks job j to be sent once more, for another copy.
func (s *Spool) Again(j *SpooledJob) error {
	if _, err := os.Stat(s.path(j.ID, ".data")); err != nil {
		return fmt.Errorf("job %s: its bytes are no longer in the spool: make the labels again", j.ID)
	}
	j.State = JobWaiting
	return s.save(j)
}

func (s *Spool) sent(j *SpooledJob, printerJob string) error {
	j.State, j.LastError, j.PrinterJob, j.Sent = JobSent, "", printerJob, s.now().UTC()
	line, err := json.Marshal(journalEntry{Time: j.Sent, Job: j.ID, Printer: j.Printer, PrinterJob: printerJob, Labels: j.Labels})
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(s.dir, "journal.jsonl"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("label journal: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("label journal: %w", err)
	}
	if err := s.save(j); err != nil {
		return err
	}
	// Keep the data of a sent job for a copy (--again); a spool is small.
	return nil
}

// Journal returns, for each item key, what the label last printed for it
// said.
func (s *Spool) Journal() (map[string]PrintedLabel, error) {
	f, err := os.Open(filepath.Join(s.dir, "journal.jsonl"))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]PrintedLabel{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("label journal: %w", err)
	}
	defer f.Close()
	last := map[string]PrintedLabel{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for n := 1; sc.Scan(); n++ {
		var e journalEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// A torn last line (a crash mid-write) is skipped; the job
			// it was for still says whether it was sent.
			continue
		}
		for _, l := range e.Labels {
			last[l.Key] = l
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("label journal: %w", err)
	}
	return last, nil
}

// lock takes the spool's lock file, waiting for another run to finish.
func (s *Spool) lock() (func(), error) {
	f, err := os.OpenFile(filepath.Join(s.dir, "lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("label spool: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("label spool: lock: %w", err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// writeAtomic writes a file by renaming a synced temporary file over it.
func writeAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
