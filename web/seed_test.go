package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/reports"
)

// seedEvidence gives on-time evidence for every occurrence of every
// scheduled control of engagement id that has fallen due by now (the
// service's clock is set to now for the rest of the test), and returns how
// many rows it wrote. The operating window is the spec's.
func (s *site) seedEvidence(tb testing.TB, id string, now time.Time) int {
	tb.Helper()
	ctx := context.Background()
	s.svc.Now = func() time.Time { return now }
	spec, plan, err := s.db.Store.SpecAndPlan(ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		tb.Fatal(err)
	}
	window, err := cadence.Window(&spec, plan)
	if err != nil {
		tb.Fatal(err)
	}
	op, err := reports.Build(ctx, s.db.Store, id, now)
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, c := range op.Controls {
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ControlID, Frequency: c.Frequency, Window: window, Calendar: cal})
		if err != nil {
			continue // per-event controls have no schedule: their evidence is a population
		}
		for _, o := range occs {
			if o.Due.After(now) {
				break
			}
			n++
			_, err := s.db.Store.AddEvidence(ctx, postgres.Evidence{EngagementID: id, ControlID: c.ControlID, OccurrenceKey: o.Key(),
				PeriodStart: o.Period.Start.In(cal.Location), PeriodEnd: o.Period.End.In(cal.Location), DueAt: o.Due,
				SubmittedAt: o.Due.Add(-2 * time.Hour), SubmittedBy: c.Owner, Channel: "slack", Kind: "link",
				Value: fmt.Sprintf("https://drive.example/%s/%s", id, o.Key()), SubmissionKey: "seed/" + o.Key()})
			if err != nil {
				tb.Fatal(err)
			}
		}
	}
	return n
}

func operatingReq(id string) engagement.OperatingRequest {
	return engagement.OperatingRequest{EngagementID: id}
}
