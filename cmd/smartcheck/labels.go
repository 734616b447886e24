package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/labels"
	"github.com/smartcheck-uk/smartcheck/scan"
	"github.com/smartcheck-uk/smartcheck/tui"
)

// labelsFlags are the flags of `smartcheck labels`.
type labelsFlags struct {
	cf                    catalogFlags
	pf                    policyFlags
	template, format, out string
	printer, csv, price   string
	changed, retry, again bool
	outlines              bool
	dpi, skip             int
}

// labels makes shelf labels:
//
//	smartcheck labels [--template NAME] [--format pdf|zpl|png] [-o FILE | --printer URI]
//	                  [--csv FILE] [--changed] [--retry] [--again] [GTIN...]
//
// Exit status 0 when every product asked for got a label (and it
// printed); 1 when any was refused (each named on standard error with its
// reason), an input could not be read, or printing failed; 2 for a usage
// error.
func (e *env) labels(args []string) error {
	fs := e.newFlags("labels", "[--template NAME] [--format pdf|zpl|png] [-o FILE | --printer URI] [--csv FILE] [--changed] [GTIN...]")
	var f labelsFlags
	f.cf.register(fs)
	f.pf.register(fs)
	fs.StringVar(&f.template, "template", "", "label sheet or size: "+strings.Join(labels.Builtin(), ", ")+", or a gLabels template name (default avery-l7160; roll-102x51 for zpl)")
	fs.StringVar(&f.format, "format", "", "`pdf`, zpl or png (default: from -o's extension, zpl for a socket:// printer, else pdf)")
	fs.StringVar(&f.out, "o", "", "write to `FILE` (- for standard output)")
	fs.StringVar(&f.printer, "printer", "", "print to `URI`: cups:QUEUE, ipp://HOST:PORT/PATH, socket://HOST:9100 (ZPL), file:PATH")
	fs.StringVar(&f.csv, "csv", "", "read products from `FILE`: GTIN, and optionally price, batch, shelf location")
	fs.StringVar(&f.price, "price", "", "the `PRICE` printed on the labels of the GTINs given as arguments (499, 499.99 or £1,299.00)")
	fs.BoolVar(&f.changed, "changed", false, "print only the labels whose text would now differ from what was printed (the journal)")
	fs.BoolVar(&f.retry, "retry", false, "send the jobs waiting in the spool (a printer was off or refused)")
	fs.BoolVar(&f.again, "again", false, "print another copy of labels already printed")
	fs.BoolVar(&f.outlines, "outlines", false, "draw each label's outline (for proofs on plain paper)")
	fs.IntVar(&f.dpi, "dpi", 0, "printer resolution for zpl (`203` or 300) and png (default 300)")
	fs.IntVar(&f.skip, "skip", 0, "leave the first `N` places of the first sheet empty (a part-used sheet)")
	codes, err := parse(fs, args)
	if err != nil {
		return err
	}
	policy, err := f.pf.policy()
	if err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	today, err := f.cf.today()
	if err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	if err := f.check(); err != nil {
		e.errorf("labels: %v", err)
		return errUsage
	}
	spoolDir := filepath.Join(f.cf.stateDir(), "labels")
	if f.retry {
		return e.retryJobs(spoolDir, f.printer, f.again)
	}
	interactive := len(codes) == 0 && f.csv == "" && !f.changed
	if !interactive && f.out == "" && f.printer == "" {
		e.errorf("labels: say where the labels go: -o FILE (- for standard output) or --printer URI")
		return errUsage
	}
	if interactive {
		if err := tui.NeedTerminal(e.stdin); err != nil {
			e.errorf("labels: give GTINs, --csv FILE or --changed; the label screen needs a terminal")
			return errUsage
		}
	}
	var printer labels.Printer
	if f.printer != "" {
		if printer, err = labels.OpenPrinter(f.printer); err != nil {
			e.errorf("--printer: %v", err)
			return errUsage
		}
	}
	tp, err := labels.FindTemplate(f.template, labels.GLabelsDir)
	if err != nil {
		e.errorf("--template: %v", err)
		return errUsage
	}
	out := labels.Output{Template: tp, Format: f.format, DPI: f.dpi, Sheet: labels.SheetOptions{Skip: f.skip, Outlines: f.outlines}}

	// What to label.
	var items []labels.Item
	bad := 0
	for _, code := range codes {
		c, err := scan.Parse(code)
		if err != nil {
			e.errorf("%s: not a product code: %v", code, err)
			bad++
			continue
		}
		items = append(items, labels.Item{GTIN: c.GTIN, Batch: c.Batch, Price: f.price})
	}
	if f.csv != "" {
		csvItems, errs := e.readCSV(f.csv)
		for _, err := range errs {
			e.errorf("%v", err)
			bad++
		}
		items = append(items, csvItems...)
	}

	cat, err := f.cf.open(e.stderr)
	if err != nil {
		return err
	}
	defer cat.Close()
	ctx := labels.Context{Checked: today, CatalogSize: cat.Size(), Demo: cat.demo}

	var spool *labels.Spool
	if printer != nil || f.changed {
		if spool, err = labels.OpenSpool(spoolDir); err != nil {
			return err
		}
	}
	if interactive {
		return tui.RunLabels(tui.LabelsConfig{
			Catalog: cat.Catalog, Demo: cat.demo, Policy: policy, Context: ctx,
			Output: out, Printer: printer, Spool: spool, OutFile: f.out,
		}, e.stdin, e.stdout)
	}

	var journal map[string]labels.PrintedLabel
	if f.changed {
		if journal, err = spool.Journal(); err != nil {
			return err
		}
		if len(items) == 0 {
			for _, p := range journal {
				items = append(items, p.Item())
			}
			sortItems(items)
		}
		if len(items) == 0 {
			fmt.Fprintf(e.stdout, "no labels have been printed yet (the journal in %s is empty)\n", spool.Dir())
			return exitStatus(bad)
		}
	}

	var made []labels.Made
	for _, m := range labels.MakeAll(cat.Catalog, items, policy, ctx) {
		if m.Err != nil {
			bad++
			var re *labels.RefusedError
			if errors.As(m.Err, &re) {
				name := productName(m.Result)
				if p, ok := journal[m.Item.Key()]; ok && f.changed {
					e.errorf("%s%s: %s now: take its label down%s: %s", m.Item.GTIN, name, re.Verdict, shelfWords(p.Shelf), strings.Join(re.Reasons, " "))
				} else {
					e.errorf("%s%s: %s, no label: %s", m.Item.GTIN, name, re.Verdict, strings.Join(re.Reasons, " "))
				}
			} else {
				e.errorf("%s: %v", m.Item.GTIN, m.Err)
			}
			continue
		}
		if f.changed {
			if p, ok := journal[m.Item.Key()]; ok && p.Text == m.Label.Text() {
				continue // what the shelf says is still true
			}
		}
		made = append(made, m)
	}
	if f.changed {
		fmt.Fprintf(e.stdout, "%d of %d labels changed since they were printed\n", len(made), len(items))
	}
	if len(made) == 0 {
		return exitStatus(bad)
	}
	ls := make([]*labels.Label, len(made))
	its := make([]labels.Item, len(made))
	for i, m := range made {
		ls[i], its[i] = m.Label, m.Item
	}

	if printer != nil {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		res, err := labels.Print(c, spool, printer, out, its, ls, f.again)
		hinted := false
		for _, r := range res.Refused {
			e.refusedLayout(r, out, &hinted)
			bad++
		}
		switch {
		case res.Already:
			fmt.Fprintf(e.stdout, "%s already printed on %s as job %s (%s); not printed again: --again prints another copy\n",
				count(len(ls)-len(res.Refused), "label"), printer, jobName(res.Job), res.Job.Sent.In(londonTZ()).Format("2 Jan 2006 15:04"))
		case err != nil:
			e.errorf("%v", err)
			if res.Job != nil {
				fmt.Fprintf(e.stderr, "smartcheck: hint: the job (%s) is kept in %s: `smartcheck labels --retry` sends it\n", res.Job.ID, spool.Dir())
			}
			return exitError(1)
		default:
			fmt.Fprintf(e.stdout, "%s sent to %s as job %s\n", count(len(ls)-len(res.Refused), "label"), printer, jobName(res.Job))
		}
		return exitStatus(bad)
	}
	return e.writeLabels(out, f.out, made, bad)
}

// check validates the flags that do not need the catalog, and fills in
// the format and the template.
func (f *labelsFlags) check() error {
	if f.out != "" && f.printer != "" {
		return errors.New("-o and --printer: choose one")
	}
	if f.format == "" {
		switch ext := strings.ToLower(filepath.Ext(f.out)); {
		case ext == ".zpl":
			f.format = "zpl"
		case ext == ".png":
			f.format = "png"
		case strings.HasPrefix(strings.ToLower(f.printer), "socket:"):
			f.format = "zpl"
		default:
			f.format = "pdf"
		}
	}
	switch f.format {
	case "pdf", "zpl":
	case "png":
		if f.printer != "" {
			return errors.New("png is a preview: write it with -o FILE")
		}
	default:
		return fmt.Errorf("--format %q: want pdf, zpl or png", f.format)
	}
	switch {
	case f.dpi == 0:
	case f.format == "zpl" && f.dpi != 203 && f.dpi != 300:
		return fmt.Errorf("--dpi %d: ZPL printers print at 203 or 300 dpi", f.dpi)
	case f.dpi < 72 || f.dpi > 1200:
		return fmt.Errorf("--dpi %d: want 72 to 1200", f.dpi)
	}
	if f.template == "" {
		f.template = "avery-l7160"
		if f.format == "zpl" {
			f.template = "roll-102x51"
		}
	}
	if _, err := labels.FormatPrice(f.price); err != nil {
		return fmt.Errorf("--price: %v", err)
	}
	if f.skip < 0 {
		return errors.New("--skip must not be negative")
	}
	if f.retry && (f.changed || f.csv != "" || f.out != "") {
		return errors.New("--retry sends what is in the spool: it takes no products, --csv, --changed or -o")
	}
	return nil
}

func (e *env) readCSV(name string) ([]labels.Item, []error) {
	var data []byte
	var err error
	if name == "-" {
		var b bytes.Buffer
		_, err = b.ReadFrom(e.stdin)
		data = b.Bytes()
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, []error{fmt.Errorf("--csv: %v", err)}
	}
	return readItems(name, bytes.NewReader(data))
}

// writeLabels writes the document to a file or standard output. A label
// that cannot be laid out is named on standard error with the reason and
// left out; the others are written (exit 1 at the end). PNG previews are
// one file a label: NAME itself for one label, NAME-1.png, NAME-2.png…
// (in the order of the labels written) for more; every file written is
// named on standard output.
func (e *env) writeLabels(out labels.Output, name string, made []labels.Made, bad int) error {
	write := func(name string, data []byte) error {
		if name == "-" {
			_, err := e.stdout.Write(data)
			return err
		}
		return os.WriteFile(name, data, 0o644)
	}
	ls := make([]*labels.Label, len(made))
	for i, m := range made {
		ls[i] = m.Label
	}
	all, errs := out.Layout(ls)
	var ds []*labels.Drawing
	var kept []labels.Made
	hinted := false
	for i, err := range errs {
		if err != nil {
			e.refusedLayout(err, out, &hinted)
			bad++
			continue
		}
		ds = append(ds, all[i])
		kept = append(kept, made[i])
	}
	if len(ds) == 0 {
		e.errorf("labels: no label could be laid out on %s: nothing written", out.Template.Name)
		return exitError(1)
	}
	if out.Format == "png" {
		if name == "-" && len(ds) > 1 {
			e.errorf("labels: a PNG preview is one label; %d labels need -o FILE.png (one file each: FILE-1.png, FILE-2.png…)", len(ds))
			return exitError(1)
		}
		for i, d := range ds {
			data, err := out.Write([]*labels.Drawing{d})
			if err != nil {
				return err
			}
			n := name
			if len(ds) > 1 {
				n = pngName(name, i+1)
			}
			if err := write(n, data); err != nil {
				return err
			}
			if name != "-" {
				fmt.Fprintf(e.stdout, "%s written to %s: %s%s\n", "label (PNG, "+out.Template.Name+")", n, kept[i].Label.GTIN, productName(kept[i].Result))
			}
		}
		return exitStatus(bad)
	}
	data, err := out.Write(ds)
	if err != nil {
		return err
	}
	if err := write(name, data); err != nil {
		return err
	}
	if name != "-" {
		what := out.Template.Name
		if out.Format == "pdf" {
			per := out.Template.PerPage()
			what = count((len(ds)+out.Sheet.Skip+per-1)/per, "sheet") + " of " + out.Template.Name
		}
		fmt.Fprintf(e.stdout, "%s (%s, %s) written to %s\n", count(len(ds), "label"), strings.ToUpper(out.Format), what, name)
	}
	return exitStatus(bad)
}

// pngName is the file of the nth PNG preview of -o NAME: NAME-n.png.
func pngName(name string, n int) string {
	ext := filepath.Ext(name)
	return fmt.Sprintf("%s-%d%s", strings.TrimSuffix(name, ext), n, ext)
}

// refusedLayout names a label that could not be laid out, and why; the
// first time, with a hint when a larger label would help.
func (e *env) refusedLayout(err error, out labels.Output, hinted *bool) {
	e.errorf("%v", err)
	if !*hinted && out.Template.LabelH < 60 {
		fmt.Fprintf(e.stderr, "smartcheck: hint: a larger label (--template avery-l7165) has room for more text\n")
		*hinted = true
	}
}

// retryJobs sends the jobs waiting in the spool, each to its printer (or
// only those for --printer).
func (e *env) retryJobs(dir, only string, again bool) error {
	spool, err := labels.OpenSpool(dir)
	if err != nil {
		return err
	}
	jobs, err := spool.Unsent()
	if err != nil {
		return err
	}
	failed, sent := 0, 0
	for _, j := range jobs {
		if only != "" && j.Printer != only {
			continue
		}
		p, err := labels.OpenPrinter(j.Printer)
		if err != nil {
			e.errorf("job %s: %v", j.ID, err)
			failed++
			continue
		}
		if again && j.State == labels.JobMaybe {
			if err := spool.Again(j); err != nil {
				e.errorf("%v", err)
				failed++
				continue
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		err = spool.Deliver(ctx, p, j)
		cancel()
		if err != nil {
			e.errorf("%v", err)
			failed++
			continue
		}
		sent++
		fmt.Fprintf(e.stdout, "job %s (%s) sent to %s as job %s\n", j.ID, count(len(j.Labels), "label"), j.Printer, jobName(j))
	}
	if sent == 0 && failed == 0 {
		fmt.Fprintf(e.stdout, "no jobs waiting in %s\n", dir)
	}
	return exitStatus(failed)
}

func exitStatus(bad int) error {
	if bad > 0 {
		return exitError(1)
	}
	return nil
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func jobName(j *labels.SpooledJob) string {
	if j.PrinterJob != "" {
		return j.PrinterJob
	}
	return j.ID
}

func productName(r *catalog.Result) string {
	if r == nil || r.Declaration == nil {
		return ""
	}
	return " (" + catalog.Sanitize(strings.TrimSpace(r.Declaration.Brand+" "+r.Declaration.Model)) + ")"
}

func shelfWords(shelf string) string {
	if shelf == "" {
		return ""
	}
	return " from shelf " + catalog.Sanitize(shelf)
}

func sortItems(items []labels.Item) {
	slices.SortFunc(items, func(a, b labels.Item) int { return strings.Compare(a.Key(), b.Key()) })
}
