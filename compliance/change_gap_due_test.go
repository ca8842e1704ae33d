package compliance

import (
	"testing"
	"time"
)

func TestChangeGapDue(t *testing.T) {
	found := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		audit Date
		want  time.Time
	}{
		{"no audit date: 30 days", Date{}, found.AddDate(0, 0, 30)},
		{"audit far away: 30 days", Date{Year: 2026, Month: 9, Day: 1}, found.AddDate(0, 0, 30)},
		{"audit in 5 weeks: two weeks before it", Date{Year: 2026, Month: 4, Day: 6}, time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC)},
		{"audit next week: a week at least", Date{Year: 2026, Month: 3, Day: 9}, found.AddDate(0, 0, 7)},
	} {
		if got := ChangeGapDue(found, tc.audit); !got.Equal(tc.want) {
			t.Errorf("%s: due %v, want %v", tc.name, got, tc.want)
		}
	}
}
