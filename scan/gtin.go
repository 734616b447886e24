package scan

// parseGTINDigits reads d, found at byte off of in, as the digits of a
// GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) or GTIN-14.
func parseGTINDigits(in, d string, off int) (Code, *Error) {
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return Code{}, newError(in, off+i, "", "GTIN %s: %q at byte %d is not a digit", quoteShort(d), d[i], off+i)
		}
	}
	switch len(d) {
	case 8, 12, 13, 14:
	default:
		return Code{}, newError(in, off, "", "not a product code: %d digits is not a GTIN (8, 12, 13 or 14 digits)", len(d))
	}
	if want := checkDigit(d[:len(d)-1]); want != d[len(d)-1] {
		return Code{}, newError(in, off+len(d)-1, "", "bad check digit in GTIN %s: want %c, got %c", d, want, d[len(d)-1])
	}
	g := pad14(d)
	return Code{GTIN: g, Elements: []Element{{AI: "01", Value: g}}}, nil
}

// pad14 left-pads the digits d with zeros to 14.
func pad14(d string) string {
	if len(d) == 14 {
		return d
	}
	var b [14]byte
	n := 14 - len(d)
	for i := 0; i < n; i++ {
		b[i] = '0'
	}
	copy(b[n:], d)
	return string(b[:])
}

// parseUPCE reads the 8 digits of a UPC-E symbol (number system, six data
// digits, check digit) and expands them to the UPC-A they stand for.
func parseUPCE(in, d string, off int) (Code, *Error) {
	if !isDigits(d) {
		return Code{}, newError(in, off, "", "UPC-E %s is not all digits", quoteShort(d))
	}
	if d[0] != '0' && d[0] != '1' {
		return Code{}, newError(in, off, "", "UPC-E %s: number system must be 0 or 1, not %c", d, d[0])
	}
	a := expandUPCE(d[:7])
	if want := checkDigit(a); want != d[7] {
		return Code{}, newError(in, off+7, "", "bad check digit in UPC-E %s: want %c, got %c (UPC-A %s%c)", d, want, d[7], a, want)
	}
	var b [14]byte
	b[0], b[1] = '0', '0'
	copy(b[2:], a)
	b[13] = d[7]
	g := string(b[:])
	return Code{GTIN: g, Elements: []Element{{AI: "01", Value: g}}}, nil
}

// expandUPCE expands the number system and six data digits of a UPC-E code
// (without its check digit) to the 11 data digits of the UPC-A it
// suppresses zeros from. The last data digit says where the zeros were
// (GS1 General Specifications, UPC-E zero suppression):
//
//	X1 X2 X3 X4 X5 0..2  →  X1 X2 X6 0 0 | 0 0 X3 X4 X5
//	X1 X2 X3 X4 X5 3     →  X1 X2 X3 0 0 | 0 0 0 X4 X5
//	X1 X2 X3 X4 X5 4     →  X1 X2 X3 X4 0 | 0 0 0 0 X5
//	X1 X2 X3 X4 X5 5..9  →  X1 X2 X3 X4 X5 | 0 0 0 0 X6
func expandUPCE(d string) string {
	ns, x := d[0], d[1:7]
	var b [11]byte
	b[0] = ns
	for i := 1; i < 11; i++ {
		b[i] = '0'
	}
	switch x[5] {
	case '0', '1', '2':
		b[1], b[2], b[3] = x[0], x[1], x[5]
		b[8], b[9], b[10] = x[2], x[3], x[4]
	case '3':
		b[1], b[2], b[3] = x[0], x[1], x[2]
		b[9], b[10] = x[3], x[4]
	case '4':
		b[1], b[2], b[3], b[4] = x[0], x[1], x[2], x[3]
		b[10] = x[4]
	default:
		b[1], b[2], b[3], b[4], b[5] = x[0], x[1], x[2], x[3], x[4]
		b[10] = x[5]
	}
	return string(b[:])
}
