package activities_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// fixture is a real Postgres with the example engagement recorded, and the
// real slack-go client talking to the emulator.
type fixture struct {
	acts *activities.Activities
	emu  *slackemu.Emulator
	db   testenv.Database
	spec *compliance.Spec
}

func newFixture(t *testing.T) fixture {
	db := testenv.Postgres(t)
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	spec.Integrations.SlackChannel = "C0READINESS"
	plan, err := compliance.PlanEngagement(spec, time.Now())
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(context.Background(), postgres.ScopeRecord{
		EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID, Revision: 1, Spec: *spec, Plan: plan,
		Phase: compliance.PhaseScoping, RecordedBy: "test", At: time.Now(),
	}))
	emu := slackemu.New()
	t.Cleanup(emu.Close)
	emu.AddUser("priya@brightlane.io", "U0PRIYARAM")
	emu.AddUser("maya@brightlane.io", "U01MAYACHEN")
	emu.AddChannel("C0READINESS")
	sc := slack.New(slack.Config{BotToken: "xoxb-test", APIURL: emu.URL()})
	return fixture{acts: &activities.Activities{Store: db.Store, Slack: sc}, emu: emu, db: db, spec: spec}
}

func (f fixture) prompt(i int, to compliance.Person) postgres.Prompt {
	return postgres.Prompt{
		ID: fmt.Sprintf("prompt/%s/control/C-%02d", f.spec.ID, i), EngagementID: f.spec.ID, Key: fmt.Sprintf("control/C-%02d", i),
		Kind: "control-status", Subject: fmt.Sprintf("C-%02d", i), Question: "Is this control in place?",
		Choices:        []postgres.PromptChoice{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}},
		AddresseeEmail: to.Email, AddresseeName: to.Name, DueAt: time.Now().Add(240 * time.Hour), CreatedAt: time.Now(),
	}
}

func TestTenPromptsMakeOneDigest(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	priya := *f.spec.Person("priya@brightlane.io")
	for i := range 10 {
		res, err := f.acts.OpenPrompt(ctx, activities.OpenPromptInput{Prompt: f.prompt(i, priya), To: priya})
		require.NoError(t, err)
		assert.Equal(t, postgres.ChannelSlack, res.Delivered)
	}
	// A retried activity changes nothing either.
	_, err := f.acts.OpenPrompt(ctx, activities.OpenPromptInput{Prompt: f.prompt(0, priya), To: priya})
	require.NoError(t, err)

	msgs := f.emu.Messages()
	require.Len(t, msgs, 1, "ten questions are one DM")
	assert.Equal(t, slackemu.DMChannel("U0PRIYARAM"), msgs[0].Channel)
	assert.Equal(t, 10, f.emu.CallCount("chat.update"), "the digest was updated as each later prompt arrived")
	last := f.emu.Updates()[len(f.emu.Updates())-1]
	for i := range 10 {
		assert.Contains(t, string(last.Blocks), fmt.Sprintf("C-%02d", i))
	}
	assert.Equal(t, 1, f.emu.CallCount("users.lookupByEmail"), "the Slack ID is looked up once, then cached")
}

func TestRemindersBatchPerDayAndEscalationsReachTheChannel(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	priya := *f.spec.Person("priya@brightlane.io")
	maya := *f.spec.Person("maya@brightlane.io")
	for i := range 3 {
		_, err := f.acts.OpenPrompt(ctx, activities.OpenPromptInput{Prompt: f.prompt(i, priya), To: priya})
		require.NoError(t, err)
	}
	day := time.Date(2027, 3, 8, 15, 0, 0, 0, time.UTC)
	for i := range 3 {
		_, err := f.acts.PromptStep(ctx, activities.PromptStepInput{
			PromptID: f.prompt(i, priya).ID, EngagementID: f.spec.ID, To: priya, Tell: []compliance.Person{priya},
			Step: activities.LadderStep{Name: "remind-1", Kind: activities.StepRemind, At: day},
		})
		require.NoError(t, err)
	}
	assert.Len(t, f.emu.Messages(), 2, "the digest plus one reminder for three prompts on one day")

	_, err := f.acts.PromptStep(ctx, activities.PromptStepInput{
		PromptID: f.prompt(0, priya).ID, EngagementID: f.spec.ID, To: priya, Tell: []compliance.Person{maya},
		SlackChannel: "C0READINESS", Step: activities.LadderStep{Name: "lead", Kind: activities.StepLead, At: day.Add(24 * time.Hour)},
	})
	require.NoError(t, err)
	var escalation *slackemu.Message
	for _, m := range f.emu.Messages() {
		if m.Channel == "C0READINESS" {
			escalation = &m
		}
	}
	require.NotNil(t, escalation, "the lead is told in the engagement channel")
	assert.Contains(t, string(escalation.Blocks), slack.ActionReassignPrefix, "with a button to reassign")
	assert.Contains(t, string(escalation.Blocks), slack.ActionAnswerPrefix, "and buttons to answer")

	events, err := f.db.Store.Events(ctx, f.spec.ID)
	require.NoError(t, err)
	var steps []string
	for _, e := range events {
		if e.Kind == postgres.EventPromptStep {
			steps = append(steps, fmt.Sprint(e.Detail["step"], " ", e.Detail["told"]))
		}
	}
	assert.Equal(t, []string{"remind-1 [priya@brightlane.io]", "remind-1 [priya@brightlane.io]", "remind-1 [priya@brightlane.io]", "lead [maya@brightlane.io]"}, steps,
		"every rung of every prompt is in the evidence trail")
}

func TestSlackFailuresBecomeRetryDecisions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	priya := *f.spec.Person("priya@brightlane.io")

	f.emu.RateLimitNext("chat.postMessage", 1, 3*time.Second)
	_, err := f.acts.OpenPrompt(ctx, activities.OpenPromptInput{Prompt: f.prompt(0, priya), To: priya})
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	assert.Equal(t, activities.ErrTypeSlackRateLimited, appErr.Type())
	assert.Equal(t, 3*time.Second, appErr.NextRetryDelay(), "Temporal retries after Slack's Retry-After")
	assert.False(t, appErr.NonRetryable())
	// Temporal's retry then posts the digest, once.
	_, err = f.acts.OpenPrompt(ctx, activities.OpenPromptInput{Prompt: f.prompt(0, priya), To: priya})
	require.NoError(t, err)
	assert.Len(t, f.emu.Messages(), 1)

	// An owner Slack does not know is not an error to retry: delivery says
	// so, and the workflow tells the lead.
	ghost := compliance.Person{Name: "Gone", Email: "gone@brightlane.io"}
	res, err := f.acts.OpenPrompt(ctx, activities.OpenPromptInput{Prompt: f.prompt(1, ghost), To: ghost})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(res.Delivered, activities.DeliveredUnreachable), res.Delivered)
	assert.Contains(t, res.Delivered, "users_not_found")

	// A permanent Slack error does not retry forever, and does not fail the
	// question either: delivery is reported unreachable so the lead is told.
	f.emu.FailNext("chat.update", 1, "invalid_blocks")
	res, err = f.acts.OpenPrompt(ctx, activities.OpenPromptInput{Prompt: f.prompt(2, priya), To: priya})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(res.Delivered, activities.DeliveredUnreachable), res.Delivered)
	assert.Contains(t, res.Delivered, "invalid_blocks")
}

func TestCheckDriftTellsByLevelOncePerWeek(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Date(2027, 6, 15, 15, 0, 0, 0, time.UTC) // inside the example's Type II window, no evidence given
	res, err := f.acts.CheckDrift(ctx, activities.CheckDriftInput{EngagementID: f.spec.ID, Spec: *f.spec, Now: now})
	require.NoError(t, err)
	assert.Positive(t, res.Critical, "months without evidence are critical")
	assert.Equal(t, res.Watch+res.Drifting+res.Critical, res.Escalated)

	again, err := f.acts.CheckDrift(ctx, activities.CheckDriftInput{EngagementID: f.spec.ID, Spec: *f.spec, Now: now.Add(time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, res.Escalated, again.Escalated)

	events, err := f.db.Store.Events(ctx, f.spec.ID)
	require.NoError(t, err)
	escalations, toSponsor := 0, 0
	for _, e := range events {
		if e.Kind != activities.EventEscalated {
			continue
		}
		escalations++
		if strings.Contains(fmt.Sprint(e.Detail["told"]), "tom@brightlane.io") {
			toSponsor++
		}
	}
	assert.Equal(t, res.Escalated, escalations, "told once per control and level per week, however often the check runs")
	assert.Equal(t, res.Critical, toSponsor, "critical controls reach the sponsor")
	assert.NotEmpty(t, f.emu.Messages(), "escalations are posted to the engagement channel")
}
