package tui

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// sgrColours lists the colours the SGR sequences of s set, as "fg:31"
// (a named colour, by its SGR code), "fg:5;160" (256-colour) or
// "fg:2;224;48;42" (truecolor), and the attributes "bold" and "reverse".
func sgrColours(s string) []string {
	var out []string
	add := func(c string) {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	for _, m := range regexp.MustCompile(`\x1b\[([0-9;:]*)m`).FindAllStringSubmatch(s, -1) {
		ps := strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' })
		for i := 0; i < len(ps); i++ {
			n, _ := strconv.Atoi(ps[i])
			switch {
			case n == 1:
				add("bold")
			case n == 7:
				add("reverse")
			case n >= 30 && n <= 37 || n >= 90 && n <= 97:
				add("fg:" + ps[i])
			case n >= 40 && n <= 47 || n >= 100 && n <= 107:
				add("bg:" + ps[i])
			case (n == 38 || n == 48) && i+1 < len(ps):
				side := map[int]string{38: "fg:", 48: "bg:"}[n]
				k := 3
				if ps[i+1] == "2" {
					k = 5
				}
				if i+k > len(ps) {
					k = len(ps) - i
				}
				add(side + strings.Join(ps[i+1:i+k], ";"))
				i += k - 1
			}
		}
	}
	return out
}

// through writes s as the program does for a terminal of profile p: the
// renderer downsamples what it cannot show.
func through(p colorprofile.Profile, s string) string {
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: p}
	w.WriteString(s)
	return b.String()
}

// TestVerdictColours renders each verdict's word and tag in each colour
// profile, as the terminal receives them, and checks the SGR codes: STOP
// is red and CAUTION amber at every depth — never the orange 166 that
// downsampling the truecolor red gives on a 256-colour terminal — and
// without colour the tag is in reverse video and the word and symbol are
// there.
func TestVerdictColours(t *testing.T) {
	type want struct{ stop, caution []string }
	tests := []struct {
		profile colorprofile.Profile
		text    want // the verdict word
		tag     want // the verdict tag
	}{
		{colorprofile.TrueColor,
			want{[]string{"fg:2;224;48;42", "bold"}, []string{"fg:2;240;160;0", "bold"}},
			want{[]string{"bg:2;224;48;42", "fg:2;255;255;255"}, []string{"bg:2;240;160;0", "fg:2;0;0;0"}}},
		{colorprofile.ANSI256,
			want{[]string{"fg:5;160", "bold"}, []string{"fg:5;214", "bold"}},
			want{[]string{"bg:5;160", "fg:5;231"}, []string{"bg:5;214", "fg:5;16"}}},
		{colorprofile.ANSI,
			want{[]string{"fg:31", "bold"}, []string{"fg:33", "bold"}},
			want{[]string{"bg:41", "fg:37"}, []string{"bg:43", "fg:30"}}},
		{colorprofile.ASCII,
			want{[]string{"bold"}, []string{"bold"}},
			want{[]string{"reverse", "bold"}, []string{"reverse", "bold"}}},
		{colorprofile.NoTTY, want{}, want{}},
	}
	for _, tt := range tests {
		t.Run(tt.profile.String(), func(t *testing.T) {
			st := StylesFor(tt.profile)
			for _, v := range []struct {
				verdict   catalog.Verdict
				text, tag []string
			}{{catalog.Stop, tt.text.stop, tt.tag.stop}, {catalog.Caution, tt.text.caution, tt.tag.caution}} {
				look := st.Verdicts[v.verdict]
				word := look.Symbol + " " + look.Word
				text := through(tt.profile, look.Text.Render(word))
				tag := through(tt.profile, look.Tag.Render(word))
				for _, c := range []struct {
					what, out string
					want      []string
				}{{"word", text, v.text}, {"tag", tag, v.tag}} {
					got := sgrColours(c.out)
					for _, w := range c.want {
						if !slices.Contains(got, w) {
							t.Errorf("%s %s: SGR %v lacks %s (%q)", look.Word, c.what, got, w, c.out)
						}
					}
					if tt.profile <= colorprofile.ASCII {
						for _, g := range got {
							if strings.HasPrefix(g, "fg:") || strings.HasPrefix(g, "bg:") {
								t.Errorf("%s %s: a colour without colour: %v", look.Word, c.what, got)
							}
						}
					}
					if !strings.Contains(c.out, word) {
						t.Errorf("%s %s: %q lacks %q", look.Word, c.what, c.out, word)
					}
				}
			}
		})
	}
}

// TestTillColourProfile: the till takes the terminal's colour profile
// from Bubble Tea and draws a STOP in that profile's red: on a
// 256-colour terminal colour 160, never 166 (orange) or CAUTION's 214.
func TestTillColourProfile(t *testing.T) {
	tests := []struct {
		profile   colorprofile.Profile
		want, not []string
	}{
		{colorprofile.TrueColor, []string{"fg:2;224;48;42", "bg:2;224;48;42"}, []string{"fg:2;240;160;0"}},
		{colorprofile.ANSI256, []string{"fg:5;160", "bg:5;160"}, []string{"fg:5;166", "bg:5;166", "fg:5;214"}},
		{colorprofile.ANSI, []string{"fg:31", "bg:41"}, []string{"fg:33", "fg:91"}},
		{colorprofile.ASCII, []string{"reverse", "bold"}, []string{"fg:31", "bg:41"}},
	}
	for _, tt := range tests {
		t.Run(tt.profile.String(), func(t *testing.T) {
			cfg := demoConfig(t)
			cfg.Demo = false // the demo banner is amber
			m := newTill(cfg, 100, 30)
			drive(m, tea.ColorProfileMsg{Profile: tt.profile})
			scanAll(m, "9520000001124")
			out := through(tt.profile, m.View().Content)
			checkSGR(t, sgrColours(out), tt.want, tt.not)
			text := screen(t, m)
			for _, w := range []string{"✗ STOP", "Press F2 to acknowledge this STOP"} {
				if !strings.Contains(text, w) {
					t.Errorf("screen lacks %q", w)
				}
			}
		})
	}
}

// TestKioskColourProfile: the kiosk takes the terminal's colour profile
// as the till does, so a shopper's STOP is red, never orange, on a
// 256- or 16-colour screen.
func TestKioskColourProfile(t *testing.T) {
	tests := []struct {
		profile   colorprofile.Profile
		want, not []string
	}{
		{colorprofile.TrueColor, []string{"fg:2;224;48;42"}, []string{"fg:2;240;160;0"}},
		{colorprofile.ANSI256, []string{"fg:5;160"}, []string{"fg:5;166", "bg:5;166"}},
		{colorprofile.ANSI, []string{"fg:31"}, []string{"fg:91", "fg:33"}},
	}
	for _, tt := range tests {
		t.Run(tt.profile.String(), func(t *testing.T) {
			cfg, clock := demoKioskConfig(t)
			cfg.Demo = false // the demo banner is amber
			k := newKiosk(cfg, clock, 120, 40)
			k.send(tea.ColorProfileMsg{Profile: tt.profile})
			k.scan("9520000001124")
			checkSGR(t, sgrColours(through(tt.profile, k.View().Content)), tt.want, tt.not)
			if text := kscreen(t, k); !strings.Contains(text, "✗ This product doesn't meet") || !strings.Contains(text, "isn't available for sale") {
				t.Errorf("the symbol and words of a STOP are not on screen:\n%s", text)
			}
		})
	}
}

// checkSGR fails the test unless the STOP screen's colours (got) hold
// every one of want and none of not.
func checkSGR(t *testing.T, got, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("STOP screen's SGR %v lacks %s", got, w)
		}
	}
	for _, n := range not {
		if slices.Contains(got, n) {
			t.Errorf("STOP screen's SGR %v has %s", got, n)
		}
	}
}
