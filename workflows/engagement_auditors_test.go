package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
)

// An auditor adds requests only once the lead has invited them and only
// while the invitation is open: the engagement keeps its invitations (the
// invite-auditor update, which only the lead or a delegate may send) and
// the add-audit-request validator reads them.
func TestInvitedAuditorMayAddRequests(t *testing.T) {
	env := withIdentity(newEnv(t))
	start := time.Date(2027, 9, 1, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	acts := &activities.Activities{}
	spec := testSpec(t)
	plan, err := compliance.PlanEngagement(&spec, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	env.OnActivity(acts.AuditDates, mock.Anything, mock.Anything).Return(activities.AuditDatesResult{}, nil)
	var invited []activities.AuditorInviteInput
	env.OnActivity(acts.RecordAuditorInvite, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		invited = append(invited, args.Get(1).(activities.AuditorInviteInput))
	}).Return(activities.AuditorInviteResult{}, nil)
	var recorded []activities.AuditRequestInput
	env.OnActivity(acts.RecordAuditRequest, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		recorded = append(recorded, args.Get(1).(activities.AuditRequestInput))
	}).Return(activities.AuditRequestResult{Created: true}, nil)

	const auditor, brief = "auditor@cpa.example", "brief@cpa.example"
	ask := func(id string) AddAuditRequestRequest {
		return AddAuditRequestRequest{Actor: cliActor(auditor), RequestID: id, ControlID: "GOV-01", Description: "Board minutes",
			Owner: ownerEmail, Due: start.AddDate(0, 0, 20), ImportedFrom: "web", PromptID: PromptWorkflowID(spec.ID, auditreq.PromptKey(id))}
	}
	today := compliance.DateOf(start)
	var before, byOwner, byLead, briefInvite, after, expired updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAddAuditRequest, "ask/1", callbacks(&before), ask("PBC-1"))
		env.UpdateWorkflow(UpdateInviteAuditor, "invite/1", callbacks(&byOwner),
			InviteAuditorRequest{Actor: cliActor(ownerEmail), Email: auditor, Until: today.AddDays(30)})
		env.UpdateWorkflow(UpdateInviteAuditor, "invite/2", callbacks(&byLead),
			InviteAuditorRequest{Actor: cliActor(leadEmail), Email: " Auditor@CPA.example ", Until: today.AddDays(30)})
		env.UpdateWorkflow(UpdateInviteAuditor, "invite/3", callbacks(&briefInvite),
			InviteAuditorRequest{Actor: cliActor(delegateEmail), Email: brief, Until: today})
	}, time.Hour)
	// Once the invitation is recorded (the service waits for the update).
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAddAuditRequest, "ask/2", callbacks(&after), ask("PBC-2"))
	}, 2*time.Hour)
	env.RegisterDelayedCallback(func() {
		r := ask("PBC-3")
		r.Actor = cliActor(brief)
		env.UpdateWorkflow(UpdateAddAuditRequest, "ask/3", callbacks(&expired), r)
	}, 48*time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, 72*time.Hour)
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: compliance.PhaseFieldwork, Revision: 1, Spec: spec, Plan: &plan}
	env.ExecuteWorkflow(EngagementWorkflow, EngagementInput{Spec: spec, State: st})
	var canceled *temporal.CanceledError
	require.ErrorAs(t, env.GetWorkflowError(), &canceled)

	refusal := "may not add the auditor's requests in brightlane: an auditor invited to it, the lead, a lead delegate or the consultant may"
	require.ErrorContains(t, before.rejected, auditor+" "+refusal)
	require.ErrorContains(t, byOwner.rejected, "leo@brightlane.io may not invite auditors to brightlane: only the lead or a lead delegate may")
	require.NoError(t, byLead.rejected)
	require.NoError(t, byLead.err)
	require.NoError(t, briefInvite.rejected)
	require.NoError(t, after.rejected)
	require.NoError(t, after.err)
	require.ErrorContains(t, expired.rejected, brief+" "+refusal, "an invitation ends with its day")

	require.Len(t, invited, 2)
	assert.ElementsMatch(t, []compliance.AuditorInvite{{Email: auditor, Until: today.AddDays(30), InvitedBy: leadEmail},
		{Email: brief, Until: today, InvitedBy: delegateEmail}}, []compliance.AuditorInvite{invited[0].Invite, invited[1].Invite})
	require.Len(t, recorded, 1)
	assert.Equal(t, auditor, recorded[0].RequestedBy)
	assert.Equal(t, "PBC-2", recorded[0].RequestID)
}
