package tui

import (
	"errors"
	"io"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
)

// RunKiosk runs the kiosk screen on a terminal until staff quit it (F10
// on the staff screen, after the PIN) or the process is told to stop
// (SIGTERM, which Bubble Tea turns into a clean quit).
func RunKiosk(cfg KioskConfig, in io.Reader, out io.Writer) error {
	if err := KioskNeedsTerminal(in); err != nil {
		return err
	}
	p := tea.NewProgram(NewKiosk(cfg), tea.WithInput(GuardInput(in.(*os.File))), tea.WithOutput(out), tea.WithFilter(kioskFilter))
	_, err := p.Run()
	return err
}

// KioskNeedsTerminal says why in cannot drive the kiosk screen, if it
// cannot.
func KioskNeedsTerminal(in io.Reader) error {
	if f, ok := in.(*os.File); !ok || !term.IsTerminal(f.Fd()) {
		return errors.New("the kiosk needs a terminal (standard input is not one)")
	}
	return nil
}

// kioskFilter drops the messages that would end or suspend the kiosk
// other than by its own quit: an interrupt (a SIGINT, which a terminal in
// raw mode never sends for Ctrl+C, but kill can) and a suspend.
func kioskFilter(_ tea.Model, msg tea.Msg) tea.Msg {
	switch msg.(type) {
	case tea.InterruptMsg, tea.SuspendMsg:
		return nil
	}
	return msg
}
