package tui

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

// TestKeyHelp: the key lists `smartcheck help` prints name every key of
// every binding of each screen, and describe each line.
func TestKeyHelp(t *testing.T) {
	tests := []struct {
		name   string
		keymap any
		list   []KeyHelp
		want   []KeyHelp // lines that must be there, as written
	}{
		{"till", DefaultKeyMap(), TillKeys(), []KeyHelp{{"F2", "acknowledge STOP/CHECK"}, {"F3", "history pane"}, {"F10, Ctrl+C", "quit"}, {"PgUp/PgDn, Ctrl+↑/↓, Shift+↑/↓", "scroll card"}, {"↑/↓", "choose a scan"}, {"Enter", "open its card"}, {"Esc", "clear scan field, or back"}}},
		{"kiosk", DefaultKioskKeyMap(), KioskKeys(), []KeyHelp{{"F12", "staff"}, {"PgDn", "page down"}}},
		{"labels", DefaultLabelsKeyMap(), LabelsKeys(), []KeyHelp{{"F4, Ctrl+D", "remove last"}, {"↑/↓", "choose"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var named []string
			for _, l := range tt.list {
				if l.Desc == "" {
					t.Errorf("%q has no description", l.Keys)
				}
				for _, part := range strings.Split(l.Keys, ", ") {
					named = append(named, labelNames(part)...)
				}
			}
			v := reflect.ValueOf(tt.keymap)
			for i := range v.NumField() {
				b, ok := v.Field(i).Interface().(key.Binding)
				if !ok {
					continue
				}
				for _, k := range b.Keys() {
					if !slices.Contains(named, keyName(k)) {
						t.Errorf("%s (%s) is not in the list %v", k, v.Type().Field(i).Name, tt.list)
					}
				}
			}
			for _, w := range tt.want {
				if !slices.Contains(tt.list, w) {
					t.Errorf("no line %+v in %+v", w, tt.list)
				}
			}
		})
	}
}

func TestKeyName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"f10", "F10"}, {"ctrl+c", "Ctrl+C"}, {"ctrl+up", "Ctrl+↑"}, {"pgdown", "PgDn"}, {"esc", "Esc"}, {"shift+down", "Shift+↓"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := keyName(tt.in); got != tt.want {
				t.Errorf("keyName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
