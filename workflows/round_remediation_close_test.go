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
)

// TestClosingTheEngagementEndsTheProgrammesRoundRemediations: in the
// programme the engagement's state knows none of the programme's changes
// (a tailoring change carried out by an earlier cycle's run, say), yet
// closing the engagement cancels the remediation that change's round
// started, and its gap workflow: it asks Temporal which round remediations
// and gap workflows of the engagement still run
// (close-every-round-remediation) and cancels each by ID, with
// the programme itself — and each once, though its own changes' are also
// known from its state.
func TestClosingTheEngagementEndsTheProgrammesRoundRemediations(t *testing.T) {
	env := newEnv(t)
	acts := &activities.Activities{}
	spec := testSpec(t)
	plan, err := compliance.PlanEngagement(&spec, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	env.OnActivity(acts.AuditDates, mock.Anything, mock.Anything).Return(activities.AuditDatesResult{}, nil)
	programmeChange := RoundRemediationWorkflowID(spec.ID, "tailoring-c0ffee")
	programmeGap := RoundGapWorkflowID(spec.ID, "tailoring-c0ffee", "ACC-02")
	ownChange := RoundRemediationWorkflowID(spec.ID, "tailoring-0a1b2c")
	var asked []activities.RunningRemediationsInput
	env.OnActivity(acts.RunningRemediations, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		asked = append(asked, args.Get(1).(activities.RunningRemediationsInput))
	}).Return(activities.RunningRemediationsResult{WorkflowIDs: []string{programmeChange, programmeGap, ownChange}}, nil)
	var cancelled []string
	env.OnRequestCancelExternalWorkflow(mock.Anything, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		cancelled = append(cancelled, args.String(1))
	}).Return(nil)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
	env.SetStartTime(time.Date(2028, 2, 1, 9, 0, 0, 0, time.UTC))
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: PhaseProgramme, Revision: 7, Spec: spec, Plan: &plan,
		ProgrammeStarted: true, Changes: []ScopeChange{{ID: "tailoring-0a1b2c", Status: ChangeAssessed, Gaps: 1}}}
	env.ExecuteWorkflow(EngagementWorkflow, EngagementInput{Spec: spec, State: st})
	var canceled *temporal.CanceledError
	require.ErrorAs(t, env.GetWorkflowError(), &canceled)

	require.Len(t, asked, 1, "asked once, as the engagement closed")
	assert.Equal(t, activities.RunningRemediationsInput{EngagementID: spec.ID, WorkflowTypes: []string{RemediationWorkflowName, GapRemediationWorkflowName},
		IDPrefixes: []string{RemediationWorkflowID(spec.ID) + "/", EngagementWorkflowID(spec.ID) + "/gap/"}}, asked[0])
	assert.Contains(t, cancelled, ProgrammeWorkflowID(spec.ID))
	assert.Contains(t, cancelled, programmeChange, "the programme's change's remediation is ended")
	assert.Contains(t, cancelled, programmeGap, "and its gap workflow")
	n := 0
	for _, id := range cancelled {
		if id == ownChange {
			n++
		}
	}
	assert.Equal(t, 1, n, "the engagement's own change's remediation is cancelled once")
}
