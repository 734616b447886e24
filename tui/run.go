package tui

import (
	"io"

	tea "charm.land/bubbletea/v2"
)

// RunTill runs the till screen on a terminal until staff quit (F10 or
// Ctrl+C). Queued log records are written before it returns.
func RunTill(cfg TillConfig, in io.Reader, out io.Writer) error {
	m := NewTill(cfg)
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(out), tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
		// A till is left with F10 or Ctrl+C, not by a stray signal key.
		switch msg.(type) {
		case tea.SuspendMsg, tea.InterruptMsg:
			return nil
		}
		return msg
	}))
	_, err := p.Run()
	return err
}
