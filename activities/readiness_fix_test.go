package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// TestOpenFindingFixOpensOneTicketPerFinding: a finding the lead chose to
// fix becomes one Jira ticket (the real go-jira client against the
// emulator, over HTTP) under its own label, apart from the control's
// remediation ticket; a retry after a lost create response finds it rather
// than opening a second; the ticket is recorded on the finding.
func TestOpenFindingFixOpensOneTicketPerFinding(t *testing.T) {
	acts, spec, emu := populationSetup(t)
	ctx := context.Background()
	f := activities.ReadinessFinding{FindingID: postgres.FindingID("VUL-02", "VUL-02/2027-03", "contemporary"), Rank: 1, ControlID: "VUL-02",
		Title: "Vulnerability remediation", Owner: "priya@brightlane.io", OccurrenceKey: "VUL-02/2027-03",
		Exception: "For 1 of 4 months sampled the remediation evidence was raised retrospectively.", Severity: "high"}
	require.NoError(t, acts.Store.SaveReadinessReview(ctx, postgres.ReadinessReview{EngagementID: spec.ID, ReviewID: "r1",
		AsOf: time.Date(2027, 8, 20, 12, 0, 0, 0, time.UTC), Seed: 7, Risk: "moderate", Findings: []postgres.Finding{{
			FindingID: f.FindingID, ControlID: f.ControlID, OccurrenceKey: f.OccurrenceKey, Test: "contemporary", Severity: "high",
			Exception: f.Exception, Rank: 1}}}))

	in := activities.OpenFindingFixInput{EngagementID: spec.ID, ReviewID: "r1", Finding: f,
		Due: time.Date(2027, 9, 3, 21, 0, 0, 0, time.UTC), JiraProject: spec.Integrations.JiraProject}
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	open := func() (activities.OpenFindingFixResult, error) {
		var res activities.OpenFindingFixResult
		v, err := env.ExecuteActivity(acts.OpenFindingFix, in)
		if err == nil {
			err = v.Get(&res)
		}
		return res, err
	}
	// The create's response is lost: the activity reconciles (or its
	// retry finds the ticket), and the finding still has one ticket.
	emu.DropNextCreateResponse()
	first, _ := open()
	res, err := open()
	require.NoError(t, err)
	require.NotEmpty(t, res.TicketKey, "jira refused: %s", res.JiraError)
	again, err := open()
	require.NoError(t, err)
	assert.Equal(t, res.TicketKey, again.TicketKey, "retries find the ticket")
	if first.TicketKey != "" {
		assert.Equal(t, res.TicketKey, first.TicketKey)
	}

	label := activities.FindingLabel(spec.ID, f.FindingID)
	issues := emu.IssuesWithLabel(label)
	require.Len(t, issues, 1, "one ticket per finding")
	assert.Empty(t, emu.IssuesWithLabel(activities.TicketLabel(spec.ID, f.ControlID)), "apart from the control's remediation ticket")
	assert.True(t, strings.Contains(issues[0].Summary, "Readiness finding"), "summary %q", issues[0].Summary)

	findings, err := acts.Store.ReadinessFindings(ctx, spec.ID)
	require.NoError(t, err)
	require.Len(t, findings, 1)
	assert.Equal(t, res.TicketKey, findings[0].RemediationItem, "the ticket is recorded on the finding")
}
