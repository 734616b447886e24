package labels

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakePrinter is a printer in memory that can be off, refuse, or take a
// job and drop the connection before answering.
type fakePrinter struct {
	mu     sync.Mutex
	mode   string // "", "off", "refuse", "drop"
	jobs   []Job
	finder bool
}

func (p *fakePrinter) String() string { return "fake:printer" }
func (p *fakePrinter) Print(ctx context.Context, data []byte) error {
	_, err := p.PrintJob(ctx, Job{Data: data})
	return err
}

func (p *fakePrinter) PrintJob(ctx context.Context, j Job) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.mode {
	case "off":
		return "", errors.New("print to fake:printer: cannot connect: connection refused")
	case "refuse":
		return "", errors.New("print to fake:printer: the printer refused the job: not accepting jobs")
	case "drop":
		p.jobs = append(p.jobs, j)
		return "", fmt.Errorf("print to fake:printer: dropped: %w", ErrMaybePrinted)
	}
	p.jobs = append(p.jobs, j)
	return fmt.Sprint(len(p.jobs)), nil
}

func (p *fakePrinter) received() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.jobs)
}

// finderPrinter is a fakePrinter that can be asked for a job by name.
type finderPrinter struct{ *fakePrinter }

func (p finderPrinter) FindJob(ctx context.Context, name string) (string, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, j := range p.jobs {
		if j.Name == name {
			return fmt.Sprint(i + 1), true, nil
		}
	}
	return "", false, nil
}

func spoolLabels() []PrintedLabel {
	return []PrintedLabel{{Key: "09520000000011||A1", GTIN: "09520000000011", Shelf: "A1", Text: "Google Pixel 10\n"}}
}

// TestSpoolRetry: a job for a printer that is off or refuses stays in the
// spool with why, and is sent by a retry, once; the journal gets its
// labels only then; the same job again is not sent again.
func TestSpoolRetry(t *testing.T) {
	for _, mode := range []string{"off", "refuse"} {
		t.Run(mode, func(t *testing.T) {
			s, err := OpenSpool(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			p := &fakePrinter{mode: mode}
			job := Job{Format: "application/pdf", Data: []byte("%PDF-1.3 labels")}
			j, err := s.Add(p.String(), job, spoolLabels())
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := s.Deliver(ctx, p, j); err == nil {
				t.Fatal("delivered to a printer that is " + mode)
			}
			if j.State != JobWaiting || j.LastError == "" {
				t.Errorf("after a failure: state %q, last error %q", j.State, j.LastError)
			}
			if un, _ := s.Unsent(); len(un) != 1 || un[0].ID != j.ID {
				t.Errorf("unsent: %v", un)
			}
			if got, _ := s.Journal(); len(got) != 0 {
				t.Errorf("journal has %v before anything printed", got)
			}
			p.mode = ""
			if err := s.Deliver(ctx, p, j); err != nil {
				t.Fatal(err)
			}
			if j.State != JobSent || j.PrinterJob != "1" || p.received() != 1 {
				t.Errorf("after a retry: state %q, printer job %q, printer got %d", j.State, j.PrinterJob, p.received())
			}
			if string(p.jobs[0].Data) != string(job.Data) || p.jobs[0].Name != j.Name() {
				t.Errorf("printer got %q named %q", p.jobs[0].Data, p.jobs[0].Name)
			}
			journal, err := s.Journal()
			if err != nil || journal["09520000000011||A1"].Text != "Google Pixel 10\n" {
				t.Errorf("journal %v, %v", journal, err)
			}
			// The same labels for the same printer: the same job, already sent.
			again, err := s.Add(p.String(), job, spoolLabels())
			if err != nil || again.ID != j.ID || again.State != JobSent {
				t.Fatalf("the same job again: %+v, %v", again, err)
			}
			if err := s.Deliver(ctx, p, again); err != nil || p.received() != 1 {
				t.Errorf("a sent job delivered again: %v; the printer has %d jobs", err, p.received())
			}
			if un, _ := s.Unsent(); len(un) != 0 {
				t.Errorf("unsent after sending: %v", un)
			}
			// --again: one more copy, on purpose.
			if err := s.Again(again); err != nil {
				t.Fatal(err)
			}
			if err := s.Deliver(ctx, p, again); err != nil || p.received() != 2 {
				t.Errorf("a copy: %v; the printer has %d jobs", err, p.received())
			}
		})
	}
}

// TestSpoolDropped: a connection that drops mid-job leaves the job
// "maybe printed"; a retry asks a printer that can say, and does not send
// what it already has; one that cannot say is not sent blindly.
func TestSpoolDropped(t *testing.T) {
	ctx := context.Background()
	t.Run("finder", func(t *testing.T) {
		s, _ := OpenSpool(t.TempDir())
		p := finderPrinter{&fakePrinter{mode: "drop"}}
		j, _ := s.Add(p.String(), Job{Format: "application/pdf", Data: []byte("%PDF")}, spoolLabels())
		if err := s.Deliver(ctx, p, j); !errors.Is(err, ErrMaybePrinted) || j.State != JobMaybe {
			t.Fatalf("drop: %v, state %q", err, j.State)
		}
		p.mode = ""
		if err := s.Deliver(ctx, p, j); err != nil {
			t.Fatal(err)
		}
		if p.received() != 1 || j.State != JobSent || j.PrinterJob != "1" {
			t.Errorf("retry after a drop: printer has %d jobs, state %q, id %q; want 1, sent, 1", p.received(), j.State, j.PrinterJob)
		}
	})
	t.Run("not a finder", func(t *testing.T) {
		s, _ := OpenSpool(t.TempDir())
		p := &fakePrinter{mode: "drop"}
		j, _ := s.Add(p.String(), Job{Format: "application/vnd.zebra-zpl", Data: []byte("^XA^XZ")}, spoolLabels())
		s.Deliver(ctx, p, j)
		p.mode = ""
		err := s.Deliver(ctx, p, j)
		if err == nil || !strings.Contains(err.Error(), "may already have printed") || p.received() != 1 {
			t.Errorf("retry of a maybe-printed job on a printer that cannot say: %v (printer has %d)", err, p.received())
		}
	})
}

func TestJournalTornLine(t *testing.T) {
	dir := t.TempDir()
	s, _ := OpenSpool(dir)
	p := &fakePrinter{}
	j, _ := s.Add(p.String(), Job{Data: []byte("x")}, spoolLabels())
	if err := s.Deliver(context.Background(), p, j); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(filepath.Join(dir, "journal.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2026-`)
	f.Close()
	got, err := s.Journal()
	if err != nil || len(got) != 1 {
		t.Errorf("journal with a torn last line: %v, %v", got, err)
	}
}
