package workflows

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/drift"
)

// owners' behaviour in the simulated year, by control: how long after the
// request each answers; negative never answers.
var answerAfter = map[string]time.Duration{
	"ACC-08": time.Hour,          // monthly: on time, every time
	"ACC-04": 8 * 24 * time.Hour, // quarterly: after the due date, inside the grace
	"VUL-01": -1,                 // weekly: never
	"LOG-03": 2 * time.Hour,      // daily, attested in weekly batches: on time
}

// reviewAnswered: whose quarterly reviews are done on time; VUL-01's owner
// never does them.
var reviewAnswered = map[string]bool{"ACC-08": true, "ACC-04": true, "LOG-03": true}

// evidenceLog captures evidence as RecordEvidence would store it, and the
// escalation ladder of every question nobody answered.
type evidenceLog struct {
	mu      sync.Mutex
	subs    []drift.Submission
	asks    int
	reviews map[string]PromptInput
	// escalated is, per unanswered prompt key, its ladder as the real
	// PlanLadder lays it out (the prompt's climbing of a ladder is
	// tested in prompt_test.go).
	escalated map[string][]activities.LadderStep
}

// fakeOwners stands in for the prompt workflow: it answers (or not) as the
// owner of the control would, stamping the evidence with when it was given.
// The prompt's own ladder and validation are tested in prompt_test.go.
func (l *evidenceLog) fakeOwners(ctx workflow.Context, in PromptInput) (PromptResult, error) {
	l.mu.Lock()
	l.asks++
	if l.reviews == nil {
		l.reviews, l.escalated = map[string]PromptInput{}, map[string][]activities.LadderStep{}
	}
	if in.Kind == PromptKindReview {
		l.reviews[in.Key] = in
	}
	l.mu.Unlock()
	answered := in.Kind == PromptKindReview && reviewAnswered[in.Subject[:6]] ||
		in.Kind == PromptKindEvidence && answerAfter[in.Evidence.ControlID] >= 0
	if !answered {
		var ladder activities.PlanLadderResult
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
		err := workflow.ExecuteActivity(actx, (&activities.Activities{}).PlanLadder, activities.PlanLadderInput{
			Policy: in.Policy, TimeZone: in.To.TimeZone, From: workflow.Now(ctx), Due: in.Due, Until: in.Until,
		}).Get(ctx, &ladder)
		if err != nil {
			return PromptResult{}, err
		}
		l.mu.Lock()
		l.escalated[in.Key] = ladder.Steps
		l.mu.Unlock()
		return PromptResult{Outcome: OutcomeExpired}, nil
	}
	if in.Kind == PromptKindReview {
		return PromptResult{Outcome: OutcomeAnswered}, nil
	}
	after := answerAfter[in.Evidence.ControlID]
	l.mu.Lock()
	defer l.mu.Unlock()
	// The test environment can start this stub before the first batch's
	// clipped period has begun (the window opens mid-week); an owner
	// cannot attest to days that have not happened, and evidence performed
	// before its period now does not count, so the answer is given no
	// earlier than the period's start.
	at := workflow.Now(ctx)
	if in.Evidence.PeriodStart.After(at) {
		at = in.Evidence.PeriodStart
	}
	l.subs = append(l.subs, drift.Submission{OccurrenceKey: in.Evidence.OccurrenceKey, At: at.Add(after), By: in.To.Email})
	return PromptResult{Outcome: OutcomeAnswered}, nil
}

func yearSpec(t *testing.T) (compliance.Spec, compliance.Plan) {
	spec := testSpec(t)
	spec.Frameworks[0].Window = &compliance.ObservationWindow{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}
	spec.AuditDate = compliance.Date{Year: 2028, Month: 2, Day: 15}
	plan, err := compliance.PlanEngagement(&spec, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	return spec, plan
}

// TestOperatingYearSimulated runs a twelve-month Type II window with time
// skipping: the scheduler asks for each control's evidence as its period
// closes, continues as new along the way, and the drift report built from
// what the owners did matches what they did.
func TestOperatingYearSimulated(t *testing.T) {
	spec, plan := yearSpec(t)
	controls := []string{"ACC-08", "ACC-04", "VUL-01", "LOG-03"}
	log := &evidenceLog{}
	in := OperatingInput{EngagementID: spec.ID, Spec: spec, Plan: plan, Test: &TestHooks{OperatingControls: controls, OperatingContinueAsNewEvery: 25}}
	start := time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC)
	runs := 0
	began := time.Now()
	for {
		runs++
		require.Less(t, runs, 20, "the scheduler never finished")
		var ts testsuite.WorkflowTestSuite
		env := withIdentity(ts.NewTestWorkflowEnvironment())
		env.RegisterWorkflowWithOptions(OperatingWorkflow, workflow.RegisterOptions{Name: OperatingWorkflowName})
		env.RegisterWorkflowWithOptions(log.fakeOwners, workflow.RegisterOptions{Name: PromptWorkflowName})
		acts := &activities.Activities{}
		env.RegisterActivity(acts)
		env.OnActivity(acts.CheckDrift, mock.Anything, mock.Anything).Return(activities.CheckDriftResult{}, nil)
		env.SetStartTime(start)
		perQuestion(env)
		env.ExecuteWorkflow(OperatingWorkflow, in)
		err := env.GetWorkflowError()
		var can *workflow.ContinueAsNewError
		if errors.As(err, &can) {
			var next OperatingInput
			require.NoError(t, decodePayloads(can, &next))
			assert.False(t, next.Cursor.IsZero(), "the cursor is carried")
			in, start = next, next.Cursor
			continue
		}
		require.NoError(t, err)
		var res OperatingResult
		require.NoError(t, env.GetWorkflowResult(&res))
		assert.Equal(t, log.asks, res.Asked, "every request was counted once across runs")
		break
	}
	t.Logf("simulated a 12-month window for %d controls in %s (%d runs, %d requests)", len(controls), time.Since(began).Round(time.Millisecond), runs, log.asks)
	assert.Greater(t, runs, 2, "the scheduler continued as new")

	// The drift report from what happened.
	cal, err := compliance.NewCalendar(spec.Reminders)
	require.NoError(t, err)
	window, err := cadence.Window(&spec, plan)
	require.NoError(t, err)
	now := time.Date(2028, 1, 31, 12, 0, 0, 0, time.UTC)
	freq := map[string]compliance.Frequency{"ACC-08": compliance.FreqMonthly, "ACC-04": compliance.FreqQuarterly, "VUL-01": compliance.FreqWeekly, "LOG-03": compliance.FreqDaily}
	expectedAsks := 0
	report := map[string]drift.ControlDrift{}
	for _, id := range controls {
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: id, Frequency: freq[id], Window: window, Calendar: cal})
		require.NoError(t, err)
		expectedAsks += len(occs) + 4 // and four quarterly reviews
		report[id] = drift.Assess(occs, log.subs, now, window)
	}
	assert.Equal(t, expectedAsks, log.asks, "one request per occurrence: none lost, none twice")

	monthly := report["ACC-08"]
	assert.Equal(t, 12, monthly.Expected)
	assert.Equal(t, 12, monthly.OnTime)
	assert.Equal(t, drift.Level("ok"), monthly.Level)

	quarterly := report["ACC-04"]
	assert.Equal(t, 4, quarterly.Expected)
	assert.Equal(t, 4, quarterly.Late, "answered after the due date but inside the grace")
	assert.NotEqual(t, drift.Level("ok"), quarterly.Level)

	weekly := report["VUL-01"]
	assert.GreaterOrEqual(t, weekly.Expected, 52)
	assert.Equal(t, weekly.Expected, weekly.Missed, "never answered: every week missed")
	assert.Equal(t, drift.Level("critical"), weekly.Level)
	assert.Contains(t, weekly.Tell, compliance.RoleSponsor, "a critical control reaches the sponsor")

	daily := report["LOG-03"]
	assert.Equal(t, daily.Expected, daily.OnTime, "daily controls are attested in weekly batches, on time")
	assert.GreaterOrEqual(t, daily.Expected, 52)

	// Quarterly reviews: one per control per quarter, to the control's
	// owner; VUL-01's were never done and each reached the owner, then the
	// lead at its deadline, then the sponsor — all before its quarter
	// closed.
	assert.Len(t, log.reviews, 4*len(controls))
	leads, sponsors := spec.PeopleWithRole(compliance.RoleLead), spec.PeopleWithRole(compliance.RoleSponsor)
	require.NotEmpty(t, leads)
	require.NotEmpty(t, sponsors)
	for q := 1; q <= 4; q++ {
		key := fmt.Sprintf("review/VUL-01/2027-Q%d", q)
		rev, ok := log.reviews[key]
		require.True(t, ok, "%s asked", key)
		assert.Equal(t, spec.OwnerOf(catalog.Default().Control("VUL-01").Domain).Email, rev.To.Email, "%s goes to the owner of the area", key)
		ladder := log.escalated[key]
		require.NotEmpty(t, ladder, "%s escalated", key)
		quarterEnd := compliance.DateOf(time.Date(2027, time.Month(3*q+1), 0, 0, 0, 0, 0, time.UTC))
		closes := cal.At(cal.PrevBusinessDay(quarterEnd), cadence.DefaultDueHour)
		kinds := []string{}
		for _, step := range ladder {
			kinds = append(kinds, step.Kind)
			if step.Kind == activities.StepSponsor {
				assert.True(t, step.At.Before(closes), "%s reaches the sponsor at %s, before the quarter closes at %s", key, step.At, closes)
			}
			if step.Kind == activities.StepLead {
				assert.True(t, step.At.Equal(rev.Due), "%s reaches the lead at its deadline", key)
			}
		}
		assert.Equal(t, []string{activities.StepRemind, activities.StepLead, activities.StepSponsor, activities.StepExpire}, kinds, key)
		assert.NotContains(t, log.escalated, fmt.Sprintf("review/ACC-08/2027-Q%d", q), "a review done on time escalates nowhere")
	}
	// Every unanswered weekly request went to the lead at its due date.
	for key, ladder := range log.escalated {
		if !strings.HasPrefix(key, "evidence/VUL-01/") {
			continue
		}
		require.GreaterOrEqual(t, len(ladder), 3, key)
		assert.Contains(t, []string{ladder[0].Kind, ladder[1].Kind}, activities.StepLead, key)
	}
}

func TestOperatingSchedulerAsksOncePerOccurrenceAcrossContinueAsNew(t *testing.T) {
	spec, plan := yearSpec(t)
	var mu sync.Mutex
	asked := map[string]int{}
	fake := func(ctx workflow.Context, in PromptInput) (PromptResult, error) {
		mu.Lock()
		asked[workflow.GetInfo(ctx).WorkflowExecution.ID]++
		mu.Unlock()
		return PromptResult{Outcome: OutcomeExpired}, nil
	}
	in := OperatingInput{EngagementID: spec.ID, Spec: spec, Plan: plan, Test: &TestHooks{OperatingControls: []string{"ACC-08"}, OperatingContinueAsNewEvery: 1}}
	start := time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC)
	for runs := 0; runs < 30; runs++ {
		var ts testsuite.WorkflowTestSuite
		env := withIdentity(ts.NewTestWorkflowEnvironment())
		env.RegisterWorkflowWithOptions(OperatingWorkflow, workflow.RegisterOptions{Name: OperatingWorkflowName})
		env.RegisterWorkflowWithOptions(fake, workflow.RegisterOptions{Name: PromptWorkflowName})
		acts := &activities.Activities{}
		env.RegisterActivity(acts)
		env.OnActivity(acts.CheckDrift, mock.Anything, mock.Anything).Return(activities.CheckDriftResult{}, nil)
		env.SetStartTime(start)
		perQuestion(env)
		env.ExecuteWorkflow(OperatingWorkflow, in)
		var can *workflow.ContinueAsNewError
		if errors.As(env.GetWorkflowError(), &can) {
			require.NoError(t, decodePayloads(can, &in))
			start = in.Cursor
			continue
		}
		require.NoError(t, env.GetWorkflowError())
		break
	}
	assert.Len(t, asked, 16, "twelve monthly requests and four quarterly reviews")
	for id, n := range asked {
		assert.Equal(t, 1, n, "%s asked once", id)
	}
}
