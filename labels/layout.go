package labels

import (
	"fmt"
	"math"
	"slices"
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

	// A shelf label's barcode is for the till and the stock-taker's
	// scanner, not for the shopper, so it is printed as small as GS1
	// allows and the label is left to what the shopper reads. GS1 General
	// Specifications, §5.12.3.1, Symbol Specification Table 1 (trade
	// items scanned at general retail POS): EAN/UPC X-dimension 0.264 mm
	// minimum (80 % magnification), 0.330 mm nominal, 0.660 mm maximum;
	// bar height 22.85 mm at nominal X, scaled with X (18.28 mm at the
	// minimum) and never truncated. On a thermal printer the module is
	// the fewest whole dots at or above the minimum (3 dots, 0.375 mm, at
	// 203 dpi; 4 dots, 0.339 mm, at 300 dpi).
	minX       = 0.264
	maxX       = 0.660
	eanHeightX = 22.85 / 0.33 // EAN/UPC bar height in modules
	minQR      = 0.4          // a phone reads 0.4 mm modules at arm's length

	leading = 1.05 // line pitch in ems
	ascent  = 0.78 // baseline below a line's top, in ems
)

// Caption is printed by the QR code, which holds the disclosure contact.
const Caption = "Report a security problem"

// LayoutOptions say how a label is drawn.
type LayoutOptions struct {
	// Dot is the printer's dot in millimetres (25.4/203 for a 203 dpi
	// thermal printer): module sizes are then whole dots. 0 for PDF.
	Dot float64
}

// Design is the type sizes, in points, for labels of one size: the same
// for every label of a template, so that a sheet reads evenly.
type Design struct {
	Headline float64 // the least size of the headline ("Security updates until …"); larger where it fits
	Price    float64 // the price, on every label of the template
	Caption  float64 // the QR code's caption
	Footer   float64 // the day checked, the catalog's size, the shelf
	Small    float64 // the least size of the note, password and contact lines
}

// DesignFor is the design for labels w × h mm: the headline at least
// 10 pt on a 38.1 mm high label (Avery L7160, L7163) and 14 pt from
// 67.7 mm (L7165), in between in proportion; the price as large as the
// headline's least size, so that the headline is always the largest text.
func DesignFor(w, h float64) Design {
	t := min(1, max(0, (h-38.1)/(67.7-38.1)))
	head := 10 + 4*t
	return Design{Headline: head, Price: head, Caption: 6.5 + 1.5*t, Footer: 5 + t, Small: 6.5 + 1.5*t}
}

// Layout lays out l on a label w × h millimetres: the barcode at GS1's
// minimum size bottom left, the QR code of the disclosure contact bottom
// right with its caption, the price above it, and above them the product
// name, the headline ("Security updates until August 2032") as large as
// fits, any note, the password policy and the contact. Text that cannot
// fit is dropped in this order: the password line, then the contact line
// (the QR code still carries the contact); never the headline, the note
// or the price. A product name too long for its line is shortened with an
// ellipsis. A label on which the rest cannot fit is an error.
func Layout(l *Label, w, h float64, opt LayoutOptions) (*Drawing, error) {
	return layout(l, w, h, opt, nil)
}

// symbols remembers the QR codes made for a run of labels: many products
// share a maker's contact, and encoding a QR code (choosing its mask) is
// most of the work of laying out a label.
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
	ds := DesignFor(w, h)
	x := moduleSize(opt.Dot)
	var why string
	qrMs := qrModules(opt.Dot)
	// The codes band for each QR module size, largest first: the same
	// whatever the text above.
	var bands []*codesBand
	for i := range qrMs {
		c, reason := codes(l, bar, qr, w, h, x, opt.Dot, qrMs[i:], ds)
		if c != nil {
			bands = append(bands, c)
		} else {
			why = reason
		}
		if qr == nil {
			break
		}
	}
	if len(bands) == 0 {
		return nil, fmt.Errorf("a label of %.1f × %.1f mm is too small: %s", w, h, why)
	}
	// Each try below needs the same texts broken into lines at one of a
	// few sizes: they are broken once a size, and a try is arithmetic.
	texts := make([]*aboveText, int(math.Floor(0.8*ds.Headline))+1)
	for drop := range 3 {
		// Whole points above the least size, up to 1.8 times it.
		for k := math.Floor(0.8 * ds.Headline); k >= 0; k-- {
			head := ds.Headline + k
			if texts[int(k)] == nil {
				texts[int(k)] = textFor(l, ds, w, h, head)
			}
			t := texts[int(k)]
			// The largest QR modules that leave room for the rest.
			for _, c := range bands {
				if reason := c.fit(t, drop); reason != "" {
					why = reason
					continue
				}
				return c.draw(l, t, drop), nil
			}
		}
	}
	return nil, fmt.Errorf("a label of %.1f × %.1f mm is too small: %s at %.1f pt", w, h, why, ds.Headline)
}

// moduleSize is the barcode's module: GS1's minimum, or with a printer
// dot the fewest whole dots at or above it.
func moduleSize(dot float64) float64 {
	if dot <= 0 {
		return minX
	}
	return math.Ceil(minX/dot-1e-9) * dot
}

// qrModules lists the QR module sizes to try, largest first.
func qrModules(dot float64) []float64 {
	if dot <= 0 {
		return []float64{0.5, 0.45, minQR}
	}
	k0 := math.Ceil(minQR/dot - 1e-9)
	return []float64{(k0 + 1) * dot, k0 * dot}
}

// row is a line or lines of text above the codes.
type row struct {
	s, role  string
	size     float64
	bold     bool
	maxLines int
	ellipsis bool    // shorten the last line with "…" rather than fail
	width    float64 // mm
}

// codesBand is a label with its codes band laid out (barcode, QR code,
// caption, footer, price), which does not depend on the text above.
type codesBand struct {
	d      *Drawing
	bottom float64    // the text above must end here
	footer *brokenRow // the footer under the text, when the band has no room for it
}

// codes lays out the band of the barcode and the QR code; nil and why
// when it does not fit.
func codes(l *Label, bar *Linear, qr *Matrix, w, h, x, dot float64, qrMs []float64, ds Design) (*codesBand, string) {
	d := &Drawing{W: w, H: h}

	// The barcode, bottom left.
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
	if float64(bar.Modules())*x > w-2*edge {
		return nil, fmt.Sprintf("the %s barcode is %.1f mm wide at GS1's minimum size", bar.Symbology, float64(bar.Modules())*x)
	}
	pl.X = max(edge+float64(bar.QuietLeft)*x, margin)
	pl.Y = h - margin - symH
	d.Barcode = pl
	d.Texts = append(d.Texts, hri(pl, hriSize)...)
	barRight := pl.X + float64(len(bar.Bars)+bar.QuietRight)*x

	// The column beside it: the QR code bottom right with its caption
	// to its left (or above it, when the column is narrow), the footer
	// under the caption, and the price above them all.
	colL, colR := barRight+1, w-margin
	top := h - margin // the column's top so far
	var footerRow *brokenRow
	footer := strings.Split(l.Footer, " · ")
	if l.Shelf != "" {
		footer = append(footer[:1:1], append([]string{"Shelf " + l.Shelf}, footer[1:]...)...)
	}
	subR := colR // the right end of the caption and footer
	if qr != nil {
		// The largest modules that leave room for the caption beside
		// the code and are no taller than the barcode, else the smallest.
		ms := qrMs
		for i, m := range ms {
			side, quiet := float64(qr.Size)*m, 4*m
			right := min(w-margin, w-edge-quiet)
			bottom := min(h-margin, h-edge-quiet)
			left := right - side - quiet
			if left < colL || bottom-side-quiet < margin {
				continue
			}
			d.QR = &PlacedQR{Matrix: qr, X: snap(right-side, dot), Y: snap(bottom-side, dot), Module: m}
			if side+quiet <= symH && left-0.5-colL >= 12 || i == len(ms)-1 {
				break
			}
		}
		if d.QR == nil {
			return nil, fmt.Sprintf("no room for the QR code beside the %s barcode", bar.Symbology)
		}
		qb := d.QR.Bounds()
		top = qb.Y
		subR = qb.X - 0.5
		capSize := ds.Caption
		capLines := wrapText(Caption, true, capSize, subR-colL)
		if subR-colL >= 12 && len(capLines) <= 3 && !tooWide(capLines, true, capSize, subR-colL) {
			// Beside the QR code, from its top; the footer below.
			y := d.QR.Y
			for _, s := range capLines {
				d.Texts = append(d.Texts, Text{X: colL, Y: y + ascent*capSize*ptMM, Size: capSize, Bold: true, S: s, Role: "caption"})
				y += leading * capSize * ptMM
			}
			if !placeFooter(d, footer, ds.Footer, colL, subR, y+0.4, h-margin) {
				footerRow = footerAsRow(footer, ds.Footer, w-2*margin)
			}
		} else {
			// Above the QR code, right-aligned over it.
			capLines = wrapText(Caption, true, capSize, colR-colL)
			if len(capLines) > 3 || tooWide(capLines, true, capSize, colR-colL) {
				return nil, "no room for the QR code's caption"
			}
			y := top - 0.2 - float64(len(capLines))*leading*capSize*ptMM
			top = y
			for _, s := range capLines {
				tw := textWidth(s, true, capSize)
				d.Texts = append(d.Texts, Text{X: colR - tw, Y: y + ascent*capSize*ptMM, Size: capSize, Bold: true, S: s, Role: "caption"})
				y += leading * capSize * ptMM
			}
			footerRow = footerAsRow(footer, ds.Footer, w-2*margin)
		}
	} else if !placeFooter(d, footer, ds.Footer, colL, colR, h-margin-symH, h-margin) {
		footerRow = footerAsRow(footer, ds.Footer, w-2*margin)
	}
	if l.Price != "" {
		p := ds.Price
		pw := textWidth(l.Price, true, p)
		if pw > colR-colL {
			return nil, fmt.Sprintf("no room for the price %s beside the %s barcode", l.Price, bar.Symbology)
		}
		// At the top of the band, or above the caption and QR code when
		// they reach higher.
		base := min(pl.Y+ascent*p*ptMM, top-0.4-(leading-ascent)*p*ptMM)
		d.Texts = append(d.Texts, Text{X: colR - pw, Y: base, Size: p, Bold: true, S: l.Price, Role: "price"})
		top = base - ascent*p*ptMM
	}

	return &codesBand{d: d, bottom: min(pl.Y, top) - 0.5, footer: footerRow}, ""
}

// brokenRow is a row of text broken into its lines.
type brokenRow struct {
	row
	lines []string
}

// aboveText is the text above the codes band broken into lines for one
// headline size: the product name beside the DEMO tag, the headline,
// the note, the password policy, the contact.
type aboveText struct {
	head float64
	rows [5]brokenRow
}

// textFor breaks l's text above the codes into lines for a label w × h
// mm with the headline at head points.
func textFor(l *Label, ds Design, w, h, head float64) *aboveText {
	iw := w - 2*margin
	titleSize := max(8, 0.75*head)
	titleW := iw
	if l.Demo {
		titleW -= demoWidth(titleSize) + 1
	}
	small := max(ds.Small, 0.6*head)
	titleLines := 1
	if h >= 50 {
		titleLines = 2
	}
	t := &aboveText{head: head}
	for i, r := range [5]row{
		{s: l.Title, role: "title", size: titleSize, bold: true, maxLines: titleLines, ellipsis: true, width: titleW},
		{s: l.Support, role: "headline", size: head, bold: true, maxLines: 2, width: iw},
		{s: l.Note, role: "note", size: small, bold: true, maxLines: 2, width: iw},
		{s: l.Passwords, role: "passwords", size: small, maxLines: 2, width: iw},
		{s: l.Contact, role: "contact", size: small, maxLines: 2, width: iw},
	} {
		t.rows[i] = brokenRow{row: r}
		if r.s != "" {
			t.rows[i].lines = r.lines()
		}
	}
	return t
}

// each calls f for the rows printed when drop lines are left out (1: the
// password line; 2: the contact line too), then the band's footer row.
func (c *codesBand) each(t *aboveText, drop int, f func(*brokenRow) bool) bool {
	for i := range t.rows {
		if i == 3 && drop >= 1 || i == 4 && drop >= 2 || t.rows[i].s == "" {
			continue
		}
		if !f(&t.rows[i]) {
			return false
		}
	}
	return c.footer == nil || f(c.footer)
}

// fit says why the text t, with drop lines left out, does not fit above
// the codes band, or "" when it does.
func (c *codesBand) fit(t *aboveText, drop int) string {
	why := ""
	y := margin
	if !c.each(t, drop, func(r *brokenRow) bool {
		if len(r.lines) > r.maxLines {
			why = fmt.Sprintf("the %s does not fit in %d lines", r.role, r.maxLines)
			return false
		}
		for range r.lines {
			y += leading * r.size * ptMM
		}
		return true
	}) {
		return why
	}
	if y > c.bottom+1e-9 {
		return "the text does not fit above the barcode"
	}
	return ""
}

// draw is the label with the codes band and the text t above it, drop
// lines left out, as fit found it fits.
func (c *codesBand) draw(l *Label, t *aboveText, drop int) *Drawing {
	d := &Drawing{W: c.d.W, H: c.d.H, Barcode: c.d.Barcode, QR: c.d.QR, Boxes: slices.Clone(c.d.Boxes)}
	d.Texts = append(make([]Text, 0, len(c.d.Texts)+12), c.d.Texts...)
	if l.Demo {
		tag := min(max(8, 0.75*t.head), 9)
		tw := demoWidth(tag)
		th := tag * ptMM * 1.05
		d.Boxes = append(d.Boxes, Rect{d.W - margin - tw, margin, tw, th})
		d.Texts = append(d.Texts, Text{X: d.W - margin - tw + 1, Y: margin + th*0.8, Size: tag, Bold: true, White: true, S: "DEMO", Role: "demo"})
	}
	y := margin
	c.each(t, drop, func(r *brokenRow) bool {
		for _, s := range r.lines {
			d.Texts = append(d.Texts, Text{X: margin, Y: y + ascent*r.size*ptMM, Size: r.size, Bold: r.bold, S: s, Role: r.role})
			y += leading * r.size * ptMM
		}
		return true
	})
	return d
}

// demoWidth is the width of the DEMO tag's box for a title of size
// points.
func demoWidth(size float64) float64 {
	return textWidth("DEMO", true, min(size, 9)) + 2
}

// lines breaks the row into lines of its width: a headline as a person
// would, a row with an ellipsis shortened to its lines, any other
// wrapped (and maybe more lines than it may have).
func (r row) lines() []string {
	switch {
	case r.ellipsis:
		ls := wrapText(r.s, r.bold, r.size, r.width)
		if len(ls) <= r.maxLines {
			return ls
		}
		// Whole lines as wrapped, then the rest shortened; or, when
		// a word had to be cut, all of it shortened on one line.
		kept := strings.Join(ls[:r.maxLines-1], " ")
		if rest, ok := strings.CutPrefix(strings.Join(strings.Fields(r.s), " "), kept); ok && kept != "" {
			return append(ls[:r.maxLines-1], ellipsize(strings.TrimSpace(rest), r.bold, r.size, r.width))
		}
		return []string{ellipsize(r.s, r.bold, r.size, r.width)}
	case r.role == "headline":
		return headlineLines(r.s, r.size, r.width)
	}
	return wrapText(r.s, r.bold, r.size, r.width)
}

// placeFooter writes the footer's parts, one a line (wrapped if need be),
// at the bottom of the box from x0 to x1 and from y0 to y1, leaving out
// from the end the parts there is no room for; the first part (the day
// checked) must fit.
func placeFooter(d *Drawing, parts []string, size, x0, x1, y0, y1 float64) bool {
	for n := len(parts); n > 0; n-- {
		var lines []string
		for _, p := range parts[:n] {
			lines = append(lines, wrapText(p, false, size, x1-x0)...)
		}
		if tooWide(lines, false, size, x1-x0) || y1-float64(len(lines))*leading*size*ptMM < y0 {
			continue
		}
		y := y1 - float64(len(lines))*leading*size*ptMM
		for _, s := range lines {
			d.Texts = append(d.Texts, Text{X: x0, Y: y + ascent*size*ptMM, Size: size, S: s, Role: "footer"})
			y += leading * size * ptMM
		}
		return true
	}
	return false
}

// footerAsRow is the footer as one row under the text, when the column
// has no room for it.
func footerAsRow(parts []string, size, width float64) *brokenRow {
	r := row{s: strings.Join(parts, " · "), role: "footer", size: size, maxLines: 2, width: width}
	if r.s == "" {
		return nil
	}
	return &brokenRow{row: r, lines: r.lines()}
}

// tooWide reports whether a line is wider than width (a word that
// wrapText had to cut is not).
func tooWide(lines []string, bold bool, size, width float64) bool {
	for _, s := range lines {
		if textWidth(s, bold, size) > width+1e-9 {
			return true
		}
	}
	return false
}

// headlineLines breaks the headline as a person would: on one line if it
// fits, else after "until" or "ended" so that the date stays whole.
func headlineLines(s string, size, width float64) []string {
	if textWidth(s, true, size) <= width {
		return []string{s}
	}
	for _, word := range []string{" until ", " ended "} {
		if i := strings.Index(s, word); i >= 0 {
			a, b := s[:i+len(word)-1], s[i+len(word):]
			if textWidth(a, true, size) <= width && textWidth(b, true, size) <= width {
				return []string{a, b}
			}
		}
	}
	return wrapText(s, true, size, width)
}

// ellipsize shortens s with "…" to fit width mm at size.
func ellipsize(s string, bold bool, size, width float64) string {
	if textWidth(s, bold, size) <= width {
		return s
	}
	r := []rune(s)
	for n := len(r) - 1; n > 0; n-- {
		t := strings.TrimRight(string(r[:n]), " ,.;:-·") + "…"
		if textWidth(t, bold, size) <= width {
			return t
		}
	}
	return "…"
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
	words := strings.Fields(s)
	first := 0 // the first word of the line so far
	cur := ""  // a piece of a cut word that begins the line, or ""
	em := 0.0  // the line's width so far in ems, summed as textWidth sums
	empty := true
	for i := 0; i < len(words); i++ {
		word := words[i]
		try := em
		if !empty {
			try = emWidth(try, " ", bold)
		}
		if try = emWidth(try, word, bold); try*size*ptMM <= width {
			em, empty = try, false
			continue
		}
		if !empty {
			lines = append(lines, line(cur, words[first:i]))
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
		cur, first, em, empty = word, i+1, emWidth(0, word, bold), word == ""
	}
	if !empty {
		lines = append(lines, line(cur, words[first:]))
	}
	return lines
}

// line is the words after head, one space apart.
func line(head string, words []string) string {
	if head == "" {
		return strings.Join(words, " ")
	}
	return strings.Join(append([]string{head}, words...), " ")
}
