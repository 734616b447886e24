package catalog

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// refDay counts the days from 0001-01-01 to d the slow way: whole years,
// then whole months, then days, with the Gregorian leap rule written out.
func refDay(d Date) int {
	leap := func(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
	n := 0
	for y := 1; y < d.Year; y++ {
		n += 365
		if leap(y) {
			n++
		}
	}
	month := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	for m := 1; m < int(d.Month); m++ {
		n += month[m-1]
		if m == 2 && leap(d.Year) {
			n++
		}
	}
	return n + d.Day - 1
}

// randomDate is a real date in 0001-01-01..9999-12-31.
func randomDate(r *rand.Rand) Date {
	y := 1 + r.IntN(9999)
	m := time.Month(1 + r.IntN(12))
	return Date{y, m, 1 + r.IntN(daysIn(y, m))}
}

func TestDaysUntilExact(t *testing.T) {
	for _, c := range []struct {
		from, to string
		want     int
	}{
		{"2026-11-24", "2031-08-31", 1741},
		{"2026-11-24", "9999-12-31", 2912115}, // time.Duration gave 106751
		{"0001-01-01", "9999-12-31", 3652058},
		{"9999-12-31", "0001-01-01", -3652058},
		{"2026-11-24", "2026-11-24", 0},
		{"2026-11-24", "2026-11-23", -1},
		{"9999-12-30", "9999-12-31", 1},
		{"2024-02-28", "2024-03-01", 2},
		{"2100-02-28", "2100-03-01", 1},
		{"2000-02-28", "2000-03-01", 2},
		{"1970-01-01", "2026-11-24", 20781},
	} {
		t.Run(c.from+"→"+c.to, func(t *testing.T) {
			if got := mustDate(c.from).DaysUntil(mustDate(c.to)); got != c.want {
				t.Errorf("DaysUntil = %d, want %d", got, c.want)
			}
		})
	}
	t.Run("random", func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 9999))
		for range 2000 {
			a, b := randomDate(r), randomDate(r)
			if got, want := a.DaysUntil(b), refDay(b)-refDay(a); got != want {
				t.Fatalf("%s.DaysUntil(%s) = %d, want %d", a, b, got, want)
			}
		}
	})
	t.Run("every day round trips", func(t *testing.T) {
		// dateOfDay inverts dayNumber, and consecutive days are one apart,
		// over the whole range and a century beyond it.
		first := Date{1, time.January, 1}
		n := dayNumber(first)
		for d := first; d.Year <= 10100; d = d.AddDate(0, 0, 1) {
			if got := dayNumber(d); got != n {
				t.Fatalf("dayNumber(%s) = %d, want %d", d, got, n)
			}
			if got := dateOfDay(n); got != d {
				t.Fatalf("dateOfDay(%d) = %s, want %s", n, got, d)
			}
			n++
		}
	})
}

func TestAddDate(t *testing.T) {
	for _, c := range []struct {
		from           string
		y, m, d        int
		want           Date
		wantMaxCompare int // want compared with MaxDate
	}{
		{"2024-02-29", 1, 0, 0, Date{2025, time.March, 1}, -1},
		{"2026-11-24", 0, 12, 0, Date{2027, time.November, 24}, -1},
		{"2026-01-31", 0, 1, 0, Date{2026, time.March, 3}, -1},
		{"2026-03-31", 0, -1, 0, Date{2026, time.March, 3}, -1},
		{"0001-01-01", 0, 0, -1, Date{0, time.December, 31}, -1},
		{"9999-12-30", 0, 0, 1, MaxDate, 0},
		// The R7 window of a day late in 9999 ends in 10000.
		{"9999-12-31", 0, 0, 1, Date{10000, time.January, 1}, 1},
		{"9999-06-01", 0, 12, 0, Date{10000, time.June, 1}, 1},
		{"9999-12-31", 0, 1200, 0, Date{10099, time.December, 31}, 1},
		{"9990-01-01", 50, 0, 0, Date{10040, time.January, 1}, 1},
		{"9899-12-31", 100, 0, 0, MaxDate, 0},
	} {
		t.Run(c.from, func(t *testing.T) {
			got := mustDate(c.from).AddDate(c.y, c.m, c.d)
			if got != c.want {
				t.Errorf("%s.AddDate(%d, %d, %d) = %v, want %v", c.from, c.y, c.m, c.d, got, c.want)
			}
			if cmp := got.Compare(MaxDate); cmp != c.wantMaxCompare {
				t.Errorf("%v.Compare(MaxDate) = %d, want %d", got, cmp, c.wantMaxCompare)
			}
		})
	}
	t.Run("as time.Time.AddDate", func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for range 5000 {
			d := randomDate(r)
			y, m, dd := r.IntN(201)-100, r.IntN(2401)-1200, r.IntN(80001)-40000
			ty, tm, td := d.Time().AddDate(y, m, dd).Date()
			if got, want := d.AddDate(y, m, dd), (Date{ty, tm, td}); got != want {
				t.Fatalf("%s.AddDate(%d, %d, %d) = %v, want %v", d, y, m, dd, got, want)
			}
		}
	})
}

func TestPeriodBeyond(t *testing.T) {
	end9999, err := ParsePeriod("9999-12")
	if err != nil {
		t.Fatal(err)
	}
	onMax := DayPeriod(MaxDate)
	beyond := DayPeriod(MaxDate.AddDate(0, 0, 1))
	if onMax.Beyond || !beyond.Beyond {
		t.Fatalf("DayPeriod(MaxDate).Beyond = %v, DayPeriod(MaxDate+1).Beyond = %v", onMax.Beyond, beyond.Beyond)
	}
	if got := beyond.String(); got != "after 9999" {
		t.Errorf("String = %q", got)
	}
	if got := beyond.Words(); got != "after 9999" {
		t.Errorf("Words = %q", got)
	}
	if got := monthWords(beyond); got != "after 9999" {
		t.Errorf("monthWords = %q", got)
	}
	if got := endWords(beyond); got != "after 9999" {
		t.Errorf("endWords = %q", got)
	}
	if !end9999.Contains(MaxDate) || !onMax.Contains(MaxDate) || beyond.Contains(MaxDate) {
		t.Errorf("Contains(MaxDate): 9999-12 %v, 9999-12-31 %v, after 9999 %v; want true, true, false",
			end9999.Contains(MaxDate), onMax.Contains(MaxDate), beyond.Contains(MaxDate))
	}
	// Later than every real end, equal to another beyond end.
	if !onMax.Last.Before(beyond.Last) || !end9999.Last.Before(beyond.Last) || beyond.Last.Compare(DayPeriod(Date{10099, 12, 31}).Last) != 0 {
		t.Errorf("beyond does not sort after every real date and level with another beyond")
	}
	// Out of reach of today plus the longest caution window.
	if soon := MaxDate.AddDate(0, 1200, 0); !soon.Before(beyond.First) {
		t.Errorf("MaxDate + 1200 months = %s is not before a beyond end", soon)
	}
}

func TestParseRelativeLimit(t *testing.T) {
	for _, c := range []struct {
		rel string
		ok  bool
	}{
		{"100 years after launch 2026-01-01", true},
		{"101 years after launch 2026-01-01", false},
		{"1200 months after launch 2026-01-01", true},
		{"1201 months after launch 2026-01-01", false},
		{"999999999 years after launch 2026-01-01", false},
		{"999999999 months after first-supply", false},
		{"50 years after launch 9990-01-01", true},
	} {
		t.Run(c.rel, func(t *testing.T) {
			_, err := ParseRecord([]byte(decl("support-until relative", "support-relative "+c.rel)))
			if c.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want a *SyntaxError", err, err)
			}
			if se.Key != "support-relative" || se.Line != len(baseDecl)+1 || !strings.Contains(se.Error(), "longer than 100 years") {
				t.Fatalf("error %q (line %d, key %q), want support-relative on line %d, longer than 100 years", se, se.Line, se.Key, len(baseDecl)+1)
			}
		})
	}
}

// TestSupportNearMaxDate judges ends at and beyond 9999-12-31.
func TestSupportNearMaxDate(t *testing.T) {
	beyond50 := []string{"support-until relative", "support-relative 50 years after launch 9990-01-01"}
	beyond40 := []string{"support-until relative", "support-relative 40 years after launch 9990-01-01"}
	for _, c := range []struct {
		name     string
		versions [][]string // edits for versions 1, 2, ...
		today    string
		months   int
		verdict  Verdict
		codes    string
		json     string // the report's support object
		says     string // in the text of a finding, when not ""
	}{
		{name: "9999-12", versions: [][]string{{"support-until 9999-12"}},
			verdict: OK, codes: "-",
			json: `{"until":"9999-12","first_day":"9999-12-01","last_day":"9999-12-31","days_left":2912115}`},
		{name: "after 9999", versions: [][]string{beyond50},
			verdict: OK, codes: "-", json: `{"until":"after 9999","computed":true}`},
		{name: "after 9999 on the last day", versions: [][]string{beyond50}, today: "9999-12-31", months: 1200,
			verdict: OK, codes: "-", json: `{"until":"after 9999","computed":true}`},
		{name: "after 9999 a year before", versions: [][]string{beyond50}, today: "9999-01-01",
			verdict: OK, codes: "-", json: `{"until":"after 9999","computed":true}`},
		{name: "9999-12-31 within the window", versions: [][]string{{"support-until 9999-12-31"}}, today: "9999-06-01",
			verdict: Caution, codes: "support-ends-soon",
			json: `{"until":"9999-12-31","first_day":"9999-12-31","last_day":"9999-12-31","days_left":213}`},
		{name: "9999-12-31 today", versions: [][]string{{"support-until 9999-12-31"}}, today: "9999-12-31",
			verdict: Caution, codes: "support-ends-now",
			json: `{"until":"9999-12-31","first_day":"9999-12-31","last_day":"9999-12-31","days_left":0}`},
		{name: "extended to after 9999", versions: [][]string{nil, beyond50},
			verdict: OK, codes: "support-extended", json: `{"until":"after 9999","computed":true}`,
			says: "from August 2031 to after 9999"},
		{name: "9999 to after 9999 is extended", versions: [][]string{{"support-until 9999"}, beyond50},
			verdict: OK, codes: "support-extended", json: `{"until":"after 9999","computed":true}`},
		{name: "after 9999 to 9999-12-31 is shortened", versions: [][]string{beyond50, {"support-until 9999-12-31"}},
			verdict: Stop, codes: "support-shortened",
			json: `{"until":"9999-12-31","first_day":"9999-12-31","last_day":"9999-12-31","days_left":2912115}`,
			says: "after 9999"},
		// No day after 9999 can be shown, so none shortens another.
		{name: "after 9999 to after 9999", versions: [][]string{beyond50, beyond40},
			verdict: OK, codes: "-", json: `{"until":"after 9999","computed":true}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.expires = time.Date(9999, 12, 31, 12, 0, 0, 0, time.UTC)
			for i, edits := range c.versions {
				f.addBy("maker", decl(append([]string{"version " + string(rune('1'+i))}, edits...)...))
			}
			q := Query{GTIN: gtinA, Today: mustDate("2026-11-24"), Policy: DefaultPolicy}
			if c.today != "" {
				q.Today = mustDate(c.today)
			}
			if c.months != 0 {
				q.Policy.CautionMonths = c.months
			}
			r := f.open().Judge(q)
			if r.Verdict != c.verdict || codes(r) != c.codes {
				for _, f := range r.Findings {
					t.Logf("%s %s %s: %s", f.Rule, f.Code, f.Verdict, f.Staff)
				}
				t.Errorf("got %s [%s], want %s [%s]", r.Verdict, codes(r), c.verdict, c.codes)
			}
			got, err := json.Marshal(r.Report("x", nil).Support)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.json {
				t.Errorf("support = %s, want %s", got, c.json)
			}
			if c.says != "" {
				found := false
				for _, f := range r.Findings {
					found = found || strings.Contains(f.Staff, c.says) || strings.Contains(f.Shopper, c.says)
				}
				if !found {
					t.Errorf("no finding says %q: %+v", c.says, r.Findings)
				}
			}
			// An end after 9999 is never a date, in any text.
			for _, f := range r.Findings {
				for _, s := range []string{f.Staff, f.Shopper} {
					for _, bad := range []string{"10040", "10030", "1073741824"} {
						if strings.Contains(s, bad) {
							t.Errorf("finding %s says %q", f.Code, s)
						}
					}
				}
			}
		})
	}
}
