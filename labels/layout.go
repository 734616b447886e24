package labels

import (
	"fmt"
	"math"
	"strings"
	"sync"
)

// A Drawing is a label laid out: text and filled shapes, in millimetres
// from the label's top-left corner. The PDF, PNG and ZPL writers draw the
// same Drawing, so a preview shows what prints.
type Drawing struct {
	W, H    float64
	Texts   []Text
	Boxes   []Rect // dark boxes drawn before the text (the DEMO tag)
	Barcode *PlacedLinear
	QR      *PlacedQR
}

// Text is one line of text. X, Y is the left end of its baseline.
type Text struct {
	X, Y  float64
	Size  float64 // points
	Bold  bool
	White bool // on a dark box
	S     string
	Role  string // "hri" for a barcode's digits (the ZPL writer lets the printer draw those)
}

// Rect is a rectangle in millimetres.
type Rect struct{ X, Y, W, H float64 }

// PlacedLinear is the product barcode on a label: bars from X (the first
// bar, after the left quiet zone) and Y (their top), Module wide each.
type PlacedLinear struct {
	*Linear
	X, Y, Module float64
	BarH         float64 // height of ordinary bars
	GuardH       float64 // height of guard bars (EAN/UPC); = BarH otherwise
}

// Rects are the dark bars, each run of dark modules one rectangle.
func (p *PlacedLinear) Rects() []Rect {
	var rs []Rect
	for i := 0; i < len(p.Bars); {
		if !p.Bars[i] {
			i++
			continue
		}
		j, guard := i, false
		for j < len(p.Bars) && p.Bars[j] {
			guard = guard || p.Guards != nil && p.Guards[j]
			j++
		}
		h := p.BarH
		if guard {
			h = p.GuardH
		}
		rs = append(rs, Rect{p.X + float64(i)*p.Module, p.Y, float64(j-i) * p.Module, h})
		i = j
	}
	return rs
}

// Bounds is the symbol with its quiet zones: the area nothing else may
// touch.
func (p *PlacedLinear) Bounds() Rect {
	return Rect{p.X - float64(p.QuietLeft)*p.Module, p.Y, float64(p.Modules()) * p.Module, p.GuardH}
}

// PlacedQR is the QR code on a label: modules from X, Y (the top-left
// dark-able module, inside the quiet zone).
type PlacedQR struct {
	*Matrix
	X, Y, Module float64
}

// Rects are the dark modules, each horizontal run one rectangle.
func (p *PlacedQR) Rects() []Rect {
	var rs []Rect
	for y, row := range p.Dark {
		runs(row, func(a, b int) {
			rs = append(rs, Rect{p.X + float64(a)*p.Module, p.Y + float64(y)*p.Module, float64(b-a) * p.Module, p.Module})
		})
	}
	return rs
}

// Bounds is the code with its quiet zone.
func (p *PlacedQR) Bounds() Rect {
	q := float64(p.Quiet) * p.Module
	s := float64(p.Size) * p.Module
	return Rect{p.X - q, p.Y - q, s + 2*q, s + 2*q}
}

const (
	ptMM   = 25.4 / 72 // one point in millimetres
	edge   = 1.0       // quiet zones stay this far inside the label's edge
	margin = 2.0       // ink stays this far inside (die-cut and feed tolerance)

	minX       = 0.264 // GS1 General Specifications, table 5.2.3.4: EAN/UPC X-dimension at retail POS
	nominalX   = 0.330
	maxX       = 0.660
	minQR      = 0.4 // a phone reads 0.4 mm modules at arm's length
	eanHeightX = 22.85 / 0.33 * 1.0
)

// LayoutOptions say how a label is drawn.
type LayoutOptions struct {
	// Dot is the printer's dot in millimetres (25.4/203 for a 203 dpi
	// thermal printer): module sizes are then whole dots. 0 for PDF.
	Dot float64
}

// Layout lays out l on a label w × h millimetres. It chooses the largest
// text and the barcode X-dimension closest to nominal (0.33 mm) that fit,
// never a barcode below GS1's minimum or with shortened bars; a label too
// small for that is an error.
func Layout(l *Label, w, h float64, opt LayoutOptions) (*Drawing, error) {
	return layout(l, w, h, opt, nil)
}

// symbols remembers the QR codes made for a run of labels: many products
// share a maker's support page, and encoding a QR code (choosing its
// mask) is most of the work of laying out a label.
type symbols struct {
	mu sync.Mutex
	qr map[string]*Matrix
}

func (c *symbols) qrFor(text string) (*Matrix, error) {
	if c == nil {
		return QRFor(text)
	}
	c.mu.Lock()
	m := c.qr[text]
	c.mu.Unlock()
	if m != nil {
		return m, nil
	}
	m, err := QRFor(text)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.qr == nil {
		c.qr = map[string]*Matrix{}
	}
	c.qr[text] = m
	c.mu.Unlock()
	return m, nil
}

func layout(l *Label, w, h float64, opt LayoutOptions, cache *symbols) (*Drawing, error) {
	bar, err := LinearFor(l.GTIN)
	if err != nil {
		return nil, err
	}
	var qr *Matrix
	if l.QR != "" {
		if qr, err = cache.qrFor(l.QR); err != nil {
			return nil, err
		}
	}
	// The codes band is the barcode, the QR code and between them the
	// price and the footer. Side also puts the password and contact lines
	// there, on a label wide enough, to leave the text above room to
	// grow; compact puts the price and the footer among the text rows,
	// when a long barcode leaves no room beside it.
	for _, x := range moduleSizes(opt.Dot, minX, nominalX, maxX) {
		for _, scale := range scales {
			for _, mode := range []layoutMode{modeNormal, modeSide} {
				if d := try(l, bar, qr, w, h, x, scale, opt.Dot, mode); d != nil {
					return d, nil
				}
			}
		}
	}
	for _, x := range moduleSizes(opt.Dot, minX, nominalX, maxX) {
		for _, scale := range scales {
			if d := try(l, bar, qr, w, h, x, scale, opt.Dot, modeCompact); d != nil {
				return d, nil
			}
		}
	}
	return nil, fmt.Errorf("a label of %.1f × %.1f mm is too small for %s's barcode at GS1's minimum size, its QR code and its text", w, h, l.GTIN)
}

// scales are the text sizes tried, largest first, as multiples of the
// smallest comfortable size.
var scales = []float64{2.0, 1.8, 1.6, 1.4, 1.25, 1.1, 1.0, 0.9, 0.8}

type layoutMode uint8

const (
	modeNormal layoutMode = iota
	modeSide
	modeCompact
)

// moduleSizes lists the module sizes to try, best first: from nominal
// down to the minimum, or with a printer dot, whole numbers of dots
// (the smallest at or above the minimum when none is below nominal).
func moduleSizes(dot, lo, nominal, hi float64) []float64 {
	if dot <= 0 {
		var xs []float64
		for x := nominal; x >= lo-1e-9; x -= 0.01 {
			xs = append(xs, x)
		}
		return append(xs, lo)
	}
	var xs []float64
	for k := math.Floor(nominal / dot); k*dot >= lo-1e-9; k-- {
		xs = append(xs, k*dot)
	}
	if len(xs) == 0 {
		if k := math.Ceil(lo/dot - 1e-9); k*dot <= hi {
			xs = append(xs, k*dot)
		}
	}
	return xs
}

func qrModules(dot float64) []float64 {
	if dot <= 0 {
		return []float64{0.6, 0.5, 0.45, 0.4}
	}
	var xs []float64
	k0 := math.Ceil(minQR/dot - 1e-9)
	for k := k0 + 2; k >= k0; k-- {
		xs = append(xs, k*dot)
	}
	return xs
}

// line is a row of text in the layout, before it is placed.
type line struct {
	s          string
	size, min  float64
	bold       bool
	maxLines   int
	lineHeight float64
}

// try lays the label out with bar modules of x mm and text scaled by
// scale; nil when it does not fit.
func try(l *Label, bar *Linear, qr *Matrix, w, h, x, scale, dot float64, mode layoutMode) *Drawing {
	d, why := try1(l, bar, qr, w, h, x, scale, dot, mode)
	if debugLayout != nil {
		debugLayout(x, scale, why)
	}
	return d
}

var debugLayout func(x, scale float64, why string)

func try1(l *Label, bar *Linear, qr *Matrix, w, h, x, scale, dot float64, mode layoutMode) (*Drawing, string) {
	compact, side := mode == modeCompact, mode == modeSide
	d := &Drawing{W: w, H: h}
	iw := w - 2*margin

	// The text block above the codes band.
	y := margin
	titleW := iw
	if l.Demo {
		tag := 7 * scale
		tw := textWidth("DEMO", true, tag) + 2
		th := tag * ptMM * 1.1
		d.Boxes = append(d.Boxes, Rect{w - margin - tw, margin, tw, th})
		d.Texts = append(d.Texts, Text{X: w - margin - tw + 1, Y: margin + th*0.78, Size: tag, Bold: true, White: true, S: "DEMO"})
		titleW -= tw + 1
	}
	var footerRow string
	if compact {
		footerRow = l.Footer
		if l.Shelf != "" {
			footerRow += " · Shelf " + l.Shelf
		}
		if l.Price != "" {
			size, ok := fitSize(l.Price, true, 11*scale, 7, titleW/3)
			if !ok {
				return nil, "no room for the price"
			}
			pw := textWidth(l.Price, true, size)
			d.Texts = append(d.Texts, Text{X: margin + titleW - pw, Y: margin + size*ptMM*0.9, Size: size, Bold: true, S: l.Price})
			titleW -= pw + 1.5
		}
	}
	details := []line{
		{s: l.Note, size: 6 * scale, min: 4.5, bold: true, maxLines: 2},
		{s: l.Passwords, size: 6 * scale, min: 4.5, maxLines: 2},
		{s: l.Contact, size: 6 * scale, min: 4.5, maxLines: 1},
	}
	rows := []line{
		{s: l.Title, size: 9 * scale, min: 6.5, bold: true, maxLines: 2},
		{s: l.Support, size: 7 * scale, min: 5, bold: true, maxLines: 2},
	}
	if !side {
		rows = append(rows, details...)
	}
	rows = append(rows, line{s: footerRow, size: 4.5 * scale, min: 3.8, maxLines: 1})
	for i, r := range rows {
		if r.s == "" {
			continue
		}
		avail := iw
		if i == 0 {
			avail = titleW
		}
		size, ok := fitSize(r.s, r.bold, r.size, r.min, avail)
		var ls []string
		if ok {
			ls = []string{r.s}
		} else {
			size = max(r.min, r.size*0.85)
			ls = wrapText(r.s, r.bold, size, avail)
			if len(ls) > r.maxLines {
				size = r.min
				ls = wrapText(r.s, r.bold, size, avail)
			}
			if len(ls) > r.maxLines {
				return nil, "text too long"
			}
		}
		for _, s := range ls {
			y += size * ptMM * 1.02
			d.Texts = append(d.Texts, Text{X: margin, Y: y, Size: size, Bold: r.bold, S: s})
			y += size * ptMM * 0.22
		}
	}

	// The codes band: barcode at the bottom left, QR code at the bottom right.
	pl := &PlacedLinear{Linear: bar, Module: x}
	var hriSize, symH float64
	switch bar.Symbology {
	case EAN13, UPCA:
		pl.BarH = eanHeightX * x // not truncated: GS1's full height for this X
		pl.GuardH = pl.BarH + 5*x
		hriSize = 9.0 * x / ptMM
		symH = pl.BarH + 8.5*x
	default:
		pl.BarH = max(12.7, 0.25*float64(bar.Modules())*x)
		pl.GuardH = pl.BarH
		hriSize = 7.5 * x / ptMM
		symH = pl.BarH + 0.5 + hriSize*ptMM*0.75
	}
	symW := float64(bar.Modules()) * x
	if symW > w-2*edge {
		return nil, "barcode wider than the label"
	}
	// Horizontal room: the barcode's quiet zone may reach into the
	// margin, down to edge; so may the QR code's.
	barLeft := max(edge+float64(bar.QuietLeft)*x, margin)
	barRight := barLeft + float64(len(bar.Bars))*x + float64(bar.QuietRight)*x
	gapL := barRight + 0.5
	// The QR code: the largest modules that leave room beside the
	// barcode for the price and footer, and are no taller than it.
	minGap := 8.0
	switch mode {
	case modeCompact:
		minGap = -1 // the two quiet zones may touch
	case modeSide:
		minGap = 28
	}
	qrSide, qrM, qrLeft, gapR := 0.0, 0.0, 0.0, w-margin
	if qr != nil {
		ok := false
		for _, m := range qrModules(dot) {
			side := float64(qr.Size) * m
			quiet := 4 * m
			left := min(w-margin, w-edge-quiet) - side
			top := min(h-margin, h-edge-quiet) - side - quiet
			if r := left - quiet - 0.5; r-gapL >= minGap && side <= symH+2 && top >= y+0.4 {
				qrSide, qrM, qrLeft, gapR, ok = side, m, left, r, true
				break
			}
		}
		if !ok {
			return nil, "no room for the QR code"
		}
	}
	gapW := gapR - gapL
	if gapW < minGap {
		return nil, "no room beside the barcode"
	}
	bandTop := h - margin - symH
	if bandTop < y+0.4 {
		return nil, "text too tall"
	}
	if qr != nil {
		// The QR code's quiet zone, above it, is part of the band too.
		bandTop = min(bandTop, min(h-margin, h-edge-4*qrM)-qrSide-4*qrM)
	}
	pl.X = barLeft
	pl.Y = h - margin - symH
	if pl.Y+pl.GuardH > h-margin+1e-9 {
		return nil, "barcode below the margin"
	}
	d.Barcode = pl
	d.Texts = append(d.Texts, hri(pl, hriSize)...)
	if qr != nil {
		bottom := min(h-margin, h-edge-4*qrM) // the quiet zone stays on the label
		d.QR = &PlacedQR{Matrix: qr, X: snap(qrLeft, dot), Y: snap(bottom-qrSide, dot), Module: qrM}
	}

	if !compact {
		// The gap between them: price, then the footer, smallest.
		gy := bandTop
		if l.Price != "" {
			size, ok := fitSize(l.Price, true, 14*scale, 6, gapW)
			if !ok {
				return nil, "no room for the price"
			}
			gy += size * ptMM * 0.9
			d.Texts = append(d.Texts, Text{X: gapL, Y: gy, Size: size, Bold: true, S: l.Price})
			gy += size * ptMM * 0.3
		}
		if side {
			for _, r := range details {
				if r.s == "" {
					continue
				}
				size := min(r.size, 6)
				ls := wrapText(r.s, r.bold, size, gapW)
				if len(ls) > 3 {
					return nil, "details too long for the side"
				}
				for _, s := range ls {
					gy += size * ptMM * 1.02
					d.Texts = append(d.Texts, Text{X: gapL, Y: gy, Size: size, Bold: r.bold, S: s})
					gy += size * ptMM * 0.22
				}
			}
		}
		footer := strings.Split(l.Footer, " · ")
		if l.Shelf != "" {
			footer = append(footer, "Shelf "+l.Shelf)
		}
		fsize := 4.5 * min(scale, 1.25)
		var flines []string
		for _, f := range footer {
			if size, ok := fitSize(f, false, fsize, 3.8, gapW); ok {
				fsize = min(fsize, size)
				continue
			}
			fsize = 3.8
		}
		for _, f := range footer {
			flines = append(flines, wrapText(f, false, fsize, gapW)...)
		}
		fy := h - margin - float64(len(flines)-1)*fsize*ptMM*1.15
		if fy-fsize*ptMM*0.75 < gy+0.3 {
			return nil, "no room for the footer"
		}
		for i, f := range flines {
			d.Texts = append(d.Texts, Text{X: gapL, Y: fy + float64(i)*fsize*ptMM*1.15, Size: fsize, S: f})
		}
	}

	return d, ""
}

// snap rounds v to whole dots.
func snap(v, dot float64) float64 {
	if dot <= 0 {
		return v
	}
	return math.Round(v/dot) * dot
}

// hri is the human-readable text under a barcode, as GS1 places it.
func hri(p *PlacedLinear, size float64) []Text {
	x := p.Module
	base := p.Y + p.BarH + 8*x
	at := func(from, to int, s string) Text {
		// Centre s over modules [from, to).
		mid := p.X + float64(from+to)/2*x
		return Text{X: mid - textWidth(s, false, size)/2, Y: base, Size: size, S: s, Role: "hri"}
	}
	d := p.Data
	switch p.Symbology {
	case EAN13:
		return []Text{
			{X: p.X - x - textWidth(d[:1], false, size), Y: base, Size: size, S: d[:1], Role: "hri"},
			at(3, 45, d[1:7]), at(50, 92, d[7:]),
		}
	case UPCA:
		small := size * 0.75
		return []Text{
			{X: p.X - 2*x - textWidth(d[:1], false, small), Y: base, Size: small, S: d[:1], Role: "hri"},
			at(10, 45, d[1:6]), at(50, 85, d[6:11]),
			{X: p.X + 97*x, Y: base, Size: small, S: d[11:], Role: "hri"},
		}
	case GS1_128:
		d = "(01) " + d
	}
	base = p.Y + p.BarH + 0.5 + size*ptMM*0.72
	return []Text{at(0, len(p.Bars), d)}
}

// fitSize is the largest size from want down to least at which s fits
// in width mm on one line.
func fitSize(s string, bold bool, want, least, width float64) (float64, bool) {
	w := textWidth(s, bold, want)
	if w <= width {
		return want, true
	}
	size := want * width / w
	if size >= least {
		return size, true
	}
	return least, false
}

// wrap breaks s into lines of at most width mm at size; a word longer
// than a line is cut.
func wrapText(s string, bold bool, size, width float64) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		try := word
		if cur != "" {
			try = cur + " " + word
		}
		if textWidth(try, bold, size) <= width {
			cur = try
			continue
		}
		if cur != "" {
			lines = append(lines, cur)
		}
		for textWidth(word, bold, size) > width && len(word) > 1 {
			// A word longer than a line (a web address) breaks after a
			// '/', '.', '@' or '-' where one fits, else where it must.
			r := []rune(word)
			n := len(r) - 1
			for n > 1 && textWidth(string(r[:n]), bold, size) > width {
				n--
			}
			for k := n; k > n/2; k-- {
				if strings.ContainsRune("/.@-", r[k-1]) {
					n = k
					break
				}
			}
			lines = append(lines, string(r[:n]))
			word = string(r[n:])
		}
		cur = word
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
