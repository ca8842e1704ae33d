//go:build !race

// The race detector is off for this file: the SDK's test environment races
// with itself when a child workflow that selects on channels completes or
// continues as new while the parent is being told (go.temporal.io/sdk v1.51.0,
// internal_workflow_testsuite.go and internal_workflow.go, seen in both long
// lifecycle tests). scripts/test.sh runs these tests without -race instead.

package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// historyBudget is the most events any one run of any workflow may have.
// Temporal warns at 10,240 events and terminates a run at 51,200; its
// continue-as-new suggestion is a server setting well below the warning. A
// budget of 4,000 by our model (which counts high, see eventCounter) keeps
// every run at less than half the warning, with room for the people's
// updates and retries the test does not make. On a server the engagement
// itself hands over at 2,000 (engagementEventBudget).
const historyBudget = 4000

// TestHistoryBudgetOverThreeYears runs one engagement for three simulated
// years (and a quarter, to the second later report) with time skipping, on the real activities, a real Postgres and the
// real Jira client against the Jira emulator over HTTP, polling Jira every
// hour while remediation runs: scope, gap assessment, remediation, a Type II
// window, the readiness review, fieldwork, certification, and two
// post-certification cycles each closed by the next report. It asserts that
// no run of any workflow type exceeds historyBudget events and prints the
// largest run of each type.
//
// The testsuite keeps no history, so events are counted by eventCounter
// (interceptors on every workflow; the model is checked against real
// dev-server histories in TestEventModelBoundsRealHistories). The dev
// server would count exactly but cannot skip three years of time.
//
// To keep it under a minute on two cores, the evidence cadence is limited
// to four controls through TestHooks.OperatingControls (the other controls'
// evidence is filed directly, as in TestLifecycleFromSpecToCertifiedProgramme):
// a programme with every control sends more prompts per scheduler run, and
// the scheduler hands over on Temporal's suggestion then.
func TestHistoryBudgetOverThreeYears(t *testing.T) {
	ctx := context.Background()
	db := testenv.Postgres(t)
	spec := testSpec(t)
	spec.Frameworks[0].Window = &compliance.ObservationWindow{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}
	spec.AuditDate = compliance.Date{Year: 2028, Month: 2, Day: 15}
	cal, err := compliance.NewCalendar(spec.Reminders)
	require.NoError(t, err)

	emu := jiraemu.New()
	defer emu.Close()
	for i, p := range spec.People {
		emu.AddUser(p.Email, "acct-"+string(rune('a'+i)))
	}
	jc, err := jira.New(jira.Config{BaseURL: emu.URL(), Email: jiraemu.Email, APIToken: jiraemu.APIToken}, jira.WithSettleWindow(0, time.Millisecond))
	require.NoError(t, err)

	counter := &eventCounter{}
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestWorkflowEnvironment()
	env.SetTestTimeout(4 * time.Minute)
	// The identity interceptor as in withIdentity: updates carry verified
	// actors.
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{counter, identity.NewInterceptor(testActorKey)}})
	RegisterWorkflows(env)
	env.RegisterActivity(&activities.Activities{Store: db.Store, Jira: jc})
	// Gap ends and the window's close are read from Temporal before a
	// signal is believed; the testsuite has no server to ask.
	standInTemporalReads(env)
	// Closing the engagement cancels its children by ID; one that has
	// already closed is not in the testsuite's table of running workflows.
	env.OnRequestCancelExternalWorkflow(mock.Anything, mock.Anything, mock.Anything).Return(nil).Maybe()
	start := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	env.SetStartTime(start)

	l := &lifecycle{t: t, env: env, db: db, spec: spec, cal: cal, answered: map[string]bool{},
		// Three years and a quarter: the second post-certification
		// cycle's window closes and its report is issued.
		until: start.AddDate(3, 3, 0)}
	l.tick = func() {
		l.day()
		if !l.done {
			env.RegisterDelayedCallback(l.tick, 24*time.Hour)
		}
	}
	env.RegisterDelayedCallback(l.tick, time.Hour)
	began := time.Now()
	runAsChild(env, EngagementInput{Spec: spec, StartedBy: "sam@steadfast.example", Test: &TestHooks{OperatingControls: lifecycleControls}})
	require.True(t, env.IsWorkflowCompleted())
	require.True(t, l.done, "the three years ran (stuck at %s)", l.phase)
	assert.Empty(t, counter.loops, "a workflow continued as new in a loop without waiting (stopped by the test)")
	t.Logf("three years in %s; largest run of each workflow type (model events):\n%s", time.Since(began).Round(time.Second), counter.report())

	// It was the whole life: remediation polled Jira every hour, the
	// engagement was certified and then recertified twice.
	polls := emu.CallCount("GET", "/rest/api/")
	assert.Greater(t, polls, 24*7, "Jira was polled every hour while the gap was open")
	certs, err := db.Store.Certifications(ctx, spec.ID)
	require.NoError(t, err)
	assert.Len(t, certs, 3, "certified, then two post-certification cycles each closed by a report")
	assert.GreaterOrEqual(t, l.programme.Cycle, 3, "two post-certification cycles ran")
	assert.Equal(t, PhaseProgramme, l.phase)
	engagementRuns := counter.runsOf(EngagementWorkflowID(spec.ID))
	assert.Greater(t, engagementRuns, 30, "the engagement handed over about monthly through the long phases")
	t.Logf("engagement runs: %d; Jira calls: %d; programme cycle: %d", engagementRuns, polls, l.programme.Cycle)

	for typ, r := range counter.largest() {
		assert.LessOrEqual(t, r.Events, historyBudget, "the largest %s run (%s) is over budget", typ, r.ID)
	}
}
