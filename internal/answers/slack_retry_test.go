package answers_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// swappable lets the test bring "Postgres" back while a click is retrying.
type swappable struct {
	cur atomic.Pointer[answers.SlackAnswerer]
}

func (s *swappable) Answer(ctx context.Context, in slack.Interaction) (slack.Outcome, error) {
	return s.cur.Load().Answer(ctx, in)
}

// A click that arrives while Postgres is unreachable is acknowledged,
// retried, and recorded once Postgres is back; the clicker is told both.
func TestSlackClickWhilePostgresIsDownIsRecordedLater(t *testing.T) {
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	plan, err := compliance.PlanEngagement(spec, time.Now())
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "retry", Revision: 1,
		Spec: *spec, Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "test", At: time.Now()}))

	emu := slackemu.New()
	defer emu.Close()
	emu.RequireToken("xoxb-retry")
	emu.AddUser("priya@brightlane.io", "U0PRIYARAM")
	emu.AddChannel("C0RETRY")
	sc := slack.New(slack.Config{BotToken: "xoxb-retry", APIURL: emu.URL()})
	w := worker.New(tmp.Client, "retry", worker.Options{Interceptors: identity.Interceptors(benchActorKey)})
	workflows.Register(w, &activities.Activities{Store: db.Store, Slack: sc})
	require.NoError(t, w.Start())
	defer w.Stop()

	// "Postgres down": the same database through a pool that is closed.
	down, err := postgres.Open(ctx, db.URL)
	require.NoError(t, err)
	down.Close()
	ans := &swappable{}
	ans.cur.Store(&answers.SlackAnswerer{Service: &answers.Service{Temporal: tmp.Client}, Store: down, Slack: sc, Key: benchActorKey})
	d := slack.NewDispatcher(ans, sc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.SetRetry(slack.RetryPolicy{For: time.Minute, FirstDelay: 50 * time.Millisecond, MaxDelay: 200 * time.Millisecond})
	defer d.Close()

	owner := *spec.Person("priya@brightlane.io")
	key := "status/ACC-04"
	id := workflows.PromptWorkflowID(spec.ID, key)
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "retry"}, workflows.PromptWorkflowName,
		workflows.PromptInput{EngagementID: spec.ID, Key: key, Kind: "control-status", Subject: "ACC-04", Question: "Are access reviews in place?",
			Choices: []postgres.PromptChoice{{Value: "implemented", Label: "Implemented"}}, To: owner, Policy: spec.Reminders})
	require.NoError(t, err)
	state := func() workflows.PromptState {
		var st workflows.PromptState
		resp, err := tmp.Client.QueryWorkflow(ctx, id, "", workflows.QueryPrompt)
		if err == nil {
			_ = resp.Get(&st)
		}
		return st
	}
	require.Eventually(t, func() bool { return state().Next != nil }, 30*time.Second, 20*time.Millisecond, "the prompt opens")

	in := slack.Interaction{Kind: slack.KindAnswer, PromptID: id, Choice: "implemented", SlackUserID: "U0PRIYARAM",
		Channel: "C0RETRY", MessageTS: "1.1", DeliveryID: "slack-retry-click-1"}
	require.NoError(t, d.Handle(ctx, []slack.Interaction{in}), "the click is kept, not failed")
	require.Equal(t, 1, d.Pending())
	// The clicker is told in the background (a stuck Slack must not hold
	// the handler), so the message may land a moment after Handle returns.
	var eph []slackemu.Message
	require.Eventually(t, func() bool { eph = emu.Ephemerals(); return len(eph) == 1 }, 10*time.Second, 10*time.Millisecond)
	assert.Contains(t, eph[0].Text, "will keep trying")
	time.Sleep(300 * time.Millisecond) // a few more failed attempts against the closed pool
	assert.Nil(t, state().Answer, "nothing recorded while Postgres is down")

	// Postgres is back.
	ans.cur.Store(&answers.SlackAnswerer{Service: &answers.Service{Temporal: tmp.Client}, Store: db.Store, Slack: sc, Key: benchActorKey})
	require.Eventually(t, func() bool { return d.Pending() == 0 }, 30*time.Second, 20*time.Millisecond)
	d.Wait()
	st := state()
	require.NotNil(t, st.Answer, "recorded after the retry")
	assert.Equal(t, "implemented", st.Answer.Choice)
	assert.Equal(t, "priya@brightlane.io", st.Answer.By)
	assert.Equal(t, "slack", st.Answer.Channel)
	require.Eventually(t, func() bool { eph = emu.Ephemerals(); return len(eph) == 2 }, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, "Steadfast has now recorded your answer.", eph[1].Text)

	// The same click delivered again records nothing new: same update ID.
	require.NoError(t, d.Handle(ctx, []slack.Interaction{in}))
	d.Wait()
	events, err := db.Store.Events(ctx, spec.ID)
	require.NoError(t, err)
	answered := 0
	for _, e := range events {
		if e.Kind == postgres.EventPromptAnswered && strings.Contains(e.Key, key) {
			answered++
		}
	}
	assert.Equal(t, 1, answered, "one answer event")
}
