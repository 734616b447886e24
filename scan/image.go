package scan

import (
	"image"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/aztec"
	"github.com/makiuchi-d/gozxing/datamatrix"
	qrdetector "github.com/makiuchi-d/gozxing/multi/qrcode/detector"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
	qrdecoder "github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// The formats a [Decoder] reads, named as gozxing and `smartcheck scan`
// name them.
const (
	EAN13      = "EAN_13"
	EAN8       = "EAN_8"
	UPCA       = "UPC_A"
	UPCE       = "UPC_E"
	Code128    = "CODE_128"
	ITF        = "ITF"
	QRCode     = "QR_CODE"
	DataMatrix = "DATA_MATRIX"
	Aztec      = "AZTEC"
)

// Formats lists every format a [Decoder] reads.
var Formats = []string{EAN13, EAN8, UPCA, UPCE, Code128, ITF, QRCode, DataMatrix, Aztec}

// Result is one barcode read from an image.
type Result struct {
	// Format is one of [Formats].
	Format string
	// Text is what the symbol encodes, as ZXing reports it: the digits as
	// printed for EAN and UPC (13 for EAN-13, 12 for UPC-A, 8 for UPC-E and
	// EAN-8), the exact text for the others. A GS1 FNC1 separator is a GS
	// (0x1D); the FNC1 that marks a symbol as GS1 is not in Text but in
	// Symbology (]C1, ]d2, ]Q3).
	Text string
	// Symbology is the AIM symbology identifier (ISO/IEC 15424) of what
	// was read: "]E0" for EAN-13, UPC-A and UPC-E, "]E4" for EAN-8, "]C1"
	// for GS1-128, "]d2" for GS1 DataMatrix, "]Q1" for a plain QR code...
	Symbology string
	// Code is the product code the barcode carries, or nil when it
	// carries none; then Err says why ([Parse] of [Result.Input]
	// failed: a web link, text, a bad check digit).
	Code *Code
	Err  error
}

// Input is what [Parse] reads for r: the symbology identifier and the
// text, as a scanner set to send AIM identifiers would type it. The
// identifier is what tells a UPC-E from an EAN-8 and a GS1 element string
// from plain text.
func (r Result) Input() string { return r.Symbology + r.Text }

// Options configures a [Decoder].
type Options struct {
	// Formats restricts the decoder to these formats (see [Formats]); nil
	// means all of them.
	Formats []string
	// Quick makes only the first, cheap look at an image (about a
	// millisecond for 640×480): for camera frames, where the next frame
	// is the next try, and a code is accepted only when several agree
	// (see [Confirmer]).
	Quick bool
}

// Decoder finds and reads barcodes in images. It is safe for concurrent
// use.
type Decoder struct {
	looks   []look
	formats map[string]bool
	oneD    bool // any one-dimensional format
}

// NewDecoder returns a decoder with the given options.
func NewDecoder(opts Options) *Decoder {
	d := &Decoder{looks: defaultLooks, formats: make(map[string]bool)}
	if opts.Quick {
		d.looks = defaultLooks[:1]
	}
	fs := opts.Formats
	if fs == nil {
		fs = Formats
	}
	for _, f := range fs {
		d.formats[f] = true
		switch f {
		case EAN13, EAN8, UPCA, UPCE, Code128, ITF:
			d.oneD = true
		}
	}
	return d
}

// maxSide is the longest side Decode works at: a larger image (a phone
// photograph) is halved until it fits. Codes in such photographs are
// large; reading twelve million pixels row by row is not.
const maxSide = 2000

// Decode returns the barcodes found in img, those that carry a product
// code first, each group in the order found; none when it finds nothing
// it is sure of. It reads every code a look at the image finds (a box
// may carry a QR code of a web page beside its barcode), trying the
// cheapest look first and stopping at the first look that finds
// something: a second code that only a harder look would find may be
// missed. Looking on for a product code after a look found only a QR
// code made the median reference photograph several times slower
// (every QR-only image took all nine looks); a camera reads the next
// frame instead.
func (d *Decoder) Decode(img image.Image) []Result {
	g := toGray(img)
	for max(g.w, g.h) > maxSide {
		g = g.half()
	}
	return d.decodeGray(g, d.looks)
}

func (d *Decoder) decodeGray(g *gray, looks []look) []Result {
	s := &session{d: d, views: map[string]*gray{"": g}}
	for _, l := range looks {
		s.look(l)
		if rs := s.accepted(); len(rs) > 0 {
			return rs
		}
	}
	return nil
}

// A look is one pass of the readers over a view of the image: which view,
// which rows, which binarizer, which hints. Decode makes them in order,
// cheapest first, until one finds something it believes.
type look struct {
	name string
	// view: "" the image, "rot" turned 90°, "half" half the size,
	// "invert" its negative (light bars on a dark ground), "smooth"
	// averaged vertically over 7 rows.
	view string
	// rows: how many rows the one-dimensional readers scan, from the
	// middle out, 1/32 of the height apart; -1 for every row (as
	// gozxing's TRY_HARDER), 0 for none.
	rows int
	// step: with rows -1, scan every step-th row instead of every row.
	step int
	// hybridRows: binarize rows with the Hybrid binarizer's local
	// thresholds instead of gozxing's per-row histogram.
	hybridRows bool
	twoD       int  // 0 none, 1 normal, 2 TRY_HARDER, 3 PURE_BARCODE
	global     bool // 2D: GlobalHistogram binarizer instead of Hybrid
}

const (
	twoDNone = iota
	twoDNormal
	twoDHarder
	twoDPure
)

// defaultLooks is the order Decode tries things in, measured on the
// reference photographs (see accuracy_test.go): most images are read by
// the first look, a few milliseconds.
var defaultLooks = []look{
	{name: "fast", rows: 15, twoD: twoDNormal},
	{name: "pure", twoD: twoDPure},
	{name: "harder", rows: -1, twoD: twoDHarder},
	{name: "harder-rot", view: "rot", rows: -1, step: 2},
	{name: "global", twoD: twoDHarder, global: true},
	{name: "invert", view: "invert", rows: 15, twoD: twoDNormal},
	{name: "half", view: "half", rows: -1, twoD: twoDHarder},
	{name: "hybrid", rows: -1, hybridRows: true},
	{name: "smooth", view: "smooth", rows: -1},
}

// session is one call of Decode: the views made so far and what was
// found in them.
type session struct {
	d     *Decoder
	views map[string]*gray
	found []*candidate
}

func (s *session) view(name string) *gray {
	if g, ok := s.views[name]; ok {
		return g
	}
	var g *gray
	switch name {
	case "rot":
		g = s.view("").rotate()
	case "half":
		g = s.view("").half()
	case "invert":
		g = s.view("").invert()
	case "smooth":
		g = s.view("").smoothV(3)
	default:
		panic("scan: unknown view " + name)
	}
	s.views[name] = g
	return g
}

func (s *session) look(l look) {
	// gozxing is a port with a great deal of index arithmetic; should
	// one of its readers panic on some pathological image, that look
	// finds nothing rather than taking the till or the kiosk down.
	defer func() { _ = recover() }()
	g := s.view(l.view)
	if l.rows != 0 && s.d.oneD {
		s.decode1D(g, l)
	}
	if l.twoD != twoDNone {
		s.decode2D(g, l)
	}
}

func (d *Decoder) hints(twoD int) map[gozxing.DecodeHintType]interface{} {
	h := map[gozxing.DecodeHintType]interface{}{
		gozxing.DecodeHintType_ASSUME_GS1: true,
		// POSSIBLE_FORMATS with UPC_A makes the EAN reader report a
		// 13-digit EAN starting with 0 as the 12-digit UPC-A it is.
		gozxing.DecodeHintType_POSSIBLE_FORMATS: []gozxing.BarcodeFormat{
			gozxing.BarcodeFormat_EAN_13, gozxing.BarcodeFormat_UPC_A,
			gozxing.BarcodeFormat_EAN_8, gozxing.BarcodeFormat_UPC_E,
		},
	}
	switch twoD {
	case twoDHarder:
		h[gozxing.DecodeHintType_TRY_HARDER] = true
	case twoDPure:
		h[gozxing.DecodeHintType_PURE_BARCODE] = true
	}
	return h
}

// rowReader reads one-dimensional codes row by row in one view.
type rowReader struct {
	s       *session
	view    string
	g       *gray
	bm      *gozxing.BinaryBitmap
	matrix  *gozxing.BitMatrix // when rows come from the Hybrid binarizer
	readers []oned.RowDecoder
	hints   map[gozxing.DecodeHintType]interface{}
	row     *gozxing.BitArray
}

func (s *session) rowReader(g *gray, l look) *rowReader {
	d := s.d
	rr := &rowReader{s: s, view: l.view, g: g, hints: d.hints(twoDNone), row: gozxing.NewBitArray(g.w)}
	if l.hybridRows {
		rr.view += "/hybrid"
	}
	if d.formats[EAN13] || d.formats[EAN8] || d.formats[UPCA] || d.formats[UPCE] {
		rr.readers = append(rr.readers, oned.NewMultiFormatUPCEANReader(rr.hints).(oned.RowDecoder))
	}
	if d.formats[Code128] {
		rr.readers = append(rr.readers, oned.NewCode128Reader().(oned.RowDecoder))
	}
	if d.formats[ITF] {
		rr.readers = append(rr.readers, oned.NewITFReader().(oned.RowDecoder))
	}
	var err error
	rr.bm, err = gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(g))
	if err != nil {
		return nil
	}
	if l.hybridRows {
		if rr.matrix, err = rr.bm.GetBlackMatrix(); err != nil {
			return nil
		}
	}
	return rr
}

// scan reads row y, forwards and backwards.
func (rr *rowReader) scan(y int) {
	var err error
	if rr.matrix != nil {
		rr.row = rr.matrix.GetRow(y, rr.row)
	} else if rr.row, err = rr.bm.GetBlackRow(y, rr.row); err != nil {
		return
	}
	w := float64(rr.g.w)
	for reversed := range 2 {
		if reversed == 1 {
			rr.row.Reverse()
		}
		for _, r := range rr.readers {
			res, err := r.DecodeRow(y, rr.row, rr.hints)
			if err != nil || !quietZones(rr.row, res) {
				continue
			}
			pts := res.GetResultPoints()
			rd := read{view: rr.view, y: y, x0: pts[0].GetX(), x1: pts[1].GetX()}
			if reversed == 1 {
				rd.x0, rd.x1 = w-1-rd.x1, w-1-rd.x0
			}
			rr.s.add(res, &rd)
			break
		}
	}
}

// decode1D runs the one-dimensional readers over rows of g, as gozxing's
// OneDReader does for one reader, but loading each row once for all of
// them and going on after a find, to read several codes and to count on
// how many rows each was read.
func (s *session) decode1D(g *gray, l look) {
	rr := s.rowReader(g, l)
	if rr == nil || len(rr.readers) == 0 {
		return
	}
	h := g.h
	step, n := max(1, h>>5), l.rows
	if n < 0 {
		step, n = max(1, h>>8, l.step), h
	}
	middle := h / 2
	var sparse []int
	for i := range n {
		off := step * ((i + 1) / 2)
		y := middle - off
		if i&1 == 0 {
			y = middle + off
		}
		if y < 0 || y >= h {
			break
		}
		rr.scan(y)
		if step > 2 {
			sparse = append(sparse, y)
		}
	}
	// A code read on only one of rows far apart gets a second look on
	// the rows next to it: a real code reads the same there, a misread
	// seldom does.
	for _, c := range s.found {
		if len(c.reads) == 1 && c.reads[0].view == rr.view && slices.Contains(sparse, c.reads[0].y) {
			y := c.reads[0].y
			for dy := 1; dy <= 3; dy++ {
				for _, yy := range []int{y - dy, y + dy} {
					if yy >= 0 && yy < h {
						rr.scan(yy)
					}
				}
			}
		}
	}
}

func (s *session) decode2D(g *gray, l look) {
	d := s.d
	var bz gozxing.Binarizer = gozxing.NewHybridBinarizer(g)
	if l.global {
		bz = gozxing.NewGlobalHistgramBinarizer(g)
	}
	bm, err := gozxing.NewBinaryBitmap(bz)
	if err != nil {
		return
	}
	hints := d.hints(l.twoD)
	if d.formats[QRCode] {
		if l.twoD == twoDPure {
			if res, err := qrcode.NewQRCodeReader().Decode(bm, hints); err == nil {
				s.add(res, nil)
			}
		} else {
			s.decodeQRs(bm, hints)
		}
	}
	if d.formats[DataMatrix] {
		if res, err := datamatrix.NewDataMatrixReader().Decode(bm, hints); err == nil {
			s.add(res, nil)
		}
	}
	if d.formats[Aztec] && l.twoD != twoDPure {
		if res, err := aztec.NewAztecReader().Decode(bm, hints); err == nil {
			s.add(res, nil)
		}
	}
}

// decodeQRs finds and reads every QR code in bm. It does what gozxing's
// QRCodeMultiReader does, less merging structured-append symbols, and
// keeps what that drops: the symbology identifier, which says whether a
// QR code is GS1 (]Q3).
func (s *session) decodeQRs(bm *gozxing.BinaryBitmap, hints map[gozxing.DecodeHintType]interface{}) {
	matrix, err := bm.GetBlackMatrix()
	if err != nil {
		return
	}
	found, err := qrdetector.NewMultiDetector(matrix).DetectMulti(hints)
	if err != nil {
		return
	}
	dec := qrdecoder.NewDecoder()
	for _, f := range found {
		dr, err := dec.Decode(f.GetBits(), hints)
		if err != nil {
			continue
		}
		res := gozxing.NewResult(dr.GetText(), dr.GetRawBytes(), f.GetPoints(), gozxing.BarcodeFormat_QR_CODE)
		res.PutMetadata(gozxing.ResultMetadataType_SYMBOLOGY_IDENTIFIER, "]Q"+strconv.Itoa(dr.GetSymbologyModifier()))
		s.add(res, nil)
	}
}

// A candidate is a code some reader reported, with where.
type candidate struct {
	Result
	reads []read // one-dimensional codes: each row it was read on
}

// A read is one row on which a one-dimensional code was read, and the
// span of the code on it.
type read struct {
	view   string
	y      int
	x0, x1 float64
}

func (s *session) add(res *gozxing.Result, rd *read) {
	r, ok := s.d.result(res)
	if !ok {
		return
	}
	var c *candidate
	for _, f := range s.found {
		if f.Format == r.Format && f.Text == r.Text {
			c = f
			break
		}
	}
	if c == nil {
		c = &candidate{Result: r}
		s.found = append(s.found, c)
	}
	if rd != nil && !slices.ContainsFunc(c.reads, func(o read) bool { return o.view == rd.view && o.y == rd.y }) {
		c.reads = append(c.reads, *rd)
	}
}

// minReads is how many rows a one-dimensional code must be read on, in
// one view, at least minSpread apart.
const minReads = 2

// accepted returns the candidates believed. A two-dimensional code
// carries Reed-Solomon error correction and is believed when decoded. A
// one-dimensional code has a single check digit, which a blurred or
// partly hidden row can satisfy by chance (about one time in ten), so it
// must be read on minReads rows and must not be contradicted: a
// different code read across the same bars is believed only if it was
// read on at least twice as many rows, and two codes with about as many
// reads each cancel out.
func (s *session) accepted() []Result {
	var out []Result
next:
	for _, c := range s.found {
		if c.reads == nil {
			out = append(out, c.Result)
			continue
		}
		if len(c.reads) < minReads || spread(c.reads) < minSpread {
			continue
		}
		for _, o := range s.found {
			if o != c && o.reads != nil && overlap(c.reads, o.reads) && len(c.reads) < 2*len(o.reads) {
				continue next
			}
		}
		out = append(out, c.Result)
	}
	// The product codes first: they are what a scan is for.
	slices.SortStableFunc(out, func(a, b Result) int {
		switch {
		case a.Code != nil && b.Code == nil:
			return -1
		case a.Code == nil && b.Code != nil:
			return 1
		}
		return 0
	})
	return out
}

// overlap reports whether two codes were read across the same place.
func overlap(a, b []read) bool {
	for _, p := range a {
		for _, q := range b {
			if p.view != q.view {
				continue
			}
			width := max(p.x1-p.x0, q.x1-q.x0)
			if max(p.x0, q.x0) < min(p.x1, q.x1) && math.Abs(float64(p.y-q.y)) <= width {
				return true
			}
		}
	}
	return false
}

// result turns what gozxing reported into a Result, or refuses it.
func (d *Decoder) result(res *gozxing.Result) (Result, bool) {
	r := Result{Format: res.GetBarcodeFormat().String(), Text: res.GetText()}
	if !d.formats[r.Format] || r.Text == "" {
		return Result{}, false
	}
	if id, ok := res.GetResultMetadata()[gozxing.ResultMetadataType_SYMBOLOGY_IDENTIFIER].(string); ok {
		r.Symbology = id
	}
	switch r.Format {
	case EAN13, UPCA, EAN8, UPCE:
		// gozxing checks the check digit; so do we, on the digits as
		// printed (a UPC-E's is that of the UPC-A it stands for).
		digits := r.Text
		if r.Format == UPCE {
			digits = ""
			if code, err := Parse("]E0" + r.Text); err == nil {
				digits = code.GTIN
			}
		}
		if !allDigits(r.Text) || !ValidCheckDigit(digits) {
			return Result{}, false
		}
	case Code128:
		// With ASSUME_GS1 gozxing puts the identifier of GS1-128 in
		// the text; it belongs in Symbology.
		if r.Symbology == "]C1" {
			r.Text = strings.TrimPrefix(r.Text, "]C1")
		}
		// An FNC1 after the last element separates nothing.
		r.Text = strings.TrimRight(r.Text, "\x1d")
		if r.Text == "" {
			return Result{}, false
		}
	case DataMatrix:
		// gozxing turns every FNC1 into a GS, including the one that
		// marks a GS1 DataMatrix.
		if r.Symbology == "]d2" {
			r.Text = strings.TrimPrefix(r.Text, "\x1d")
		}
	case ITF:
		if !allDigits(r.Text) {
			return Result{}, false
		}
	}
	if !utf8.ValidString(r.Text) {
		// gozxing passes on the bytes of Code 128's extended
		// characters and of Data Matrix's byte mode as they are: ISO
		// 8859-1, the symbologies' default character set.
		r.Text = latin1(r.Text)
	}
	if code, err := Parse(r.Input()); err == nil {
		r.Code = &code
	} else {
		r.Err = err
	}
	return r, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// The quiet zone asked of an EAN or UPC, measured on the reference
// photographs: qzModules of white beside the code, less qzMargin next to
// the bars, which a blurred photo widens.
const (
	qzModules = 5.0
	qzMargin  = 1.0
)

// quietZones reports whether an EAN or UPC read on row has blank space
// beside it: at least qzModules modules on each side (the standard asks
// for 7 to 11). gozxing checks only as much as the guard pattern is wide
// (three modules), which lets the middle of a larger code, or of a UPC-A,
// pass for an EAN-8 or a UPC-E.
func quietZones(row *gozxing.BitArray, res *gozxing.Result) bool {
	var span, endGuard float64 // modules between the guards' centres; end guard width
	switch res.GetBarcodeFormat() {
	case gozxing.BarcodeFormat_EAN_13, gozxing.BarcodeFormat_UPC_A:
		span, endGuard = 92, 3
	case gozxing.BarcodeFormat_EAN_8:
		span, endGuard = 64, 3
	case gozxing.BarcodeFormat_UPC_E:
		span, endGuard = 46.5, 6
	default:
		return true
	}
	pts := res.GetResultPoints()
	if len(pts) < 2 {
		return false
	}
	left, right := pts[0].GetX(), pts[1].GetX()
	m := (right - left) / span
	start := left - 1.5*m
	end := right + endGuard/2*m
	// A code that fills most of the row was cropped to its bars (a
	// rendered image, a crop): the edge of the image stands for its
	// quiet zone.
	edge := end-start >= 0.6*float64(row.GetSize())
	return blank(row, start-qzModules*m, start-qzMargin*m, edge) && blank(row, end+qzMargin*m, end+qzModules*m, edge)
}

// blank reports whether row is white from a to b. Off the row counts as
// white when edge is set.
func blank(row *gozxing.BitArray, a, b float64, edge bool) bool {
	i, j := int(math.Floor(a)), int(math.Ceil(b))
	if i < 0 || j >= row.GetSize() {
		if !edge {
			return false
		}
		i, j = max(i, 0), min(j, row.GetSize()-1)
	}
	for x := i; x <= j; x++ {
		if row.Get(x) {
			return false
		}
	}
	return true
}

func latin1(s string) string {
	rs := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		rs[i] = rune(s[i])
	}
	return string(rs)
}

// minSpread is how many rows apart the reads of a one-dimensional code
// must be, at least: neighbouring rows of a blurred photograph are
// nearly the same row. More than 2 costs reads of the reference photos.
const minSpread = 2

// spread is how many rows apart the farthest reads in one view are.
func spread(rs []read) int {
	best := 0
	for _, p := range rs {
		for _, q := range rs {
			if p.view == q.view {
				best = max(best, p.y-q.y)
			}
		}
	}
	return best
}
