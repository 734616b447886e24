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
		t.Run(tt.name, func(t *testing.T) {
			c := NewConfirmer(tt.n)
			for i, f := range tt.frames {
				var got []string
				for _, r := range c.Frame(f) {
					got = append(got, r.Text)
				}
				if g := strings.Join(got, ","); g != tt.want[i] {
					t.Errorf("frame %d: reported %q, want %q", i, g, tt.want[i])
				}
			}
		})
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
