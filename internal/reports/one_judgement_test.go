package reports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
	"github.com/steadfast-grc/steadfast/internal/reports"
)

// TestOneJudgementAcrossReports plants one deviation of each kind the
// dates and the giver can show, on real Postgres, with every other
// occurrence of every applicable control (annual to per-event) evidenced on
// time by its owner, and checks that coverage, drift, the readiness review
// and the evidence pack judge every occurrence the same way, with no flags
// beyond the planted ones:
//
//	ACC-08 monthly  March performed in February       → performed-before-period
//	ACC-08 monthly  April given by the consultant     → unauthorised
//	ACC-08 monthly  May given by Tom, to whom the lead reassigned its prompt → fine
//	VUL-02 monthly  March performed on time, uploaded a week after grace     → fine
//	OPS-15 monthly  March performed before the window opened → performed-outside-window
//	ACC-04 quarterly Q1 performed on time, written up two months later → retrospective
func TestOneJudgementAcrossReports(t *testing.T) {
	ctx := context.Background()
	e := newEngagement(t)
	asOf := time.Date(2027, 6, 15, 12, 0, 0, 0, e.cal.Location)
	app, err := catalog.Default().ForSpec(e.spec)
	require.NoError(t, err)

	add := func(c *catalog.Control, o cadence.Occurrence, performed, at time.Time, by string) {
		e.n++
		ev := postgres.Evidence{
			EngagementID: e.spec.ID, ControlID: c.ID, OccurrenceKey: o.Key(),
			PeriodStart: o.Period.Start.In(e.cal.Location), PeriodEnd: o.Period.End.In(e.cal.Location), DueAt: o.Due,
			SubmittedAt: at, SubmittedBy: by, Channel: "cli", Kind: "link",
			Value: fmt.Sprintf("https://drive.example/%s", o.Key()), SubmissionKey: fmt.Sprintf("judgement/%d", e.n),
		}
		if !performed.IsZero() {
			ev.PerformedAt = &performed
		}
		_, err := e.db.Store.AddEvidence(ctx, ev)
		require.NoError(t, err)
	}
	day := func(s string) time.Time {
		d, err := compliance.ParseDate(s)
		require.NoError(t, err)
		return e.cal.At(d, 10)
	}
	want := map[string]drift.Status{}
	missingDay := ""
	wantTest := map[string]readiness.Test{}
	for _, ac := range app.Controls {
		c := ac.Control
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency, Window: e.window, Calendar: e.cal})
		require.NoError(t, err)
		owner := e.spec.OwnerOf(c.Domain).Email
		for _, o := range occs {
			if o.Due.After(asOf) {
				continue
			}
			switch {
			case c.ID == "ACC-08" && o.Seq == 1:
				add(c, o, day("2027-02-25"), o.Due.Add(-time.Hour), owner)
				want[o.Key()], wantTest[o.Key()] = drift.StatusPerformedOutsideWindow, readiness.TestInPeriod
			case c.ID == "ACC-08" && o.Seq == 2:
				add(c, o, time.Time{}, o.Due.Add(-time.Hour), "sam@steadfast.example")
				want[o.Key()], wantTest[o.Key()] = drift.StatusUnauthorised, readiness.TestAuthorised
			case c.ID == "ACC-08" && o.Seq == 3:
				// The lead reassigned this occurrence's prompt to Tom.
				p := postgres.Prompt{ID: "prompt/" + o.Key(), EngagementID: e.spec.ID, Key: "evidence/" + o.Key(), Kind: "evidence",
					Question: "May's sweep?", AddresseeEmail: owner, DueAt: o.Due, CreatedAt: o.Ends}
				require.NoError(t, e.db.Store.OpenPrompt(ctx, p))
				require.NoError(t, e.db.Store.ReassignPrompt(ctx, postgres.Reassignment{PromptID: p.ID, EngagementID: e.spec.ID,
					From: owner, To: "tom@brightlane.io", By: "maya@brightlane.io", Seq: 1, At: o.Ends.Add(time.Hour)}))
				add(c, o, time.Time{}, o.Due.Add(-time.Hour), "tom@brightlane.io")
			case c.ID == "VUL-02" && o.Seq == 1:
				add(c, o, o.Due.Add(-24*time.Hour), o.GraceEnd.Add(7*24*time.Hour), owner)
			case c.ID == "OPS-15" && o.Seq == 2:
				add(c, o, day("2027-03-20"), o.Due.Add(-time.Hour), owner)
				want[o.Key()], wantTest[o.Key()] = drift.StatusBeforePeriod, readiness.TestInPeriod
			case c.ID == "LOG-03" && o.Seq == 3:
				// Answered day by day; the Wednesday is left out.
				for d := o.Period.Start; !d.After(o.Period.End); d = d.AddDays(1) {
					if d.Weekday() == time.Wednesday {
						missingDay = o.Key() + "/" + d.String()
						continue
					}
					e.n++
					performed, from := e.cal.At(d, 18), d.In(e.cal.Location)
					_, err := e.db.Store.AddEvidence(ctx, postgres.Evidence{EngagementID: e.spec.ID, ControlID: c.ID, OccurrenceKey: o.Key(),
						PeriodStart: o.Period.Start.In(e.cal.Location), PeriodEnd: o.Period.End.In(e.cal.Location), DueAt: o.Due,
						SubmittedAt: o.Due.Add(-time.Hour), SubmittedBy: owner, Channel: "cli", Kind: "attestation", Value: "logs reviewed " + d.String(),
						SubmissionKey: fmt.Sprintf("judgement/%d", e.n), PerformedAt: &performed, CoversStart: &from, CoversEnd: &from})
					require.NoError(t, err)
				}
				want[o.Key()], wantTest[o.Key()] = drift.StatusIncomplete, readiness.TestComplete
			case c.ID == "ACC-04" && o.Seq == 1:
				add(c, o, o.Due.Add(-24*time.Hour), o.GraceEnd.Add(60*24*time.Hour), owner)
				want[o.Key()], wantTest[o.Key()] = drift.StatusRetrospective, readiness.TestContemporary
			default:
				add(c, o, time.Time{}, o.Due.Add(-time.Hour), owner)
			}
		}
	}
	require.Len(t, want, 5)
	require.NotEmpty(t, missingDay, "LOG-03 applies and has a third batch")

	// CHG-01, per event: three changes in the window, one approved by its
	// own author; Jira counted four for the period the import covered.
	require.NotNil(t, app.Control("CHG-01"))
	at := func(s string) time.Time { return day(s) }
	_, err = e.db.Store.RecordPopulationEvents(ctx, []postgres.PopulationEvent{
		{EngagementID: e.spec.ID, ControlID: "CHG-01", EventKey: "CHG-101", OccurredAt: at("2027-03-10"), Source: "jira",
			ApprovedBy: "maya@brightlane.io", ApprovedAt: at("2027-03-09"), EvidenceRef: "https://jira.example/browse/CHG-101",
			RecordedBy: "import", Author: "tom@brightlane.io", Implementer: "tom@brightlane.io"},
		{EngagementID: e.spec.ID, ControlID: "CHG-01", EventKey: "CHG-102", OccurredAt: at("2027-04-10"), Source: "jira",
			ApprovedBy: "tom@brightlane.io", ApprovedAt: at("2027-04-09"), EvidenceRef: "https://jira.example/browse/CHG-102",
			RecordedBy: "import", Author: "tom@brightlane.io", Implementer: "priya@brightlane.io"},
		{EngagementID: e.spec.ID, ControlID: "CHG-01", EventKey: "CHG-103", OccurredAt: at("2027-05-10"), Source: "jira",
			ApprovedBy: "maya@brightlane.io", ApprovedAt: at("2027-05-09"), EvidenceRef: "https://jira.example/browse/CHG-103",
			RecordedBy: "import", Author: "priya@brightlane.io", Implementer: "tom@brightlane.io"},
	})
	require.NoError(t, err)
	require.NoError(t, e.db.Store.RecordPopulationCount(ctx, postgres.PopulationCount{EngagementID: e.spec.ID, ControlID: "CHG-01",
		Source: "jira", From: e.window.Start.In(e.cal.Location), To: asOf, Count: 4, CountedAt: asOf}))
	wantTest["CHG-102"] = readiness.TestSegregation
	wantTest["population 2027-03-01 → 2027-06-15"] = readiness.TestComplete

	// Drift: every occurrence not on time, across every control.
	op, err := reports.Build(ctx, e.db.Store, e.spec.ID, asOf)
	require.NoError(t, err)
	gotDrift := map[string]drift.Status{}
	for _, c := range op.Controls {
		for _, is := range c.Drift.Issues {
			gotDrift[is.Key] = is.Status
		}
	}
	assert.Equal(t, want, gotDrift, "drift flags exactly the planted deviations")

	// Coverage: the heat map counts the same.
	assert.Equal(t, 2, op.Heatmap.Total.OutOfPeriod)
	assert.Equal(t, 1, op.Heatmap.Total.Unauthorised)
	assert.Equal(t, 1, op.Heatmap.Total.Retrospective)
	assert.Equal(t, 1, op.Heatmap.Total.Incomplete)
	assert.Zero(t, op.Heatmap.Total.Late+op.Heatmap.Total.Missed+op.Heatmap.Total.Overdue)
	assert.Equal(t, op.Heatmap.Total.Expected-5, op.Heatmap.Total.OnTime)

	// Readiness: the planted ones are all drawn (populations no larger
	// than the samples) and are its only findings.
	rep, err := reports.BuildReadiness(ctx, e.db.Store, e.spec.ID, asOf, 2027)
	require.NoError(t, err)
	gotTest := map[string]readiness.Test{}
	for _, f := range rep.Findings {
		if f.OccurrenceKey == missingDay {
			// Drawn this time: the day itself fails as missing too.
			assert.Equal(t, readiness.TestPresent, f.Test)
			continue
		}
		_, dup := gotTest[f.OccurrenceKey]
		assert.False(t, dup, "one finding per planted occurrence: %s (%s)", f.OccurrenceKey, f.Test)
		gotTest[f.OccurrenceKey] = f.Test
	}
	assert.Equal(t, wantTest, gotTest)
	for _, c := range rep.Controls {
		for _, s := range c.Sample {
			if s.Event != nil {
				continue
			}
			if s.OccurrenceKey == missingDay {
				assert.Equal(t, drift.StatusMissed, s.Status)
				continue
			}
			if w, ok := want[s.OccurrenceKey]; ok {
				assert.Equal(t, w, s.Status, s.OccurrenceKey)
			} else {
				assert.Equal(t, drift.StatusOnTime, s.Status, "no false flag on %s", s.OccurrenceKey)
			}
		}
	}

	// The pack: each index row carries the same status, and fails exactly
	// when readiness found something.
	files, err := evidencepack.Build(rep)
	require.NoError(t, err)
	var rows []evidencepack.Row
	require.NoError(t, json.Unmarshal(files[evidencepack.IndexJSON], &rows))
	require.NotEmpty(t, rows)
	seen := 0
	for _, r := range rows {
		w, planted := want[r.OccurrenceKey]
		if !planted {
			w = drift.StatusOnTime
		}
		if r.OccurrenceKey == missingDay {
			assert.Equal(t, drift.StatusMissed, r.Status)
			assert.False(t, r.Passed)
			continue
		}
		if r.Status == "" || (len(r.OccurrenceKey) > 0 && r.OccurrenceKey[0] == '#') {
			continue
		}
		if _, isOcc := gotDrift[r.OccurrenceKey]; isOcc || r.Status == drift.StatusOnTime {
			assert.Equal(t, w, r.Status, r.OccurrenceKey)
			assert.Equal(t, !planted, r.Passed, r.OccurrenceKey)
		}
		if planted {
			seen++
			assert.Equal(t, "link", r.EvidenceKind)
		}
	}
	assert.Equal(t, 4, seen, "every planted deviation is in the pack")
}
