package workflows

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows/searchattr"
)

// TestProgrammeWithdrawsGapFromAnEarlierRoundRemediationForReal: on the
// dev server, with Postgres, a round remediation started before the
// programme's run — by a change made before certification, seeded here
// with the Engagement attribute every remediation carries — is remediating
// GOV-07, its item open. The certified programme (waiting for its next
// report), which knows nothing of that change, takes a tailoring change
// making GOV-07 not applicable, and the lead approves. The programme finds
// the remediation in Temporal's visibility and tells it: GOV-07's item is
// withdrawn with a note naming the change and the lead, its gap workflow
// is cancelled, and the remediation completes counting it withdrawn.
//
// STEADFAST_UPDATE_HISTORIES=1 records the programme's run (the
// tailoring-withdraw-gaps branch as the programme takes it).
func TestProgrammeWithdrawsGapFromAnEarlierRoundRemediationForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, plan := recordedSpec(ctx, t, db, nil)
	spec.Integrations.JiraProject = "" // items live in Postgres
	window := plannedWindow(t, spec, soc2Of2027)
	const queue = "steadfast-programme-withdraw-gaps"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store, Temporal: tmp.Client})

	certifiedEngagementForReal(ctx, t, tmp, queue, spec, plan, soc2Of2027)
	progID := ProgrammeWorkflowID(spec.ID)

	// The earlier change's round remediation, which neither the programme
	// run nor (seeded so) the engagement's state knows.
	const earlier = "tailoring-typei"
	remID, gapID := RoundRemediationWorkflowID(spec.ID, earlier), RoundGapWorkflowID(spec.ID, earlier, "GOV-07")
	rem, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: remID, TaskQueue: queue,
		TypedSearchAttributes: temporal.NewSearchAttributes(searchattr.Engagement.ValueSet(spec.ID))},
		RemediationWorkflowName, RemediationInput{EngagementID: spec.ID, Spec: spec, Due: time.Now().Add(30 * 24 * time.Hour), Round: earlier,
			Gaps:   []activities.RegisterEntry{{ControlID: "GOV-07", Title: "Org chart", Rank: 1, Status: "missing", Owner: ownerEmail}},
			Titles: map[string]string{"GOV-07": "Org chart"}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tmp.Client.TerminateWorkflow(context.Background(), remID, "", "test over") })
	require.Eventually(t, func() bool {
		it := itemOf(ctx, t, db, spec.ID, gapID)
		return it != nil && it.Status == compliance.ItemOpen
	}, time.Minute, 100*time.Millisecond, "the earlier change's gap got no open item")

	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: progID, TaskQueue: queue},
		ProgrammeWorkflowName, ProgrammeInput{EngagementID: spec.ID, Spec: spec, Certifications: []postcert.Certification{soc2Of2027},
			Cycle: 2, Revision: 1, LastWindow: window, Test: &TestHooks{OperatingControls: []string{"ACC-04"}}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tmp.Client.TerminateWorkflow(context.Background(), progID, "", "test over") })

	next := spec.Tailoring
	next.Controls = maps.Clone(spec.Tailoring.Controls)
	if next.Controls == nil {
		next.Controls = map[string]compliance.ControlTailoring{}
	}
	next.Controls["GOV-07"] = compliance.ControlTailoring{NotApplicable: true, Justification: "the org chart is the HR system's live view"}
	h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: progID, UpdateID: "tailoring/gov-07",
		UpdateName: UpdateChangeTailoring, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{ChangeTailoringRequest{Tailoring: next, Actor: cli(leadEmail)}}})
	require.NoError(t, err)
	var ch ScopeChange
	require.NoError(t, h.Get(ctx, &ch))
	lead := waitPromptKeyed(ctx, t, db, spec.ID, changePromptKey(ch), "the lead's question never opened")
	ans, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: lead.ID, UpdateID: "approve",
		UpdateName: UpdateAnswerPrompt, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{AnswerPromptRequest{Choice: "approve", Actor: cli(leadEmail), Channel: "cli"}}})
	require.NoError(t, err)
	require.NoError(t, ans.Get(ctx, nil))

	// The remediation, told by the programme, withdraws GOV-07.
	var out RemediationResult
	require.NoError(t, rem.Get(ctx, &out), "the earlier change's remediation never ended")
	assert.Equal(t, RemediationResult{Withdrawn: 1, WithdrawnGaps: []string{"GOV-07"}}, out)
	item := itemOf(ctx, t, db, spec.ID, gapID)
	require.NotNil(t, item)
	assert.Equal(t, compliance.ItemWithdrawn, item.Status)
	assert.Equal(t, compliance.GapWithdrawnNote(ch.ID, "GOV-07", leadEmail, "the org chart is the HR system's live view"), item.Note)
	require.Eventually(t, func() bool {
		d, err := tmp.Client.DescribeWorkflow(ctx, gapID, "")
		return err == nil && d.RawResponse.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED
	}, time.Minute, 200*time.Millisecond, "GOV-07's gap workflow is cancelled")

	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, progID, ""), "programme_tailoring_withdraw_gaps.json")
	}
}
