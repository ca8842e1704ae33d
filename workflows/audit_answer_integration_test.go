package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestAuditAnswerCopiedForReal: on the dev server, with Postgres, an
// auditor's request routed to its owner as a prompt (the prompt the
// engagement's route-audit-request update starts) is answered from the
// CLI path; the prompt copies the answer onto the request row
// (versionAuditAnswer) once, with its event, and ends answered.
//
// STEADFAST_UPDATE_HISTORIES=1 records the prompt's history (the
// audit-answer branch) under testdata/histories.
func TestAuditAnswerCopiedForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, _ := recordedSpec(ctx, t, db, nil)

	const queue = "steadfast-audit-answer"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store})

	// The request as `starter audit request` records it, naming the
	// prompt that will carry it.
	key := auditreq.PromptKey("PBC-1")
	id := PromptWorkflowID(spec.ID, key)
	owner := spec.OwnerOf(catalog.Default().Control("ACC-04").Domain)
	due := time.Now().Add(5 * 24 * time.Hour).Truncate(time.Second)
	_, created, err := db.Store.AddAuditRequest(ctx, compliance.AuditRequest{EngagementID: spec.ID, RequestID: "PBC-1", ControlID: "ACC-04",
		Description: "Q3 access review evidence", Owner: owner.Email, DueAt: due, RequestedBy: leadEmail, ImportedFrom: "cli", PromptID: id})
	require.NoError(t, err)
	require.True(t, created)

	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE}, PromptWorkflowName, PromptInput{
		EngagementID: spec.ID, Key: key, Kind: auditreq.PromptKind, Subject: "Audit request PBC-1 (ACC-04)",
		Question: "The auditor asks (PBC-1): Q3 access review evidence.", Choices: []compliance.PromptChoice{
			{Value: auditreq.ChoiceProvided, Label: "Provided", LinkRequired: true},
			{Value: auditreq.ChoiceCannotProvide, Label: "Cannot provide", NoteRequired: true}},
		To: owner, Leads: spec.PeopleWithRole(compliance.RoleLead), Sponsors: spec.PeopleWithRole(compliance.RoleSponsor),
		Policy: spec.Reminders, Due: due, Until: due.Add(10 * 24 * time.Hour)})
	require.NoError(t, err)
	defer func() { _ = tmp.Client.TerminateWorkflow(context.Background(), id, "", "test over") }()

	// Answer once the prompt is open, as the owner would from the CLI.
	require.Eventually(t, func() bool {
		ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID})
		require.NoError(t, err)
		return len(ps) == 1 && ps[0].ID == id
	}, time.Minute, 100*time.Millisecond, "the prompt never opened")
	h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateID: "answer-pbc-1",
		UpdateName: UpdateAnswerPrompt, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{AnswerPromptRequest{Choice: auditreq.ChoiceProvided, Link: "https://drive.example/pbc-1", Actor: cli(owner.Email)}}})
	require.NoError(t, err)
	require.NoError(t, h.Get(ctx, nil))

	var res PromptResult
	require.NoError(t, run.Get(ctx, &res))
	assert.Equal(t, OutcomeAnswered, res.Outcome)

	// The request row itself took the answer (not only the listing's view
	// of the prompt), with one answered event.
	var status, choice, link, by string
	require.NoError(t, db.Store.Pool().QueryRow(ctx,
		`SELECT status, answer_choice, answer_link, answered_by FROM audit_requests WHERE engagement_id = $1 AND request_id = 'PBC-1'`,
		spec.ID).Scan(&status, &choice, &link, &by))
	assert.Equal(t, []string{compliance.AuditAnswered, auditreq.ChoiceProvided, "https://drive.example/pbc-1", owner.Email},
		[]string{status, choice, link, by})
	var answered int
	require.NoError(t, db.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM engagement_events WHERE engagement_id = $1 AND kind = $2`,
		spec.ID, compliance.EventAuditRequestAnswered).Scan(&answered))
	assert.Equal(t, 1, answered)

	hist := history(t, ctx, tmp.Client, id, run.GetRunID())
	took := false
	for _, ev := range hist.Events {
		if ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == "RecordAuditAnswer" {
			took = true
		}
	}
	require.True(t, took, "the prompt never copied the answer (versionAuditAnswer)")
	if updateHistories() {
		saveHistory(t, hist, "prompt_audit_request_answered.json")
	}
}
