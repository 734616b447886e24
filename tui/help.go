package tui

import (
	"reflect"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyHelp is one line of a screen's key list, for `smartcheck help`.
type KeyHelp struct {
	Keys string // as the screen's help line names them ("F10", "↑/↓"), then any others ("Ctrl+C")
	Desc string
}

// TillKeys lists every key of the till, KioskKeys of the kiosk and
// LabelsKeys of the label screen, read from their key maps so that the
// manual cannot fall behind the screen.
func TillKeys() []KeyHelp   { return keyHelp(DefaultKeyMap()) }
func KioskKeys() []KeyHelp  { return keyHelp(DefaultKioskKeyMap()) }
func LabelsKeys() []KeyHelp { return keyHelp(DefaultLabelsKeyMap()) }

// keyHelp walks a key map's bindings in order. A binding with help text
// is a line; one without is the other half of the line before when that
// line names a pair ("↑/↓", "Home/End"), else a line of its own named
// after its field ("PageUp": "page up").
func keyHelp(km any) []KeyHelp {
	v := reflect.ValueOf(km)
	var out []KeyHelp
	var names []string // the key names the last line's label implies
	var pairs int      // bindings the last line's label still has room for
	var extra []string // keys of the last line its label does not name
	flush := func() {
		if len(out) > 0 && len(extra) > 0 {
			out[len(out)-1].Keys += ", " + strings.Join(joinPairs(extra), ", ")
		}
		extra = nil
	}
	for i := range v.NumField() {
		b, ok := v.Field(i).Interface().(key.Binding)
		if !ok || len(b.Keys()) == 0 {
			continue
		}
		h := b.Help()
		switch {
		case h.Key != "":
			flush()
			out = append(out, KeyHelp{Keys: h.Key, Desc: h.Desc})
			names = labelNames(h.Key)
			pairs = strings.Count(h.Key, "/")
		case pairs > 0 && len(out) > 0:
			pairs--
		default:
			flush()
			out = append(out, KeyHelp{Keys: keyName(b.Keys()[0]), Desc: fieldWords(v.Type().Field(i).Name)})
			names = []string{keyName(b.Keys()[0])}
			pairs = 0
		}
		for _, k := range b.Keys() {
			if n := keyName(k); !slices.Contains(names, n) && !slices.Contains(extra, n) {
				extra = append(extra, n)
			}
		}
	}
	flush()
	return out
}

// joinPairs writes keys with the same modifiers as one: Shift+↑ and
// Shift+↓ are Shift+↑/↓.
func joinPairs(keys []string) []string {
	var out []string
	at := map[string]int{}
	for _, k := range keys {
		prefix := ""
		if i := strings.LastIndex(k, "+"); i >= 0 && i < len(k)-1 {
			prefix = k[:i+1]
		}
		if j, ok := at[prefix]; ok && prefix != "" {
			out[j] += "/" + strings.TrimPrefix(k, prefix)
			continue
		}
		at[prefix] = len(out)
		out = append(out, k)
	}
	return out
}

// labelNames expands a help label into the keys it names: "Ctrl+↑/↓" is
// Ctrl+↑ and Ctrl+↓.
func labelNames(label string) []string {
	parts := strings.Split(label, "/")
	prefix := ""
	if i := strings.LastIndex(parts[0], "+"); i >= 0 {
		prefix = parts[0][:i+1]
	}
	for i := 1; i < len(parts); i++ {
		if !strings.Contains(parts[i], "+") {
			parts[i] = prefix + parts[i]
		}
	}
	return parts
}

var keyNames = map[string]string{
	"up": "↑", "down": "↓", "left": "←", "right": "→", "pgup": "PgUp", "pgdown": "PgDn",
	"home": "Home", "end": "End", "esc": "Esc", "enter": "Enter", "tab": "Tab", "space": "Space",
	"backspace": "Backspace", "delete": "Delete", "insert": "Insert",
}

// keyName writes a Bubble Tea key name as a help line does: "ctrl+up" is
// Ctrl+↑, "f10" F10, "ctrl+c" Ctrl+C.
func keyName(k string) string {
	parts := strings.Split(k, "+")
	for i, p := range parts {
		switch {
		case keyNames[p] != "":
			parts[i] = keyNames[p]
		case len(p) == 1:
			parts[i] = strings.ToUpper(p)
		case len(p) > 1 && p[0] == 'f' && p[1] >= '0' && p[1] <= '9':
			parts[i] = "F" + p[1:]
		default:
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "+")
}

// fieldWords turns a field name into words: "PageUp" is "page up".
func fieldWords(name string) string {
	var b strings.Builder
	for i, r := range name {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return strings.ToLower(b.String())
}
