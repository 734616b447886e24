package catalog

import "testing"

// TestASCIIAddress: a host that is not plain ASCII is shown in its xn--
// form (verdicts.md), so a look-alike host cannot pass for another.
func TestASCIIAddress(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://example.com/security", "https://example.com/security"},
		{"https://bücher.example/sicherheit", "https://xn--bcher-kva.example/sicherheit"},
		{"https://exаmple.com/security", "https://xn--exmple-4nf.com/security"}, // Cyrillic а
		{"https://bücher.example:8443/x?y=1", "https://xn--bcher-kva.example:8443/x?y=1"},
		{"mailto:security@bücher.example", "mailto:security@xn--bcher-kva.example"},
		{"mailto:sécurité@example.com", "mailto:sécurité@example.com"}, // the local part is not a host
		{"tel:+44 20 7946 0000", "tel:+44 20 7946 0000"},
		{"Ruf uns an", "Ruf uns an"},
	}
	for _, c := range cases {
		if got := ASCIIAddress(c.in); got != c.want {
			t.Errorf("ASCIIAddress(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := BestContact([]string{"call us", "https://bücher.example/s"}); got != "https://xn--bcher-kva.example/s" {
		t.Errorf("BestContact = %q", got)
	}
}
