package lookup

import (
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
