package labels

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A Printer takes a finished print job (ESC/POS, ZPL, PDF...) and delivers
// it. Print may be called from several goroutines: jobs are sent one at a
// time, never interleaved.
type Printer interface {
	Print(ctx context.Context, job []byte) error
	// String names the printer as the user gave it, for messages.
	String() string
}

// How long a socket printer may take to accept a connection, and to take
// a whole job.
const (
	dialTimeout  = 5 * time.Second
	writeTimeout = 30 * time.Second
)

// transports maps a URI scheme to what opens it.
var transports = map[string]func(uri, rest string) (Printer, error){
	"socket": openSocket,
	"file":   openFile,
	"cups":   openCUPS,
	"ipp":    openIPP,
	"ipps":   openIPP,
}

// OpenPrinter returns the printer uri names: socket://HOST:PORT, an
// absolute device path such as /dev/usb/lp0, file:PATH, cups:QUEUE (a
// CUPS queue, through lp) or ipp://HOST[:PORT]/PATH (IPP). It checks the
// form of the URI only; whether the printer is there is found out when
// printing.
func OpenPrinter(uri string) (Printer, error) {
	if strings.HasPrefix(uri, "/") {
		return &devicePrinter{path: uri}, nil
	}
	scheme, rest, ok := strings.Cut(uri, ":")
	if open, known := transports[strings.ToLower(scheme)]; ok && known {
		return open(uri, rest)
	}
	var schemes []string
	for s := range transports {
		schemes = append(schemes, s+":")
	}
	slices.Sort(schemes)
	return nil, fmt.Errorf("printer %q: want socket://HOST:PORT, a device path such as /dev/usb/lp0, file:PATH, cups:QUEUE or ipp://HOST/PATH (known schemes: %s)",
		uri, strings.Join(schemes, ", "))
}

// socketPrinter sends raw jobs over TCP.
type socketPrinter struct {
	mu   sync.Mutex
	uri  string
	addr string
}

func openSocket(uri, rest string) (Printer, error) {
	u, err := url.Parse(uri)
	if err != nil || !strings.HasPrefix(rest, "//") || u.Host == "" || u.Port() == "" || (u.Path != "" && u.Path != "/") || u.User != nil {
		return nil, fmt.Errorf("printer %q: want socket://HOST:PORT, such as socket://192.0.2.10:9100", uri)
	}
	return &socketPrinter{uri: uri, addr: u.Host}, nil
}

func (p *socketPrinter) String() string { return p.uri }

func (p *socketPrinter) Print(ctx context.Context, job []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return fmt.Errorf("print to %s: cannot connect: %v (%s)", p.uri, rootCause(err), connectHint(err))
	}
	defer conn.Close()
	deadline := time.Now().Add(writeTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	conn.SetDeadline(deadline)
	if _, err := conn.Write(job); err != nil {
		return maybePrinted{fmt.Errorf("print to %s: sending the job failed: %v", p.uri, rootCause(err))}
	}
	// Closing our side tells the printer the job is complete.
	if tc, ok := conn.(*net.TCPConn); ok {
		if err := tc.CloseWrite(); err != nil {
			return fmt.Errorf("print to %s: %v", p.uri, rootCause(err))
		}
	}
	return nil
}

func connectHint(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing is listening there: is the printer switched on, and is that its address and port?"
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return "no answer: is the printer on this network?"
	}
	return "check the printer's address"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// rootCause strips the "dial tcp ...:" layers that repeat the address.
func rootCause(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		var se *os.SyscallError
		if errors.As(oe.Err, &se) {
			return se.Err
		}
		return oe.Err
	}
	return err
}

// devicePrinter writes jobs to a device file such as /dev/usb/lp0.
type devicePrinter struct {
	mu   sync.Mutex
	path string
}

func (p *devicePrinter) String() string { return p.path }

func (p *devicePrinter) Print(ctx context.Context, job []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Never O_CREATE: a mistyped device path must not become a file.
	f, err := os.OpenFile(p.path, os.O_WRONLY|os.O_APPEND, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("print to %s: no such device: is the printer plugged in and switched on?", p.path)
	}
	if err != nil {
		return fmt.Errorf("print to %s: %v", p.path, pathCause(err))
	}
	return writeClose(p.path, f, job)
}

// filePrinter appends jobs to a file.
type filePrinter struct {
	mu        sync.Mutex
	uri, path string
}

func openFile(uri, rest string) (Printer, error) {
	path := rest
	if h, ok := strings.CutPrefix(rest, "//"); ok {
		// file:///abs/path or file://localhost/abs/path
		host, p, _ := strings.Cut(h, "/")
		if host != "" && host != "localhost" {
			return nil, fmt.Errorf("printer %q: a file: printer must be on this machine", uri)
		}
		path = "/" + p
	}
	if path == "" || path == "/" {
		return nil, fmt.Errorf("printer %q: want file:PATH", uri)
	}
	return &filePrinter{uri: uri, path: path}, nil
}

func (p *filePrinter) String() string { return p.uri }

func (p *filePrinter) Print(ctx context.Context, job []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	f, err := os.OpenFile(p.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("print to %s: %v", p.uri, pathCause(err))
	}
	return writeClose(p.uri, f, job)
}

func writeClose(name string, f *os.File, job []byte) error {
	_, err := f.Write(job)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("print to %s: %v", name, pathCause(err))
	}
	return nil
}

// pathCause drops the path an *fs.PathError repeats.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// maybePrinted marks an error after part of a job reached the printer
// (errors.Is(err, ErrMaybePrinted)), keeping its message.
type maybePrinted struct{ error }

func (m maybePrinted) Is(target error) bool { return target == ErrMaybePrinted }
func (m maybePrinted) Unwrap() error        { return m.error }
