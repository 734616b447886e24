package labels

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// cupsPrinter prints through a CUPS queue with the lp command, as a
// person would: `lp -d QUEUE`. cups:QUEUE@HOST:PORT names a queue on
// another CUPS server (lp -h).
type cupsPrinter struct {
	mu           sync.Mutex
	uri          string
	queue, host  string
	lp           string // the lp command; "lp" unless a test says otherwise
	extraOptions []string
}

var validQueue = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,127}$`)

func openCUPS(uri, rest string) (Printer, error) {
	queue, host, _ := strings.Cut(rest, "@")
	if !validQueue.MatchString(queue) || strings.HasPrefix(rest, "/") || host != "" && strings.ContainsAny(host, " /\\") {
		return nil, fmt.Errorf("printer %q: want cups:QUEUE or cups:QUEUE@HOST:PORT, with the queue's name as `lpstat -p` lists it", uri)
	}
	return &cupsPrinter{uri: uri, queue: queue, host: host, lp: "lp"}, nil
}

func (p *cupsPrinter) String() string { return p.uri }

func (p *cupsPrinter) Print(ctx context.Context, job []byte) error {
	_, err := p.PrintJob(ctx, Job{Name: "smartcheck", Data: job})
	return err
}

var lpRequestID = regexp.MustCompile(`request id is (\S+)`)

// PrintJob hands the job to lp on its standard input. A PDF goes to the
// queue's filters with the page at its true size (print-scaling=none:
// labels must land on the sheet's die-cut places); anything else, such
// as ZPL for a thermal printer, is sent raw.
func (p *cupsPrinter) PrintJob(ctx context.Context, job Job) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	path, err := exec.LookPath(p.lp)
	if err != nil {
		return "", fmt.Errorf("print to %s: the lp command is not installed (Debian package cups-client): %v", p.uri, err)
	}
	var args []string
	if p.host != "" {
		args = append(args, "-h", p.host) // before -d: lp looks the queue up on the server it has then
	}
	args = append(args, "-d", p.queue)
	if job.Name != "" {
		args = append(args, "-t", job.Name)
	}
	if job.Format == "application/pdf" {
		args = append(args, "-o", "print-scaling=none")
	} else {
		args = append(args, "-o", "raw")
	}
	args = append(args, p.extraOptions...)
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin = bytes.NewReader(job.Data)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return "", fmt.Errorf("print to %s: lp: %v", p.uri, err)
		}
		// lp says a queue "does not exist" when it cannot reach the
		// server at all: say which it is.
		if server, up := p.serverUp(); !up {
			return "", fmt.Errorf("print to %s: the CUPS server %s is not answering: is cupsd running, and is that its address?", p.uri, server)
		}
		return "", fmt.Errorf("print to %s: CUPS refused the job: %s%s", p.uri, msg, cupsHint(msg))
	}
	m := lpRequestID.FindSubmatch(stdout.Bytes())
	if m == nil {
		return "", nil
	}
	return string(m[1]), nil
}

func cupsHint(msg string) string {
	switch {
	case strings.Contains(msg, "does not exist"), strings.Contains(msg, "not found"):
		return " (lpstat -p lists the queues)"
	case strings.Contains(msg, "not accepting"):
		return " (cupsaccept QUEUE lets it take jobs again)"
	case strings.Contains(msg, "connect"), strings.Contains(msg, "Connection refused"), strings.Contains(msg, "not running"):
		return " (is the CUPS server, cupsd, running?)"
	}
	return ""
}

// FindJob asks the CUPS server, over IPP, for a job of this queue called
// name (lp -t sets it).
func (p *cupsPrinter) FindJob(ctx context.Context, name string) (string, bool, error) {
	host := p.host
	if host == "" {
		host = "localhost:631"
	}
	ipp, err := openIPP("ipp://"+host+"/printers/"+p.queue, "//"+host+"/printers/"+p.queue)
	if err != nil {
		return "", false, err
	}
	id, ok, err := ipp.(*ippPrinter).FindJob(ctx, name)
	if ok {
		id = p.queue + "-" + id
	}
	return id, ok, err
}

// serverUp reports whether the CUPS server lp talks to takes connections.
func (p *cupsPrinter) serverUp() (string, bool) {
	server := p.host
	if server == "" {
		server = os.Getenv("CUPS_SERVER")
	}
	if server == "" || strings.HasPrefix(server, "/") {
		sock := server
		if sock == "" {
			sock = "/run/cups/cups.sock"
		}
		if c, err := net.DialTimeout("unix", sock, time.Second); err == nil {
			c.Close()
			return sock, true
		}
		if server != "" {
			return sock, false
		}
		server = "localhost:631"
	}
	if !strings.Contains(server, ":") {
		server += ":631"
	}
	c, err := net.DialTimeout("tcp", server, 2*time.Second)
	if err != nil {
		return server, false
	}
	c.Close()
	return server, true
}
