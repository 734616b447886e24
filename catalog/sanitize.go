package catalog

import (
	"strings"
	"unicode"
)

// Sanitize makes untrusted text safe to put on a terminal or a printer:
// control characters (C0, DEL, C1, which include ESC and so every escape
// sequence), Unicode bidirectional formatting characters and other
// invisible format characters are replaced by U+FFFD, so that what a
// person sees is what was signed. Every piece of catalog text that reaches
// a screen goes through it; the record parser already refuses most of
// these, but checkpoints, errors and future formats need not.
func Sanitize(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return forbiddenRune(r) ||
		unicode.Is(unicode.Cf, r) && r != '\u00AD' // format characters (bidi, zero-width), soft hyphen aside
}
