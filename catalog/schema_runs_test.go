package catalog

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestSchemaRuns: checkSchema keeps runs of lines with the same key as
// they are; a key that comes back after other lines is still refused when
// it may not repeat (named at its second line), and a repeatable key
// split in runs keeps every value, in the order of the lines.
func TestSchemaRuns(t *testing.T) {
	split := slices.Clone(baseDecl)
	split = append(split, "gtin "+gtinB, "contact https://example.com/a", "gtin 09520000000035", "contact https://example.com/b")
	r, err := ParseRecord([]byte(strings.Join(split, "\n") + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Declaration.GTINs, []string{gtinA, gtinB, "09520000000035"}; !slices.Equal(got, want) {
		t.Errorf("gtins %q, want %q", got, want)
	}
	if got := r.Declaration.Contacts; len(got) < 2 || got[len(got)-2] != "https://example.com/a" || got[len(got)-1] != "https://example.com/b" {
		t.Errorf("contacts %q", got)
	}
	// The record's own lines are not changed by the parse.
	if r2, _ := ParseRecord([]byte(strings.Join(split, "\n") + "\n")); !slices.Equal(r2.Declaration.GTINs, r.Declaration.GTINs) {
		t.Errorf("a second parse differs: %q", r2.Declaration.GTINs)
	}

	for _, tt := range []struct{ name, extra string }{
		{"brand apart", "brand Other"},
		{"model apart", "model Phone Two"},
		{"id apart", "id other"},
	} {
		body := strings.Join(append(slices.Clone(baseDecl), "gtin "+gtinB, tt.extra), "\n") + "\n"
		_, err := ParseRecord([]byte(body))
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(se.Msg, "repeated (first on line") {
			t.Fatalf("%s: error %v, want repeated", tt.name, err)
		}
		if want := strings.Count(body, "\n"); se.Line != want {
			t.Errorf("%s: line %d, want %d (the second one)", tt.name, se.Line, want)
		}
	}
}
