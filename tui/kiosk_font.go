package tui

import "strings"

// kioskGlyphs complete bigGlyphs for the kiosk, which writes more than
// the verdict words in large type: the rest of the alphabet, the digits
// and a little punctuation, in the same five-row style.
var kioskGlyphs = map[rune][bigHeight]string{
	'B': {"████ ", "█   █", "████ ", "█   █", "████ "},
	'D': {"████ ", "█   █", "█   █", "█   █", "████ "},
	'F': {"█████", "█    ", "████ ", "█    ", "█    "},
	'G': {" ████", "█    ", "█  ██", "█   █", " ████"},
	'J': {"  ███", "    █", "    █", "█   █", " ███ "},
	'L': {"█    ", "█    ", "█    ", "█    ", "█████"},
	'M': {"█   █", "██ ██", "█ █ █", "█   █", "█   █"},
	'Q': {" ███ ", "█   █", "█ █ █", "█  █ ", " ██ █"},
	'R': {"████ ", "█   █", "████ ", "█  █ ", "█   █"},
	'V': {"█   █", "█   █", "█   █", " █ █ ", "  █  "},
	'W': {"█   █", "█   █", "█ █ █", "██ ██", "█   █"},
	'X': {"█   █", " █ █ ", "  █  ", " █ █ ", "█   █"},
	'Y': {"█   █", " █ █ ", "  █  ", "  █  ", "  █  "},
	'Z': {"█████", "   █ ", "  █  ", " █   ", "█████"},
	'0': {" ███ ", "█  ██", "█ █ █", "██  █", " ███ "},
	'1': {" ██  ", "█ █  ", "  █  ", "  █  ", "█████"},
	'2': {" ███ ", "█   █", "  ██ ", " █   ", "█████"},
	'3': {"████ ", "    █", " ███ ", "    █", "████ "},
	'4': {"█   █", "█   █", "█████", "    █", "    █"},
	'5': {"█████", "█    ", "████ ", "    █", "████ "},
	'6': {" ███ ", "█    ", "████ ", "█   █", " ███ "},
	'7': {"█████", "    █", "   █ ", "  █  ", "  █  "},
	'8': {" ███ ", "█   █", " ███ ", "█   █", " ███ "},
	'9': {" ███ ", "█   █", " ████", "    █", " ███ "},
	'-': {"   ", "   ", "███", "   ", "   "},
	'.': {" ", " ", " ", " ", "█"},
}

func kioskGlyph(r rune) ([bigHeight]string, bool) {
	if g, ok := kioskGlyphs[r]; ok {
		return g, true
	}
	g, ok := bigGlyphs[r]
	return g, ok
}

// kioskBig draws s in large type, upper-cased, one space between glyphs;
// runes without a glyph are skipped. It returns bigHeight lines of equal
// width.
func kioskBig(s string) []string {
	var rows [bigHeight]strings.Builder
	first := true
	for _, r := range strings.ToUpper(s) {
		g, ok := kioskGlyph(r)
		if !ok {
			continue
		}
		for i := range rows {
			if !first {
				rows[i].WriteByte(' ')
			}
			rows[i].WriteString(g[i])
		}
		first = false
	}
	out := make([]string, bigHeight)
	for i := range rows {
		out[i] = rows[i].String()
	}
	return out
}

// kioskBigWidth is the width of kioskBig(s).
func kioskBigWidth(s string) int {
	w, n := 0, 0
	for _, r := range strings.ToUpper(s) {
		if g, ok := kioskGlyph(r); ok {
			w += len([]rune(g[0]))
			n++
		}
	}
	if n > 1 {
		w += n - 1
	}
	return w
}
