package tui

import "strings"

// The verdict is shown in large type: letters five cells high, drawn with
// full blocks, so that it reads across a shop counter. The till draws
// only the verdicts' words and symbols; the kiosk also draws other words,
// dates and numbers, so the font has every capital letter, the digits and
// a little punctuation.
const bigHeight = 5

var bigGlyphs = map[rune][bigHeight]string{
	'A': {" ███ ", "█   █", "█████", "█   █", "█   █"},
	'C': {" ████", "█    ", "█    ", "█    ", " ████"},
	'E': {"█████", "█    ", "████ ", "█    ", "█████"},
	'H': {"█   █", "█   █", "█████", "█   █", "█   █"},
	'I': {"███", " █ ", " █ ", " █ ", "███"},
	'K': {"█   █", "█  █ ", "███  ", "█  █ ", "█   █"},
	'N': {"█   █", "██  █", "█ █ █", "█  ██", "█   █"},
	'O': {" ███ ", "█   █", "█   █", "█   █", " ███ "},
	'P': {"████ ", "█   █", "████ ", "█    ", "█    "},
	'S': {" ████", "█    ", " ███ ", "    █", "████ "},
	'T': {"█████", "  █  ", "  █  ", "  █  ", "  █  "},
	'U': {"█   █", "█   █", "█   █", "█   █", " ███ "},
	' ': {"  ", "  ", "  ", "  ", "  "},
	'✓': {"     █", "    █ ", "█  █  ", " ██   ", "      "},
	'!': {"█", "█", "█", " ", "█"},
	'?': {"████ ", "    █", "  ██ ", "     ", "  █  "},
	'✗': {"█   █", " █ █ ", "  █  ", " █ █ ", "█   █"},
	'○': {" ███ ", "█   █", "█   █", "█   █", " ███ "},
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

// bigText draws s in large type, upper-cased, one space between glyphs.
// Runes without a glyph are skipped. It returns bigHeight lines of equal
// width.
func bigText(s string) []string {
	var rows [bigHeight]strings.Builder
	first := true
	for _, r := range strings.ToUpper(s) {
		g, ok := bigGlyphs[r]
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

// bigWidth is the width of bigText(s).
func bigWidth(s string) int {
	w, n := 0, 0
	for _, r := range strings.ToUpper(s) {
		if g, ok := bigGlyphs[r]; ok {
			w += len([]rune(g[0]))
			n++
		}
	}
	if n > 1 {
		w += n - 1
	}
	return w
}
