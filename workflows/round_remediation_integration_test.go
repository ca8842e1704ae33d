package workflows

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestRoundRemediatesAfterRemediationForReal: remediation of ACC-04 runs
// and completes (dev server, Postgres, real activities) — the engagement
// is in its operating period. Then a change's round re-assesses ACC-04,
// whose owner now says it is missing. No remediation is running, so the
// round starts one of its own (remediation/<change>), whose gap workflow
// gap/<change>/ACC-04 opens a second item for the same control in
// Postgres — the first, closed, stays as it was — and closes it only with
// evidence; an acceptance the register holds from before the change does
// not close it. STEADFAST_UPDATE_HISTORIES=1 records the round
// (versionRoundRemediation) and its remediation.
func TestRoundRemediatesAfterRemediationForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, plan := recordedSpec(ctx, t, db, nil)
	emu, jc := jiraForReal(t, spec)
	const queue = "steadfast-round-remediation"
	acts := &activities.Activities{Store: db.Store, Temporal: tmp.Client, Jira: jc}
	realWorker(t, tmp, queue, acts)

	planned, err := acts.PlanAssessment(ctx, activities.PlanAssessmentInput{Spec: spec})
	require.NoError(t, err)
	i := slices.IndexFunc(planned.Controls, func(c activities.ControlToAssess) bool { return c.ControlID == "ACC-04" })
	require.GreaterOrEqual(t, i, 0)
	acc04 := planned.Controls[i]
	for _, c := range planned.Controls {
		require.NoError(t, db.Store.RecordAssessment(ctx, compliance.ControlAssessment{EngagementID: spec.ID, ControlID: c.ControlID,
			OwnerEmail: c.Owner.Email, Status: "implemented", EvidenceExists: true, Sampleable: true}))
	}

	// The first round's remediation of ACC-04, closed with evidence.
	in := remediationInput(t, "ACC-04")
	in.Spec = spec
	id := RemediationWorkflowID(spec.ID)
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE}, RemediationWorkflowName, in)
	require.NoError(t, err)
	closeForReal(ctx, t, tmp.Client, GapWorkflowID(spec.ID, "ACC-04"), "https://drive.example/first")
	require.NoError(t, tmp.Client.GetWorkflow(ctx, id, "").Get(ctx, nil), "the engagement's remediation has completed")

	// The register keeps an earlier acceptance of ACC-04's gap: it is not
	// the lead's decision about the gap the change's round finds.
	now := time.Now()
	require.NoError(t, db.Store.ReplaceRegister(ctx, spec.ID, []postgres.GapEntry{{ControlID: "ACC-04", Rank: 1, Gap: true,
		Status: "missing", Title: "Access reviews", Domain: "access", OwnerEmail: acc04.Owner.Email, Frequency: "quarterly",
		Frameworks: []string{"soc2"}, Reasons: []string{"test"}}}, now))
	require.NoError(t, db.Store.RecordGapDecision(ctx, postgres.GapDecision{EngagementID: spec.ID, ControlID: "ACC-04", Accept: true,
		Reason: "accepted before the change", By: leadEmail, UpdateID: "accept-acc-04", At: now}))

	// The change's round: ACC-04 again, missing now.
	round := "tailoring-test"
	assessment := changeAssessmentWorkflowID(spec.ID, round)
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: assessment, TaskQueue: queue}, GapAssessmentWorkflowName,
		GapAssessmentInput{EngagementID: spec.ID, Spec: spec, Plan: &plan, Revision: 2, Only: []string{"ACC-04"}, Round: round})
	require.NoError(t, err)
	question := PromptWorkflowID(spec.ID, assessmentPromptGroup+round+"/ACC-04")
	require.Eventually(t, func() bool {
		h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: question, UpdateID: "answer",
			UpdateName: UpdateAnswerPrompt, WaitForStage: client.WorkflowUpdateStageCompleted,
			Args: []any{AnswerPromptRequest{Choice: AssessMissing, Actor: cli(acc04.Owner.Email)}}})
		return err == nil && h.Get(ctx, nil) == nil
	}, time.Minute, 200*time.Millisecond, "the owner answers the round's question")
	require.NoError(t, tmp.Client.GetWorkflow(ctx, assessment, "").Get(ctx, nil))

	gapID := RoundGapWorkflowID(spec.ID, round, "ACC-04")
	var item *postgresItem
	require.Eventually(t, func() bool { item = itemOf(ctx, t, db, spec.ID, gapID); return item != nil }, time.Minute, 100*time.Millisecond,
		"the change's gap gets an item of its own")
	assert.Equal(t, compliance.ItemOpen, item.Status, "an acceptance of the earlier gap does not close the change's")
	assert.Equal(t, acc04.Owner.Email, item.OwnerEmail)
	assert.Equal(t, activities.RoundTicketLabel(spec.ID, round, "ACC-04"), item.TicketLabel)
	first := itemOf(ctx, t, db, spec.ID, GapWorkflowID(spec.ID, "ACC-04"))
	require.NotNil(t, first)
	assert.Equal(t, compliance.ItemVerified, first.Status, "the first round's item stays closed")
	require.NotEmpty(t, item.TicketKey, "the change's gap has a Jira ticket")
	assert.NotEqual(t, first.TicketKey, item.TicketKey, "a ticket of its own, not the first round's closed one")
	ticket, ok := emu.Issue(item.TicketKey)
	require.True(t, ok)
	assert.Contains(t, ticket.Labels, item.TicketLabel)
	assert.NotEqual(t, jira.CategoryDone, ticket.Category)

	closeForReal(ctx, t, tmp.Client, gapID, "https://drive.example/after-the-change")
	var out RemediationResult
	require.NoError(t, tmp.Client.GetWorkflow(ctx, RoundRemediationWorkflowID(spec.ID, round), "").Get(ctx, &out))
	assert.Equal(t, RemediationResult{Verified: 1}, out)
	item = itemOf(ctx, t, db, spec.ID, gapID)
	require.NotNil(t, item)
	assert.Equal(t, compliance.ItemVerified, item.Status)
	assert.Equal(t, "https://drive.example/after-the-change", item.EvidenceLink)
	ticket, _ = emu.Issue(item.TicketKey)
	assert.Equal(t, jira.CategoryDone, ticket.Category, "closing the gap closes its ticket")

	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, assessment, ""), "gap_assessment_round_remediation.json")
		saveHistory(t, history(t, ctx, tmp.Client, RoundRemediationWorkflowID(spec.ID, round), ""), "remediation_of_round.json")
	}
}

// closeForReal closes a gap through its complete update, once its
// workflow is up.
func closeForReal(ctx context.Context, t *testing.T, c client.Client, gapID, evidence string) {
	t.Helper()
	require.Eventually(t, func() bool {
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: gapID, UpdateID: "close",
			UpdateName: UpdateCompleteGap, WaitForStage: client.WorkflowUpdateStageCompleted,
			Args: []any{CompleteGapRequest{Actor: cli(leadEmail), Evidence: evidence}}})
		return err == nil && h.Get(ctx, nil) == nil
	}, time.Minute, 200*time.Millisecond, "close %s", gapID)
}

type postgresItem = postgres.RemediationItem

// itemOf is the engagement's remediation item with this ID, or nil.
func itemOf(ctx context.Context, t *testing.T, db testenv.Database, engagementID, itemID string) *postgresItem {
	t.Helper()
	items, err := db.Store.Items(ctx, engagementID)
	require.NoError(t, err)
	for i := range items {
		if items[i].ItemID == itemID {
			return &items[i]
		}
	}
	return nil
}
