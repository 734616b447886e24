package scan

import "testing"

func BenchmarkParse(b *testing.B) {
	for _, bb := range []struct{ name, in string }{
		{"EAN-13", "9520000000011"},
		{"EAN-13 with AIM and Enter", "]E09520000000011\r\n"},
		{"UPC-E", "]E001234565"},
		{"element string", "]C10109520000000011" + "17281231" + "10B2402" + GS + "21X1"},
		{"DataMatrix pharma", "]d2" + GS + "0109520000000011" + "17290531" + "10ABC123" + GS + "21SN000123" + GS + "710123456"},
		{"bracketed", "(01)09520000000011(17)281231(10)B2402(21)X1"},
		{"digital link", "https://id.gs1.org/01/09520000000011/10/B2402/21/X1?17=281231"},
		{"bad check digit", "9520000000012"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Parse(bb.in)
			}
		})
	}
}
