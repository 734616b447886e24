package labels

import (
	"sync"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/text/encoding/charmap"
)

// Text is set in Helvetica, one of the PDF core fonts every viewer and
// printer has, in code page 1252 (as fpdf encodes core fonts). Widths
// come from fpdf's own metrics, so what the layout measures is what the
// PDF draws.
var fontMetrics = sync.OnceValue(func() *metrics {
	m := &metrics{}
	pdf := fpdf.New("P", "mm", "A4", "")
	for i, style := range []string{"", "B"} {
		pdf.SetFont("Helvetica", style, 1000/ptMM) // 1 mm = the width at 1000 units
		for c := range 256 {
			m.w[i][c] = pdf.GetStringWidth(string([]byte{byte(c)})) / 1000
		}
	}
	return m
})

type metrics struct {
	tr func(string) string // UTF-8 to code page 1252
	w  [2][256]float64     // width in em of each byte, regular and bold
}

// pdfText is s as the PDF's core fonts encode it; a character the code
// page lacks becomes "?".
func pdfText(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			b := make([]byte, 0, len(s))
			for _, r := range s {
				c, ok := charmap.Windows1252.EncodeRune(r)
				if !ok {
					c = '?'
				}
				b = append(b, c)
			}
			return string(b)
		}
	}
	return s
}

// textWidth is the width of s in mm at size points.
func textWidth(s string, bold bool, size float64) float64 {
	return emWidth(0, s, bold) * size * ptMM
}

// emWidth is em plus the width of s in ems, added a byte at a time, so
// that the width of a line can be summed word by word to the same sum.
func emWidth(em float64, s string, bold bool) float64 {
	m := fontMetrics()
	b := 0
	if bold {
		b = 1
	}
	enc := pdfText(s)
	for i := 0; i < len(enc); i++ {
		em += m.w[b][enc[i]]
	}
	return em
}
