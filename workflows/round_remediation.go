package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// versionRoundRemediation: from version 1 a change's round whose gaps
// found no remediation running to take them asks how the engagement's
// remediation stands; once it has ended (the operating period and after)
// the round starts a remediation of its own for the gaps among its
// controls (remediateRound). Asked only when gaps-found could not be sent.
const versionRoundRemediation = "round-remediation"

// remediateRound starts the remediation of a round's gaps once the
// engagement's remediation has ended: the Remediation workflow again, with
// the round named (RoundRemediationWorkflowID, its gaps
// RoundGapWorkflowID), so each gap gets its own workflow, item, ticket and
// owner chase, and is closed only with evidence or the lead's acceptance.
// It is abandoned: the round (and the change) ends once the assessment
// has, while the fixes take weeks. Due at compliance.ChangeGapDue.
func remediateRound(ctx workflow.Context, in GapAssessmentInput, gaps []activities.RegisterEntry) error {
	var d activities.DescribeGapsResult
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	if err := workflow.ExecuteActivity(actx, a.DescribeGaps, activities.DescribeGapsInput{WorkflowIDs: []string{RemediationWorkflowID(in.EngagementID)}}).Get(ctx, &d); err != nil {
		return fmt.Errorf("ask how the remediation of %s stands: %w", in.EngagementID, err)
	}
	switch {
	case d.Unavailable:
		workflow.GetLogger(ctx).Warn("no Temporal client to see whether remediation has ended; the round's gaps stay in the register", "engagement", in.EngagementID, "round", in.Round)
		return nil
	case len(d.Ended) == 0 && !in.RemediationEnded:
		// Not started yet (it reads the register at its start), or running
		// again after a hand-over (its next run reads it).
		return nil
	case len(d.Ended) == 0:
		// Past remediation, and Temporal no longer knows its workflow
		// (retention): it ended long ago.
	case len(d.Ended) > 0 && d.Ended[0].Status == "canceled":
		// The engagement was closed: nothing is remediated any more.
		return nil
	}
	titles := map[string]string{}
	for _, g := range gaps {
		titles[g.ControlID] = g.Title
	}
	cctx := workflow.WithChildOptions(ctx, childOfPhase(ctx, in.EngagementID, "Remediation of "+in.Round+" ("+in.EngagementID+")", workflow.ChildWorkflowOptions{
		WorkflowID:            RoundRemediationWorkflowID(in.EngagementID, in.Round),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
	}))
	fut := workflow.ExecuteChildWorkflow(cctx, RemediationWorkflowName, RemediationInput{
		EngagementID: in.EngagementID, Spec: in.Spec, Due: compliance.ChangeGapDue(workflow.Now(ctx), in.Spec.AuditDate),
		Gaps: gaps, Titles: titles, Revision: in.Revision, Round: in.Round,
	})
	if err := fut.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return fmt.Errorf("start the remediation of %s's gaps: %w", in.Round, err)
	}
	return nil
}

// versionCloseEveryRoundRemediation: from version 1 closing the engagement
// also asks Temporal which round remediations of the engagement, and which
// of its gap workflows, still run (RunningRemediations) and cancels them
// too. close-round-remediations cancels only the remediations of the
// engagement's own changes, which its state remembers; a change carried out
// by the programme is known only to the programme's run that carried it
// out, and the programme continues as new every cycle carrying only the
// changes still queued. Its round's remediation, started abandoned, went on
// chasing owners for a gap of a closed engagement. The record of what still
// runs is Temporal's visibility: each remediation and gap workflow carries
// the Engagement search attribute from its start, so the list holds across
// any number of runs and cycles, and needs no state carried. The gap
// workflows are cancelled by ID as well: a remediation cancelled asks its
// gap workflows (ABANDON children) to cancel only as it closes, and the
// server drops that request once the parent has closed.
const versionCloseEveryRoundRemediation = "close-every-round-remediation"

// closedRemediationPrefixes are how the workflow IDs closing looks for
// begin: a round remediation (RoundRemediationWorkflowID; the engagement's
// own remediation is its child and ends with it) and any gap workflow
// (GapWorkflowID, RoundGapWorkflowID).
func closedRemediationPrefixes(engagementID string) []string {
	return []string{RemediationWorkflowID(engagementID) + "/", EngagementWorkflowID(engagementID) + "/gap/"}
}

// listRoundRemediationsOptions bound the question asked as an engagement
// closes, or as a change that took controls out of scope tells the
// remediations to withdraw their gaps: a visibility store that does not
// answer within a few minutes must not hold either up for ever. What the
// workflow knows of from its state is cancelled, or told, whatever the
// answer.
var listRoundRemediationsOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        30 * time.Second,
		MaximumAttempts:        8,
		NonRetryableErrorTypes: []string{activities.ErrTypeBadInput},
	},
}

// runningRoundRemediations lists the engagement's round remediations and
// gap workflows that still run, whichever workflow's change started them.
// A worker without a Temporal client, or a visibility store that does not
// answer, lists none (and says so in the log): closing goes on with what
// it knows.
func runningRoundRemediations(ctx workflow.Context, engagementID string) []string {
	ids, _ := listRunning(ctx, engagementID, []string{RemediationWorkflowName, GapRemediationWorkflowName},
		closedRemediationPrefixes(engagementID), "list the round remediations of a closed engagement")
	return ids
}

// listRunning asks Temporal which workflows of the engagement, of these
// types and ID prefixes, still run (RunningRemediations). ok is false when
// it could not be told (no Temporal client, or no answer in time; logged
// as what): the caller goes on with what its state knows.
func listRunning(ctx workflow.Context, engagementID string, types, prefixes []string, what string) (ids []string, ok bool) {
	var res activities.RunningRemediationsResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, listRoundRemediationsOptions), a.RunningRemediations,
		activities.RunningRemediationsInput{EngagementID: engagementID, WorkflowTypes: types, IDPrefixes: prefixes}).Get(ctx, &res)
	switch {
	case err != nil:
		workflow.GetLogger(ctx).Warn(what, "engagement", engagementID, "error", err)
		return nil, false
	case res.Unavailable:
		workflow.GetLogger(ctx).Warn(what+": no Temporal client", "engagement", engagementID)
		return nil, false
	}
	return res.WorkflowIDs, true
}
