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
	"sync/atomic"

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

// stdin answers each line of r as it comes. It never waits for more input
// with a line unanswered: it takes the lines already read (at least one,
// at most 256), looks them up on every core, writes their answers in
// order (standard output is not buffered), and only then reads on. A
// program can so keep one lookup running, write a code and read its
// answer; a file of codes is answered as fast as the cores allow.
func (l *lookuper) stdin(r io.Reader) error {
	br := bufio.NewReaderSize(r, maxLine)
	for {
		var lines []inputLine
		var readErr error
		for len(lines) == 0 || len(lines) < 256 && lineWaiting(br) {
			line, err := readLine(br)
			if line != nil {
				lines = append(lines, *line)
			}
			if err != nil {
				readErr = err
				break
			}
		}
		for _, a := range l.lookAll(lines) {
			if err := l.answer(a); err != nil {
				return err
			}
		}
		if readErr == io.EOF {
			return nil
		}
		if readErr != nil {
			return fmt.Errorf("read standard input: %w", readErr)
		}
	}
}

// lineWaiting reports whether a whole line is already in br's buffer.
func lineWaiting(br *bufio.Reader) bool {
	b, _ := br.Peek(br.Buffered())
	return bytes.IndexByte(b, '\n') >= 0
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

// lookAll looks inputs up, on every core when there are several.
func (l *lookuper) lookAll(inputs []inputLine) []lookup.Answer {
	out := make([]lookup.Answer, len(inputs))
	look := func(i int) {
		if in := inputs[i]; in.long {
			out[i] = lookup.Answer{Input: in.text + "…", Err: fmt.Errorf("not a product code: longer than %d bytes", maxLine), Catalog: l.rc}
			return
		}
		out[i] = lookup.Look(l.cat.Catalog, l.rc, inputs[i].text, l.q)
	}
	workers := min(len(inputs), runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := range inputs {
			look(i)
		}
		return out
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(inputs); i = int(next.Add(1)) - 1 {
				look(i)
			}
		})
	}
	wg.Wait()
	return out
}

// one answers input.
func (l *lookuper) one(input string) error {
	return l.answer(lookup.Look(l.cat.Catalog, l.rc, input, l.q))
}

func (l *lookuper) answer(a lookup.Answer) error {
	if a.Err != nil {
		l.bad++
		why := a.Err.Error()
		if !strings.HasPrefix(why, "not a product code") {
			why = "not a product code: " + why
		}
		l.e.errorf("%s: %s", a.Input, why)
	}
	if l.asJSON {
		if l.proofs && a.Result != nil && a.Result.Index >= 0 {
			p, err := proveDeclaration(l.cat, a.Result.Index)
			if err != nil {
				return fmt.Errorf("lookup: %s: %w", a.Input, err)
			}
			a.Proof = p
		}
		b, err := a.JSON()
		if err != nil {
			return err
		}
		_, err = l.e.stdout.Write(append(b, '\n'))
		return err
	}
	if a.Err == nil {
		writeResult(l.e.stdout, a.Input, a.Result)
	}
	return nil
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
