package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
)

// Only the lead or a delegate lets a review's export carry files: the
// owner and the consultant are refused by the validator before anything is
// recorded; the lead's decision is recorded with the lead as who decided
// and the update's ID as its key.
func TestAllowReviewFilesOnlyByTheLead(t *testing.T) {
	env := withIdentity(newEnv(t))
	acts := &activities.Activities{}
	spec := testSpec(t)
	plan, err := compliance.PlanEngagement(&spec, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	env.OnActivity(acts.AuditDates, mock.Anything, mock.Anything).Return(activities.AuditDatesResult{}, nil)
	var recorded []activities.AllowReviewFilesInput
	env.OnActivity(acts.AllowReviewFiles, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		recorded = append(recorded, args.Get(1).(activities.AllowReviewFilesInput))
	}).Return(custreview.FilesAllowance{By: leadEmail}, nil)

	var byOwner, byConsultant, noReview, byLead updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAllowReviewFiles, "files/1", callbacks(&byOwner), AllowReviewFilesRequest{ReviewID: "acme-2027-10-15", Actor: cli(ownerEmail)})
		env.UpdateWorkflow(UpdateAllowReviewFiles, "files/2", callbacks(&byConsultant), AllowReviewFilesRequest{ReviewID: "acme-2027-10-15", Actor: cli("sam@steadfast.example")})
		env.UpdateWorkflow(UpdateAllowReviewFiles, "files/3", callbacks(&noReview), AllowReviewFilesRequest{Actor: cli(leadEmail)})
		env.UpdateWorkflow(UpdateAllowReviewFiles, "files/4", callbacks(&byLead), AllowReviewFilesRequest{ReviewID: "acme-2027-10-15", Actor: cli(leadEmail)})
	}, time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, 2*time.Hour)
	env.SetStartTime(time.Date(2027, 4, 10, 9, 0, 0, 0, time.UTC))
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: compliance.PhaseFieldwork, Revision: 1, Spec: spec, Plan: &plan}
	env.ExecuteWorkflow(EngagementWorkflow, EngagementInput{Spec: spec, State: st})
	var canceled *temporal.CanceledError
	require.ErrorAs(t, env.GetWorkflowError(), &canceled)

	require.ErrorContains(t, byOwner.rejected, "may not allow evidence files")
	require.ErrorContains(t, byConsultant.rejected, "only the lead or a lead delegate")
	require.ErrorContains(t, noReview.rejected, "name the review")
	require.NoError(t, byLead.rejected)
	require.NoError(t, byLead.err)
	require.Len(t, recorded, 1, "only the lead's decision reached the record")
	require.Equal(t, leadEmail, recorded[0].By)
	require.Equal(t, "acme-2027-10-15", recorded[0].ReviewID)
	require.Equal(t, "files/4", recorded[0].Key)
}
