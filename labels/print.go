package labels

import (
	"bytes"
	"context"
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

// Render makes the document for ls: a PDF of sheets, ZPL of one label
// after another, or, for png, a preview of the first label.
func (o Output) Render(ls []*Label) ([]byte, error) {
	var b bytes.Buffer
	var err error
	switch o.Format {
	case "pdf", "":
		err = RenderPDF(&b, o.Template, ls, o.Sheet)
	case "zpl":
		dpi := o.DPI
		if dpi == 0 {
			dpi = 203
		}
		err = RenderZPL(&b, o.Template, ls, dpi)
	case "png":
		if len(ls) == 0 {
			return nil, fmt.Errorf("no label to preview")
		}
		dpi := o.DPI
		if dpi == 0 {
			dpi = 300
		}
		err = RenderPNG(&b, o.Template, ls[0], dpi)
	default:
		err = fmt.Errorf("format %q: want pdf, zpl or png", o.Format)
	}
	return b.Bytes(), err
}

// PrintResult says what became of a print.
type PrintResult struct {
	Job     *SpooledJob
	Already bool // the printer took this very job before: not sent again
}

// Print spools the document for made (labels and the items they are for)
// and sends it to p. The same labels for the same printer are not sent a
// second time unless again is set; a job the printer does not take stays
// in the spool for Spool.Deliver to retry.
func Print(ctx context.Context, s *Spool, p Printer, o Output, items []Item, ls []*Label, again bool) (PrintResult, error) {
	data, err := o.Render(ls)
	if err != nil {
		return PrintResult{}, err
	}
	printed := make([]PrintedLabel, len(ls))
	for i, l := range ls {
		printed[i] = Printed(items[i], l)
	}
	j, err := s.Add(p.String(), Job{Format: o.MIME(), Data: data}, printed)
	if err != nil {
		return PrintResult{}, err
	}
	if j.State == JobSent {
		if !again {
			return PrintResult{Job: j, Already: true}, nil
		}
		if err := s.Again(j); err != nil {
			return PrintResult{Job: j}, err
		}
	}
	err = s.Deliver(ctx, p, j)
	return PrintResult{Job: j}, err
}
