package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every command of the till. A printable key may always be
// part of a barcode, so none is bound: F-keys, Esc, Enter on an empty
// scan field, cursor and paging keys, and Ctrl chords only.
type KeyMap struct {
	Acknowledge key.Binding
	History     key.Binding
	Print       key.Binding
	CardUp      key.Binding
	CardDown    key.Binding
	Newer       key.Binding
	Older       key.Binding
	Open        key.Binding
	Newest      key.Binding
	Oldest      key.Binding
	Back        key.Binding
	Quit        key.Binding
}

// DefaultKeyMap returns the till's keys. PgUp/PgDn work on every terminal;
// Ctrl+↑/↓ and Shift+↑/↓ are there for keyboards without paging keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Acknowledge: key.NewBinding(key.WithKeys("f2"), key.WithHelp("F2", "acknowledge STOP/CHECK")),
		History:     key.NewBinding(key.WithKeys("f3"), key.WithHelp("F3", "history pane")),
		Print:       key.NewBinding(key.WithKeys("f4"), key.WithHelp("F4", "print receipt")),
		CardUp:      key.NewBinding(key.WithKeys("pgup", "ctrl+up", "shift+up"), key.WithHelp("PgUp/PgDn", "scroll card")),
		CardDown:    key.NewBinding(key.WithKeys("pgdown", "ctrl+down", "shift+down")),
		Newer:       key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "choose a scan")),
		Older:       key.NewBinding(key.WithKeys("down")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("Enter", "open its card")),
		Newest:      key.NewBinding(key.WithKeys("home"), key.WithHelp("Home/End", "newest/oldest")),
		Oldest:      key.NewBinding(key.WithKeys("end")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("Esc", "clear scan field, or back")),
		Quit:        key.NewBinding(key.WithKeys("f10", "ctrl+c"), key.WithHelp("F10", "quit")),
	}
}

// ShortHelp lists the bindings of the footer in the order shown.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Acknowledge, k.History, k.Print, k.CardUp, k.Newer, k.Open, k.Newest, k.Back, k.Quit}
}

// FullHelp is ShortHelp in one column (help.KeyMap).
func (k KeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// footer lists the bindings the footer shows first when not all fit, most
// needed first: quitting and acknowledging always, then what the screen
// is doing (choosing a scan in the history, or not).
func (k KeyMap) footer(choosing bool) []key.Binding {
	if choosing {
		return []key.Binding{k.Quit, k.Acknowledge, k.Open, k.Back, k.Newer, k.CardUp, k.Newest, k.History, k.Print}
	}
	return []key.Binding{k.Quit, k.Acknowledge, k.CardUp, k.History, k.Newer, k.Print, k.Back, k.Open, k.Newest}
}
