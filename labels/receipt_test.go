package labels

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // receipts print Europe/London times

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/data"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

var checked = time.Date(2026, 11, 24, 10, 3, 0, 0, time.UTC)

// demoResult judges a code against the built-in demo catalog on
// 2026-11-24, as data/demo/expected.txt does.
func demoResult(t testing.TB, gtin, batch string) *catalog.Result {
	t.Helper()
	cp, recs, trustFile := data.Demo()
	trust, err := catalog.ParseTrust(trustFile)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.OpenBytes(cp, recs, trust, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cat.Judge(catalog.Query{GTIN: gtin, Batch: batch, Today: catalog.Date{Year: 2026, Month: 11, Day: 24}, Policy: catalog.DefaultPolicy})
}

// describe turns an ESC/POS job back into readable lines, losslessly:
// each command by name with its parameters, text quoted, anything else
// in hex. Golden files hold this, so a reviewer can read them.
func describe(job []byte) string {
	var b strings.Builder
	var text []byte
	flush := func() {
		if text != nil {
			fmt.Fprintf(&b, "%q\n", text)
			text = nil
		}
	}
	for i := 0; i < len(job); {
		c := job[i]
		switch {
		case c == lf:
			if text == nil {
				b.WriteString("LF\n")
			}
			flush()
			i++
		case c == esc && i+1 < len(job):
			flush()
			switch job[i+1] {
			case '@':
				b.WriteString("ESC @\n")
				i += 2
			case 't', 'a', 'E', 'd':
				fmt.Fprintf(&b, "ESC %c %d\n", job[i+1], job[i+2])
				i += 3
			default:
				fmt.Fprintf(&b, "ESC 0x%02x ?\n", job[i+1])
				i += 2
			}
		case c == gs && i+1 < len(job):
			flush()
			switch job[i+1] {
			case '!':
				fmt.Fprintf(&b, "GS ! 0x%02x\n", job[i+2])
				i += 3
			case 'V':
				fmt.Fprintf(&b, "GS V %d %d\n", job[i+2], job[i+3])
				i += 4
			case '(':
				n := int(job[i+3]) | int(job[i+4])<<8
				params := job[i+5 : i+5+n]
				if params[1] == 80 {
					fmt.Fprintf(&b, "GS ( k store %q\n", params[3:])
				} else {
					fmt.Fprintf(&b, "GS ( k % d\n", params)
				}
				i += 5 + n
			case 'v':
				w := int(job[i+4]) | int(job[i+5])<<8
				h := int(job[i+6]) | int(job[i+7])<<8
				fmt.Fprintf(&b, "GS v 0 raster %d bytes x %d dots\n", w, h)
				for y := range h {
					row := job[i+8+y*w : i+8+(y+1)*w]
					var r strings.Builder
					for x := range w * 8 {
						if row[x/8]&(0x80>>(x%8)) != 0 {
							r.WriteByte('#')
						} else {
							r.WriteByte('.')
						}
					}
					if y%6 == 0 { // one line per module row at module size 6
						b.WriteString("  " + strings.TrimRight(r.String(), ".") + "\n")
					}
				}
				i += 8 + w*h
			default:
				fmt.Fprintf(&b, "GS 0x%02x ?\n", job[i+1])
				i += 2
			}
		case c < 0x20 || c == 0x7F:
			flush()
			fmt.Fprintf(&b, "0x%02x\n", c)
			i++
		default:
			if text == nil {
				text = []byte{}
			}
			text = append(text, c)
			i++
		}
	}
	flush()
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

func TestReceiptGolden(t *testing.T) {
	tests := []struct {
		name  string
		gtin  string
		batch string
		opt   ReceiptOptions
		demo  bool
	}{
		{"caution-pixel10", "09520000000011", "", ReceiptOptions{}, true},
		{"stop-notice-58mm", "09520000001094", "C3-2409", ReceiptOptions{Columns: 32}, true},
		{"ok-raster-qr", "09520000001087", "", ReceiptOptions{RasterQR: true}, false},
		{"check-no-declaration", "09520000009991", "", ReceiptOptions{}, true},
		{"not-in-scope", "09520000000219", "", ReceiptOptions{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Receipt{Result: demoResult(t, tt.gtin, tt.batch), Checked: checked, Catalog: data.DemoOrigin, Demo: tt.demo}
			job, err := r.ESCPOS(tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(job, []byte{esc, '@'}) || !bytes.HasSuffix(job, []byte{gs, 'V', 66, 3}) {
				t.Errorf("job does not start with ESC @ and end with a cut")
			}
			golden(t, "receipt-"+tt.name+".txt", describe(job))
		})
	}
}

func TestReceiptLinesFit(t *testing.T) {
	for _, cols := range []int{32, 42, 48} {
		r := Receipt{Result: demoResult(t, "09520000000080", ""), Checked: checked, Catalog: data.DemoOrigin}
		job, err := r.ESCPOS(ReceiptOptions{Columns: cols})
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(describe(job), "\n") {
			if strings.HasPrefix(line, `"`) {
				var s string
				fmt.Sscanf(line, "%q", &s)
				if len(s) > cols {
					t.Errorf("%d columns: line of %d: %q", cols, len(s), s)
				}
			}
		}
	}
	if _, err := (Receipt{Result: demoResult(t, "09520000000080", "")}).ESCPOS(ReceiptOptions{Columns: 10}); err == nil {
		t.Error("10 columns accepted")
	}
}

// TestReceiptUntrustedText puts escape sequences, printer commands and
// bidirectional overrides into every catalog string a receipt prints:
// none may reach the printer as anything but "?".
func TestReceiptUntrustedText(t *testing.T) {
	evil := "\x1b@\x1bt\x01\x1dV\x41\x00\x1b[2J\u202eevil\x07\x00\x9b"
	res := &catalog.Result{
		GTIN: "09520000000011", Batch: "B" + evil, Verdict: catalog.Caution,
		Declaration: &catalog.Declaration{
			Brand: "Brand" + evil, Model: "Model" + evil, Passwords: "user-defined",
			Contacts: []string{"https://example.com/" + evil, "mailto:security@example.com"},
			Support:  catalog.Support{Kind: catalog.SupportRelative, Relative: catalog.Relative{N: 2, Anchor: "purchase"}},
		},
		Findings: []catalog.Finding{{Code: "x", Verdict: catalog.Caution, Shopper: "Shopper" + evil, Staff: "Staff" + evil}},
	}
	job, err := Receipt{Result: res, Checked: checked, Catalog: "origin" + evil}.ESCPOS(ReceiptOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Strip the commands the receipt itself sends; what is left must be
	// printable text and line feeds only.
	d := describe(job)
	for _, line := range strings.Split(d, "\n") {
		if line == "" || strings.HasPrefix(line, `"`) {
			continue
		}
		switch f := strings.Fields(line)[0]; f {
		case "ESC", "GS", "LF":
			if strings.Contains(line, "?") {
				t.Errorf("unknown command in job: %s", line)
			}
		default:
			t.Errorf("control byte in job: %s", line)
		}
	}
	if strings.Contains(d, "Staff") {
		t.Error("a staff text reached the shopper's receipt")
	}
	for _, want := range []string{"Brand?@?t??V", "Shopper?", "security@example.com"} {
		if !strings.Contains(d, want) {
			t.Errorf("receipt lacks %q:\n%s", want, d)
		}
	}
	// Only the ESC/GS bytes the receipt's own commands account for.
	var e escpos
	e.init()
	if n, m := bytes.Count(job, []byte{esc}), strings.Count(d, "ESC "); n != m {
		t.Errorf("%d ESC bytes in job, %d commands", n, m)
	}
	if n, m := bytes.Count(job, []byte{gs}), strings.Count(d, "GS "); n != m {
		t.Errorf("%d GS bytes in job, %d commands", n, m)
	}
}

func TestEncode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain ASCII", "plain ASCII"},
		{"Café — 5 €", "Caf\xe9 \x97 5 \x80"},
		{"tab\tand\nnewline  twice", "tab and newline twice"},
		{"\x1b[31mred", "?[31mred"},
		{"soft\u00adhyphen", "softhyphen"},
		{"日本", "??"},
		{"\u202eevil", "?evil"},
	}
	for _, tt := range tests {
		if got := string(encode(tt.in)); got != tt.want {
			t.Errorf("encode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"", 10, []string{""}},
		{"one two three four", 9, []string{"one two", "three", "four"}},
		{"abcdefghijklmnop", 5, []string{"abcde", "fghij", "klmno", "p"}},
	}
	for _, tt := range tests {
		var got []string
		for _, l := range wrap([]byte(tt.in), tt.width) {
			got = append(got, string(l))
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}
