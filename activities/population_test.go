package activities_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// populationSetup is the example engagement in a real Postgres, and the
// real go-jira client against the emulator holding March's changes.
func populationSetup(t *testing.T) (*activities.Activities, *compliance.Spec, *jiraemu.Emulator) {
	t.Helper()
	db := testenv.Postgres(t)
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	spec.Integrations.Populations = []compliance.Population{{Control: "CHG-01", JQL: "project = CHG AND issuetype = Change", ApprovedStatus: "Approved"}}
	plan, err := compliance.PlanEngagement(spec, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(context.Background(), postgres.ScopeRecord{
		EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID, Revision: 1, Spec: *spec, Plan: plan,
		Phase: compliance.PhaseOperating, RecordedBy: "test", At: time.Now(),
	}))
	emu := jiraemu.New()
	t.Cleanup(emu.Close)
	at := func(day int) time.Time { return time.Date(2027, 3, day, 14, 0, 0, 0, time.UTC) }
	approved := []jiraemu.Change{{Author: "maya@brightlane.io", At: at(2), Field: "status", From: "To Do", To: "Approved"}}
	emu.Seed(jiraemu.Issue{Key: "CHG-1", Type: "Change", Summary: "rotate keys", Status: "Done", Created: at(1), Resolved: at(3), History: approved})
	emu.Seed(jiraemu.Issue{Key: "CHG-2", Type: "Change", Summary: "hotfix", Status: "Done", Created: at(4), Resolved: at(4)})
	emu.Seed(jiraemu.Issue{Key: "CHG-3", Type: "Change", Summary: "open", Created: at(5)})
	jc, err := jira.New(jira.Config{BaseURL: emu.URL(), Email: jiraemu.Email, APIToken: jiraemu.APIToken})
	require.NoError(t, err)
	return &activities.Activities{Store: db.Store, Jira: jc}, spec, emu
}

func TestImportPopulationIsIdempotentAndSummarised(t *testing.T) {
	acts, spec, _ := populationSetup(t)
	ctx := context.Background()
	in := activities.ImportPopulationInput{EngagementID: spec.ID, Spec: *spec,
		From: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)}
	res, err := acts.ImportPopulation(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, activities.ImportPopulationResult{Imported: 2, Total: 2, Controls: []string{"CHG-01"}}, res)

	res, err = acts.ImportPopulation(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, 0, res.Imported, "a retried or repeated import adds nothing")
	assert.Equal(t, 2, res.Total)

	evs, err := acts.Store.PopulationEvents(ctx, spec.ID, "CHG-01", time.Time{}, time.Time{})
	require.NoError(t, err)
	require.Len(t, evs, 2)
	assert.Equal(t, "maya@brightlane.io", evs[0].ApprovedBy)
	assert.Equal(t, postgres.PopulationSourceJira, evs[0].Source)
	assert.Contains(t, evs[0].EvidenceRef, "/browse/CHG-1")

	// The source's count of the period is kept for the review to reconcile.
	counts, err := acts.Store.PopulationCounts(ctx, spec.ID)
	require.NoError(t, err)
	require.Len(t, counts, 1, "a re-import of the same period replaces its count")
	assert.Equal(t, 2, counts[0].Count)
	assert.Equal(t, "CHG-01", counts[0].ControlID)
	assert.True(t, counts[0].From.Equal(in.From) && counts[0].To.Equal(in.To))

	london, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	sum, err := acts.PopulationSummary(ctx, activities.PopulationSummaryInput{EngagementID: spec.ID, ControlID: "CHG-01",
		PeriodStart: time.Date(2027, 3, 1, 0, 0, 0, 0, london), PeriodEnd: time.Date(2027, 3, 31, 0, 0, 0, 0, london)})
	require.NoError(t, err)
	assert.Equal(t, activities.PopulationSummaryResult{Count: 2, Unapproved: 1}, sum)
	assert.Equal(t, "2 events recorded for this period: 1 without an approval, 0 without a linked record.", sum.Sentence())

	sum, err = acts.PopulationSummary(ctx, activities.PopulationSummaryInput{EngagementID: spec.ID, ControlID: "CHG-01",
		PeriodStart: time.Date(2027, 3, 4, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2027, 3, 4, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Count, "a one-day period runs to the midnight after PeriodEnd")
}

func TestImportPopulationRefusesControlsWithoutAPopulation(t *testing.T) {
	acts, spec, emu := populationSetup(t)
	ctx := context.Background()
	in := activities.ImportPopulationInput{EngagementID: spec.ID, Spec: *spec,
		From: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)}
	for control, want := range map[string]string{
		"ACC-08": "integrations.populations[1].control: ACC-08 Inactive accounts disabled is a monthly control",
		"chg-01": "not a control in the library (did you mean CHG-01?)",
	} {
		in.Spec.Integrations.Populations = append(spec.Integrations.Populations[:1:1], compliance.Population{Control: control, JQL: "project = X"})
		_, err := acts.ImportPopulation(ctx, in)
		require.Error(t, err)
		var ae *temporal.ApplicationError
		require.True(t, errors.As(err, &ae))
		assert.True(t, ae.NonRetryable(), "retrying cannot fix the spec")
		assert.Contains(t, err.Error(), want)
	}
	assert.Zero(t, emu.CallCount("", "/rest/api/2/search/jql"), "nothing was searched")

	// Jira failing on the second search writes nothing of the first.
	// (The emulator refuses "~" as Jira refuses a field it does not know.)
	in.Spec.Integrations.Populations = append(spec.Integrations.Populations[:1:1], compliance.Population{Control: "CHG-02", JQL: "summary ~ merge"})
	_, err := acts.ImportPopulation(ctx, in)
	require.Error(t, err)
	assert.Equal(t, 2, emu.CallCount("", "/rest/api/2/search/jql"), "CHG-01 was searched, then CHG-02 failed")
	var ae *temporal.ApplicationError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, activities.ErrTypeJiraPermanent, ae.Type(), "Jira's 400 is not retried")
	evs, err := acts.Store.PopulationEvents(ctx, spec.ID, "", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Empty(t, evs)

	// Without Jira the import says what to do instead.
	acts.Jira = nil
	res, err := acts.ImportPopulation(ctx, activities.ImportPopulationInput{EngagementID: spec.ID, Spec: *spec, From: in.From, To: in.To})
	require.NoError(t, err)
	assert.Contains(t, res.Note, "starter population record")
}
