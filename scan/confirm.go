package scan

// Confirmer decides which codes read from a camera to believe. A photo
// of a box holds text, pictures and textures, and now and then a frame
// reads as a short code (EAN-8, UPC-E) that is not there; it seldom reads
// as the same code in the next frames too. So a code is accepted only
// when it has been read in N consecutive frames (../shared/spec/scanning.md,
// "Reading barcodes from images").
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
	reported bool // reported since it came into view
}

// NewConfirmer returns a Confirmer that accepts a code read in n
// consecutive frames; n < 1 counts as 1.
func NewConfirmer(n int) *Confirmer {
	return &Confirmer{n: max(n, 1), codes: make(map[key]*seen)}
}

// Frame takes the results of decoding one frame and returns those it now
// believes and has not reported yet, in the order given.
func (c *Confirmer) Frame(results []Result) []Result {
	var out []Result
	inFrame := make(map[key]bool, len(results))
	for _, r := range results {
		k := key{r.Format, r.Text}
		if inFrame[k] {
			continue
		}
		inFrame[k] = true
		s := c.codes[k]
		if s == nil {
			s = &seen{}
			c.codes[k] = s
		}
		s.run++
		s.absent = 0
		if s.run >= c.n && !s.reported {
			s.reported = true
			out = append(out, r)
		}
	}
	for k, s := range c.codes {
		if inFrame[k] {
			continue
		}
		s.run = 0
		s.absent++
		if !s.reported || s.absent >= c.n {
			delete(c.codes, k)
		}
	}
	return out
}

// Reset forgets every code seen, as when the camera changes.
func (c *Confirmer) Reset() { clear(c.codes) }
