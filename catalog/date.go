package catalog

import (
	"fmt"
	"strconv"
	"time"
)

// A Date is a civil date with no time zone: a day as the law and a shop
// calendar count it. The zero Date means "not given".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// london is where every date in a verdict is judged (spec/verdicts.md).
var london = mustLoadLocation("Europe/London")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// The binary imports time/tzdata, so this cannot happen outside
		// a test binary built without it; fall back rather than crash.
		return time.UTC
	}
	return loc
}

// DateOf returns the Europe/London date of the instant t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(london).Date()
	return Date{y, m, d}
}

// Today returns today's date in Europe/London.
func Today() Date { return DateOf(time.Now()) }

// ParseDate parses YYYY-MM-DD strictly.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) {
		return Date{}, fmt.Errorf("date %q is not a real YYYY-MM-DD date", s)
	}
	return Date{y, time.Month(m), d}, nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC at the start of d, for arithmetic.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// AddDate is time.Time.AddDate on the date (so 2024-02-29 plus one year is
// 2025-03-01, as Go normalises it).
func (d Date) AddDate(years, months, days int) Date {
	y, m, dd := d.Time().AddDate(years, months, days).Date()
	return Date{y, m, dd}
}

// DaysUntil returns the number of days from d to e (negative if e is earlier).
func (d Date) DaysUntil(e Date) int {
	return int(e.Time().Sub(d.Time()).Hours() / 24)
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Precision says how much of a date a support end gives.
type Precision uint8

const (
	PrecDay Precision = iota
	PrecMonth
	PrecYear
)

// A Period is a date at some precision: a day, a whole month or a whole
// year, read from the declaration as `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
type Period struct {
	Precision Precision
	First     Date // earliest day it could mean
	Last      Date // last day it could mean (inclusive)
}

// ParsePeriod parses YYYY-MM-DD, YYYY-MM or YYYY.
func ParsePeriod(s string) (Period, error) {
	switch len(s) {
	case 10:
		d, err := ParseDate(s)
		if err != nil {
			return Period{}, err
		}
		return Period{PrecDay, d, d}, nil
	case 7:
		y, ok1 := digits(s[0:4])
		m, ok2 := digits(s[5:7])
		if s[4] != '-' || !ok1 || !ok2 || y < 1 || m < 1 || m > 12 {
			return Period{}, fmt.Errorf("%q is not YYYY-MM", s)
		}
		mm := time.Month(m)
		return Period{PrecMonth, Date{y, mm, 1}, Date{y, mm, daysIn(y, mm)}}, nil
	case 4:
		y, ok := digits(s)
		if !ok || y < 1 {
			return Period{}, fmt.Errorf("%q is not YYYY", s)
		}
		return Period{PrecYear, Date{y, time.January, 1}, Date{y, time.December, 31}}, nil
	}
	return Period{}, fmt.Errorf("%q is not YYYY-MM-DD, YYYY-MM or YYYY", s)
}

// String gives the period as written in a declaration.
func (p Period) String() string {
	switch p.Precision {
	case PrecYear:
		return strconv.Itoa(p.First.Year)
	case PrecMonth:
		return fmt.Sprintf("%04d-%02d", p.First.Year, p.First.Month)
	}
	return p.First.String()
}

// Words gives the period for people: "24 January 2031", "August 2031", "2031".
func (p Period) Words() string {
	switch p.Precision {
	case PrecYear:
		return strconv.Itoa(p.First.Year)
	case PrecMonth:
		return fmt.Sprintf("%s %d", p.First.Month, p.First.Year)
	}
	return fmt.Sprintf("%d %s %d", p.First.Day, p.First.Month, p.First.Year)
}

// Contains reports whether d falls within the period.
func (p Period) Contains(d Date) bool { return !d.Before(p.First) && !d.After(p.Last) }
