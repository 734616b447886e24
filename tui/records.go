package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// recordLine is one record of a product's staff history: a declaration
// that lists the GTIN, or a notice record that was ignored.
type recordLine struct {
	index  int64
	text   string // sanitised: "#85 example-video-doorbell-3 v1 · until 2031-04 · Example Home Ltd (manufacturer)"
	status string // sanitised: "chosen", "IGNORED: why", …; "" for none
	alarm  bool   // the status says the record was not used, or a shortened period
}

// productRecords is the staff history of verdicts.md ("Which
// declaration"): every declaration that lists the GTIN, trusted or not,
// and every notice record about it that was ignored, in log order, each
// saying whether it was chosen and, when it was not used, why. It is
// empty when there is nothing to tell beyond the facts on the card: one
// declaration, used, and nothing ignored.
func productRecords(r *catalog.Result) []recordLine {
	var notices []catalog.IgnoredRecord
	for _, ir := range r.Ignored {
		if strings.HasPrefix(ir.What, "notice") {
			notices = append(notices, ir)
		}
	}
	tell := len(r.History) > 1 || len(notices) > 0
	for _, h := range r.History {
		tell = tell || !h.Trusted || h.Withdrawn != ""
	}
	if !tell {
		return nil
	}
	s := catalog.Sanitize
	shortened, extended := false, false
	for _, f := range r.Findings {
		shortened = shortened || f.Code == "support-shortened"
		extended = extended || f.Code == "support-extended"
	}
	chosen := int64(-1)
	for _, h := range r.History {
		if h.Chosen {
			chosen = h.Index
		}
	}
	var out []recordLine
	for i, h := range r.History {
		l := recordLine{index: h.Index}
		l.text = fmt.Sprintf("#%d %s v%d · %s · %s", h.Index, s(h.ID), h.Version, endWords(h), signerName(h.Signer))
		var status []string
		switch {
		case h.Chosen:
			status = append(status, "chosen")
		case usable(h) && chosen > h.Index:
			status = append(status, fmt.Sprintf("superseded by #%d", chosen))
		case usable(h):
			status = append(status, "trusted, not chosen")
		}
		if !h.Trusted {
			status = append(status, "IGNORED: "+s(h.Ignored))
			l.alarm = true
		}
		if h.Withdrawn != "" {
			status = append(status, "WITHDRAWN: "+s(h.Withdrawn))
			l.alarm = true
		}
		// R6h and R6i compare the declarations that count: trusted and
		// not withdrawn. Mark each that ends earlier than one logged
		// before it, and the chosen one that ends later.
		if usable(h) && h.End != nil {
			for _, before := range r.History[:i] {
				if !usable(before) || before.End == nil {
					continue
				}
				switch {
				case shortened && h.End.Last.Before(before.End.Last):
					status = append(status, fmt.Sprintf("SHORTENED from %s (#%d)", before.End.Period, before.Index))
					l.alarm = true
				case extended && h.Chosen && before.End.Last.Before(h.End.Last):
					status = append(status, fmt.Sprintf("extended from %s (#%d)", before.End.Period, before.Index))
				default:
					continue
				}
				break
			}
		}
		l.text, l.status = s(l.text), strings.Join(status, " · ")
		out = append(out, l)
	}
	for _, n := range notices {
		out = append(out, recordLine{
			index:  n.Index,
			text:   s(fmt.Sprintf("#%d %s · %s", n.Index, n.What, n.Signer)),
			status: "IGNORED: " + s(n.Why),
			alarm:  true,
		})
	}
	slices.SortStableFunc(out, func(a, b recordLine) int { return int(a.index - b.index) })
	return out
}

func usable(h catalog.HistoryEntry) bool { return h.Trusted && h.Withdrawn == "" }

// endWords is a history entry's support end, as declared.
func endWords(h catalog.HistoryEntry) string {
	switch {
	case h.End != nil:
		return "until " + h.End.Period.String()
	case h.Support.Kind == catalog.SupportNone:
		return "no support period"
	case h.Support.Kind == catalog.SupportRelative:
		return h.Support.Relative.String()
	}
	return "end not known"
}

// signerName names a signer for the history: the org, or the key when
// the org is not known, and the role.
func signerName(si catalog.SignerInfo) string {
	name := si.Org
	if name == "" {
		name = "key " + si.Name
	}
	if si.Name == "" {
		name = "an unknown key"
	}
	if si.Role != "" {
		name += " (" + si.Role + ")"
	}
	return name
}

// recordsTitle heads the history.
func recordsTitle(n int) string {
	return fmt.Sprintf("History (%d %s, in log order)", n, plural(n, "record", "records"))
}

// render gives the record's line styled, the status after the record.
func (l recordLine) render(st *Styles) string {
	if l.status == "" {
		return l.text
	}
	style := st.Bold
	if l.alarm {
		style = st.Verdicts[catalog.Caution].Text
	}
	return l.text + " · " + style.Render(l.status)
}

// staffText is a finding's staff text for a screen that lists the
// history: a finding that names every ignored record with its reason
// (R1, R4a–R4d) points to the history instead of saying it all again.
// If the catalog's wording is not the one expected, the text is shown
// whole.
func staffText(r *catalog.Result, f catalog.Finding, listed bool) string {
	text := f.Staff
	if listed && len(r.Ignored) > 0 {
		text = strings.Replace(text, catalog.IgnoredWords(r.Ignored), "see History, which says why", 1)
	}
	return catalog.Sanitize(text)
}

// hang wraps text to w cells: the first line indented by first cells,
// the others by rest (first <= rest).
func hang(text string, w, first, rest int) []string {
	lines := wrapLines(text, max(10, w-rest))
	for i, l := range lines {
		pad := rest
		if i == 0 {
			pad = first
		}
		lines[i] = strings.Repeat(" ", pad) + l
	}
	return lines
}

// wrapLines wraps text to w cells at spaces. Unlike lipgloss.Wrap alone
// it does not break at hyphens, which would split key names, record ids
// and dates ("2028-" / "03"); a word longer than w is still cut.
func wrapLines(text string, w int) []string {
	const nbHyphen = "\u2011" // as wide as "-", and no breakpoint
	text = strings.ReplaceAll(text, "-", nbHyphen)
	lines := strings.Split(lipgloss.Wrap(text, w, ""), "\n")
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(l, nbHyphen, "-")
	}
	return lines
}

// findingLines are one finding as staff read it on the till's card and
// the kiosk's staff screen, wrapped to w cells: a heading with the
// verdict, code, rule and basis, then the staff text.
func findingLines(st *Styles, r *catalog.Result, f catalog.Finding, listed bool, w int) []string {
	s := catalog.Sanitize
	fl := st.Verdicts[f.Verdict]
	head := "  " + fl.Text.Render(fl.Symbol+" "+fl.Word) + "  " + st.Bold.Render(s(f.Code)) + st.Dim.Render("  "+s(f.Rule)+" · "+s(f.Basis))
	if f.Excepted {
		head += st.Dim.Render(" · not counted: out of scope")
	}
	return append(hang(head, w, 0, 5), hang(staffText(r, f, listed), w, 5, 5)...)
}
