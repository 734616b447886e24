package scan

import (
	"reflect"
	"testing"
)

// FuzzParse checks that Parse never panics, that every Code it returns keeps
// its promises (a valid GTIN-14 among the elements, a batch and serial of set
// 82, an expiry that is a date), and that the bracketed rendering of a Code
// reads back as the same Code, less the symbology identifier it came with.
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, tt := range errorTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := Parse(in)
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("Parse(%q) error is %T, want *Error", in, err)
			}
			if e.Input != in || e.Pos < -1 || e.Pos > len(in) || e.Msg == "" {
				t.Fatalf("Parse(%q) = bad error %+v", in, e)
			}
			return
		}
		checkSound(t, in, c)
		b := c.Bracketed()
		c2, err := Parse(b)
		if err != nil {
			t.Fatalf("Parse(%q) = %+v, but its bracketed form %q fails: %v", in, c, b, err)
		}
		c.Symbology = ""
		if !reflect.DeepEqual(c, c2) {
			t.Fatalf("Parse(%q) = %+v\nbut Parse(%q) = %+v", in, c, b, c2)
		}
	})
}
