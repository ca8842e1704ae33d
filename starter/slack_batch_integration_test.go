package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// TestSlackClickAnswersOneBatchItem: an owner's quarterly checklist (an
// owner batch of three control reviews, each with its own deadline) is
// posted to the owner's DM by the real worker process through the real
// slack-go client against the Slack emulator; a signed click on one item's
// button answers that item alone, recorded as the owner through Slack,
// while the other two stay open, each with its own deadline and its own
// next rung of the ladder.
func TestSlackClickAnswersOneBatchItem(t *testing.T) {
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	emu := slackemu.New()
	defer emu.Close()
	emu.RequireToken("xoxb-test")
	const priyaUID = "U0PRIYASHAH"
	emu.AddUser("priya@brightlane.io", priyaUID)
	emu.AddUser("maya@brightlane.io", "U01MAYACHEN")
	emu.AddChannel("C0READINESS")

	taskQueue := "steadfast-slack-batch"
	w := &workerProcess{t: t, bin: buildWorker(t), addr: freeAddr(t), env: []string{
		"TEMPORAL_ADDRESS=" + tmp.Address, "DATABASE_URL=" + db.URL, "STEADFAST_TASK_QUEUE=" + taskQueue,
		"LOG_LEVEL=warn", "SLACK_BOT_TOKEN=xoxb-test", "STEADFAST_ACTOR_KEY=" + testActorKey, "SLACK_SIGNING_SECRET=" + testSigningSecret,
		"SLACK_API_URL=" + emu.URL(),
	}}
	w.env = append(w.env, "STEADFAST_HTTP_ADDR="+w.addr)
	w.start()

	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	spec.Integrations.SlackChannel = "C0READINESS"
	now := time.Now()
	plan, err := compliance.PlanEngagement(spec, now)
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: workflows.EngagementWorkflowID(spec.ID),
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "test", At: now}))

	// Three reviews, due a day apart, in one checklist to Priya.
	priya := *spec.Person("priya@brightlane.io")
	choices := []compliance.PromptChoice{{Value: "operates", Label: "Operates as designed; scope unchanged"},
		{Value: "changed", Label: "Something changed (say what)", NoteRequired: true}}
	due := now.Add(6 * time.Hour).Truncate(time.Second)
	var items []workflows.BatchItem
	for i, c := range []string{"ACC-02", "ACC-04", "CHG-01"} {
		d := due.Add(time.Duration(i) * 24 * time.Hour)
		items = append(items, workflows.BatchItem{Key: "review/" + c + "/2027-Q1", Kind: workflows.PromptKindReview, Subject: c + " review",
			Question: "Review of " + c + ": does it still operate as designed, with the same scope?", Why: "test",
			Choices: choices, Due: d, Until: d.Add(72 * time.Hour)})
	}
	batch := workflows.OwnerBatchWorkflowID(spec.ID, "checklist/priya/2027-Q1")
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: batch, TaskQueue: taskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE}, workflows.OwnerBatchWorkflowName, workflows.OwnerBatchInput{
		EngagementID: spec.ID, Key: "checklist/priya/2027-Q1", Kind: "checklist", To: priya,
		Leads: spec.PeopleWithRole(compliance.RoleLead), Policy: spec.Reminders, SlackChannel: spec.Integrations.SlackChannel, Items: items})
	require.NoError(t, err)
	defer func() { _ = tmp.Client.TerminateWorkflow(context.Background(), batch, "", "test over") }()
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = compliance.BatchItemID(batch, it.Key)
	}

	// The digest in Priya's DM holds a block of buttons per item.
	dm := slackemu.DMChannel(priyaUID)
	var digest slackemu.Message
	require.Eventually(t, func() bool {
		for _, m := range emu.Messages() {
			if m.Channel == dm && strings.Contains(string(m.Blocks), slack.BlockPrefix+ids[2]) {
				digest = m
				return true
			}
		}
		return false
	}, time.Minute, 100*time.Millisecond, "no digest of the checklist posted to the owner; worker log:\n%s", w.log)
	for _, id := range ids {
		assert.Contains(t, string(digest.Blocks), slack.BlockPrefix+id)
	}

	// Priya clicks "operates" on the second item only (Slack delivers it twice).
	click, err := emu.ClickPayloadIn(digest, priyaUID, slack.BlockPrefix+ids[1], slack.ActionAnswerPrefix+"operates")
	require.NoError(t, err)
	body := slackemu.FormBody(click)
	post := func() int {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+w.addr+slack.InteractionsPath, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		slack.SignRequest(req, testSigningSecret, time.Now(), body)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, post())
	assert.Equal(t, http.StatusOK, post())

	byID := map[string]postgres.Prompt{}
	require.Eventually(t, func() bool {
		ps, err := db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: spec.ID})
		require.NoError(t, err)
		for _, p := range ps {
			byID[p.ID] = p
		}
		return byID[ids[1]].Status == postgres.PromptAnswered
	}, time.Minute, 100*time.Millisecond, "the clicked item was not answered; worker log:\n%s", w.log)
	answered := byID[ids[1]]
	assert.Equal(t, "operates", answered.AnswerChoice)
	assert.Equal(t, "priya@brightlane.io", answered.AnsweredBy)
	assert.Equal(t, postgres.ChannelSlack, answered.AnsweredVia)
	assert.True(t, strings.HasPrefix(answered.UpdateID, "slack/"), answered.UpdateID)
	for _, i := range []int{0, 2} {
		assert.Equal(t, postgres.PromptOpen, byID[ids[i]].Status, "item %d stays open", i)
		assert.True(t, byID[ids[i]].DueAt.Equal(items[i].Due), "item %d keeps its own deadline: %s, want %s", i, byID[ids[i]].DueAt, items[i].Due)
	}

	// The batch holds the same: one answered, the others open, each with
	// its own deadline and its own next rung.
	resp, err := tmp.Client.QueryWorkflow(ctx, batch, "", workflows.QueryOwnerBatch)
	require.NoError(t, err)
	var st workflows.OwnerBatchState
	require.NoError(t, resp.Get(&st))
	require.Len(t, st.Items, 3)
	assert.Equal(t, postgres.PromptAnswered, st.Items[1].Status)
	assert.Nil(t, st.Items[1].Next, "an answered item is chased no more")
	for _, i := range []int{0, 2} {
		it := st.Items[i]
		assert.Equal(t, postgres.PromptOpen, it.Status)
		assert.True(t, it.Due.Equal(items[i].Due), "item %d: due %s", i, it.Due)
		require.NotNil(t, it.Next, "item %d is still chased", i)
	}
	assert.True(t, st.Items[2].Next.At.After(st.Items[0].Next.At), "the later item's next rung is later: each climbs its own ladder")

	events, err := db.Store.Events(ctx, spec.ID)
	require.NoError(t, err)
	n := 0
	for _, ev := range events {
		if ev.Kind == postgres.EventPromptAnswered {
			n++
		}
	}
	assert.Equal(t, 1, n, "one answer recorded for two deliveries of one click")
}
