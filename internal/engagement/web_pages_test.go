package engagement

import (
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

func TestBurndownCountsOpenItemsWeekByWeek(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	closed := func(d int) *time.Time { c := day(d); return &c }
	items := []postgres.RemediationItem{
		{ControlID: "A", OpenedAt: day(0), ClosedAt: closed(3)},  // closed in week 1
		{ControlID: "B", OpenedAt: day(0), ClosedAt: closed(10)}, // closed in week 2
		{ControlID: "C", OpenedAt: day(8)},                       // opened in week 2, still open
		{ControlID: "D", OpenedAt: day(1), ClosedAt: closed(15)}, // closed after week 2 ends
	}
	got := Burndown(items, day(16))
	want := []BurnPoint{{"2027-01-08", 2}, {"2027-01-15", 2}, {"2027-01-17", 1}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("week %d: got %v, want %v", i, got[i], want[i])
		}
	}
	if Burndown(nil, day(0)) != nil {
		t.Error("no items should give no burn-down")
	}
}
