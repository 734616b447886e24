package labels

import (
	"bytes"
	"context"
	"errors"
	"fmt"
)

// Output says how a run's labels are made: the template, the format
// (pdf, zpl or png) and its options.
type Output struct {
	Template *Template
	Format   string
	DPI      int // for zpl (203 or 300) and png
	Sheet    SheetOptions
}

// MIME is the document format of the output, as IPP names it.
func (o Output) MIME() string {
	switch o.Format {
	case "zpl":
		return "application/vnd.zebra-zpl"
	case "png":
		return "image/png"
	}
	return "application/pdf"
}

// dpi is the resolution the output is made for.
func (o Output) dpi() int {
	switch {
	case o.DPI != 0:
		return o.DPI
	case o.Format == "zpl":
		return 203
	}
	return 300
}

// Layout lays out ls for the output (for ZPL, in whole printer dots).
// errs[i] is a *LayoutError when ls[i] cannot be laid out, and its
// drawing is nil; the others are laid out all the same.
func (o Output) Layout(ls []*Label) ([]*Drawing, []error) {
	var opt LayoutOptions
	if o.Format == "zpl" {
		opt.Dot = ZPLDot(o.dpi())
	}
	return LayoutAll(ls, o.Template, opt)
}

// Write makes the document of laid-out labels: a PDF of sheets, ZPL of
// one label after another, or, for png, a preview of the first label.
func (o Output) Write(ds []*Drawing) ([]byte, error) {
	var b bytes.Buffer
	var err error
	switch o.Format {
	case "pdf", "":
		err = WritePDF(&b, o.Template, ds, o.Sheet)
	case "zpl":
		err = WriteZPL(&b, ds, o.dpi())
	case "png":
		if len(ds) == 0 {
			return nil, fmt.Errorf("no label to preview")
		}
		err = WritePNG(&b, ds[0], o.dpi())
	default:
		err = fmt.Errorf("format %q: want pdf, zpl or png", o.Format)
	}
	return b.Bytes(), err
}

// Render makes the document for ls, or fails when any label cannot be
// laid out (Layout and Write make the others).
func (o Output) Render(ls []*Label) ([]byte, error) {
	ds, err := all(o.Layout(ls))
	if err != nil {
		return nil, err
	}
	return o.Write(ds)
}

// PrintResult says what became of a print.
type PrintResult struct {
	Job     *SpooledJob
	Already bool    // the printer took this very job before: not sent again
	Refused []error // a *LayoutError for each label that could not be laid out: not printed
}

// Print spools the document for made (labels and the items they are for)
// and sends it to p. A label that cannot be laid out is left out, named
// in the result's Refused, and the others are printed. The same labels
// for the same printer are not sent a second time unless again is set; a
// job the printer does not take stays in the spool for Spool.Deliver to
// retry.
func Print(ctx context.Context, s *Spool, p Printer, o Output, items []Item, ls []*Label, again bool) (PrintResult, error) {
	var res PrintResult
	all, errs := o.Layout(ls)
	var ds []*Drawing
	var printed []PrintedLabel
	for i, d := range all {
		if errs[i] != nil {
			res.Refused = append(res.Refused, errs[i])
			continue
		}
		ds = append(ds, d)
		printed = append(printed, Printed(items[i], ls[i]))
	}
	if len(ds) == 0 {
		return res, errors.New("no label could be laid out: nothing to print")
	}
	data, err := o.Write(ds)
	if err != nil {
		return res, err
	}
	j, err := s.Add(p.String(), Job{Format: o.MIME(), Data: data}, printed)
	if err != nil {
		return res, err
	}
	res.Job = j
	if j.State == JobSent {
		if !again {
			res.Already = true
			return res, nil
		}
		if err := s.Again(j); err != nil {
			return res, err
		}
	}
	return res, s.Deliver(ctx, p, j)
}
