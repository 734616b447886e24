package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/lookup"
)

func (e *env) lookup(args []string) error {
	fs := e.newFlags("lookup", "[--json] [--support-ended=stop|caution] [--caution-months N] CODE... | -")
	var cf catalogFlags
	cf.register(fs)
	asJSON := fs.Bool("json", false, "one JSON object per code per line")
	withProofs := fs.Bool("proof", false, "with --json: add an inclusion proof of the chosen declaration (verify-proof checks it)")
	var pf policyFlags
	pf.register(fs)
	codes, err := parse(fs, args)
	if err != nil {
		return err
	}
	policy, err := pf.policy()
	if err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	if len(codes) == 0 {
		fs.Usage()
		return errUsage
	}
	stdin := len(codes) == 1 && codes[0] == "-"
	if !stdin && slices.Contains(codes, "-") {
		e.errorf("lookup: - (codes from standard input) comes alone, not with other codes")
		return errUsage
	}
	today, err := cf.today()
	if err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	cat, err := cf.open(e.stderr)
	if err != nil {
		return err
	}
	defer cat.Close()
	l := &lookuper{e: e, cat: cat, asJSON: *asJSON, proofs: *withProofs,
		rc: catalog.CatalogReport(cat.Checkpoint, cat.demo), q: lookup.Query{Today: today, Policy: policy}}
	if !l.asJSON {
		fmt.Fprintf(e.stdout, "catalog: %s\n", cat.describe())
	}
	if stdin {
		err = l.stdin(e.stdin)
	} else {
		for _, input := range codes {
			if err = l.one(input); err != nil {
				break
			}
		}
	}
	if err != nil {
		return err
	}
	if l.bad > 0 {
		return exitError(1)
	}
	return nil
}

// lookuper answers codes one at a time against one opened catalog.
type lookuper struct {
	e      *env
	cat    *opened
	rc     *catalog.ReportCatalog
	q      lookup.Query
	asJSON bool
	proofs bool // --proof: each JSON answer carries the inclusion proof of its declaration
	bad    int  // codes that were not product codes
}

// maxLine bounds a line of `lookup -`: no product code comes near it, and
// a longer line is answered as not a product code without being kept.
const maxLine = 4096

// readAhead bounds the lines of `lookup -` read but not yet answered.
const readAhead = 1024

// stdinJob is one line of `lookup -` on its way to standard output.
type stdinJob struct {
	in   inputLine
	a    lookup.Answer
	out  []byte // what standard output shows for it
	err  error  // it could not be rendered
	done chan struct{}
}

// stdin answers each line of r, in order, as fast as the cores allow: one
// goroutine reads lines ahead (at most readAhead unanswered), every core
// looks them up and renders their answers, and the answers are written in
// the order of the lines. Standard output is buffered and flushed
// whenever the next answer is not ready yet: a program that writes a code
// and waits gets its answer at once (no answer waits for more input), and
// a file of codes is written a buffer at a time. A failed write stops the
// reading and the lookups.
func (l *lookuper) stdin(r io.Reader) error {
	order := make(chan *stdinJob, readAhead) // every line, in input order, to the writer
	work := make(chan *stdinJob, readAhead)  // the same lines, to whichever core is free
	quit := make(chan struct{})              // closed when the writer gives up
	var readErr error                        // set before order is closed
	go func() {
		defer close(order)
		defer close(work)
		br := bufio.NewReaderSize(r, maxLine)
		for {
			line, err := readLine(br)
			if line != nil {
				j := &stdinJob{in: *line, done: make(chan struct{})}
				select {
				case order <- j:
				case <-quit:
					return
				}
				select { // never blocks for long: work is as deep as order
				case work <- j:
				case <-quit:
					return
				}
			}
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				return
			}
		}
	}()
	var workers sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		workers.Go(func() {
			for {
				select {
				case j, ok := <-work:
					if !ok {
						return
					}
					j.a = l.look(j.in)
					j.out, j.err = l.render(j.a)
					close(j.done)
				case <-quit:
					return
				}
			}
		})
	}
	err := l.writeInOrder(order)
	if err != nil {
		close(quit) // the reader may stay blocked reading r; it holds nothing
	}
	workers.Wait()
	if err != nil {
		return err
	}
	if readErr != nil {
		return fmt.Errorf("read standard input: %w", readErr)
	}
	return nil
}

// writeInOrder writes the answers of the jobs from order, each once it is
// done, flushing standard output whenever it would otherwise wait.
func (l *lookuper) writeInOrder(order <-chan *stdinJob) error {
	bw := bufio.NewWriterSize(l.e.stdout, 64<<10)
	for {
		var j *stdinJob
		var ok bool
		select {
		case j, ok = <-order:
		default:
			if err := bw.Flush(); err != nil {
				return err
			}
			j, ok = <-order
		}
		if !ok {
			return bw.Flush()
		}
		select {
		case <-j.done:
		default:
			if err := bw.Flush(); err != nil {
				return err
			}
			<-j.done
		}
		if j.err != nil {
			bw.Flush()
			return j.err
		}
		if j.a.Err != nil {
			// Its complaint follows the answers before it.
			if err := bw.Flush(); err != nil {
				return err
			}
			l.complain(j.a)
		}
		if _, err := bw.Write(j.out); err != nil {
			return err
		}
	}
}

// inputLine is one line of standard input, without its line ending.
type inputLine struct {
	text string
	long bool // longer than maxLine: text is its first 64 bytes
}

// readLine reads one line; nil at the end of the input.
func readLine(br *bufio.Reader) (*inputLine, error) {
	line, err := br.ReadSlice('\n')
	got := len(line)
	in := &inputLine{text: strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")}
	if errors.Is(err, bufio.ErrBufferFull) {
		in.text, in.long = in.text[:64], true
		for errors.Is(err, bufio.ErrBufferFull) { // skip the rest of the line
			_, err = br.ReadSlice('\n')
		}
	}
	if got == 0 {
		return nil, err
	}
	return in, err
}

// look looks one line up.
func (l *lookuper) look(in inputLine) lookup.Answer {
	if in.long {
		return lookup.Answer{Input: in.text + "…", Err: fmt.Errorf("not a product code: longer than %d bytes", maxLine), Catalog: l.rc}
	}
	return lookup.Look(l.cat.Catalog, l.rc, in.text, l.q)
}

// one answers input.
func (l *lookuper) one(input string) error {
	a := lookup.Look(l.cat.Catalog, l.rc, input, l.q)
	out, err := l.render(a)
	if err != nil {
		return err
	}
	if a.Err != nil {
		l.complain(a)
	}
	_, err = l.e.stdout.Write(out)
	return err
}

// complain counts a line that is not a product code and says why on
// standard error.
func (l *lookuper) complain(a lookup.Answer) {
	l.bad++
	why := a.Err.Error()
	if !strings.HasPrefix(why, "not a product code") {
		why = "not a product code: " + why
	}
	l.e.errorf("%s: %s", a.Input, why)
}

// render returns what standard output shows for a: its JSON line, or its
// readable block (nothing for an input that is not a product code). It
// is safe to call from several goroutines.
func (l *lookuper) render(a lookup.Answer) ([]byte, error) {
	if l.asJSON {
		if l.proofs && a.Result != nil && a.Result.Index >= 0 {
			p, err := proveDeclaration(l.cat, a.Result.Index)
			if err != nil {
				return nil, fmt.Errorf("lookup: %s: %w", a.Input, err)
			}
			a.Proof = p
		}
		b, err := a.AppendJSON(make([]byte, 0, 2048)) // most answers fit
		if err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	}
	if a.Err != nil {
		return nil, nil
	}
	var buf bytes.Buffer
	writeResult(&buf, a.Input, a.Result)
	return buf.Bytes(), nil
}

// writeResult prints one readable block for a result. Every catalog
// string goes through catalog.Sanitize.
func writeResult(w io.Writer, input string, r *catalog.Result) {
	s := catalog.Sanitize
	fmt.Fprintf(w, "\n%s  %s", s(input), r.Verdict)
	if d := r.Declaration; d != nil {
		fmt.Fprintf(w, "  %s %s (%s)", s(d.Brand), s(d.Model), d.Category)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  gtin       %s", r.GTIN)
	if r.Batch != "" {
		fmt.Fprintf(w, "  batch %s", s(r.Batch))
	}
	fmt.Fprintln(w)
	if d := r.Declaration; d != nil {
		if end := r.Support; end != nil {
			how := ""
			if end.Computed {
				how = fmt.Sprintf(", worked out from %q", s(d.Support.Relative.String()))
			}
			if end.Beyond {
				// Its day cannot be named; 9999-12-31 is still a lower bound.
				left := r.Today.DaysUntil(catalog.MaxDate)
				fmt.Fprintf(w, "  support    until %s (more than %d days left%s)\n", end.Period.Words(), left, how)
			} else {
				left := r.Today.DaysUntil(end.Last)
				when := fmt.Sprintf("%d days left", left)
				if left < 0 {
					when = fmt.Sprintf("ended %d days ago", -left)
				}
				fmt.Fprintf(w, "  support    until %s (%s, %s%s)\n", end.Period.Words(), end.Period, when, how)
			}
		} else {
			switch d.Support.Kind {
			case catalog.SupportNone:
				fmt.Fprintf(w, "  support    no period published\n")
			case catalog.SupportRelative:
				fmt.Fprintf(w, "  support    %s (end not known)\n", s(d.Support.Relative.String()))
			}
		}
		fmt.Fprintf(w, "  statement  %s\n", s(d.SupportStatement))
		if c := catalog.BestContact(d.Contacts); c != "" {
			fmt.Fprintf(w, "  contact    %s\n", s(c))
		} else if len(d.Contacts) > 0 {
			fmt.Fprintf(w, "  contact    %q (not a usable address)\n", s(d.Contacts[0]))
		} else {
			fmt.Fprintf(w, "  contact    none published\n")
		}
		fmt.Fprintf(w, "  passwords  %s (%s)\n", catalog.PasswordWords(d.Passwords), d.Passwords)
		fmt.Fprintf(w, "  signed by  %s (%s, %s); declaration %s version %d\n", s(r.Signer.Name), s(r.Signer.Org), r.Signer.Role, s(d.ID), d.Version)
	}
	writeHistory(w, r)
	for _, f := range r.Findings {
		note := ""
		if f.Excepted {
			note = " (not counted: out of scope)"
		}
		fmt.Fprintf(w, "  %-9s  %s%s [%s; %s]\n             %s\n", f.Verdict, f.Code, note, f.Rule, f.Basis, s(f.Staff))
	}
}

// writeHistory lists every declaration of the GTIN, trusted or not, one
// line each, when there is more than one or any was not used: staff see
// what the verdict chose among, and why the others were left out
// (verdicts.md, "Which declaration"). Notices that were not used follow.
func writeHistory(w io.Writer, r *catalog.Result) {
	s := catalog.Sanitize
	show := len(r.History) > 1
	for _, h := range r.History {
		if h.Ignored != "" || h.Withdrawn != "" {
			show = true
		}
	}
	if show {
		for _, h := range r.History {
			until := "until unknown"
			switch {
			case h.End != nil:
				until = "until " + h.End.Period.String()
			case h.Support.Kind == catalog.SupportNone:
				until = "no period published"
			case h.Support.Kind == catalog.SupportRelative:
				until = "relative period"
			}
			var tags []string
			if h.Chosen {
				tags = append(tags, "chosen")
			}
			if h.Ignored != "" {
				tags = append(tags, "ignored: "+s(h.Ignored))
			}
			if h.Withdrawn != "" {
				tags = append(tags, "withdrawn: "+s(h.Withdrawn))
			}
			tag := ""
			if len(tags) > 0 {
				tag = " [" + strings.Join(tags, "; ") + "]"
			}
			fmt.Fprintf(w, "  history    #%d %s v%d %s by %s%s\n", h.Index, s(h.ID), h.Version, until, signerText(h.Signer), tag)
		}
	}
	for _, ir := range r.Ignored {
		if strings.HasPrefix(ir.What, "notice ") {
			fmt.Fprintf(w, "  ignored    #%d %s by %s: %s\n", ir.Index, s(ir.What), s(ir.Signer), s(ir.Why))
		}
	}
}

// signerText names a key for staff: its name, and its org and role when
// the catalog registers it.
func signerText(si catalog.SignerInfo) string {
	s := catalog.Sanitize
	switch {
	case si.Name == "":
		return "an unknown key"
	case si.Org == "":
		return s(si.Name)
	}
	return fmt.Sprintf("%s (%s, %s)", s(si.Name), s(si.Org), s(si.Role))
}

// jsonSafeWriter writes JSON text with every character the sanitiser would
// replace written as a \uXXXX escape instead (lookup.EscapeControls): the
// same JSON value, but no bidirectional or C1 control character reaches a
// terminal that shows it.
type jsonSafeWriter struct{ w io.Writer }

func (j jsonSafeWriter) Write(p []byte) (int, error) {
	if _, err := j.w.Write(lookup.EscapeControls(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
