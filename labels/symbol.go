package labels

import (
	"fmt"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/code128"
	"github.com/boombuler/barcode/ean"
	"github.com/boombuler/barcode/qr"
	"github.com/boombuler/barcode/twooffive"
)

// Symbology is the kind of barcode a label carries for its product.
type Symbology uint8

const (
	EAN13   Symbology = iota // GTIN-13
	UPCA                     // GTIN-12: EAN-13's bars with a leading 0, read as UPC-A
	ITF14                    // GTIN-14 whose indicator digit is not 0
	GS1_128                  // any other GTIN (GTIN-8): (01) and the GTIN-14 in Code 128 with FNC1
)

var symbologyNames = [...]string{"EAN-13", "UPC-A", "ITF-14", "GS1-128"}

func (s Symbology) String() string { return symbologyNames[s] }

// SymbologyFor chooses the barcode for a GTIN-14 as GS1 would for a
// trade item scanned at a till: a GTIN-13 (one leading 0) as EAN-13, a
// GTIN-12 (two) as UPC-A, a GTIN-14 with an indicator digit as ITF-14,
// and a GTIN-8, whose EAN-8 would not hold the GTIN-14 form, as GS1-128.
func SymbologyFor(gtin14 string) Symbology {
	switch {
	case strings.HasPrefix(gtin14, "000000"):
		return GS1_128
	case strings.HasPrefix(gtin14, "00"):
		return UPCA
	case strings.HasPrefix(gtin14, "0"):
		return EAN13
	}
	return ITF14
}

// Linear is a one-dimensional barcode as a run of modules: Bars[i] is
// true for a dark module. Quiet zones are not in Bars: QuietLeft and
// QuietRight say how many light modules must stay clear on each side.
type Linear struct {
	Symbology  Symbology
	Data       string // what a scanner reads: the GTIN-13, GTIN-12 or GTIN-14
	Bars       []bool
	QuietLeft  int
	QuietRight int
	// Guards are the modules of EAN/UPC guard patterns (start, centre,
	// end), whose bars extend below the others.
	Guards []bool
}

// Modules is the symbol's width in modules, quiet zones included.
func (l *Linear) Modules() int { return l.QuietLeft + len(l.Bars) + l.QuietRight }

// LinearFor encodes a GTIN-14 in the symbology SymbologyFor chooses.
func LinearFor(gtin14 string) (*Linear, error) {
	if len(gtin14) != 14 {
		return nil, fmt.Errorf("barcode: %q is not a GTIN-14", gtin14)
	}
	sym := SymbologyFor(gtin14)
	l := &Linear{Symbology: sym}
	var bc barcode.Barcode
	var err error
	switch sym {
	case EAN13:
		l.Data = gtin14[1:]
		bc, err = ean.Encode(l.Data)
		l.QuietLeft, l.QuietRight = 11, 7 // GS1 General Specifications 5.2.3.4
	case UPCA:
		l.Data = gtin14[2:]
		bc, err = ean.Encode(gtin14[1:])
		l.QuietLeft, l.QuietRight = 9, 9
	case ITF14:
		l.Data = gtin14
		bc, err = twooffive.Encode(gtin14, true)
		l.QuietLeft, l.QuietRight = 10, 10
	case GS1_128:
		l.Data = gtin14
		bc, err = code128.Encode("\u00f101" + gtin14) // FNC1 first: a GS1 element string
		l.QuietLeft, l.QuietRight = 10, 10
	}
	if err != nil {
		return nil, fmt.Errorf("barcode %s for %s: %w", sym, gtin14, err)
	}
	w := bc.Bounds().Dx()
	l.Bars = make([]bool, w)
	for x := range w {
		l.Bars[x] = moduleDark(bc, x, 0)
	}
	if sym == EAN13 || sym == UPCA {
		if w != 95 {
			return nil, fmt.Errorf("barcode %s for %s: %d modules, want 95", sym, gtin14, w)
		}
		l.Guards = make([]bool, w)
		for x := range w {
			l.Guards[x] = x < 3 || x >= 45 && x < 50 || x >= 92
			if sym == UPCA && (x < 10 || x >= 85) {
				// UPC-A's first and last digits' bars are as long as the guards.
				l.Guards[x] = true
			}
		}
	}
	return l, nil
}

func moduleDark(bc barcode.Barcode, x, y int) bool {
	r, _, _, _ := bc.At(bc.Bounds().Min.X+x, bc.Bounds().Min.Y+y).RGBA()
	return r < 0x8000
}

// Matrix is a QR code: Dark[y][x] for each module, and the quiet zone
// around it in modules.
type Matrix struct {
	Data  string
	Size  int
	Dark  [][]bool
	Quiet int
}

// QRFor encodes text as a QR code at error correction level M.
func QRFor(text string) (*Matrix, error) {
	bc, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	n := bc.Bounds().Dx()
	m := &Matrix{Data: text, Size: n, Dark: make([][]bool, n), Quiet: 4}
	cells := make([]bool, n*n)
	for y := range n {
		m.Dark[y] = cells[y*n : (y+1)*n]
		for x := range n {
			m.Dark[y][x] = moduleDark(bc, x, y)
		}
	}
	return m, nil
}

// runs calls f for each run of dark modules in row, as [start, end).
func runs(row []bool, f func(start, end int)) {
	for i := 0; i < len(row); {
		if !row[i] {
			i++
			continue
		}
		j := i
		for j < len(row) && row[j] {
			j++
		}
		f(i, j)
		i = j
	}
}
