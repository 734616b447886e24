package tui

import (
	"image/color"

	"charm.land/lipgloss/v2"
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
	Tag    lipgloss.Style // the verdict's colour as background
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

	BannerDemo      lipgloss.Style
	BannerStale     lipgloss.Style
	BannerUntrusted lipgloss.Style
	BannerLog       lipgloss.Style
}

var (
	green = lipgloss.Color("#2E9E48")
	amber = lipgloss.Color("#F0A000")
	blue  = lipgloss.Color("#3A86E0")
	red   = lipgloss.Color("#E0302A")
	grey  = lipgloss.Color("#9A9A9A")
	black = lipgloss.Color("#000000")
	white = lipgloss.Color("#FFFFFF")
)

// DefaultStyles returns the till's styles.
func DefaultStyles() Styles {
	var s Styles
	look := func(v catalog.Verdict, word, symbol, action string, c, on color.Color) {
		s.Verdicts[v] = VerdictLook{
			Word: word, Symbol: symbol, Action: action, Color: c,
			Text: lipgloss.NewStyle().Foreground(c).Bold(true),
			Tag:  lipgloss.NewStyle().Background(c).Foreground(on).Bold(true).Padding(0, 1),
		}
	}
	look(catalog.OK, "OK", "✓", "Sell. Tell the shopper the support end date and the contact.", green, black)
	look(catalog.Caution, "CAUTION", "!", "Sell, and tell the shopper the highlighted fact.", amber, black)
	look(catalog.Check, "CHECK", "?", "Hold the sale until someone has checked the statement of compliance that came with the product (PSTI Act 2022 s.22).", blue, white)
	look(catalog.Stop, "STOP", "✗", "Do not sell (PSTI Act 2022 s.23: a known or believed compliance failure, or retailer policy).", red, white)
	look(catalog.NotInScope, "NOT IN SCOPE", "○", "Sell normally: the PSTI regime does not apply (Sch 3 exception). Support facts shown when known.", grey, black)

	s.Title = lipgloss.NewStyle().Bold(true)
	s.Status = lipgloss.NewStyle().Foreground(lipgloss.Color("#C0C0C0"))
	s.Dim = lipgloss.NewStyle().Foreground(grey)
	s.Label = lipgloss.NewStyle().Foreground(grey)
	s.Bold = lipgloss.NewStyle().Bold(true)
	s.Prompt = lipgloss.NewStyle().Bold(true)
	s.Field = lipgloss.NewStyle().Bold(true)
	s.Cursor = lipgloss.NewStyle().Reverse(true)
	s.Waiting = lipgloss.NewStyle().Foreground(amber).Bold(true)
	s.Notice = lipgloss.NewStyle().Foreground(green)
	s.Error = lipgloss.NewStyle().Foreground(red).Bold(true)
	s.Pane = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(grey).Padding(0, 1)
	s.PaneTitle = lipgloss.NewStyle().Bold(true)
	s.Unreadable = lipgloss.NewStyle().Foreground(grey)
	banner := lipgloss.NewStyle().Bold(true).Padding(0, 1)
	s.BannerDemo = banner.Background(amber).Foreground(black)
	s.BannerStale = banner.Background(blue).Foreground(white)
	s.BannerUntrusted = banner.Background(red).Foreground(white)
	s.BannerLog = banner.Background(red).Foreground(white)
	return s
}
