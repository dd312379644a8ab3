package seed

import (
	"math"
	"time"
)

// The school calendar of a fictional district in the northern hemisphere.
// Any 365-day window works: terms, breaks and holidays follow the real dates
// of each year. Weekends see no activity; breaks and the summer see a little
// (professional learning, planning); school days see the most, with a peak in
// the first weeks of the year.

// dayKind says what a day is.
type dayKind uint8

const (
	dayOff    dayKind = iota // weekend or holiday
	dayBreak                 // a weekday of a break or the summer: light use
	dayPrep                  // teacher preparation days before the first day
	daySchool                // a school day
)

// calendarDay is one day of the window.
type calendarDay struct {
	start  time.Time
	kind   dayKind
	weight float64
}

func nthWeekday(y int, m time.Month, wd time.Weekday, n int) time.Time {
	t := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	for t.Weekday() != wd {
		t = t.AddDate(0, 0, 1)
	}
	return t.AddDate(0, 0, 7*(n-1))
}

func lastWeekday(y int, m time.Month, wd time.Weekday) time.Time {
	t := time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	for t.Weekday() != wd {
		t = t.AddDate(0, 0, -1)
	}
	return t
}

func onOrAfter(t time.Time, wd time.Weekday) time.Time {
	for t.Weekday() != wd {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// schoolYear holds the dates of the school year that starts in August of y.
type schoolYear struct {
	first, last time.Time // first and last school days
	holidays    map[time.Time]bool
	breaks      [][2]time.Time // inclusive ranges
}

func newSchoolYear(y int) schoolYear {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	sy := schoolYear{
		first:    onOrAfter(d(y, time.August, 18), time.Monday),
		last:     onOrAfter(d(y+1, time.June, 8), time.Friday),
		holidays: map[time.Time]bool{},
	}
	for _, h := range []time.Time{
		nthWeekday(y, time.September, time.Monday, 1),  // Labor Day
		nthWeekday(y, time.October, time.Monday, 2),    // fall in-service day
		d(y, time.November, 11),                        // Veterans Day
		nthWeekday(y+1, time.January, time.Monday, 3),  // Martin Luther King Jr. Day
		nthWeekday(y+1, time.February, time.Monday, 3), // Presidents' Day
		lastWeekday(y+1, time.May, time.Monday),        // Memorial Day
	} {
		sy.holidays[h] = true
	}
	thanks := nthWeekday(y, time.November, time.Thursday, 4)
	spring := nthWeekday(y+1, time.March, time.Monday, 3)
	sy.breaks = [][2]time.Time{
		{thanks.AddDate(0, 0, -1), thanks.AddDate(0, 0, 1)},
		{d(y, time.December, 21), d(y+1, time.January, 2)},
		{spring, spring.AddDate(0, 0, 4)},
	}
	return sy
}

func (sy schoolYear) inBreak(t time.Time) bool {
	for _, b := range sy.breaks {
		if !t.Before(b[0]) && !t.After(b[1]) {
			return true
		}
	}
	return false
}

// buildCalendar returns the days of [start, start+days) with their kind and
// relative weight of activity.
func buildCalendar(start time.Time, days int) []calendarDay {
	start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	years := map[int]schoolYear{}
	year := func(y int) schoolYear {
		sy, ok := years[y]
		if !ok {
			sy = newSchoolYear(y)
			years[y] = sy
		}
		return sy
	}
	out := make([]calendarDay, days)
	for i := range out {
		t := start.AddDate(0, 0, i)
		c := calendarDay{start: t}
		y := t.Year()
		if t.Month() < time.August {
			y--
		}
		sy := year(y)
		wd := t.Weekday()
		switch {
		case wd == time.Saturday || wd == time.Sunday:
			c.kind = dayOff
		case t.Before(sy.first) && !t.Before(sy.first.AddDate(0, 0, -7)):
			c.kind, c.weight = dayPrep, 0.7
		case t.Before(sy.first) || t.After(sy.last):
			c.kind, c.weight = dayBreak, 0.06
		case sy.holidays[t]:
			c.kind = dayOff
		case sy.inBreak(t):
			c.kind, c.weight = dayBreak, 0.04
		default:
			c.kind = daySchool
			// Start-of-year peak, fading over the first six weeks; a smaller
			// bump back from winter break; a taper in the last weeks.
			since := t.Sub(sy.first).Hours() / 24
			w := 1 + 0.9*math.Exp(-since/14)
			winter := sy.breaks[1][1]
			if s := t.Sub(winter).Hours() / 24; s > 0 && s < 21 {
				w += 0.25 * math.Exp(-s/7)
			}
			if left := sy.last.Sub(t).Hours() / 24; left < 21 {
				w *= 0.65 + 0.35*left/21
			}
			switch wd {
			case time.Monday:
				w *= 1.05
			case time.Tuesday, time.Wednesday:
				w *= 1.1
			case time.Friday:
				w *= 0.75
			}
			c.weight = w
		}
		out[i] = c
	}
	return out
}

// selfAssessmentWindow is the index (0 fall, 1 mid-year, 2 spring) of the
// self-assessment window t falls in, or -1.
func selfAssessmentWindow(t time.Time) int {
	switch m, d := t.Month(), t.Day(); {
	case m == time.September || (m == time.October && d <= 15):
		return 0
	case m == time.January && d >= 6 || m == time.February && d <= 14:
		return 1
	case m == time.April && d >= 15 || m == time.May:
		return 2
	}
	return -1
}
