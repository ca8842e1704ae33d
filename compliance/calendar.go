package compliance

import (
	"fmt"
	"time"
)

// Calendar does business-day arithmetic in a client's time zone: people are
// chased and phases are planned on the days they work, not on weekends or
// public holidays.
type Calendar struct {
	Location *time.Location
	workdays [7]bool
	holidays map[Date]bool
}

var weekdayIndex = map[Weekday]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// NewCalendar builds the calendar of a reminder policy.
func NewCalendar(p ReminderPolicy) (*Calendar, error) {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("load time zone %q: %w", p.TimeZone, err)
	}
	c := &Calendar{Location: loc, holidays: map[Date]bool{}}
	days := p.BusinessDays
	if len(days) == 0 {
		days = DefaultBusinessDays
	}
	for _, d := range days {
		wd, ok := weekdayIndex[d]
		if !ok {
			return nil, fmt.Errorf("unknown weekday %q", d)
		}
		c.workdays[wd] = true
	}
	for _, h := range p.Holidays {
		c.holidays[h] = true
	}
	return c, nil
}

// IsBusinessDay reports whether people work on d.
func (c *Calendar) IsBusinessDay(d Date) bool {
	return c.workdays[d.Weekday()] && !c.holidays[d]
}

// Today is the calendar date of t in the client's zone.
func (c *Calendar) Today(t time.Time) Date { return DateOf(t.In(c.Location)) }

// NextBusinessDay returns d if it is a business day, else the next one.
func (c *Calendar) NextBusinessDay(d Date) Date {
	for i := 0; i < 366 && !c.IsBusinessDay(d); i++ {
		d = d.AddDays(1)
	}
	return d
}

// PrevBusinessDay returns d if it is a business day, else the one before.
func (c *Calendar) PrevBusinessDay(d Date) Date {
	for i := 0; i < 366 && !c.IsBusinessDay(d); i++ {
		d = d.AddDays(-1)
	}
	return d
}

// AddBusinessDays moves n business days from d (backwards when n < 0).
// Adding 0 returns d unchanged, even on a non-business day.
func (c *Calendar) AddBusinessDays(d Date, n int) Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if c.IsBusinessDay(d) {
			n--
		}
	}
	return d
}

// BusinessDaysBetween counts business days in (from, to]; negative when to
// is before from.
func (c *Calendar) BusinessDaysBetween(from, to Date) int {
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	n := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if c.IsBusinessDay(d) {
			n++
		}
	}
	return sign * n
}

// At returns the instant hour:00 on date d in the client's zone, the moment
// a deadline or reminder lands.
func (c *Calendar) At(d Date, hour int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, 0, 0, 0, c.Location)
}
