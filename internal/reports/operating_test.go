package reports_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/reports"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// engagement is brightlane (examples/saas-startup.yaml, a SOC 2 Type II
// window 2027-03-01 → 2027-08-31 in America/New_York) recorded in a fresh
// database.
type engagement struct {
	db     testenv.Database
	spec   *compliance.Spec
	plan   compliance.Plan
	cal    *compliance.Calendar
	window compliance.Span
	n      int
}

func newEngagement(t *testing.T) *engagement {
	t.Helper()
	db := testenv.Postgres(t)
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	plan, err := compliance.PlanEngagement(spec, at)
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(context.Background(), postgres.ScopeRecord{
		EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID, Revision: 1, Spec: *spec, Plan: plan,
		Risks: compliance.AssessScope(spec, plan), Phase: compliance.PhaseScoping, RecordedBy: "test", At: at,
	}))
	cal, err := compliance.NewCalendar(spec.Reminders)
	require.NoError(t, err)
	window, err := cadence.Window(spec, plan)
	require.NoError(t, err)
	require.Equal(t, "2027-03-01 → 2027-08-31", window.String())
	return &engagement{db: db, spec: spec, plan: plan, cal: cal, window: window}
}

// occ is the seq-th (1-based) occurrence of a control in the window.
func (e *engagement) occ(t *testing.T, controlID string, seq int) cadence.Occurrence {
	t.Helper()
	c := catalog.Default().Control(controlID)
	require.NotNil(t, c, controlID)
	occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency, Window: e.window, Calendar: e.cal})
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(occs), seq)
	return occs[seq-1]
}

// give records evidence for an occurrence at an instant; corrects, when
// non-zero, makes it a correction of that row.
func (e *engagement) give(t *testing.T, controlID string, o cadence.Occurrence, at time.Time, corrects int64) int64 {
	t.Helper()
	e.n++
	ev := postgres.Evidence{
		EngagementID: e.spec.ID, ControlID: controlID, OccurrenceKey: o.Key(),
		PeriodStart: o.Period.Start.In(e.cal.Location), PeriodEnd: o.Period.End.In(e.cal.Location), DueAt: o.Due,
		SubmittedAt: at, SubmittedBy: "priya@brightlane.io", Channel: "slack", Kind: "link",
		Value: fmt.Sprintf("https://drive.example/%s/%d", o.Key(), e.n), SubmissionKey: fmt.Sprintf("test/%d", e.n),
	}
	if corrects != 0 {
		ev.Corrects = &corrects
	}
	id, err := e.db.Store.AddEvidence(context.Background(), ev)
	require.NoError(t, err)
	return id
}

// operatingStory records, as of 2027-06-15 12:00 New York:
//
//	ACC-08 monthly    March, April, May on time; June given early (after now)
//	OPS-01 monthly    March and April late, May on time        → drifting
//	VUL-02 monthly    March on time, April retrospective, May on time → watch
//	OPS-15 monthly    nothing at all                            → critical
//	ACC-04 quarterly  Q1 late; a backdated correction does not make it on time → watch
//
// plus rows that must not count: a correction filed against OPS-15's March,
// a row whose key names another control, and a key outside the window.
func operatingStory(t *testing.T, e *engagement) time.Time {
	t.Helper()
	hour := time.Hour
	for seq := 1; seq <= 3; seq++ {
		o := e.occ(t, "ACC-08", seq)
		e.give(t, "ACC-08", o, o.Due.Add(-hour), 0)
	}
	june := e.occ(t, "ACC-08", 4)
	e.give(t, "ACC-08", june, time.Date(2027, 6, 20, 10, 0, 0, 0, e.cal.Location), 0)

	o1, o2, o3 := e.occ(t, "OPS-01", 1), e.occ(t, "OPS-01", 2), e.occ(t, "OPS-01", 3)
	e.give(t, "OPS-01", o1, o1.Due.Add(hour), 0)
	e.give(t, "OPS-01", o2, o2.GraceEnd, 0) // the last instant that is merely late
	e.give(t, "OPS-01", o3, o3.Due, 0)      // exactly at the deadline: on time

	v1, v2, v3 := e.occ(t, "VUL-02", 1), e.occ(t, "VUL-02", 2), e.occ(t, "VUL-02", 3)
	e.give(t, "VUL-02", v1, v1.Due.Add(-24*hour), 0)
	e.give(t, "VUL-02", v2, v2.GraceEnd.Add(time.Second), 0) // Postgres keeps microseconds: not 1ns
	e.give(t, "VUL-02", v3, v3.Due.Add(-hour), 0)

	q1 := e.occ(t, "ACC-04", 1)
	orig := e.give(t, "ACC-04", q1, q1.Due.Add(2*hour), 0)
	e.give(t, "ACC-04", q1, q1.Due.Add(-48*hour), orig) // backdated correction: timing unchanged

	// Rows that must not count for OPS-15.
	m := e.occ(t, "OPS-15", 1)
	e.give(t, "OPS-15", m, m.Due.Add(-hour), orig) // a correction (of another row) is not a submission
	e.give(t, "ACC-08", m, m.Due.Add(-hour), 0)    // filed under ACC-08 with OPS-15's key
	feb := cadence.Occurrence{ControlID: "ACC-08", Frequency: compliance.FreqMonthly,
		Period: compliance.Span{Start: compliance.Date{Year: 2027, Month: 2, Day: 1}, End: compliance.Date{Year: 2027, Month: 2, Day: 28}},
		Due:    time.Date(2027, 3, 3, 17, 0, 0, 0, e.cal.Location)}
	e.give(t, "ACC-08", feb, feb.Due.Add(-hour), 0) // before the window: no occurrence of it

	return time.Date(2027, 6, 15, 12, 0, 0, 0, e.cal.Location)
}

func TestBuildClassifiesTheOperatingPeriod(t *testing.T) {
	e := newEngagement(t)
	now := operatingStory(t, e)
	op, err := reports.Build(context.Background(), e.db.Store, e.spec.ID, now)
	require.NoError(t, err)

	assert.Equal(t, "brightlane", op.EngagementID)
	assert.Equal(t, e.window, op.Window)
	assert.True(t, op.AsOf.Equal(now))
	assert.Equal(t, "America/New_York", op.AsOf.Location().String())

	app, err := catalog.Default().ForSpec(e.spec)
	require.NoError(t, err)
	require.Len(t, op.Controls, len(app.Controls), "every applicable control is reported, register or not")
	ids := make([]string, len(op.Controls))
	for i, c := range op.Controls {
		ids[i] = c.ControlID
	}
	assert.True(t, slices.IsSorted(ids), "controls by ID")

	get := func(id string) reports.ControlReport {
		c, ok := op.Control(id)
		require.True(t, ok, id)
		return c
	}

	acc08 := get("ACC-08")
	assert.Equal(t, "Inactive accounts disabled", acc08.Title)
	assert.Equal(t, compliance.FreqMonthly, acc08.Frequency)
	assert.Equal(t, "priya@brightlane.io", acc08.Owner)
	assert.Equal(t, drift.LevelOK, acc08.Drift.Level)
	assert.Equal(t, 3, acc08.Drift.Expected)
	assert.Equal(t, 3, acc08.Drift.OnTime)
	assert.Equal(t, 3, acc08.Drift.Pending, "June (given after now), July, August")
	assert.Equal(t, 3, acc08.Drift.Streak)
	assert.Empty(t, acc08.Drift.Tell)

	ops01 := get("OPS-01")
	assert.Equal(t, drift.LevelDrifting, ops01.Drift.Level, ops01.Drift.Reasons)
	assert.Equal(t, 2, ops01.Drift.Late, "GraceEnd itself is still late")
	assert.Equal(t, 1, ops01.Drift.OnTime, "exactly at Due is on time")
	assert.Equal(t, 1, ops01.Drift.Streak)
	assert.Equal(t, []compliance.Role{compliance.RoleControlOwner, compliance.RoleLead}, ops01.Drift.Tell)

	vul02 := get("VUL-02")
	assert.Equal(t, drift.LevelWatch, vul02.Drift.Level, vul02.Drift.Reasons)
	assert.Equal(t, 1, vul02.Drift.Retrospective)
	assert.Equal(t, 2, vul02.Drift.OnTime)
	assert.Equal(t, 1, vul02.Drift.Streak)
	assert.Equal(t, []compliance.Role{compliance.RoleControlOwner}, vul02.Drift.Tell)

	ops15 := get("OPS-15")
	assert.Equal(t, drift.LevelCritical, ops15.Drift.Level)
	assert.Equal(t, 3, ops15.Drift.Missed, "the correction and the mis-filed row do not count")
	assert.Equal(t, 0, ops15.Drift.OnTime)
	assert.Nil(t, ops15.Drift.LastEvidence)
	first := e.occ(t, "OPS-15", 1)
	assert.Equal(t, compliance.DateOf(first.Due).DaysUntil(compliance.Date{Year: 2027, Month: 6, Day: 15}), ops15.Drift.DaysSinceEvidence)
	assert.Equal(t, []compliance.Role{compliance.RoleControlOwner, compliance.RoleLead, compliance.RoleSponsor}, ops15.Drift.Tell)

	acc04 := get("ACC-04")
	assert.Equal(t, 1, acc04.Drift.Late, "a backdated correction does not move the timing")
	assert.Equal(t, 0, acc04.Drift.OnTime)
	assert.Equal(t, drift.LevelWatch, acc04.Drift.Level, acc04.Drift.Reasons)

	// Annual controls have nothing due before the window ends.
	gov01 := get("GOV-01")
	assert.Equal(t, drift.LevelOK, gov01.Drift.Level)
	assert.Equal(t, 0, gov01.Drift.Expected)
	assert.Equal(t, "leo@brightlane.io", gov01.Owner)

	// Coverage: one row per control, same order; the months of the window.
	h := op.Heatmap
	assert.Equal(t, []string{"2027-03", "2027-04", "2027-05", "2027-06", "2027-07", "2027-08"}, h.Months)
	require.Len(t, h.Rows, len(op.Controls))
	for i, r := range h.Rows {
		assert.Equal(t, op.Controls[i].ControlID, r.ControlID)
	}
	row := func(id string) drift.HeatmapRow {
		i := slices.IndexFunc(h.Rows, func(r drift.HeatmapRow) bool { return r.ControlID == id })
		require.GreaterOrEqual(t, i, 0, id)
		return h.Rows[i]
	}
	assert.Equal(t, drift.GlyphOnTime, row("ACC-08").Cells[0].Glyph())
	assert.Equal(t, drift.GlyphPending, row("ACC-08").Cells[3].Glyph())
	assert.Equal(t, drift.GlyphLate, row("OPS-01").Cells[0].Glyph())
	assert.Equal(t, drift.GlyphRetrospective, row("VUL-02").Cells[1].Glyph())
	assert.Equal(t, drift.GlyphMissed, row("OPS-15").Cells[2].Glyph())
	assert.Equal(t, drift.GlyphLate, row("ACC-04").Cells[0].Glyph(), "Q1 is clipped to March and counts in March")

	// The on-time rate: 3 + 1 + 2 on time over everything fallen due.
	due := 0
	for _, c := range op.Controls {
		due += c.Drift.Expected
	}
	assert.Equal(t, due, op.Due)
	assert.Equal(t, due, h.Total.Expected)
	assert.Equal(t, 6, h.Total.OnTime)
	assert.InDelta(t, 6/float64(due), op.OnTimeRate, 1e-12)
	assert.InDelta(t, op.OnTimeRate, h.OnTimeRate, 1e-12)

	// Drifting: worst first, then by ID; ACC-08 and the annual controls
	// are not in it.
	dr := op.Drifting()
	require.NotEmpty(t, dr)
	for i := 1; i < len(dr); i++ {
		a, b := dr[i-1], dr[i]
		ra, rb := slices.Index(drift.Levels, a.Drift.Level), slices.Index(drift.Levels, b.Drift.Level)
		assert.True(t, ra > rb || ra == rb && a.ControlID < b.ControlID, "%s (%s) before %s (%s)", a.ControlID, a.Drift.Level, b.ControlID, b.Drift.Level)
	}
	names := map[string]drift.Level{}
	for _, c := range dr {
		assert.NotEqual(t, drift.LevelOK, c.Drift.Level)
		names[c.ControlID] = c.Drift.Level
	}
	assert.NotContains(t, names, "ACC-08")
	assert.NotContains(t, names, "GOV-01")
	assert.Equal(t, drift.LevelCritical, names["OPS-15"])
	assert.Equal(t, drift.LevelDrifting, names["OPS-01"])
	assert.Equal(t, drift.LevelWatch, names["VUL-02"])
	assert.Equal(t, drift.LevelCritical, dr[0].Drift.Level)
	assert.Equal(t, drift.LevelWatch, dr[len(dr)-1].Drift.Level)

	// Deterministic: the same instant gives the same report.
	again, err := reports.Build(context.Background(), e.db.Store, e.spec.ID, now)
	require.NoError(t, err)
	assert.Equal(t, op, again)
}

func TestBuildAsOfAnEarlierDayIgnoresLaterEvidence(t *testing.T) {
	e := newEngagement(t)
	operatingStory(t, e)
	ctx := context.Background()

	// The end of 2027-06-20 counts ACC-08's June evidence, given that day.
	op, err := reports.BuildOn(ctx, e.db.Store, e.spec.ID, compliance.Date{Year: 2027, Month: 6, Day: 20})
	require.NoError(t, err)
	assert.Equal(t, time.Date(2027, 6, 20, 23, 59, 59, 999999999, e.cal.Location), op.AsOf)
	acc08, _ := op.Control("ACC-08")
	assert.Equal(t, 4, acc08.Drift.OnTime, "evidence given on the as-of day counts")

	// On 2027-04-06 March's evidence is in or overdue; VUL-02's April
	// retrospective evidence does not exist yet.
	op, err = reports.BuildOn(ctx, e.db.Store, e.spec.ID, compliance.Date{Year: 2027, Month: 4, Day: 6})
	require.NoError(t, err)
	vul02, _ := op.Control("VUL-02")
	assert.Equal(t, 0, vul02.Drift.Retrospective)
	assert.Equal(t, 1, vul02.Drift.OnTime)
	ops15, _ := op.Control("OPS-15")
	assert.Equal(t, 1, ops15.Drift.Overdue, "past Due, within grace")
	assert.Equal(t, 0, ops15.Drift.Missed)
}

func TestBuildBeforeTheWindowHasNothingDue(t *testing.T) {
	e := newEngagement(t)
	operatingStory(t, e)
	op, err := reports.Build(context.Background(), e.db.Store, e.spec.ID, time.Date(2027, 2, 15, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, 0, op.Due)
	assert.Zero(t, op.OnTimeRate)
	assert.Empty(t, op.Drifting())
	assert.NotNil(t, op.Drifting(), "an empty list, not null, in JSON")
	assert.Equal(t, 0, op.Heatmap.Total.Expected)
	assert.Positive(t, op.Heatmap.Total.Pending)
}

func TestBuildUnknownEngagement(t *testing.T) {
	db := testenv.Postgres(t)
	_, err := reports.Build(context.Background(), db.Store, "nobody", time.Now())
	require.ErrorIs(t, err, postgres.ErrNotFound)
}

func TestSubmissionsKeepOriginalsNamingTheirOwnControl(t *testing.T) {
	at := time.Date(2027, 4, 1, 12, 0, 0, 0, time.UTC)
	one := int64(1)
	subs := reports.Submissions([]postgres.Evidence{
		{ID: 1, ControlID: "ACC-08", OccurrenceKey: "ACC-08/2027-03", SubmittedAt: at, SubmittedBy: "priya@brightlane.io"},
		{ID: 2, ControlID: "ACC-08", OccurrenceKey: "ACC-08/2027-03", SubmittedAt: at.Add(-time.Hour), Corrects: &one},
		{ID: 3, ControlID: "ACC-08", OccurrenceKey: "OPS-15/2027-03", SubmittedAt: at},
		{ID: 4, ControlID: "ACC-08", OccurrenceKey: "", SubmittedAt: at},
		{ID: 5, ControlID: "ACC-08", OccurrenceKey: "ACC-08/2027-04"},
		{ID: 6, ControlID: "ACC-08", OccurrenceKey: "ACC-08/t1790000000", SubmittedAt: at},
		{ID: 7, ControlID: "VUL-01", OccurrenceKey: "VUL-01/2027-W14", SubmittedAt: at, SubmittedBy: "leo@brightlane.io"},
	})
	assert.Equal(t, []drift.Submission{
		{OccurrenceKey: "ACC-08/2027-03", At: at, By: "priya@brightlane.io"},
		{OccurrenceKey: "VUL-01/2027-W14", At: at, By: "leo@brightlane.io"},
	}, subs)
}

func TestComputeNeedsASpec(t *testing.T) {
	_, err := reports.Compute("x", nil, compliance.Plan{}, nil, time.Now())
	require.Error(t, err)
}
