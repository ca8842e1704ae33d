package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/report"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestReportRecordedOnceReadAndExplained: a retried record changes
// nothing; a reading is recorded once; a rewritten explanation loses its
// approval, and each step is one event.
func TestReportRecordedOnceReadAndExplained(t *testing.T) {
	ctx := context.Background()
	db := testenv.Postgres(t)
	rec := scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(ctx, rec))
	at := time.Date(2027, 10, 2, 9, 0, 0, 0, time.UTC)
	k := report.Key{EngagementID: rec.EngagementID, Framework: compliance.SOC2, Date: compliance.Date{Year: 2027, Month: 10, Day: 1}}
	r := report.Report{Framework: k.Framework, Date: k.Date, Opinion: report.Qualified,
		Period: compliance.Span{Start: compliance.Date{Year: 2026, Month: 10, Day: 1}, End: compliance.Date{Year: 2027, Month: 9, Day: 30}},
		Exceptions: []report.Exception{{N: 1, Ref: "CC7.2", Description: "alerts", ManagementResponse: "rota", Controls: []string{"LOG-02"},
			Owners: []string{"a@x.io"}, Origin: report.Surprise}},
		File: &compliance.Artifact{SHA256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Size: 10, Filename: "r.pdf", ContentType: "application/pdf"}}
	require.NoError(t, db.Store.RecordReport(ctx, k, r, "Lead@x.io", at))
	r2 := r
	r2.Opinion = report.Adverse
	require.NoError(t, db.Store.RecordReport(ctx, k, r2, "lead@x.io", at.Add(time.Hour)), "a retry is a no-op")
	readings := []report.Reading{{Owner: compliance.Person{Email: "A@x.io"}, Controls: []string{"LOG-02"}, Exceptions: []int{1}}}
	require.NoError(t, db.Store.RecordReadingsAsked(ctx, k, readings, []string{"prompt/p/1"}))
	require.NoError(t, db.Store.RecordReading(ctx, k, "a@x.io", postgres.ReadingRead, "a@x.io", "", at))
	require.NoError(t, db.Store.RecordReading(ctx, k, "a@x.io", postgres.ReadingEscalated, "steadfast", "", at), "the first end stands")
	sub := report.ControlSubject("LOG-02")
	require.NoError(t, db.Store.RecordExplanation(ctx, k, sub, "first words", "a@x.io", postgres.ChannelCLI, "u1", at))
	require.NoError(t, db.Store.ApproveExplanation(ctx, k, sub, "lead@x.io", postgres.ChannelCLI, "u2", at))
	require.NoError(t, db.Store.RecordExplanation(ctx, k, sub, "second words", "a@x.io", postgres.ChannelCLI, "u3", at))

	views, err := db.Store.Reports(ctx, k.EngagementID)
	require.NoError(t, err)
	require.Len(t, views, 1)
	v := views[0]
	assert.Equal(t, report.Qualified, v.Report.Opinion, "recorded once")
	assert.Equal(t, r.Period, v.Report.Period)
	assert.Equal(t, r.Exceptions, v.Report.Exceptions)
	assert.Equal(t, "r.pdf", v.Report.File.Filename)
	require.Len(t, v.Readings, 1)
	assert.Equal(t, postgres.ReadingRead, v.Readings[0].Status)
	assert.Equal(t, []int32{1}, v.Readings[0].Exceptions)
	require.Len(t, v.Explained, 1)
	assert.Equal(t, "second words", v.Explained[0].Body)
	assert.Empty(t, v.Explained[0].ApprovedBy, "new words need a new approval")
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind = $1`, compliance.EventReportRecorded))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind = $1`, compliance.EventReportRead))
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind = $1`, compliance.EventReportExplained))
}
