package tui

import (
	"errors"
	"io"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
)

// RunTill runs the till screen on a terminal until staff quit (F10 or
// Ctrl+C). Queued log records are written before it returns.
func RunTill(cfg TillConfig, in io.Reader, out io.Writer) error {
	if err := NeedTerminal(in); err != nil {
		return err
	}
	m := NewTill(cfg)
	// Without paste markers: see GuardInput.
	p := tea.NewProgram(m, tea.WithInput(GuardInput(in.(*os.File))), tea.WithOutput(out), tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
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

// NeedTerminal says why in cannot drive a screen, if it cannot.
func NeedTerminal(in io.Reader) error {
	if f, ok := in.(*os.File); !ok || !term.IsTerminal(f.Fd()) {
		return errors.New("the till needs a terminal (standard input is not one); for scripts and POS systems use smartcheck lookup")
	}
	return nil
}
