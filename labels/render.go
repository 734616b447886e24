package labels

import (
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// Made is the outcome of making one item's label: a label, or why not.
type Made struct {
	Item   Item
	Result *catalog.Result
	Label  *Label
	Err    error // a *RefusedError, or a bad item
}

// MakeAll judges each item against cat and makes its label.
func MakeAll(cat *catalog.Catalog, items []Item, policy catalog.Policy, ctx Context) []Made {
	out := make([]Made, len(items))
	for i, it := range items {
		res := cat.Judge(catalog.Query{GTIN: it.GTIN, Batch: it.Batch, Today: ctx.Checked, Policy: policy})
		l, err := Make(res, it, ctx)
		out[i] = Made{Item: it, Result: res, Label: l, Err: err}
	}
	return out
}

// LayoutError says why one label could not be laid out on a template:
// that label is left out, and the others are made.
type LayoutError struct {
	Index    int    // its place in the labels asked for
	GTIN     string // the product's
	Template string
	Err      error
}

func (e *LayoutError) Error() string {
	return fmt.Sprintf("%s: no label on %s: %v", e.GTIN, e.Template, e.Err)
}

func (e *LayoutError) Unwrap() error { return e.Err }

// LayoutAll lays out labels for template t, on every core. A label that
// cannot be laid out gets a nil drawing and a *LayoutError in errs at
// its index; the others are laid out all the same.
func LayoutAll(ls []*Label, t *Template, opt LayoutOptions) (ds []*Drawing, errs []error) {
	ds = make([]*Drawing, len(ls))
	errs = make([]error, len(ls))
	var cache symbols
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, len(ls)/8)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ls) {
					return
				}
				d, err := layout(ls[i], t.LabelW, t.LabelH, opt, &cache)
				if err != nil {
					errs[i] = &LayoutError{Index: i, GTIN: ls[i].GTIN, Template: t.Name, Err: err}
					continue
				}
				ds[i] = d
			}
		})
	}
	wg.Wait()
	return ds, errs
}

// all returns ds when every label was laid out, else the first error.
func all(ds []*Drawing, errs []error) ([]*Drawing, error) {
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// RenderPDF writes labels on sheets of template t; it fails, writing
// nothing, when any label cannot be laid out (Output.Layout makes the
// others).
func RenderPDF(w io.Writer, t *Template, ls []*Label, opt SheetOptions) error {
	ds, err := all(LayoutAll(ls, t, LayoutOptions{}))
	if err != nil {
		return err
	}
	return WritePDF(w, t, ds, opt)
}

// RenderZPL writes labels as ZPL for a thermal printer of dpi dots per
// inch with labels the size of template t's; like RenderPDF, all or
// nothing.
func RenderZPL(w io.Writer, t *Template, ls []*Label, dpi int) error {
	ds, err := all(LayoutAll(ls, t, LayoutOptions{Dot: ZPLDot(dpi)}))
	if err != nil {
		return err
	}
	return WriteZPL(w, ds, dpi)
}

// RenderPNG writes a preview of one label of template t at dpi.
func RenderPNG(w io.Writer, t *Template, l *Label, dpi int) error {
	d, err := Layout(l, t.LabelW, t.LabelH, LayoutOptions{})
	if err != nil {
		return &LayoutError{GTIN: l.GTIN, Template: t.Name, Err: err}
	}
	return WritePNG(w, d, dpi)
}
