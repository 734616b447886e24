package scan

import (
	"slices"
	"strings"
	"testing"
)

func TestConfirmer(t *testing.T) {
	a := Result{Format: EAN13, Text: "9520000000011"}
	b := Result{Format: EAN8, Text: "96385074"}
	tests := []struct {
		name   string
		n      int
		frames [][]Result
		want   []string // what each frame reports, as texts joined by ","
	}{
		{"three frames agree", 3, [][]Result{{a}, {a}, {a}, {a}}, []string{"", "", a.Text, ""}},
		{"a gap restarts the count", 3, [][]Result{{a}, {a}, {}, {a}, {a}, {a}}, []string{"", "", "", "", "", a.Text}},
		{"a stray read is never reported", 2, [][]Result{{b}, {a}, {a}, {}}, []string{"", "", a.Text, ""}},
		{"reported once while in view, despite a blurred frame", 2,
			[][]Result{{a}, {a}, {}, {a}, {a}, {a}}, []string{"", a.Text, "", "", "", ""}},
		{"reported again after leaving view for n frames", 2,
			[][]Result{{a}, {a}, {}, {}, {a}, {a}}, []string{"", a.Text, "", "", "", a.Text}},
		{"two codes counted apart", 2, [][]Result{{a, b}, {b}, {a, b}, {a}}, []string{"", b.Text, "", a.Text}},
		{"a code twice in one frame counts once", 2, [][]Result{{a, a}, {a}}, []string{"", a.Text}},
		{"n of 1 reports at once", 1, [][]Result{{a}, {a}}, []string{a.Text, ""}},
		{"same text, other format, is another code", 2,
			[][]Result{{a}, {{Format: UPCA, Text: a.Text}}}, []string{"", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkFrames(t, NewConfirmer(tt.n), tt.frames, tt.want) })
	}
}

// checkFrames feeds c the frames and expects each to report the texts in
// want, joined by ",".
func checkFrames(t *testing.T, c *Confirmer, frames [][]Result, want []string) {
	t.Helper()
	for i, f := range frames {
		var got []string
		for _, r := range c.Frame(f) {
			got = append(got, r.Text)
		}
		if g := strings.Join(got, ","); g != want[i] {
			t.Errorf("frame %d: reported %q, want %q", i, g, want[i])
		}
	}
}

func TestConfirmerReset(t *testing.T) {
	a := Result{Format: EAN13, Text: "9520000000011"}
	c := NewConfirmer(2)
	c.Frame([]Result{a})
	c.Reset()
	if got := c.Frame([]Result{a}); len(got) != 0 {
		t.Errorf("after Reset, first frame reported %v", got)
	}
	if got := c.Frame([]Result{a}); !slices.Equal(got, []Result{a}) {
		t.Errorf("after Reset, second frame reported %v", got)
	}
}

// TestConfirmerProductFirst: a code that carries no product code (a QR
// code of a web page) is not reported from a frame that holds a product
// code, waits while a product code is being confirmed, and is reported
// when it is alone.
func TestConfirmerProductFirst(t *testing.T) {
	gtin := must(Parse("9520000000011"))
	p := Result{Format: EAN13, Text: "9520000000011", Symbology: "]E0", Code: &gtin}
	q := Result{Format: QRCode, Text: "https://www.example.com/offers", Symbology: "]Q1"}
	tests := []struct {
		name   string
		frames [][]Result
		want   []string
	}{
		{"both from the first frame: the product only", [][]Result{{q, p}, {q, p}, {p, q}, {q, p}, {q}},
			[]string{"", "", p.Text, "", ""}},
		{"the web link first, the product read later: it waits", [][]Result{{q}, {q, p}, {q, p}, {q, p}, {q}},
			[]string{"", "", "", p.Text, ""}},
		{"the web link alone", [][]Result{{q}, {q}, {q}, {q}}, []string{"", "", q.Text, ""}},
		{"the web link confirmed before the product came", [][]Result{{q}, {q}, {q}, {q, p}, {q, p}, {q, p}},
			[]string{"", "", q.Text, "", "", p.Text}},
		{"a stray product read lets the web link through after", [][]Result{{q}, {q, p}, {q}, {q}},
			[]string{"", "", q.Text, ""}},
		{"passed over while in view, reported after leaving it", [][]Result{{q, p}, {q, p}, {q, p}, {q}, {}, {}, {}, {q}, {q}, {q}},
			[]string{"", "", p.Text, "", "", "", "", "", "", q.Text}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkFrames(t, NewConfirmer(3), tt.frames, tt.want) })
	}
}

// TestConfirmerStill: a still image counts as n frames: each photo of a
// directory is believed at once, the same photo twice in a row is one
// scan, and a photo shown again after others is a new one.
func TestConfirmerStill(t *testing.T) {
	a := Result{Format: EAN13, Text: "9520000000011"}
	b := Result{Format: EAN8, Text: "96385074"}
	c := NewConfirmer(3)
	var got []string
	for _, still := range [][]Result{{a}, {a}, {b}, {}, {a}} {
		var rs []string
		for _, r := range c.Still(still) {
			rs = append(rs, r.Text)
		}
		got = append(got, strings.Join(rs, ","))
	}
	want := []string{a.Text, "", b.Text, "", a.Text}
	if !slices.Equal(got, want) {
		t.Errorf("reported %q, want %q", got, want)
	}
}
