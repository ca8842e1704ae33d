package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

const testJiraSecret = "jira-webhook-secret"

// answerControls waits until every control prompt of the gap assessment is
// open, then answers them all through the same path as the CLI and Slack,
// eight at a time, with the answer choose gives for the i-th prompt. It
// returns the prompts in the order they were opened.
func answerControls(t *testing.T, ctx context.Context, db testenv.Database, svc answers.Service, id string, controls int,
	choose func(i int, p postgres.Prompt) workflows.AnswerPromptRequest) []postgres.Prompt {
	t.Helper()
	var open []postgres.Prompt
	require.Eventually(t, func() bool {
		all, err := db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: id, Status: postgres.PromptOpen})
		open = open[:0]
		for _, p := range all {
			if p.Kind == "control-status" {
				open = append(open, p)
			}
		}
		return err == nil && len(open) == controls
	}, time.Minute, 200*time.Millisecond, "not every control prompt was opened")
	work := make(chan int)
	var wg sync.WaitGroup
	errs := make(chan error, len(open))
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if _, err := svc.Answer(ctx, open[i].ID, "test/"+open[i].ID, choose(i, open[i])); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := range open {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	return open
}

// answerAssessment answers the first `missing` controls as not in place and
// the rest as in place, and returns the missing controls' IDs.
func answerAssessment(t *testing.T, ctx context.Context, db testenv.Database, svc answers.Service, id string, controls, missing int) []string {
	t.Helper()
	open := answerControls(t, ctx, db, svc, id, controls, func(i int, p postgres.Prompt) workflows.AnswerPromptRequest {
		if i < missing {
			return workflows.AnswerPromptRequest{Choice: workflows.AssessMissing, Actor: identity.CLIActor(p.AddresseeEmail)}
		}
		return workflows.AnswerPromptRequest{Choice: workflows.AssessImplemented, Note: "exported monthly to the GRC drive", Actor: identity.CLIActor(p.AddresseeEmail)}
	})
	var gaps []string
	for _, p := range open[:missing] {
		gaps = append(gaps, strings.TrimPrefix(p.Key, "gap/"))
	}
	return gaps
}

// TestJiraRemediationEndToEnd runs remediation against the Jira emulator
// through the real worker process: tickets are opened once each despite a
// lost create response, search lag, a 429 and a 503; a 400 reaches the lead;
// a signed webhook and, for a lost webhook, the poller carry completions
// back; a forged webhook changes nothing.
func TestJiraRemediationEndToEnd(t *testing.T) { runJiraRemediation(t, false) }

// TestJiraRemediationWorkerKilled kills the worker at the first ticket
// create. Jira's refusals are not injected here: a 400 answered to a worker
// that then dies is retried by the next one, which is right but makes the
// count of refusals depend on timing.
func TestJiraRemediationWorkerKilled(t *testing.T) { runJiraRemediation(t, true) }

func runJiraRemediation(t *testing.T, kill bool) {
	if testing.Short() {
		t.Skip("starts Temporal, Postgres, a Jira emulator and the worker")
	}
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	emu := jiraemu.New()
	defer emu.Close()
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	for i, p := range spec.People {
		emu.AddUser(p.Email, "acct-"+string(rune('a'+i)))
	}

	// Slack too, so the restart is checked for duplicate messages.
	slackEmu := slackemu.New()
	defer slackEmu.Close()
	for i, p := range spec.People {
		slackEmu.AddUser(p.Email, fmt.Sprintf("U0PERSON%02d", i))
	}
	spec.People[0].SlackID = ""

	taskQueue := "steadfast-jira"
	w := &workerProcess{t: t, bin: buildWorker(t), addr: freeAddr(t), env: []string{
		"SLACK_BOT_TOKEN=xoxb-test", "STEADFAST_ACTOR_KEY=" + testActorKey, "SLACK_API_URL=" + slackEmu.URL(),
		"TEMPORAL_ADDRESS=" + tmp.Address, "DATABASE_URL=" + db.URL, "STEADFAST_TASK_QUEUE=" + taskQueue, "LOG_LEVEL=" + envOr("STEADFAST_TEST_WORKER_LOG", "warn"),
		"JIRA_BASE_URL=" + emu.URL(), "JIRA_EMAIL=" + jiraemu.Email, "JIRA_API_TOKEN=" + jiraemu.APIToken,
		"JIRA_WEBHOOK_SECRET=" + testJiraSecret,
	}}
	w.env = append(w.env, "STEADFAST_HTTP_ADDR="+w.addr)
	w.start()

	e := &engagements{tc: tmp.Client, taskQueue: taskQueue}
	svc := answers.Service{Temporal: tmp.Client}
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.EngagementWorkflowID(spec.ID), TaskQueue: taskQueue},
		workflows.EngagementWorkflowName, workflows.EngagementInput{Spec: *spec, StartedBy: "test", JiraPollEvery: 2 * time.Second})
	require.NoError(t, err)
	var st workflows.EngagementStatus
	require.Eventually(t, func() bool {
		st, err = e.status(ctx, spec.ID)
		return err == nil && len(st.WaitingOn) == 1
	}, time.Minute, 100*time.Millisecond)
	_, err = e.decideScope(ctx, spec.ID, workflows.DecideScopeRequest{Decision: workflows.DecisionApprove, Actor: identity.CLIActor("maya@brightlane.io")})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		st, err = e.status(ctx, spec.ID)
		return err == nil && st.Assessment != nil
	}, time.Minute, 100*time.Millisecond)

	// Jira misbehaves as remediation opens the tickets.
	refusals := 0
	if !kill {
		refusals = 1
		emu.FailNext(http.MethodPost, "/rest/api/2/issue", 1, http.StatusBadRequest, "Field 'priority' cannot be set. It is not on the appropriate screen.")
	}
	emu.DropNextCreateResponse()
	emu.SetSearchLag(3 * time.Second)
	emu.RateLimitNext(1, time.Second)
	emu.UnavailableNext(1, time.Second)
	gapIDs := answerAssessment(t, ctx, db, svc, spec.ID, st.Assessment.Controls, 3)

	// Kill the worker while tickets are being opened; a new one carries on.
	require.Eventually(t, func() bool { return emu.CallCount(http.MethodPost, "/rest/api/2/issue") > 0 }, time.Minute, 20*time.Millisecond)
	if kill {
		w.kill()
		w.start()
	}

	var items []postgres.RemediationItem
	require.Eventually(t, func() bool {
		items, err = db.Store.Items(ctx, spec.ID)
		withTicket := 0
		for _, it := range items {
			if it.TicketKey != "" {
				withTicket++
			}
		}
		return err == nil && len(items) == 3 && withTicket == 3-refusals
	}, 4*time.Minute, 200*time.Millisecond, "items and tickets were not opened; worker log:\n%s", w.log)

	// Exactly one ticket per gap that Jira accepted, with the right fields.
	for _, id := range gapIDs {
		label := activities.TicketLabel(spec.ID, id)
		issues := emu.IssuesWithLabel(label)
		assert.LessOrEqual(t, len(issues), 1, "one ticket for %s, not %d", id, len(issues))
	}
	assert.Len(t, emu.Issues(), 3-refusals, "one ticket per gap Jira accepted")
	var refused, ticketed []postgres.RemediationItem
	for _, it := range items {
		if it.TicketKey == "" {
			refused = append(refused, it)
		} else {
			ticketed = append(ticketed, it)
			is, ok := emu.Issue(it.TicketKey)
			require.True(t, ok)
			assert.Equal(t, "SEC", is.Project)
			assert.Contains(t, is.Labels, it.TicketLabel)
			assert.Contains(t, is.Summary, it.ControlID)
			assert.NotEmpty(t, is.Assignee, "assigned to the owner's account")
			assert.NotEmpty(t, is.Priority)
			assert.NotEmpty(t, is.Due)
			assert.Contains(t, is.Description, "Evidence the auditor samples", "the ticket says what the auditor will sample")
			assert.Contains(t, is.Description, "Requirements at stake")
		}
	}
	require.Len(t, refused, refusals)
	events, err := db.Store.Events(ctx, spec.ID)
	require.NoError(t, err)
	escalated := 0
	for _, ev := range events {
		if ev.Kind == activities.EventEscalated {
			escalated++
			assert.Contains(t, ev.Detail["reason"], "cannot be set", "the lead reads Jira's own words")
		}
	}
	assert.Equal(t, refusals, escalated)

	// A forged webhook is refused and changes nothing.
	a, b := ticketed[0], ticketed[1]
	emu.SetCategory(a.TicketKey, jira.CategoryDone)
	endpoint := "http://" + w.addr + jira.WebhookPath
	code, err := emu.PostWebhook(endpoint, "not-the-secret", "wh-forged", a.TicketKey, "jira:issue_updated")
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, code)

	// The signed webhook moves the gap on: the owner is asked for evidence.
	code, err = emu.PostWebhook(endpoint, testJiraSecret, "wh-1", a.TicketKey, "jira:issue_updated")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	code, err = emu.PostWebhook(endpoint, testJiraSecret, "wh-1", a.TicketKey, "jira:issue_updated")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code, "a redelivery is acknowledged and ignored")
	answerEvidence(t, ctx, db, svc, spec.ID, a)

	// The poller finds a completion whose webhook never came.
	emu.SetCategory(b.TicketKey, jira.CategoryDone)
	answerEvidence(t, ctx, db, svc, spec.ID, b)

	// The last gap (refused by Jira, or the third ticket) is closed from
	// the CLI path.
	c := ticketed[len(ticketed)-1]
	if len(refused) > 0 {
		c = refused[0]
	}
	h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: c.ItemID, UpdateID: "close", UpdateName: workflows.UpdateCompleteGap,
		Args: []any{workflows.CompleteGapRequest{Actor: identity.CLIActor(c.OwnerEmail), Evidence: "https://drive.example/" + c.ControlID}}, WaitForStage: client.WorkflowUpdateStageCompleted})
	require.NoError(t, err)
	require.NoError(t, h.Get(ctx, nil))

	require.Eventually(t, func() bool {
		st, err := e.status(ctx, spec.ID)
		return err == nil && st.Phase == compliance.PhaseOperating
	}, time.Minute, 200*time.Millisecond, "remediation did not finish")
	_ = run

	items, err = db.Store.Items(ctx, spec.ID)
	require.NoError(t, err)
	for _, it := range items {
		assert.Equal(t, postgres.ItemVerified, it.Status, it.ControlID)
		assert.NotEmpty(t, it.EvidenceLink)
		if it.TicketKey != "" {
			is, _ := emu.Issue(it.TicketKey)
			assert.Equal(t, jira.CategoryDone, is.Category)
			require.NotEmpty(t, is.Comments, "the evidence is written back to the ticket")
		}
	}
	assert.Len(t, emu.Issues(), 3-refusals, "nothing duplicated, restart or not")

	// One digest DM per person however often the worker restarted: the
	// message ts is stored and later changes update it.
	perChannel := map[string]int{}
	for _, m := range slackEmu.Messages() {
		if strings.HasPrefix(m.Channel, "D") {
			perChannel[m.Channel]++
		}
	}
	require.NotEmpty(t, perChannel)
	for ch, n := range perChannel {
		assert.Equal(t, 1, n, "%s got %d DMs", ch, n)
	}
	assert.Positive(t, slackEmu.CallCount("chat.update"), "digests were updated in place")

	if os.Getenv("STEADFAST_UPDATE_HISTORIES") == "1" && !kill {
		writeHistory(t, ctx, e, a.ItemID, "gap_remediation_jira_webhook.json")
		writeHistory(t, ctx, e, workflows.RemediationWorkflowID(spec.ID), "remediation_jira_poll.json")
	}
}

// answerEvidence waits for the gap's evidence prompt and answers it.
func answerEvidence(t *testing.T, ctx context.Context, db testenv.Database, svc answers.Service, id string, it postgres.RemediationItem) {
	t.Helper()
	promptID := workflows.PromptWorkflowID(id, "evidence/"+it.ControlID)
	require.Eventually(t, func() bool {
		open, err := db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: id, Status: postgres.PromptOpen})
		for _, p := range open {
			if p.ID == promptID {
				return err == nil
			}
		}
		return false
	}, time.Minute, 100*time.Millisecond, "the owner was not asked for evidence for %s", it.ControlID)
	_, err := svc.Answer(ctx, promptID, "evidence", workflows.AnswerPromptRequest{Choice: "fixed", Actor: identity.CLIActor(it.OwnerEmail), Link: "https://drive.example/" + it.ControlID})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		items, err := db.Store.Items(ctx, id)
		for _, x := range items {
			if x.ItemID == it.ItemID {
				return err == nil && x.Status == postgres.ItemVerified
			}
		}
		return false
	}, time.Minute, 100*time.Millisecond)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
