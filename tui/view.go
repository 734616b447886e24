package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// Layout, from the top: the status line and banners, the scan field, the
// card beside the history, a notice line and the keys.
const bottomH = 2

// View joins the rendered parts to the scan field. Only the scan field is
// rendered per frame; the rest is rebuilt when it changes.
func (m *Till) View() tea.View {
	if m.width < minWidth || m.height < minHeight {
		v := tea.NewView(m.tinyView())
		v.AltScreen = true
		return v
	}
	m.render()
	var b strings.Builder
	b.Grow(len(m.top) + len(m.body) + len(m.bottom) + 2*m.width)
	b.WriteString(m.top)
	b.WriteByte('\n')
	b.WriteString(m.inputLine())
	b.WriteByte('\n')
	b.WriteString(m.body)
	b.WriteByte('\n')
	b.WriteString(m.bottom)
	v := tea.NewView(b.String())
	v.AltScreen = true
	v.WindowTitle = "smartcheck till"
	return v
}

// The smallest screen the till lays out; below it, tinyView.
const minWidth, minHeight = 40, 12

// tinyView is what a screen too small for the card shows: the last
// verdict in words, so that a scan is never judged unseen.
func (m *Till) tinyView() string {
	st := &m.styles
	lines := []string{"smartcheck till: window too small (needs 40x12)", "Scan ▸ " + fieldText(m.wedge.text())}
	if e := m.current; e != nil {
		if e.err != nil {
			lines = append(lines, fmt.Sprintf("#%d not a product code", e.seq))
		} else {
			look := st.Verdicts[e.result.Verdict]
			lines = append(lines, look.Text.Render(fmt.Sprintf("#%d %s %s %s", e.seq, look.Symbol, look.Word, e.result.GTIN)))
		}
	}
	if m.hold != nil {
		lines = append(lines, fmt.Sprintf("%s #%d: F2 to acknowledge", st.Verdicts[m.hold.result.Verdict].Word, m.hold.seq))
	}
	for i, l := range lines {
		lines[i] = clip(l, max(1, m.width))
	}
	if len(lines) > m.height {
		lines = lines[len(lines)-max(1, m.height):]
	}
	return strings.Join(lines, "\n")
}

// render rebuilds what is stale.
func (m *Till) render() {
	if m.staleTop {
		m.top = m.renderTop()
		if h := lipgloss.Height(m.top); h != m.topH {
			m.topH = h
			m.staleBody = true
		}
		m.staleTop = false
	}
	if m.staleBody {
		m.bodyH = max(3, m.height-m.topH-1-bottomH)
		m.body = m.renderBody()
		m.staleBody = false
	}
	if m.staleBottom {
		m.bottom = m.renderBottom()
		m.staleBottom = false
	}
}

// On a screen shorter than shortH lines each banner takes one line, so
// that the card's head fits below.
const shortH = 30

func (m *Till) renderTop() string {
	st := &m.styles
	s := catalog.Sanitize
	var status string
	if cat := m.cfg.Catalog; cat != nil {
		cp := cat.Checkpoint
		status = fmt.Sprintf("catalog %s · %d records · issued %s · expires %s · today %s",
			s(cp.Origin), cp.Size, cp.Issued.In(london).Format("2006-01-02 15:04"),
			cp.Expires.In(london).Format("2006-01-02 15:04"), m.cfg.Today())
		if len(cp.Cosigned) > 0 {
			status += " · witnessed by " + s(cp.WitnessNames())
		}
	} else {
		status = fmt.Sprintf("no trusted catalog · today %s", m.cfg.Today())
	}
	lines := []string{clip(st.Title.Render("smartcheck till")+"  "+st.Status.Render(status), m.width)}
	banner := func(style lipgloss.Style, text string) {
		text = s(text)
		if m.height < shortH {
			// One line each: the card's reasons say the rest.
			text = ansi.Truncate(text, m.width-2, "…")
		}
		lines = append(lines, style.Width(m.width).Render(text))
	}
	if m.sync != nil {
		style := st.Status
		if last, ended := m.sync.Last(); ended && last.Err != nil {
			style = st.Error
		}
		lines = append(lines, clip(style.Render(s(m.sync.Status())), m.width))
		if r := m.sync.Refusal(); r != "" {
			banner(st.BannerUntrusted, r)
		}
	}
	if m.cfg.Catalog == nil {
		banner(st.BannerUntrusted, fmt.Sprintf("✗ UNTRUSTED CATALOG — nothing in it is shown as fact; every scan shows CHECK catalog-untrusted. Why: %v", m.cfg.Untrusted))
	} else {
		if cp := m.cfg.Catalog.Checkpoint; cp.Stale(m.cfg.Today()) {
			banner(st.BannerStale, fmt.Sprintf("? STALE CATALOG — it expired on %s and may miss recent notices; every scan shows CHECK catalog-stale. Update it: smartcheck catalog sync", catalog.DateOf(cp.Expires)))
		}
		if m.cfg.Demo {
			banner(st.BannerDemo, "! DEMO CATALOG — invented barcodes and fictional notices, not for real use")
		}
	}
	if m.logErr != "" {
		banner(st.BannerLog, "✗ DUE-DILIGENCE LOG FAILING — checks are not being recorded: "+m.logErr)
	}
	return strings.Join(lines, "\n")
}

// inputLine is the scan field and what waits.
func (m *Till) inputLine() string {
	st := &m.styles
	if m.prompt == "" {
		// The same every frame: rendered once for the styles.
		m.prompt, m.cursor = st.Prompt.Render("Scan ▸ "), st.Cursor.Render(" ")
	}
	left := m.prompt + st.Field.Render(fieldText(m.wedge.text())) + m.cursor
	var right string
	waiting := len(m.queue)
	if m.asking != 0 {
		waiting++
	}
	switch {
	case m.hold != nil:
		look := st.Verdicts[m.hold.result.Verdict]
		what := fmt.Sprintf("%s %s #%d on screen: F2 to acknowledge", look.Symbol, look.Word, m.hold.seq)
		if m.current != m.hold || m.cardHidden() {
			what = fmt.Sprintf("%s %s #%d waits: F2 shows it", look.Symbol, look.Word, m.hold.seq)
		}
		right = look.Tag.Render(what)
		if waiting > 0 {
			right += " " + st.Waiting.Render(fmt.Sprintf("%d %s waiting", waiting, plural(waiting, "scan", "scans")))
		}
	case m.reading != nil:
		right = st.Waiting.Render(fmt.Sprintf("! CAUTION #%d being read: %d %s waiting · F2 to go on", m.reading.seq, waiting, plural(waiting, "scan", "scans")))
	case waiting > 1:
		right = st.Waiting.Render(fmt.Sprintf("%d scans waiting", waiting))
	}
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return clip(left+" "+right, m.width)
	}
	return left + strings.Repeat(" ", gap) + right
}

// fieldText shows the scan field: sanitised, with GS as a visible ␝, and
// the end of a long field.
func fieldText(s string) string {
	s = strings.ReplaceAll(s, string(rune(gsByte)), "␝")
	s = catalog.Sanitize(s)
	if r := []rune(s); len(r) > 120 {
		s = "…" + string(r[len(r)-119:])
	}
	return s
}

// Below wideW columns the card takes the whole width, with a one-line
// history strip under it; F3 shows the history pane in its place. From
// wideW the history pane is beside the card, and F3 hides it.
const wideW = 120

func (m *Till) wide() bool { return m.width >= wideW }

// historyPane says whether the history is shown as a pane.
func (m *Till) historyPane() bool { return m.wide() != m.toggled }

// cardHidden says whether the history pane is shown over the card.
func (m *Till) cardHidden() bool { return !m.wide() && m.toggled }

func (m *Till) renderBody() string {
	h := m.bodyH
	switch {
	case m.cardHidden():
		return strings.Join(m.historyBox(m.width, h), "\n")
	case m.historyPane():
		histW := min(72, m.width*2/5)
		card := m.cardPane(m.width-histW, h)
		hist := m.historyBox(histW, h)
		var b strings.Builder
		for i := range card {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(card[i])
			b.WriteString(hist[i])
		}
		return b.String()
	case h < 4:
		return strings.Join(m.cardPane(m.width, h), "\n")
	}
	return strings.Join(m.cardPane(m.width, h-1), "\n") + "\n" + m.historyStrip(m.width)
}

// historyBox is the history in a pane of w x h cells. Its lines come
// fitted to the pane: measuring each again would cost a scan's frame as
// much as the rest of the history.
func (m *Till) historyBox(w, h int) []string {
	lines := m.historyLines(w-4, h-2)
	if len(lines) > h-2 {
		lines = lines[:h-2]
	}
	side := m.styles.Dim.Render("│")
	out := make([]string, 0, h)
	out = append(out, m.styles.Dim.Render("╭"+strings.Repeat("─", w-2)+"╮"))
	for _, l := range lines {
		out = append(out, side+" "+l+" "+side)
	}
	for len(out) < h-1 {
		out = append(out, side+strings.Repeat(" ", w-2)+side)
	}
	return append(out, m.styles.Dim.Render("╰"+strings.Repeat("─", w-2)+"╯"))
}

// cardPane is the card in a pane of w x h cells.
func (m *Till) cardPane(w, h int) []string {
	return m.pane(m.cardWindow(m.cardLines(w-4, h-2), h-2), w, h, m.cardBorder())
}

// cardWindow gives the lines of the card that fit its pane, h lines,
// from the scroll position.
func (m *Till) cardWindow(lines []string, h int) []string {
	return scrollWindow(lines, h, &m.cardScroll, &m.cardMax, m.styles.Dim, "PgUp", "PgDn")
}

// scrollWindow gives the h lines of lines to show from *scroll, which it
// keeps in range, setting *most to the largest scroll: when some are
// hidden, a line above says how many are hidden above and which key shows
// them (up), a line below the same of those below (down).
func scrollWindow(lines []string, h int, scroll, most *int, dim lipgloss.Style, up, down string) []string {
	if len(lines) <= h || h < 3 {
		*scroll, *most = 0, 0
		return lines
	}
	// Scrolled to the end, the line above takes a row.
	*most = len(lines) - (h - 1)
	*scroll = min(max(0, *scroll), *most)
	var out []string
	rest := lines[*scroll:]
	if *scroll > 0 {
		out = append(out, dim.Render(fmt.Sprintf("↑ %d more %s: %s", *scroll, plural(*scroll, "line", "lines"), up)))
	}
	if room := h - len(out); len(rest) > room {
		hidden := len(rest) - (room - 1)
		out = append(out, rest[:room-1]...)
		out = append(out, dim.Render(fmt.Sprintf("↓ %d more %s: %s", hidden, plural(hidden, "line", "lines"), down)))
	} else {
		out = append(out, rest...)
	}
	return out
}

// cardBorder colours the card's border as the verdict.
func (m *Till) cardBorder() lipgloss.Style {
	if e := m.current; e != nil && e.result != nil {
		return lipgloss.NewStyle().Foreground(m.styles.Verdicts[e.result.Verdict].Color)
	}
	return m.styles.Dim
}

// pane draws a rounded box of w x h cells around lines, clipped to it.
// It measures each line once: the box is drawn here rather than by Lip
// Gloss, which would measure every line several times over, and a scan's
// frame is mostly measuring (BenchmarkScanToFrame).
func (m *Till) pane(lines []string, w, h int, border lipgloss.Style) []string {
	inner := h - 2
	if len(lines) > inner {
		lines = append(lines[:inner-1], m.styles.Dim.Render("…"))
	}
	side := border.Render("│")
	out := make([]string, 0, h)
	out = append(out, border.Render("╭"+strings.Repeat("─", w-2)+"╮"))
	blank := side + strings.Repeat(" ", w-2) + side
	for i := range inner {
		if i >= len(lines) || lines[i] == "" {
			out = append(out, blank)
			continue
		}
		out = append(out, side+" "+fit(lines[i], w-4)+" "+side)
	}
	out = append(out, border.Render("╰"+strings.Repeat("─", w-2)+"╯"))
	return out
}

// fit cuts or pads a styled line to exactly width cells.
func fit(s string, width int) string {
	n := ansi.StringWidth(s)
	if n > width {
		s = ansi.Truncate(s, width, "…")
		n = ansi.StringWidth(s)
	}
	if n < width {
		s += strings.Repeat(" ", width-n)
	}
	return s
}

func (m *Till) renderBottom() string {
	st := &m.styles
	notice := ""
	if m.notice != "" {
		style := st.Notice
		if m.noticeErr {
			style = st.Error
		}
		notice = style.Render(catalog.Sanitize(m.notice))
	}
	return clip(notice, m.width) + "\n" + m.footer()
}

// footer is the help line: as many keys as fit the width, quitting and
// acknowledging first, the others by what the screen is doing (see
// KeyMap.footer), in the order of KeyMap.ShortHelp.
func (m *Till) footer() string {
	choosing := m.chosen >= 0
	if m.footerText != "" && m.footerW == m.width && m.footerChoosing == choosing {
		return m.footerText // fitting it renders the line several times
	}
	m.help.SetWidth(0)
	want := map[string]bool{}
	var shown []key.Binding
	for _, b := range m.keys.footer(choosing) {
		want[b.Help().Key] = true
		try := inOrder(m.keys.ShortHelp(), want)
		if lipgloss.Width(m.help.ShortHelpView(try)) > m.width {
			delete(want, b.Help().Key)
			continue
		}
		shown = try
	}
	m.footerText, m.footerW, m.footerChoosing = clip(m.help.ShortHelpView(shown), m.width), m.width, choosing
	return m.footerText
}

// inOrder picks from bindings those whose help key is in want.
func inOrder(bindings []key.Binding, want map[string]bool) []key.Binding {
	var out []key.Binding
	for _, b := range bindings {
		if want[b.Help().Key] {
			out = append(out, b)
		}
	}
	return out
}

// historyRows is how many scans the history shows at once.
func (m *Till) historyRows() int { return max(1, m.bodyH-2-2) }

// clip cuts a styled line to width cells.
func clip(s string, width int) string {
	if lipgloss.Width(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, "…")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
