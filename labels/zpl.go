package labels

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// ZPLDot is the dot of a thermal printer of dpi dots per inch (203 or
// 300), in millimetres: lay labels out with it for WriteZPL.
func ZPLDot(dpi int) float64 { return 25.4 / float64(dpi) }

// WriteZPL writes each drawing as one ZPL II label (^XA … ^XZ) for a
// printer of dpi dots per inch. Barcodes and QR codes use the printer's
// own commands, so it draws them at its resolution: EAN-13 (^BE), UPC-A
// as the same bars through ^BE with its leading 0, ITF-14 (^B2) and
// GS1-128 (^BC with FNC1); QR codes (^BQ) at error level M. Text is
// font 0 in UTF-8 (^CI28), every field hex-escaped (^FH) so that no
// catalog text can become a command.
func WriteZPL(w io.Writer, ds []*Drawing, dpi int) error {
	if dpi != 203 && dpi != 300 && dpi != 600 {
		return fmt.Errorf("ZPL: %d dpi: want 203, 300 or 600", dpi)
	}
	dpmm := float64(dpi) / 25.4
	dots := func(mm float64) int { return int(math.Round(mm * dpmm)) }
	var b strings.Builder
	for _, d := range ds {
		b.WriteString("^XA\n^CI28\n^LH0,0\n")
		fmt.Fprintf(&b, "^PW%d\n^LL%d\n", dots(d.W), dots(d.H))
		for _, r := range d.Boxes {
			t := min(dots(r.W), dots(r.H))
			fmt.Fprintf(&b, "^FO%d,%d^GB%d,%d,%d^FS\n", dots(r.X), dots(r.Y), dots(r.W), dots(r.H), t)
		}
		if p := d.Barcode; p != nil {
			m := dots(p.Module)
			h := dots(p.BarH)
			fmt.Fprintf(&b, "^FO%d,%d^BY%d,3,%d", dots(p.X), dots(p.Y), m, h)
			switch p.Symbology {
			case EAN13:
				fmt.Fprintf(&b, "^BEN,%d,Y,N^FD%s^FS\n", h, p.Data[:12])
			case UPCA:
				fmt.Fprintf(&b, "^BEN,%d,Y,N^FD0%s^FS\n", h, p.Data[:11])
			case ITF14:
				fmt.Fprintf(&b, "^B2N,%d,Y,N,N^FD%s^FS\n", h, p.Data)
			case GS1_128:
				fmt.Fprintf(&b, "^BCN,%d,Y,N,N^FD>;>801%s^FS\n", h, p.Data)
			}
		}
		if q := d.QR; q != nil {
			// ^BQ draws its symbol as far below the field origin as the
			// ^BY bar height: back to the printer's default (10 dots) first.
			fmt.Fprintf(&b, "^BY2,3,10^FO%d,%d^BQN,2,%d^FH^FDMA,%s^FS\n", dots(q.X), max(0, dots(q.Y)-10), dots(q.Module), zplEscape(q.Data))
		}
		for _, t := range d.Texts {
			if t.Role == "hri" {
				continue // the printer draws a barcode's digits
			}
			h := dots(t.Size * ptMM)
			top := dots(t.Y - t.Size*ptMM*0.78)
			fmt.Fprintf(&b, "^FO%d,%d^A0N,%d,%d", dots(t.X), max(0, top), h, h)
			if t.White {
				b.WriteString("^FR")
			}
			fmt.Fprintf(&b, "^FH^FD%s^FS\n", zplEscape(t.S))
		}
		b.WriteString("^XZ\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// zplEscape makes text safe in a ^FH field: the command prefixes ^ and
// ~, the escape character _ itself, and any control character become
// hex escapes.
func zplEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '^' || r == '~' || r == '_' || r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "_%02X", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
