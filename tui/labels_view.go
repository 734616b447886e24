package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/labels"
)

// The label screen, from the top: the title line, the search field, the
// results beside the preview, the print list, a notice and the keys.
const labelsChrome = 6 // lines other than the panes' insides

// rows is how many results the list shows.
func (m *Labels) rows() int { return max(1, m.height-labelsChrome-2) }

// View joins the parts. The preview is rendered when the choice changes;
// the rest is a few short lines.
func (m *Labels) View() tea.View {
	st := &m.styles
	w := max(20, m.width)
	var b strings.Builder
	title := st.Title.Render("smartcheck labels")
	if m.cfg.Catalog != nil {
		title += st.Status.Render(fmt.Sprintf(" · %s, %d records · checked as on %s",
			catalog.Sanitize(m.cfg.Catalog.Checkpoint.Origin), m.cfg.Catalog.Size(), m.cfg.Context.Checked))
	}
	if m.cfg.Demo {
		title += " " + st.BannerDemo.Render("DEMO CATALOG")
	}
	b.WriteString(clip(title, w) + "\n")
	b.WriteString(clip(m.fieldLine(), w) + "\n")

	h := max(3, m.height-labelsChrome)
	leftW := max(20, w*2/5)
	rightW := max(20, w-leftW)
	left := st.Pane.Width(leftW).Height(h).Render(m.resultsView(leftW-4, h-2))
	if m.stalePreview {
		m.preview = m.previewView(rightW - 4)
		m.stalePreview = false
	}
	right := st.Pane.Width(rightW).Height(h).Render(m.preview)
	b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, left, right) + "\n")
	b.WriteString(clip(m.listLine(), w) + "\n")
	switch {
	case m.notice == "":
		b.WriteString("\n")
	case m.noticeErr:
		b.WriteString(clip(st.Error.Render(m.notice), w) + "\n")
	default:
		b.WriteString(clip(st.Notice.Render(m.notice), w) + "\n")
	}
	m.help.SetWidth(w)
	b.WriteString(m.help.View(m.keys))
	v := tea.NewView(b.String())
	v.AltScreen = true
	v.WindowTitle = "smartcheck labels"
	return v
}

func (m *Labels) fieldLine() string {
	st := &m.styles
	if m.pricing {
		return st.Prompt.Render("Price ▸ ") + st.Field.Render(string(m.price)) + st.Cursor.Render(" ") + st.Dim.Render("  Enter sets it, Esc cancels")
	}
	s := st.Prompt.Render("Search ▸ ") + st.Field.Render(catalog.Sanitize(string(m.query))) + st.Cursor.Render(" ")
	if len(m.query) == 0 {
		s += st.Dim.Render("  type a brand, a model or a GTIN (or scan one)")
	} else if m.searching {
		s += st.Waiting.Render("  searching…")
	}
	return s
}

func (m *Labels) resultsView(w, h int) string {
	st := &m.styles
	var lines []string
	head := "Products"
	if len(m.hits) > 0 {
		head = fmt.Sprintf("Products (%d)", len(m.hits))
	}
	lines = append(lines, st.PaneTitle.Render(head))
	if len(m.hits) == 0 {
		msg := "No products yet."
		if len(m.query) > 0 && !m.searching {
			msg = "Nothing matches."
		}
		lines = append(lines, st.Dim.Render(msg))
	}
	for i := m.top; i < len(m.hits) && len(lines) < h; i++ {
		hh := m.hits[i]
		look := st.Verdicts[hh.res.Verdict]
		name := productTitle(hh.res)
		row := fmt.Sprintf("%s %s %s", hh.res.GTIN, look.Symbol, name)
		mark := "  "
		if i == m.cursor {
			mark = "▸ "
		}
		row = clip(mark+row, w-len(look.Word)-1)
		pad := max(1, w-lipgloss.Width(row)-len(look.Word))
		line := row + strings.Repeat(" ", pad) + look.Text.Render(look.Word)
		if i == m.cursor {
			line = st.Bold.Render(row) + strings.Repeat(" ", pad) + look.Text.Render(look.Word)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func productTitle(r *catalog.Result) string {
	if r.Declaration == nil {
		return "(no trusted declaration)"
	}
	return catalog.Sanitize(strings.TrimSpace(r.Declaration.Brand + " " + r.Declaration.Model))
}

// previewView shows what the chosen product's label says, laid out as it
// prints, or why it gets none.
func (m *Labels) previewView(w int) string {
	st := &m.styles
	h := m.chosen()
	lines := []string{st.PaneTitle.Render("Label preview")}
	if h == nil {
		lines = append(lines, st.Dim.Render("Choose a product to see its label."))
		return strings.Join(lines, "\n")
	}
	if h.err != nil {
		look := st.Verdicts[h.res.Verdict]
		lines = append(lines, "", look.Tag.Render(look.Symbol+" "+look.Word)+" "+st.Bold.Render("No label for "+productTitle(h.res)))
		for _, l := range wrapWords(refusal(h.err), w) {
			lines = append(lines, l)
		}
		return strings.Join(lines, "\n")
	}
	l := h.label
	var opt labels.LayoutOptions
	if m.cfg.Output.Format == "zpl" {
		dpi := m.cfg.Output.DPI
		if dpi == 0 {
			dpi = 203
		}
		opt.Dot = labels.ZPLDot(dpi) // as the thermal printer will draw it
	}
	d, err := labels.Layout(l, m.cfg.Output.Template.LabelW, m.cfg.Output.Template.LabelH, opt)
	card := []string{}
	titleLine := st.Bold.Render(l.Title)
	if l.Demo {
		titleLine += "  " + st.BannerDemo.Render("DEMO")
	}
	card = append(card, titleLine, st.Bold.Render(l.Support))
	if l.Note != "" {
		card = append(card, st.Waiting.Render(l.Note))
	}
	card = append(card, l.Passwords)
	if l.Contact != "" {
		card = append(card, l.Contact)
	}
	codes := ""
	if d != nil {
		codes = fmt.Sprintf("▌▌▌▌ %s %s, X %.3f mm", d.Barcode.Symbology, d.Barcode.Data, d.Barcode.Module)
		if d.QR != nil {
			codes += fmt.Sprintf("   ▚▞ QR, %.2f mm modules", d.QR.Module)
		}
	}
	card = append(card, "", codes)
	if l.QR != "" {
		card = append(card, st.Dim.Render("QR: "+l.QR))
	}
	if l.Price != "" {
		card = append(card, st.Title.Render(l.Price))
	}
	card = append(card, st.Dim.Render(l.Footer))
	for i, c := range card {
		card[i] = clip(c, w-4)
	}
	box := lipgloss.NewStyle().Border(lipgloss.NormalBorder()).Padding(0, 1).Render(strings.Join(card, "\n"))
	lines = append(lines, box)
	tp := m.cfg.Output.Template
	if err != nil {
		lines = append(lines, st.Error.Render(clip(err.Error(), w)))
	} else {
		lines = append(lines, st.Dim.Render(clip(fmt.Sprintf("%s: %.1f × %.1f mm, %s", tp.Name, tp.LabelW, tp.LabelH, strings.ToUpper(m.cfg.Output.Format)), w)))
	}
	return strings.Join(lines, "\n")
}

func (m *Labels) listLine() string {
	st := &m.styles
	to := m.cfg.OutFile
	if m.cfg.Printer != nil {
		to = m.cfg.Printer.String()
	}
	if to == "" {
		to = "no printer"
	}
	if len(m.list) == 0 {
		return st.Label.Render("Print list: empty") + st.Dim.Render(" · prints to "+catalog.Sanitize(to))
	}
	var names []string
	for _, q := range m.list {
		n := q.label.Title
		if q.label.Price != "" {
			n += " " + q.label.Price
		}
		names = append(names, n)
	}
	return st.Label.Render(fmt.Sprintf("Print list (%d): ", len(m.list))) + strings.Join(names, ", ") + st.Dim.Render(" · F5 prints to "+catalog.Sanitize(to))
}

// wrapWords breaks s into lines of at most w cells.
func wrapWords(s string, w int) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		if cur != "" && lipgloss.Width(cur)+1+lipgloss.Width(word) > w {
			lines = append(lines, cur)
			cur = word
			continue
		}
		if cur != "" {
			cur += " "
		}
		cur += word
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
