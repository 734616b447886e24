package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// historyLines renders the shift history, newest first, from the scroll
// position: one row per scan with its number, time, verdict and product.
// The row chosen with ↑/↓ is in reverse video. Every line is exactly w
// cells wide, for historyBox.
func (m *Till) historyLines(w, h int) []string {
	st := &m.styles
	n := len(m.history)
	rows := max(1, h-2)
	title := fmt.Sprintf("Shift history · %d %s", n, plural(n, "scan", "scans"))
	if n > rows {
		first := m.scroll + 1
		last := min(n, m.scroll+rows)
		title += fmt.Sprintf(" · newest %d–%d", first, last)
	}
	hint := ""
	switch {
	case m.chosen >= 0:
		hint = " · Enter opens · Esc back"
	case n > 0:
		hint = " · ↑/↓ choose"
	}
	blank := strings.Repeat(" ", w)
	lines := []string{fit(st.PaneTitle.Render(title)+st.Dim.Render(hint), w), blank}
	if n == 0 {
		return append(lines, fit(st.Dim.Render("No scans yet this shift."), w))
	}
	for i := n - 1 - m.scroll; i >= 0 && len(lines) < h; i-- {
		row := m.historyRow(m.history[i], w)
		if i == m.chosen {
			row = st.Selected.Render(ansi.Strip(row))
		}
		lines = append(lines, row)
	}
	return lines
}

// historyStrip is the history in one line, for a screen too narrow for
// the pane: the chosen row when there is one, else the newest scans in
// brief, as many as fit.
func (m *Till) historyStrip(w int) string {
	st := &m.styles
	n := len(m.history)
	if m.chosen >= 0 {
		head := st.PaneTitle.Render(fmt.Sprintf("History %d of %d ", n-m.chosen, n))
		return fit(head+st.Selected.Render(ansi.Strip(m.renderRow(m.history[m.chosen]))), w)
	}
	var b strings.Builder
	b.WriteString(st.PaneTitle.Render("History"))
	if n == 0 {
		b.WriteString(st.Dim.Render(" · no scans yet"))
		return fit(b.String(), w)
	}
	b.WriteString(st.Dim.Render(" F3 · ↑/↓"))
	used := len("History F3 · ↑/↓")
	for i := n - 1; i >= 0 && used < w; i-- {
		item := m.stripItem(m.history[i])
		b.WriteString(st.Dim.Render(" │ "))
		b.WriteString(item)
		used += 3 + ansi.StringWidth(item)
	}
	return fit(b.String(), w)
}

// stripItem is a scan in brief: its number and verdict.
func (m *Till) stripItem(e *entry) string {
	st := &m.styles
	if e.err != nil {
		return st.Unreadable.Render(fmt.Sprintf("#%d unreadable", e.seq))
	}
	look := st.Verdicts[e.result.Verdict]
	item := fmt.Sprintf("#%d ", e.seq) + look.Text.Render(look.Symbol+" "+look.Word)
	switch {
	case m.hold == e:
		item += " " + look.Tag.Render("F2")
	case !e.acked.IsZero():
		item += st.Dim.Render(" ack'd")
	}
	return item
}

// historyRow returns the row of a scan, fitted to w cells, rendered once
// for each state the scan goes through (on hold, acknowledged).
func (m *Till) historyRow(e *entry, w int) string {
	state := 0
	switch {
	case m.hold == e:
		state = 1
	case !e.acked.IsZero():
		state = 2
	}
	if e.row == "" || e.rowState != state || e.rowW != w {
		e.row, e.rowState, e.rowW = fit(m.renderRow(e), w), state, w
	}
	return e.row
}

func (m *Till) renderRow(e *entry) string {
	st := &m.styles
	head := fmt.Sprintf("#%-4d %s ", e.seq, e.checked.In(london).Format("15:04:05"))
	if e.err != nil {
		return head + st.Unreadable.Render(fmt.Sprintf("%-14s %s", "· unreadable", fieldText(e.input)))
	}
	r := e.result
	look := st.Verdicts[r.Verdict]
	verdict := look.Text.Render(fmt.Sprintf("%s %-12s", look.Symbol, look.Word))
	what := ""
	if d := r.Declaration; d != nil {
		what = catalog.Sanitize(d.Brand + " " + d.Model)
	}
	mark := ""
	switch {
	case m.hold == e:
		mark = look.Tag.Render("F2") + " "
	case !e.acked.IsZero():
		mark = st.Dim.Render("ack'd ")
	}
	return head + verdict + " " + r.GTIN + " " + mark + what
}
