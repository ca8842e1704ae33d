package workflows

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestOperatingPopulationsForReal runs the operating scheduler on the dev
// server, with Postgres and the Jira emulator, on the real calendar: a
// SOC 2 window that began last month and a scheduler resumed from a cursor
// at the start of last month, so last month's requests are already due and
// it sends them at once instead of waiting on timers. Its spec names a Jira
// population for the per-event control CHG-01: each batch imports the
// population (versionPopulationImport) and last month's CHG-01 request
// says what it holds (versionPopulationSummary).
func TestOperatingPopulationsForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal, Postgres and a Jira emulator")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)

	spec := testSpec(t)
	loc, err := time.LoadLocation(spec.Reminders.TimeZone)
	require.NoError(t, err)
	now := time.Now().In(loc)
	lastMonth := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, loc)
	start := lastMonth.AddDate(0, -1, 0)
	end := start.AddDate(0, 6, -1)
	soc2 := spec.Framework(compliance.SOC2)
	require.NotNil(t, soc2)
	soc2.Window = &compliance.ObservationWindow{Start: compliance.DateOf(start), End: compliance.DateOf(end)}
	spec.Integrations.Populations = []compliance.Population{{Control: "CHG-01", JQL: "project = CHG AND issuetype = Change", ApprovedStatus: "Approved"}}
	plan, err := compliance.PlanEngagement(&spec, start)
	require.NoError(t, err)
	rec := recordScopeInput(spec, plan)
	rec.Phase = compliance.PhaseOperating
	require.NoError(t, db.Store.RecordScope(ctx, rec))

	// Last month's changes: one approved in Jira, one not.
	emu := jiraemu.New()
	defer emu.Close()
	at := func(day int) time.Time { return time.Date(lastMonth.Year(), lastMonth.Month(), day, 14, 0, 0, 0, loc) }
	approved := []jiraemu.Change{{Author: leadEmail, At: at(9), Field: "status", From: "To Do", To: "Approved"}}
	emu.Seed(jiraemu.Issue{Key: "CHG-1", Type: "Change", Summary: "rotate keys", Status: "Done", Created: at(8), Resolved: at(10), History: approved})
	emu.Seed(jiraemu.Issue{Key: "CHG-2", Type: "Change", Summary: "hotfix", Status: "Done", Created: at(12), Resolved: at(12)})
	jc, err := jira.New(jira.Config{BaseURL: emu.URL(), Email: jiraemu.Email, APIToken: jiraemu.APIToken})
	require.NoError(t, err)

	const queue = "steadfast-operating-populations"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store, Jira: jc, Temporal: tmp.Client})

	id := OperatingWorkflowID(spec.ID)
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE}, OperatingWorkflowName, OperatingInput{
		EngagementID: spec.ID, Spec: spec, Plan: plan, Revision: 1, Cursor: lastMonth, Test: &TestHooks{OperatingControls: []string{"CHG-01"}}})
	require.NoError(t, err)
	defer func() { _ = tmp.Client.TerminateWorkflow(context.Background(), id, "", "test over") }()

	// Last month's CHG-01 request is asked, saying what Jira's population
	// holds for the month.
	occurrence := fmt.Sprintf("evidence/CHG-01/%s", lastMonth.Format("2006-01"))
	var question string
	require.Eventually(t, func() bool {
		ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID})
		require.NoError(t, err)
		for _, p := range ps {
			if strings.HasPrefix(p.Key, occurrence) {
				question = p.Question
				return true
			}
		}
		return false
	}, time.Minute, 200*time.Millisecond, "last month's CHG-01 request (%s) was never asked", occurrence)
	assert.Contains(t, question, "So far: 2 events recorded for this period: 1 without an approval, 0 without a linked record.")
	evs, err := db.Store.PopulationEvents(ctx, spec.ID, "CHG-01", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Len(t, evs, 2, "the import recorded each change once, however many batches searched")
	assert.Greater(t, emu.CallCount("", "/rest/api/2/search/jql"), 1, "one import a batch")

	// Caught up, the scheduler sleeps to its next batch: record it then.
	var h = history(t, ctx, tmp.Client, id, run.GetRunID())
	require.Eventually(t, func() bool {
		h = history(t, ctx, tmp.Client, id, run.GetRunID())
		return h.Events[len(h.Events)-1].GetEventType() == enumspb.EVENT_TYPE_TIMER_STARTED
	}, time.Minute, 200*time.Millisecond, "the scheduler never caught up")
	took := map[string]int{}
	for _, ev := range h.Events {
		took[ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()]++
	}
	assert.Positive(t, took["ImportPopulation"], "each batch imports the population")
	// A new run asks in owner batches (versionOwnerBatches), whose
	// OpenBatch says what the population holds (the question above):
	// operating_population_import_summary.json, recorded before, keeps
	// the question-by-question branches with PopulationSummary replayed,
	// and TestOwnerBatchesForReal records the batched branch.
	assert.Zero(t, took["PopulationSummary"], "the summary is folded into the batch's opening")
}
