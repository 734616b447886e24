package tui

import (
	"fmt"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// historyLines renders the shift history, newest first, from the scroll
// position: one row per scan with its number, time, verdict and product.
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
	lines := []string{st.PaneTitle.Render(title), ""}
	if n == 0 {
		return append(lines, st.Dim.Render("No scans yet this shift."))
	}
	for i := n - 1 - m.scroll; i >= 0 && len(lines) < h; i-- {
		lines = append(lines, m.historyRow(m.history[i], w))
	}
	return lines
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
		mark = st.Verdicts[catalog.Stop].Tag.Render("F2") + " "
	case !e.acked.IsZero():
		mark = st.Dim.Render("ack'd ")
	}
	return head + verdict + " " + r.GTIN + " " + mark + what
}
