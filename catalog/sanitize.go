package catalog

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sanitize makes untrusted text safe to put on a terminal or a printer:
// control characters (C0, DEL, C1, which include ESC and so every escape
// sequence), Unicode bidirectional formatting characters and other
// invisible format characters are replaced by U+FFFD, so that what a
// person sees is what was signed. Every piece of catalog text that reaches
// a screen goes through it; the record parser already refuses most of
// these, but checkpoints, errors and future formats need not.
func Sanitize(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		// A byte that is not UTF-8 (such as 0x9b, the 8-bit CSI) is
		// replaced too: it decodes as RuneError.
		if unsafeRune(r) {
			r = '\uFFFD'
		}
		b.WriteRune(r)
		s = s[size:]
	}
	return b.String()
}

func clean(s string) bool {
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if unsafeRune(r) || r == utf8.RuneError && size == 1 {
			return false
		}
		s = s[size:]
	}
	return true
}

func unsafeRune(r rune) bool {
	return forbiddenRune(r) ||
		unicode.Is(unicode.Cf, r) && r != '\u00AD' // format characters (bidi, zero-width), soft hyphen aside
}
