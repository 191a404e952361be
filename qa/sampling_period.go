package qa

import (
	"fmt"
	"time"
)

// dayLayout is how days are written: the calendar date in the plan's time
// zone.
const dayLayout = "2006-01-02"

// DrawPeriod is the calendar span a draw covers.
type DrawPeriod struct {
	Kind PeriodKind `json:"kind"`
	// Start is the first instant of the period and End the first instant
	// after it, in the plan's time zone.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Days are the dates of the period, in order.
	Days []string `json:"days"`
}

// periodOf returns the period of the given kind that holds day, a date
// written 2026-03-02, in loc.
func periodOf(kind PeriodKind, day string, loc *time.Location) (DrawPeriod, error) {
	d, err := time.ParseInLocation(dayLayout, day, loc)
	if err != nil {
		return DrawPeriod{}, &InputError{Field: "period",
			Msg: fmt.Sprintf("%q is not a date; give a day of the period, such as 2026-03-02", day)}
	}
	start, end := d, d.AddDate(0, 0, 1)
	switch kind {
	case PeriodWeek:
		// Monday is day 0 of an ISO week; Go counts from Sunday.
		back := (int(d.Weekday()) + 6) % 7
		start = d.AddDate(0, 0, -back)
		end = start.AddDate(0, 0, 7)
	case PeriodMonth:
		start = time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, loc)
		end = start.AddDate(0, 1, 0)
	}
	p := DrawPeriod{Kind: kind, Start: start, End: end}
	// AddDate on a local midnight stays on midnight across daylight saving
	// changes, where adding 24 hours would not.
	for t := start; t.Before(end); t = t.AddDate(0, 0, 1) {
		p.Days = append(p.Days, t.Format(dayLayout))
	}
	return p, nil
}

// dayIndex maps each day of p to its position.
func (p DrawPeriod) dayIndex() map[string]int {
	m := make(map[string]int, len(p.Days))
	for i, d := range p.Days {
		m[d] = i
	}
	return m
}
