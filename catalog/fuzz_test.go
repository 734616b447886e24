package catalog

import (
	"bytes"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for the parsers that read untrusted bytes. Run one with
//
//	go test -run=XXX -fuzz=FuzzParseRecord -fuzztime=30s ./catalog

// eachString calls fn for every string reachable from v (fields, slices,
// pointers), with a path for messages.
func eachString(v reflect.Value, path string, fn func(path, s string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			eachString(v.Elem(), path, fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			eachString(v.Field(i), path+"."+v.Type().Field(i).Name, fn)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			eachString(v.Index(i), path+"[]", fn)
		}
	case reflect.String:
		fn(path, v.String())
	}
}

func FuzzParseRecord(f *testing.F) {
	_, vkey := testKey(f, "fuzz")
	for _, s := range []string{
		decl(),
		decl("route schedule2-label", "label SG-CLS | 2 | CLS-1 | 2027-06-30", "batch L1", "authorised-rep R | A"),
		decl("route schedule2-standard", "standard ETSI EN 303 645 | V2.1.1 | 2020-06 | 5.1-1", "source https://example.com/d 2026-01-01"),
		decl("support-until relative", "support-relative 5 years after first-supply 2023-09-22", "category tablet", "under-14 no"),
		decl("support-until none", "policy https://example.com/p", "support-url https://example.com/s"),
		decl("support-until relative", "support-relative 100 years after launch 9999-12-31"),
		decl("support-until 9999-12"),
		notice(),
		notice("failure passwords | default", "effective 2026-11-01", "batch L1", "source https://example.com/n"),
		KindKey + "\nkey " + vkey + "\norg Org\nrole curator\nstatus active\nscope gtin *\nscope gtin 0012345\n",
		KindKey + "\nkey " + vkey + "\norg Org\nrole notice-issuer\nstatus active\nscope notice OPS-\n",
		KindKey + "\nkey " + vkey + "\norg Org\nrole manufacturer\nstatus revoked\n",
		KindWithdrawal + "\nrecord 12\nhash 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nreason Logged by mistake.\nwithdrawn 2026-11-20\n",
		// Broken scopes and withdrawals.
		KindKey + "\nkey " + vkey + "\norg Org\nrole manufacturer\nstatus active\nscope gtin *\n",
		KindKey + "\nkey " + vkey + "\norg Org\nrole manufacturer\nstatus active\nscope gtin 12345678901234\n",
		KindKey + "\nkey " + vkey + "\norg Org\nrole manufacturer\nstatus active\n",
		KindWithdrawal + "\nrecord 012\nhash 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nreason x\nwithdrawn 2026-11-20\n",
		KindWithdrawal + "\nrecord 1\nhash AAAA\nreason x\nwithdrawn 2026-11-20\n",
		// Broken ones.
		decl("brand Ex\x1bample"),
		decl("model \u202eevil"),
		decl("gtin 09520000000012"),
		decl("support-until relative"),
		decl("support-until relative", "support-relative 999999999 years after launch 9990-01-01"),
		decl("support-until relative", "support-relative 1201 months after first-supply 2023-09-22"),
		strings.TrimSuffix(decl(), "\n"),
		decl() + "\n",
		"",
		"\n",
		"smartcheck-declaration/1\n",
		"smartcheck-notice/1\nid \xff\n",
		KindKey + "\nkey notakey\norg Org\nrole curator\nstatus active\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseRecord(body)
		if err != nil {
			if r != nil {
				t.Fatalf("record and error %v", err)
			}
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error %v (%T) is not a *SyntaxError", err, err)
			}
			return
		}
		if !utf8.Valid(body) || len(body) > MaxRecordSize || !bytes.HasSuffix(body, []byte("\n")) {
			t.Fatalf("accepted a body that is not UTF-8, too long or not LF-terminated: %q", body)
		}
		set := 0
		for _, p := range []bool{r.Declaration != nil, r.Notice != nil, r.Key != nil, r.Withdrawal != nil} {
			if p {
				set++
			}
		}
		if set != 1 {
			t.Fatalf("record %+v sets %d of Declaration, Notice, Key, Withdrawal", r, set)
		}
		eachString(reflect.ValueOf(r), "Record", func(path, s string) {
			if !utf8.ValidString(s) {
				t.Fatalf("%s = %q is not UTF-8", path, s)
			}
			for _, c := range s {
				if forbiddenRune(c) {
					t.Fatalf("%s = %q holds forbidden rune U+%04X", path, s, c)
				}
			}
		})
		var gtins []string
		switch {
		case r.Declaration != nil:
			gtins = r.Declaration.GTINs
			if r.Declaration.Version < 1 {
				t.Fatalf("version %d", r.Declaration.Version)
			}
			// verdicts.md, "Dates": at most 100 years, and an end after
			// 9999-12-31 is "after 9999", never a date.
			if rel := r.Declaration.Support.Relative; rel.N > 1200 || !rel.Months && rel.N > 100 {
				t.Fatalf("relative period %s parsed", rel)
			}
			if end, ok := r.Declaration.SupportEnd(); ok && end.Beyond != end.Last.After(MaxDate) {
				t.Fatalf("support end %+v: Beyond and Last disagree", end)
			}
		case r.Notice != nil:
			gtins = r.Notice.GTINs
			if r.Notice.Revision < 1 {
				t.Fatalf("revision %d", r.Notice.Revision)
			}
		case r.Key != nil:
			if _, err := newVerifier(r.Key.Key); err != nil {
				t.Fatalf("key %q: %v", r.Key.Key, err)
			}
			if r.Key.Status == "active" && len(r.Key.Scopes) == 0 {
				t.Fatalf("active key record without a scope")
			}
			for _, sc := range r.Key.Scopes {
				if !scopeAllowed(r.Key.Role, sc) {
					t.Fatalf("role %s holds scope %v", r.Key.Role, sc)
				}
				if back, err := ParseScope(sc.String()); err != nil || back != sc {
					t.Fatalf("scope %v does not round-trip: %v %v", sc, back, err)
				}
			}
			body, err := KeyRecordBody(*r.Key)
			if err != nil {
				t.Fatalf("key record %+v does not format: %v", r.Key, err)
			}
			if back, err := ParseRecord(body); err != nil || !reflect.DeepEqual(back.Key, r.Key) {
				t.Fatalf("key record %+v does not round-trip: %+v, %v", r.Key, back, err)
			}
		case r.Withdrawal != nil:
			if r.Withdrawal.Record < 0 || r.Withdrawal.Reason == "" || r.Withdrawal.Withdrawn.IsZero() {
				t.Fatalf("withdrawal %+v", r.Withdrawal)
			}
			// Lines may come in any order, so the round trip is of the
			// parsed value, not the bytes.
			body, err := WithdrawalBody(*r.Withdrawal)
			if err != nil {
				t.Fatalf("withdrawal %+v does not format: %v", r.Withdrawal, err)
			}
			back, err := ParseRecord(body)
			if err != nil || back.Withdrawal == nil || *back.Withdrawal != *r.Withdrawal {
				t.Fatalf("withdrawal %+v does not round-trip: %+v, %v", r.Withdrawal, back, err)
			}
		}
		if (r.Declaration != nil || r.Notice != nil) && len(gtins) == 0 {
			t.Fatalf("%s without a GTIN", r.Kind)
		}
		for _, g := range gtins {
			if !ValidGTIN14(g) {
				t.Fatalf("GTIN %q is not valid", g)
			}
			if _, ok := gtinKey(g); !ok {
				t.Fatalf("GTIN %q does not index", g)
			}
		}
	})
}

// FuzzFrames opens arbitrary records files under checkpoints the
// publisher signed for the fixture's root and a given size: only the
// original records, followed by anything, may open. Each input opens a
// catalog (milliseconds), so minimizing an input takes long; run it with
// -fuzzminimizetime=100x.
func FuzzFrames(f *testing.F) {
	fx := smallFixture(f)
	cp0, orig := fx.bytes()
	n := int64(len(fx.records))
	cp, err := OpenCheckpoint(cp0, fx.trust)
	if err != nil {
		f.Fatal(err)
	}
	var mu sync.Mutex
	signed := map[int64][]byte{}
	checkpoint := func(t *testing.T, size int64) []byte {
		mu.Lock()
		defer mu.Unlock()
		if msg, ok := signed[size]; ok {
			return msg
		}
		c := *cp
		c.Size = size
		msg, err := SignCheckpoint(&c, fx.pub)
		if err != nil {
			t.Fatal(err)
		}
		signed[size] = msg
		return msg
	}
	f.Add(orig, uint8(n))
	f.Add(append(bytes.Clone(orig), "12\nnot committed"...), uint8(n))
	f.Add(orig, uint8(n-1))
	f.Add(orig, uint8(n+1))
	f.Add(orig, uint8(0))
	f.Add([]byte{}, uint8(0))
	f.Add(orig[:len(orig)-1], uint8(n))
	f.Add(frameAll(fx.records[:2]), uint8(2))
	f.Add([]byte("0\n"), uint8(1))
	f.Add([]byte("65537\n"), uint8(1))
	f.Add([]byte("1\nx1\ny1\nz1\nw"), uint8(n))
	f.Fuzz(func(t *testing.T, data []byte, size uint8) {
		c, err := OpenBytes(checkpoint(t, int64(size)), data, fx.trust, nil)
		want := int64(size) == n && bytes.HasPrefix(data, orig)
		if !want {
			if err == nil {
				t.Fatalf("opened %q as %d records", data, size)
			}
			if check := securityCheck(err); check != "root" && check != "records" {
				t.Fatalf("error %v: check %q, want root or records", err, check)
			}
			return
		}
		if err != nil {
			t.Fatalf("original records (with %d bytes after them) did not open: %v", len(data)-len(orig), err)
		}
		for i := range n {
			rec, err := c.Record(i)
			if err != nil || !bytes.Equal(rec, fx.records[i]) {
				t.Fatalf("record %d = %q, %v", i, rec, err)
			}
		}
	})
}

func FuzzReadFrames(f *testing.F) {
	fx := smallFixture(f)
	_, orig := fx.bytes()
	for _, s := range [][]byte{orig, orig[:len(orig)-3], []byte(""), []byte("1\nx"), []byte("0\n"), []byte("01\nx"),
		[]byte("65536\n"), []byte("65537\n"), []byte("1\nx2\nyy"), []byte("3\nab"), []byte("1234567\n"), []byte("\n"), []byte("1x\n")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := ReadFrames(data)
		var again []byte
		for _, r := range recs {
			if len(r) == 0 || len(r) > MaxRecordSize {
				t.Fatalf("record of %d bytes", len(r))
			}
			again = AppendFrame(again, r)
		}
		if !bytes.HasPrefix(data, again) {
			t.Fatalf("records re-frame to %q, not a prefix of %q", again, data)
		}
		if err == nil && !bytes.Equal(again, data) {
			t.Fatalf("ReadFrames read %d of %d bytes without an error", len(again), len(data))
		}
		if err != nil {
			if _, ok := err.(*FrameError); !ok {
				t.Fatalf("error %v (%T) is not a *FrameError", err, err)
			}
		}
	})
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "hello", "Phone One — 5G", "\x1b[31mred\x1b[0m", "a\u202eb", "\u0085\u009b", "tab\there",
		"soft\u00adhyphen", "zero\u200bwidth", "\ufeffbom", "日本語", "\u2066iso\u2069", "\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		for _, r := range out {
			if unsafeRune(r) {
				t.Fatalf("Sanitize(%q) = %q holds U+%04X", s, out, r)
			}
		}
		if Sanitize(out) != out {
			t.Fatalf("Sanitize is not idempotent on %q", s)
		}
		if utf8.RuneCountInString(out) != utf8.RuneCountInString(s) {
			t.Fatalf("Sanitize(%q) = %q changed the number of runes", s, out)
		}
		safe := true
		for _, r := range s {
			if unsafeRune(r) {
				safe = false
			}
		}
		if safe && out != s {
			t.Fatalf("Sanitize changed safe text %q to %q", s, out)
		}
	})
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"Phone One":             "Phone One",
		"\x1b[2Jgone":           "\ufffd[2Jgone",
		"a\u202eb":              "a\ufffdb",
		"\u009b31m":             "\ufffd31m",
		"x\u200by":              "x\ufffdy",
		"soft\u00adhyphen":      "soft\u00adhyphen",
		"tab\tnew\nline\r":      "tab\ufffdnew\ufffdline\ufffd",
		"日本 \u061c\u2066\u2069": "日本 \ufffd\ufffd\ufffd",
	} {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSanitizeInvalidUTF8 checks that bytes that are not UTF-8 come out
// as U+FFFD whatever else the string holds. A lone byte 0x9b is the 8-bit
// form of CSI, the C1 control that starts an escape sequence on a
// terminal or printer that reads 8-bit controls.
func TestSanitizeInvalidUTF8(t *testing.T) {
	for _, in := range []string{"\x9b2J", "ok\xff", "\x9b2J\x1b"} {
		out := Sanitize(in)
		if !utf8.ValidString(out) {
			t.Errorf("Sanitize(%q) = %q: bytes that are not UTF-8 pass through", in, out)
		}
	}
}

// FuzzTrust logs fuzzed key records and withdrawals, signed by the
// publisher, among a manufacturer's declaration, a rival's forgery of it
// and a notice, then opens, verifies and judges: nothing may crash, every
// problem names a record in the log, and whatever the key records and
// withdrawals say, the facts shown come from a declaration trusted for
// the GTIN (never the rival's: no key record here scopes it for 952).
func FuzzTrust(f *testing.F) {
	fx := newFixture(f)
	maker := fx.vkeys["maker"]
	fx.signer("rival")
	f.Add(KindKey+"\nkey "+maker+"\norg maker org\nrole manufacturer\nstatus active\nscope gtin 95\n",
		KindWithdrawal+"\nrecord 3\nhash AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nreason x\nwithdrawn 2026-11-20\n", uint8(3))
	f.Add(KindKey+"\nkey "+maker+"\norg maker org\nrole manufacturer\nstatus revoked\n",
		KindWithdrawal+"\nrecord 9\nhash AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nreason x\nwithdrawn 2026-11-20\n", uint8(4))
	f.Add(KindKey+"\nkey "+fx.vkeys["rival"]+"\norg Rival\nrole curator\nstatus active\nscope gtin 961\n", "x", uint8(5))
	f.Fuzz(func(t *testing.T, keyBody, withdrawalBody string, withdrawTarget uint8) {
		fx := newFixture(t)
		fx.addBy("maker", decl())                              // 3
		fx.addBy("rival", decl("id forged", "passwords none")) // 4
		fx.addBy("issuer", notice("status revoked"))           // 5
		for _, b := range []string{keyBody, withdrawalBody} {
			if _, err := Sign([]byte(b), fx.pub); err != nil {
				t.Skip("not a note body")
			}
		}
		fx.add(fx.pub, keyBody)                                  // 6
		fx.addBy("rival", decl("id forged-2", "passwords none")) // 7
		fx.add(fx.pub, withdrawalBody)                           // 8
		// A real withdrawal of a fuzzed target.
		if int(withdrawTarget) < len(fx.records) {
			fx.withdraw(int(withdrawTarget), "fuzzed")
		}
		cp := fx.checkpointFor(fx.records, fx.issued)
		c, err := OpenBytes(cp, frameAll(fx.records), fx.trust, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range c.Verify() {
			if p.Index < 0 || p.Index >= c.Size() {
				t.Fatalf("problem names record %d of %d", p.Index, c.Size())
			}
		}
		r := c.Judge(Query{GTIN: gtinA, Today: mustDate("2026-11-24"), Policy: DefaultPolicy})
		switch {
		case r.Declaration == nil:
			if r.Index != -1 {
				t.Fatalf("no facts, but chosen record %d", r.Index)
			}
		case r.Index != 3:
			t.Fatalf("facts from record %d (%s), want the maker's record 3", r.Index, r.Declaration.ID)
		}
		if _, withdrawn := c.withdrawn[3]; withdrawn && r.Declaration != nil {
			t.Fatal("a withdrawn declaration was used")
		}
	})
}
