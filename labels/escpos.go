package labels

import (
	"image/color"

	"github.com/boombuler/barcode/qr"
)

// ESC/POS commands (Epson ESC/POS Application Programming Guide), the
// subset receipts use.
const (
	esc = 0x1B
	gs  = 0x1D
	lf  = 0x0A
)

// escpos builds an ESC/POS job. Text goes in through text, which encodes
// it for code page WPC1252 and turns anything else into "?": no byte of
// a string can be a command.
type escpos struct{ b []byte }

func (e *escpos) init() {
	e.b = append(e.b, esc, '@')     // ESC @: initialise
	e.b = append(e.b, esc, 't', 16) // ESC t 16: code page WPC1252
}

// align sets justification: 0 left, 1 centre.
func (e *escpos) align(n byte) { e.b = append(e.b, esc, 'a', n) }

func (e *escpos) bold(on bool) { e.b = append(e.b, esc, 'E', b2i(on)) }

// size sets character size: 0 normal, 0x11 double width and height.
func (e *escpos) size(n byte) { e.b = append(e.b, gs, '!', n) }

// line prints one line of already-encoded text.
func (e *escpos) line(enc []byte) {
	e.b = append(e.b, enc...)
	e.b = append(e.b, lf)
}

// feedCut feeds n lines and makes a partial cut (GS V 66 n: feed, then cut).
func (e *escpos) feedCut(n byte) { e.b = append(e.b, gs, 'V', 66, n) }

// qrNative prints data as a QR code with the printer's own encoder
// (GS ( k, function 165 ff.): model 2, module size, error correction M.
func (e *escpos) qrNative(data []byte, module byte) {
	e.b = append(e.b, gs, '(', 'k', 4, 0, 49, 65, 50, 0)  // fn 165: model 2
	e.b = append(e.b, gs, '(', 'k', 3, 0, 49, 67, module) // fn 167: module size in dots
	e.b = append(e.b, gs, '(', 'k', 3, 0, 49, 69, 49)     // fn 169: error correction M
	n := len(data) + 3
	e.b = append(e.b, gs, '(', 'k', byte(n), byte(n>>8), 49, 80, 48) // fn 180: store
	e.b = append(e.b, data...)
	e.b = append(e.b, gs, '(', 'k', 3, 0, 49, 81, 48) // fn 181: print
}

// qrRaster prints data as a QR code drawn here (boombuler/barcode) and sent
// as a raster bit image (GS v 0), for printers without GS ( k. A quiet
// zone of four modules surrounds it, as ISO/IEC 18004 requires.
func (e *escpos) qrRaster(data []byte, module int) error {
	code, err := qr.Encode(string(data), qr.M, qr.Auto)
	if err != nil {
		return err
	}
	const quiet = 4
	n := code.Bounds().Dx()
	dots := (n + 2*quiet) * module
	rowBytes := (dots + 7) / 8
	e.b = append(e.b, gs, 'v', '0', 0, byte(rowBytes), byte(rowBytes>>8), byte(dots), byte(dots>>8))
	row := make([]byte, rowBytes)
	for y := range dots {
		clear(row)
		my := y/module - quiet
		for x := range dots {
			mx := x/module - quiet
			if mx < 0 || my < 0 || mx >= n || my >= n {
				continue
			}
			if dark(code.At(code.Bounds().Min.X+mx, code.Bounds().Min.Y+my)) {
				row[x/8] |= 0x80 >> (x % 8)
			}
		}
		e.b = append(e.b, row...)
	}
	return nil
}

func dark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r+g+b < 3*0x8000
}

func b2i(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// cp1252 maps the runes of Windows-1252's 0x80–0x9F row; U+00A0–U+00FF
// map to themselves and ASCII to itself.
var cp1252 = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87,
	'ˆ': 0x88, '‰': 0x89, 'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E,
	'‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97,
	'˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B, 'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
}

// encode turns text into WPC1252 bytes a printer prints as characters:
// control characters (C0, DEL, C1, so ESC and GS) and anything the code
// page lacks become "?", soft hyphens vanish, and runs of white space
// become one space.
func encode(s string) []byte {
	out := make([]byte, 0, len(s))
	space := false
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if !space && len(out) > 0 {
				out = append(out, ' ')
			}
			space = true
			continue
		case r == '\u00AD':
			continue
		case r > 0x20 && r < 0x7F, r >= 0xA0 && r <= 0xFF:
			out = append(out, byte(r))
		default:
			if c, ok := cp1252[r]; ok {
				out = append(out, c)
			} else {
				out = append(out, '?')
			}
		}
		space = false
	}
	if space && len(out) > 0 && out[len(out)-1] == ' ' {
		out = out[:len(out)-1]
	}
	return out
}

// wrap breaks encoded text into lines of at most width bytes, at spaces
// where it can.
func wrap(text []byte, width int) [][]byte {
	var lines [][]byte
	for len(text) > width {
		cut := -1
		for i := width; i > 0; i-- {
			if text[i] == ' ' {
				cut = i
				break
			}
		}
		if cut <= 0 {
			lines = append(lines, text[:width])
			text = text[width:]
			continue
		}
		lines = append(lines, text[:cut])
		text = text[cut+1:]
	}
	if len(text) > 0 || len(lines) == 0 {
		lines = append(lines, text)
	}
	return lines
}
