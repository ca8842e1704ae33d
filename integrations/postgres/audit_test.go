package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

func auditRequest(eng, id string, due time.Time) postgres.AuditRequest {
	return postgres.AuditRequest{
		EngagementID: eng, RequestID: id, ControlID: "ACC-04", Description: "User access review for Q2",
		Owner: "Priya@Payments.example", DueAt: due, ImportedFrom: "pbc.csv",
		PromptID: "prompt/" + eng + "/audit/" + id,
	}
}

func TestAuditRequestAddedOnce(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	rec := scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(ctx, rec))
	due := time.Date(2027, 6, 14, 21, 0, 0, 0, time.UTC)

	got, created, err := db.Store.AddAuditRequest(ctx, auditRequest(rec.EngagementID, "PBC-1", due))
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, "priya@payments.example", got.Owner, "emails are stored lower-case")
	assert.Equal(t, postgres.RequestedByAuditor, got.RequestedBy)
	assert.Equal(t, postgres.AuditOpen, got.Status)
	assert.Empty(t, got.PromptStatus, "no prompt opened yet")
	assert.True(t, due.Equal(got.DueAt))

	// A re-import with different fields keeps what was first routed.
	again := auditRequest(rec.EngagementID, "PBC-1", due.AddDate(0, 0, 7))
	again.Description = "changed"
	got, created, err = db.Store.AddAuditRequest(ctx, again)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, "User access review for Q2", got.Description)
	assert.True(t, due.Equal(got.DueAt))

	// No control is stored as NULL and read back as empty.
	noControl := auditRequest(rec.EngagementID, "PBC-2", due)
	noControl.ControlID, noControl.RequestedBy = "", "Sam@Payments.example"
	got, _, err = db.Store.AddAuditRequest(ctx, noControl)
	require.NoError(t, err)
	assert.Empty(t, got.ControlID)
	assert.Equal(t, "sam@payments.example", got.RequestedBy)
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM audit_requests WHERE control_id IS NULL`))

	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind = $1`, postgres.EventAuditRequestAdded),
		"one event per request, not per import")
}

func TestAuditAnswerFromPromptAndRow(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	rec := scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(ctx, rec))
	eng := rec.EngagementID
	due := time.Date(2027, 6, 14, 21, 0, 0, 0, time.UTC)
	for _, id := range []string{"PBC-2", "PBC-1"} {
		r := auditRequest(eng, id, due)
		_, _, err := db.Store.AddAuditRequest(ctx, r)
		require.NoError(t, err)
		require.NoError(t, db.Store.OpenPrompt(ctx, postgres.Prompt{ID: r.PromptID, EngagementID: eng, Key: "audit/" + id,
			Kind: "audit-request", Question: "q", AddresseeEmail: r.Owner, DueAt: due, CreatedAt: due.AddDate(0, 0, -7)}))
	}
	at := due.Add(-time.Hour)
	ans := postgres.PromptAnswer{PromptID: "prompt/" + eng + "/audit/PBC-1", EngagementID: eng, Choice: "provided",
		Link: "https://drive.example/pbc-1", By: "Priya@Payments.example", Via: postgres.ChannelCLI, UpdateID: "u1", At: at}

	// Answered on the prompt only: the listing already shows it.
	require.NoError(t, db.Store.RecordPromptAnswer(ctx, ans))
	list, err := db.Store.AuditRequests(ctx, eng, postgres.AuditRequestFilter{})
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "PBC-1", list[0].RequestID, "same due date: by ID")
	assert.Equal(t, postgres.AuditAnswered, list[0].Status)
	assert.Equal(t, postgres.PromptAnswered, list[0].PromptStatus)
	assert.Equal(t, "https://drive.example/pbc-1", list[0].AnswerLink)
	assert.Equal(t, "priya@payments.example", list[0].AnsweredBy)
	require.NotNil(t, list[0].AnsweredAt)
	assert.True(t, at.Equal(*list[0].AnsweredAt))
	assert.Equal(t, postgres.AuditOpen, list[1].Status)
	assert.Equal(t, postgres.PromptOpen, list[1].PromptStatus)

	// Copied onto the row: the same listing, and a retry changes nothing.
	require.NoError(t, db.Store.RecordAuditAnswer(ctx, ans))
	require.NoError(t, db.Store.RecordAuditAnswer(ctx, ans))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM audit_requests WHERE status = 'answered' AND answer_link = $1`, ans.Link))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind = $1`, postgres.EventAuditRequestAnswered))
	answered, err := db.Store.AuditRequests(ctx, eng, postgres.AuditRequestFilter{Status: postgres.AuditAnswered})
	require.NoError(t, err)
	require.Len(t, answered, 1)
	assert.Equal(t, list[0], answered[0])

	// A different answer to an answered request is refused.
	other := ans
	other.Choice, other.Note = "cannot provide", "no longer exists"
	assert.ErrorIs(t, db.Store.RecordAuditAnswer(ctx, other), postgres.ErrPromptClosed)

	// A prompt that is not an audit request's.
	other.PromptID = "prompt/" + eng + "/gap/ACC-01"
	assert.ErrorIs(t, db.Store.RecordAuditAnswer(ctx, other), postgres.ErrNoAuditRequest)
}
