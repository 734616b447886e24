package scan

// Confirmer decides which codes read from a camera to believe, and which
// of them to report. A photo of a box holds text, pictures and textures,
// and now and then a frame reads as a short code (EAN-8, UPC-E) that is
// not there; it seldom reads as the same code in the next frames too. So
// a code is accepted only when it has been read in N consecutive frames
// (../shared/spec/scanning.md, "Reading barcodes from images"). A still
// image (a photograph of a directory source) is one picture taken on
// purpose: it counts as N frames at once ([Confirmer.Still]).
//
// The product code wins. A box, or a shelf label, often carries a QR code
// of a web page beside its barcode; the shopper holding it up wants the
// product. A code that carries no product code ([Result.Code] nil) is
// reported only when no product code is read in the same frame. Beside a
// product code not yet believed it waits; beside one believed it is
// passed over, and stays passed over while it stays in view, so that
// turning the box a little does not swap the product's answer for "that
// is a web link".
//
// A code is reported once while it stays in view. It is reported again
// only after it has been out of view for N frames in a row, so that a
// shopper who puts a box down and picks it up again gets a new answer,
// and a frame or two of blur does not make the same code a new scan.
//
// A Confirmer is not safe for concurrent use: feed it the frames of one
// camera, in order.
type Confirmer struct {
	n     int
	codes map[key]*seen
}

type key struct{ format, text string }

type seen struct {
	run      int  // consecutive frames it was read in, up to now
	absent   int  // consecutive frames it was not read in, up to now
	reported bool // reported (or passed over for a product code) since it came into view
}

// NewConfirmer returns a Confirmer that accepts a code read in n
// consecutive frames; n < 1 counts as 1.
func NewConfirmer(n int) *Confirmer {
	return &Confirmer{n: max(n, 1), codes: make(map[key]*seen)}
}

// Frame takes the results of decoding one frame of a stream and returns
// those it now believes and has not reported yet: the product codes
// first, in the order given, then, when the frame holds no product code,
// the others.
func (c *Confirmer) Frame(results []Result) []Result { return c.frame(results, 1) }

// Still takes the results of decoding a still image, which counts as n
// frames of the same picture: what it holds is believed at once.
func (c *Confirmer) Still(results []Result) []Result { return c.frame(results, c.n) }

func (c *Confirmer) frame(results []Result, weight int) []Result {
	// Count first: whether a product code in the frame is believed
	// decides what becomes of the other codes in it.
	var inFrame []*seen
	var firsts []Result
	have := make(map[key]bool, len(results))
	productSeen, productBelieved := false, false
	for _, r := range results {
		k := key{r.Format, r.Text}
		if have[k] {
			continue
		}
		have[k] = true
		s := c.codes[k]
		if s == nil {
			s = &seen{}
			c.codes[k] = s
		}
		s.run += weight
		s.absent = 0
		inFrame, firsts = append(inFrame, s), append(firsts, r)
		if r.Code != nil {
			productSeen = true
			productBelieved = productBelieved || s.run >= c.n
		}
	}
	var out, others []Result
	for i, r := range firsts {
		s := inFrame[i]
		switch {
		case s.run < c.n || s.reported:
		case r.Code != nil:
			s.reported = true
			out = append(out, r)
		case productBelieved:
			s.reported = true // passed over for the product code beside it
		case productSeen:
			// A product code not believed yet: wait for it rather than
			// answer with this one and then that.
		default:
			s.reported = true
			others = append(others, r)
		}
	}
	for k, s := range c.codes {
		if have[k] {
			continue
		}
		s.run = 0
		s.absent += weight
		if !s.reported || s.absent >= c.n {
			delete(c.codes, k)
		}
	}
	return append(out, others...)
}

// Reset forgets every code seen, as when the camera changes.
func (c *Confirmer) Reset() { clear(c.codes) }
