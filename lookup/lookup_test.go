package lookup

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/data"
)

func TestEscapeControls(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", `{"a":"b <&> é"}`, `{"a":"b <&> é"}`},
		{"lines stay", "{}\n{}\n", "{}\n{}\n"},
		{"bidi override", "{\"a\":\"x\u202ey\"}", `{"a":"x\u202ey"}`},
		{"C1 control", "{\"a\":\"\u0085\"}", `{"a":"\u0085"}`},
		{"DEL", "{\"a\":\"\x7f\"}", `{"a":"\u007f"}`},
		{"zero width", "{\"a\":\"\u200b1\"}", `{"a":"\u200b1"}`},
		{"soft hyphen stays", "{\"a\":\"\u00ad\"}", "{\"a\":\"\u00ad\"}"},
		{"after an escape", "\u2066é\u2069", `\u2066é\u2069`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(EscapeControls([]byte(tt.in)))
			if got != tt.want {
				t.Errorf("EscapeControls(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if json.Valid([]byte(tt.in)) {
				var a, b any
				json.Unmarshal([]byte(tt.in), &a)
				if err := json.Unmarshal([]byte(got), &b); err != nil || !equalJSON(a, b) {
					t.Errorf("not the same JSON value: %q -> %q", tt.in, got)
				}
			}
		})
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestAnswer: a product code is judged, anything else is an error
// answer; both carry the catalog, and the log record says the same.
func TestAnswer(t *testing.T) {
	cat, err := data.OpenDemo()
	if err != nil {
		t.Fatal(err)
	}
	rc := catalog.CatalogReport(cat.Checkpoint, true)
	q := Query{Today: catalog.DateOf(cat.Checkpoint.Issued)}

	a := Look(cat, rc, "(01)09520000000011(10)B1", q)
	b, err := a.JSON()
	if err != nil || a.Err != nil {
		t.Fatal(err, a.Err)
	}
	if !strings.HasPrefix(string(b), `{"input":"(01)09520000000011(10)B1","gtin":"09520000000011","batch":"B1","verdict":"CAUTION"`) || strings.HasSuffix(string(b), "\n") {
		t.Errorf("JSON %s", b)
	}
	rec := a.Record(cat.Checkpoint.Issued)
	if rec.Event != catalog.EventCheck || rec.Verdict != "CAUTION" || rec.Batch != "B1" || rec.Catalog == nil || len(rec.Findings) == 0 {
		t.Errorf("record %+v", rec)
	}

	bad := Look(cat, rc, "nope\u202e", q)
	b, err = bad.JSON()
	if err != nil || bad.Err == nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `{"input":"nope\u202e","error":"`) || !strings.Contains(string(b), `"catalog":{"origin":"demo.smartcheck.example/uk"`) {
		t.Errorf("JSON %s", b)
	}
	if rec := bad.Record(cat.Checkpoint.Issued); rec.Event != catalog.EventUnreadable || rec.Error == "" || rec.Verdict != "" {
		t.Errorf("record %+v", rec)
	}
}

// TestJSONAsEncodingJSON: for every product of the demo catalog, with and
// without a batch, on dates before, during and after support, and under
// both policies, JSON writes the bytes encoding/json wrote for the report
// (then EscapeControls), as lookup --json always printed.
func TestJSONAsEncodingJSON(t *testing.T) {
	cat, err := data.OpenDemo()
	if err != nil {
		t.Fatal(err)
	}
	rc := catalog.CatalogReport(cat.Checkpoint, true)
	var inputs []string
	for gtin := range cat.GTINs {
		inputs = append(inputs, gtin, "(01)"+gtin+"(10)B\u202e1", "https://id.gs1.org/01/"+gtin+"/10/<b>&")
	}
	inputs = append(inputs, "", "nope\u202e\x85", "\xff", "9520000000000", strings.Repeat("9", 100))
	if len(inputs) < 30 {
		t.Fatalf("only %d inputs: the demo catalog lists fewer products than expected", len(inputs))
	}
	issued := catalog.DateOf(cat.Checkpoint.Issued)
	for _, today := range []catalog.Date{issued, issued.AddDate(-5, 0, 0), issued.AddDate(10, 0, 0)} {
		for _, policy := range []catalog.Policy{catalog.DefaultPolicy, {SupportEnded: catalog.Caution, CautionMonths: 36}} {
			for _, in := range inputs {
				a := Look(cat, rc, in, Query{Today: today, Policy: policy})
				got, err := a.JSON()
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(a.Report()); err != nil {
					t.Fatal(err)
				}
				want := EscapeControls(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
				if !bytes.Equal(got, want) {
					t.Fatalf("%q on %s:\n got %s\nwant %s", in, today, got, want)
				}
			}
		}
	}
}
