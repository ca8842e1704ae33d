package workflows

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/report"
)

// TestReportReadingEscalatesUnread: nobody reads the report, so each
// owner's prompt climbs the ladder to its expiry and the reading is
// recorded as escalated; the surprise is called out once and carried once;
// the workflow then waits for explanations until ExplainFor has passed.
func TestReportReadingEscalatesUnread(t *testing.T) {
	env := newEnv(t)
	spec := testSpec(t)
	app, err := catalog.Default().ForSpec(&spec)
	require.NoError(t, err)
	ex, err := report.Classify(&spec, app, catalog.Default(), []report.ExceptionInput{
		{Ref: "ACC-04", Description: "late review", ManagementResponse: "ticketed"},
		{Ref: "CC7.2", Description: "alerts", ManagementResponse: "rota"}},
		[]report.AcceptedItem{{ControlID: "ACC-04", Source: "gap"}})
	require.NoError(t, err)
	key := report.Key{EngagementID: spec.ID, Framework: compliance.SOC2, Date: compliance.Date{Year: 2027, Month: 10, Day: 1}}
	rep := report.Report{Framework: key.Framework, Date: key.Date, Opinion: report.Qualified, Exceptions: ex}

	acts := &activities.Activities{}
	var escalated, carried int
	env.OnActivity(acts.Escalate, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.EscalateInput) (activities.EscalateResult, error) {
		escalated++
		var told []string
		for _, p := range in.Tell {
			told = append(told, p.Email)
		}
		assert.ElementsMatch(t, []string{leadEmail, "tom@brightlane.io"}, told, "the lead and the sponsor")
		return activities.EscalateResult{}, nil
	})
	env.OnActivity(acts.CarrySurprise, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.CarrySurpriseInput) error {
		carried++
		assert.Equal(t, 2, in.Exception.N)
		return nil
	})
	env.OnActivity(acts.RecordReadingsAsked, mock.Anything, mock.Anything).Return(nil)
	statuses := map[string]string{}
	env.OnActivity(acts.RecordReading, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RecordReadingInput) error {
		statuses[in.Owner] = in.Status
		return nil
	})

	env.ExecuteWorkflow(ReportReadingWorkflow, ReportReadingInput{Key: key, Spec: spec, Report: rep, Readings: report.Readings(&spec, app, ex)})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var st ReportReadingState
	require.NoError(t, env.GetWorkflowResult(&st))
	assert.Equal(t, 1, escalated, "one surprise, called out once")
	assert.Equal(t, 1, carried)
	assert.Equal(t, map[string]string{"priya@brightlane.io": activities.ReadingEscalated, "leo@brightlane.io": activities.ReadingEscalated}, statuses)
	assert.ElementsMatch(t, []string{"priya@brightlane.io", "leo@brightlane.io"}, st.Escalated)
	assert.Empty(t, st.Waiting)
}
