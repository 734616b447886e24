package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// nastyStrings are the values the encoder could get wrong: every escape
// encoding/json makes, invalid UTF-8, HTML characters (escaped only
// inside ReportSupport, whose MarshalJSON goes through json.Marshal), and
// characters it leaves alone.
var nastyStrings = []string{
	"", "a", "5012345678900", `"`, `\`, "\b\f\n\r\t", "\x00\x01\x1f", "\x7f",
	"<b>&amp;</b>", "\u2028\u2029", "\u202e\u0085\u200b", "é ß ✓ 😀",
	"\xff", "a\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "tail \\\"end\"",
}

// fillRandom sets v, and everything below it, at random: strings from
// nastyStrings, numbers of any sign, pointers and slices nil or not.
// With full, nothing is left zero, so that a field the encoder does not
// write cannot hide behind omitempty.
func fillRandom(v reflect.Value, rnd *rand.Rand, full bool) {
	switch v.Kind() {
	case reflect.String:
		s := nastyStrings[rnd.IntN(len(nastyStrings))]
		if full && s == "" {
			s = "x"
		}
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(full || rnd.IntN(2) == 0)
	case reflect.Int, reflect.Int64:
		v.SetInt(rnd.Int64N(1<<40) - 1<<39)
		if full && v.Int() == 0 {
			v.SetInt(1)
		}
	case reflect.Uint8: // Verdict: named ones and one past them
		v.SetUint(uint64(rnd.IntN(len(verdictNames) + 1)))
	case reflect.Pointer:
		if !full && rnd.IntN(4) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fillRandom(v.Elem(), rnd, full)
	case reflect.Slice:
		if !full && rnd.IntN(4) == 0 {
			v.SetZero()
			return
		}
		n := rnd.IntN(3)
		if full {
			n++
		}
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fillRandom(v.Index(i), rnd, full)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			zone := time.FixedZone("", (rnd.IntN(49)-24)*1800)
			v.Set(reflect.ValueOf(time.Unix(rnd.Int64N(1<<35), rnd.Int64N(1e9)*int64(rnd.IntN(2))).In(zone)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillRandom(v.Field(i), rnd, full)
			}
		}
	default:
		panic("fillRandom: no case for " + v.Type().String())
	}
}

// encodeReflect is what lookup --json wrote before AppendJSON: the
// Encoder with SetEscapeHTML(false), without its newline.
func encodeReflect(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// TestReportAppendJSON: the hand-written encoder writes the same bytes
// as encoding/json for reports of every shape, every field set (a field
// added to Report and not to AppendJSON fails here), none set, and any
// mix, with strings that need every kind of escape.
func TestReportAppendJSON(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		full := i%3 == 0
		var r Report
		var e ErrorReport
		if i > 0 {
			fillRandom(reflect.ValueOf(&r).Elem(), rnd, full)
			fillRandom(reflect.ValueOf(&e).Elem(), rnd, full)
		}
		if got, want := r.AppendJSON(nil), encodeReflect(t, r); !bytes.Equal(got, want) {
			t.Fatalf("report %d:\n got %s\nwant %s", i, got, want)
		}
		if got, want := e.AppendJSON([]byte("prefix")), append([]byte("prefix"), encodeReflect(t, e)...); !bytes.Equal(got, want) {
			t.Fatalf("error report %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// TestAppendJSONString: every rune class and every invalid byte sequence
// encodes as encoding/json encodes it, with and without HTML escaping.
func TestAppendJSONString(t *testing.T) {
	var all []string
	for r := rune(0); r < 0x3000; r++ {
		all = append(all, string(r))
	}
	for b := range 256 {
		all = append(all, string([]byte{byte(b)}), "a"+string([]byte{byte(b), 'z'}))
	}
	all = append(all, nastyStrings...)
	for _, s := range all {
		checkJSONString(t, s)
	}
}

// checkJSONString fails t unless appendJSONString writes s as
// encoding/json does, with and without HTML escaping.
func checkJSONString(t *testing.T, s string) {
	t.Helper()
	for _, html := range []bool{false, true} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(html)
		enc.Encode(s)
		if got := appendJSONString(nil, s, html); string(got)+"\n" != want.String() {
			t.Fatalf("%q (html %v): got %s, want %s", s, html, got, want.String())
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range nastyStrings {
		f.Add(s)
	}
	f.Fuzz(checkJSONString)
}

// TestDateStringsAsFmt: dates and periods are written as fmt's %04d and
// %02d wrote them, at every width and sign.
func TestDateStringsAsFmt(t *testing.T) {
	for _, y := range []int{1, 9, 10, 99, 100, 999, 1000, 2026, 9999, 10000, 123456, -1, -12345} {
		for _, m := range []time.Month{1, 9, 10, 12, 0, 100} {
			for _, d := range []int{1, 9, 10, 31, 0, 100, -3} {
				date := Date{y, m, d}
				if date.IsZero() {
					continue
				}
				if got, want := date.String(), fmt.Sprintf("%04d-%02d-%02d", y, m, d); got != want {
					t.Errorf("Date%v = %q, want %q", date, got, want)
				}
				p := Period{First: date, Precision: PrecMonth}
				if got, want := p.String(), fmt.Sprintf("%04d-%02d", y, m); got != want {
					t.Errorf("Period %v = %q, want %q", date, got, want)
				}
			}
		}
	}
}

// TestCatalogReportEncodedOnce: the JSON CatalogReport keeps is the one
// its fields give.
func TestCatalogReportEncodedOnce(t *testing.T) {
	for _, demo := range []bool{false, true} {
		cp := &Checkpoint{Origin: "example.org/<cat>\u2028", Size: 1234, Issued: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))}
		rc := CatalogReport(cp, demo)
		plain := *rc
		plain.encoded = nil
		if got, want := rc.appendJSON(nil), encodeReflect(t, rc); !bytes.Equal(got, want) || !bytes.Equal(plain.appendJSON(nil), want) {
			t.Errorf("got %s\nwant %s", got, want)
		}
	}
}

// TestDueDiligenceAppendJSON: log lines are the bytes json.Marshal wrote
// for every shape of record; a time json.Marshal refuses is refused.
func TestDueDiligenceAppendJSON(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		var r DueDiligenceRecord
		if i > 0 {
			fillRandom(reflect.ValueOf(&r).Elem(), rnd, i%3 == 0)
		}
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.appendJSON([]byte("x"))
		if err != nil || !bytes.Equal(got, append([]byte("x"), want...)) {
			t.Fatalf("record %d: %v\n got %s\nwant %s", i, err, got, want)
		}
	}
	r := DueDiligenceRecord{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Event: EventCheck}
	if _, err := json.Marshal(r); err == nil {
		t.Fatal("json.Marshal took the year 10000")
	}
	if b, err := r.appendJSON(nil); err == nil {
		t.Errorf("the year 10000 was written: %s", b)
	}
}
