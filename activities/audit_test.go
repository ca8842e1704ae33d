package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

func TestRecordAuditAnswer(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	at := time.Date(2027, 6, 1, 14, 0, 0, 0, time.UTC)
	plan, err := compliance.PlanEngagement(spec, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID,
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "test", At: at}))
	promptID := "prompt/" + spec.ID + "/audit/PBC-1"
	_, _, err = db.Store.AddAuditRequest(ctx, postgres.AuditRequest{EngagementID: spec.ID, RequestID: "PBC-1", ControlID: "ACC-04",
		Description: "Access review", Owner: "priya@brightlane.io", DueAt: at.AddDate(0, 0, 10), ImportedFrom: "cli", PromptID: promptID})
	require.NoError(t, err)

	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	acts := &activities.Activities{Store: db.Store}
	env.RegisterActivity(acts)
	run := func(a postgres.PromptAnswer) (activities.RecordAuditAnswerResult, error) {
		var res activities.RecordAuditAnswerResult
		v, err := env.ExecuteActivity(acts.RecordAuditAnswer, activities.RecordAuditAnswerInput{Answer: a})
		if err == nil {
			err = v.Get(&res)
		}
		return res, err
	}

	ans := postgres.PromptAnswer{PromptID: promptID, EngagementID: spec.ID, Choice: "provided", Link: "https://drive.example/pbc-1",
		By: "priya@brightlane.io", Via: postgres.ChannelCLI, UpdateID: "u1", At: at}
	for range 2 { // a retried activity records once
		res, err := run(ans)
		require.NoError(t, err)
		assert.True(t, res.Recorded)
	}
	list, err := db.Store.AuditRequests(ctx, spec.ID, postgres.AuditRequestFilter{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, postgres.AuditAnswered, list[0].Status)
	assert.Empty(t, list[0].PromptStatus, "answered on the row although no prompt row exists")
	assert.Equal(t, ans.Link, list[0].AnswerLink)

	// A different answer afterwards is a conflict, not retried.
	other := ans
	other.Choice, other.Note = "cannot provide", "gone"
	_, err = run(other)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	assert.True(t, appErr.NonRetryable())
	assert.Equal(t, activities.ErrTypeConflict, appErr.Type())

	// A prompt that is not an audit request's: nothing to record, no error.
	other.PromptID = "prompt/" + spec.ID + "/gap/ACC-01"
	res, err := run(other)
	require.NoError(t, err)
	assert.False(t, res.Recorded)
}
