package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/scan"
)

func (e *env) lookup(args []string) error {
	fs := e.newFlags("lookup", "[--json] [--support-ended=stop|caution] [--caution-months N] CODE...")
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
	rc := catalog.CatalogReport(cat.Checkpoint, cat.demo)
	if !*asJSON {
		fmt.Fprintf(e.stdout, "catalog: %s\n", cat.describe())
	}
	enc := json.NewEncoder(jsonSafeWriter{e.stdout})
	enc.SetEscapeHTML(false)
	bad := 0
	for _, input := range codes {
		code, err := scan.Parse(input)
		if err != nil {
			bad++
			why := err.Error()
			if !strings.HasPrefix(why, "not a product code") {
				why = "not a product code: " + why
			}
			e.errorf("%s: %s", input, why)
			if *asJSON {
				enc.Encode(catalog.ErrorReport{Input: input, Error: err.Error(), Catalog: rc})
			}
			continue
		}
		r := cat.Judge(catalog.Query{GTIN: code.GTIN, Batch: code.Batch, Today: today, Policy: policy})
		if *asJSON {
			out := withProof{Report: r.Report(input, rc)}
			if *withProofs && r.Index >= 0 {
				if out.Proof, err = proveDeclaration(cat, r.Index); err != nil {
					return fmt.Errorf("lookup: %s: %w", input, err)
				}
			}
			if err := enc.Encode(out); err != nil {
				return err
			}
			continue
		}
		writeResult(e.stdout, input, r)
	}
	if bad > 0 {
		return exitError(1)
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
// replace written as a \uXXXX escape instead: the same JSON value, but no
// bidirectional or C1 control character reaches a terminal that shows it.
// (encoding/json already escapes C0 controls.)
type jsonSafeWriter struct{ w io.Writer }

func (j jsonSafeWriter) Write(p []byte) (int, error) {
	var b strings.Builder
	for _, r := range string(p) {
		// Raw LFs end the encoder's lines: a JSON string never holds one.
		if r != '\n' && r != utf8.RuneError && catalog.Sanitize(string(r)) != string(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	if _, err := io.WriteString(j.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}
