package tui

import (
	"image/color"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// VerdictLook is how a verdict shows: a word and a symbol as well as a
// colour, so that it reads without colour too.
type VerdictLook struct {
	Word   string // as staff read it: "NOT IN SCOPE"
	Symbol string // one cell wide
	Action string // what the till does (spec/verdicts.md, "Verdicts")
	Color  color.Color
	Text   lipgloss.Style // bold, in the verdict's colour
	Tag    lipgloss.Style // the verdict's colour as background; reversed without colour
}

// Styles is every style of the screens, built once.
type Styles struct {
	Verdicts [catalog.Stop + 1]VerdictLook // indexed by catalog.Verdict

	Title      lipgloss.Style
	Status     lipgloss.Style
	Dim        lipgloss.Style
	Label      lipgloss.Style
	Bold       lipgloss.Style
	Prompt     lipgloss.Style
	Field      lipgloss.Style
	Cursor     lipgloss.Style
	Waiting    lipgloss.Style
	Notice     lipgloss.Style
	Error      lipgloss.Style
	Pane       lipgloss.Style // the border around the card and the history
	PaneTitle  lipgloss.Style
	Unreadable lipgloss.Style
	Selected   lipgloss.Style // the history row chosen with ↑/↓

	BannerDemo      lipgloss.Style
	BannerStale     lipgloss.Style
	BannerUntrusted lipgloss.Style
	BannerLog       lipgloss.Style
}

// palette is the colours of one colour profile. Each is chosen for the
// profile rather than left to the renderer to downsample: downsampled,
// the truecolor red #E0302A is xterm colour 166 (#d75f00), an orange, on a
// 256-colour terminal, and a STOP must never look like a CAUTION.
type palette struct {
	green, amber, blue, red, grey color.Color
	light, dark, status           color.Color
}

var (
	// TrueColor: the colours as designed.
	trueColors = palette{
		green: lipgloss.Color("#2E9E48"), amber: lipgloss.Color("#F0A000"), blue: lipgloss.Color("#3A86E0"),
		red: lipgloss.Color("#E0302A"), grey: lipgloss.Color("#9A9A9A"),
		light: lipgloss.Color("#FFFFFF"), dark: lipgloss.Color("#000000"), status: lipgloss.Color("#C0C0C0"),
	}
	// ANSI256: xterm's 6x6x6 cube, nearest in hue, not in distance: STOP
	// 160 (#d70000), CAUTION 214 (#ffaf00).
	colors256 = palette{
		green: lipgloss.Color("34"), amber: lipgloss.Color("214"), blue: lipgloss.Color("33"),
		red: lipgloss.Color("160"), grey: lipgloss.Color("247"),
		light: lipgloss.Color("231"), dark: lipgloss.Color("16"), status: lipgloss.Color("250"),
	}
	// ANSI: the eight named colours every colour terminal has (TERM=xterm,
	// TERM=linux): STOP red (SGR 31), CAUTION yellow (33). Grey is bright
	// black (90).
	colors16 = palette{
		green: lipgloss.Color("2"), amber: lipgloss.Color("3"), blue: lipgloss.Color("4"),
		red: lipgloss.Color("1"), grey: lipgloss.Color("8"),
		light: lipgloss.Color("7"), dark: lipgloss.Color("0"), status: lipgloss.Color("7"),
	}
)

// DefaultStyles returns the screens' styles for a truecolor terminal.
func DefaultStyles() Styles { return StylesFor(colorprofile.TrueColor) }

// StylesFor returns the screens' styles for a terminal of colour profile
// p: exact colours in truecolor, a palette chosen for 256 and for 16
// colours, and none at all for NO_COLOR or output that is not a
// terminal, when bold and reverse video mark what colour would, and every
// verdict still shows its word and symbol.
func StylesFor(p colorprofile.Profile) Styles {
	var pal palette
	switch {
	case p >= colorprofile.TrueColor:
		pal = trueColors
	case p == colorprofile.ANSI256:
		pal = colors256
	case p == colorprofile.ANSI:
		pal = colors16
	default:
		return monoStyles()
	}
	var s Styles
	look := func(v catalog.Verdict, c, on color.Color) {
		s.Verdicts[v].Color = c
		s.Verdicts[v].Text = lipgloss.NewStyle().Foreground(c).Bold(true)
		s.Verdicts[v].Tag = lipgloss.NewStyle().Background(c).Foreground(on).Bold(true).Padding(0, 1)
	}
	look(catalog.OK, pal.green, pal.dark)
	look(catalog.Caution, pal.amber, pal.dark)
	look(catalog.Check, pal.blue, pal.light)
	look(catalog.Stop, pal.red, pal.light)
	look(catalog.NotInScope, pal.grey, pal.dark)
	words(&s)

	s.Title = lipgloss.NewStyle().Bold(true)
	s.Status = lipgloss.NewStyle().Foreground(pal.status)
	s.Dim = lipgloss.NewStyle().Foreground(pal.grey)
	s.Label = lipgloss.NewStyle().Foreground(pal.grey)
	s.Bold = lipgloss.NewStyle().Bold(true)
	s.Prompt = lipgloss.NewStyle().Bold(true)
	s.Field = lipgloss.NewStyle().Bold(true)
	s.Cursor = lipgloss.NewStyle().Reverse(true)
	s.Waiting = lipgloss.NewStyle().Foreground(pal.amber).Bold(true)
	s.Notice = lipgloss.NewStyle().Foreground(pal.green)
	s.Error = lipgloss.NewStyle().Foreground(pal.red).Bold(true)
	s.Pane = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(pal.grey).Padding(0, 1)
	s.PaneTitle = lipgloss.NewStyle().Bold(true)
	s.Unreadable = lipgloss.NewStyle().Foreground(pal.grey)
	s.Selected = lipgloss.NewStyle().Reverse(true)
	banner := lipgloss.NewStyle().Bold(true).Padding(0, 1)
	s.BannerDemo = banner.Background(pal.amber).Foreground(pal.dark)
	s.BannerStale = banner.Background(pal.blue).Foreground(pal.light)
	s.BannerUntrusted = banner.Background(pal.red).Foreground(pal.light)
	s.BannerLog = banner.Background(pal.red).Foreground(pal.light)
	return s
}

// monoStyles are the styles without colour: bold for what is coloured,
// reverse video for what has a coloured background.
func monoStyles() Styles {
	var s Styles
	plain := lipgloss.NewStyle()
	bold := plain.Bold(true)
	tag := bold.Reverse(true).Padding(0, 1)
	for v := range s.Verdicts {
		s.Verdicts[v].Color = lipgloss.NoColor{}
		s.Verdicts[v].Text = bold
		s.Verdicts[v].Tag = tag
	}
	words(&s)
	s.Title, s.Bold, s.Prompt, s.Field, s.PaneTitle = bold, bold, bold, bold, bold
	s.Status, s.Dim, s.Label, s.Notice, s.Unreadable = plain, plain, plain, plain, plain
	s.Waiting, s.Error = bold, bold
	s.Cursor, s.Selected = plain.Reverse(true), plain.Reverse(true)
	s.Pane = plain.Border(lipgloss.RoundedBorder()).Padding(0, 1)
	banner := bold.Reverse(true).Padding(0, 1)
	s.BannerDemo, s.BannerStale, s.BannerUntrusted, s.BannerLog = banner, banner, banner, banner
	return s
}

// words sets what each verdict says, the same in every profile.
func words(s *Styles) {
	set := func(v catalog.Verdict, word, symbol, action string) {
		s.Verdicts[v].Word, s.Verdicts[v].Symbol, s.Verdicts[v].Action = word, symbol, action
	}
	set(catalog.OK, "OK", "✓", "Sell. Tell the shopper the support end date and the contact.")
	set(catalog.Caution, "CAUTION", "!", "Sell, and tell the shopper the highlighted fact.")
	set(catalog.Check, "CHECK", "?", "Hold the sale until someone has checked the statement of compliance that came with the product (PSTI Act 2022 s.22).")
	set(catalog.Stop, "STOP", "✗", "Do not sell (PSTI Act 2022 s.23: a known or believed compliance failure, or retailer policy).")
	set(catalog.NotInScope, "NOT IN SCOPE", "○", "Sell normally: the PSTI regime does not apply (Sch 3 exception). Support facts shown when known.")
}
