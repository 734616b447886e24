package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every command of the till. A printable key may always be
// part of a barcode, so none is bound: F-keys, Esc, paging keys and Ctrl
// chords only.
type KeyMap struct {
	Acknowledge key.Binding
	Print       key.Binding
	Clear       key.Binding
	CardUp      key.Binding
	CardDown    key.Binding
	LineUp      key.Binding
	LineDown    key.Binding
	PageUp      key.Binding
	PageDown    key.Binding
	Newest      key.Binding
	Oldest      key.Binding
	Quit        key.Binding
}

// DefaultKeyMap returns the till's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Acknowledge: key.NewBinding(key.WithKeys("f2"), key.WithHelp("F2", "acknowledge STOP")),
		Print:       key.NewBinding(key.WithKeys("f4"), key.WithHelp("F4", "print receipt")),
		Clear:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("Esc", "clear scan field")),
		CardUp:      key.NewBinding(key.WithKeys("ctrl+up", "shift+up"), key.WithHelp("Ctrl+↑/↓", "scroll card")),
		CardDown:    key.NewBinding(key.WithKeys("ctrl+down", "shift+down")),
		LineUp:      key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "history")),
		LineDown:    key.NewBinding(key.WithKeys("down")),
		PageUp:      key.NewBinding(key.WithKeys("pgup"), key.WithHelp("PgUp/PgDn", "page history")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown")),
		Newest:      key.NewBinding(key.WithKeys("home"), key.WithHelp("Home/End", "newest/oldest")),
		Oldest:      key.NewBinding(key.WithKeys("end")),
		Quit:        key.NewBinding(key.WithKeys("ctrl+c", "f10"), key.WithHelp("F10", "quit")),
	}
}

// ShortHelp lists the bindings the footer shows.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Acknowledge, k.Print, k.Clear, k.LineUp, k.PageUp, k.Newest, k.CardUp, k.Quit}
}

// FullHelp is ShortHelp in one column (help.KeyMap).
func (k KeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }
