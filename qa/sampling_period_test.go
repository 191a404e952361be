package qa

import (
	"errors"
	"testing"
	"time"
)

func TestSamplingPeriodOf(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	tests := []struct {
		name      string
		kind      PeriodKind
		day       string
		loc       *time.Location
		wantStart string
		wantDays  int
		wantHours float64
	}{
		{name: "day", kind: PeriodDay, day: "2026-03-04", loc: time.UTC,
			wantStart: "2026-03-04T00:00:00Z", wantDays: 1, wantHours: 24},
		{name: "week from a Wednesday", kind: PeriodWeek, day: "2026-03-04", loc: time.UTC,
			wantStart: "2026-03-02T00:00:00Z", wantDays: 7, wantHours: 168},
		{name: "week from its Sunday", kind: PeriodWeek, day: "2026-03-08", loc: time.UTC,
			wantStart: "2026-03-02T00:00:00Z", wantDays: 7, wantHours: 168},
		{name: "month", kind: PeriodMonth, day: "2026-02-17", loc: time.UTC,
			wantStart: "2026-02-01T00:00:00Z", wantDays: 28, wantHours: 28 * 24},
		// Clocks go forward on Sunday 29 March 2026 in Paris: the week is
		// an hour short, and still seven days.
		{name: "week with a clock change", kind: PeriodWeek, day: "2026-03-29", loc: paris,
			wantStart: "2026-03-23T00:00:00+01:00", wantDays: 7, wantHours: 167},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := periodOf(tt.kind, tt.day, tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Start.Format(time.RFC3339); got != tt.wantStart || len(p.Days) != tt.wantDays ||
				p.End.Sub(p.Start).Hours() != tt.wantHours {
				t.Errorf("period %s to %s, %d days; want from %s, %d days, %v hours",
					p.Start, p.End, len(p.Days), tt.wantStart, tt.wantDays, tt.wantHours)
			}
		})
	}
	var in *InputError
	if _, err := periodOf(PeriodWeek, "2026-13-01", time.UTC); !errors.As(err, &in) {
		t.Errorf("a bad date: %v, want an *InputError", err)
	}
}
