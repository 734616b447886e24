package labels

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/user"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Job is a document for a printer, with what a print queue shows of it.
type Job struct {
	Name   string // shown in the queue, and how a retry finds a job that arrived: "smartcheck 3f2a91c4d5e6"
	Format string // MIME type: "application/pdf", "application/vnd.zebra-zpl"; "" for raw bytes
	Data   []byte
}

// JobPrinter is a Printer that takes a named job of a known format and
// says what the printer called it.
type JobPrinter interface {
	Printer
	PrintJob(ctx context.Context, job Job) (id string, err error)
}

// JobFinder is a printer that can say whether a job of a given name
// arrived: after a connection that dropped mid-job, a retry asks before
// sending the job again, so that nothing is printed twice.
type JobFinder interface {
	FindJob(ctx context.Context, name string) (id string, found bool, err error)
}

// Send prints job on p: as a named job where p takes one, else as raw
// bytes. The id is the printer's, or "".
func Send(ctx context.Context, p Printer, job Job) (string, error) {
	if jp, ok := p.(JobPrinter); ok {
		return jp.PrintJob(ctx, job)
	}
	return "", p.Print(ctx, job.Data)
}

// ErrMaybePrinted marks an error after which the job may have reached the
// printer: the connection dropped once the document was on its way.
var ErrMaybePrinted = errors.New("the printer may have the job")

// ippPrinter sends jobs with IPP Print-Job (RFC 8011 §4.2.1), encoded as
// RFC 8010 says, over HTTP.
type ippPrinter struct {
	mu     sync.Mutex
	uri    string // as given, and as the printer-uri attribute
	url    string // the HTTP URL it is posted to
	client *http.Client
}

var ippRequestID atomic.Uint32

func openIPP(uri, rest string) (Printer, error) {
	u, err := url.Parse(uri)
	if err != nil || !strings.HasPrefix(rest, "//") || u.Host == "" || u.User != nil || u.RawQuery != "" {
		return nil, fmt.Errorf("printer %q: want ipp://HOST[:PORT]/PATH, such as ipp://192.0.2.10/ipp/print", uri)
	}
	h := *u
	h.Scheme = "http"
	if strings.EqualFold(u.Scheme, "ipps") {
		h.Scheme = "https"
	}
	if u.Port() == "" {
		h.Host = net.JoinHostPort(u.Hostname(), "631")
	}
	if h.Path == "" {
		h.Path = "/"
	}
	return &ippPrinter{uri: uri, url: h.String(), client: &http.Client{Timeout: writeTimeout + dialTimeout}}, nil
}

func (p *ippPrinter) String() string { return p.uri }

func (p *ippPrinter) Print(ctx context.Context, job []byte) error {
	_, err := p.PrintJob(ctx, Job{Name: "smartcheck", Data: job})
	return err
}

// PrintJob sends one Print-Job request and reads the printer's answer.
func (p *ippPrinter) PrintJob(ctx context.Context, job Job) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	format := job.Format
	if format == "" {
		format = "application/octet-stream"
	}
	var resp *ippResponse
	for wait := 250 * time.Millisecond; ; wait = min(2*wait, 4*time.Second) {
		req := p.request(0x0002, job.Name) // Print-Job
		req.attr(tagMimeMediaType, "document-format", format)
		var err error
		if resp, err = p.do(ctx, req.end(), job.Data); err != nil {
			return "", err
		}
		// A printer busy with another job says so (server-error-busy):
		// ask again shortly, as long as the caller lets us.
		if resp.status != 0x0507 {
			break
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("print to %s: the printer stayed busy: %v", p.uri, ctx.Err())
		case <-time.After(wait):
		}
	}
	if resp.status >= 0x0400 {
		return "", fmt.Errorf("print to %s: the printer refused the job: %s", p.uri, resp.describe())
	}
	id := resp.first("job-id")
	if id == "" {
		return "", fmt.Errorf("print to %s: the printer accepted the job but gave it no job-id", p.uri)
	}
	return id, nil
}

// FindJob asks the printer (Get-Jobs, RFC 8011 §4.2.6) for a job called
// name among all it knows, finished or not.
func (p *ippPrinter) FindJob(ctx context.Context, name string) (string, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	req := p.request(0x000A, "") // Get-Jobs
	req.attr(tagKeyword, "which-jobs", "all")
	req.attr(tagKeyword, "requested-attributes", "job-id")
	req.attr(0, "", "job-name") // an additional value of requested-attributes
	resp, err := p.do(ctx, req.end(), nil)
	if err != nil {
		return "", false, err
	}
	if resp.status >= 0x0400 {
		return "", false, fmt.Errorf("ask %s for its jobs: %s", p.uri, resp.describe())
	}
	for _, j := range resp.groups {
		if j.tag == tagJobGroup && j.get("job-name") == name {
			return j.get("job-id"), true, nil
		}
	}
	return "", false, nil
}

func (p *ippPrinter) request(op uint16, jobName string) *ippEncoder {
	e := &ippEncoder{}
	e.b = append(e.b, 1, 1) // IPP/1.1: every IPP printer speaks it
	e.b = binary.BigEndian.AppendUint16(e.b, op)
	e.b = binary.BigEndian.AppendUint32(e.b, ippRequestID.Add(1))
	e.b = append(e.b, tagOperationGroup)
	e.attr(tagCharset, "attributes-charset", "utf-8")
	e.attr(tagNaturalLanguage, "attributes-natural-language", "en")
	e.attr(tagURI, "printer-uri", p.uri)
	e.attr(tagName, "requesting-user-name", userName())
	if jobName != "" {
		e.attr(tagName, "job-name", jobName)
	}
	return e
}

// do posts an IPP request, with a document after it, and decodes the
// response.
func (p *ippPrinter) do(ctx context.Context, head, doc []byte) (*ippResponse, error) {
	body := io.MultiReader(bytes.NewReader(head), bytes.NewReader(doc))
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, body)
	if err != nil {
		return nil, fmt.Errorf("print to %s: %v", p.uri, err)
	}
	r.ContentLength = int64(len(head) + len(doc))
	r.Header.Set("Content-Type", "application/ipp")
	res, err := p.client.Do(r)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Op == "dial" {
			return nil, fmt.Errorf("print to %s: cannot connect: %v (%s)", p.uri, rootCause(err), connectHint(err))
		}
		return nil, fmt.Errorf("print to %s: the connection failed while sending the job (%v): %w", p.uri, rootCause(err), ErrMaybePrinted)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("print to %s: the printer dropped the connection before answering (%v): %w", p.uri, rootCause(err), ErrMaybePrinted)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("print to %s: HTTP %s: is that the printer's IPP address (such as ipp://HOST/ipp/print)?", p.uri, res.Status)
	}
	resp, err := decodeIPP(data)
	if err != nil {
		return nil, fmt.Errorf("print to %s: unreadable answer: %v", p.uri, err)
	}
	return resp, nil
}

func userName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "smartcheck"
}

// IPP tags (RFC 8010 §3.5).
const (
	tagOperationGroup  = 0x01
	tagJobGroup        = 0x02
	tagEnd             = 0x03
	tagPrinterGroup    = 0x04
	tagUnsupported     = 0x05
	tagInteger         = 0x21
	tagBoolean         = 0x22
	tagEnum            = 0x23
	tagText            = 0x41
	tagName            = 0x42
	tagKeyword         = 0x44
	tagURI             = 0x45
	tagCharset         = 0x47
	tagNaturalLanguage = 0x48
	tagMimeMediaType   = 0x49
)

type ippEncoder struct{ b []byte }

// attr appends an attribute; with tag 0 and no name, another value of the
// previous attribute, as a keyword.
func (e *ippEncoder) attr(tag byte, name, value string) {
	if tag == 0 {
		tag = tagKeyword
	}
	e.b = append(e.b, tag)
	e.b = binary.BigEndian.AppendUint16(e.b, uint16(len(name)))
	e.b = append(e.b, name...)
	e.b = binary.BigEndian.AppendUint16(e.b, uint16(len(value)))
	e.b = append(e.b, value...)
}

func (e *ippEncoder) end() []byte { return append(e.b, tagEnd) }

type ippAttr struct {
	name   string
	tag    byte
	values []string
}

type ippGroup struct {
	tag   byte
	attrs []ippAttr
}

func (g ippGroup) get(name string) string {
	for _, a := range g.attrs {
		if a.name == name && len(a.values) > 0 {
			return a.values[0]
		}
	}
	return ""
}

type ippResponse struct {
	status uint16
	groups []ippGroup
}

func (r *ippResponse) first(name string) string {
	for _, g := range r.groups {
		if v := g.get(name); v != "" {
			return v
		}
	}
	return ""
}

// ippStatus names the status codes (RFC 8011 §B) a label printer is likely
// to answer with.
var ippStatus = map[uint16]string{
	0x0400: "bad request", 0x0401: "forbidden", 0x0402: "not authenticated", 0x0403: "not authorized",
	0x0404: "not possible", 0x0405: "timeout", 0x0406: "not found", 0x0407: "gone",
	0x0408: "request too large", 0x0409: "document too large", 0x040A: "document format not supported",
	0x040B: "attributes or values not supported", 0x040C: "URI scheme not supported",
	0x0500: "internal error", 0x0501: "operation not supported", 0x0502: "service unavailable",
	0x0503: "IPP version not supported", 0x0504: "device error", 0x0505: "temporary error",
	0x0506: "not accepting jobs (is the printer stopped or paused?)", 0x0507: "busy", 0x0508: "job canceled",
}

func (r *ippResponse) describe() string {
	s := ippStatus[r.status]
	if s == "" {
		s = "error"
	}
	s = fmt.Sprintf("%s (IPP status 0x%04x)", s, r.status)
	if m := r.first("status-message"); m != "" {
		s += ": " + m
	}
	return s
}

// decodeIPP reads an IPP response (RFC 8010 §3.1.1).
func decodeIPP(b []byte) (*ippResponse, error) {
	if len(b) < 9 {
		return nil, errors.New("too short")
	}
	r := &ippResponse{status: binary.BigEndian.Uint16(b[2:4])}
	b = b[8:]
	var g *ippGroup
	for len(b) > 0 {
		tag := b[0]
		b = b[1:]
		if tag == tagEnd {
			return r, nil
		}
		if tag < 0x10 {
			r.groups = append(r.groups, ippGroup{tag: tag})
			g = &r.groups[len(r.groups)-1]
			continue
		}
		if g == nil || len(b) < 2 {
			return nil, errors.New("attribute outside a group")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n+2 {
			return nil, errors.New("truncated attribute name")
		}
		name := string(b[2 : 2+n])
		b = b[2+n:]
		vn := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+vn {
			return nil, errors.New("truncated attribute value")
		}
		raw := b[2 : 2+vn]
		b = b[2+vn:]
		var v string
		switch tag {
		case tagInteger, tagEnum:
			if len(raw) == 4 {
				v = fmt.Sprint(int32(binary.BigEndian.Uint32(raw)))
			}
		case tagBoolean:
			v = fmt.Sprint(len(raw) == 1 && raw[0] != 0)
		default:
			v = string(raw)
		}
		if name == "" && len(g.attrs) > 0 {
			a := &g.attrs[len(g.attrs)-1]
			a.values = append(a.values, v)
			continue
		}
		g.attrs = append(g.attrs, ippAttr{name: name, tag: tag, values: []string{v}})
	}
	return nil, errors.New("no end-of-attributes tag")
}
