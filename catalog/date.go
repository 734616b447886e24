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

// daysIn returns the number of days in month m (1..12) of year y.
func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// MaxDate is the last day a date in the catalog can name: dates run to
// 9999-12-31 (verdicts.md, "Dates"), as YYYY has four digits.
var MaxDate = Date{9999, time.December, 31}

// dayNumber counts days from 1970-01-01 to d in the proleptic Gregorian
// calendar (Hinnant's days_from_civil), on int64 so that it is exact for
// every date a catalog can hold, and far beyond. A month or day out of
// its usual range is normalised as time.Date does (month 13 is January of
// the next year, day 0 the last day of the month before).
func dayNumber(d Date) int64 {
	y := int64(d.Year)
	m := int64(d.Month) - 1 // 0-based, may be out of range
	y += floorDiv(m, 12)
	m = m - floorDiv(m, 12)*12 + 1
	// Count years from March, so that a leap day ends the year.
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400                             // [0, 399]
	doy := (153*((m+9)%12)+2)/5 + int64(d.Day) - 1 // days since 1 March, or beyond when Day is out of range
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// dateOfDay is the inverse of dayNumber (Hinnant's civil_from_days).
func dateOfDay(n int64) Date {
	n += 719468
	era := floorDiv(n, 146097)
	doe := n - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11], from March
	day := doy - (153*mp+2)/5 + 1
	m := mp + 3
	y := yoe + era*400
	if m > 12 {
		m -= 12
		y++
	}
	return Date{int(y), time.Month(m), int(day)}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
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
// 2025-03-01, as Go normalises it), in exact day arithmetic. The result
// may lie after MaxDate: the R7 window of a day late in 9999 ends in
// 10000, and an end on 9999-12-31 still falls inside it.
func (d Date) AddDate(years, months, days int) Date {
	// As time.Date: years and months first, then the day of the month
	// (normalised, so 31 February is 3 March), then the days.
	e := Date{d.Year + years, d.Month, 1}
	m := int64(d.Month) - 1 + int64(months)
	e.Year += int(floorDiv(m, 12))
	e.Month = time.Month(m-floorDiv(m, 12)*12) + 1
	return dateOfDay(dayNumber(e) + int64(d.Day) - 1 + int64(days))
}

// DaysUntil returns the number of days from d to e (negative if e is
// earlier), exactly: it counts calendar days, not durations, so it holds
// from 0001-01-01 to 9999-12-31 and beyond (time.Duration would overflow
// after about 292 years).
func (d Date) DaysUntil(e Date) int {
	return int(dayNumber(e) - dayNumber(d))
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	b := make([]byte, 0, 10)
	b = appendPadded(b, d.Year, 4)
	b = appendPadded(append(b, '-'), int(d.Month), 2)
	b = appendPadded(append(b, '-'), d.Day, 2)
	return string(b)
}

// appendPadded appends n as fmt's %0*d does with width w.
func appendPadded(b []byte, n, w int) []byte {
	if n < 0 {
		return fmt.Appendf(b, "%0*d", w, n)
	}
	digits := 1
	for x := n; x >= 10; x /= 10 {
		digits++
	}
	for ; digits < w; digits++ {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(n), 10)
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
//
// A Beyond period is an end that falls after MaxDate: a relative period
// counted from an anchor late in 9999 (verdicts.md, "Dates"). Its day
// cannot be named, so it is only ever shown as "after 9999" (String,
// Words), and its First and Last are both beyondDay, a stand-in later
// than any date this package computes with: every comparison puts it
// after every real end, 9999-12-31 included; two Beyond ends compare
// equal; it contains no day (Contains); and neither the end of support
// (today after Last) nor the R7 caution window (First before today plus
// at most 1200 months) can reach it. Never print First or Last of a
// Beyond period, and never count days to them.
type Period struct {
	Precision Precision
	First     Date // earliest day it could mean
	Last      Date // last day it could mean (inclusive)
	Beyond    bool // after MaxDate: shown as "after 9999", never as a date
}

// beyondDay stands for the unnamed day of a Beyond period. It is far
// beyond 10099-12-31, the latest day today (at most MaxDate) plus a
// relative period or a caution window (each at most 1200 months) can be,
// and small enough that day arithmetic on it cannot overflow.
var beyondDay = Date{1 << 30, time.December, 31}

// beyondWords is how a Beyond period is shown, to staff and shoppers.
const beyondWords = "after 9999"

// DayPeriod returns the period of the single day d, or the Beyond period
// when d falls after MaxDate.
func DayPeriod(d Date) Period {
	if d.After(MaxDate) {
		return Period{Precision: PrecDay, First: beyondDay, Last: beyondDay, Beyond: true}
	}
	return Period{Precision: PrecDay, First: d, Last: d}
}

// ParsePeriod parses YYYY-MM-DD, YYYY-MM or YYYY.
func ParsePeriod(s string) (Period, error) {
	switch len(s) {
	case 10:
		d, err := ParseDate(s)
		if err != nil {
			return Period{}, err
		}
		return DayPeriod(d), nil
	case 7:
		y, ok1 := digits(s[0:4])
		m, ok2 := digits(s[5:7])
		if s[4] != '-' || !ok1 || !ok2 || y < 1 || m < 1 || m > 12 {
			return Period{}, fmt.Errorf("%q is not YYYY-MM", s)
		}
		mm := time.Month(m)
		return Period{Precision: PrecMonth, First: Date{y, mm, 1}, Last: Date{y, mm, daysIn(y, mm)}}, nil
	case 4:
		y, ok := digits(s)
		if !ok || y < 1 {
			return Period{}, fmt.Errorf("%q is not YYYY", s)
		}
		return Period{Precision: PrecYear, First: Date{y, time.January, 1}, Last: Date{y, time.December, 31}}, nil
	}
	return Period{}, fmt.Errorf("%q is not YYYY-MM-DD, YYYY-MM or YYYY", s)
}

// String gives the period as written in a declaration, or "after 9999".
func (p Period) String() string {
	if p.Beyond {
		return beyondWords
	}
	switch p.Precision {
	case PrecYear:
		return strconv.Itoa(p.First.Year)
	case PrecMonth:
		b := appendPadded(make([]byte, 0, 7), p.First.Year, 4)
		return string(appendPadded(append(b, '-'), int(p.First.Month), 2))
	}
	return p.First.String()
}

// Words gives the period for people: "24 January 2031", "August 2031",
// "2031", "after 9999".
func (p Period) Words() string {
	if p.Beyond {
		return beyondWords
	}
	switch p.Precision {
	case PrecYear:
		return strconv.Itoa(p.First.Year)
	case PrecMonth:
		return fmt.Sprintf("%s %d", p.First.Month, p.First.Year)
	}
	return fmt.Sprintf("%d %s %d", p.First.Day, p.First.Month, p.First.Year)
}

// Contains reports whether d falls within the period. A Beyond period
// contains no date (a support end after 9999 is never "ending now").
func (p Period) Contains(d Date) bool {
	return !p.Beyond && !d.Before(p.First) && !d.After(p.Last)
}
