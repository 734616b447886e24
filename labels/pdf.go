package labels

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// SheetOptions say how labels go on sheets.
type SheetOptions struct {
	// Skip leaves the first Skip places of the first sheet empty, to use
	// up a sheet that was partly used before.
	Skip int
	// Outlines draws each label's outline in light grey, for previews on
	// plain paper.
	Outlines bool
	// Date is written as the PDF's creation date; with it the same
	// labels always make the same bytes (the spool tells jobs apart by
	// them). Zero: 1 January 2000.
	Date time.Time
}

const mmPt = 72 / 25.4 // points in a millimetre

// WritePDF writes drawings on sheets of template t, in order, row by row.
// Barcodes and QR codes are vector paths: each symbol one filled path, so
// that no seam between bars or modules can show at any resolution. A QR
// code that several labels carry is written once and placed on each.
func WritePDF(w io.Writer, t *Template, drawings []*Drawing, opt SheetOptions) error {
	per := t.PerPage()
	if per == 0 {
		return fmt.Errorf("template %s has no labels", t.Name)
	}
	if opt.Skip < 0 || opt.Skip >= per {
		return fmt.Errorf("skip %d: template %s has %d labels a sheet", opt.Skip, t.Name, per)
	}
	orient := "P"
	if t.PageW > t.PageH {
		orient = "L"
	}
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: orient, UnitStr: "mm", Size: fpdf.SizeType{Wd: t.PageW, Ht: t.PageH}})
	date := opt.Date
	if date.IsZero() {
		date = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetCatalogSort(true)
	pdf.SetProducer("smartcheck labels", false)
	pdf.SetTitle("smartcheck shelf labels", false)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCompression(true)
	pos := t.Positions()
	var path []byte
	qrs := qrForms{uses: map[qrKey]int{}, forms: map[qrKey]fpdf.Template{}}
	for _, d := range drawings {
		if d.QR != nil {
			qrs.uses[qrKey{d.QR.Data, d.QR.Module}]++
		}
	}
	slot := opt.Skip
	for i, d := range drawings {
		if i == 0 || slot == per {
			pdf.AddPage()
			if slot == per {
				slot = 0
			}
			if opt.Outlines {
				pdf.SetDrawColor(200, 200, 200)
				pdf.SetLineWidth(0.1)
				for _, p := range pos {
					pdf.RoundedRect(p[0], p[1], t.LabelW, t.LabelH, t.Round, "1234", "D")
				}
			}
		}
		ox, oy := pos[slot][0], pos[slot][1]
		slot++
		path = drawPDF(pdf, path[:0], d, ox, oy, t.PageH, qrs)
	}
	if len(drawings) == 0 {
		pdf.AddPage()
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("PDF: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// qrKey names a QR code drawn at one module size.
type qrKey struct {
	data   string
	module float64
}

// qrForms are the QR codes of a PDF that more than one label carries:
// each is written once, as a form XObject (an fpdf template) that every
// label with it places. Products of one maker share a code, and a sheet
// of them is then a fraction of the bytes to write and compress. A code
// on one label only is drawn on the page, as the barcodes are (a form
// costs a stream of its own).
type qrForms struct {
	uses  map[qrKey]int
	forms map[qrKey]fpdf.Template
}

// A qrForm is a QR code's form.
type qrForm struct {
	fpdf.Template
	id string
}

// ID is the template's name, which fpdf otherwise computes (a SHA-1 of
// its content) each time the template is placed or written.
func (f *qrForm) ID() string { return f.id }

func drawPDF(pdf *fpdf.Fpdf, path []byte, d *Drawing, ox, oy, pageH float64, qrs qrForms) []byte {
	if len(d.Boxes) > 0 {
		pdf.SetFillColor(0, 0, 0)
		for _, b := range d.Boxes {
			pdf.Rect(ox+b.X, oy+b.Y, b.W, b.H, "F")
		}
	}
	if d.Barcode != nil {
		path = fillPath(path[:0], d.Barcode.Rects(), ox, pageH-oy)
		pdf.RawWriteStr(string(path))
	}
	if q := d.QR; q != nil {
		k := qrKey{q.Data, q.Module}
		if qrs.uses[k] < 2 {
			path = fillPath(path[:0], q.Rects(), ox, pageH-oy)
			pdf.RawWriteStr(string(path))
		} else {
			// The form is the code with its quiet zone, so that the
			// form's box (which a viewer clips to, written to 1/100 pt)
			// cuts nothing dark.
			quiet := float64(q.Quiet) * q.Module
			side := float64(q.Size)*q.Module + 2*quiet
			form := qrs.forms[k]
			if form == nil {
				// The modules from the form's top-left corner, in points
				// from its bottom-left corner.
				path = fillPath(path[:0], (&PlacedQR{Matrix: q.Matrix, X: quiet, Y: quiet, Module: q.Module}).Rects(), 0, side)
				tpl := pdf.CreateTemplateCustom(fpdf.PointType{}, fpdf.SizeType{Wd: side, Ht: side}, func(t *fpdf.Tpl) {
					t.RawWriteStr(string(path))
				})
				form = &qrForm{Template: tpl, id: tpl.ID()}
				qrs.forms[k] = form
			}
			pdf.UseTemplateScaled(form, fpdf.PointType{X: ox + q.X - quiet, Y: oy + q.Y - quiet}, fpdf.SizeType{Wd: side, Ht: side})
		}
	}
	style, size, white := "?", 0.0, false
	pdf.SetTextColor(0, 0, 0)
	for _, t := range d.Texts {
		s := ""
		if t.Bold {
			s = "B"
		}
		if s != style || t.Size != size {
			pdf.SetFont("Helvetica", s, t.Size)
			style, size = s, t.Size
		}
		if t.White != white {
			if t.White {
				pdf.SetTextColor(255, 255, 255)
			} else {
				pdf.SetTextColor(0, 0, 0)
			}
			white = t.White
		}
		pdf.Text(ox+t.X, oy+t.Y, pdfText(t.S))
	}
	return path
}

// fillPath is a symbol as one path: every bar or run of modules a
// rectangle (x y w h re), filled once (f), with rectangles in mm from
// (ox, top) and the path in points from the bottom of the page or form.
func fillPath(path []byte, rs []Rect, ox, top float64) []byte {
	path = append(path, "0 g\n"...)
	for _, r := range rs {
		path = appendPt(path, (ox+r.X)*mmPt)
		path = appendPt(path, (top-r.Y-r.H)*mmPt)
		path = appendPt(path, r.W*mmPt)
		path = appendPt(path, r.H*mmPt)
		path = append(path, "re\n"...)
	}
	return append(path, "f\n"...)
}

// appendPt writes a coordinate in points to 1/1000 pt (0.35 µm), and a
// space: "12.5 ", "-0.004 ", "3 " (as strconv.AppendFloat would write the
// rounded value, without its float formatting, a third of a PDF's time).
func appendPt(b []byte, v float64) []byte {
	n := int64(v*1000 + 0.5)
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	b = strconv.AppendInt(b, n/1000, 10)
	if f := n % 1000; f != 0 {
		digits := [4]byte{'.', byte('0' + f/100), byte('0' + f/10%10), byte('0' + f%10)}
		k := 4
		for digits[k-1] == '0' {
			k--
		}
		b = append(b, digits[:k]...)
	}
	return append(b, ' ')
}
