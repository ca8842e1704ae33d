package answers_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

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

// A click that arrives while Postgres is unreachable is queued in Temporal
// before Slack is acknowledged; the worker that took it is stopped and a
// new worker (a new process, as after a crash) records it once Postgres is
// back. The clicker reads that it is queued, then that it landed; the same
// click delivered again records nothing more (issue 12: the retry lived in
// the worker's memory).
//
// STEADFAST_UPDATE_HISTORIES=1 writes the click workflow's history to
// testdata/histories/slack_click_queued.json for the replay test.
func TestQueuedSlackClickSurvivesAWorkerRestart(t *testing.T) {
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	plan, err := compliance.PlanEngagement(spec, time.Now())
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "inbox", Revision: 1,
		Spec: *spec, Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "test", At: time.Now()}))

	emu := slackemu.New()
	defer emu.Close()
	emu.RequireToken("xoxb-inbox")
	emu.AddUser("priya@brightlane.io", "U0PRIYARAM")
	emu.AddChannel("C0INBOX")
	sc := slack.New(slack.Config{BotToken: "xoxb-inbox", APIURL: emu.URL()})
	const queue = "inbox"

	// "Postgres down" for the click: the same database through a closed pool.
	down, err := postgres.Open(ctx, db.URL)
	require.NoError(t, err)
	down.Close()
	answererOn := func(st *postgres.Store) *answers.SlackAnswerer {
		return &answers.SlackAnswerer{Service: &answers.Service{Temporal: tmp.Client}, Store: st, Slack: sc, Key: benchActorKey}
	}
	startWorker := func(clicks *answers.SlackAnswerer) worker.Worker {
		w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(benchActorKey)})
		workflows.Register(w, &activities.Activities{Store: db.Store, Slack: sc, Clicks: clicks})
		require.NoError(t, w.Start())
		return w
	}
	first := startWorker(answererOn(down))
	stopped := false
	defer func() {
		if !stopped {
			first.Stop()
		}
	}()

	d := slack.NewDispatcher(answererOn(down), sc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.SetQueue(&answers.ClickInbox{Temporal: tmp.Client, Key: benchActorKey, TaskQueue: queue})
	defer d.Close()
	const secret = "inbox-secret"
	srv := httptest.NewServer(slack.NewInteractionHandler(secret, d))
	defer srv.Close()

	owner := *spec.Person("priya@brightlane.io")
	key := "status/ACC-04"
	id := workflows.PromptWorkflowID(spec.ID, key)
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, workflows.PromptWorkflowName,
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

	payload := `{"type":"block_actions","user":{"id":"U0PRIYARAM","team_id":"T0EMU"},"team":{"id":"T0EMU"},` +
		`"container":{"type":"message","message_ts":"1.000001","channel_id":"C0INBOX"},"channel":{"id":"C0INBOX"},` +
		`"response_url":"https://hooks.slack.example/actions/secret","actions":[{"type":"button","action_id":"answer:implemented",` +
		`"block_id":"prompt:` + id + `","value":"implemented","action_ts":"1.000002"}]}`
	click := func() {
		body := []byte(url.Values{"payload": {payload}}.Encode())
		req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		slack.SignRequest(req, secret, time.Now(), body)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	ins, err := slack.ParseInteraction([]byte(payload))
	require.NoError(t, err)
	wid := workflows.SlackClickWorkflowID(ins[0].DeliveryID)

	click()
	// Acknowledged means queued: the click's workflow exists already.
	desc, err := tmp.Client.DescribeWorkflow(ctx, wid, "")
	require.NoError(t, err, "the click was in Temporal when Slack got its 200")
	runID := desc.RawResponse.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	require.Eventually(t, func() bool { return len(emu.Ephemerals()) == 1 }, 30*time.Second, 20*time.Millisecond)
	assert.Equal(t, workflows.MsgClickQueued, emu.Ephemerals()[0].Text)
	time.Sleep(1500 * time.Millisecond) // a retry or two against the closed pool
	assert.Nil(t, state().Answer, "nothing recorded while Postgres is down")

	// The worker goes away with the click pending; a new one starts with
	// Postgres back.
	first.Stop()
	stopped = true
	second := startWorker(answererOn(db.Store))
	defer second.Stop()

	var res workflows.SlackClickResult
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	require.NoError(t, tmp.Client.GetWorkflow(wctx, wid, runID).Get(wctx, &res))
	assert.Equal(t, workflows.SlackClickResult{Recorded: true, Queued: true}, res)
	st := state()
	require.NotNil(t, st.Answer, "recorded by the new worker")
	assert.Equal(t, "implemented", st.Answer.Choice)
	assert.Equal(t, "priya@brightlane.io", st.Answer.By)
	assert.Equal(t, "slack", st.Answer.Channel)
	eph := emu.Ephemerals()
	require.Len(t, eph, 2)
	assert.Equal(t, workflows.MsgClickRecorded, eph[1].Text)

	// Slack delivers the same click again: the ended workflow is found and
	// nothing is recorded or said.
	click()
	d.Wait()
	desc, err = tmp.Client.DescribeWorkflow(ctx, wid, "")
	require.NoError(t, err)
	assert.Equal(t, runID, desc.RawResponse.GetWorkflowExecutionInfo().GetExecution().GetRunId(), "no second run")
	events, err := db.Store.Events(ctx, spec.ID)
	require.NoError(t, err)
	answered := 0
	for _, e := range events {
		if e.Kind == postgres.EventPromptAnswered && strings.Contains(e.Key, key) {
			answered++
		}
	}
	assert.Equal(t, 1, answered, "one answer event")
	assert.Len(t, emu.Ephemerals(), 2)

	// A client with Temporal credentials cannot queue a click of its own:
	// without the handler's seal the activity refuses it.
	forged := slack.Interaction{Kind: slack.KindReassign, PromptID: id, ReassignTo: "U0PRIYARAM", SlackUserID: "U0PRIYARAM",
		Channel: "C0INBOX", DeliveryID: "slack-forged-1"}
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.SlackClickWorkflowID(forged.DeliveryID), TaskQueue: queue},
		workflows.SlackClickWorkflowName, workflows.SlackClickInput{Click: slack.SealClick([]byte("not-the-actor-key"), forged)})
	require.NoError(t, err)
	var forgedRes workflows.SlackClickResult
	require.NoError(t, run.Get(wctx, &forgedRes))
	assert.Equal(t, workflows.SlackClickResult{Refused: workflows.MsgClickBroken}, forgedRes)

	// The capability URL Slack sent is not kept in history.
	var h historypb.History
	var started workflows.SlackClickInput
	it := tmp.Client.GetWorkflowHistory(ctx, wid, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
		if a := ev.GetWorkflowExecutionStartedEventAttributes(); a != nil {
			require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(a.GetInput(), &started))
		}
	}
	assert.Equal(t, ins[0].DeliveryID, started.Click.Click.DeliveryID)
	assert.Empty(t, started.Click.Click.ResponseURL)
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	require.NoError(t, err)
	if os.Getenv("STEADFAST_UPDATE_HISTORIES") == "1" {
		require.NoError(t, os.WriteFile(filepath.Join("..", "..", "testdata", "histories", "slack_click_queued.json"), b, 0o644))
	}
}
