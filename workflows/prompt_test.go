package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

var (
	owner   = compliance.Person{Name: "Olu Owner", Email: "olu@client.example", TimeZone: "America/New_York"}
	lead    = compliance.Person{Name: "Lee Lead", Email: "lee@client.example"}
	sponsor = compliance.Person{Name: "Sam Sponsor", Email: "sam@client.example"}
	other   = compliance.Person{Name: "Ona Other", Email: "ona@client.example", TimeZone: "Europe/London"}
)

func promptInput() PromptInput {
	return PromptInput{
		EngagementID: "acme", Key: "control/AC-01", Kind: "control-status", Subject: "AC-01 Access reviews",
		Question: "Are quarterly access reviews in place?", Why: "The auditor samples two quarters.",
		Choices: []compliance.PromptChoice{{Value: "yes", Label: "In place"}, {Value: "partly", Label: "Partly", NoteRequired: true}, {Value: "no", Label: "Missing"}},
		To:      owner, Delegates: []string{"del@client.example"}, Leads: []compliance.Person{lead}, Sponsors: []compliance.Person{sponsor},
		Policy: compliance.ReminderPolicy{
			TimeZone: "Europe/London", BusinessDays: compliance.DefaultBusinessDays,
			Holidays:    []compliance.Date{{Year: 2027, Month: 3, Day: 5}},
			RemindAfter: []int{2, 4}, LeadAfter: 5, SponsorAfter: 8, ExpireAfter: 10,
		},
	}
}

// stepLog records each rung as the workflow carries it out, with the
// workflow clock at that moment.
type stepLog struct {
	mu    sync.Mutex
	steps []activities.PromptStepInput
	at    []time.Time
}

func newPromptEnv(t *testing.T, log *stepLog) *testsuite.TestWorkflowEnvironment {
	var ts testsuite.WorkflowTestSuite
	env := withIdentity(ts.NewTestWorkflowEnvironment())
	RegisterWorkflows(env)
	acts := &activities.Activities{}
	env.RegisterActivity(acts)
	env.OnActivity(acts.OpenPrompt, mock.Anything, mock.Anything).Return(activities.OpenPromptResult{Delivered: "cli"}, nil)
	env.OnActivity(acts.RecordPromptAnswer, mock.Anything, mock.Anything).Return(activities.RecordPromptAnswerResult{}, nil)
	env.OnActivity(acts.SyncDigest, mock.Anything, mock.Anything).Return(activities.SyncDigestResult{}, nil)
	env.OnActivity(acts.ReassignPrompt, mock.Anything, mock.Anything).Return(activities.ReassignPromptResult{}, nil)
	env.OnActivity(acts.PromptStep, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PromptStepInput) (activities.PromptStepResult, error) {
			log.mu.Lock()
			defer log.mu.Unlock()
			log.steps = append(log.steps, in)
			log.at = append(log.at, env.Now())
			return activities.PromptStepResult{}, nil
		})
	// Wednesday 3 March 2027, 15:00 UTC (10:00 in New York).
	env.SetStartTime(time.Date(2027, 3, 3, 15, 0, 0, 0, time.UTC))
	return env
}

func ny(t *testing.T, y int, m time.Month, d, h int) time.Time {
	loc, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	return time.Date(y, m, d, h, 0, 0, 0, loc)
}

func TestPromptLadderFiresOnBusinessDaysInOwnersZone(t *testing.T) {
	log := &stepLog{}
	env := newPromptEnv(t, log)
	env.ExecuteWorkflow(PromptWorkflow, promptInput())
	require.NoError(t, env.GetWorkflowError())

	var res PromptResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, OutcomeExpired, res.Outcome)
	assert.Nil(t, res.Answer)

	// Business days after Wed 3 March, skipping the Friday 5 March holiday
	// and weekends: +2 Mon 8, +4 Wed 10, +5 Thu 11, +8 Tue 16, +10 Thu 18;
	// each at 10:00 in the owner's zone (New York, which moves to summer
	// time on 14 March: the wall-clock hour stays at ten).
	want := []struct {
		name string
		at   time.Time
		tell string
	}{
		{"remind-1", ny(t, 2027, 3, 8, 10), owner.Email},
		{"remind-2", ny(t, 2027, 3, 10, 10), owner.Email},
		{"lead", ny(t, 2027, 3, 11, 10), lead.Email},
		{"sponsor", ny(t, 2027, 3, 16, 10), sponsor.Email},
		{"expire", ny(t, 2027, 3, 18, 10), owner.Email},
	}
	require.Len(t, log.steps, len(want))
	for i, w := range want {
		assert.Equal(t, w.name, log.steps[i].Step.Name)
		assert.True(t, w.at.Equal(log.steps[i].Step.At), "%s planned at %s, want %s", w.name, log.steps[i].Step.At, w.at)
		assert.True(t, w.at.Equal(log.at[i]), "%s fired at %s, want %s", w.name, log.at[i], w.at)
		require.Len(t, log.steps[i].Tell, 1)
		assert.Equal(t, w.tell, log.steps[i].Tell[0].Email)
	}
	assert.Len(t, res.Steps, 5, "every rung is in the result")
}

func TestPromptAnswerAtAnyStepStopsTheLadder(t *testing.T) {
	for stepsBefore, after := range []time.Duration{time.Hour, 6 * 24 * time.Hour, 8*24*time.Hour + 2*time.Hour} {
		log := &stepLog{}
		env := newPromptEnv(t, log)
		var res updateResult
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(UpdateAnswerPrompt, "click-1", callbacks(&res), AnswerPromptRequest{Choice: "yes", Actor: slackAs(testWorkflowID, "click-1", owner.Email)})
		}, after)
		env.ExecuteWorkflow(PromptWorkflow, promptInput())
		require.NoError(t, env.GetWorkflowError())
		require.NoError(t, res.rejected)
		var out PromptResult
		require.NoError(t, env.GetWorkflowResult(&out))
		assert.Equal(t, OutcomeAnswered, out.Outcome)
		require.NotNil(t, out.Answer)
		assert.Equal(t, "slack", out.Answer.Channel)
		assert.Equal(t, "click-1", out.Answer.UpdateID)
		assert.Len(t, log.steps, []int{0, 1, 3}[stepsBefore], "answer after %s", after)
	}
}

func TestPromptValidatorRejects(t *testing.T) {
	cases := []struct {
		name string
		req  AnswerPromptRequest
		want string
	}{
		{"wrong person", AnswerPromptRequest{Choice: "yes", Actor: cli("eve@client.example")}, "may not answer"},
		{"lead is not the addressee", AnswerPromptRequest{Choice: "yes", Actor: cli(lead.Email)}, "may not answer"},
		{"bad choice", AnswerPromptRequest{Choice: "perhaps", Actor: cli(owner.Email)}, `"perhaps" is not one of the choices (yes, partly, no)`},
		{"missing note", AnswerPromptRequest{Choice: "partly", Actor: cli(owner.Email)}, "needs a note"},
		{"bad link", AnswerPromptRequest{Choice: "yes", Actor: cli(owner.Email), Link: "javascript:alert(1)"}, "not an http(s) link"},
		{"nobody", AnswerPromptRequest{Choice: "yes"}, "say who is acting (--as EMAIL)"},
		{"days on no batch", AnswerPromptRequest{Choice: "yes", Actor: cli(owner.Email), Days: []compliance.Date{{Year: 2027, Month: 3, Day: 1}}},
			"only a daily control's weekly batch is answered with days"},
		{"files on a question that is not an auditor's request", AnswerPromptRequest{Choice: "yes", Actor: cli(owner.Email),
			Files: []compliance.AnswerFile{{EvidenceID: 7}}}, "only an answer to an auditor's request carries files"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newPromptEnv(t, &stepLog{})
			var bad, good updateResult
			env.RegisterDelayedCallback(func() {
				env.UpdateWorkflow(UpdateAnswerPrompt, "bad", callbacks(&bad), tc.req)
				env.UpdateWorkflow(UpdateAnswerPrompt, "good", callbacks(&good), AnswerPromptRequest{Choice: "partly", Note: "two of three systems", Actor: cli("DEL@client.example")})
			}, time.Hour)
			env.ExecuteWorkflow(PromptWorkflow, promptInput())
			require.Error(t, bad.rejected)
			assert.Contains(t, bad.rejected.Error(), tc.want)
			require.NoError(t, good.rejected, "a delegate may answer")
			var out PromptResult
			require.NoError(t, env.GetWorkflowResult(&out))
			assert.Equal(t, "del@client.example", out.Answer.By)
		})
	}
}

func TestPromptSecondAnswerRejected(t *testing.T) {
	env := newPromptEnv(t, &stepLog{})
	var first, second updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAnswerPrompt, "a", callbacks(&first), AnswerPromptRequest{Choice: "yes", Actor: cli(owner.Email)})
		env.UpdateWorkflow(UpdateAnswerPrompt, "b", callbacks(&second), AnswerPromptRequest{Choice: "no", Actor: cli(owner.Email)})
	}, time.Hour)
	env.ExecuteWorkflow(PromptWorkflow, promptInput())
	require.NoError(t, first.rejected)
	require.Error(t, second.rejected)
	assert.Regexp(t, "being recorded|already answered", second.rejected.Error())
	var out PromptResult
	require.NoError(t, env.GetWorkflowResult(&out))
	assert.Equal(t, "yes", out.Answer.Choice)
}

func TestPromptReassignment(t *testing.T) {
	log := &stepLog{}
	env := newPromptEnv(t, log)
	var byOwner, reassign, oldOwner, newOwner updateResult
	// After the first reminder (Mon 8 March), the lead reassigns.
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateReassignPrompt, "r0", callbacks(&byOwner), ReassignPromptRequest{To: other, Actor: cli(owner.Email)})
		env.UpdateWorkflow(UpdateReassignPrompt, "r1", callbacks(&reassign), ReassignPromptRequest{To: other, Actor: cli(lead.Email), Reason: "Ona runs IAM now"})
	}, 5*24*time.Hour+time.Hour) // Mon 8 March, 16:00 UTC
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAnswerPrompt, "old", callbacks(&oldOwner), AnswerPromptRequest{Choice: "yes", Actor: cli(owner.Email)})
		env.UpdateWorkflow(UpdateAnswerPrompt, "new", callbacks(&newOwner), AnswerPromptRequest{Choice: "no", Actor: cli(other.Email)})
	}, 5*24*time.Hour+2*time.Hour)
	env.ExecuteWorkflow(PromptWorkflow, promptInput())
	require.NoError(t, env.GetWorkflowError())
	require.Error(t, byOwner.rejected)
	assert.Contains(t, byOwner.rejected.Error(), "only the lead")
	require.NoError(t, reassign.rejected)
	assert.Equal(t, ReassignPromptResult{To: other.Email}, reassign.value)
	require.Error(t, oldOwner.rejected, "the old addressee can no longer answer")
	require.NoError(t, newOwner.rejected)
	var out PromptResult
	require.NoError(t, env.GetWorkflowResult(&out))
	assert.Equal(t, other.Email, out.Answer.By)
	require.Len(t, log.steps, 1, "only the first reminder fired before the reassignment")
}

func TestPromptLadderRestartsAfterReassignment(t *testing.T) {
	log := &stepLog{}
	env := newPromptEnv(t, log)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateReassignPrompt, "r1", callbacks(&updateResult{}), ReassignPromptRequest{To: other, Actor: cli(lead.Email)})
	}, 5*24*time.Hour+time.Hour) // Mon 8 March
	env.ExecuteWorkflow(PromptWorkflow, promptInput())
	var out PromptResult
	require.NoError(t, env.GetWorkflowResult(&out))
	assert.Equal(t, OutcomeExpired, out.Outcome)
	require.Len(t, log.steps, 6)
	// The new ladder counts from Monday 8 March in London: +2 is Wed 10.
	london, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	assert.Equal(t, "remind-1", log.steps[1].Step.Name)
	assert.True(t, time.Date(2027, 3, 10, 10, 0, 0, 0, london).Equal(log.steps[1].Step.At), "got %s", log.steps[1].Step.At)
	assert.Equal(t, other.Email, log.steps[1].Tell[0].Email)
}

// TestPromptHistoryCost pins what one prompt costs in history: the
// commands it issues answered at once and over its whole ladder. Each
// activity is three history events and each timer two, plus a workflow task
// (three events) per wake-up; a change that adds commands per prompt shows
// here before it shows on the bill.
func TestPromptHistoryCost(t *testing.T) {
	count := func(answerAfter time.Duration) (acts, timers int) {
		env := newPromptEnv(t, &stepLog{})
		env.SetOnActivityStartedListener(func(*activity.Info, context.Context, converter.EncodedValues) { acts++ })
		env.SetOnTimerScheduledListener(func(string, time.Duration) { timers++ })
		if answerAfter > 0 {
			env.RegisterDelayedCallback(func() {
				env.UpdateWorkflow(UpdateAnswerPrompt, "a", callbacks(&updateResult{}), AnswerPromptRequest{Choice: "yes", Actor: cli(owner.Email)})
			}, answerAfter)
		}
		env.ExecuteWorkflow(PromptWorkflow, promptInput())
		require.NoError(t, env.GetWorkflowError())
		return acts, timers
	}
	acts, timers := count(time.Minute)
	// PlanLadder, OpenPrompt, RecordPromptAnswer, SyncDigest; one timer.
	assert.Equal(t, 4, acts, "activities when answered at once")
	assert.Equal(t, 1, timers, "timers when answered at once")
	acts, timers = count(0)
	// PlanLadder, OpenPrompt, five rungs; a timer before each rung.
	assert.Equal(t, 7, acts, "activities over the whole ladder")
	assert.Equal(t, 5, timers, "timers over the whole ladder")
	t.Logf("whole ladder ≈ %d history events (2 + 3×%d activities + 2×%d timers + 3×%d workflow tasks)",
		2+3*acts+2*timers+3*(acts+timers+1), acts, timers, acts+timers+1)
}

func TestPromptUnreachableOwnerEscalatesAtOnce(t *testing.T) {
	log := &stepLog{}
	var ts testsuite.WorkflowTestSuite
	env := withIdentity(ts.NewTestWorkflowEnvironment())
	RegisterWorkflows(env)
	acts := &activities.Activities{}
	env.RegisterActivity(acts)
	env.OnActivity(acts.OpenPrompt, mock.Anything, mock.Anything).Return(
		activities.OpenPromptResult{Delivered: activities.DeliveredUnreachable + "users_not_found"}, nil)
	env.OnActivity(acts.PromptStep, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PromptStepInput) (activities.PromptStepResult, error) {
			log.steps = append(log.steps, in)
			log.at = append(log.at, env.Now())
			return activities.PromptStepResult{}, nil
		})
	env.OnActivity(acts.RecordPromptAnswer, mock.Anything, mock.Anything).Return(activities.RecordPromptAnswerResult{}, nil)
	env.OnActivity(acts.SyncDigest, mock.Anything, mock.Anything).Return(activities.SyncDigestResult{}, nil)
	start := time.Date(2027, 3, 3, 15, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAnswerPrompt, "a", callbacks(&updateResult{}), AnswerPromptRequest{Choice: "yes", Actor: cli(owner.Email)})
	}, time.Hour)
	env.ExecuteWorkflow(PromptWorkflow, promptInput())
	require.NoError(t, env.GetWorkflowError())
	require.Len(t, log.steps, 1)
	s := log.steps[0]
	assert.Equal(t, "unreachable", s.Step.Name)
	assert.Equal(t, lead.Email, s.Tell[0].Email)
	assert.Contains(t, s.Reason, "cannot reach olu@client.example in Slack: users_not_found")
	assert.True(t, start.Equal(log.at[0]), "the lead is told at once, not after the reminders")
}
